#include "api/live_hub.h"

#include <chrono>
#include <cstdio>
#include <exception>

#include "api/api_app.h"
#include "api/json_model.h"

namespace sb::api {

class LiveHub::Handler final : public WsHandler {
 public:
  Handler(LiveHub& hub, accounts::Principal p) : hub_(hub), principal_(std::move(p)) {}
  void on_open(std::shared_ptr<WsConnection> conn) override { hub_.on_open(conn, principal_); }
  void on_message(const std::shared_ptr<WsConnection>& conn, const std::string& text) override {
    hub_.on_message(conn, text);
  }
  void on_close(const std::shared_ptr<WsConnection>& conn) override { hub_.on_close(conn); }

 private:
  LiveHub& hub_;
  accounts::Principal principal_;
};

LiveHub::LiveHub(ApiApp& app) : app_(app) {
  // Applied, not durable: an offer reaches the agent without waiting for the log's fsync (see
  // service::Delivery); on_events only queues the work for this hub's thread.
  subscription_ = app_.service_.subscribe(
      [this](std::span<const Event> events) { on_events(events); }, service::Delivery::kApplied);
  thread_ = std::thread([this] { run(); });
}

LiveHub::~LiveHub() { stop(); }

void LiveHub::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  app_.service_.unsubscribe(subscription_);
  std::map<std::uint64_t, Client> clients;
  {
    std::lock_guard lock(mu_);
    clients.swap(clients_);
    agent_sockets_.clear();
    session_expiries_.clear();
  }
  for (auto& [id, c] : clients) c.conn->close();
}

std::shared_ptr<WsHandler> LiveHub::make_handler(accounts::Principal principal) {
  return std::make_shared<Handler>(*this, std::move(principal));
}

void LiveHub::on_events(std::span<const Event> events) {
  Pending add;
  std::vector<ContactId> wanted_contacts;
  std::vector<AgentId> wanted_agents;
  {
    std::lock_guard lock(mu_);
    for (const Event& e : events) {
      std::visit(
          [&](const auto& x) {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, ev::ContactOffered>) {
              ringing_[x.contact][x.agent] = x.expires_at;
              add.offers.push_back({x.contact, x.agent, x.expires_at});
              add.agents.insert(x.agent);
            } else if constexpr (std::is_same_v<T, ev::OfferRejected> ||
                                 std::is_same_v<T, ev::OfferTimedOut> ||
                                 std::is_same_v<T, ev::OfferRescinded>) {
              const char* reason = std::is_same_v<T, ev::OfferRejected>   ? "rejected"
                                   : std::is_same_v<T, ev::OfferTimedOut> ? "timed_out"
                                                                          : "rescinded";
              auto it = ringing_.find(x.contact);
              if (it != ringing_.end()) {
                it->second.erase(x.agent);
                if (it->second.empty()) ringing_.erase(it);
              }
              add.withdrawn.push_back({x.contact, x.agent, reason});
              add.agents.insert(x.agent);
            } else if constexpr (std::is_same_v<T, ev::ContactAbandoned>) {
              auto it = ringing_.find(x.contact);
              if (it != ringing_.end()) {
                for (const auto& [agent, expiry] : it->second) {
                  add.withdrawn.push_back({x.contact, agent, "abandoned"});
                  add.agents.insert(agent);
                }
                ringing_.erase(it);
              }
            } else if constexpr (std::is_same_v<T, ev::OfferAccepted>) {
              auto it = ringing_.find(x.contact);
              if (it != ringing_.end()) {
                it->second.erase(x.agent);
                if (it->second.empty()) ringing_.erase(it);
              }
            } else if constexpr (std::is_same_v<T, ev::ContactConnected> ||
                                 std::is_same_v<T, ev::HoldStarted> ||
                                 std::is_same_v<T, ev::HoldEnded> ||
                                 std::is_same_v<T, ev::ContactEnded>) {
              add.changes.push_back({x.contact, x.agent, false});
              add.agents.insert(x.agent);
            } else if constexpr (std::is_same_v<T, ev::WrapUpEnded>) {
              add.changes.push_back({x.contact, x.agent, true});
              add.agents.insert(x.agent);
            } else if constexpr (std::is_same_v<T, ev::ContactTransferred>) {
              if (x.from_agent != kNoId) {
                add.changes.push_back({x.contact, x.from_agent, false});
                add.agents.insert(x.from_agent);
              }
            } else if constexpr (std::is_same_v<T, ev::AgentLoggedIn> ||
                                 std::is_same_v<T, ev::AgentLoggedOut> ||
                                 std::is_same_v<T, ev::AgentStateChanged>) {
              add.agents.insert(x.agent);
            }
          },
          e.payload);
    }
    // Views only for agents with a socket: no engine reads for nobody.
    auto listening = [&](AgentId a) { return agent_sockets_.contains(a); };
    for (const auto& o : add.offers)
      if (listening(o.agent)) wanted_contacts.push_back(o.contact);
    for (const auto& ch : add.changes)
      if (!ch.ended && listening(ch.agent)) wanted_contacts.push_back(ch.contact);
    for (AgentId a : add.agents)
      if (listening(a)) wanted_agents.push_back(a);
  }
  if (!wanted_contacts.empty() || !wanted_agents.empty()) {
    // This listener runs on the engine thread, so read() runs at once, with the state right after
    // these events.
    app_.service_.read([&](const service::LiveView& v) {
      for (ContactId id : wanted_contacts) {
        auto c = v.engine.contact(id);
        if (c.ok()) add.contact_views.insert_or_assign(id, *std::move(c));
      }
      for (AgentId a : wanted_agents) {
        auto view = v.engine.agent(a);
        if (view.ok()) add.agent_views.insert_or_assign(a, *std::move(view));
      }
    });
  }
  std::lock_guard lock(mu_);
  auto append = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  append(pending_.offers, add.offers);
  append(pending_.withdrawn, add.withdrawn);
  append(pending_.changes, add.changes);
  pending_.agents.insert(add.agents.begin(), add.agents.end());
  for (auto& [id, c] : add.contact_views) pending_.contact_views.insert_or_assign(id, std::move(c));
  for (auto& [a, view] : add.agent_views) pending_.agent_views.insert_or_assign(a, std::move(view));
  supervisor_dirty_ = true;
  cv_.notify_all();
}

void LiveHub::run() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::milliseconds(kSupervisorPeriod / 2),
                 [&] { return stopping_ || !pending_.empty(); });
    if (stopping_) break;
    Pending work;
    std::swap(work, pending_);
    const Millis now = app_.clock_.now();
    const bool supervisor_due =
        supervisor_dirty_ && now - last_supervisor_push_ >= kSupervisorPeriod;
    std::vector<Expiring> expiring = take_expiring_locked(now);
    lock.unlock();
    // A failure to build one push (a bug) must not end live updates for everyone.
    try {
      if (!expiring.empty()) recheck_sessions(expiring, now);
      if (!work.empty()) push_agent_work(std::move(work));
      if (supervisor_due) push_supervisor(false);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "switchboard: live push failed: %s\n", e.what());
    }
    lock.lock();
  }
}

void LiveHub::send_to_agent(AgentId agent, const std::string& message) {
  std::vector<std::shared_ptr<WsConnection>> targets;
  {
    std::lock_guard lock(mu_);
    auto it = agent_sockets_.find(agent);
    if (it != agent_sockets_.end()) targets = it->second;
  }
  for (auto& t : targets) t->send(message);
}

void LiveHub::drop_agent_socket_locked(const Client& c) {
  if (c.channel != Channel::kAgent || !c.principal.user.agent_id) return;
  auto it = agent_sockets_.find(*c.principal.user.agent_id);
  if (it == agent_sockets_.end()) return;
  std::erase(it->second, c.conn);
  if (it->second.empty()) agent_sockets_.erase(it);
}

const std::string& LiveHub::agent_name(const std::shared_ptr<const CenterConfig>& config,
                                       AgentId agent) {
  if (config != names_of_) {
    agent_names_.clear();
    for (const auto& a : config->agents) agent_names_.emplace(a.id, a.name);
    names_of_ = config;
  }
  auto it = agent_names_.find(agent);
  if (it == agent_names_.end())
    it = agent_names_.emplace(agent, app_.agent_name(*config, agent)).first;
  return it->second;
}

void LiveHub::push_agent_work(Pending work) {
  // Which agents still have a socket: no JSON for nobody.
  std::set<AgentId> listening;
  {
    std::lock_guard lock(mu_);
    auto add = [&](AgentId a) {
      if (agent_sockets_.contains(a)) listening.insert(a);
    };
    for (const auto& o : work.offers) add(o.agent);
    for (const auto& w : work.withdrawn) add(w.agent);
    for (const auto& ch : work.changes) add(ch.agent);
    for (AgentId a : work.agents) add(a);
  }
  if (listening.empty()) return;

  std::unordered_map<ContactId, json> contacts;
  for (auto& [id, view] : work.contact_views) {
    json c = contact_to_json(view, std::nullopt);
    c["attributes"] = app_.directory_.contact_attributes(id);
    contacts.emplace(id, std::move(c));
  }
  std::map<AgentId, json> states;
  const std::shared_ptr<const CenterConfig> config = app_.config_snapshot();
  for (AgentId a : work.agents) {
    if (!listening.count(a)) continue;
    auto view = work.agent_views.find(a);
    if (view == work.agent_views.end()) continue;  // no socket when the events happened
    json j = agent_state_to_json(view->second, "", "");
    j["name"] = agent_name(config, a);
    if (!j["reason"].is_null()) j["reason_name"] = app_.reason_label(view->second.reason);
    states.emplace(a, std::move(j));
  }

  // One frame per agent and round: what one command changed (an offer and the agent's state, a
  // contact and the state) reaches the desktop together, at the cost of one send.
  std::unordered_map<AgentId, std::vector<std::string>> outbox;
  for (const auto& o : work.offers) {
    if (!listening.count(o.agent)) continue;
    auto it = contacts.find(o.contact);
    if (it == contacts.end()) continue;  // gone already (abandoned while the event travelled)
    outbox[o.agent].push_back(
        json{{"type", "offer"}, {"contact", it->second}, {"expires_at", o.expires_at}}.dump());
  }
  for (const auto& w : work.withdrawn) {
    if (!listening.count(w.agent)) continue;
    outbox[w.agent].push_back(
        json{{"type", "offer_withdrawn"}, {"contact", w.contact}, {"reason", w.reason}}.dump());
  }
  for (const auto& ch : work.changes) {
    if (!listening.count(ch.agent)) continue;
    json contact;
    auto it = contacts.find(ch.contact);
    if (ch.ended || it == contacts.end()) {
      contact = {{"id", ch.contact}, {"state", "ended"}, {"agent", ch.agent}};
    } else {
      contact = it->second;
    }
    outbox[ch.agent].push_back(json{{"type", "contact"}, {"contact", contact}}.dump());
  }
  for (auto& [a, j] : states) outbox[a].push_back(json{{"type", "state"}, {"agent", j}}.dump());
  for (auto& [a, messages] : outbox) send_to_agent(a, batch_message(std::move(messages)));
}

std::string LiveHub::batch_message(std::vector<std::string> messages) {
  if (messages.size() == 1) return std::move(messages.front());
  // Each part is a serialised JSON object already: joined, not parsed and dumped again.
  std::size_t size = 32;
  for (const auto& m : messages) size += m.size() + 1;
  std::string out;
  out.reserve(size);
  out += R"({"type":"batch","messages":[)";
  for (std::size_t i = 0; i < messages.size(); ++i) {
    if (i > 0) out += ',';
    out += messages[i];
  }
  out += "]}";
  return out;
}

void LiveHub::push_supervisor(bool force_to_new_only) {
  (void)force_to_new_only;
  bool any = false;
  {
    std::lock_guard lock(mu_);
    supervisor_dirty_ = false;
    last_supervisor_push_ = app_.clock_.now();
    for (auto& [id, c] : clients_) any = any || c.channel == Channel::kSupervisor;
  }
  if (!any) return;
  const std::string queues = json{{"type", "queues"}, {"items", app_.queue_stats_json()}}.dump();
  const std::string agents = json{{"type", "agents"}, {"items", app_.agent_states_json()}}.dump();
  std::vector<std::shared_ptr<WsConnection>> targets;
  bool send_queues = false;
  bool send_agents = false;
  {
    std::lock_guard lock(mu_);
    send_queues = queues != last_queues_;
    send_agents = agents != last_agents_;
    last_queues_ = queues;
    last_agents_ = agents;
    for (auto& [id, c] : clients_)
      if (c.channel == Channel::kSupervisor) targets.push_back(c.conn);
  }
  for (auto& t : targets) {
    if (send_queues) t->send(queues);
    if (send_agents) t->send(agents);
  }
}

void LiveHub::broadcast_supervisor(const std::string& message) {
  std::vector<std::shared_ptr<WsConnection>> targets;
  {
    std::lock_guard lock(mu_);
    for (auto& [id, c] : clients_)
      if (c.channel == Channel::kSupervisor) targets.push_back(c.conn);
  }
  for (auto& t : targets) t->send(message);
}

bool LiveHub::has_supervisors() {
  std::lock_guard lock(mu_);
  for (auto& [id, c] : clients_)
    if (c.channel == Channel::kSupervisor) return true;
  return false;
}

void LiveHub::on_open(const std::shared_ptr<WsConnection>& conn, const accounts::Principal& p) {
  {
    std::lock_guard lock(mu_);
    Client& c = clients_[conn->id()] = Client{conn, p, Channel::kNone, std::nullopt};
    if (p.via == accounts::Principal::Via::kSession) {
      c.session_expires_at = p.session_expires_at;
      session_expiries_.emplace(p.session_expires_at, conn->id());
    }
  }
  // Registered first, checked second: a revocation that committed after the upgrade authenticated
  // but before the registration is seen here; one after the check finds the socket registered.
  Status still = app_.accounts_.check_principal(p);
  if (still.code() == StatusCode::kNotFound) {
    close_as_revoked(conn, "credentials revoked: " + still.message());
  } else if (!still.ok()) {  // fail closed: the client reconnects once the database answers
    close_as_revoked(conn, "could not check the credentials: " + still.message());
  }
}

void LiveHub::close_revoked(const accounts::Revocation& r) {
  std::vector<std::shared_ptr<WsConnection>> ended;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, c] : clients_)
      if (r.covers(c.principal)) ended.push_back(c.conn);
  }
  for (const auto& conn : ended) close_as_revoked(conn, "credentials revoked: " + r.reason);
}

void LiveHub::close_as_revoked(const std::shared_ptr<WsConnection>& conn,
                               const std::string& reason) {
  {
    std::lock_guard lock(mu_);
    auto it = clients_.find(conn->id());
    if (it == clients_.end()) return;
    forget_locked(it);
  }
  conn->close(WsCloseCode::kPolicyViolation, reason);
}

void LiveHub::on_close(const std::shared_ptr<WsConnection>& conn) {
  std::lock_guard lock(mu_);
  auto it = clients_.find(conn->id());
  if (it != clients_.end()) forget_locked(it);
}

void LiveHub::forget_locked(std::map<std::uint64_t, Client>::iterator it) {
  drop_agent_socket_locked(it->second);
  if (it->second.session_expires_at)
    session_expiries_.erase({*it->second.session_expires_at, it->first});
  clients_.erase(it);
}

std::vector<LiveHub::Expiring> LiveHub::take_expiring_locked(Millis now) {
  std::vector<Expiring> due;
  while (!session_expiries_.empty() && session_expiries_.begin()->first <= now) {
    const std::uint64_t id = session_expiries_.begin()->second;
    session_expiries_.erase(session_expiries_.begin());
    Client& c = clients_.at(id);   // forget_locked erases both together
    c.session_expires_at.reset();  // until the re-check puts it back
    due.push_back({c.conn, c.principal.session_or_key_id});
  }
  return due;
}

void LiveHub::recheck_sessions(const std::vector<Expiring>& due, Millis now) {
  for (const Expiring& e : due) {
    // One indexed read per socket and expiry, not per message: the session usually slid (the
    // web app's requests) and the socket goes back to waiting for the new expiry.
    Result<Millis> expiry = app_.accounts_.session_expiry(e.session);
    if (expiry.ok() && *expiry > now) {
      std::lock_guard lock(mu_);
      auto it = clients_.find(e.conn->id());
      if (it == clients_.end()) continue;  // closed meanwhile
      it->second.session_expires_at = *expiry;
      session_expiries_.emplace(*expiry, it->first);
    } else if (expiry.ok() || expiry.status().code() == StatusCode::kNotFound) {
      // Gone is expired too: logins purge expired sessions, and a logout closed its sockets.
      close_as_revoked(e.conn, "session expired");
    } else {  // fail closed, as on_open: the client reconnects once the database answers
      close_as_revoked(e.conn, "could not check the credentials: " + expiry.status().message());
    }
  }
}

Millis LiveHub::offer_expiry(ContactId contact, AgentId agent) {
  std::lock_guard lock(mu_);
  auto it = ringing_.find(contact);
  if (it == ringing_.end()) return 0;
  auto a = it->second.find(agent);
  return a == it->second.end() ? 0 : a->second;
}

void LiveHub::send_agent_snapshot(const std::shared_ptr<WsConnection>& conn, AgentId agent) {
  std::optional<AgentView> view;
  std::vector<ContactView> contacts;
  CenterConfig config;
  app_.service_.read([&](const service::LiveView& v) {
    auto a = v.engine.agent(agent);
    if (!a.ok()) return;
    view = *a;
    config = v.engine.configuration();
    for (ContactId id : a->contacts) {
      auto c = v.engine.contact(id);
      if (c.ok()) contacts.push_back(*c);
    }
  });
  if (!view) {
    conn->send(
        json{{"type", "error"}, {"status", 404}, {"detail", "your agent does not exist"}}.dump());
    return;
  }
  conn->send(json{{"type", "state"},
                  {"agent", agent_state_to_json(*view, app_.agent_name(config, agent),
                                                app_.reason_label(view->reason))}}
                 .dump());
  for (const auto& c : contacts) {
    json j = contact_to_json(c, std::nullopt);
    j["attributes"] = app_.directory_.contact_attributes(c.id);
    if (c.phase == ContactPhase::kOffered && c.agent == kNoId) {
      conn->send(json{{"type", "offer"}, {"contact", j}, {"expires_at", offer_expiry(c.id, agent)}}
                     .dump());
    } else {
      conn->send(json{{"type", "contact"}, {"contact", j}}.dump());
    }
  }
}

void LiveHub::on_message(const std::shared_ptr<WsConnection>& conn, const std::string& text) {
  auto error = [&](int status, const std::string& detail) {
    conn->send(json{{"type", "error"}, {"status", status}, {"detail", detail}}.dump());
  };
  json msg = json::parse(text, nullptr, false);
  if (msg.is_discarded() || !msg.is_object() || !msg.contains("type") || !msg["type"].is_string())
    return error(400, "send a JSON object with a string 'type'");
  const std::string type = msg["type"].get<std::string>();
  if (type == "ping") return conn->send(json{{"type", "pong"}}.dump());
  if (type != "subscribe") return error(400, "unknown message type '" + type + "'");
  const std::string channel = msg.value("channel", "");
  accounts::Principal principal;
  {
    std::lock_guard lock(mu_);
    auto it = clients_.find(conn->id());
    if (it == clients_.end()) return;
    principal = it->second.principal;
  }
  const accounts::Role role = principal.user.role;
  Channel wanted = Channel::kNone;
  if (channel == "agent") {
    if (role != accounts::Role::kAgent && !principal.user.agent_id)
      return error(403, "the agent channel is for users linked to an agent");
    if (!principal.user.agent_id) return error(403, "your user is not linked to an agent");
    wanted = Channel::kAgent;
  } else if (channel == "supervisor") {
    if (role == accounts::Role::kAgent)
      return error(403, "the supervisor channel is not for agents");
    wanted = Channel::kSupervisor;
  } else {
    return error(400, "channel must be 'agent' or 'supervisor'");
  }
  {
    std::lock_guard lock(mu_);
    auto it = clients_.find(conn->id());
    if (it == clients_.end()) return;
    drop_agent_socket_locked(it->second);
    it->second.channel = wanted;
    if (wanted == Channel::kAgent) agent_sockets_[*principal.user.agent_id].push_back(conn);
  }
  conn->send(json{{"type", "subscribed"}, {"channel", channel}}.dump());
  if (wanted == Channel::kAgent) {
    send_agent_snapshot(conn, *principal.user.agent_id);
  } else {
    conn->send(json{{"type", "queues"}, {"items", app_.queue_stats_json()}}.dump());
    conn->send(json{{"type", "agents"}, {"items", app_.agent_states_json()}}.dump());
    conn->send(json{{"type", "alerts"}, {"items", app_.active_alerts_json()}}.dump());
    if (app_.adherence_ != nullptr) {
      auto snapshot = app_.adherence_->live();
      if (snapshot.ok())
        conn->send(
            json{{"type", "adherence"}, {"rta", app_.adherence_live_json(*snapshot)}}.dump());
    }
  }
}

}  // namespace sb::api
