// Every differentiable op in ag, by family. Each family lives in core/ops/<family>.cpp with its
// forward and backward side by side; docs/ops.md lists each op's derivative.
//
// Broadcasting follows NumPy/PyTorch: shapes are aligned from the right, and a dim of size 1 (or a
// missing one) stretches to match. `a + b` with a (2,3) and b (3) gives (2,3).
#pragma once
#include <optional>
#include <tuple>
#include <vector>

#include "ag/core/generator.h"
#include "ag/core/tensor.h"

namespace ag {

// ---- elementwise (core/ops/elementwise.cpp, core/ops/activation.cpp) ----------------------------
Tensor add(const Tensor& a, const Tensor& b, double alpha = 1.0);  // a + alpha * b
Tensor sub(const Tensor& a, const Tensor& b, double alpha = 1.0);  // a - alpha * b
Tensor mul(const Tensor& a, const Tensor& b);
Tensor div(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor mul(const Tensor& a, double b);
Tensor pow(const Tensor& a, double exponent);
Tensor pow(const Tensor& a, const Tensor& exponent);  // elementwise a^b with broadcasting
Tensor neg(const Tensor& a);
Tensor exp(const Tensor& a);
Tensor log(const Tensor& a);
Tensor sqrt(const Tensor& a);
Tensor rsqrt(const Tensor& a);
Tensor abs(const Tensor& a);
Tensor tanh(const Tensor& a);
Tensor sigmoid(const Tensor& a);
Tensor relu(const Tensor& a);
// approximate = "none" (x * Phi(x), the erf form) or "tanh" (the tanh approximation), as torch.
Tensor gelu(const Tensor& a, const std::string& approximate = "none");
// Throws unless gelu accepts `approximate` (nn::GELU checks its options with it when built).
void check_gelu_approximate(const std::string& approximate);
Tensor clamp(const Tensor& a, std::optional<double> min, std::optional<double> max);
// where(condition, a, b): a where condition is true, else b; all three broadcast together.
Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b);
Tensor masked_fill(const Tensor& a, const Tensor& mask, double value);

// Comparisons give bool tensors and are not differentiable.
Tensor eq(const Tensor& a, const Tensor& b);
Tensor ne(const Tensor& a, const Tensor& b);
Tensor lt(const Tensor& a, const Tensor& b);
Tensor le(const Tensor& a, const Tensor& b);
Tensor gt(const Tensor& a, const Tensor& b);
Tensor ge(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);
bool allclose(const Tensor& a, const Tensor& b, double rtol = 1e-5, double atol = 1e-8);

// ---- reductions (core/ops/reduce.cpp, core/ops/softmax.cpp) -------------------------------------
Tensor sum(const Tensor& a);
Tensor sum(const Tensor& a, const Shape& dims, bool keepdim = false);
Tensor mean(const Tensor& a);
Tensor mean(const Tensor& a, const Shape& dims, bool keepdim = false);
// Variance with Bessel's correction when unbiased (torch's default).
Tensor var(const Tensor& a, const Shape& dims, bool unbiased = true, bool keepdim = false);
Tensor max(const Tensor& a);  // of all elements
// Maximum along dim and its index (int64), as torch.max(a, dim).
std::tuple<Tensor, Tensor> max(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor argmax(const Tensor& a, int64_t dim, bool keepdim = false);
Tensor softmax(const Tensor& a, int64_t dim);
Tensor log_softmax(const Tensor& a, int64_t dim);
// Reduces a broadcast gradient back to `shape` by summing the stretched dims (the adjoint of expand).
Tensor sum_to(const Tensor& a, const Shape& shape);

// ---- matmul (core/ops/matmul.cpp) ---------------------------------------------------------------
// (n) x (n) -> (); (m,k) x (k,n) -> (m,n); (...,m,k) x (...,k,n) -> (...,m,n) with the batch dims
// broadcast; 1-D operands are treated as a row (left) or a column (right) and that dim is dropped.
Tensor matmul(const Tensor& a, const Tensor& b);
// bias + a x b for 2-D a (m,k) and b (k,n), bias (n) or (m,n), as torch.addmm: one gemm that
// accumulates into the bias (a Linear layer's forward).
Tensor addmm(const Tensor& bias, const Tensor& a, const Tensor& b);

// ---- shape (core/ops/shape.cpp, core/ops/view.cpp) ----------------------------------------------
Tensor reshape(const Tensor& a, const Shape& shape);
Tensor view(const Tensor& a, const Shape& shape);
Tensor transpose(const Tensor& a, int64_t dim0, int64_t dim1);
Tensor permute(const Tensor& a, const Shape& dims);
Tensor narrow(const Tensor& a, int64_t dim, int64_t start, int64_t length);
Tensor slice(const Tensor& a, int64_t dim, int64_t start, int64_t end, int64_t step = 1);
Tensor select(const Tensor& a, int64_t dim, int64_t index);
Tensor unsqueeze(const Tensor& a, int64_t dim);
Tensor squeeze(const Tensor& a, int64_t dim);
Tensor expand(const Tensor& a, const Shape& shape);
Tensor contiguous(const Tensor& a);
Tensor cat(const std::vector<Tensor>& tensors, int64_t dim = 0);
Tensor stack(const std::vector<Tensor>& tensors, int64_t dim = 0);
std::vector<Tensor> split(const Tensor& a, int64_t split_size, int64_t dim = 0);
std::vector<Tensor> chunk(const Tensor& a, int64_t chunks, int64_t dim = 0);

// ---- indexing (core/ops/index.cpp) --------------------------------------------------------------
// Rows of `a` along dim picked by the int64 `index` (1-D). Backward scatter-adds into those rows.
Tensor index_select(const Tensor& a, int64_t dim, const Tensor& index);
// weight (V,E) looked up by int64 indices of any shape (...) -> (...,E): the embedding gather.
Tensor embedding(const Tensor& weight, const Tensor& indices);
// out[i] = a[i, index[i]] along dim, as torch.gather with an index of a's shape but size 1 in dim.
Tensor gather(const Tensor& a, int64_t dim, const Tensor& index);

// ---- random (core/ops/dropout.cpp) --------------------------------------------------------------
// Zeroes each element with probability p and scales the rest by 1/(1-p); identity unless training.
// The mask's seed comes from `generator`, or the global generator without one.
Tensor dropout(const Tensor& a, double p, bool training = true, std::optional<Generator> generator = std::nullopt);

// ---- conversion ---------------------------------------------------------------------------------
Tensor to_dtype(const Tensor& a, Dtype dtype);

// ---- operators ----------------------------------------------------------------------------------
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
inline Tensor operator-(const Tensor& a) { return neg(a); }
inline Tensor operator+(const Tensor& a, double b) { return add(a, b); }
inline Tensor operator+(double a, const Tensor& b) { return add(b, a); }
inline Tensor operator-(const Tensor& a, double b) { return add(a, -b); }
inline Tensor operator-(double a, const Tensor& b) { return add(neg(b), a); }
inline Tensor operator*(const Tensor& a, double b) { return mul(a, b); }
inline Tensor operator*(double a, const Tensor& b) { return mul(b, a); }
inline Tensor operator/(const Tensor& a, double b) { return mul(a, 1.0 / b); }
Tensor operator/(double a, const Tensor& b);

}  // namespace ag
