#include "ag/core/autograd/scope.h"

#include <vector>

namespace ag::autograd {

namespace {
thread_local std::vector<std::string> scopes;
}

const std::string& current_scope() {
  static const std::string none;
  return scopes.empty() ? none : scopes.back();
}

ScopeGuard::ScopeGuard(std::string name) { scopes.push_back(std::move(name)); }
ScopeGuard::~ScopeGuard() { scopes.pop_back(); }

}  // namespace ag::autograd
