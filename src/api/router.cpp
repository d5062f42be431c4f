#include "api/router.h"

#include <utility>

namespace sb::api {

namespace {
std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    std::size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}
bool is_placeholder(const std::string& s) {
  return s.size() >= 2 && s.front() == '{' && s.back() == '}';
}
}  // namespace

unsigned role_bit(accounts::Role r) {
  switch (r) {
    case accounts::Role::kAdmin:
      return kAdmin;
    case accounts::Role::kSupervisor:
      return kSupervisor;
    case accounts::Role::kAgent:
      return kAgent;
    case accounts::Role::kAnalyst:
      return kAnalyst;
  }
  return 0;
}

void Router::add(std::string method, std::string pattern, unsigned roles, std::string summary,
                 Handler handler) {
  Route r;
  r.segments = split_path(pattern);
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.roles = roles;
  r.summary = std::move(summary);
  r.handler = std::move(handler);
  routes_.push_back(std::move(r));
}

RouteMatch Router::match(const std::string& method, const std::string& path) const {
  RouteMatch m;
  const std::vector<std::string> parts = split_path(path);
  for (const Route& r : routes_) {
    if (r.segments.size() != parts.size()) continue;
    std::vector<std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < parts.size() && ok; ++i) {
      if (is_placeholder(r.segments[i])) {
        params.push_back(parts[i]);
      } else if (r.segments[i] != parts[i]) {
        ok = false;
      }
    }
    if (!ok) continue;
    m.path_known = true;
    m.allowed_methods.push_back(r.method);
    if (r.method == method && m.route == nullptr) {
      m.route = &r;
      m.params = std::move(params);
    }
  }
  return m;
}

}  // namespace sb::api
