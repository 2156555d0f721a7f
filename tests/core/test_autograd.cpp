// The autograd engine's promises: accumulation, retain_graph, released saved tensors, the version
// counter, NoGradGuard, hooks, deep graphs, and the graph export.
#include <catch2/catch.hpp>

#include "ag/ag.h"

using namespace ag;

TEST_CASE("a tensor used twice receives the sum of both paths", "[autograd]") {
  Tensor x = tensor({3.0}, requires_grad());
  Tensor y = x * x + x;  // dy/dx = 2x + 1 = 7
  y.backward();
  CHECK(x.grad().item() == 7.0);
}

TEST_CASE("gradients accumulate across backward calls until zeroed", "[autograd]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  (x * 2.0).sum().backward();
  (x * 3.0).sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{5, 5});
  x.mutable_grad() = Tensor();
  (x * 4.0).sum().backward();
  CHECK(x.grad().to_vector<float>() == std::vector<float>{4, 4});
}

TEST_CASE("leaf gradients never share memory with each other or with the caller's tensors", "[autograd]") {
  // Backward hands a gradient to a leaf without copying only when nothing else can reach it.
  Tensor a = ones({3}, requires_grad()), b = ones({3}, requires_grad());
  (a + b).backward(full({3}, 2.0));  // AddBackward passes one gradient to both leaves
  a.mutable_grad().add_(ones({3}));
  CHECK(a.grad().to_vector<float>() == std::vector<float>{3, 3, 3});
  CHECK(b.grad().to_vector<float>() == std::vector<float>{2, 2, 2});

  Tensor x = ones({2}, requires_grad()), seed = full({2}, 5.0);
  x.backward(seed);  // the caller keeps `seed`
  x.mutable_grad().mul_(2.0);
  CHECK(seed.to_vector<float>() == std::vector<float>{5, 5});
  CHECK(x.grad().to_vector<float>() == std::vector<float>{10, 10});

  // Three paths into one tensor are summed (in place once the first sum is backward's own).
  Tensor w = tensor({1.0, 2.0}, requires_grad());
  (w * 2.0 + w * 3.0 + w * 4.0).sum().backward();
  CHECK(w.grad().to_vector<float>() == std::vector<float>{9, 9});
}

TEST_CASE("a batched matmul gives each operand its gradient in the operand's own layout", "[autograd]") {
  // Attention's heads: q and k are permuted views of (L,B,H,D) tensors. Gradients laid out like
  // them permute back to contiguous (L,B,H,D), which reshapes to (L,B,E) without a copy.
  Tensor q_proj = randn({4, 2, 3, 5}, requires_grad()), k_proj = randn({6, 2, 3, 5}, requires_grad());
  Tensor q = q_proj.permute({1, 2, 0, 3}), k_t = k_proj.permute({1, 2, 3, 0});  // (B,H,L,D), (B,H,D,S)
  Shape q_grad_strides, k_grad_strides;
  q.register_hook([&](const Tensor& g) { q_grad_strides = g.strides(); return g; });
  k_t.register_hook([&](const Tensor& g) { k_grad_strides = g.strides(); return g; });
  Tensor scores = matmul(q, k_t);
  scores.backward(randn(scores.sizes()));
  CHECK(q_grad_strides == q.strides());
  CHECK(k_grad_strides == k_t.strides());  // written column-major: k_t is a transposed view
}

TEST_CASE("a worked example a reader can check by hand", "[autograd]") {
  // docs/autograd.md walks through exactly this: L = sum((a*b + b)^2), a = [1, 2], b = [3, 4].
  Tensor a = tensor({1.0, 2.0}, requires_grad()), b = tensor({3.0, 4.0}, requires_grad());
  Tensor c = a * b + b;  // [6, 12]
  Tensor loss = (c * c).sum();  // 36 + 144 = 180
  loss.backward();
  CHECK(loss.item() == 180.0);
  CHECK(a.grad().to_vector<float>() == std::vector<float>{36, 96});  // 2c * b
  CHECK(b.grad().to_vector<float>() == std::vector<float>{24, 72});  // 2c * (a + 1)
}

TEST_CASE("non-leaves keep their grad only with retain_grad", "[autograd]") {
  Tensor x = tensor({1.0, -2.0}, requires_grad());
  Tensor h = x * 3.0, k = h * 2.0;
  h.retain_grad();
  k.sum().backward();
  CHECK(h.grad().to_vector<float>() == std::vector<float>{2, 2});
  CHECK_FALSE(k.grad().defined());
  CHECK(h.retains_grad());
  CHECK_FALSE(h.is_leaf());
  CHECK(k.grad_fn()->name() == "MulBackward");
}

TEST_CASE("a second backward needs retain_graph", "[autograd]") {
  Tensor x = tensor({2.0}, requires_grad());
  Tensor y = x.exp();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  CHECK(x.grad().item() == Approx(2 * std::exp(2.0)));
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("backward through the graph a second time") &&
                                      Catch::Contains("retain_graph"));
}

TEST_CASE("backward on a non-scalar needs an explicit gradient", "[autograd]") {
  Tensor x = ones({2, 3}, requires_grad());
  Tensor y = x * 2.0;
  CHECK_THROWS_WITH(y.backward(), Catch::Contains("shape (2, 3)") && Catch::Contains("Pass the gradient"));
  y.backward(full({2, 3}, 0.5));
  CHECK(x.grad().to_vector<float>() == std::vector<float>(6, 1.0f));
  CHECK_THROWS_WITH((x * 2.0).backward(ones({3})), Catch::Contains("gradient has shape (3)"));
}

TEST_CASE("an in-place change to a saved tensor is detected, never silently wrong", "[autograd]") {
  Tensor w = tensor({1.0, 2.0}, requires_grad());
  Tensor x = tensor({3.0, 4.0});
  Tensor loss = (w * x).sum();  // MulBackward saves x
  x.add_(ones({2}));
  CHECK_THROWS_WITH(loss.backward(), Catch::Contains("MulBackward") && Catch::Contains("modified by an in-place") &&
                                         Catch::Contains("version 0 when saved, now 1"));
}

TEST_CASE("in-place ops on tensors that require grad must be inside NoGradGuard", "[autograd]") {
  Tensor w = ones({2}, requires_grad());
  CHECK_THROWS_WITH(w.mul_(2.0), Catch::Contains("mul_") && Catch::Contains("NoGradGuard"));
  {
    NoGradGuard guard;
    w.mul_(2.0);
  }
  CHECK(w.to_vector<float>() == std::vector<float>{2, 2});
  CHECK(w.version() == 1);
}

TEST_CASE("NoGradGuard records nothing and restores the previous mode", "[autograd]") {
  Tensor x = ones({2}, requires_grad());
  {
    NoGradGuard guard;
    Tensor y = x * 2.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y.grad_fn() == nullptr);
    {
      NoGradGuard inner;
    }
    CHECK_FALSE(GradMode::is_enabled());
  }
  CHECK(GradMode::is_enabled());
  CHECK((x * 2.0).requires_grad());
}

TEST_CASE("detach cuts the graph but shares storage", "[autograd]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor d = (x * 2.0).detach();
  CHECK_FALSE(d.requires_grad());
  CHECK(d.is_leaf());
  Tensor y = x.detach();
  y.fill_(5.0);
  CHECK(x.to_vector<float>() == std::vector<float>{5, 5});
}

TEST_CASE("a 100,000-node chain runs backward and is destroyed without a crash", "[autograd]") {
  Tensor x = tensor({1.0}, requires_grad());
  {
    Tensor y = x;
    for (int i = 0; i < 100000; ++i) y = y * 1.0 + 0.0;
    y.backward();
  }  // the 200,000-node graph is destroyed here
  CHECK(x.grad().item() == 1.0);
  // A graph dropped without ever running backward must also die quietly.
  Tensor z = x;
  for (int i = 0; i < 100000; ++i) z = z + 1.0;
  z = Tensor();
  SUCCEED();
}

TEST_CASE("hooks see and may replace gradients, on leaves and non-leaves", "[autograd]") {
  Tensor x = tensor({1.0, 2.0}, requires_grad());
  Tensor h = x * 3.0;
  std::vector<std::string> order;
  h.register_hook([&](const Tensor& g) {
    order.push_back("h");
    return g * 10.0;  // scale the gradient flowing on from h
  });
  x.register_hook([&](const Tensor& g) {
    order.push_back("x");
    CHECK(g.to_vector<float>() == std::vector<float>{30, 30});
    return Tensor();  // observe only
  });
  h.sum().backward();
  CHECK(order == std::vector<std::string>{"h", "x"});
  CHECK(x.grad().to_vector<float>() == std::vector<float>{30, 30});
}

TEST_CASE("to_dot draws the graph with op names and shapes", "[autograd]") {
  Tensor w = ones({3, 2}, requires_grad());
  Tensor x = ones({4, 3});
  Tensor loss = matmul(x, w).relu().sum();
  std::string dot = to_dot(loss);
  CHECK_THAT(dot, Catch::StartsWith("digraph autograd {"));
  CHECK_THAT(dot, Catch::Contains("SumBackward") && Catch::Contains("ReluBackward\\n(4, 2)") &&
                      Catch::Contains("MmBackward") && Catch::Contains("leaf\\n(3, 2)"));
}

TEST_CASE("a gradient flows through a float conversion with the source dtype", "[autograd]") {
  Tensor x = tensor({1.5, 2.5}, TensorOptions(kFloat64).requires_grad(true));
  (x.to(kFloat32) * 2.0).sum().backward();
  CHECK(x.grad().dtype() == kFloat64);
  CHECK(x.grad().to_vector<double>() == std::vector<double>{2, 2});
}
