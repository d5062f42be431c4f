#pragma once
// For API tests: requests handed straight to an ApiApp (no HTTP server) as the holder of an API
// key, and the schedule-publishing fixture the WFM and adherence tests share.

#include <cstdint>
#include <future>
#include <string>

#include "accounts/accounts.h"
#include "api/api_app.h"
#include "api/http_types.h"
#include "wfmstore/schedule_store.h"

namespace sb::api::testing {

struct Answer {
  int status = 0;
  json body;  // null when the answer is not JSON (or empty)
  std::string raw;
};

// `method target` with `body` (JSON when not empty) as the holder of API key `key`; waits for
// the answer.
inline Answer call_api(ApiApp& app, const std::string& method, const std::string& target,
                       const std::string& key, const std::string& body = "") {
  HttpRequest req;
  req.method = method;
  req.target = target;
  req.body = body;
  req.remote = "127.0.0.1";
  req.headers["authorization"] = "Bearer " + key;
  if (!body.empty()) req.headers["content-type"] = "application/json";
  split_target(req);
  std::promise<HttpResponse> p;
  auto f = p.get_future();
  app.handle(req, [&p](HttpResponse r) { p.set_value(std::move(r)); });
  HttpResponse r = f.get();
  Answer a;
  a.status = r.status;
  a.raw = r.body;
  if (!r.body.empty() && r.content_type.find("json") != std::string::npos)
    a.body = json::parse(r.body, nullptr, false);
  return a;
}

// A new API key of user `username` (empty when the user does not exist).
inline std::string api_key_for(accounts::Accounts& accounts, const std::string& username) {
  auto u = accounts.find_user(username);
  if (!u.ok()) return "";
  auto k = accounts.create_api_key(u->id, "test");
  return k.ok() ? k->key : "";
}

// Stores `s` as a draft in the application's schedule store and publishes it through the API
// as the holder of `key`. Returns the publish answer (200 with the schedule when it worked; a
// 500 naming the store's error when the draft could not be stored).
inline Answer publish_schedule(ApiApp& app, const wfmstore::Schedule& s, const std::string& key,
                               Millis now) {
  if (app.schedule_store() == nullptr)
    return {500, nullptr, "no schedule store: " + app.wfm_status().message()};
  auto created = app.schedule_store()->create(s, now);
  if (!created.ok()) return {500, nullptr, created.status().message()};
  return call_api(app, "POST",
                  "/api/v1/wfm/schedules/" + std::to_string(created->header.id) + "/publish", key,
                  "{}");
}

}  // namespace sb::api::testing
