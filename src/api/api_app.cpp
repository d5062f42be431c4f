#include "api/api_app.h"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>

#include "api/live_hub.h"
#include "api/openapi.h"

namespace sb::api {

struct ApiApp::Workers {
  explicit Workers(int n) : pool(static_cast<std::size_t>(std::max(1, n))) {}
  boost::asio::thread_pool pool;
};

ApiApp::ApiApp(service::CenterService& service, accounts::Accounts& accounts, Directory& directory,
               const Clock& clock, ApiOptions options)
    : service_(service),
      accounts_(accounts),
      directory_(directory),
      clock_(clock),
      options_(std::move(options)),
      workers_(std::make_unique<Workers>(options_.worker_threads)) {
  reports_ = service_.reports();
  register_auth_routes();
  register_user_routes();
  register_config_routes();
  register_directory_routes();
  register_contact_routes();
  register_agent_routes();
  register_stats_routes();
  register_flow_routes();
  register_voice_routes();
  register_alert_routes();
  register_report_routes();
  register_wfm_routes();
  register_wfm_rules_routes();
  register_wfm_sim_routes();
  register_adherence_routes();
  router_.add("GET", "/metrics", kPublic, "Prometheus metrics (loopback or admin)",
              [this](RouteContext& ctx, Reply reply) {
                const std::string& remote = ctx.req.remote;
                const bool loopback = remote.rfind("127.", 0) == 0 || remote == "::1" ||
                                      remote.rfind("::ffff:127.", 0) == 0;
                if (!loopback) {
                  std::optional<accounts::Principal> p;
                  if (auto refusal = authenticate(ctx.req, p)) return reply(*refusal);
                  if (p->user.role != accounts::Role::kAdmin)
                    return reply(forbidden("metrics are for admins"));
                }
                reply(metrics_text());
              });
  router_.add("GET", "/api/v1/openapi.json", kPublic, "This API's OpenAPI 3 document",
              [](RouteContext&, Reply reply) {
                HttpResponse r;
                r.body = openapi_document();
                reply(std::move(r));
              });
  config_subscription_ = service_.subscribe([this](std::span<const Event> events) {
    for (const Event& e : events) {
      if (std::holds_alternative<ev::SkillConfigured>(e.payload) ||
          std::holds_alternative<ev::ProfileConfigured>(e.payload) ||
          std::holds_alternative<ev::QueueConfigured>(e.payload) ||
          std::holds_alternative<ev::AgentConfigured>(e.payload)) {
        ++config_generation_;
        return;
      }
    }
  });
  hub_ = std::make_unique<LiveHub>(*this);
  revocation_listener_ = accounts_.add_revocation_listener(
      [this](const accounts::Revocation& r) { hub_->close_revoked(r); });
  if (!options_.time_zone.is_utc() && !options_.adherence.day_start)
    options_.adherence.day_start = [tz = options_.time_zone](Millis t) { return tz.day_start(t); };
  adherence_ = std::make_unique<AdherenceMonitor>(
      service_, clock_, options_.adherence,
      [this](const std::vector<adherence::Transition>& transitions,
             const std::vector<adherence::AgentStatus>& live,
             Millis now) { deliver_adherence(transitions, live, now); });
  if (schedules_)
    adherence_->set_schedule_source(
        schedule_source_from(*schedules_, [this] { return config_snapshot(); }));
  adherence_status_ = adherence_->start();
  AlertSources sources;
  sources.live = [this](Millis now) { return live_alert_sample(now); };
  sources.closed_intervals = [this](Millis after_end, Millis now) {
    return closed_alert_intervals(after_end, now);
  };
  // Baselines the monitor did not record itself come from the reports read model.
  sources.history = [this](std::string_view metric, alerts::Subject subject, Millis start,
                           Millis length) -> Result<std::optional<double>> {
    if (reports_ == nullptr) return std::optional<double>();
    return report_interval_figure(*reports_, metric, subject, start, length);
  };
  sources.interval_length = [this] {
    Millis length = 0;
    service_.read([&](const service::LiveView& v) { length = v.today().settings().interval; });
    return length;
  };
  auto monitor =
      AlertMonitor::open(options_.alerts, std::move(sources), clock_,
                         [this](const std::string& m) { hub_->broadcast_supervisor(m); });
  if (monitor.ok()) {
    alerts_ = std::move(*monitor);
    alerts_->start();
  } else {
    alerts_status_ = monitor.status();
  }
}

ApiApp::~ApiApp() { stop(); }

void ApiApp::stop() {
  // Directory writes in flight call back into this app (a create submits its contact once the
  // attributes are durable): let them finish while the workers still run.
  directory_.flush();
  stop_flows();                        // no bot work starts from engine events any more
  if (alerts_) alerts_->stop();        // it publishes through the hub
  if (adherence_) adherence_->stop();  // so does adherence
  if (revocation_listener_ != 0) {
    accounts_.remove_revocation_listener(revocation_listener_);
    revocation_listener_ = 0;
  }
  if (hub_) hub_->stop();
  if (config_subscription_ != 0) {
    service_.unsubscribe(config_subscription_);
    config_subscription_ = 0;
  }
  workers_->pool.join();
}

void ApiApp::post_work(std::function<void()> fn) {
  // A continuation that throws (a bug) must not take the process down with it: it is counted in
  // switchboard_http_5xx_total and logged.
  boost::asio::post(workers_->pool, [this, fn = std::move(fn)] {
    try {
      fn();
    } catch (const std::exception& e) {
      ++problems_5xx_;
      std::fprintf(stderr, "switchboard: API continuation failed: %s\n", e.what());
    }
  });
}

void ApiApp::run_command(Command command, std::function<void(service::CommandResult)> then) {
  service_.submit(std::move(command), [this, then = std::move(then)](service::CommandResult r) {
    // The service thread must not wait on the engine: continue on a worker.
    post_work([then, r = std::move(r)]() mutable { then(std::move(r)); });
  });
}

void ApiApp::run_contact_command(Command command, ContactId id,
                                 std::function<void(service::CommandResult, ContactNow)> then) {
  service_.submit(std::move(command), [this, id, then = std::move(then)](service::CommandResult r) {
    // On the service thread read() runs at once: the contact as the engine holds it now, without
    // a second trip through the engine's queue from the worker.
    ContactNow now;
    service_.read([&](const service::LiveView& v) { now = read_contact(v, id); });
    post_work([then, r = std::move(r), now = std::move(now)]() mutable {
      then(std::move(r), std::move(now));
    });
  });
}

std::optional<HttpResponse> ApiApp::authenticate(const HttpRequest& req,
                                                 std::optional<accounts::Principal>& out) {
  if (const std::string* auth = req.header("authorization")) {
    const std::string prefix = "Bearer ";
    if (auth->size() <= prefix.size() || auth->compare(0, prefix.size(), prefix) != 0)
      return unauthenticated("the Authorization header must be 'Bearer <api key>'");
    auto p = accounts_.authenticate_api_key(auth->substr(prefix.size()));
    if (!p.ok()) {
      if (p.status().code() == StatusCode::kNotFound ||
          p.status().code() == StatusCode::kInvalidArgument)
        return unauthenticated("unknown or revoked API key");
      return problem_from_status(p.status());
    }
    out = std::move(*p);
    return std::nullopt;
  }
  const std::string token = cookie_value(req, "sb_session");
  if (token.empty()) return unauthenticated("log in first (session cookie or Bearer API key)");
  auto p = accounts_.authenticate_session(token);
  if (!p.ok()) {
    if (p.status().code() == StatusCode::kNotFound ||
        p.status().code() == StatusCode::kInvalidArgument)
      return unauthenticated("the session has expired or was revoked; log in again");
    return problem_from_status(p.status());
  }
  if (req.method != "GET" && req.method != "HEAD") {
    const std::string* csrf = req.header("x-csrf-token");
    if (csrf == nullptr || !accounts::equal_secrets(*csrf, p->csrf_token))
      return forbidden("missing or wrong X-CSRF-Token header");
  }
  out = std::move(*p);
  return std::nullopt;
}

void ApiApp::handle(HttpRequest req, Reply reply) {
  const bool api = req.path.rfind("/api/", 0) == 0 || req.path == "/metrics";
  if (!api) return serve_static(req, reply);

  RouteMatch m = router_.match(req.method, req.path);
  if (m.route == nullptr) {
    if (m.path_known) {
      HttpResponse r = problem(405, "method-not-allowed", "Method not allowed",
                               req.method + " is not allowed on " + req.path);
      std::string allow;
      for (const auto& method : m.allowed_methods) allow += (allow.empty() ? "" : ", ") + method;
      r.headers.emplace_back("Allow", allow);
      return reply(std::move(r));
    }
    return reply(not_found("no such endpoint: " + req.method + " " + req.path));
  }
  if ((req.method == "POST" || req.method == "PUT" || req.method == "PATCH") && !req.body.empty()) {
    const std::string* ct = req.header("content-type");
    if (ct == nullptr || ct->find("application/json") == std::string::npos)
      return reply(problem(415, "unsupported-media-type", "Unsupported media type",
                           "send the body as application/json"));
  }

  RouteContext ctx{req, std::move(m.params), std::nullopt};
  const Route& route = *m.route;
  if (!(route.roles & kPublic)) {
    if (auto refusal = authenticate(req, ctx.principal)) return reply(std::move(*refusal));
    if (!(route.roles & role_bit(ctx.principal->user.role)))
      return reply(forbidden("the " + std::string(accounts::role_name(ctx.principal->user.role)) +
                             " role may not " + req.method + " " + route.pattern));
  }
  // Count 5xx answers for /metrics; they mean a bug or a failed store.
  Reply counted = [this, reply](HttpResponse r) {
    if (r.status >= 500) ++problems_5xx_;
    reply(std::move(r));
  };
  try {
    route.handler(ctx, counted);
  } catch (const std::exception& e) {
    counted(problem(500, "internal", "Internal error", e.what()));
  }
}

namespace {
std::string mime_type(const std::string& path) {
  auto ends = [&](const char* ext) {
    const std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  if (ends(".png")) return "image/png";
  if (ends(".ico")) return "image/x-icon";
  if (ends(".json")) return "application/json";
  if (ends(".woff2")) return "font/woff2";
  return "application/octet-stream";
}

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  out = ss.str();
  return true;
}
}  // namespace

void ApiApp::serve_static(const HttpRequest& req, const Reply& reply) {
  if (req.method != "GET" && req.method != "HEAD")
    return reply(problem(405, "method-not-allowed", "Method not allowed",
                         "only GET is served outside /api"));
  if (options_.web_root.empty()) {
    HttpResponse r;
    r.content_type = "text/plain; charset=utf-8";
    r.body = "Switchboard is running. The web app was not built (npm run build in web/).\n";
    return reply(std::move(r));
  }
  // No "..": paths outside the web root are never served.
  if (req.path.find("..") != std::string::npos || req.path.find('\0') != std::string::npos)
    return reply(not_found("no such file"));
  std::string path = req.path == "/" ? "/index.html" : req.path;
  HttpResponse r;
  if (read_file(options_.web_root + path, r.body)) {
    r.content_type = mime_type(path);
    if (path.rfind("/assets/", 0) == 0)
      r.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
    return reply(std::move(r));
  }
  // Client-side routes fall back to the app shell; a missing asset is a real 404.
  if (path.rfind("/assets/", 0) != 0 && read_file(options_.web_root + "/index.html", r.body)) {
    r.content_type = "text/html; charset=utf-8";
    return reply(std::move(r));
  }
  reply(not_found("no such file: " + req.path));
}

void ApiApp::audit(const accounts::Principal* p, const HttpRequest& req, const std::string& action,
                   const std::string& target, const std::string& detail) {
  accounts::AuditEntry e;
  if (p != nullptr) {
    e.user_id = p->user.id;
    e.username = p->user.username;
  }
  e.action = action;
  e.target = target;
  e.detail = detail;
  e.remote = req.remote;
  Status s = accounts_.audit(e);
  // An audit write that fails must not pass silently; the action itself already happened.
  if (!s.ok()) ++problems_5xx_;
}

CenterConfig ApiApp::configuration() {
  CenterConfig c;
  service_.read([&](const service::LiveView& v) { c = v.engine.configuration(); });
  return c;
}

std::shared_ptr<const CenterConfig> ApiApp::config_snapshot() {
  std::lock_guard lock(config_cache_mu_);
  // A configuration event that lands while we read bumps the generation again, so the next call
  // reads afresh: the cache is never newer-looking than what it holds.
  const std::uint64_t generation = config_generation_.load();
  if (config_cache_ && config_cache_generation_ == generation) return config_cache_;
  config_cache_ = std::make_shared<const CenterConfig>(configuration());
  config_cache_generation_ = generation;
  return config_cache_;
}

std::string ApiApp::agent_name(const CenterConfig& config, AgentId id) const {
  for (const auto& a : config.agents)
    if (a.id == id) return a.name;
  return "agent " + std::to_string(id);
}

std::string ApiApp::reason_label(ReasonId id) {
  auto doc = directory_.get("reason_code", id);
  if (doc.ok() && doc->contains("name") && (*doc)["name"].is_string())
    return (*doc)["name"].get<std::string>();
  return std::string(reason_name(id));
}

Status ApiApp::seed_directory() {
  for (ReasonId id = reason::kBreak; id <= reason::kSupervisor; ++id) {
    auto existing = directory_.get("reason_code", id);
    if (existing.ok()) continue;
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    Status s = directory_.put("reason_code", id,
                              {{"name", std::string(reason_name(id))}, {"built_in", true}});
    if (!s.ok()) return s;
  }
  return Status::ok_status();
}

bool ApiApp::may_touch_contact(const accounts::Principal& p, const ContactView& c) const {
  if (p.user.role == accounts::Role::kAdmin || p.user.role == accounts::Role::kSupervisor)
    return true;
  if (p.user.role != accounts::Role::kAgent || !p.user.agent_id) return false;
  const AgentId me = *p.user.agent_id;
  if (c.agent == me) return true;
  for (AgentId a : c.offered_to)
    if (a == me) return true;
  return false;
}

ApiApp::ContactNow ApiApp::read_contact(const service::LiveView& v, ContactId id) {
  ContactNow out;
  out.id = id;
  auto c = v.engine.contact(id);
  if (!c.ok()) return out;
  if (c->phase == ContactPhase::kQueued) {
    auto w = v.engine.estimated_wait(id, v.now);
    if (w.ok()) out.ewt = *w;
  }
  out.view = std::move(*c);
  return out;
}

Result<json> ApiApp::contact_json(ContactId id) {
  ContactNow now;
  service_.read([&](const service::LiveView& v) { now = read_contact(v, id); });
  return contact_json(now);
}

Result<json> ApiApp::contact_json(const ContactNow& now) {
  if (!now.view) return Status::not_found("contact " + std::to_string(now.id) + " is not live");
  json out = contact_to_json(*now.view, now.ewt);
  out["attributes"] = directory_.contact_attributes(now.id);
  add_offer_expiry(out);
  return out;
}

void ApiApp::add_offer_expiry(json& contact) {
  if (contact.value("state", "") != "offered" || !contact.contains("offered_to")) return;
  Millis earliest = 0;
  for (const auto& agent : contact["offered_to"]) {
    const Millis at = hub_->offer_expiry(contact["id"].get<ContactId>(), agent.get<AgentId>());
    if (at > 0 && (earliest == 0 || at < earliest)) earliest = at;
  }
  if (earliest > 0) contact["offer_expires_at"] = earliest;
}

HttpResponse ApiApp::metrics_text() {
  std::ostringstream o;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    o << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n'
      << name << ' ' << value << '\n';
  };
  const service::ServiceStats s = service_.stats();
  metric("switchboard_commands_total", "counter", "Commands submitted to the engine.", s.commands);
  metric("switchboard_commands_rejected_total", "counter", "Commands the engine refused.",
         s.rejected);
  metric("switchboard_events_total", "counter", "Events made durable.", s.events);
  metric("switchboard_timers_fired_total", "counter", "Engine timers delivered.", s.timers_fired);
  metric("switchboard_command_queue_depth", "gauge", "Commands waiting for the engine thread.",
         s.queue_depth);
  metric("switchboard_last_seq", "gauge", "Sequence number of the last durable event.", s.last_seq);
  metric("switchboard_snapshots_total", "counter", "Engine snapshots written.", s.snapshots);
  metric("switchboard_http_5xx_total", "counter", "API answers with a 5xx status.",
         problems_5xx_.load());
  if (http_stats_) {
    const HttpServerStats h = http_stats_();
    metric("switchboard_http_requests_total", "counter", "HTTP requests received.", h.requests);
    metric("switchboard_http_open_connections", "gauge", "Open HTTP connections.",
           h.open_connections);
    metric("switchboard_websockets_open", "gauge", "Open WebSocket connections.",
           h.open_websockets);
    metric("switchboard_websocket_messages_sent_total", "counter", "WebSocket messages sent.",
           h.ws_messages_sent);
  }
  if (alerts_) {
    const AlertMonitorStats a = alerts_->stats();
    const alerts::WebhookStats w = alerts_->webhook_stats();
    metric("switchboard_alerts_fired_total", "counter", "Alerts fired.", a.fired);
    metric("switchboard_alerts_cleared_total", "counter", "Alerts cleared.", a.cleared);
    metric("switchboard_alert_errors_total", "counter", "Alert store failures while evaluating.",
           a.errors);
    metric("switchboard_alert_webhook_delivered_total", "counter",
           "Alert notifications the webhook accepted.", w.delivered);
    metric("switchboard_alert_webhook_failed_total", "counter",
           "Alert notifications given up (retries exhausted, refused or dropped).",
           w.failed + w.dropped);
  }
  o << "# HELP switchboard_queue_waiting Contacts waiting per queue.\n"
       "# TYPE switchboard_queue_waiting gauge\n";
  service_.read([&](const service::LiveView& v) {
    for (const auto& q : v.engine.configuration().queues) {
      auto view = v.engine.queue(q.id);
      if (!view.ok()) continue;
      o << "switchboard_queue_waiting{queue=\"" << q.id << "\"} " << view->waiting << '\n';
    }
    o << "# HELP switchboard_live_contacts Contacts in the engine.\n"
         "# TYPE switchboard_live_contacts gauge\nswitchboard_live_contacts "
      << v.engine.live_contact_count() << '\n';
  });
  HttpResponse r;
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  r.body = o.str();
  return r;
}

}  // namespace sb::api
