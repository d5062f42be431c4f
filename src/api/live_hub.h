#pragma once
// Live push over WebSocket. The hub listens to the service's durable events and turns them into
// the agent channel (offers, withdrawn offers, contact changes, own state) and the supervisor
// channel (queue statistics and the agent list, at most every 500 ms and only when changed).
//
// The event listener runs on the engine thread as soon as the engine applied the events
// (Delivery::kApplied): it records what changed and copies the engine's views of the contacts and
// agents concerned, and the hub's own thread turns them into JSON and sends, without waiting for
// the engine. Offers are pushed at once, without the 500 ms throttle.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "accounts/accounts.h"
#include "api/http_server.h"
#include "base/time.h"
#include "domain/events.h"
#include "service/center_service.h"

namespace sb::api {

class ApiApp;

class LiveHub {
 public:
  explicit LiveHub(ApiApp& app);
  ~LiveHub();
  void stop();

  // The handler of a new socket opened by `principal`.
  std::shared_ptr<WsHandler> make_handler(accounts::Principal principal);

  static constexpr Millis kSupervisorPeriod = 500;

  // The agent channel's frame for the messages of one push round: the message itself when there
  // is one, otherwise {"type":"batch","messages":[...]} holding them in order.
  static std::string batch_message(std::vector<std::string> messages);

  // Sends `message` to every socket on the supervisor channel now (alert transitions).
  void broadcast_supervisor(const std::string& message);

  // Sends `message` to the agent channel sockets of `agent` (adherence alerts).
  void push_to_agent(AgentId agent, const std::string& message) { send_to_agent(agent, message); }
  // Whether any socket listens on the supervisor channel.
  bool has_supervisors();

  // Closes, with 1008 and the revocation's reason, every socket opened with credentials that
  // `r` ended (an accounts revocation listener; any thread).
  void close_revoked(const accounts::Revocation& r);

  // When the offer of `contact` to `agent` stops ringing; 0 when it does not ring there.
  Millis offer_expiry(ContactId contact, AgentId agent);

 private:
  class Handler;
  enum class Channel { kNone, kAgent, kSupervisor };
  struct Client {
    std::shared_ptr<WsConnection> conn;
    accounts::Principal principal;
    Channel channel = Channel::kNone;
    // Cookie sockets: the session's expiry as last known, its key in session_expiries_ (empty
    // while the hub's thread re-checks it).
    std::optional<Millis> session_expires_at;
  };
  // A cookie socket whose session's known expiry has passed.
  struct Expiring {
    std::shared_ptr<WsConnection> conn;
    std::int64_t session = 0;
  };
  struct Offer {
    ContactId contact = kNoContact;
    AgentId agent = kNoId;
    Millis expires_at = 0;
  };
  struct Withdrawn {
    ContactId contact = kNoContact;
    AgentId agent = kNoId;
    std::string reason;
  };
  struct ContactChange {
    ContactId contact = kNoContact;
    AgentId agent = kNoId;
    bool ended = false;  // wrap-up over: the contact left the engine
  };
  struct Pending {
    std::vector<Offer> offers;
    std::vector<Withdrawn> withdrawn;
    std::vector<ContactChange> changes;
    std::set<AgentId> agents;
    // The engine's view of the contacts and agents above whose agent has a socket, taken on the
    // engine thread right after the events (a later view replaces an earlier one), so that the
    // hub's thread never waits for the engine. Ended contacts have none.
    std::unordered_map<ContactId, ContactView> contact_views;
    std::unordered_map<AgentId, AgentView> agent_views;
    bool empty() const {
      return offers.empty() && withdrawn.empty() && changes.empty() && agents.empty();
    }
  };

  // On the engine thread (a kApplied listener): records the pushes and takes the views they need.
  void on_events(std::span<const Event> events);
  void run();
  void push_agent_work(Pending work);
  void push_supervisor(bool force_to_new_only);
  void on_open(const std::shared_ptr<WsConnection>& conn, const accounts::Principal& p);
  void on_message(const std::shared_ptr<WsConnection>& conn, const std::string& text);
  void on_close(const std::shared_ptr<WsConnection>& conn);
  void send_agent_snapshot(const std::shared_ptr<WsConnection>& conn, AgentId agent);
  void send_to_agent(AgentId agent, const std::string& message);
  // REQUIRES: mu_ held.
  void drop_agent_socket_locked(const Client& c);
  // Forgets the socket: no more pushes, no expiry check. REQUIRES: mu_ held.
  void forget_locked(std::map<std::uint64_t, Client>::iterator it);
  // Takes the cookie sockets whose known session expiry is at or before `now`. REQUIRES: mu_ held.
  std::vector<Expiring> take_expiring_locked(Millis now);
  // Asks accounts when each session expires now (it slides with HTTP use): a socket whose session
  // has expired closes with 1008, one whose session slid waits for the new expiry.
  void recheck_sessions(const std::vector<Expiring>& due, Millis now);
  // Forgets the socket (no more pushes) and closes it with 1008 and `reason`.
  void close_as_revoked(const std::shared_ptr<WsConnection>& conn, const std::string& reason);
  // The name of `agent` in `config` (hub thread only).
  const std::string& agent_name(const std::shared_ptr<const CenterConfig>& config, AgentId agent);

  ApiApp& app_;
  service::SubscriptionId subscription_ = 0;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  Pending pending_;
  bool supervisor_dirty_ = true;
  std::map<std::uint64_t, Client> clients_;
  // Cookie sockets by the expiry of their session as last known: (expires_at, socket id). An
  // expiry writes nothing, so no revocation listener hears of it; the hub's thread looks here.
  std::set<std::pair<Millis, std::uint64_t>> session_expiries_;
  // The agent-channel sockets of each agent (a subset of clients_), so that a push to one agent
  // does not scan every socket: with thousands of agents online that scan dominated the hub.
  std::unordered_map<AgentId, std::vector<std::shared_ptr<WsConnection>>> agent_sockets_;
  // Agent names of the configuration snapshot `names_of_` (rebuilt when the snapshot changes).
  std::shared_ptr<const CenterConfig> names_of_;
  std::unordered_map<AgentId, std::string> agent_names_;
  // Offers ringing now: contact → agent → expiry. Kept from the events so that a contact the
  // customer abandons can be withdrawn from every agent it rang at.
  std::map<ContactId, std::map<AgentId, Millis>> ringing_;
  std::string last_queues_;
  std::string last_agents_;
  Millis last_supervisor_push_ = 0;
  std::thread thread_;
};

}  // namespace sb::api
