#pragma once
// A small synchronous client for the Switchboard HTTP API (/api/v1, docs/api.md): one keep-alive
// HTTP/1.1 connection over Boost.Beast, JSON bodies via nlohmann-json, authenticated either by a
// login session (sb_session cookie + X-CSRF-Token) or by an API key (Authorization: Bearer).
//
// Answers outside 2xx become a non-ok Status whose message carries the problem+json detail:
//   "HTTP 409 conflict: contact 12 is not ringing at agent 3 (POST /api/v1/contacts/12/accept)"
// with codes 400/401/403/405/413/415 → InvalidArgument, 404 → NotFound, 409 → FailedPrecondition,
// 423/429 → ResourceExhausted, 503 → Unavailable, other 5xx → Internal; a transport failure
// (refused, reset, timeout) is IoError. send() gives the raw answer for callers that need it.
//
// Thread safety: none; use one ApiClient per thread (or per simulated agent). Beast stays out of
// this header.

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace sb::demo {

using Json = nlohmann::json;

// "http://host:port/prefix" (the prefix is optional and prepended to every /api/v1 path).
struct Url {
  std::string scheme = "http";
  std::string host = "127.0.0.1";
  std::uint16_t port = 80;
  std::string base_path;  // "" or "/something" without a trailing slash

  std::string origin() const;                       // "http://host:port"
  std::string target(std::string_view path) const;  // base_path + path
  std::string host_header() const;                  // "host:port"
};

// Accepts http:// URLs (no TLS yet: https:// is InvalidArgument), with or without a port
// (default 80), an IPv6 literal in brackets, and an optional path prefix. No user-info or query.
Result<Url> parse_url(std::string_view text);

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string set_cookie;  // all Set-Cookie values joined by "\n"
  // The parsed body when it is JSON, otherwise null.
  Json json() const;
};

// The Status for a non-2xx answer: see the header comment. `what` names the request.
Status status_from_http(int http_status, std::string_view body, std::string_view what);

// The value of cookie `name` in Set-Cookie header values ("" when absent).
std::string cookie_from_set_cookie(std::string_view set_cookie, std::string_view name);

struct ApiClientOptions {
  int timeout_ms = 10'000;  // per request (connect, write and read)
  std::string user_agent = "switchboard-demo";
};

class ApiClient {
 public:
  explicit ApiClient(Url url, ApiClientOptions options = {});
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  const Url& url() const { return url_; }

  // ---- authentication
  // POST /auth/login; keeps the session cookie and the CSRF token. Returns the User object.
  Result<Json> login(std::string_view username, std::string_view password);
  Status logout();
  // Use an API key (Authorization: Bearer) from now on instead of a session.
  void use_api_key(std::string key);
  const std::string& session_token() const { return session_; }
  const std::string& csrf_token() const { return csrf_; }
  const std::string& api_key() const { return api_key_; }

  // ---- raw requests (path is relative to the base path, e.g. "/api/v1/queues")
  // Transport failures are IoError; any HTTP status is a value here.
  Result<HttpResponse> send(std::string_view method, std::string_view path,
                            const std::optional<Json>& body = std::nullopt,
                            const std::vector<std::pair<std::string, std::string>>& headers = {});
  // Like send(), but non-2xx answers are errors and the body is parsed (null for 204).
  Result<Json> call(std::string_view method, std::string_view path,
                    const std::optional<Json>& body = std::nullopt,
                    const std::vector<std::pair<std::string, std::string>>& headers = {});
  Result<Json> get(std::string_view path) { return call("GET", path); }
  Result<Json> post(std::string_view path, const Json& body) { return call("POST", path, body); }
  Result<Json> put(std::string_view path, const Json& body) { return call("PUT", path, body); }
  Result<Json> patch(std::string_view path, const Json& body) { return call("PATCH", path, body); }
  Result<Json> del(std::string_view path) { return call("DELETE", path); }
  // Every item of a paginated list, following next_cursor (limit=500 per page).
  Result<std::vector<Json>> list_all(std::string_view path);

  // ---- configuration (each returns the created object with its id)
  Result<Json> create_skill(std::string_view name);
  Result<Json> create_profile(const Json& profile);
  Result<Json> create_queue(const Json& queue);
  Result<Json> create_agent(const Json& agent);
  Result<Json> create_reason_code(std::string_view name);
  Result<Json> create_disposition(std::string_view name, bool conversion);
  Result<Json> create_user(const Json& user);
  // {"id", "name", "key"}
  Result<Json> create_api_key(std::int64_t user_id, std::string_view name);

  // ---- contacts
  // POST /contacts with an Idempotency-Key when `idempotency_key` is not empty. Retried once on a
  // transport failure (safe thanks to the key).
  Result<Json> create_contact(const Json& contact, std::string_view idempotency_key);
  // action: "accept", "reject", "hold", "unhold", "end", "abandon", "callback".
  Result<Json> contact_action(std::int64_t contact, std::string_view action);
  Result<Json> wrap_up(std::int64_t contact, std::int64_t disposition, std::string_view notes = "");

  // ---- agent state and statistics
  Result<Json> set_agent_state(std::int64_t agent, std::string_view presence,
                               std::optional<std::int64_t> reason = std::nullopt);
  Result<Json> queue_stats();  // {"items": [QueueStats]}
  Result<Json> agent_stats();  // {"items": [AgentState]}

  // Requests sent and transport reconnects so far (for the benchmark).
  std::uint64_t requests() const { return requests_; }
  std::uint64_t reconnects() const { return reconnects_; }

 private:
  struct Conn;
  Url url_;
  ApiClientOptions options_;
  std::unique_ptr<Conn> conn_;
  std::string session_;
  std::string csrf_;
  std::string api_key_;
  std::uint64_t requests_ = 0;
  std::uint64_t reconnects_ = 0;
};

}  // namespace sb::demo
