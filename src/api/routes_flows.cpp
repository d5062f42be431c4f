// Routes: flow definitions (/api/v1/flows: list, create, validate, versions, delete) and the text
// bot (/api/v1/bot-sessions): the flow engine hosted for text channels. The bot host carries out a
// FlowSession's actions: prompts become messages, data dips run on a worker with libcurl, a queue
// node creates the contact in the engine with the flow's attributes (so the agent sees them), a
// self-served end emits SelfServed, survey answers become SurveyAnswered events. Timers of text
// sessions fire lazily: when the customer writes again or the session is read.

#include <algorithm>
#include <cstdio>
#include <deque>
#include <map>

#include "api/api_app.h"
#include "api/route_util.h"
#include "base/overloaded.h"
#include "domain/codec.h"
#include "domain/config_lookup.h"
#include "flows/flow_runtime.h"
#include "flows/flow_store.h"
#include "flows/http_executor.h"

namespace sb::api {

namespace {

constexpr std::size_t kMaxBotSessions = 10000;
constexpr std::size_t kMaxTextBytes = 4000;

json issues_json(const std::vector<flows::Issue>& issues) {
  json out = json::array();
  for (const auto& i : issues) out.push_back({{"path", i.path}, {"message", i.message}});
  return out;
}

std::vector<FieldError> issues_as_field_errors(const std::vector<flows::Issue>& issues) {
  std::vector<FieldError> out;
  for (const auto& i : issues) out.push_back({i.path, i.message});
  return out;
}

json summary_json(const flows::FlowSummary& s) {
  return {{"id", s.id}, {"name", s.name}, {"version", s.active_version}, {"versions", s.versions}};
}

json attributes_json(const flows::Attributes& a) {
  json out = json::object();
  for (const auto& [k, v] : a) out[k] = v;
  return out;
}

SurveyKind domain_survey_kind(flows::SurveyKind k) {
  switch (k) {
    case flows::SurveyKind::kCsat:
      return SurveyKind::kCsat;
    case flows::SurveyKind::kNps:
      return SurveyKind::kNps;
    case flows::SurveyKind::kCes:
      return SurveyKind::kCes;
  }
  return SurveyKind::kCsat;
}

}  // namespace

struct BotMessage {
  std::string from;  // "bot" or "customer"
  std::string text;
  Millis at = 0;
};

struct BotSession {
  BotSession(std::uint64_t id_, std::shared_ptr<const flows::FlowDefinition> flow,
             flows::SessionOptions options)
      : id(id_), session(std::move(flow), std::move(options)) {}

  const std::uint64_t id;
  std::mutex mu;
  flows::FlowSession session;
  Channel channel = Channel::kChat;
  CustomerId customer = 0;
  ContactId contact = kNoContact;  // the engine's id for this conversation (allocated at start)
  bool contact_created = false;    // the flow queued it
  QueueId queue = kNoId;
  AgentId agent = kNoId;  // who handled it (from ContactConnected), for survey answers
  bool busy = false;      // an HTTP dip or an engine command is under way
  std::map<flows::TimerId, Millis> timers;
  std::vector<BotMessage> transcript;
  std::size_t unread = 0;  // transcript index of the first bot message not yet returned
};

struct ApiApp::FlowsState {
  explicit FlowsState(const std::string& dir)
      : store(dir.empty() ? flows::FlowStore() : flows::FlowStore(dir)) {}
  flows::FlowStore store;
  Status load_status;
  flows::HttpExecutor http;
  std::mutex mu;
  std::map<std::uint64_t, std::shared_ptr<BotSession>> sessions;
  std::map<ContactId, std::uint64_t> by_contact;
  std::uint64_t next_id = 1;
  service::SubscriptionId subscription = 0;
};

flows::FlowStore& ApiApp::flow_store() { return flows_->store; }

void ApiApp::stop_flows() {
  if (flows_ && flows_->subscription != 0) {
    service_.unsubscribe(flows_->subscription);
    flows_->subscription = 0;
  }
}

namespace {

// One step of the bot host: the actions of one FlowSession call, carried out in order. At most
// one asynchronous operation (an HTTP dip or an engine command) is started, after the others.
struct Pending {
  std::optional<flows::act::HttpRequest> http;
  std::optional<flows::act::Enqueue> enqueue;
  std::vector<Command> commands;  // fire-and-forget facts (survey answers, self-served, callback)
};

}  // namespace

// Carries out `actions` for session `s`, then `done` once no asynchronous work remains. The
// session's mutex is held by the caller, and by whichever continuation calls `done` (the handler
// itself when nothing was asynchronous, else the worker that finished the last HTTP dip or engine
// command), so `done` always runs with it held.
void ApiApp::bot_drive(const std::shared_ptr<BotSession>& s, flows::Actions actions,
                       std::function<void()> done) {
  Pending p;
  const Millis now = clock_.now();
  for (auto& a : actions) {
    std::visit(
        Overloaded{
            [&](flows::act::Say& x) {
              if (!x.text.empty()) s->transcript.push_back({"bot", std::move(x.text), now});
            },
            [&](flows::act::StartTimer& x) { s->timers[x.id] = x.at; },
            [&](flows::act::CancelTimer& x) { s->timers.erase(x.id); },
            [&](flows::act::HttpRequest& x) { p.http = std::move(x); },
            [&](flows::act::SetAttributes&) {
              if (s->contact_created) {
                Status st = directory_.set_contact_attributes(
                    s->contact, attributes_json(s->session.attributes()));
                if (!st.ok())
                  std::fprintf(stderr, "switchboard: bot %llu: attributes not saved: %s\n",
                               static_cast<unsigned long long>(s->id), st.message().c_str());
              }
            },
            [&](flows::act::Enqueue& x) { p.enqueue = std::move(x); },
            [&](flows::act::AnnounceQueue&) {
              std::optional<std::size_t> position;
              service_.read([&](const service::LiveView& v) {
                if (s->queue == kNoId) return;
                auto waiting = v.engine.waiting_contacts(s->queue);
                auto it = std::find(waiting.begin(), waiting.end(), s->contact);
                if (it != waiting.end()) position = static_cast<std::size_t>(it - waiting.begin());
              });
              if (position)
                s->transcript.push_back(
                    {"bot", "You are number " + std::to_string(*position + 1) + " in the queue.",
                     now});
            },
            [&](flows::act::RequestCallback& x) {
              p.commands.push_back(cmd::RequestCallback{s->contact});
              flows::Attributes attrs = s->session.attributes();
              attrs["callback_number"] = x.number;
              Status st = directory_.set_contact_attributes(s->contact, attributes_json(attrs));
              if (!st.ok())
                std::fprintf(stderr, "switchboard: bot %llu: callback number not saved: %s\n",
                             static_cast<unsigned long long>(s->id), st.message().c_str());
            },
            [&](flows::act::Transfer& x) {
              s->transcript.push_back({"bot", "[transferred to " + x.target + "]", now});
            },
            [&](flows::act::RecordSurvey& x) {
              cmd::RecordSurvey r;
              r.contact = s->contact;
              r.agent = s->agent;
              r.queue = s->queue;
              r.kind = domain_survey_kind(x.kind);
              r.score = x.score;
              p.commands.push_back(r);
            },
            [&](flows::act::End& x) {
              if (x.outcome == flows::Outcome::kSelfServed)
                p.commands.push_back(cmd::SelfServe{s->contact, s->channel, s->customer});
            },
        },
        a);
  }

  for (auto& c : p.commands) {
    const std::uint64_t id = s->id;
    run_command(std::move(c), [id](service::CommandResult r) {
      if (!r.ok())
        std::fprintf(stderr, "switchboard: bot %llu: engine refused: %s\n",
                     static_cast<unsigned long long>(id), r.status().message().c_str());
    });
  }

  if (p.http) {
    s->busy = true;
    post_work([this, s, req = std::move(*p.http), done = std::move(done)]() mutable {
      flows::HttpResponse resp = flows_->http.execute(req);
      std::unique_lock lock(s->mu);
      s->busy = false;
      flows::Actions next;
      Status st = s->session.on_http_response(req.id, resp, clock_.now(), next);
      if (!st.ok()) std::fprintf(stderr, "switchboard: bot: %s\n", st.message().c_str());
      bot_drive(s, std::move(next), std::move(done));
    });
    return;
  }
  if (p.enqueue) {
    s->busy = true;
    bot_enqueue(s, std::move(*p.enqueue), std::move(done));
    return;
  }
  done();
}

void ApiApp::bot_enqueue(const std::shared_ptr<BotSession>& s, flows::act::Enqueue e,
                         std::function<void()> done) {
  const auto config = config_snapshot();
  auto refuse = [this, s, done](const std::string& reason) mutable {
    s->busy = false;
    flows::Actions next;
    Status st = s->session.on_queue_result(false, reason, clock_.now(), next);
    if (!st.ok()) std::fprintf(stderr, "switchboard: bot: %s\n", st.message().c_str());
    bot_drive(s, std::move(next), std::move(done));
  };
  auto queue = find_queue(*config, e.queue);
  if (!queue) return refuse("unknown queue \"" + e.queue + "\"");
  cmd::ArriveContact arrive;
  arrive.contact = s->contact;
  arrive.channel = e.callback ? Channel::kCallback : s->channel;
  arrive.queue = *queue;
  arrive.priority = std::clamp(e.priority, -1000, 1000);
  arrive.customer = s->customer;
  for (const auto& need : e.skills) {
    auto skill = find_skill(*config, need.skill);
    if (!skill) {
      if (need.optional) continue;  // an optional skill the center does not have: no constraint
      return refuse("unknown skill \"" + need.skill + "\"");
    }
    arrive.requirements.push(
        {*skill, static_cast<std::uint8_t>(need.min_proficiency), need.optional});
  }
  json attrs = attributes_json(e.attributes);
  attrs["bot_session"] = std::to_string(s->id);
  attrs["flow"] = s->session.flow().id + " v" + std::to_string(s->session.flow().version);
  if (e.callback) attrs["callback_number"] = e.number;
  Status st = directory_.set_contact_attributes(s->contact, attrs);
  if (!st.ok()) return refuse("attributes not saved: " + st.message());
  s->queue = *queue;
  run_command(arrive, [this, s, done](service::CommandResult r) mutable {
    std::unique_lock lock(s->mu);
    s->busy = false;
    bool accepted = r.ok();
    std::string reason = r.ok() ? "" : r.status().message();
    if (r.ok()) {
      for (const Event& ev : *r) {
        if (const auto* b = std::get_if<ev::ContactBlocked>(&ev.payload)) {
          accepted = false;
          reason = std::string(block_reason_name(b->reason));
        }
      }
    }
    if (accepted) {
      s->contact_created = true;
    } else if (r.ok()) {
      // A blocked contact ended at once; a later queue attempt needs a fresh id.
      std::lock_guard guard(flows_->mu);
      flows_->by_contact.erase(s->contact);
      s->contact = service_.next_contact_id();
      flows_->by_contact[s->contact] = s->id;
    }
    flows::Actions next;
    Status st = s->session.on_queue_result(accepted, reason, clock_.now(), next);
    if (!st.ok()) std::fprintf(stderr, "switchboard: bot: %s\n", st.message().c_str());
    bot_drive(s, std::move(next), std::move(done));
  });
}

// Fires the session's due timers (earliest first), each through bot_drive, then `done`.
void ApiApp::bot_fire_due(const std::shared_ptr<BotSession>& s, std::function<void()> done) {
  const Millis now = clock_.now();
  if (s->busy || s->session.finished() || s->timers.empty()) return done();
  auto earliest =
      std::min_element(s->timers.begin(), s->timers.end(),
                       [](const auto& a, const auto& b) { return a.second < b.second; });
  if (earliest->second > now) return done();
  const flows::TimerId id = earliest->first;
  s->timers.erase(earliest);
  flows::Actions out;
  Status st = s->session.on_timer(id, now, out);
  if (!st.ok()) std::fprintf(stderr, "switchboard: bot: %s\n", st.message().c_str());
  bot_drive(s, std::move(out),
            [this, s, done = std::move(done)]() mutable { bot_fire_due(s, std::move(done)); });
}

json ApiApp::bot_session_json(BotSession& s, bool all_messages) {
  json messages = json::array();
  for (std::size_t i = all_messages ? 0 : s.unread; i < s.transcript.size(); ++i) {
    const auto& m = s.transcript[i];
    if (!all_messages && m.from != "bot") continue;
    json j = {{"text", m.text}, {"at", m.at}};
    if (all_messages) j["from"] = m.from;
    messages.push_back(std::move(j));
  }
  s.unread = s.transcript.size();
  const auto& flow = s.session.flow();
  return {
      {"id", std::to_string(s.id)},
      {"flow", flow.id},
      {"flow_version", flow.version},
      {"channel", std::string(channel_name(s.channel))},
      {"state", std::string(flows::wait_state_name(s.session.wait_state()))},
      {"node", std::string(s.session.current_node())},
      {"outcome", s.session.finished() ? json(std::string(flows::outcome_name(s.session.outcome())))
                                       : json(nullptr)},
      {"contact", s.contact_created ? json(s.contact) : json(nullptr)},
      {"attributes", attributes_json(s.session.attributes())},
      {"messages", std::move(messages)},
  };
}

std::shared_ptr<BotSession> ApiApp::find_bot_session(const std::string& id) {
  auto n = parse_id(id);
  if (!n) return nullptr;
  std::lock_guard lock(flows_->mu);
  auto it = flows_->sessions.find(static_cast<std::uint64_t>(*n));
  return it == flows_->sessions.end() ? nullptr : it->second;
}

void ApiApp::register_flow_routes() {
  flows_ = std::make_shared<FlowsState>(options_.flows_dir);
  if (!options_.flows_dir.empty()) {
    flows_->load_status = flows_->store.load_directory();
    if (!flows_->load_status.ok())
      std::fprintf(stderr, "switchboard: flows: %s\n", flows_->load_status.message().c_str());
  }
  // The end of an agent conversation resumes the bot's flow (after-call survey); connections
  // tell which agent a survey answer is about.
  flows_->subscription = service_.subscribe([this](std::span<const Event> events) {
    for (const Event& e : events) {
      ContactId contact = kNoContact;
      AgentId agent = kNoId;
      bool ended = false;
      if (const auto* c = std::get_if<ev::ContactConnected>(&e.payload)) {
        contact = c->contact;
        agent = c->agent;
      } else if (const auto* x = std::get_if<ev::ContactEnded>(&e.payload)) {
        contact = x->contact;
        ended = true;
      } else {
        continue;
      }
      std::shared_ptr<BotSession> s;
      {
        std::lock_guard lock(flows_->mu);
        auto it = flows_->by_contact.find(contact);
        if (it == flows_->by_contact.end()) continue;
        auto si = flows_->sessions.find(it->second);
        if (si == flows_->sessions.end()) continue;
        s = si->second;
      }
      // Never block the service thread on a session: continue on a worker.
      post_work([this, s, agent, ended] {
        std::unique_lock lock(s->mu);
        if (agent != kNoId) s->agent = agent;
        if (!ended || s->session.wait_state() != flows::WaitState::kInQueue) return;
        flows::Actions out;
        Status st = s->session.on_contact_ended(clock_.now(), out);
        if (!st.ok()) return;
        bot_drive(s, std::move(out), [] {});
      });
    }
  });

  router_.add("GET", "/api/v1/flows", kAdmin | kSupervisor,
              "List flows (active version and all versions)", [this](RouteContext&, Reply reply) {
                json items = json::array();
                for (const auto& s : flows_->store.list()) items.push_back(summary_json(s));
                reply(json_response({{"items", items}}));
              });

  auto put_flow = [this](RouteContext& ctx, Reply reply, const std::string* path_id) {
    json body;
    if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
    std::string text = ctx.req.body;
    if (path_id != nullptr) {
      if (!body.contains("id")) {
        body["id"] = *path_id;
        text = body.dump(2);
      } else if (!body["id"].is_string() || body["id"].get<std::string>() != *path_id) {
        return reply(bad_request("the flow's id must match the path",
                                 {{"/id", "must be \"" + *path_id + "\""}}));
      }
    }
    std::vector<flows::Issue> issues;
    auto stored = flows_->store.put(text, &issues);
    if (!stored.ok()) {
      if (!issues.empty())
        return reply(bad_request(
            "invalid flow: " + issues.front().to_string() +
                (issues.size() > 1 ? " (and " + std::to_string(issues.size() - 1) + " more)" : ""),
            issues_as_field_errors(issues)));
      return reply(problem_from_status(stored.status()));
    }
    audit(&*ctx.principal, ctx.req, "flow.put", (*stored)->id,
          "version " + std::to_string((*stored)->version));
    reply(json_response({{"id", (*stored)->id},
                         {"name", (*stored)->name},
                         {"version", (*stored)->version},
                         {"nodes", (*stored)->nodes.size()}},
                        201));
  };
  router_.add("POST", "/api/v1/flows", kAdmin,
              "Add a flow or a new version of one (validated; an invalid version is refused and "
              "the previous one stays active)",
              [put_flow](RouteContext& ctx, Reply reply) { put_flow(ctx, reply, nullptr); });
  router_.add("PUT", "/api/v1/flows/{id}", kAdmin, "Add a new version of a flow",
              [put_flow](RouteContext& ctx, Reply reply) {
                const std::string id = ctx.params[0];
                put_flow(ctx, reply, &id);
              });
  router_.add("POST", "/api/v1/flows/validate", kAdmin | kSupervisor,
              "Validate a flow definition without storing it", [](RouteContext& ctx, Reply reply) {
                std::vector<flows::Issue> issues;
                auto parsed = flows::parse_flow(ctx.req.body, &issues);
                reply(json_response({{"valid", parsed.ok()}, {"errors", issues_json(issues)}}));
              });
  router_.add("GET", "/api/v1/flows/{id}", kAdmin | kSupervisor,
              "A flow's definition (the active version, or ?version=N)",
              [this](RouteContext& ctx, Reply reply) {
                auto flow = flows_->store.get(ctx.params[0]);
                if (!flow.ok()) return reply(problem_from_status(flow.status()));
                std::uint32_t version = (*flow)->version;
                if (auto it = ctx.req.query.find("version"); it != ctx.req.query.end()) {
                  auto v = parse_id(it->second);
                  if (!v || *v < 1 || *v > UINT32_MAX)
                    return reply(bad_request("version must be a positive integer",
                                             {{"version", "must be a positive integer"}}));
                  version = static_cast<std::uint32_t>(*v);
                }
                auto source = flows_->store.source(ctx.params[0], version);
                if (!source.ok()) return reply(problem_from_status(source.status()));
                json def = json::parse(*source, nullptr, false);
                reply(json_response({{"id", (*flow)->id},
                                     {"version", version},
                                     {"active", version == (*flow)->version},
                                     {"definition", def}}));
              });
  router_.add("GET", "/api/v1/flows/{id}/versions", kAdmin | kSupervisor,
              "The stored versions of a flow", [this](RouteContext& ctx, Reply reply) {
                for (const auto& s : flows_->store.list())
                  if (s.id == ctx.params[0]) return reply(json_response(summary_json(s)));
                reply(not_found("flow \"" + ctx.params[0] + "\""));
              });
  router_.add("DELETE", "/api/v1/flows/{id}", kAdmin,
              "Delete a flow and its versions (running sessions finish on theirs)",
              [this](RouteContext& ctx, Reply reply) {
                Status st = flows_->store.remove(ctx.params[0]);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "flow.delete", ctx.params[0], "");
                reply(no_content());
              });

  router_.add(
      "POST", "/api/v1/bot-sessions", kAdmin | kSupervisor,
      "Start a bot conversation (a flow on a text channel); answers with the bot's first messages",
      [this](RouteContext& ctx, Reply reply) {
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        std::string flow_id;
        if (auto v = r.string("flow", true, 64)) flow_id = *v;
        Channel channel = Channel::kChat;
        if (auto v = r.string("channel", false, 20)) {
          auto ch = parse_channel(*v);
          if (!ch.ok())
            r.error("channel", ch.status().message());
          else if (*ch == Channel::kVoice || *ch == Channel::kCallback || *ch == Channel::kTask)
            r.error("channel", "must be a text channel (chat, email, sms, whatsapp, social)");
          else
            channel = *ch;
        }
        CustomerId customer = 0;
        if (auto v = r.integer("customer", false, 0, INT64_MAX))
          customer = static_cast<CustomerId>(*v);
        flows::SessionOptions options;
        options.channel = flows::SessionChannel::kText;
        if (const json* attrs = r.object("attributes", false)) {
          if (attrs->size() > 50) r.error("attributes", "at most 50 attributes");
          for (auto it = attrs->begin(); it != attrs->end(); ++it) {
            if (!it->is_string() || it.key().size() > 100 || it->get<std::string>().size() > 2000)
              r.error("attributes." + it.key(),
                      "must be a string of at most 2000 characters with a key of at most 100");
            else
              options.attributes[it.key()] = it->get<std::string>();
          }
        }
        if (!errors.empty()) return reply(bad_request("invalid bot session", errors));
        auto flow = flows_->store.get(flow_id);
        if (!flow.ok()) return reply(problem_from_status(flow.status()));
        options.attributes["channel"] = std::string(channel_name(channel));
        if (customer != 0) options.attributes["customer"] = std::to_string(customer);

        std::shared_ptr<BotSession> s;
        {
          std::lock_guard lock(flows_->mu);
          if (flows_->sessions.size() >= kMaxBotSessions) {
            // Forget the oldest finished conversations first.
            for (auto it = flows_->sessions.begin();
                 it != flows_->sessions.end() && flows_->sessions.size() >= kMaxBotSessions;) {
              std::unique_lock sl(it->second->mu, std::try_to_lock);
              if (sl.owns_lock() && it->second->session.finished() && !it->second->busy) {
                flows_->by_contact.erase(it->second->contact);
                sl.unlock();
                it = flows_->sessions.erase(it);
              } else {
                ++it;
              }
            }
            if (flows_->sessions.size() >= kMaxBotSessions)
              return reply(
                  problem_from_status(Status::resource_exhausted("too many live bot sessions")));
          }
          s = std::make_shared<BotSession>(flows_->next_id++, *flow, std::move(options));
          s->channel = channel;
          s->customer = customer;
          s->contact = service_.next_contact_id();
          flows_->sessions[s->id] = s;
          flows_->by_contact[s->contact] = s->id;
        }
        std::unique_lock lock(s->mu);
        flows::Actions out;
        Status st = s->session.start(clock_.now(), out);
        if (!st.ok()) return reply(problem_from_status(st));
        bot_drive(s, std::move(out),
                  [this, s, reply] { reply(json_response(bot_session_json(*s, false), 201)); });
      });

  router_.add("GET", "/api/v1/bot-sessions/{id}", kAdmin | kSupervisor,
              "A bot conversation: state, attributes and the whole transcript",
              [this](RouteContext& ctx, Reply reply) {
                auto s = find_bot_session(ctx.params[0]);
                if (!s) return reply(not_found("no bot session " + ctx.params[0]));
                std::unique_lock lock(s->mu);
                bot_fire_due(
                    s, [this, s, reply] { reply(json_response(bot_session_json(*s, true))); });
              });

  router_.add(
      "POST", "/api/v1/bot-sessions/{id}/messages", kAdmin | kSupervisor,
      "The customer's message; answers with the bot's replies",
      [this](RouteContext& ctx, Reply reply) {
        auto s = find_bot_session(ctx.params[0]);
        if (!s) return reply(not_found("no bot session " + ctx.params[0]));
        json body;
        if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
        std::vector<FieldError> errors;
        JsonReader r(body, errors);
        std::string text;
        if (auto v = r.string("text", true, kMaxTextBytes)) text = *v;
        if (!errors.empty()) return reply(bad_request("invalid message", errors));
        std::unique_lock lock(s->mu);
        if (s->busy) return reply(conflict("the bot is still working on the previous message"));
        if (s->session.finished())
          return reply(conflict("the bot conversation has ended (" +
                                std::string(flows::outcome_name(s->session.outcome())) + ")"));
        bot_fire_due(s, [this, s, text, reply] {
          // Timers may have moved the conversation on (or ended it) before the message.
          if (s->busy || s->session.finished())
            return reply(json_response(bot_session_json(*s, false)));
          s->transcript.push_back({"customer", text, clock_.now()});
          s->unread = s->transcript.size();
          flows::Actions out;
          Status st = s->session.on_text(text, clock_.now(), out);
          if (!st.ok() && st.code() != StatusCode::kFailedPrecondition)
            return reply(problem_from_status(st));
          bot_drive(s, std::move(out),
                    [this, s, reply] { reply(json_response(bot_session_json(*s, false))); });
        });
      });

  router_.add("DELETE", "/api/v1/bot-sessions/{id}", kAdmin | kSupervisor,
              "The customer left the conversation", [this](RouteContext& ctx, Reply reply) {
                auto s = find_bot_session(ctx.params[0]);
                if (!s) return reply(not_found("no bot session " + ctx.params[0]));
                std::unique_lock lock(s->mu);
                if (s->busy)
                  return reply(conflict("the bot is still working on the previous message"));
                flows::Actions out;
                Status st = s->session.on_hangup(clock_.now(), out);
                if (!st.ok()) return reply(problem_from_status(st));
                if (s->contact_created && s->session.outcome() == flows::Outcome::kHandedOff)
                  run_command(cmd::CustomerLeft{s->contact}, [](service::CommandResult) {
                    // Refused when the conversation with the agent already ended: nothing to do.
                  });
                bot_drive(s, std::move(out),
                          [this, s, reply] { reply(json_response(bot_session_json(*s, false))); });
              });
}

}  // namespace sb::api
