#pragma once
// The API application: authentication (session cookie + CSRF, or Bearer API key), the role check
// of every route (deny by default), the /api/v1 handlers of docs/api.md, the web app's static
// files, /metrics, and the live WebSocket channels. It owns no routing state: commands go to the
// CenterService and answers are read back from it.

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "accounts/accounts.h"
#include "alerts/evaluator.h"
#include "api/adherence_monitor.h"
#include "api/alert_monitor.h"
#include "api/directory.h"
#include "api/http_server.h"
#include "api/json_model.h"
#include "api/router.h"
#include "flows/flow_runtime.h"
#include "flows/flow_store.h"
#include "reports/report_query.h"
#include "reports/time_zone.h"
#include "service/center_service.h"
#include "wfm/staffing.h"
#include "wfmstore/forecast_store.h"
#include "wfmstore/rules_store.h"
#include "wfmstore/schedule_store.h"

namespace sb::api {

struct ApiOptions {
  std::string web_root;         // directory with the built web app (index.html); empty = none
  bool secure_cookies = false;  // add `Secure` to the session cookie (TLS deployments)
  int worker_threads = 2;       // continuations after durable commands
  std::string flows_dir;        // flow versions (<data dir>/flows); empty = in memory only
  AlertMonitorOptions alerts;   // alerts.db path (default in memory), period, webhook
  std::string wfm_db_path;      // forecasts and schedules (<data dir>/wfm.db); empty = in memory
  AdherenceOptions adherence;   // grace threshold, live period (src/adherence)
  // The center's local time zone: default for planning grids (schedules) and the days of
  // adherence history (docs/scheduling.md, docs/metrics.md).
  reports::TimeZone time_zone = reports::TimeZone::utc();
};

class LiveHub;
struct BotSession;

// The voice gateway's part of the API, set by the composition root when SIP is on (src/voice).
// Unset: recording lists are empty, pause/resume answer 409, voice stats say enabled: false.
struct VoiceHooks {
  std::function<Result<json>(ContactId)> recordings;
  std::function<Result<std::string>(ContactId, const std::string& name)> recording_path;
  std::function<Status(ContactId, bool paused)> set_recording_paused;
  std::function<json()> stats;
  // Silent monitor by the SIP user `user` (the supervisor's username): start rings their phone.
  std::function<Status(ContactId, const std::string& user)> start_monitor;
  std::function<Status(ContactId, const std::string& user)> stop_monitor;
};

class ApiApp final : public Dispatcher {
 public:
  ApiApp(service::CenterService& service, accounts::Accounts& accounts, Directory& directory,
         const Clock& clock, ApiOptions options);
  ~ApiApp() override;

  void handle(HttpRequest req, Reply reply) override;
  std::shared_ptr<WsHandler> accept_websocket(const HttpRequest& req,
                                              HttpResponse& refusal) override;

  const Router& router() const { return router_; }
  // Where /metrics reads the HTTP server's figures from (set by the composition root).
  void set_http_stats(std::function<HttpServerStats()> source) { http_stats_ = std::move(source); }
  // Connects the voice gateway (before the HTTP server starts).
  void set_voice(VoiceHooks hooks);
  // Stops the live hub's thread; called before the service stops.
  void stop();
  // The flow definitions (the bot API's, and the voice gateway's IVR flows).
  flows::FlowStore& flow_store();

  // Seeds the built-in reason codes (1..7) into the directory if missing.
  Status seed_directory();

  // The reports read model the /api/v1/reports routes query: the one the service maintains
  // (CenterService::reports()) unless replaced here. None: those routes answer 503.
  void set_report_store(reports::ReportStore* store) { reports_ = store; }

  // Whether the alert monitor started (its store opened); alert routes answer 503 otherwise.
  const Status& alerts_status() const { return alerts_status_; }
  AlertMonitor* alert_monitor() { return alerts_.get(); }

  // Workforce planning storage (wfm.db): published schedules and forecasts. Null when it could
  // not be opened (wfm_status() says why; the /api/v1/wfm routes answer 503).
  wfmstore::ScheduleStore* schedule_store() { return schedules_.get(); }
  wfmstore::ForecastStore* forecast_store() { return forecasts_.get(); }
  const Status& wfm_status() const { return wfm_status_; }
  // Where adherence reads the published schedules (the composition root connects the schedule
  // store). Unset: nobody is scheduled, the RTA board is empty.
  void set_schedule_source(ScheduleSource source);
  AdherenceMonitor* adherence_monitor() { return adherence_.get(); }

 private:
  // Authentication: the principal of a request, or the 401/403 to answer.
  std::optional<HttpResponse> authenticate(const HttpRequest& req,
                                           std::optional<accounts::Principal>& out);
  void serve_static(const HttpRequest& req, const Reply& reply);
  HttpResponse metrics_text();

  void register_auth_routes();
  void register_user_routes();
  void register_config_routes();
  void register_directory_routes();
  void register_contact_routes();
  void register_agent_routes();
  void register_stats_routes();
  void register_flow_routes();
  void stop_flows();
  // The text-bot host (routes_flows.cpp): carries out a FlowSession's actions.
  void bot_drive(const std::shared_ptr<BotSession>& s, flows::Actions actions,
                 std::function<void()> done);
  void bot_enqueue(const std::shared_ptr<BotSession>& s, flows::act::Enqueue e,
                   std::function<void()> done);
  void bot_fire_due(const std::shared_ptr<BotSession>& s, std::function<void()> done);
  json bot_session_json(BotSession& s, bool all_messages);
  std::shared_ptr<BotSession> find_bot_session(const std::string& id);
  void register_voice_routes();
  void register_alert_routes();
  void register_report_routes();
  void register_wfm_routes();
  Status open_wfm_stores();
  void register_wfm_rules_routes();  // stored scheduling rules (routes_wfm_rules.cpp)
  void register_wfm_sim_routes();    // staffing by simulation (routes_wfm_sim.cpp)
  void register_adherence_routes();
  // The RTA board's rows (worst first), for the API and the supervisor channel.
  json adherence_live_json(const AdherenceMonitor::Snapshot& snapshot);
  void deliver_adherence(const std::vector<adherence::Transition>& transitions,
                         const std::vector<adherence::AgentStatus>& live, Millis now);
  // Team name of every agent in a team (from the directory).
  std::map<AgentId, std::string> team_of_agents();
  Result<wfm::PatienceEstimate> estimate_patience(const wfmstore::StoredForecast& f);
  // The report request of a /api/v1/reports query string; nullopt with the 400 in `bad`.
  std::optional<reports::ReportRequest> report_request(const HttpRequest& req, bool distributions,
                                                       HttpResponse& bad);

  // Runs `command` and continues on a worker thread once it is durable (or refused).
  void run_command(Command command, std::function<void(service::CommandResult)> then);
  // Runs `commands` one after the other, stopping at the first refusal.
  void run_commands(std::vector<Command> commands, std::function<void(Status)> then);
  // Runs `fn` on a worker thread.
  void post_work(std::function<void()> fn);
  // A contact as the engine held it at one moment (view empty once it left the engine).
  struct ContactNow {
    ContactId id = kNoContact;
    std::optional<ContactView> view;
    std::optional<Millis> ewt;  // queued contacts: the estimated wait
  };
  static ContactNow read_contact(const service::LiveView& v, ContactId id);
  // Like run_command, and hands `then` the contact `id` as it was once the command's events were
  // durable (read on the service thread, so the worker needs no second trip to the engine).
  void run_contact_command(Command command, ContactId id,
                           std::function<void(service::CommandResult, ContactNow)> then);
  // The answer to a contact action once its command ran: the wrap-up record made durable first,
  // then the contact as `now` holds it; a refused command answers 409 (or the refusal's status).
  void finish_contact_action(ContactId cid, const std::optional<json>& wrap_record,
                             service::CommandResult result, ContactNow now, Reply reply);
  // The contact as JSON, or NotFound once it left the engine.
  Result<json> contact_json(ContactId id);
  Result<json> contact_json(const ContactNow& now);
  // Adds "offer_expires_at" to an offered contact's JSON (from the live hub's ringing offers).
  void add_offer_expiry(json& contact);
  // Whether `principal` may see/act on the contact (agents: only their own).
  bool may_touch_contact(const accounts::Principal& p, const ContactView& c) const;
  std::string agent_name(const CenterConfig& config, AgentId id) const;
  std::string reason_label(ReasonId id);
  void audit(const accounts::Principal* p, const HttpRequest& req, const std::string& action,
             const std::string& target, const std::string& detail);
  CenterConfig configuration();
  // The configuration, cached between configuration events: the hot paths (creating a contact,
  // live pushes, agent state) must not copy a 2,000-agent configuration per request.
  std::shared_ptr<const CenterConfig> config_snapshot();
  json queue_stats_json();
  json agent_states_json();
  // The figures alert rules watch (see docs/alerts.md) and the active alerts as JSON.
  alerts::Sample live_alert_sample(Millis now);
  std::vector<alerts::Sample> closed_alert_intervals(Millis after_end, Millis now);
  json active_alerts_json();

  service::CenterService& service_;
  accounts::Accounts& accounts_;
  Directory& directory_;
  const Clock& clock_;
  ApiOptions options_;
  Router router_;
  std::mutex config_mu_;  // serialises configuration writes (ids are dense and assigned here)
  std::function<HttpServerStats()> http_stats_;
  VoiceHooks voice_;
  std::unique_ptr<LiveHub> hub_;
  struct FlowsState;
  std::shared_ptr<FlowsState> flows_;
  std::unique_ptr<AlertMonitor> alerts_;
  reports::ReportStore* reports_ = nullptr;
  std::unique_ptr<wfmstore::ScheduleStore> schedules_;
  std::unique_ptr<wfmstore::ForecastStore> forecasts_;
  std::unique_ptr<wfmstore::RulesStore> rules_;
  Status wfm_status_;
  // One staffing simulation at a time: it keeps a worker thread busy for seconds.
  std::atomic<bool> simulation_running_{false};
  std::unique_ptr<AdherenceMonitor> adherence_;
  Status adherence_status_;
  Millis last_adherence_push_ = 0;  // guarded by the monitor's tick lock (deliver runs under it)
  Status alerts_status_;
  std::mutex config_cache_mu_;
  std::shared_ptr<const CenterConfig> config_cache_;
  std::uint64_t config_cache_generation_ = 0;
  std::atomic<std::uint64_t> config_generation_{1};  // bumped by every configuration event
  service::SubscriptionId config_subscription_ = 0;
  // The hub closes the WebSockets of revoked credentials (accounts::RevocationListener).
  std::uint64_t revocation_listener_ = 0;
  struct Workers;
  std::unique_ptr<Workers> workers_;
  std::atomic<std::uint64_t> problems_5xx_{0};

  friend class LiveHub;
};

}  // namespace sb::api
