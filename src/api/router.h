#pragma once
// The route table. Every route names the roles it allows (deny by default); the role-matrix test
// and the OpenAPI consistency test walk this table, so a route cannot exist without both.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "accounts/accounts.h"
#include "api/http_types.h"

namespace sb::api {

// Bit per role; kPublic routes need no authentication at all.
enum RoleBits : unsigned {
  kAdmin = 1u << 0,
  kSupervisor = 1u << 1,
  kAgent = 1u << 2,
  kAnalyst = 1u << 3,
  kAnyRole = kAdmin | kSupervisor | kAgent | kAnalyst,
  kPublic = 1u << 4,
};
unsigned role_bit(accounts::Role r);

struct RouteContext {
  const HttpRequest& req;
  std::vector<std::string> params;               // values of {placeholders}, in order
  std::optional<accounts::Principal> principal;  // set for every non-public route
};

using Handler = std::function<void(RouteContext& ctx, Reply reply)>;

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/queues/{id}"
  unsigned roles = 0;
  std::string summary;
  Handler handler;
  std::vector<std::string> segments;  // pattern split on '/'
};

struct RouteMatch {
  const Route* route = nullptr;
  std::vector<std::string> params;
  bool path_known = false;  // some route has this path (so a wrong method is 405, not 404)
  std::vector<std::string> allowed_methods;
};

class Router {
 public:
  void add(std::string method, std::string pattern, unsigned roles, std::string summary,
           Handler handler);
  RouteMatch match(const std::string& method, const std::string& path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace sb::api
