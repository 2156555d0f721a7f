// Collectives: every rank calls the same operation on a tensor of the same shape and dtype, and MPI
// combines them (torch.distributed's all_reduce, broadcast, all_gather_into_tensor and
// reduce_scatter_tensor). float32 and float64 tensors, contiguous, any shape.
//
//     ag::distributed::all_reduce(grad, ReduceOp::Average);         // every rank: the mean of all
//     ag::distributed::broadcast(weight, /*src=*/0);                 // every rank: rank 0's values
//     Work w = ag::distributed::all_reduce(t, ReduceOp::Sum, true); // started; overlap, then
//     w.wait();
//
// Outputs are written in place (the tensor's data; no autograd graph is recorded). Each call first
// exchanges a few numbers describing what every rank passed (the op, dtype, shapes, and whether the
// tensor is usable): a rank with an undefined or non-contiguous tensor, or ranks whose shapes
// differ, make *every* rank throw the same ag::Error naming the op, the rank and the shapes, instead
// of corrupting memory or waiting forever. That exchange costs one small message per collective;
// DistributedDataParallel's gradient buckets, whose layout it checks once, skip it.
#pragma once
#include <string>

#include "ag/core/tensor.h"
#include "ag/distributed/process_group.h"

namespace ag::distributed {

enum class ReduceOp { Sum, Average, Max };

// tensor (any shape) <- op over every rank's tensor.
Work all_reduce(Tensor& tensor, ReduceOp op = ReduceOp::Sum, bool async_op = false);
// tensor <- rank src's tensor.
Work broadcast(Tensor& tensor, int src = 0, bool async_op = false);
// input (d0, ...) on every rank -> output (world_size * d0, ...): rank r's input in rows r*d0 .. (r+1)*d0.
Work all_gather(Tensor& output, const Tensor& input, bool async_op = false);
// input (world_size * d0, ...) on every rank -> output (d0, ...) on rank r: op over every rank's
// rows r*d0 .. (r+1)*d0 of input. (all_reduce == reduce_scatter then all_gather.)
Work reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op = ReduceOp::Sum, bool async_op = false);
// text <- rank src's text, of any length (torch.distributed.broadcast_object_list, for bytes): the
// settings rank 0 decided, the contents of a file only rank 0 can read. Blocking.
void broadcast_string(std::string& text, int src = 0);

namespace detail {
// all_reduce without the cross-rank check, for callers that have already checked that every rank
// passes the same layout (DistributedDataParallel's buckets). Always non-blocking.
Work start_all_reduce(Tensor& tensor, ReduceOp op);
}  // namespace detail

}  // namespace ag::distributed
