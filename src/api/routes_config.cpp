// Routes: engine configuration (skills, routing profiles, queues, agents) and the directory
// (reason codes, dispositions, teams). Engine configuration changes are commands, so they become
// events in the log like everything else; the directory lives in directory.db.

#include <algorithm>

#include "api/api_app.h"
#include "api/route_util.h"

namespace sb::api {

namespace {
constexpr unsigned kConfigReaders = kAdmin | kSupervisor | kAnalyst;

json list_of(json items) { return {{"items", std::move(items)}, {"next_cursor", nullptr}}; }

template <class T, class F>
const T* find_by_id(const std::vector<T>& v, std::int64_t id, F id_of) {
  for (const auto& x : v)
    if (static_cast<std::int64_t>(id_of(x)) == id) return &x;
  return nullptr;
}
}  // namespace

void ApiApp::register_config_routes() {
  // ---- skills ----
  router_.add("GET", "/api/v1/skills", kConfigReaders | kAgent, "List skills",
              [this](RouteContext&, Reply reply) {
                CenterConfig c = configuration();
                json items = json::array();
                for (std::size_t i = 0; i < c.skills.size(); ++i)
                  if (!c.skills[i].empty()) items.push_back({{"id", i}, {"name", c.skills[i]}});
                reply(json_response(list_of(items)));
              });
  router_.add(
      "GET", "/api/v1/skills/{id}", kConfigReaders | kAgent, "Get a skill",
      [this](RouteContext& ctx, Reply reply) {
        CenterConfig c = configuration();
        auto id = parse_id(ctx.params[0]);
        if (!id || *id >= static_cast<std::int64_t>(c.skills.size()) || c.skills[*id].empty())
          return reply(not_found("no skill " + ctx.params[0]));
        reply(json_response({{"id", *id}, {"name", c.skills[*id]}}));
      });
  auto write_skill = [this](RouteContext& ctx, Reply reply, bool create) {
    json body;
    if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
    std::vector<FieldError> errors;
    JsonReader r(body, errors);
    auto name = r.string("name", true, 100);
    if (name && name->empty()) r.error("name", "must not be empty");
    if (!errors.empty()) return reply(bad_request("invalid skill", errors));
    std::lock_guard lock(config_mu_);
    CenterConfig c = configuration();
    std::int64_t id = 0;
    if (create) {
      id = static_cast<std::int64_t>(c.skills.size());
    } else {
      auto pid = parse_id(ctx.params[0]);
      if (!pid || *pid >= static_cast<std::int64_t>(c.skills.size()) || c.skills[*pid].empty())
        return reply(not_found("no skill " + ctx.params[0]));
      id = *pid;
    }
    for (std::size_t i = 0; i < c.skills.size(); ++i)
      if (c.skills[i] == *name && static_cast<std::int64_t>(i) != id)
        return reply(conflict("a skill named '" + *name + "' already exists"));
    auto result = service_.execute(cmd::ConfigureSkill{static_cast<SkillId>(id), *name});
    if (!result.ok()) return reply(problem_from_status(result.status()));
    audit(&*ctx.principal, ctx.req, create ? "skill.create" : "skill.update",
          "skill:" + std::to_string(id), *name);
    reply(json_response({{"id", id}, {"name", *name}}, create ? 201 : 200));
  };
  router_.add("POST", "/api/v1/skills", kAdmin, "Create a skill",
              [write_skill](RouteContext& ctx, Reply reply) { write_skill(ctx, reply, true); });
  router_.add("PUT", "/api/v1/skills/{id}", kAdmin, "Rename a skill",
              [write_skill](RouteContext& ctx, Reply reply) { write_skill(ctx, reply, false); });

  // ---- routing profiles ----
  router_.add("GET", "/api/v1/profiles", kConfigReaders, "List routing profiles",
              [this](RouteContext&, Reply reply) {
                json items = json::array();
                for (const auto& p : configuration().profiles) items.push_back(profile_to_json(p));
                reply(json_response(list_of(items)));
              });
  router_.add("GET", "/api/v1/profiles/{id}", kConfigReaders, "Get a routing profile",
              [this](RouteContext& ctx, Reply reply) {
                CenterConfig c = configuration();
                auto id = parse_id(ctx.params[0]);
                const RoutingProfile* p =
                    id ? find_by_id(c.profiles, *id, [](const RoutingProfile& x) { return x.id; })
                       : nullptr;
                if (p == nullptr) return reply(not_found("no routing profile " + ctx.params[0]));
                reply(json_response(profile_to_json(*p)));
              });
  auto write_profile = [this](RouteContext& ctx, Reply reply, bool create) {
    json body;
    if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
    std::vector<FieldError> errors;
    auto p = profile_from_json(body, errors);
    if (!p) return reply(bad_request("invalid routing profile", errors));
    std::lock_guard lock(config_mu_);
    CenterConfig c = configuration();
    if (create) {
      p->id = static_cast<ProfileId>(c.profiles.size());
    } else {
      auto id = parse_id(ctx.params[0]);
      if (!id || !find_by_id(c.profiles, *id, [](const RoutingProfile& x) { return x.id; }))
        return reply(not_found("no routing profile " + ctx.params[0]));
      p->id = static_cast<ProfileId>(*id);
    }
    auto result = service_.execute(cmd::ConfigureProfile{*p});
    if (!result.ok()) return reply(problem_from_status(result.status()));
    audit(&*ctx.principal, ctx.req, create ? "profile.create" : "profile.update",
          "profile:" + std::to_string(p->id), profile_to_json(*p).dump());
    reply(json_response(profile_to_json(*p), create ? 201 : 200));
  };
  router_.add("POST", "/api/v1/profiles", kAdmin, "Create a routing profile",
              [write_profile](RouteContext& ctx, Reply reply) { write_profile(ctx, reply, true); });
  router_.add(
      "PUT", "/api/v1/profiles/{id}", kAdmin, "Replace a routing profile",
      [write_profile](RouteContext& ctx, Reply reply) { write_profile(ctx, reply, false); });

  // ---- queues ----
  router_.add("GET", "/api/v1/queues", kConfigReaders | kAgent, "List queues",
              [this](RouteContext&, Reply reply) {
                json items = json::array();
                for (const auto& q : configuration().queues) items.push_back(queue_to_json(q));
                reply(json_response(list_of(items)));
              });
  router_.add("GET", "/api/v1/queues/{id}", kConfigReaders | kAgent, "Get a queue",
              [this](RouteContext& ctx, Reply reply) {
                CenterConfig c = configuration();
                auto id = parse_id(ctx.params[0]);
                const QueueConfig* q =
                    id ? find_by_id(c.queues, *id, [](const QueueConfig& x) { return x.id; })
                       : nullptr;
                if (q == nullptr) return reply(not_found("no queue " + ctx.params[0]));
                reply(json_response(queue_to_json(*q)));
              });
  auto write_queue = [this](RouteContext& ctx, Reply reply, bool create) {
    json body;
    if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
    std::lock_guard lock(config_mu_);
    CenterConfig c = configuration();
    std::vector<FieldError> errors;
    auto q = queue_from_json(body, c, errors);
    if (!q) return reply(bad_request("invalid queue", errors));
    if (create) {
      q->id = static_cast<QueueId>(c.queues.size());
    } else {
      auto id = parse_id(ctx.params[0]);
      if (!id || !find_by_id(c.queues, *id, [](const QueueConfig& x) { return x.id; }))
        return reply(not_found("no queue " + ctx.params[0]));
      q->id = static_cast<QueueId>(*id);
      if (q->overflow_queue == q->id)
        return reply(
            bad_request("invalid queue", {{"overflow_queue", "must not be the queue itself"}}));
    }
    for (const auto& other : c.queues)
      if (other.name == q->name && other.id != q->id)
        return reply(conflict("a queue named '" + q->name + "' already exists"));
    auto result = service_.execute(cmd::ConfigureQueue{*q});
    if (!result.ok()) return reply(problem_from_status(result.status()));
    audit(&*ctx.principal, ctx.req, create ? "queue.create" : "queue.update",
          "queue:" + std::to_string(q->id), queue_to_json(*q).dump());
    reply(json_response(queue_to_json(*q), create ? 201 : 200));
  };
  router_.add("POST", "/api/v1/queues", kAdmin, "Create a queue",
              [write_queue](RouteContext& ctx, Reply reply) { write_queue(ctx, reply, true); });
  router_.add("PUT", "/api/v1/queues/{id}", kAdmin, "Replace a queue",
              [write_queue](RouteContext& ctx, Reply reply) { write_queue(ctx, reply, false); });

  // ---- agents ----
  router_.add("GET", "/api/v1/agents", kConfigReaders, "List agents",
              [this](RouteContext&, Reply reply) {
                json items = json::array();
                for (const auto& a : configuration().agents)
                  items.push_back(agent_config_to_json(a));
                reply(json_response(list_of(items)));
              });
  router_.add("GET", "/api/v1/agents/{id}", kConfigReaders | kAgent, "Get an agent",
              [this](RouteContext& ctx, Reply reply) {
                CenterConfig c = configuration();
                auto id = parse_id(ctx.params[0]);
                const AgentConfig* a =
                    id ? find_by_id(c.agents, *id, [](const AgentConfig& x) { return x.id; })
                       : nullptr;
                if (a == nullptr) return reply(not_found("no agent " + ctx.params[0]));
                if (ctx.principal->user.role == accounts::Role::kAgent &&
                    ctx.principal->user.agent_id != a->id)
                  return reply(forbidden("agents may only read their own configuration"));
                reply(json_response(agent_config_to_json(*a)));
              });
  auto write_agent = [this](RouteContext& ctx, Reply reply, bool create) {
    json body;
    if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
    std::lock_guard lock(config_mu_);
    CenterConfig c = configuration();
    std::vector<FieldError> errors;
    auto a = agent_config_from_json(body, c, errors);
    if (!a) return reply(bad_request("invalid agent", errors));
    if (create) {
      a->id = static_cast<AgentId>(c.agents.size());
    } else {
      auto id = parse_id(ctx.params[0]);
      if (!id || !find_by_id(c.agents, *id, [](const AgentConfig& x) { return x.id; }))
        return reply(not_found("no agent " + ctx.params[0]));
      a->id = static_cast<AgentId>(*id);
    }
    std::sort(a->skills.begin(), a->skills.end(),
              [](const SkillLevel& x, const SkillLevel& y) { return x.skill < y.skill; });
    auto result = service_.execute(cmd::ConfigureAgent{*a});
    if (!result.ok()) return reply(problem_from_status(result.status()));
    audit(&*ctx.principal, ctx.req, create ? "agent.create" : "agent.update",
          "agent:" + std::to_string(a->id), agent_config_to_json(*a).dump());
    reply(json_response(agent_config_to_json(*a), create ? 201 : 200));
  };
  router_.add("POST", "/api/v1/agents", kAdmin, "Create an agent",
              [write_agent](RouteContext& ctx, Reply reply) { write_agent(ctx, reply, true); });
  router_.add("PUT", "/api/v1/agents/{id}", kAdmin, "Replace an agent's configuration",
              [write_agent](RouteContext& ctx, Reply reply) { write_agent(ctx, reply, false); });
}

void ApiApp::register_directory_routes() {
  struct Kind {
    const char* kind;
    const char* path;
    const char* label;
    std::int64_t first_id;
    unsigned readers;
  };
  const Kind kinds[] = {
      {"reason_code", "/api/v1/reason-codes", "reason code", 100, kConfigReaders | kAgent},
      {"disposition", "/api/v1/dispositions", "disposition", 1, kConfigReaders | kAgent},
      {"team", "/api/v1/teams", "team", 1, kConfigReaders},
  };
  for (const Kind& k : kinds) {
    const std::string kind = k.kind;
    const std::string label = k.label;
    const std::int64_t first_id = k.first_id;
    // Reads the body of a reason code, disposition or team; nullopt and the 400 otherwise.
    auto read_doc = [this, kind, label](const RouteContext& ctx,
                                        HttpResponse& bad) -> std::optional<json> {
      json body;
      if (auto b = parse_object(ctx.req.body, body)) {
        bad = *b;
        return std::nullopt;
      }
      std::vector<FieldError> errors;
      JsonReader r(body, errors);
      json doc;
      auto name = r.string("name", true, 100);
      if (name && name->empty()) r.error("name", "must not be empty");
      if (name) doc["name"] = *name;
      if (kind == "disposition") doc["conversion"] = r.boolean("conversion", false).value_or(false);
      if (kind == "team") {
        json agents = json::array();
        if (const json* list = r.array("agents", false)) {
          CenterConfig c = configuration();
          for (std::size_t i = 0; i < list->size(); ++i) {
            const json& a = (*list)[i];
            const std::string field = "agents[" + std::to_string(i) + "]";
            if (!a.is_number_integer() || a.get<std::int64_t>() < 0 ||
                !find_by_id(c.agents, a.get<std::int64_t>(),
                            [](const AgentConfig& x) { return x.id; })) {
              r.error(field, "unknown agent");
              continue;
            }
            agents.push_back(a);
          }
        }
        doc["agents"] = agents;
      }
      if (!errors.empty()) {
        bad = bad_request("invalid " + label, errors);
        return std::nullopt;
      }
      return doc;
    };
    router_.add("GET", k.path, k.readers, std::string("List ") + label + "s",
                [this, kind](RouteContext&, Reply reply) {
                  auto docs = directory_.list(kind);
                  if (!docs.ok()) return reply(problem_from_status(docs.status()));
                  json items = json::array();
                  for (auto& d : *docs) items.push_back(std::move(d));
                  reply(json_response(list_of(items)));
                });
    router_.add("POST", k.path, kAdmin, "Create a " + label,
                [this, kind, label, first_id, read_doc](RouteContext& ctx, Reply reply) {
                  HttpResponse bad;
                  auto doc = read_doc(ctx, bad);
                  if (!doc) return reply(bad);
                  std::lock_guard lock(config_mu_);
                  auto existing = directory_.list(kind);
                  if (!existing.ok()) return reply(problem_from_status(existing.status()));
                  for (const auto& e : *existing)
                    if (e.value("name", "") == (*doc)["name"])
                      return reply(conflict("a " + label + " with this name already exists"));
                  auto id = directory_.next_id(kind, first_id);
                  if (!id.ok()) return reply(problem_from_status(id.status()));
                  Status s = directory_.put(kind, *id, *doc);
                  if (!s.ok()) return reply(problem_from_status(s));
                  (*doc)["id"] = *id;
                  audit(&*ctx.principal, ctx.req, kind + ".create",
                        kind + ":" + std::to_string(*id), doc->dump());
                  reply(json_response(*doc, 201));
                });
    router_.add("PUT", std::string(k.path) + "/{id}", kAdmin, "Replace a " + label,
                [this, kind, label, read_doc](RouteContext& ctx, Reply reply) {
                  auto id = parse_id(ctx.params[0]);
                  if (!id) return reply(not_found("no " + label + " " + ctx.params[0]));
                  HttpResponse bad;
                  auto doc = read_doc(ctx, bad);
                  if (!doc) return reply(bad);
                  std::lock_guard lock(config_mu_);
                  auto existing = directory_.get(kind, *id);
                  if (!existing.ok()) return reply(problem_from_status(existing.status()));
                  if (existing->value("built_in", false)) (*doc)["built_in"] = true;
                  Status s = directory_.put(kind, *id, *doc);
                  if (!s.ok()) return reply(problem_from_status(s));
                  (*doc)["id"] = *id;
                  audit(&*ctx.principal, ctx.req, kind + ".update",
                        kind + ":" + std::to_string(*id), doc->dump());
                  reply(json_response(*doc));
                });
    if (kind == "team") {
      router_.add("GET", std::string(k.path) + "/{id}", k.readers, "Get a " + label,
                  [this, kind, label](RouteContext& ctx, Reply reply) {
                    auto id = parse_id(ctx.params[0]);
                    if (!id) return reply(not_found("no " + label + " " + ctx.params[0]));
                    auto doc = directory_.get(kind, *id);
                    if (!doc.ok()) return reply(problem_from_status(doc.status()));
                    reply(json_response(*doc));
                  });
    }
  }
}

}  // namespace sb::api
