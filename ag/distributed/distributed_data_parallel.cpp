// Construction of DistributedDataParallel: agree, copy rank 0's state, hook every parameter.
#include "ag/distributed/distributed_data_parallel.h"

#include "ag/core/autograd/grad_mode.h"
#include "ag/distributed/collectives.h"
#include "ag/distributed/same_across_ranks.h"

namespace ag::distributed {

DistributedDataParallel::DistributedDataParallel(std::shared_ptr<nn::Module> module,
                                                 DistributedDataParallelOptions options)
    : module_(std::move(module)) {
  const char* who = "DistributedDataParallel";
  AG_CHECK(module_, "{}: the module is null", who);
  AG_CHECK(options.bucket_cap_mb() > 0 && options.first_bucket_cap_mb() > 0,
           "{}: bucket_cap_mb and first_bucket_cap_mb must be positive", who);
  std::vector<std::pair<std::string, Tensor>> state;
  std::vector<std::pair<std::string, Tensor>> trained;
  for (auto& [name, t] : module_->named_parameters()) {
    state.emplace_back("parameter " + name, t);
    if (t.requires_grad()) trained.emplace_back(name, t);
  }
  for (auto& [name, t] : module_->named_buffers()) state.emplace_back("buffer " + name, t);
  check_same_across_ranks(who, state);

  {
    NoGradGuard no_grad;
    for (auto& [name, t] : state) broadcast(t, 0);
  }

  reducer_ = std::make_shared<Reducer>(trained, static_cast<size_t>(options.first_bucket_cap_mb() * 1024 * 1024),
                                       static_cast<size_t>(options.bucket_cap_mb() * 1024 * 1024));
  std::weak_ptr<Reducer> weak = reducer_;
  for (size_t i = 0; i < trained.size(); ++i) {
    trained[i].second.register_post_accumulate_grad_hook([weak, i](const Tensor&) {
      if (auto reducer = weak.lock()) reducer->gradient_ready(i);
    });
  }
}

void DistributedDataParallel::sync_gradients() { reducer_->sync(); }

}  // namespace ag::distributed
