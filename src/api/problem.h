#pragma once
// RFC 7807 problem details: every 4xx/5xx answer of the API is one of these.

#include <string>
#include <utility>
#include <vector>

#include "api/http_types.h"
#include "base/status.h"

namespace sb::api {

struct FieldError {
  std::string field;
  std::string message;
};

// `kind` is the type suffix: "validation", "not-found", "conflict", ...
HttpResponse problem(int status, const std::string& kind, const std::string& title,
                     const std::string& detail, const std::vector<FieldError>& errors = {});

HttpResponse bad_request(const std::string& detail, const std::vector<FieldError>& errors = {});
HttpResponse not_found(const std::string& detail);
HttpResponse forbidden(const std::string& detail);
HttpResponse unauthenticated(const std::string& detail);
HttpResponse conflict(const std::string& detail);

// Maps an engine/service/accounts Status to the matching problem (InvalidArgument → 400,
// NotFound → 404, AlreadyExists/FailedPrecondition → 409, Unavailable → 503, ResourceExhausted →
// 429, anything else → 500).
HttpResponse problem_from_status(const Status& status);

}  // namespace sb::api
