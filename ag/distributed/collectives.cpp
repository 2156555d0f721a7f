// The collectives over MPI (or a world of one), each after a cross-rank check of its arguments.
#include "ag/distributed/collectives.h"

#include <array>
#include <climits>

#include "ag/core/autograd/grad_mode.h"
#include "ag/core/factory.h"
#include "ag/distributed/request.h"

namespace ag::distributed {

namespace {

enum class Op : int64_t { AllReduce, Broadcast, AllGather, ReduceScatter };
constexpr const char* kOpNames[] = {"all_reduce", "broadcast", "all_gather", "reduce_scatter"};
constexpr const char* kReduceNames[] = {"Sum", "Average", "Max"};  // by ReduceOp

// What a rank found wrong with its own arguments; each rank sends its verdict, so all agree.
enum class Status : int64_t { Ok, Undefined, NotContiguous, NotFloat, TooManyDims, TooLarge, BadOutput, BadSrc };

constexpr size_t kMaxDims = 6;
// One rank's call: op, argument (reduce op or src), status, dtype, then input and output shapes as
// (ndim, d0..d5); an unused output has ndim -1.
constexpr size_t kShapeFields = 1 + kMaxDims;
constexpr size_t kFields = 4 + 2 * kShapeFields;
using Call = std::array<int64_t, kFields>;

void put_shape(Call& call, size_t at, const Tensor& t) {
  call[at] = -1;
  if (!t.defined() || t.dim() > static_cast<int64_t>(kMaxDims)) return;
  call[at] = t.dim();
  for (int64_t d = 0; d < t.dim(); ++d) call[at + 1 + d] = t.size(d);
}

Shape get_shape(const int64_t* call, size_t at) {
  if (call[at] < 0) return {};
  return Shape(call + at + 1, call + at + 1 + call[at]);
}

Status check_tensor(const Tensor& t) {
  if (!t.defined()) return Status::Undefined;
  if (t.dtype() != kFloat32 && t.dtype() != kFloat64) return Status::NotFloat;
  if (!t.is_contiguous()) return Status::NotContiguous;
  if (t.dim() > static_cast<int64_t>(kMaxDims)) return Status::TooManyDims;
  if (t.numel() > INT_MAX) return Status::TooLarge;
  return Status::Ok;
}

// The shape `output` must have for `op`, given `input`.
Shape expected_output(Op op, const Tensor& input, int world) {
  Shape shape = input.sizes();
  if (shape.empty()) return shape;
  if (op == Op::AllGather) shape[0] *= world;
  if (op == Op::ReduceScatter) shape[0] /= world;
  return shape;
}

std::string describe(const int64_t* call) {
  std::string out = fmt::format("{} {}", dtype_name(static_cast<Dtype>(call[3])), shape_str(get_shape(call, 4)));
  if (call[4 + kShapeFields] >= 0) out += fmt::format(" into {}", shape_str(get_shape(call, 4 + kShapeFields)));
  return out;
}

std::string status_message(Status status, int rank, const int64_t* call) {
  const std::string shapes = describe(call);
  switch (status) {
    case Status::Undefined: return fmt::format("rank {}'s tensor is undefined", rank);
    case Status::NotFloat: return fmt::format("rank {}'s tensor is {}; only float32 and float64 are supported", rank, shapes);
    case Status::NotContiguous: return fmt::format("rank {}'s tensor {} is not contiguous; pass t.contiguous()", rank, shapes);
    case Status::TooManyDims: return fmt::format("rank {}'s tensor has more than {} dims; reshape it first", rank, kMaxDims);
    case Status::TooLarge: return fmt::format("rank {}'s tensor {} has more than 2^31-1 elements; send it in parts", rank, shapes);
    case Status::BadOutput: return fmt::format("rank {} passed {}: the output's shape or dtype does not fit the input", rank, shapes);
    case Status::BadSrc: return fmt::format("rank {} named source rank {}, outside the world", rank, call[1]);
    case Status::Ok: break;
  }
  return "";
}

// Every rank sends its Call; all receive all, and all throw the same error if anything is wrong.
void check_across_ranks(Op op, int64_t arg, const Tensor& input, const Tensor* output) {
  const char* name = kOpNames[static_cast<int>(op)];
  detail::check_initialized(name);
  const int world = world_size();
  Status status = check_tensor(input);
  if (status == Status::Ok && output) {
    status = check_tensor(*output);
    const bool divisible = op != Op::ReduceScatter || (input.dim() > 0 && input.size(0) % world == 0);
    if (status == Status::Ok && (!divisible || output->dtype() != input.dtype() ||
                                 output->sizes() != expected_output(op, input, world)))
      status = Status::BadOutput;
  }
  if (op == Op::Broadcast && (arg < 0 || arg >= world)) status = Status::BadSrc;

  Call mine{};
  mine[0] = static_cast<int64_t>(op), mine[1] = arg, mine[2] = static_cast<int64_t>(status);
  mine[3] = input.defined() ? static_cast<int64_t>(input.dtype()) : 0;
  put_shape(mine, 4, input);
  mine[4 + kShapeFields] = -1;
  if (output) put_shape(mine, 4 + kShapeFields, *output);
  const std::vector<int64_t> all = detail::all_gather_int64({mine.begin(), mine.end()});

  const int64_t* first = all.data();
  for (int r = 0; r < world; ++r) {
    const int64_t* call = all.data() + static_cast<size_t>(r) * kFields;
    AG_CHECK(call[0] == first[0], "{}: rank 0 called {} but rank {} called {} at the same time; every rank must "
             "call the same collectives in the same order", name, kOpNames[first[0]], r, kOpNames[call[0]]);
    const auto s = static_cast<Status>(call[2]);
    AG_CHECK(s == Status::Ok, "{}: {}", name, status_message(s, r, call));
  }
  for (int r = 1; r < world; ++r) {
    const int64_t* call = all.data() + static_cast<size_t>(r) * kFields;
    AG_CHECK(std::equal(call + 3, call + kFields, first + 3), "{}: the ranks' tensors differ: rank 0 has {} but rank "
             "{} has {}; every rank must pass the same shape and dtype", name, describe(first), r, describe(call));
    const bool reduces = op == Op::AllReduce || op == Op::ReduceScatter;
    const char* what = reduces ? "ReduceOp" : "source rank";
    AG_CHECK(call[1] == first[1], "{}: rank 0 passed {} {} but rank {} passed {} {}", name, what,
             reduces ? kReduceNames[first[1]] : std::to_string(first[1]), r, what,
             reduces ? kReduceNames[call[1]] : std::to_string(call[1]));
  }
}

// Blocking calls wait here; the returned Work is then already complete.
Work finish(Work work, bool async_op) {
  if (!async_op) work.wait();
  return work;
}

void written(const Tensor& t) { t.impl()->storage->bump_version(); }  // autograd sees the change

#ifdef AG_MPI
MPI_Datatype mpi_type(Dtype dtype) { return dtype == kFloat64 ? MPI_DOUBLE : MPI_FLOAT; }
MPI_Op mpi_op(ReduceOp op) { return op == ReduceOp::Max ? MPI_MAX : MPI_SUM; }
#endif

// Average is a sum divided by the world size once the sum has arrived.
std::function<void()> after(ReduceOp op, Tensor out) {
  return [op, out]() mutable {
    NoGradGuard no_grad;
    if (op == ReduceOp::Average && world_size() > 1) out.mul_(1.0 / world_size());
    written(out);
  };
}

// Starts `start(request)` over MPI, or runs `alone` when this is a world of one.
template <typename Start, typename Alone>
Work launch(Start&& start, Alone&& alone, std::function<void()> then) {
  auto state = std::make_unique<Work::State>();
  state->finish = std::move(then);
#ifdef AG_MPI
  if (world_size() > 1) {
    start(&state->request);
    return Work(std::move(state));
  }
#endif
  alone();
  return Work(std::move(state));
}

}  // namespace

Work detail::start_all_reduce(Tensor& tensor, ReduceOp op) {
  return launch(
      [&](auto* request) {
#ifdef AG_MPI
        MPI_Iallreduce(MPI_IN_PLACE, detail::raw_data(tensor),
                       static_cast<int>(tensor.numel()), mpi_type(tensor.dtype()), mpi_op(op), detail::communicator(), request);
#endif
      },
      [] {}, after(op, tensor));
}

Work all_reduce(Tensor& tensor, ReduceOp op, bool async_op) {
  check_across_ranks(Op::AllReduce, static_cast<int64_t>(op), tensor, nullptr);
  return finish(detail::start_all_reduce(tensor, op), async_op);
}

Work broadcast(Tensor& tensor, int src, bool async_op) {
  check_across_ranks(Op::Broadcast, src, tensor, nullptr);
  return finish(launch(
                    [&](auto* request) {
#ifdef AG_MPI
                      MPI_Ibcast(detail::raw_data(tensor), static_cast<int>(tensor.numel()), mpi_type(tensor.dtype()),
                                 src, detail::communicator(), request);
#endif
                    },
                    [] {}, [tensor] { written(tensor); }),
                async_op);
}

void broadcast_string(std::string& text, int src) {
  // The length travels as a one-element tensor, so the usual checks (src in range, every rank
  // calling broadcast) run before any byte is sent.
  Tensor size = ag::tensor({static_cast<double>(text.size())}, kFloat64);
  broadcast(size, src);
  text.resize(static_cast<size_t>(size.item()));
  detail::broadcast_bytes(text.data(), text.size(), src);
}

Work all_gather(Tensor& output, const Tensor& input, bool async_op) {
  check_across_ranks(Op::AllGather, 0, input, &output);
  return finish(launch(
                    [&](auto* request) {
#ifdef AG_MPI
                      const int n = static_cast<int>(input.numel());
                      MPI_Iallgather(detail::raw_data(input), n, mpi_type(input.dtype()), detail::raw_data(output), n,
                                     mpi_type(input.dtype()), detail::communicator(), request);
#endif
                    },
                    [&] { NoGradGuard no_grad; output.copy_(input); }, [output] { written(output); }),
                async_op);
}

Work reduce_scatter(Tensor& output, const Tensor& input, ReduceOp op, bool async_op) {
  check_across_ranks(Op::ReduceScatter, static_cast<int64_t>(op), input, &output);
  return finish(launch(
                    [&](auto* request) {
#ifdef AG_MPI
                      MPI_Ireduce_scatter_block(detail::raw_data(input), detail::raw_data(output),
                                                static_cast<int>(output.numel()), mpi_type(input.dtype()), mpi_op(op),
                                                detail::communicator(), request);
#endif
                    },
                    [&] { NoGradGuard no_grad; output.copy_(input); }, after(op, output)),
                async_op);
}

}  // namespace ag::distributed
