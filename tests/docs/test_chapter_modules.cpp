// The snippets of docs/modules.md, run: a module of your own, its dotted parameter names, state
// dicts, train/eval, and forward hooks.
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "ag/nn/container.h"
#include "ag/nn/dropout.h"
#include "ag/nn/linear.h"

using namespace ag;

namespace {

struct MlpImpl : nn::Module {
  MlpImpl(int64_t d, int64_t hidden) : Module("Mlp") {
    fc1 = register_module("fc1", nn::Linear(d, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, d));
    dropout = register_module("dropout", nn::Dropout(0.1));
    scale = register_parameter("scale", ones({d}));
  }
  // (N,d) -> (N,d)
  Tensor forward(const Tensor& x) { return fc2(dropout(relu(fc1(x)))) * scale; }

  nn::Linear fc1{nullptr}, fc2{nullptr};
  nn::Dropout dropout{nullptr};
  Tensor scale;
};
AG_MODULE(Mlp);

}  // namespace

TEST_CASE("docs/modules.md: a module of your own", "[docs]") {
  Mlp mlp(4, 8);  // a shared handle: copies of it are the same module
  Tensor y = mlp(randn({2, 4}));
  CHECK(y.sizes() == Shape{2, 4});

  std::vector<std::string> names;
  for (const auto& [name, p] : mlp->named_parameters()) names.push_back(name);
  CHECK(names == std::vector<std::string>{"scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"});
  CHECK(mlp->num_parameters() == 4 + (8 * 4 + 8) + (4 * 8 + 4));
}

TEST_CASE("docs/modules.md: state dicts, train and eval", "[docs]") {
  Mlp a(4, 8), b(4, 8);
  b->load_state_dict(a->state_dict());  // same names, same shapes: b is now a copy of a
  a->eval(), b->eval();                 // dropout off in the whole tree
  Tensor x = randn({3, 4});
  CHECK(allclose(a(x), b(x)));
  CHECK_FALSE(a->fc1->is_training());

  std::map<std::string, Tensor> state = a->state_dict();
  state.erase("fc2.bias");
  CHECK_THROWS_WITH(b->load_state_dict(state), Catch::Contains("missing key fc2.bias"));
}

TEST_CASE("docs/modules.md: forward hooks", "[docs]") {
  Mlp mlp(4, 8);
  std::vector<std::string> log;
  nn::RemovableHandle handle = mlp->fc1->register_forward_hook(
      [&](nn::Module& module, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs) {
        log.push_back(fmt::format("{}: {} -> {}", module.type_name(), shape_str(inputs[0].sizes()),
                                  shape_str(outputs[0].sizes())));
      });
  mlp(randn({2, 4}));
  handle.remove();
  mlp(randn({2, 4}));
  CHECK(log == std::vector<std::string>{"Linear: (2, 4) -> (2, 8)"});
}
