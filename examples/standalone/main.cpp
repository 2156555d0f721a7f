// spirals: the first program to write with ag. An MLP learns to tell apart three interleaved spiral
// arms in the plane, a task no straight line can split: a Module of our own, Adam, cross-entropy,
// minibatches, then the accuracy on points it never saw. Exits 1 if training did not learn the task.
#include <ag/ag.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <numeric>
#include <random>
#include <vector>

namespace nn = ag::nn;
namespace F = ag::nn::functional;

// Three arms of points (x, y) winding 1.5 turns out from the centre, with some noise.
// Returns the points (N, 2) and their arm, the label, (N).
std::pair<ag::Tensor, ag::Tensor> make_spirals(int64_t per_arm, std::mt19937& rng) {
  std::uniform_real_distribution<float> radius(0.05f, 1.0f);
  std::normal_distribution<float> noise(0.0f, 0.04f);
  std::vector<float> points;
  std::vector<int64_t> labels;
  for (int64_t arm = 0; arm < 3; ++arm) {
    for (int64_t i = 0; i < per_arm; ++i) {
      float r = radius(rng);
      float angle = 2 * std::numbers::pi_v<float> * (arm / 3.0f + 1.5f * r);
      points.push_back(r * std::cos(angle) + noise(rng));
      points.push_back(r * std::sin(angle) + noise(rng));
      labels.push_back(arm);
    }
  }
  int64_t n = 3 * per_arm;
  return {ag::from_vector(points, {n, 2}), ag::from_vector(labels, {n})};
}

struct ClassifierImpl : nn::Module {
  ClassifierImpl(int64_t hidden, int64_t classes) : Module("Classifier") {
    fc1 = register_module("fc1", nn::Linear(2, hidden));
    fc2 = register_module("fc2", nn::Linear(hidden, hidden));
    fc3 = register_module("fc3", nn::Linear(hidden, classes));
  }
  // (B, 2) -> (B, classes) logits
  ag::Tensor forward(const ag::Tensor& x) { return fc3(ag::relu(fc2(ag::relu(fc1(x))))); }
  nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};
AG_MODULE(Classifier);

int main() {
  fmt::print("ag {}\n", ag::version());
  ag::set_num_threads(1);  // (100, 64) matrices: a second thread would cost more than it saves
  ag::manual_seed(0);
  std::mt19937 rng(0);
  auto [train_x, train_y] = make_spirals(1000, rng);
  auto [test_x, test_y] = make_spirals(300, rng);

  Classifier model(64, 3);
  ag::optim::Adam optimizer(model->parameters(), ag::optim::AdamOptions(1e-2));
  const int64_t n = train_x.size(0), batch = 100;
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 1; epoch <= 60; ++epoch) {
    std::shuffle(order.begin(), order.end(), rng);  // a fresh order of minibatches each epoch
    double total = 0;
    for (int64_t start = 0; start < n; start += batch) {
      std::vector<int64_t> rows(order.begin() + start, order.begin() + start + batch);
      ag::Tensor idx = ag::from_vector(rows, {batch});
      ag::Tensor x = ag::index_select(train_x, 0, idx), y = ag::index_select(train_y, 0, idx);  // (B, 2), (B)
      ag::Tensor loss = F::cross_entropy(model(x), y);
      optimizer.zero_grad();
      loss.backward();
      optimizer.step();
      total += loss.item();
    }
    if (epoch % 10 == 0) fmt::print("epoch {:2}  loss {:.4f}\n", epoch, total / (n / batch));
  }

  ag::NoGradGuard no_grad;
  model->eval();
  ag::Tensor predicted = model(test_x).argmax(1);
  double accuracy = ag::eq(predicted, test_y).to(ag::kFloat32).mean().item();
  fmt::print("test accuracy {:.1f}% on {} unseen points\n", 100 * accuracy, test_x.size(0));
  if (accuracy < 0.95) {
    fmt::print(stderr, "spirals: training failed, accuracy {:.1f}% is below 95%\n", 100 * accuracy);
    return 1;
  }
}
