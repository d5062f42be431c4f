// Routes: login/logout/me, users, API keys, audit log.

#include <algorithm>
#include <cctype>

#include "api/api_app.h"
#include "api/route_util.h"

namespace sb::api {

namespace {
json user_json(const accounts::User& u) {
  return {{"id", u.id},
          {"username", u.username},
          {"display_name", u.display_name},
          {"role", std::string(accounts::role_name(u.role))},
          {"agent_id", u.agent_id ? json(*u.agent_id) : json(nullptr)},
          {"disabled", u.disabled}};
}

std::string session_cookie(const std::string& token, bool secure, bool clear) {
  std::string c =
      "sb_session=" + (clear ? std::string() : token) + "; Path=/; HttpOnly; SameSite=Strict";
  if (secure) c += "; Secure";
  if (clear) c += "; Max-Age=0";
  return c;
}
}  // namespace

void ApiApp::register_auth_routes() {
  router_.add("POST", "/api/v1/auth/login", kPublic, "Log in; sets the session cookie",
              [this](RouteContext& ctx, Reply reply) {
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                std::vector<FieldError> errors;
                JsonReader r(body, errors);
                auto username = r.string("username", true, 64);
                auto password = r.string("password", true, 1024);
                if (!errors.empty()) return reply(bad_request("username and password", errors));
                auto s = accounts_.login(*username, *password, ctx.req.remote);
                if (!s.ok()) {
                  if (s.status().code() == StatusCode::kFailedPrecondition)
                    return reply(problem(423, "locked", "Account locked", s.status().message()));
                  if (s.status().code() == StatusCode::kInvalidArgument ||
                      s.status().code() == StatusCode::kNotFound)
                    return reply(problem(401, "unauthenticated", "Login failed",
                                         "invalid username or password"));
                  return reply(problem_from_status(s.status()));
                }
                HttpResponse res =
                    json_response({{"user", user_json(s->user)}, {"csrf_token", s->csrf_token}});
                res.headers.emplace_back("Set-Cookie",
                                         session_cookie(s->token, options_.secure_cookies, false));
                res.headers.emplace_back("Cache-Control", "no-store");
                reply(std::move(res));
              });
  router_.add("POST", "/api/v1/auth/logout", kAnyRole, "Log out (revokes the session)",
              [this](RouteContext& ctx, Reply reply) {
                const std::string token = cookie_value(ctx.req, "sb_session");
                if (!token.empty()) {
                  Status s = accounts_.logout(token, ctx.req.remote);
                  if (!s.ok() && s.code() != StatusCode::kNotFound)
                    return reply(problem_from_status(s));
                }
                HttpResponse res = no_content();
                res.headers.emplace_back("Set-Cookie",
                                         session_cookie("", options_.secure_cookies, true));
                reply(std::move(res));
              });
  router_.add("GET", "/api/v1/auth/me", kAnyRole, "Who am I; the CSRF token of the session",
              [](RouteContext& ctx, Reply reply) {
                reply(json_response({{"user", user_json(ctx.principal->user)},
                                     {"csrf_token", ctx.principal->csrf_token}}));
              });
}

void ApiApp::register_user_routes() {
  router_.add("GET", "/api/v1/users", kAdmin, "List users", [this](RouteContext& ctx, Reply reply) {
    HttpResponse bad;
    auto page = page_from_query(ctx.req, bad);
    if (!page) return reply(bad);
    auto users = accounts_.list_users(*page);
    if (!users.ok()) return reply(problem_from_status(users.status()));
    json items = json::array();
    for (const auto& u : *users) items.push_back(user_json(u));
    json next = users->size() == page->limit && !users->empty()
                    ? json(std::to_string(users->back().id))
                    : json(nullptr);
    reply(json_response({{"items", items}, {"next_cursor", next}}));
  });

  router_.add(
      "POST", "/api/v1/users", kAdmin, "Create a user", [this](RouteContext& ctx, Reply reply) {
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        accounts::NewUser u;
        if (auto v = r.string("username", true, 64)) {
          u.username = *v;
          const bool well_formed = !v->empty() && std::all_of(v->begin(), v->end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                   c == '@' || c == '-';
          });
          if (!well_formed)
            r.error("username", "must be 1..64 characters of letters, digits and . _ @ -");
        }
        if (auto v = r.string("password", true, 1024)) {
          u.password = *v;
          if (v->size() < 10) r.error("password", "must be at least 10 characters");
        }
        if (auto v = r.string("display_name", false, 200)) u.display_name = *v;
        if (auto v = r.string("role", true, 20)) {
          auto role = accounts::parse_role(*v);
          if (role.ok()) {
            u.role = *role;
          } else {
            r.error("role", "must be admin, supervisor, agent or analyst");
          }
        }
        if (auto v = r.integer("agent_id", false, 0, UINT32_MAX - 1)) {
          CenterConfig config = configuration();
          bool known = false;
          for (const auto& a : config.agents) known = known || a.id == *v;
          if (!known) r.error("agent_id", "unknown agent " + std::to_string(*v));
          u.agent_id = static_cast<std::uint32_t>(*v);
        }
        if (u.role == accounts::Role::kAgent && !u.agent_id && errors.empty())
          r.error("agent_id", "is required for the agent role");
        if (!errors.empty()) return reply(bad_request("invalid user", errors));
        if (u.display_name.empty()) u.display_name = u.username;
        auto created = accounts_.create_user(u);
        if (!created.ok()) return reply(problem_from_status(created.status()));
        audit(&*ctx.principal, ctx.req, "user.create", "user:" + std::to_string(created->id),
              created->username + " as " + std::string(accounts::role_name(created->role)));
        reply(json_response(user_json(*created), 201));
      });

  router_.add("GET", "/api/v1/users/{id}", kAdmin, "Get a user",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no user " + ctx.params[0]));
                auto u = accounts_.get_user(*id);
                if (!u.ok()) return reply(problem_from_status(u.status()));
                reply(json_response(user_json(*u)));
              });

  router_.add("PATCH", "/api/v1/users/{id}", kAdmin, "Change a user",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no user " + ctx.params[0]));
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                std::vector<FieldError> errors;
                JsonReader r(body, errors);
                accounts::UserPatch patch;
                if (auto v = r.string("display_name", false, 200)) patch.display_name = *v;
                if (auto v = r.string("role", false, 20)) {
                  auto role = accounts::parse_role(*v);
                  if (role.ok()) {
                    patch.role = *role;
                  } else {
                    r.error("role", "must be admin, supervisor, agent or analyst");
                  }
                }
                if (body.contains("agent_id")) {
                  if (body["agent_id"].is_null()) {
                    patch.agent_id = std::optional<std::uint32_t>();
                  } else if (auto v = r.integer("agent_id", false, 0, UINT32_MAX - 1)) {
                    patch.agent_id = std::optional<std::uint32_t>(static_cast<std::uint32_t>(*v));
                    CenterConfig config = configuration();
                    bool known = false;
                    for (const auto& a : config.agents) known = known || a.id == *v;
                    if (!known) r.error("agent_id", "unknown agent " + std::to_string(*v));
                  }
                }
                if (auto v = r.string("password", false, 1024)) {
                  patch.password = *v;
                  if (v->size() < 10) r.error("password", "must be at least 10 characters");
                }
                if (auto v = r.boolean("disabled", false)) patch.disabled = *v;
                if (!errors.empty()) return reply(bad_request("invalid change", errors));
                if (*id == ctx.principal->user.id && patch.disabled.value_or(false))
                  return reply(conflict("you cannot disable your own account"));
                auto u = accounts_.update_user(*id, patch);
                if (!u.ok()) return reply(problem_from_status(u.status()));
                json changed = body;
                if (changed.contains("password")) changed["password"] = "(changed)";
                audit(&*ctx.principal, ctx.req, "user.update", "user:" + std::to_string(*id),
                      changed.dump());
                reply(json_response(user_json(*u)));
              });

  router_.add("DELETE", "/api/v1/users/{id}", kAdmin,
              "Disable a user (revokes its sessions and keys)",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no user " + ctx.params[0]));
                if (*id == ctx.principal->user.id)
                  return reply(conflict("you cannot disable your own account"));
                accounts::UserPatch patch;
                patch.disabled = true;
                auto u = accounts_.update_user(*id, patch);
                if (!u.ok()) return reply(problem_from_status(u.status()));
                audit(&*ctx.principal, ctx.req, "user.disable", "user:" + std::to_string(*id), "");
                reply(no_content());
              });

  router_.add("POST", "/api/v1/users/{id}/api-keys", kAdmin,
              "Create an API key for a user (shown once)", [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no user " + ctx.params[0]));
                json body = json::object();
                if (!ctx.req.body.empty())
                  if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                std::vector<FieldError> errors;
                JsonReader r(body, errors);
                std::string name = r.string("name", false, 100).value_or("api key");
                if (!errors.empty()) return reply(bad_request("invalid key", errors));
                auto key = accounts_.create_api_key(*id, name);
                if (!key.ok()) return reply(problem_from_status(key.status()));
                audit(&*ctx.principal, ctx.req, "api_key.create",
                      "api_key:" + std::to_string(key->info.id), "for user " + ctx.params[0]);
                reply(json_response(
                    {{"id", key->info.id}, {"name", key->info.name}, {"key", key->key}}, 201));
              });

  router_.add("GET", "/api/v1/users/{id}/api-keys", kAdmin, "List a user's API keys",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no user " + ctx.params[0]));
                auto keys = accounts_.list_api_keys(*id);
                if (!keys.ok()) return reply(problem_from_status(keys.status()));
                json items = json::array();
                for (const auto& k : *keys)
                  items.push_back(
                      {{"id", k.id},
                       {"name", k.name},
                       {"prefix", k.prefix},
                       {"created_at", k.created_at},
                       {"last_used_at", k.last_used_at ? json(*k.last_used_at) : json(nullptr)}});
                reply(json_response({{"items", items}, {"next_cursor", nullptr}}));
              });

  router_.add("DELETE", "/api/v1/api-keys/{id}", kAdmin, "Revoke an API key",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no API key " + ctx.params[0]));
                Status s = accounts_.revoke_api_key(*id);
                if (!s.ok()) return reply(problem_from_status(s));
                audit(&*ctx.principal, ctx.req, "api_key.revoke", "api_key:" + ctx.params[0], "");
                reply(no_content());
              });

  router_.add("GET", "/api/v1/audit", kAdmin, "The audit log, newest first",
              [this](RouteContext& ctx, Reply reply) {
                HttpResponse bad;
                auto page = page_from_query(ctx.req, bad);
                if (!page) return reply(bad);
                auto entries = accounts_.list_audit(*page);
                if (!entries.ok()) return reply(problem_from_status(entries.status()));
                json items = json::array();
                for (const auto& e : *entries)
                  items.push_back({{"id", e.id},
                                   {"at", e.at},
                                   {"user_id", e.user_id ? json(*e.user_id) : json(nullptr)},
                                   {"username", e.username},
                                   {"action", e.action},
                                   {"target", e.target},
                                   {"detail", e.detail},
                                   {"remote", e.remote}});
                json next = entries->size() == page->limit && !entries->empty()
                                ? json(std::to_string(entries->back().id))
                                : json(nullptr);
                reply(json_response({{"items", items}, {"next_cursor", next}}));
              });
}

}  // namespace sb::api
