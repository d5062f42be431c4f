#pragma once
// The OpenAPI 3 document of /api/v1 (src/api/openapi.json, embedded at build time).

#include <string>

namespace sb::api {
const std::string& openapi_document();
}  // namespace sb::api
