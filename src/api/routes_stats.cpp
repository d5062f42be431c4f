// Routes: live statistics per queue, channel, agent and team; the WebSocket upgrade.

#include <map>

#include "api/api_app.h"
#include "api/live_hub.h"
#include "api/route_util.h"

namespace sb::api {

namespace {
json today_json(const metrics::KpiSummary& s) {
  return {{"offered", s.offered},
          {"handled", s.handled},
          {"abandoned", s.abandoned},
          {"service_level", s.service_level},
          {"asa_s", s.asa_s},
          {"aht_s", s.aht_s},
          {"abandon_rate", s.abandon_rate}};
}
}  // namespace

json ApiApp::queue_stats_json() {
  json items = json::array();
  const std::shared_ptr<const CenterConfig> config = config_snapshot();
  const CenterConfig& c = *config;
  service_.read([&](const service::LiveView& v) {
    // Members by activity, per queue.
    std::map<QueueId, std::map<std::string, int>> by_activity;
    for (const auto& a : c.agents) {
      auto view = v.engine.agent(a.id);
      if (!view.ok()) continue;
      const std::string activity = agent_activity(*view);
      for (const auto& m : a.queues) by_activity[m.queue][activity]++;
    }
    for (const auto& q : c.queues) {
      auto qv = v.engine.queue(q.id);
      if (!qv.ok()) continue;
      auto& acts = by_activity[q.id];
      const double longest =
          qv->oldest_enqueued_at == kNever
              ? 0.0
              : seconds_from_millis(std::max<Millis>(0, v.now - qv->oldest_enqueued_at));
      items.push_back({{"queue", q.id},
                       {"name", q.name},
                       {"waiting", qv->waiting},
                       {"longest_wait_s", longest},
                       {"agents",
                        {{"logged_in", qv->agents_logged_in},
                         {"available", qv->agents_available},
                         {"idle", qv->agents_idle},
                         {"busy", acts["busy"] + acts["ringing"] + acts["wrap_up"]},
                         {"not_ready", acts["not_ready"]}}},
                       {"today", today_json(v.today().queue(q.id))}});
    }
  });
  return items;
}

json ApiApp::agent_states_json() {
  std::vector<AgentView> views;
  const std::shared_ptr<const CenterConfig> config = config_snapshot();
  const CenterConfig& c = *config;
  service_.read([&](const service::LiveView& v) {
    for (const auto& a : c.agents) {
      auto view = v.engine.agent(a.id);
      if (view.ok()) views.push_back(*view);
    }
  });
  json items = json::array();
  for (const auto& view : views)
    items.push_back(agent_state_to_json(view, agent_name(c, view.id), reason_label(view.reason)));
  return items;
}

void ApiApp::register_stats_routes() {
  constexpr unsigned kStatsReaders = kAdmin | kSupervisor | kAnalyst;
  router_.add("GET", "/api/v1/stats/queues", kStatsReaders, "Live statistics per queue",
              [this](RouteContext&, Reply reply) {
                reply(json_response({{"items", queue_stats_json()}}));
              });
  router_.add("GET", "/api/v1/stats/agents", kStatsReaders, "Every agent's state",
              [this](RouteContext&, Reply reply) {
                reply(json_response({{"items", agent_states_json()}}));
              });
  router_.add("GET", "/api/v1/stats/channels", kStatsReaders, "Live statistics per channel",
              [this](RouteContext&, Reply reply) {
                struct Row {
                  std::uint64_t waiting = 0;
                  Millis oldest = kNever;
                  metrics::KpiSummary today;
                  bool seen = false;
                };
                std::map<Channel, Row> rows;
                Millis now = 0;
                service_.read([&](const service::LiveView& v) {
                  now = v.now;
                  const CenterConfig c = v.engine.configuration();
                  for (const auto& q : c.queues) {
                    for (ContactId id : v.engine.waiting_contacts(q.id)) {
                      auto cv = v.engine.contact(id);
                      if (!cv.ok()) continue;
                      Row& r = rows[cv->channel];
                      r.waiting++;
                      r.oldest = std::min(r.oldest, cv->enqueued_at);
                    }
                  }
                });
                json items = json::array();
                for (int ch = 0; ch < kChannelCount; ++ch) {
                  const Row& r = rows[static_cast<Channel>(ch)];
                  items.push_back(
                      {{"channel", std::string(channel_name(static_cast<Channel>(ch)))},
                       {"waiting", r.waiting},
                       {"longest_wait_s", r.oldest == kNever ? 0.0
                                                             : seconds_from_millis(std::max<Millis>(
                                                                   0, now - r.oldest))}});
                }
                reply(json_response({{"items", items}}));
              });
  router_.add(
      "GET", "/api/v1/stats/teams", kStatsReaders, "Agents by activity per team",
      [this](RouteContext&, Reply reply) {
        auto teams = directory_.list("team");
        if (!teams.ok()) return reply(problem_from_status(teams.status()));
        std::map<AgentId, std::string> activity;
        service_.read([&](const service::LiveView& v) {
          for (const auto& a : v.engine.configuration().agents) {
            auto view = v.engine.agent(a.id);
            if (view.ok()) activity[a.id] = agent_activity(*view);
          }
        });
        json items = json::array();
        for (const auto& t : *teams) {
          json counts = {{"offline", 0}, {"idle", 0},    {"ringing", 0},
                         {"busy", 0},    {"wrap_up", 0}, {"not_ready", 0}};
          if (t.contains("agents"))
            for (const auto& a : t["agents"]) {
              auto it = activity.find(a.get<AgentId>());
              if (it != activity.end()) counts[it->second] = counts[it->second].get<int>() + 1;
            }
          items.push_back({{"team", t["id"]}, {"name", t.value("name", "")}, {"agents", counts}});
        }
        reply(json_response({{"items", items}}));
      });
  // The upgrade itself is handled by accept_websocket; this entry documents the route and
  // answers plain GETs.
  router_.add("GET", "/api/v1/ws", kAnyRole, "WebSocket: live agent and supervisor channels",
              [](RouteContext&, Reply reply) {
                reply(problem(426, "upgrade-required", "Upgrade required",
                              "connect with a WebSocket client"));
              });
}

std::shared_ptr<WsHandler> ApiApp::accept_websocket(const HttpRequest& req, HttpResponse& refusal) {
  if (req.path != "/api/v1/ws") {
    refusal = not_found("no WebSocket endpoint at " + req.path);
    return nullptr;
  }
  // A browser cannot set headers on a WebSocket, so cookie sessions are accepted without a CSRF
  // token here; the Origin check below stops other sites from riding the cookie.
  std::optional<accounts::Principal> p;
  HttpRequest as_get = req;
  as_get.method = "GET";
  if (auto r = authenticate(as_get, p)) {
    refusal = *r;
    return nullptr;
  }
  if (p->via == accounts::Principal::Via::kSession) {
    const std::string* origin = req.header("origin");
    const std::string* host = req.header("host");
    if (origin != nullptr && host != nullptr) {
      const std::string o = *origin;
      const std::size_t scheme = o.find("://");
      const std::string origin_host = scheme == std::string::npos ? o : o.substr(scheme + 3);
      if (origin_host != *host) {
        refusal = forbidden("cross-origin WebSocket refused");
        return nullptr;
      }
    }
  }
  return hub_->make_handler(*p);
}

}  // namespace sb::api
