#pragma once
// Small helpers shared by the route files.

#include <cstdint>
#include <optional>
#include <string>

#include "accounts/accounts.h"
#include "api/http_types.h"
#include "api/json_model.h"
#include "api/problem.h"

namespace sb::api {

inline HttpResponse json_response(const json& j, int status = 200) {
  HttpResponse r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

inline HttpResponse no_content() {
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

// A non-negative decimal id from a path segment; nullopt for anything else.
inline std::optional<std::int64_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Reads limit (1..500) and cursor; nullopt with the 400 in `bad` when malformed.
inline std::optional<accounts::Page> page_from_query(const HttpRequest& req, HttpResponse& bad) {
  accounts::Page page;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    auto v = parse_id(it->second);
    if (!v || *v < 1 || *v > 500) {
      bad = bad_request("limit must be an integer between 1 and 500",
                        {{"limit", "must be an integer between 1 and 500"}});
      return std::nullopt;
    }
    page.limit = static_cast<std::size_t>(*v);
  }
  if (auto it = req.query.find("cursor"); it != req.query.end() && !it->second.empty()) {
    auto v = parse_id(it->second);
    if (!v) {
      bad = bad_request("cursor must be a value from next_cursor",
                        {{"cursor", "must be a value from next_cursor"}});
      return std::nullopt;
    }
    page.after_id = *v;
  }
  return page;
}

}  // namespace sb::api
