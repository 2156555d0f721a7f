// Node bookkeeping: construction, iterative destruction, hooks, and the two node kinds.
#include "ag/core/autograd/node.h"

#include <atomic>

#include "ag/core/autograd/scope.h"

namespace ag {

namespace {
std::atomic<uint64_t> next_sequence_nr{0};
}

Node::Node(std::string name, std::vector<Edge> next_edges, Shape output_shape, Dtype output_dtype)
    : name_(std::move(name)),
      next_edges_(std::move(next_edges)),
      output_shape_(std::move(output_shape)),
      output_dtype_(output_dtype),
      sequence_nr_(next_sequence_nr++) {}

// Destroying the last handle to a long chain would otherwise destroy node 1, whose edge destroys
// node 2, ... one stack frame per node. Instead we take over the edges of every node we hold the
// last reference to and destroy them one by one from an explicit stack (as PyTorch's deleteNode).
Node::~Node() {
  std::vector<Edge> stack = std::move(next_edges_);
  while (!stack.empty()) {
    Edge edge = std::move(stack.back());
    stack.pop_back();
    if (edge && edge.use_count() == 1) {
      for (Edge& next : edge->next_edges_) stack.push_back(std::move(next));
      edge->next_edges_.clear();
    }
  }  // `edge` dies here with no edges left, so its destructor does not recurse
}

Tensor Node::run_pre_hooks(Tensor grad) const {
  for (const Hook& hook : pre_hooks_) {
    Tensor replaced = hook(grad);
    if (replaced.defined()) grad = replaced;
  }
  return grad;
}

FunctionNode::FunctionNode(std::string name, std::vector<Edge> next_edges, Shape output_shape,
                           Dtype output_dtype, BackwardFn backward)
    : Node(std::move(name), std::move(next_edges), std::move(output_shape), output_dtype),
      backward_(std::move(backward)) {}

std::vector<Tensor> FunctionNode::apply(const Tensor& grad_output) {
  AG_CHECK(backward_,
           "{}: trying to backward through the graph a second time. Its saved tensors were freed by "
           "the first backward; call backward(grad, /*retain_graph=*/true) the first time if you "
           "need to run backward twice",
           name());
  return backward_(grad_output);
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf)
    : Node("AccumulateGrad", {}, leaf->shape, leaf->dtype), leaf_(std::move(leaf)) {}

// The gradient is copied on first arrival unless nothing else can see it: the engine may hand the
// same tensor to several leaves (AddBackward passes its gradient to both inputs), and an optimizer
// will later modify grads in place.
std::vector<Tensor> AccumulateGrad::apply(const Tensor& grad_output) {
  bool sole = is_sole_owner(grad_output);  // asked before `incoming` becomes a second handle
  Tensor incoming = grad_output;
  for (const auto& hook : leaf_->grad_hooks) {
    Tensor replaced = hook(incoming);
    if (replaced.defined()) incoming = replaced, sole = false;
  }
  Tensor& grad = leaf_->grad;
  if (!grad.defined()) {
    grad = sole ? incoming : incoming.clone();
  } else {
    grad.add_(incoming);
  }
  if (!leaf_->post_accumulate_grad_hooks.empty()) {
    const Tensor leaf(leaf_);
    for (const auto& hook : leaf_->post_accumulate_grad_hooks) hook(leaf);
  }
  return {};
}

bool is_sole_owner(const Tensor& t) {
  return t.defined() && t.impl_ptr().use_count() == 1 && t.impl()->storage.use_count() == 1 &&
         !t.requires_grad() && t.is_contiguous() && t.storage_offset() == 0 &&
         static_cast<size_t>(t.numel()) * element_size(t.dtype()) == t.impl()->storage->nbytes();
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return nullptr;
  TensorImpl* impl = t.impl();
  if (impl->grad_fn) return impl->grad_fn;
  // A leaf holds its accumulator weakly (the accumulator holds the leaf), so one is made on first
  // use and shared by every op that uses the leaf while the graph lives.
  if (auto existing = impl->grad_accumulator.lock()) return existing;
  auto accumulator = std::make_shared<AccumulateGrad>(t.impl_ptr());
  if (autograd::metadata_enabled()) {  // a leaf belongs to the scope that first uses it
    auto metadata = std::make_unique<autograd::NodeMetadata>();
    metadata->scope = autograd::current_scope();
    accumulator->set_metadata(std::move(metadata));
  }
  impl->grad_accumulator = accumulator;
  return accumulator;
}

}  // namespace ag
