// The reference kernels (core/kernels/reference.h) against the fast ones: matmul and softmax give
// the same values and gradients both ways, float64 to rounding and float32 to 1e-5.
#include <catch2/catch.hpp>
#include <functional>

#include "ag/ag.h"
#include "ag/core/kernels/reference.h"

using namespace ag;

namespace {

// f's output and the gradients of its inputs (against a fixed random projection of the output).
std::vector<Tensor> run(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                        bool reference) {
  ReferenceKernelsGuard kernels(reference);
  for (const Tensor& t : inputs) t.mutable_grad() = Tensor();
  Tensor out = f(inputs);
  manual_seed(7);
  (out * randn(out.sizes(), out.dtype())).sum().backward();
  std::vector<Tensor> results{out.detach()};
  for (const Tensor& t : inputs) results.push_back(t.grad());
  return results;
}

// Fast and reference agree on f's output and every input's gradient.
void check_agree(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs) {
  const std::vector<Tensor> fast = run(f, inputs, false), reference = run(f, inputs, true);
  const bool f64 = inputs[0].dtype() == kFloat64;
  for (size_t i = 0; i < fast.size(); ++i) {
    const Tensor diff = (fast[i] - reference[i]).abs();
    INFO((i == 0 ? std::string("the output") : "the gradient of input " + std::to_string(i - 1))
         << ": largest difference " << diff.max().item() << " where the values reach "
         << reference[i].abs().max().item());
    CHECK(allclose(fast[i], reference[i], f64 ? 1e-12 : 1e-5, f64 ? 1e-12 : 1e-6));
  }
}

std::vector<Tensor> leaves(const std::vector<Shape>& shapes, Dtype dtype) {
  std::vector<Tensor> out;
  for (const Shape& shape : shapes) out.push_back(randn(shape, dtype).requires_grad_());
  return out;
}

}  // namespace

TEST_CASE("the switch turns the reference kernels on and off", "[reference-kernels]") {
  CHECK_FALSE(reference_kernels_enabled());
  {
    ReferenceKernelsGuard on;
    CHECK(reference_kernels_enabled());
  }
  CHECK_FALSE(reference_kernels_enabled());
}

TEST_CASE("reference gemm is the textbook product, with transposes and beta", "[reference-kernels]") {
  const double a[] = {1, 2, 3, 4, 5, 6};  // (2,3)
  const double b[] = {1, 0, 0, 1, 1, 1};  // (3,2)
  double c[] = {10, 20, 30, 40};          // (2,2), accumulated into with beta = 1
  kernels::reference::gemm(false, false, 2, 2, 3, 1.0, a, 3, b, 2, 1.0, c, 2);
  CHECK(std::vector<double>(c, c + 4) == std::vector<double>{14, 25, 40, 51});  // [[4, 5], [10, 11]] + c
  double ct[4];
  kernels::reference::gemm(true, true, 2, 2, 3, 2.0, b, 2, a, 3, 0.0, ct, 2);  // 2 (b^T a^T) = 2 (a b)^T
  CHECK(std::vector<double>(ct, ct + 4) == std::vector<double>{8, 20, 10, 22});
}

TEST_CASE("matmul: fast and reference kernels agree", "[reference-kernels]") {
  manual_seed(0);
  for (Dtype dtype : {kFloat64, kFloat32}) {
    INFO(dtype_name(dtype));
    auto mm = [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
    check_agree(mm, leaves({{17, 33}, {33, 9}}, dtype));
    check_agree(mm, leaves({{2, 1, 5, 7}, {3, 7, 4}}, dtype));  // batched, broadcast
    check_agree(mm, leaves({{6, 4, 3}, {3, 8}}, dtype));         // folded into one (24,3) gemm
    check_agree(mm, leaves({{5}, {5, 3}}, dtype));               // vector x matrix
    check_agree([](const std::vector<Tensor>& in) { return matmul(in[0].t(), in[1].t()); },
                leaves({{11, 6}, {4, 11}}, dtype));  // transposed operands go to BLAS as flags
  }
}

TEST_CASE("softmax and log_softmax: fast and reference kernels agree", "[reference-kernels]") {
  manual_seed(1);
  for (Dtype dtype : {kFloat64, kFloat32}) {
    INFO(dtype_name(dtype));
    check_agree([](const std::vector<Tensor>& in) { return softmax(in[0] * 3.0, -1); }, leaves({{4, 37}}, dtype));
    check_agree([](const std::vector<Tensor>& in) { return softmax(in[0], 1); }, leaves({{3, 9, 5}}, dtype));
    check_agree([](const std::vector<Tensor>& in) { return log_softmax(in[0] * 3.0, -1); }, leaves({{6, 50}}, dtype));
  }
}
