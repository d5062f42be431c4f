#include "api/problem.h"

#include <nlohmann/json.hpp>

namespace sb::api {

HttpResponse problem(int status, const std::string& kind, const std::string& title,
                     const std::string& detail, const std::vector<FieldError>& errors) {
  nlohmann::json j = {{"type", "https://switchboard.dev/problems/" + kind},
                      {"title", title},
                      {"status", status},
                      {"detail", detail}};
  if (!errors.empty()) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& e : errors) list.push_back({{"field", e.field}, {"message", e.message}});
    j["errors"] = std::move(list);
  }
  HttpResponse r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return r;
}

HttpResponse bad_request(const std::string& detail, const std::vector<FieldError>& errors) {
  return problem(400, "validation", "Invalid request", detail, errors);
}
HttpResponse not_found(const std::string& detail) {
  return problem(404, "not-found", "Not found", detail);
}
HttpResponse forbidden(const std::string& detail) {
  return problem(403, "forbidden", "Forbidden", detail);
}
HttpResponse unauthenticated(const std::string& detail) {
  HttpResponse r = problem(401, "unauthenticated", "Authentication required", detail);
  r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"switchboard\"");
  return r;
}
HttpResponse conflict(const std::string& detail) {
  return problem(409, "conflict", "Conflict with the current state", detail);
}

HttpResponse problem_from_status(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return problem(500, "internal", "Internal error", "no error to report");
    case StatusCode::kInvalidArgument:
      return bad_request(status.message());
    case StatusCode::kNotFound:
      return not_found(status.message());
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
      return conflict(status.message());
    case StatusCode::kResourceExhausted:
      return problem(429, "too-many-requests", "Too many requests", status.message());
    case StatusCode::kUnavailable:
      return problem(503, "unavailable", "Service unavailable", status.message());
    default:
      return problem(500, "internal", "Internal error", status.message());
  }
}

}  // namespace sb::api
