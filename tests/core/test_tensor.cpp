// Tensors: factories, views that share storage, forward values of the ops, and printing.
#include <catch2/catch.hpp>
#include <limits>
#include <sstream>

#include "ag/ag.h"

using namespace ag;
using floats = std::vector<float>;

TEST_CASE("factories make the shapes, dtypes and values asked for", "[tensor]") {
  CHECK(zeros({2, 3}).sizes() == Shape{2, 3});
  CHECK(zeros({2, 3}).dtype() == kFloat32);
  CHECK(ones({2}, kFloat64).to_vector<double>() == std::vector<double>{1, 1});
  CHECK(full({2}, 7.5).to_vector<float>() == floats{7.5, 7.5});
  CHECK(arange(5, kInt64).to_vector<int64_t>() == std::vector<int64_t>{0, 1, 2, 3, 4});
  CHECK(arange(1, 2, 0.25).to_vector<float>() == floats{1, 1.25, 1.5, 1.75});
  CHECK(tensor({{1, 2}, {3, 4}}).sizes() == Shape{2, 2});
  CHECK(tensor({{1, 2}, {3, 4}}).to_vector<float>() == floats{1, 2, 3, 4});
  CHECK(scalar_tensor(3.0).dim() == 0);
  CHECK(from_vector(std::vector<bool>{true, false}, {2}).dtype() == kBool);
  CHECK_THROWS_WITH(tensor({{1, 2}, {3}}), Catch::Contains("ragged"));
  CHECK_THROWS_WITH(from_vector(std::vector<float>{1, 2, 3}, {2, 2}), Catch::Contains("3 values do not fill shape (2, 2)"));
}

TEST_CASE("a seed makes random tensors reproducible", "[tensor]") {
  manual_seed(42);
  Tensor a = randn({5}), u = rand({100});
  manual_seed(42);
  CHECK(randn({5}).to_vector<float>() == a.to_vector<float>());
  for (float v : u.to_vector<float>()) CHECK((v >= 0 && v < 1));
  std::string state = default_generator().state();
  Tensor next = rand({3});
  default_generator().set_state(state);
  CHECK(rand({3}).to_vector<float>() == next.to_vector<float>());
  Tensor many = randn({20000}, kFloat64);
  CHECK(mean(many).item() == Approx(0).margin(0.03));
  CHECK(var(many, {0}).item() == Approx(1).margin(0.05));
}

TEST_CASE("views share storage: a write through one is seen by the other", "[tensor]") {
  Tensor x = arange(6).reshape({2, 3});
  Tensor t = x.t();
  CHECK(t.sizes() == Shape{3, 2});
  CHECK_FALSE(t.is_contiguous());
  CHECK(t.to_vector<float>() == floats{0, 3, 1, 4, 2, 5});
  t.select(0, 1).fill_(9);  // column 1 of x
  CHECK(x.to_vector<float>() == floats{0, 9, 2, 3, 9, 5});
  Tensor row = x.narrow(0, 1, 1);
  row.zero_();
  CHECK(x.to_vector<float>() == floats{0, 9, 2, 0, 0, 0});
  CHECK(x.slice(1, 0, 3, 2).to_vector<float>() == floats{0, 2, 0, 0});
  CHECK(x.unsqueeze(0).sizes() == Shape{1, 2, 3});
  CHECK(x.unsqueeze(-1).squeeze(-1).sizes() == Shape{2, 3});
  CHECK(x.permute({1, 0}).contiguous().to_vector<float>() == t.to_vector<float>());
  Tensor e = tensor({1, 2}).reshape({2, 1}).expand({2, 3});
  CHECK(e.strides() == Shape{1, 0});
  CHECK(e.to_vector<float>() == floats{1, 1, 1, 2, 2, 2});
  CHECK(x.view({3, 2}).sizes() == Shape{3, 2});
  CHECK(x.flatten().sizes() == Shape{6});
  CHECK_THROWS_WITH(t.view({6}), Catch::Contains("not contiguous") && Catch::Contains("reshape"));
  CHECK(t.reshape({6}).to_vector<float>() == t.to_vector<float>());
  Tensor c = x.clone();
  c.fill_(1);
  CHECK(x.to_vector<float>()[1] == 9);
}

TEST_CASE("elementwise ops broadcast as NumPy does", "[tensor]") {
  Tensor a = tensor({{1, 2, 3}, {4, 5, 6}});
  CHECK((a + tensor({10, 20, 30})).to_vector<float>() == floats{11, 22, 33, 14, 25, 36});
  CHECK((a * tensor({{2}, {3}})).to_vector<float>() == floats{2, 4, 6, 12, 15, 18});
  CHECK((tensor({{1}, {2}}) - tensor({1, 2, 3})).sizes() == Shape{2, 3});
  CHECK((a / 2.0).to_vector<float>() == floats{0.5, 1, 1.5, 2, 2.5, 3});
  CHECK((1.0 - a).to_vector<float>()[5] == -5);
  CHECK(relu(tensor({-1, 0, 2})).to_vector<float>() == floats{0, 0, 2});
  CHECK(clamp(tensor({-2, 0, 2}), -1.0, 1.0).to_vector<float>() == floats{-1, 0, 1});
  CHECK(where(gt(a, full({}, 3.0)), a, zeros({})).to_vector<float>() == floats{0, 0, 0, 4, 5, 6});
  CHECK(masked_fill(a, tensor({1, 0, 1}).to(kBool), -1).to_vector<float>() == floats{-1, 2, -1, -1, 5, -1});
  CHECK(eq(a, tensor({1, 0, 3})).to_vector<uint8_t>() == std::vector<uint8_t>{1, 0, 1, 0, 0, 0});
  CHECK(logical_not(tensor({1, 0}).to(kBool)).to_vector<uint8_t>() == std::vector<uint8_t>{0, 1});
  CHECK(sigmoid(zeros({1})).item() == 0.5);
  CHECK(gelu(tensor({1.0}, kFloat64)).item() == Approx(0.8413447460685429));
  CHECK(gelu(tensor({1.0}, kFloat64), "tanh").item() == Approx(0.8411919906082768));
  CHECK(allclose(exp(log(tensor({0.5, 2.0}))), tensor({0.5, 2.0})));
  // Operands in non-contiguous layouts give the same values as contiguous ones.
  Tensor big = arange(24).reshape({2, 3, 4});
  CHECK((big.transpose(0, 2) + 1.0).contiguous().to_vector<float>() ==
        (big.transpose(0, 2).contiguous() + 1.0).to_vector<float>());
}

TEST_CASE("reductions over any dims, with keepdim", "[tensor]") {
  Tensor x = arange(24).reshape({2, 3, 4});
  CHECK(sum(x).item() == 276);
  CHECK(sum(x, {0, 2}).to_vector<float>() == floats{60, 92, 124});
  CHECK(sum(x, {1}, true).sizes() == Shape{2, 1, 4});
  CHECK(sum(x, {-1}).to_vector<float>() == floats{6, 22, 38, 54, 70, 86});
  CHECK(mean(x, {0}).to_vector<float>()[0] == 6);
  CHECK(var(tensor({1, 2, 3, 4}), {0}).item() == Approx(1.6666667));
  CHECK(var(tensor({1, 2, 3, 4}), {0}, false).item() == Approx(1.25));
  auto [values, indices] = max(tensor({{1, 5, 2}, {7, 0, 7}}), 1);
  CHECK(values.to_vector<float>() == floats{5, 7});
  CHECK(indices.to_vector<int64_t>() == std::vector<int64_t>{1, 0});  // first index on ties
  CHECK(argmax(tensor({{1, 5}, {7, 0}}), 0).to_vector<int64_t>() == std::vector<int64_t>{1, 0});
  CHECK(max(x).item() == 23);
  CHECK(sum_to(ones({4, 2, 3}), {2, 1}).to_vector<float>() == floats{12, 12});
}

TEST_CASE("sums over long axes, cut into chunks and column blocks, are exact on any thread count", "[tensor]") {
  // Small integers, so every float sum is exact whatever the order of additions.
  Tensor x = randint(0, 7, {2, 300, 16400}).to(kFloat32);  // over dim 1: chunks of rows, two column blocks
  Tensor rows = randint(0, 7, {3, 700}).to(kFloat32);       // over dim 1: row sums (inner = 1) in chunks
  const auto xs = x.to_vector<float>(), rs = rows.to_vector<float>();
  std::vector<float> expect_x(2 * 16400, 0), expect_rows(3, 0);
  for (int64_t o = 0; o < 2; ++o)
    for (int64_t r = 0; r < 300; ++r)
      for (int64_t i = 0; i < 16400; ++i) expect_x[o * 16400 + i] += xs[(o * 300 + r) * 16400 + i];
  for (int64_t o = 0; o < 3; ++o)
    for (int64_t r = 0; r < 700; ++r) expect_rows[o] += rs[o * 700 + r];
  const int before = get_num_threads();
  for (int threads : {1, 2}) {
    set_num_threads(threads);
    CHECK(sum(x, {1}).to_vector<float>() == expect_x);
    CHECK(sum(rows, {1}).to_vector<float>() == expect_rows);
    std::vector<float> both(16400);  // over dims 0 and 1: outer = 1, 600 rows in three chunks
    for (int64_t i = 0; i < 16400; ++i) both[i] = expect_x[i] + expect_x[16400 + i];
    CHECK(sum(x, {0, 1}).to_vector<float>() == both);
  }
  set_num_threads(before);
}

TEST_CASE("softmax is numerically stable and sums to one along its dim", "[tensor]") {
  Tensor x = tensor({{1000, 1001, 1002}, {-1000, -1000, -1000}});
  Tensor s = softmax(x, 1);
  CHECK(s.to_vector<float>()[2] == Approx(0.66524096));
  CHECK(allclose(sum(s, {1}), ones({2}), 1e-6, 1e-7));
  CHECK(log_softmax(x, 1).to_vector<float>()[0] == Approx(-2.40760596));
  CHECK(allclose(sum(softmax(x, 0), {0}), ones({3}), 1e-6, 1e-7));
}

TEST_CASE("cat, stack, split and chunk", "[tensor]") {
  Tensor a = tensor({{1, 2}}), b = tensor({{3, 4}, {5, 6}});
  CHECK(cat({a, b}, 0).to_vector<float>() == floats{1, 2, 3, 4, 5, 6});
  CHECK(cat({b, b}, 1).sizes() == Shape{2, 4});
  CHECK(stack({a, a}, 0).sizes() == Shape{2, 1, 2});
  auto parts = split(arange(5), 2);
  REQUIRE(parts.size() == 3);
  CHECK(parts[2].to_vector<float>() == floats{4});
  CHECK(chunk(arange(6), 4).size() == 3);
  CHECK_THROWS_WITH(cat({a, tensor({{1, 2, 3}})}, 0), Catch::Contains("tensor 1 has shape (1, 3)"));
}

TEST_CASE("matmul: 2-D, batched with broadcasting, vectors, transposed views", "[tensor]") {
  Tensor a = tensor({{1, 2}, {3, 4}}), b = tensor({{5, 6}, {7, 8}});
  CHECK(matmul(a, b).to_vector<float>() == floats{19, 22, 43, 50});
  CHECK(matmul(a.t(), b).to_vector<float>() == floats{26, 30, 38, 44});
  CHECK(matmul(a, b.t()).to_vector<float>() == floats{17, 23, 39, 53});
  CHECK(matmul(tensor({1, 1}), a).to_vector<float>() == floats{4, 6});
  CHECK(matmul(a, tensor({1, 1})).to_vector<float>() == floats{3, 7});
  CHECK(matmul(tensor({1, 2}), tensor({3, 4})).item() == 11);
  CHECK(addmm(tensor({10, 20}), a, b.t()).to_vector<float>() == floats{27, 43, 49, 73});
  CHECK_THROWS_WITH(addmm(ones({3}), a, b), "addmm: shapes (3) and (2, 2) cannot be broadcast together (dim 1 is 3 vs 2)");
  CHECK_THROWS_WITH(addmm(ones({1, 2, 2}), a, b), Catch::Contains("addmm: bias of shape (1, 2, 2) does not broadcast"));
  Tensor batch = stack({a, b, a});  // (3,2,2)
  CHECK(matmul(batch, b).sizes() == Shape{3, 2, 2});
  CHECK(matmul(batch, b).select(1, 0).to_vector<float>() == floats{19, 22, 67, 78, 19, 22});
  CHECK(matmul(ones({4, 1, 2, 3}), ones({5, 3, 2})).sizes() == Shape{4, 5, 2, 2});
  CHECK(matmul(tensor({{1, 2}, {3, 4}}, kFloat64), tensor({{1}, {1}}, kFloat64)).to_vector<double>() ==
        std::vector<double>{3, 7});
}

TEST_CASE("index_select, embedding and gather pick rows", "[tensor]") {
  Tensor w = arange(6).reshape({3, 2});
  Tensor idx = from_vector(std::vector<int64_t>{2, 0, 2}, {3});
  CHECK(index_select(w, 0, idx).to_vector<float>() == floats{4, 5, 0, 1, 4, 5});
  CHECK(embedding(w, idx.reshape({1, 3})).sizes() == Shape{1, 3, 2});
  CHECK(gather(w, 1, from_vector(std::vector<int64_t>{1, 0, 1}, {3, 1})).to_vector<float>() == floats{1, 2, 5});
  CHECK_THROWS_WITH(index_select(w, 0, from_vector(std::vector<int64_t>{3}, {1})),
                    Catch::Contains("index 3 is out of range for dim 0 of size 3"));
}

TEST_CASE("dropout zeroes about p of the elements and rescales the rest", "[tensor]") {
  manual_seed(1);
  Tensor y = dropout(ones({10000}), 0.25, true);
  std::vector<float> v = y.to_vector<float>();
  int64_t zeros_seen = std::count(v.begin(), v.end(), 0.0f);
  CHECK(zeros_seen == Approx(2500).margin(150));
  int64_t scaled = std::count(v.begin(), v.end(), static_cast<float>(1 / 0.75));
  CHECK(zeros_seen + scaled == 10000);
  CHECK(dropout(ones({3}), 0.5, false).to_vector<float>() == floats{1, 1, 1});
}

TEST_CASE("dropout masks are independent across elements and calls, and p = 1 drops everything", "[tensor]") {
  manual_seed(2);
  const int64_t n = 40000;
  std::vector<float> a = dropout(ones({n}), 0.5, true).to_vector<float>();
  std::vector<float> b = dropout(ones({n}), 0.5, true).to_vector<float>();
  int64_t both = 0, neighbours = 0;
  for (int64_t i = 0; i < n; ++i) {
    both += a[i] == 0 && b[i] == 0;
    neighbours += i + 1 < n && a[i] == 0 && a[i + 1] == 0;
  }
  // Independent fair coins: a quarter of the pairs are both dropped (standard deviation ~87).
  CHECK(both == Approx(n / 4).margin(450));
  CHECK(neighbours == Approx(n / 4).margin(450));
  std::vector<float> all = dropout(full({4}, std::numeric_limits<float>::infinity()), 1.0, true).to_vector<float>();
  CHECK(all == floats{0, 0, 0, 0});
}

TEST_CASE("printing looks like PyTorch's", "[tensor][print]") {
  CHECK(to_string(tensor({{1.0, 2.5}, {3.0, 4.0}})) == "tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])");
  CHECK(to_string(tensor({1, 2, 3})) == "tensor([1., 2., 3.])");
  CHECK(to_string(ones({2}, requires_grad())) == "tensor([1., 1.], requires_grad=True)");
  CHECK(to_string(ones({2}, requires_grad()) * 2.0) == "tensor([2., 2.], grad_fn=<MulBackward>)");
  CHECK(to_string(tensor({1e-5, 1.0})) == "tensor([1.0000e-05, 1.0000e+00])");
  CHECK(to_string(arange(3, kInt64)) == "tensor([0, 1, 2])");
  CHECK(to_string(tensor({0.5}, kFloat64)) == "tensor([0.5000], dtype=float64)");
  CHECK(to_string(scalar_tensor(2.5)) == "tensor(2.5000)");
  CHECK(to_string(tensor({-1.5, 10.25})) == "tensor([-1.5000, 10.2500])");
  std::string big = to_string(arange(2000));
  CHECK_THAT(big, Catch::Contains("...") && Catch::EndsWith("1997., 1998., 1999.])"));
  std::ostringstream out;
  out << tensor({1, 0}).to(kBool);
  CHECK(out.str() == "tensor([ True, False])");
  CHECK(fmt::format("{}", tensor({2.0})) == "tensor([2.])");
}

TEST_CASE("elementwise ops over long rows, cut into pieces for the threads, miss and repeat nothing",
          "[tensor]") {
  const int before = get_num_threads();
  set_num_threads(2);
  // 3 rows of 20,001: each row is cut into pieces with a short last one; the second operand is a
  // broadcast row, a broadcast scalar, and a transposed (strided) view.
  constexpr int64_t R = 3, C = 20001;
  Tensor a = arange(R * C).reshape({R, C});
  Tensor row = arange(C) * 0.5;
  Tensor strided = arange(R * C).reshape({C, R}).t();
  const auto sum_row = (a + row).to_vector<float>(), plus_one = (a + 1.0).to_vector<float>(),
             sum_strided = (a + strided).to_vector<float>();
  set_num_threads(before);
  for (int64_t i = 0; i < R * C; ++i) {
    const int64_t r = i / C, c = i % C;
    REQUIRE(sum_row[i] == static_cast<float>(i) + static_cast<float>(c) * 0.5f);
    REQUIRE(plus_one[i] == static_cast<float>(i + 1));
    REQUIRE(sum_strided[i] == static_cast<float>(i + c * R + r));  // strided[r][c] = c R + r
  }
}

TEST_CASE("set_num_threads governs the thread count", "[tensor]") {
  int before = get_num_threads();
  set_num_threads(1);
  CHECK(get_num_threads() == 1);
  Tensor big = ones({300, 300});
  CHECK(sum(matmul(big, big)).item() == 300.0 * 300 * 300);
  set_num_threads(before);
  CHECK_THROWS_WITH(set_num_threads(0), Catch::Contains("at least 1 thread"));
}

TEST_CASE("denormal floats are flushed to zero, so they cannot slow the cores down", "[tensor]") {
  Tensor tiny = (tensor({1e-30}) * tensor({1e-10})).contiguous();  // 1e-40 is below float's normal range
  CHECK(tiny.item() == 0.0);
  CHECK((tensor({1e-30}) * tensor({1e-5})).item() == Approx(1e-35));  // normal values are untouched
}
