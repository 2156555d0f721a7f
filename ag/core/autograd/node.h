// Node: one step of the backward graph (PyTorch's torch::autograd::Node).
//
// Every differentiable op that runs with grad mode on creates a Node and stores it as its output's
// `grad_fn`. The node remembers what the op's derivative needs (its "saved tensors") and points to
// the nodes that produced the op's inputs: its `next_edges`. Backward walks these edges from the loss
// to the leaves, calling `apply(grad_of_output)` on each node to get the gradients of its inputs.
//
// Leaves (tensors created by the user with requires_grad) end in an AccumulateGrad node, whose apply
// adds the incoming gradient into `leaf.grad()`.
//
// PyTorch's Edge also carries an input number because its nodes may have several outputs. Every ag
// node has exactly one output, so an edge is simply the next node (null where the input needs no
// gradient).
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ag/core/autograd/metadata.h"
#include "ag/core/tensor.h"

namespace ag {

using Edge = std::shared_ptr<Node>;

class Node {
 public:
  Node(std::string name, std::vector<Edge> next_edges, Shape output_shape, Dtype output_dtype);
  virtual ~Node();  // releases long chains iteratively, so a 100k-node graph cannot overflow the stack
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Gradients with respect to each input, given the gradient with respect to the output.
  // The result has one entry per next edge; an undefined Tensor means "no gradient".
  virtual std::vector<Tensor> apply(const Tensor& grad_output) = 0;
  // Frees the saved tensors once backward has used them (unless retain_graph).
  virtual void release_saved() {}

  const std::string& name() const { return name_; }
  const std::vector<Edge>& next_edges() const { return next_edges_; }
  const Shape& output_shape() const { return output_shape_; }
  Dtype output_dtype() const { return output_dtype_; }
  // Creation order: later nodes were recorded later. Used to order ties and in graph printouts.
  uint64_t sequence_nr() const { return sequence_nr_; }

  // Hooks run on the gradient of this node's output before apply (retain_grad and register_hook).
  using Hook = std::function<Tensor(const Tensor&)>;
  void add_pre_hook(Hook hook) { pre_hooks_.push_back(std::move(hook)); }
  Tensor run_pre_hooks(Tensor grad) const;

  // The forward op's module path, shapes, saved tensors and FLOPs, or null when the node was made
  // while nobody recorded metadata (see autograd/metadata.h).
  const autograd::NodeMetadata* metadata() const { return metadata_.get(); }
  void set_metadata(std::unique_ptr<autograd::NodeMetadata> metadata) { metadata_ = std::move(metadata); }

 private:
  std::string name_;
  std::vector<Edge> next_edges_;
  Shape output_shape_;
  Dtype output_dtype_;
  uint64_t sequence_nr_;
  std::vector<Hook> pre_hooks_;
  std::unique_ptr<autograd::NodeMetadata> metadata_;
};

// A node whose backward is a function object, written by the op right beside its forward.
// Its captures hold the saved tensors, so releasing them is dropping the function.
class FunctionNode : public Node {
 public:
  using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_output)>;
  FunctionNode(std::string name, std::vector<Edge> next_edges, Shape output_shape, Dtype output_dtype,
               BackwardFn backward);
  std::vector<Tensor> apply(const Tensor& grad_output) override;
  void release_saved() override { backward_ = nullptr; }

 private:
  BackwardFn backward_;
};

// The sink of a leaf: adds each gradient that reaches it into leaf.grad().
class AccumulateGrad : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::vector<Tensor> apply(const Tensor& grad_output) override;
  const std::shared_ptr<TensorImpl>& leaf() const { return leaf_; }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// True when this handle is the only way to reach t's data (no other handle, view or saved copy) and
// t fills its storage contiguously: backward may then add into t in place, or hand it to a leaf as
// its grad, instead of copying.
bool is_sole_owner(const Tensor& t);

// The edge along which gradient flows back into `t`: its grad_fn, its leaf's AccumulateGrad, or
// null if it does not require grad.
Edge gradient_edge(const Tensor& t);

}  // namespace ag
