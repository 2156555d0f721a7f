// The autograd tour. Part 1 differentiates L = (a*b + c)*f, small enough to check by hand; part 2 a
// tiny MLP with a loss. For each it prints the forward values, the graph in the order the engine
// will run it, every backward step with the gradients flowing out of it, and a gradcheck of every
// gradient; it writes the graph as DOT (and SVG, when Graphviz is installed).
//
// All numbers are fixed float64, so the output is the same on every run: tests check the gradients
// it prints, and check_with_pytorch.py prints the same gradients from PyTorch.
#include "tour.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "ag/ag.h"
#include "ag/core/autograd/metadata.h"
#include "ag/core/autograd/step_hook.h"
#include "ag/nn/functional/loss.h"
#include "ag/nn/linear.h"

namespace tour {

namespace {

using namespace ag;

// A tensor's values on one line, 6 significant digits: -8, or [[0.1, -0.2], [0.3, 0.4]].
std::string values(const Tensor& t) {
  NoGradGuard no_grad;
  const std::vector<double> v = t.to(kFloat64).contiguous().to_vector<double>();
  const Shape& shape = t.sizes();
  size_t next = 0;
  std::function<std::string(size_t)> nest = [&](size_t dim) -> std::string {
    if (dim == shape.size()) return fmt::format("{:.6g}", v[next++]);
    std::vector<std::string> items;
    for (int64_t i = 0; i < shape[dim]; ++i) items.push_back(nest(dim + 1));
    return fmt::format("[{}]", fmt::join(items, ", "));
  };
  return nest(0);
}

// Names for the graph's nodes, so it reads "d" rather than an address. A tensor's name goes to the
// node that made it (its grad_fn), or for a leaf to its AccumulateGrad. Unnamed nodes are called by
// their place in the engine's order, "[3]".
class Names {
 public:
  void add(const Tensor& t, const std::string& name) {
    if (Edge node = gradient_edge(t)) names_[node.get()] = name;
  }
  void number(const std::vector<Node*>& order) {
    for (size_t i = 0; i < order.size(); ++i) places_[order[i]] = i;
  }
  std::string of(const Node* node) const {
    if (auto it = names_.find(node); it != names_.end()) return it->second;
    return fmt::format("[{}]", places_.at(node));
  }
  bool named(const Node* node) const { return names_.count(node) > 0; }

 private:
  std::map<const Node*, std::string> names_;
  std::map<const Node*, size_t> places_;
};

void heading(std::ostream& out, const std::string& title) {
  out << "\n" << title << "\n" << std::string(title.size(), '-') << "\n";
}

// Every node from the root down, in the engine's order: what it is, the shape it made, where it
// ran, what it saved for backward, and where its gradients go next.
void print_graph(std::ostream& out, const Tensor& root, Names& names) {
  const std::vector<Node*> order = autograd::topological_order(root.grad_fn().get());
  names.number(order);
  out << "The graph, in the order backward will run it. Each node made the tensor named beside it (or\n"
         "is called by its number) and sends gradient to the nodes listed as next ('-': needs none):\n";
  for (size_t i = 0; i < order.size(); ++i) {
    const Node* node = order[i];
    const autograd::NodeMetadata* metadata = node->metadata();
    std::string line = fmt::format("  {:<5} {:<18} {:<11} shape {}", fmt::format("[{}]", i), node->name(),
                                   names.named(node) ? names.of(node) : "", shape_str(node->output_shape()));
    if (metadata && !metadata->scope.empty()) line += fmt::format(", in {}", metadata->scope);
    if (metadata && !metadata->saved_shapes.empty()) {
      std::vector<std::string> saved;
      for (const Shape& s : metadata->saved_shapes) saved.push_back(shape_str(s));
      line += fmt::format(", saves {}", fmt::join(saved, " "));
    }
    if (metadata && metadata->flops > 0) line += fmt::format(", FLOPs {}", metadata->flops);
    std::vector<std::string> next;
    for (const Edge& edge : node->next_edges()) next.push_back(edge ? names.of(edge.get()) : "-");
    if (!next.empty()) line += fmt::format("; next: {}", fmt::join(next, ", "));
    out << line << "\n";
  }
}

// root.backward(), printing each step as the engine runs it.
void backward_step_by_step(std::ostream& out, const Tensor& root, const Names& names) {
  out << "Backward, one node at a time: the gradient that flows in, and what flows out along each edge\n"
         "(dL/d[3] is the gradient with respect to the tensor node [3] made):\n";
  autograd::BackwardStepHookGuard watch([&](const autograd::BackwardStep& step) {
    const std::string self = names.of(&step.node);
    out << fmt::format("  step {}: {} receives dL/d{} = {}\n", step.index, step.node.name(), self,
                       values(step.grad_output));
    if (step.node.next_edges().empty()) out << fmt::format("          and adds it into {}.grad\n", self);
    for (size_t i = 0; i < step.grad_inputs.size(); ++i) {
      const Edge& edge = step.node.next_edges()[i];
      if (edge && step.grad_inputs[i].defined())
        out << fmt::format("          sends dL/d{} = {}\n", names.of(edge.get()), values(step.grad_inputs[i]));
    }
  });
  root.backward();
}

// Checks every gradient against central differences; the inputs are perturbed in place, so module
// parameters can be checked where they live.
bool check_gradients(std::ostream& out, const std::function<Tensor()>& f,
                     const std::vector<std::pair<std::string, Tensor>>& inputs) {
  std::vector<Tensor> tensors;
  std::vector<std::string> labels;
  for (const auto& [name, t] : inputs) tensors.push_back(t), labels.push_back(name);
  const GradcheckResult result = gradcheck([&](const std::vector<Tensor>&) { return f(); }, tensors);
  if (result.ok)
    out << fmt::format("gradcheck: the gradients of {} match finite differences\n", fmt::join(labels, ", "));
  else
    out << result.message << "\n";
  return result.ok;
}

// The graph as Graphviz DOT, and as SVG when `dot` is installed.
void write_graph(std::ostream& out, const Tensor& root, const std::string& stem, const TourOptions& options) {
  namespace fs = std::filesystem;
  fs::create_directories(options.out_dir);
  const fs::path dot = fs::path(options.out_dir) / (stem + ".dot"), svg = fs::path(options.out_dir) / (stem + ".svg");
  std::ofstream(dot) << to_dot(root);
  const bool have_dot = options.svg && std::system("command -v dot > /dev/null 2>&1") == 0;
  if (have_dot && std::system(fmt::format("dot -Tsvg '{}' -o '{}'", dot.string(), svg.string()).c_str()) == 0)
    out << fmt::format("Wrote the graph to {} and {}.\n", dot.string(), svg.string());
  else
    out << fmt::format("Wrote the graph to {} (install Graphviz for an SVG: dot -Tsvg {} -o {}).\n", dot.string(),
                       dot.string(), svg.string());
}

bool expression(std::ostream& out, const TourOptions& options) {
  heading(out, "Part 1: L = (a*b + c) * f");
  auto leaf = [](double v) { return scalar_tensor(v, TensorOptions(kFloat64).requires_grad()); };
  Tensor a = leaf(2), b = leaf(-3), c = leaf(10), f = leaf(-2);
  Tensor e = a * b, d = e + c, L = d * f;
  const std::vector<std::pair<std::string, Tensor>> leaves{{"a", a}, {"b", b}, {"c", c}, {"f", f}};
  Names names;
  for (const auto& [name, t] : leaves) names.add(t, name);
  names.add(e, "e"), names.add(d, "d"), names.add(L, "L");
  out << fmt::format("Forward: a = {}, b = {}, c = {}, f = {}\n", values(a), values(b), values(c), values(f));
  out << fmt::format("  e = a * b = {}\n  d = e + c = {}\n  L = d * f = {}\n\n", values(e), values(d), values(L));
  print_graph(out, L, names);
  write_graph(out, L, "expression", options);
  out << "\n";
  backward_step_by_step(out, L, names);
  out << "\nGradients (by hand: dL/dd = f, dL/df = d, dL/da = f*b, dL/db = f*a, dL/dc = f):\n";
  for (const auto& [name, t] : leaves) out << fmt::format("  dL/d{} = {}\n", name, values(t.grad()));
  return check_gradients(out, [&] { return (a * b + c) * f; }, leaves);
}

// x (N,3) -> fc1 -> tanh -> fc2 -> (N,1)
struct TinyMlpImpl : nn::Module {
  TinyMlpImpl() : Module("TinyMlp") {
    fc1 = register_module("fc1", nn::Linear(3, 4));
    fc2 = register_module("fc2", nn::Linear(4, 1));
  }
  Tensor forward(const Tensor& x) { return fc2(tanh(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
AG_MODULE(TinyMlp);

bool mlp(std::ostream& out, const TourOptions& options) {
  heading(out, "Part 2: a tiny MLP, loss = mse_loss(fc2(tanh(fc1(x))), y)");
  TinyMlp model;
  model->to(kFloat64);
  {
    NoGradGuard no_grad;  // fixed weights, so the numbers can be checked against PyTorch
    model->fc1->weight.copy_(tensor({{0.1, -0.2, 0.3}, {-0.4, 0.5, -0.6}, {0.7, -0.8, 0.9}, {-0.1, 0.2, -0.3}}));
    model->fc1->bias.copy_(tensor({0.1, -0.1, 0.2, -0.2}));
    model->fc2->weight.copy_(tensor({{0.5, -0.5, 0.25, -0.25}}));
    model->fc2->bias.copy_(tensor({0.1}));
  }
  const Tensor x = tensor({{1.0, -2.0, 0.5}, {0.0, 1.5, -1.0}}, kFloat64), y = tensor({{1.0}, {-1.0}}, kFloat64);
  out << "Parameters:\n";
  for (const auto& [name, p] : model->named_parameters()) out << fmt::format("  {} = {}\n", name, values(p));

  Tensor hidden_in;  // fc1's output, caught by a forward hook as the model runs
  nn::RemovableHandle hook = model->fc1->register_forward_hook(
      [&](nn::Module&, const std::vector<Tensor>&, std::vector<Tensor>& outputs) { hidden_in = outputs[0]; });
  Tensor prediction = model(x);
  hook.remove();
  Tensor loss = nn::functional::mse_loss(prediction, y);
  out << fmt::format("Forward:\n  x = {}\n  fc1(x) = {}   (seen by a forward hook on fc1)\n", values(x),
                     values(hidden_in));
  out << fmt::format("  prediction = {}\n  y = {}\n  loss = {}\n\n", values(prediction), values(y), values(loss));

  Names names;
  names.add(hidden_in, "fc1(x)");
  names.add(prediction, "prediction");
  names.add(loss, "loss");
  for (const auto& [name, p] : model->named_parameters()) names.add(p, name);
  print_graph(out, loss, names);
  write_graph(out, loss, "mlp", options);
  out << "\n";
  backward_step_by_step(out, loss, names);
  out << "\nGradients:\n";
  for (const auto& [name, p] : model->named_parameters()) out << fmt::format("  dL/d{} = {}\n", name, values(p.grad()));
  return check_gradients(out, [&] { return nn::functional::mse_loss(model(x), y); }, model->named_parameters());
}

}  // namespace

bool run_tour(std::ostream& out, const TourOptions& options) {
  autograd::MetadataGuard metadata;  // nodes remember their module, saved tensors and FLOPs
  out << "ag autograd tour: forward builds a graph, backward walks it from the loss to the leaves.\n";
  const bool expression_ok = expression(out, options);
  const bool mlp_ok = mlp(out, options);
  return expression_ok && mlp_ok;
}

}  // namespace tour
