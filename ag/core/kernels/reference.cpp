#include "ag/core/kernels/reference.h"

#include <atomic>

#include "ag/core/env.h"

namespace ag {

namespace {
std::atomic<bool> use_reference{env_flag("AG_REFERENCE_KERNELS")};
}

void set_reference_kernels(bool enabled) { use_reference.store(enabled, std::memory_order_relaxed); }
bool reference_kernels_enabled() { return use_reference.load(std::memory_order_relaxed); }

}  // namespace ag
