// Routes: stored scheduling rules (/api/v1/wfm/shift-templates, /contracts, /time-off): the
// shift templates with break and lunch rules, agent contracts with availability, and time off
// that schedule generation uses when a request does not bring its own (docs/scheduling.md).
// Planners (admins, supervisors, analysts) read them; admins and supervisors change them.

#include "api/api_app.h"
#include "api/route_util.h"
#include "api/wfm_rules_json.h"
#include "wfmstore/rules_store.h"

namespace sb::api {

namespace {

constexpr unsigned kPlanners = kAdmin | kSupervisor | kAnalyst;
constexpr unsigned kEditors = kAdmin | kSupervisor;

HttpResponse rules_unavailable(const Status& why) {
  return problem(503, "unavailable", "Unavailable",
                 "workforce planning storage is not available: " + why.message());
}

json time_off_json(const wfmstore::TimeOff& t) {
  return {{"id", t.id},
          {"agent", t.agent},
          {"first_day", wfm::format_date(t.first_day)},
          {"last_day", wfm::format_date(t.last_day)},
          {"reason", t.reason}};
}

bool is_configured_agent(const CenterConfig& config, const std::string& name) {
  for (const auto& a : config.agents)
    if (a.name == name) return true;
  return false;
}

}  // namespace

void ApiApp::register_wfm_rules_routes() {
  // ---- Shift templates -----------------------------------------------------------------------
  router_.add("GET", "/api/v1/wfm/shift-templates", kPlanners,
              "Stored shift templates with their break and lunch rules, by name",
              [this](RouteContext&, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                auto list = rules_->templates();
                if (!list.ok()) return reply(problem_from_status(list.status()));
                json out = json::array();
                for (const auto& t : *list) out.push_back(template_to_json(t));
                reply(json_response({{"templates", out}}));
              });

  router_.add("GET", "/api/v1/wfm/shift-templates/{name}", kPlanners, "One stored shift template",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                auto t = rules_->get_template(ctx.params[0]);
                if (!t.ok()) return reply(problem_from_status(t.status()));
                reply(json_response(template_to_json(*t)));
              });

  // POST creates (409 when the name is taken); PUT creates or replaces the named one.
  auto put_template = [this](bool create_only) {
    return [this, create_only](RouteContext& ctx, Reply reply) {
      if (!rules_) return reply(rules_unavailable(wfm_status_));
      json body;
      if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
      if (!create_only) {
        if (body.contains("name") && body["name"] != ctx.params[0])
          return reply(bad_request("the template's name is the path's",
                                   {{"name", "must be '" + ctx.params[0] + "' or left out"}}));
        body["name"] = ctx.params[0];
      }
      std::vector<FieldError> errors;
      wfm::ShiftTemplate t = template_from_json(body, "", errors);
      if (!errors.empty()) return reply(bad_request("invalid shift template", errors));
      if (create_only && rules_->get_template(t.name).ok())
        return reply(conflict("shift template '" + t.name + "' exists: PUT to replace it"));
      auto created = rules_->put_template(t, clock_.now());
      if (!created.ok()) return reply(problem_from_status(created.status()));
      audit(&*ctx.principal, ctx.req, "wfm.template.put", t.name,
            *created ? "created" : "replaced");
      reply(json_response(template_to_json(t), *created ? 201 : 200));
    };
  };
  router_.add("POST", "/api/v1/wfm/shift-templates", kEditors,
              "Store a new shift template (checked: it must be possible)", put_template(true));
  router_.add("PUT", "/api/v1/wfm/shift-templates/{name}", kEditors,
              "Create or replace a stored shift template", put_template(false));
  router_.add("DELETE", "/api/v1/wfm/shift-templates/{name}", kEditors,
              "Delete a stored shift template (refused while a contract names it)",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                Status st = rules_->remove_template(ctx.params[0]);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "wfm.template.delete", ctx.params[0], "");
                reply(no_content());
              });

  // ---- Agent contracts -----------------------------------------------------------------------
  router_.add("GET", "/api/v1/wfm/contracts", kPlanners,
              "Stored agent contracts (hours per planning period, days, templates, availability)",
              [this](RouteContext&, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                auto list = rules_->contracts();
                if (!list.ok()) return reply(problem_from_status(list.status()));
                json out = json::array();
                for (const auto& c : *list) out.push_back(contract_to_json(c));
                reply(json_response({{"contracts", out}}));
              });

  router_.add("GET", "/api/v1/wfm/contracts/{agent}", kPlanners, "One agent's stored contract",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                auto c = rules_->get_contract(ctx.params[0]);
                if (!c.ok()) return reply(problem_from_status(c.status()));
                reply(json_response(contract_to_json(*c)));
              });

  router_.add("PUT", "/api/v1/wfm/contracts/{agent}", kEditors,
              "Create or replace an agent's contract (the agent is named as in the center)",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                const std::string& agent = ctx.params[0];
                std::vector<FieldError> errors;
                wfm::ScheduleAgent c = agent_from_json(body, "", errors, ContractDefaults{}, false);
                c.id = agent;
                if (!is_configured_agent(*config_snapshot(), agent))
                  errors.push_back({"agent", "no agent named '" + agent + "' in the center"});
                if (!errors.empty()) return reply(bad_request("invalid contract", errors));
                auto created = rules_->put_contract(c, clock_.now());
                if (!created.ok()) return reply(problem_from_status(created.status()));
                audit(&*ctx.principal, ctx.req, "wfm.contract.put", agent,
                      *created ? "created" : "replaced");
                reply(json_response(contract_to_json(c), *created ? 201 : 200));
              });

  router_.add("DELETE", "/api/v1/wfm/contracts/{agent}", kEditors,
              "Delete an agent's contract (the generate defaults apply again)",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                Status st = rules_->remove_contract(ctx.params[0]);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "wfm.contract.delete", ctx.params[0], "");
                reply(no_content());
              });

  // ---- Time off ------------------------------------------------------------------------------
  router_.add("GET", "/api/v1/wfm/time-off", kPlanners,
              "Stored time off (whole local days), of one agent with ?agent=NAME",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                auto it = ctx.req.query.find("agent");
                auto list = rules_->time_off(it == ctx.req.query.end() ? "" : it->second);
                if (!list.ok()) return reply(problem_from_status(list.status()));
                json out = json::array();
                for (const auto& t : *list) out.push_back(time_off_json(t));
                reply(json_response({{"time_off", out}}));
              });

  router_.add("POST", "/api/v1/wfm/time-off", kEditors,
              "Add time off for an agent: first_day..last_day (refused when it overlaps)",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                json body;
                if (auto bad = parse_object(ctx.req.body, body)) return reply(*bad);
                std::vector<FieldError> errors;
                JsonReader r(body, errors);
                wfmstore::TimeOff t;
                t.agent = r.string("agent", true).value_or("");
                t.reason = r.string("reason", false).value_or("");
                for (const char* key : {"first_day", "last_day"}) {
                  auto text = r.string(key, std::string(key) == "first_day");
                  if (!text) continue;
                  auto d = wfm::parse_date(*text);
                  if (!d.ok()) {
                    r.error(key, d.status().message());
                    continue;
                  }
                  (std::string(key) == "first_day" ? t.first_day : t.last_day) = *d;
                }
                if (!r.has("last_day")) t.last_day = t.first_day;  // one day
                if (!t.agent.empty() && !is_configured_agent(*config_snapshot(), t.agent))
                  errors.push_back({"agent", "no agent named '" + t.agent + "' in the center"});
                if (!errors.empty()) return reply(bad_request("invalid time off", errors));
                auto added = rules_->add_time_off(t);
                if (!added.ok()) return reply(problem_from_status(added.status()));
                audit(&*ctx.principal, ctx.req, "wfm.time_off.add", std::to_string(added->id),
                      added->agent);
                reply(json_response(time_off_json(*added), 201));
              });

  router_.add("DELETE", "/api/v1/wfm/time-off/{id}", kEditors, "Delete a time-off entry",
              [this](RouteContext& ctx, Reply reply) {
                if (!rules_) return reply(rules_unavailable(wfm_status_));
                auto id = parse_id(ctx.params[0]);
                if (!id) return reply(not_found("no such time off"));
                Status st = rules_->remove_time_off(*id);
                if (!st.ok()) return reply(problem_from_status(st));
                audit(&*ctx.principal, ctx.req, "wfm.time_off.delete", std::to_string(*id), "");
                reply(no_content());
              });
}

}  // namespace sb::api
