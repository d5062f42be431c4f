// Routes: the contact lifecycle (create, accept/reject, hold, transfer, end, wrap-up, customer
// left, callback) and agent state.

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>

#include "api/api_app.h"
#include "api/route_util.h"
#include "domain/codec.h"

namespace sb::api {

namespace {
bool is_agent(const accounts::Principal& p) { return p.user.role == accounts::Role::kAgent; }
}  // namespace

void ApiApp::register_contact_routes() {
  router_.add(
      "POST", "/api/v1/contacts", kAdmin | kSupervisor,
      "Create an inbound contact (idempotent with Idempotency-Key)",
      [this](RouteContext& ctx, Reply reply) {
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        const std::shared_ptr<const CenterConfig> snapshot = config_snapshot();
        const CenterConfig& config = *snapshot;
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        cmd::ArriveContact arrive;
        if (auto v = r.string("channel", true, 20)) {
          auto ch = parse_channel(*v);
          if (ch.ok()) {
            arrive.channel = *ch;
          } else {
            r.error("channel", ch.status().message());
          }
        }
        if (auto v = r.integer("queue", true, 0, UINT32_MAX - 1)) {
          bool known = false;
          for (const auto& q : config.queues) known = known || q.id == *v;
          if (!known) r.error("queue", "unknown queue " + std::to_string(*v));
          arrive.queue = static_cast<QueueId>(*v);
        }
        if (auto v = r.integer("priority", false, -1000, 1000))
          arrive.priority = static_cast<std::int32_t>(*v);
        if (auto v = r.integer("customer", false, 0, INT64_MAX))
          arrive.customer = static_cast<CustomerId>(*v);
        if (const json* req_list = r.array("requirements", false)) {
          if (auto req = requirements_from_json(*req_list, config, errors))
            arrive.requirements = *req;
        }
        json attributes = json::object();
        if (const json* attrs = r.object("attributes", false)) {
          if (attrs->size() > 50) r.error("attributes", "at most 50 attributes");
          for (auto it = attrs->begin(); it != attrs->end(); ++it) {
            if (!it->is_string() || it.key().size() > 100 || it->get<std::string>().size() > 2000)
              r.error("attributes." + it.key(),
                      "must be a string of at most 2000 characters with a key of at most 100");
          }
          attributes = *attrs;
        }
        const std::string* key = ctx.req.header("idempotency-key");
        if (key != nullptr && (key->empty() || key->size() > 200))
          r.error("Idempotency-Key", "must be 1..200 characters");
        if (!errors.empty()) return reply(bad_request("invalid contact", errors));

        if (key != nullptr) {
          auto reserved = service_.reserve_contact_id(*key);
          if (!reserved.ok()) return reply(problem_from_status(reserved.status()));
          arrive.contact = reserved->id;
          if (reserved->created) {
            // A retry of a create that already happened: the same contact, never a second one.
            // Its attributes are written again: the first attempt may have made the arrival
            // durable but not them (a crash between the two commits, see below).
            if (!attributes.empty()) {
              Status s = directory_.set_contact_attributes(reserved->id, attributes);
              if (!s.ok()) return reply(problem_from_status(s));
            }
            auto existing = contact_json(reserved->id);
            if (existing.ok()) return reply(json_response(*existing, 200));
            return reply(json_response({{"id", reserved->id}, {"state", "ended"}}, 200));
          }
        } else {
          arrive.contact = service_.next_contact_id();
        }
        const ContactId id = arrive.contact;
        const bool idempotent = key != nullptr;
        auto submit = [this, arrive = std::move(arrive), id, idempotent](Reply reply) mutable {
          run_contact_command(
              std::move(arrive), id,
              [this, id, idempotent, reply](service::CommandResult result, ContactNow now) {
                if (!result.ok()) {
                  if (idempotent && result.status().code() == StatusCode::kAlreadyExists) {
                    auto existing = contact_json(id);
                    if (existing.ok()) return reply(json_response(*existing, 200));
                  }
                  return reply(problem_from_status(result.status()));
                }
                for (const Event& e : *result) {
                  if (const auto* b = std::get_if<ev::ContactBlocked>(&e.payload)) {
                    return reply(
                        json_response({{"id", id},
                                       {"state", "ended"},
                                       {"queue", b->queue},
                                       {"blocked", std::string(block_reason_name(b->reason))}},
                                      201));
                  }
                }
                auto c = contact_json(now);
                if (!c.ok()) return reply(json_response({{"id", id}, {"state", "ended"}}, 201));
                reply(json_response(*c, 201));
              });
        };
        if (attributes.empty()) {
          directory_.remember_no_attributes(id);
          return submit(std::move(reply));
        }
        // The attributes (directory.db) and the arrival (the event log) are made durable side by
        // side, two group commits at once instead of one after the other; the answer waits for
        // both. A crash between the two can leave the contact without its attributes, but then
        // the create was never answered: a retry with the same Idempotency-Key writes them again
        // (above). So does a retry after the attribute write failed (the answer is that error,
        // though the contact may exist). The attributes are readable at once, so the offer, pushed
        // once the arrival is durable, shows them.
        struct Join {
          std::mutex mu;
          int pending = 2;
          Status attributes;
          std::optional<HttpResponse> answer;
        };
        auto join = std::make_shared<Join>();
        auto finish = [join, reply]() {
          // REQUIRES: the last of the two outcomes is in.
          if (!join->attributes.ok()) return reply(problem_from_status(join->attributes));
          reply(std::move(*join->answer));
        };
        directory_.stage_new_contact_attributes_async(id, attributes, [join, finish](Status s) {
          {
            std::lock_guard lock(join->mu);
            join->attributes = std::move(s);
            if (--join->pending > 0) return;
          }
          finish();
        });
        submit([join, finish](HttpResponse answer) {
          {
            std::lock_guard lock(join->mu);
            join->answer = std::move(answer);
            if (--join->pending > 0) return;
          }
          finish();
        });
      });

  router_.add("GET", "/api/v1/contacts", kAdmin | kSupervisor | kAnalyst, "List live contacts",
              [this](RouteContext& ctx, Reply reply) {
                HttpResponse bad;
                auto page = page_from_query(ctx.req, bad);
                if (!page) return reply(bad);
                std::optional<std::int64_t> queue_filter;
                if (auto it = ctx.req.query.find("queue"); it != ctx.req.query.end()) {
                  queue_filter = parse_id(it->second);
                  if (!queue_filter)
                    return reply(bad_request("queue must be a queue id", {{"queue", "not an id"}}));
                }
                std::string state_filter;
                if (auto it = ctx.req.query.find("state"); it != ctx.req.query.end())
                  state_filter = it->second;
                json items = json::array();
                std::optional<ContactId> last;
                service_.read([&](const service::LiveView& v) {
                  // Live contacts are found through the agents (offered, connected, wrap-up)
                  // and the queues (waiting).
                  std::vector<ContactId> ids;
                  const CenterConfig c = v.engine.configuration();
                  for (const auto& q : c.queues)
                    for (ContactId id : v.engine.waiting_contacts(q.id)) ids.push_back(id);
                  for (const auto& a : c.agents) {
                    auto av = v.engine.agent(a.id);
                    if (av.ok())
                      for (ContactId id : av->contacts) ids.push_back(id);
                  }
                  std::sort(ids.begin(), ids.end());
                  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
                  for (ContactId id : ids) {
                    if (static_cast<std::int64_t>(id) <= page->after_id) continue;
                    auto cv = v.engine.contact(id);
                    if (!cv.ok()) continue;
                    if (queue_filter && cv->queue != *queue_filter) continue;
                    if (!state_filter.empty() && state_filter != contact_phase_name(cv->phase))
                      continue;
                    items.push_back(contact_to_json(*cv, std::nullopt));
                    last = id;
                    if (items.size() >= page->limit) break;
                  }
                });
                json next = items.size() == page->limit && last ? json(std::to_string(*last))
                                                                : json(nullptr);
                reply(json_response({{"items", items}, {"next_cursor", next}}));
              });

  router_.add("GET", "/api/v1/contacts/{id}", kAdmin | kSupervisor | kAnalyst | kAgent,
              "Get a live contact", [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no contact " + ctx.params[0]));
                std::optional<ContactView> view;
                service_.read([&](const service::LiveView& v) {
                  auto c = v.engine.contact(static_cast<ContactId>(*id));
                  if (c.ok()) view = *c;
                });
                if (!view) return reply(not_found("contact " + ctx.params[0] + " is not live"));
                if (ctx.principal->user.role != accounts::Role::kAnalyst &&
                    !may_touch_contact(*ctx.principal, *view))
                  return reply(forbidden("this contact is not yours"));
                auto c = contact_json(view->id);
                if (!c.ok()) return reply(problem_from_status(c.status()));
                reply(json_response(*c));
              });

  // The agent actions share one shape: look the contact up, check it is the caller's, run a
  // command, answer with the contact as it is after the change.
  enum class Action {
    kAccept,
    kReject,
    kHold,
    kUnhold,
    kEnd,
    kTransfer,
    kWrapUp,
    kAbandon,
    kCallback
  };
  struct ActionRoute {
    const char* path;
    Action action;
    unsigned roles;
    const char* summary;
  };
  const ActionRoute actions[] = {
      {"/accept", Action::kAccept, kAdmin | kSupervisor | kAgent, "Accept an offer"},
      {"/reject", Action::kReject, kAdmin | kSupervisor | kAgent, "Reject an offer"},
      {"/hold", Action::kHold, kAdmin | kSupervisor | kAgent, "Put the customer on hold"},
      {"/unhold", Action::kUnhold, kAdmin | kSupervisor | kAgent, "Take the customer off hold"},
      {"/end", Action::kEnd, kAdmin | kSupervisor | kAgent,
       "End the conversation (wrap-up follows)"},
      {"/transfer", Action::kTransfer, kAdmin | kSupervisor | kAgent,
       "Transfer to a queue or an agent"},
      {"/wrap-up", Action::kWrapUp, kAdmin | kSupervisor | kAgent,
       "Finish after-contact work with a disposition"},
      {"/abandon", Action::kAbandon, kAdmin | kSupervisor, "The customer left"},
      {"/callback", Action::kCallback, kAdmin | kSupervisor,
       "The customer asks to be called back (keeps the place in line)"},
  };
  for (const ActionRoute& a : actions) {
    const Action action = a.action;
    router_.add(
        "POST", std::string("/api/v1/contacts/{id}") + a.path, a.roles, a.summary,
        [this, action](RouteContext& ctx, Reply reply) {
          auto id = parse_id(ctx.params[0]);
          if (!id) return reply(not_found("no contact " + ctx.params[0]));
          json body = json::object();
          if (!ctx.req.body.empty())
            if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
          // The body is read here; what depends on the contact as it is now (whose it is, where
          // it rings, who handled it) is decided on the engine thread right before the command,
          // so this I/O thread never waits for the engine. Refusals keep their order: an unknown
          // contact, then someone else's, then the body's errors.
          struct Decision {
            std::vector<FieldError> errors;  // from the body, then from the contact
            std::optional<HttpResponse> refusal;
            std::optional<json> wrap_record;
          };
          auto d = std::make_shared<Decision>();
          JsonReader r(body, d->errors);
          const bool named_agent_allowed = !is_agent(*ctx.principal);
          std::optional<std::int64_t> named_agent;
          std::optional<std::int64_t> to_queue, to_agent, disposition;
          std::string notes;
          switch (action) {
            case Action::kAccept:
            case Action::kReject:
              if (named_agent_allowed) named_agent = r.integer("agent", false, 0, UINT32_MAX - 1);
              break;
            case Action::kTransfer:
              to_queue = r.integer("queue", false, 0, UINT32_MAX - 1);
              to_agent = r.integer("agent", false, 0, UINT32_MAX - 1);
              if (to_queue.has_value() == to_agent.has_value() && d->errors.empty())
                r.error("queue", "give exactly one of queue and agent");
              break;
            case Action::kWrapUp:
              disposition = r.integer("disposition", false, 0, UINT32_MAX - 1);
              if (disposition && !directory_.get("disposition", *disposition).ok())
                r.error("disposition", "unknown disposition " + std::to_string(*disposition));
              notes = r.string("notes", false, 10000).value_or("");
              break;
            default:
              break;
          }
          const ContactId cid = static_cast<ContactId>(*id);
          const std::string id_text = ctx.params[0];
          auto decide = [this, d, action, cid, id_text, principal = *ctx.principal, named_agent,
                         to_queue, to_agent, disposition,
                         notes](const service::LiveView& v) -> Result<Command> {
            auto view = v.engine.contact(cid);
            if (!view.ok()) {
              d->refusal = not_found("contact " + id_text + " is not live");
              return Status::not_found("contact is not live");
            }
            if (!may_touch_contact(principal, *view)) {
              d->refusal = forbidden("this contact is not yours");
              return Status::failed_precondition("not the caller's contact");
            }
            // The agent an offer action is for: the caller itself, or for supervisors the
            // `agent` field, or the only agent the contact rings at.
            auto offer_agent = [&]() -> std::optional<AgentId> {
              if (is_agent(principal)) return principal.user.agent_id;
              if (named_agent) return static_cast<AgentId>(*named_agent);
              if (view->offered_to.size() == 1) return view->offered_to[0];
              d->errors.push_back(
                  {"agent", "is required: the contact rings at several agents or none"});
              return std::nullopt;
            };
            Command command;
            switch (action) {
              case Action::kAccept:
              case Action::kReject: {
                auto agent = offer_agent();
                if (!agent) break;
                if (action == Action::kAccept) {
                  command = cmd::AcceptOffer{cid, *agent};
                } else {
                  command = cmd::RejectOffer{cid, *agent};
                }
                break;
              }
              case Action::kHold:
                command = cmd::Hold{cid};
                break;
              case Action::kUnhold:
                command = cmd::Unhold{cid};
                break;
              case Action::kEnd:
                command = cmd::EndContact{cid};
                break;
              case Action::kTransfer: {
                cmd::Transfer t;
                t.contact = cid;
                if (to_queue) t.to_queue = static_cast<QueueId>(*to_queue);
                if (to_agent) t.to_agent = static_cast<AgentId>(*to_agent);
                command = t;
                break;
              }
              case Action::kWrapUp: {
                cmd::EndWrapUp w;
                w.contact = cid;
                if (disposition) w.disposition = static_cast<ReasonId>(*disposition);
                // The wrap-up record (disposition, notes) is written once the engine accepted it.
                d->wrap_record =
                    json{{"disposition", w.disposition},
                         {"notes", notes},
                         {"agent", view->agent == kNoId ? json(nullptr) : json(view->agent)},
                         {"by_user", principal.user.id}};
                command = w;
                break;
              }
              case Action::kAbandon:
                command = cmd::CustomerLeft{cid};
                break;
              case Action::kCallback:
                command = cmd::RequestCallback{cid};
                break;
            }
            if (!d->errors.empty()) {
              d->refusal = bad_request("invalid request", d->errors);
              return Status::invalid_argument("invalid request");
            }
            return command;
          };
          const bool acting_for_other = !is_agent(*ctx.principal) && action != Action::kAbandon &&
                                        action != Action::kCallback;
          std::optional<accounts::Principal> auditor;
          HttpRequest audit_req;
          if (acting_for_other) {
            auditor = *ctx.principal;
            audit_req.remote = ctx.req.remote;
            audit_req.path = ctx.req.path;
          }
          service_.submit_decided(std::move(decide), [this, d, cid, reply, auditor,
                                                      audit_req](service::CommandResult result) {
            // On the service thread: the contact as it is once the command's events are durable;
            // the answer is built on a worker.
            ContactNow now;
            if (!d->refusal)
              service_.read([&](const service::LiveView& v) { now = read_contact(v, cid); });
            post_work([this, d, cid, reply, auditor, audit_req, result = std::move(result),
                       now = std::move(now)]() mutable {
              if (d->refusal) return reply(std::move(*d->refusal));
              if (auditor)
                audit(&*auditor, audit_req, "contact.supervisor_action",
                      "contact:" + std::to_string(cid), audit_req.path);
              finish_contact_action(cid, d->wrap_record, std::move(result), std::move(now), reply);
            });
          });
        });
  }
}

void ApiApp::finish_contact_action(ContactId cid, const std::optional<json>& wrap_record,
                                   service::CommandResult result, ContactNow now, Reply reply) {
  if (result.ok() && wrap_record) {
    // Durable (group-committed) before the answer; the answer is built on a worker, not on the
    // directory's writer thread.
    directory_.put_async("wrap_up", static_cast<std::int64_t>(cid), *wrap_record,
                         [this, cid, reply, now](Status s) {
                           if (!s.ok()) return reply(problem_from_status(s));
                           post_work([this, cid, reply, now] {
                             auto c = contact_json(now);
                             if (!c.ok())
                               return reply(json_response({{"id", cid}, {"state", "ended"}}));
                             reply(json_response(*c));
                           });
                         });
    return;
  }
  if (!result.ok()) {
    if (result.status().code() == StatusCode::kInvalidArgument ||
        result.status().code() == StatusCode::kFailedPrecondition)
      return reply(conflict(result.status().message()));
    return reply(problem_from_status(result.status()));
  }
  auto c = contact_json(now);
  if (!c.ok()) return reply(json_response({{"id", cid}, {"state", "ended"}}));
  reply(json_response(*c));
}

void ApiApp::run_commands(std::vector<Command> commands, std::function<void(Status)> then) {
  if (commands.empty()) return post_work([then] { then(Status::ok_status()); });
  Command first = std::move(commands.front());
  commands.erase(commands.begin());
  run_command(std::move(first),
              [this, rest = std::move(commands), then](service::CommandResult result) mutable {
                if (!result.ok()) return then(result.status());
                run_commands(std::move(rest), std::move(then));
              });
}

void ApiApp::register_agent_routes() {
  router_.add("GET", "/api/v1/agents/{id}/state", kAdmin | kSupervisor | kAnalyst | kAgent,
              "An agent's state", [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no agent " + ctx.params[0]));
                if (is_agent(*ctx.principal) && ctx.principal->user.agent_id != *id)
                  return reply(forbidden("agents may only read their own state"));
                std::optional<AgentView> view;
                CenterConfig c;
                service_.read([&](const service::LiveView& v) {
                  auto a = v.engine.agent(static_cast<AgentId>(*id));
                  if (a.ok()) view = *a;
                  c = v.engine.configuration();
                });
                if (!view) return reply(not_found("no agent " + ctx.params[0]));
                reply(json_response(agent_state_to_json(*view, agent_name(c, view->id),
                                                        reason_label(view->reason))));
              });

  router_.add("PUT", "/api/v1/agents/{id}/state", kAdmin | kSupervisor | kAgent,
              "Change an agent's state (log in, available, not ready with a reason, log out)",
              [this](RouteContext& ctx, Reply reply) {
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no agent " + ctx.params[0]));
                const accounts::Principal& p = *ctx.principal;
                if (is_agent(p) && p.user.agent_id != *id)
                  return reply(forbidden("agents may only change their own state"));
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                std::vector<FieldError> errors;
                JsonReader r(body, errors);
                Presence presence = Presence::kAvailable;
                if (auto v = r.string("presence", true, 20)) {
                  if (*v == "available") {
                    presence = Presence::kAvailable;
                  } else if (*v == "not_ready") {
                    presence = Presence::kNotReady;
                  } else if (*v == "offline") {
                    presence = Presence::kOffline;
                  } else {
                    r.error("presence", "must be available, not_ready or offline");
                  }
                }
                ReasonId reason = reason::kNone;
                if (auto v = r.integer("reason", false, 0, UINT32_MAX - 1)) {
                  if (presence != Presence::kNotReady) {
                    r.error("reason", "only not_ready takes a reason");
                  } else if (!directory_.get("reason_code", *v).ok()) {
                    r.error("reason", "unknown reason code " + std::to_string(*v));
                  }
                  reason = static_cast<ReasonId>(*v);
                }
                if (presence == Presence::kNotReady && reason == reason::kNone && !is_agent(p))
                  reason = reason::kSupervisor;
                if (!errors.empty()) return reply(bad_request("invalid state", errors));

                const AgentId agent = static_cast<AgentId>(*id);
                std::optional<AgentView> view;
                service_.read([&](const service::LiveView& v) {
                  auto a = v.engine.agent(agent);
                  if (a.ok()) view = *a;
                });
                if (!view) return reply(not_found("no agent " + ctx.params[0]));
                if (!is_agent(p) && p.user.agent_id != agent) {
                  audit(&p, ctx.req, "agent.force_state", "agent:" + std::to_string(agent),
                        body.dump());
                }
                // Logging in and choosing a presence are two engine commands; they run back to back
                // on the engine thread.
                std::vector<Command> commands;
                if (presence == Presence::kOffline) {
                  if (!view->logged_in) return reply(conflict("the agent is already logged out"));
                  commands.push_back(cmd::LogoutAgent{agent});
                } else {
                  if (!view->logged_in) commands.push_back(cmd::LoginAgent{agent});
                  if (view->logged_in || presence != Presence::kAvailable)
                    commands.push_back(cmd::SetAgentState{agent, presence, reason});
                }
                run_commands(std::move(commands), [this, agent, reply](Status status) {
                  if (!status.ok()) {
                    if (status.code() == StatusCode::kInvalidArgument ||
                        status.code() == StatusCode::kFailedPrecondition)
                      return reply(conflict(status.message()));
                    return reply(problem_from_status(status));
                  }
                  std::optional<AgentView> after;
                  service_.read([&](const service::LiveView& v) {
                    auto a = v.engine.agent(agent);
                    if (a.ok()) after = *a;
                  });
                  if (!after) return reply(not_found("no agent"));
                  reply(json_response(agent_state_to_json(
                      *after, agent_name(*config_snapshot(), agent), reason_label(after->reason))));
                });
              });

  router_.add(
      "GET", "/api/v1/me", kAnyRole, "Me: user, agent state and my live contacts",
      [this](RouteContext& ctx, Reply reply) {
        const accounts::Principal& p = *ctx.principal;
        json out = {{"user",
                     {{"id", p.user.id},
                      {"username", p.user.username},
                      {"display_name", p.user.display_name},
                      {"role", std::string(accounts::role_name(p.user.role))},
                      {"agent_id", p.user.agent_id ? json(*p.user.agent_id) : json(nullptr)},
                      {"disabled", p.user.disabled}}},
                    {"agent", nullptr},
                    {"contacts", json::array()}};
        if (!p.user.agent_id) return reply(json_response(out));
        std::optional<AgentView> view;
        CenterConfig c;
        std::vector<ContactView> contacts;
        service_.read([&](const service::LiveView& v) {
          auto a = v.engine.agent(*p.user.agent_id);
          if (!a.ok()) return;
          view = *a;
          c = v.engine.configuration();
          for (ContactId id : a->contacts) {
            auto cv = v.engine.contact(id);
            if (cv.ok()) contacts.push_back(*cv);
          }
        });
        if (view)
          out["agent"] =
              agent_state_to_json(*view, agent_name(c, view->id), reason_label(view->reason));
        for (const auto& cv : contacts) {
          json j = contact_to_json(cv, std::nullopt);
          j["attributes"] = directory_.contact_attributes(cv.id);
          add_offer_expiry(j);
          out["contacts"].push_back(std::move(j));
        }
        reply(json_response(out));
      });
}

}  // namespace sb::api
