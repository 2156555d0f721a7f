// Environment switches, read once at start-up: AG_DETECT_ANOMALY=1 (autograd/anomaly.h),
// AG_REFERENCE_KERNELS=1 (kernels/reference.h). A switch is on when set to anything but "" or "0".
#pragma once
#include <cstdlib>
#include <string_view>

namespace ag {

inline bool env_flag(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' && std::string_view(value) != "0";
}

}  // namespace ag
