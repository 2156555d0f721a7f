// Loss modules (nn::CrossEntropyLoss, NLLLoss, MSELoss) and the functional forms with libtorch's
// options structs, against torch.nn's loss modules (tests/reference/make_loss_module_fixtures.py).
#include <catch2/catch.hpp>

#include "ag/ag.h"
#include "ag/nn/functional/loss.h"
#include "ag/nn/loss.h"
#include "fixture.h"

using namespace ag;
namespace F = ag::nn::functional;

namespace {

constexpr double kRtol = 1e-4, kAtol = 1e-6;  // float32 against PyTorch, as test_loss.cpp

const std::vector<std::pair<std::string, Reduction>> kReductions = {{"mean", kMean}, {"sum", kSum}, {"none", kNone}};

// Runs `loss(input, target)` for each reduction and compares output and input gradient with the fixture.
template <typename MakeLoss>
void check_against_torch(const test::Fixture& fixture, const std::string& name, MakeLoss make_loss) {
  for (const auto& [reduction_name, reduction] : kReductions) {
    const std::string key = name + "." + reduction_name;
    Tensor x = fixture.at(name + ".input").clone().requires_grad_();
    Tensor out = make_loss(reduction)(x, fixture.at(name + ".target"));
    test::require_close(out, fixture.at(key + ".output"), kRtol, kAtol, key + " output");
    (out * fixture.at(key + ".proj")).sum().backward();
    test::require_close(x.grad(), fixture.at(key + ".grad"), kRtol, kAtol, key + " grad");
  }
}

bool same(const Tensor& a, const Tensor& b) {
  return a.sizes() == b.sizes() && a.to_vector<double>() == b.to_vector<double>();
}

}  // namespace

TEST_CASE("CrossEntropyLoss, NLLLoss and MSELoss match torch.nn's modules for every reduction", "[nn][loss][golden]") {
  auto fixture = test::load_fixture("nn_loss_modules.json");
  for (const std::string name : {"cross_entropy", "cross_entropy_spatial"}) {
    const auto& meta = fixture.meta.at(name);
    check_against_torch(fixture, name, [&](Reduction reduction) {
      return nn::CrossEntropyLoss(nn::CrossEntropyLossOptions()
                                      .ignore_index(meta.at("ignore_index").get<int64_t>())
                                      .label_smoothing(meta.at("label_smoothing").get<double>())
                                      .reduction(reduction));
    });
  }
  for (const std::string name : {"nll", "nll_spatial"}) {
    const int64_t ignore_index = fixture.meta.at(name).at("ignore_index").get<int64_t>();
    check_against_torch(fixture, name, [&](Reduction reduction) {
      return nn::NLLLoss(nn::NLLLossOptions().ignore_index(ignore_index).reduction(reduction));
    });
  }
  check_against_torch(fixture, "mse", [](Reduction reduction) { return nn::MSELoss(reduction); });
}

TEST_CASE("The options form of each functional loss equals its positional form", "[nn][loss]") {
  manual_seed(3);
  Tensor logits = randn({5, 4}, kFloat64), a = randn({2, 3}, kFloat64), b = randn({2, 3}, kFloat64);
  Tensor target = tensor({1, 0, 3, 0, 2}, kInt64);
  for (const auto& [name, reduction] : kReductions) {
    INFO(name);
    CHECK(same(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions().ignore_index(0).label_smoothing(0.2)
                                                     .reduction(reduction)),
                F::cross_entropy(logits, target, 0, 0.2, name)));
    CHECK(same(F::nll_loss(logits, target, F::NLLLossFuncOptions().ignore_index(3).reduction(reduction)),
                F::nll_loss(logits, target, 3, name)));
    CHECK(same(F::mse_loss(a, b, F::MSELossFuncOptions().reduction(reduction)), F::mse_loss(a, b, name)));
  }
  // The defaults are PyTorch's: mean over targets that are not -100, no smoothing.
  CHECK(same(F::cross_entropy(logits, target, F::CrossEntropyFuncOptions()), F::cross_entropy(logits, target)));
}

TEST_CASE("Loss modules print their options and refuse bad ones", "[nn][loss]") {
  nn::CrossEntropyLoss loss(nn::CrossEntropyLossOptions().ignore_index(0).label_smoothing(0.1).reduction(kSum));
  CHECK(loss->to_string() == "CrossEntropyLoss(ignore_index=0, label_smoothing=0.1, reduction=sum)");
  CHECK(nn::MSELoss()->to_string() == "MSELoss(reduction=mean)");
  CHECK(nn::NLLLoss()->parameters().empty());
  CHECK_THROWS_WITH(nn::CrossEntropyLoss(nn::CrossEntropyLossOptions().label_smoothing(-0.5)),
                    Catch::Contains("CrossEntropyLoss: label_smoothing must be in [0, 1], got -0.5"));
  CHECK_THROWS_WITH(loss(randn({2, 3}), tensor({0, 5}, kInt64)), Catch::Contains("target 5 at flat position 1"));
}
