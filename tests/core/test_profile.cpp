// The backward profile and the step hooks it is built on: every node backward runs, in engine
// order, with its time, forward FLOPs (matmul exactly 2·M·N·K) and saved bytes, summed per scope.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ag/ag.h"
#include "ag/core/autograd/function.h"
#include "ag/core/autograd/profile.h"
#include "ag/core/autograd/scope.h"
#include "ag/core/autograd/step_hook.h"

using namespace ag;

namespace {

const autograd::ModuleProfile& row(const std::vector<autograd::ModuleProfile>& rows, const std::string& path) {
  for (const auto& r : rows)
    if (r.path == path) return r;
  FAIL("no profile row for " << path);
  return rows.front();
}

}  // namespace

TEST_CASE("step hooks see every node in engine order with the gradients flowing out", "[profile]") {
  Tensor a = tensor({2.0}, requires_grad()), b = tensor({-3.0}, requires_grad());
  Tensor loss = a * b + a;  // d/da = b + 1 = -2, d/db = a = 2
  const std::vector<Node*> order = autograd::topological_order(loss.grad_fn().get());
  std::vector<std::string> steps;
  {
    autograd::BackwardStepHookGuard watch([&](const autograd::BackwardStep& step) {
      CHECK(&step.node == order[static_cast<size_t>(step.index)]);
      CHECK(step.seconds >= 0);
      steps.push_back(fmt::format("{} sends {}", step.node.name(), step.grad_inputs.size()));
    });
    loss.backward();
  }
  CHECK(steps == std::vector<std::string>{"AddBackward sends 2", "MulBackward sends 2", "AccumulateGrad sends 0",
                                          "AccumulateGrad sends 0"});
  CHECK(a.grad().item() == -2.0);
  CHECK(b.grad().item() == 2.0);
}

TEST_CASE("profile counts matmul FLOPs as 2*M*N*K and saved bytes per node", "[profile]") {
  const int64_t B = 5, in = 3, out = 4;
  Tensor x = randn({B, in});
  Tensor w = randn({out, in}, requires_grad());
  autograd::Profile profile;
  Tensor y;
  {
    autograd::ScopeGuard scope("fc");
    y = matmul(x, w.t());  // (B,in) x (in,out) -> (B,out)
  }
  y.sum().backward();
  profile.stop();

  const auto& nodes = profile.nodes();
  REQUIRE(nodes.size() == 4);  // SumBackward, MmBackward, TransposeBackward, AccumulateGrad
  const autograd::NodeProfile& mm = nodes[1];
  CHECK(mm.name == "MmBackward");
  CHECK(mm.module == "fc");
  CHECK(mm.flops == 2 * B * in * out);
  CHECK(mm.saved_bytes == (B * in + in * out) * 4);  // x and w^T, float32
  CHECK(mm.shape == Shape{B, out});
  CHECK(nodes[2].flops == 0);  // a transpose moves no numbers
  CHECK(nodes[3].module == "fc");  // w's AccumulateGrad belongs where w was first used
  const auto rows = profile.modules();
  CHECK(row(rows, "fc").flops == 2 * B * in * out);
  CHECK(row(rows, "").flops == 2 * B * in * out + B * out);  // the sum outside "fc" adds B*out
}

TEST_CASE("profile sums nested scopes into their parents, in forward order", "[profile]") {
  Tensor x = randn({2, 3}, requires_grad());
  autograd::Profile profile;
  Tensor h;
  {
    autograd::ScopeGuard outer("encoder");
    {
      autograd::ScopeGuard inner("encoder.layers.0");
      h = tanh(x);
    }
    {
      autograd::ScopeGuard inner("encoder.layers.1");
      h = h * h;
    }
  }
  h.sum().backward();
  profile.stop();
  const auto rows = profile.modules();
  std::vector<std::string> paths;
  for (const auto& r : rows) paths.push_back(r.path);
  CHECK(paths == std::vector<std::string>{"", "encoder", "encoder.layers", "encoder.layers.0", "encoder.layers.1"});
  CHECK(row(rows, "encoder.layers").flops == 6 + 6);  // tanh and mul, one per element each
  CHECK(row(rows, "encoder").nodes == row(rows, "encoder.layers.0").nodes + row(rows, "encoder.layers.1").nodes);
  CHECK(row(rows, "").nodes == static_cast<int64_t>(profile.nodes().size()));

  const std::string table = profile.table();
  CHECK(table.find("Backward profile: 4 nodes") == 0);
  CHECK(table.find("    encoder.layers.1") != std::string::npos);
  const auto json = nlohmann::json::parse(profile.json());
  CHECK(json["nodes"].size() == 4);
  CHECK(json["modules"][1]["path"] == "encoder");
  CHECK(json["modules"][3]["flops"] == 6);
}

TEST_CASE("nothing is recorded after stop, and nothing outside a profile", "[profile]") {
  Tensor x = randn({2}, requires_grad());
  Tensor before = x * 2.0;
  CHECK(before.grad_fn()->metadata() == nullptr);
  autograd::Profile profile;
  Tensor during = x * 2.0;
  REQUIRE(during.grad_fn()->metadata() != nullptr);
  profile.stop();
  during.sum().backward();
  CHECK(profile.nodes().empty());
  CHECK(profile.table() == "Profile: no backward node was recorded\n");
}

TEST_CASE("an op states its name and FLOP count where it records, and the profile uses both", "[profile]") {
  // A made-up op: its node is called "TripleBackward" and, by its own account, costs 7 per element.
  auto triple = [](const Tensor& x) {
    Tensor out;
    {
      NoGradGuard forward_only;  // the forward is a kernel of its own, not recorded
      out = x * 3.0;
    }
    return record({"Triple", autograd::flops::per_output<7>}, {x}, out,
                  [](const Tensor& grad) { return std::vector<Tensor>{grad * 3.0}; });
  };
  Tensor x = randn({2, 5}, requires_grad());
  autograd::Profile profile;
  triple(x).sum().backward();
  profile.stop();
  const auto& nodes = profile.nodes();
  REQUIRE(nodes.size() == 3);  // SumBackward, TripleBackward, AccumulateGrad
  CHECK(nodes[1].name == "TripleBackward");
  CHECK(nodes[1].flops == 7 * 10);
  CHECK(nodes[0].flops == 10);  // the sum reads 10 elements
}
