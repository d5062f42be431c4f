// Routes: historical reports over the reports read model (reports.db, src/reports): interval
// KPIs with grouping and filters, and wait/handle-time distributions; JSON or CSV.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "api/api_app.h"
#include "api/route_util.h"
#include "reports/agent_lifecycles.h"
#include "reports/attrition.h"
#include "reports/report_query.h"
#include "reports/time_zone.h"

namespace sb::api {

namespace {

constexpr Millis kMaxRange = 400 * kMillisPerDay;  // a year and a bit per request

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in(s);
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

bool wants_csv(const HttpRequest& req) {
  if (auto it = req.query.find("format"); it != req.query.end()) return it->second == "csv";
  const std::string* accept = req.header("accept");
  return accept != nullptr && accept->find("text/csv") != std::string::npos &&
         accept->find("application/json") == std::string::npos;
}

HttpResponse text_response(std::string body, const std::string& type, const std::string& name) {
  HttpResponse r;
  r.content_type = type;
  r.body = std::move(body);
  if (!name.empty())
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
  return r;
}

}  // namespace

// Reads the report request of a query string; nullopt with the 400 in `bad`.
std::optional<reports::ReportRequest> ApiApp::report_request(const HttpRequest& req,
                                                             bool distributions,
                                                             HttpResponse& bad) {
  std::vector<FieldError> errors;
  reports::ReportRequest r;
  auto q = [&](const char* key) -> const std::string* {
    auto it = req.query.find(key);
    return it == req.query.end() ? nullptr : &it->second;
  };
  if (const std::string* tz = q("tz")) r.time_zone = *tz;
  auto zone = reports::TimeZone::parse(r.time_zone);
  if (!zone.ok()) errors.push_back({"tz", zone.status().message()});
  const reports::TimeZone tz = zone.ok() ? *zone : reports::TimeZone::utc();
  for (const char* key : {"from", "to"}) {
    const std::string* v = q(key);
    if (v == nullptr) {
      errors.push_back({key, "required: YYYY-MM-DD, YYYY-MM-DDTHH:MM or epoch milliseconds"});
      continue;
    }
    auto t = reports::parse_report_instant(*v, tz, std::string(key) == "to");
    if (!t.ok()) {
      errors.push_back({key, t.status().message()});
    } else {
      (std::string(key) == "from" ? r.from : r.to) = *t;
    }
  }
  if (errors.empty() && r.to <= r.from) errors.push_back({"to", "must be after from"});
  if (errors.empty() && r.to - r.from > kMaxRange)
    errors.push_back({"to", "a report covers at most 400 days"});
  if (const std::string* v = q("interval")) {
    std::string s = *v;
    if (!s.empty() && s.back() == 'm') s.pop_back();
    if (s == "15" || s == "30" || s == "60") {
      r.interval_minutes = std::stoi(s);
    } else {
      errors.push_back({"interval", "must be 15, 30 or 60 (minutes)"});
    }
  }
  if (const std::string* v = q("queue")) r.queues = split_list(*v);
  if (const std::string* v = q("agent")) r.agents = split_list(*v);
  if (const std::string* v = q("team")) r.teams = split_list(*v);
  if (const std::string* v = q("channel"))
    for (const auto& name : split_list(*v)) {
      auto c = parse_channel(name);
      if (!c.ok()) {
        errors.push_back({"channel", c.status().message()});
      } else {
        r.channels.push_back(*c);
      }
    }
  r.group_by.clear();
  if (!distributions) r.group_by = {reports::Dimension::kInterval};
  if (const std::string* v = q("group_by")) {
    r.group_by.clear();
    if (*v != "none")
      for (const auto& name : split_list(*v)) {
        auto d = reports::parse_dimension(name);
        if (!d.ok()) {
          errors.push_back({"group_by", d.status().message()});
        } else {
          r.group_by.push_back(*d);
        }
      }
  }
  if (const std::string* v = q("preset")) {
    auto p = reports::parse_sl_preset(*v);
    if (!p.ok()) {
      errors.push_back({"preset", p.status().message()});
    } else {
      r.preset = *p;
    }
  }
  r.include_histograms = distributions;
  if (const std::string* v = q("histograms")) r.include_histograms = *v == "true" || *v == "1";
  if (const std::string* v = q("empty")) r.include_empty_intervals = *v == "true" || *v == "1";
  if (errors.empty()) {
    Status st = reports::validate(r);
    if (!st.ok()) errors.push_back({"", st.message()});
  }
  if (!errors.empty()) {
    bad = bad_request("invalid report request", errors);
    return std::nullopt;
  }
  // Teams live in the directory: agent name → team name for the query.
  auto teams = directory_.list("team");
  if (teams.ok()) {
    const auto config = config_snapshot();
    for (const auto& t : *teams) {
      if (!t.contains("agents")) continue;
      for (const auto& a : t["agents"])
        r.team_of_agent[agent_name(*config, a.get<AgentId>())] = t.value("name", "");
    }
  }
  return r;
}

void ApiApp::register_report_routes() {
  constexpr unsigned kReportReaders = kAdmin | kSupervisor | kAnalyst;
  auto unavailable = [] {
    return problem(503, "unavailable", "Unavailable",
                   "reports are not enabled on this server (no reports read model)");
  };
  router_.add("GET", "/api/v1/reports/intervals", kReportReaders,
              "KPIs by interval (or any grouping) over a date range; JSON or CSV",
              [this, unavailable](RouteContext& ctx, Reply reply) {
                HttpResponse bad;
                auto request = report_request(ctx.req, false, bad);
                if (!request) return reply(bad);
                if (reports_ == nullptr) return reply(unavailable());
                auto result = reports_->query(*request);
                if (!result.ok()) return reply(problem_from_status(result.status()));
                if (wants_csv(ctx.req))
                  return reply(text_response(reports::to_csv(*result), "text/csv; charset=utf-8",
                                             "switchboard-report.csv"));
                reply(text_response(reports::to_json(*result), "application/json", ""));
              });
  router_.add(
      "GET", "/api/v1/reports/attrition", kReportReaders,
      "Agent attrition over a date range: separations / time-weighted average headcount",
      [this](RouteContext& ctx, Reply reply) {
        std::vector<FieldError> errors;
        auto q = [&](const char* key) -> const std::string* {
          auto it = ctx.req.query.find(key);
          return it == ctx.req.query.end() ? nullptr : &it->second;
        };
        std::string tz_name = "UTC";
        if (const std::string* tz = q("tz")) tz_name = *tz;
        auto zone = reports::TimeZone::parse(tz_name);
        if (!zone.ok()) errors.push_back({"tz", zone.status().message()});
        const reports::TimeZone tz = zone.ok() ? *zone : reports::TimeZone::utc();
        Millis range[2] = {0, 0};
        for (int i = 0; i < 2; ++i) {
          const char* key = i == 0 ? "from" : "to";
          const std::string* v = q(key);
          if (v == nullptr) {
            errors.push_back({key, "required: YYYY-MM-DD, YYYY-MM-DDTHH:MM or epoch milliseconds"});
            continue;
          }
          auto t = reports::parse_report_instant(*v, tz, i == 1);
          if (!t.ok()) {
            errors.push_back({key, t.status().message()});
          } else {
            range[i] = *t;
          }
        }
        if (errors.empty() && range[1] <= range[0]) errors.push_back({"to", "must be after from"});
        if (!errors.empty()) return reply(bad_request("invalid report request", errors));
        auto agents = reports::agent_lifecycles(accounts_);
        if (!agents.ok()) return reply(problem_from_status(agents.status()));
        auto f = reports::compute_attrition(*agents, range[0], range[1]);
        if (!f.ok()) return reply(problem_from_status(f.status()));
        if (wants_csv(ctx.req))
          return reply(text_response(reports::attrition_to_csv(*f, tz_name, agents->size()),
                                     "text/csv; charset=utf-8", "switchboard-attrition.csv"));
        reply(text_response(reports::attrition_to_json(*f, tz_name, agents->size()),
                            "application/json", ""));
      });
  router_.add(
      "GET", "/api/v1/reports/distributions", kReportReaders,
      "Wait and handle time histograms and percentiles over a date range",
      [this, unavailable](RouteContext& ctx, Reply reply) {
        HttpResponse bad;
        auto request = report_request(ctx.req, true, bad);
        if (!request) return reply(bad);
        request->include_histograms = true;
        request->include_empty_intervals = false;
        if (reports_ == nullptr) return reply(unavailable());
        auto result = reports_->query(*request);
        if (!result.ok()) return reply(problem_from_status(result.status()));
        auto distribution = [](const std::vector<reports::HistogramBucket>& buckets,
                               std::uint64_t count, double p50, double p90, double p95) {
          json b = json::array();
          for (const auto& x : buckets)
            b.push_back(
                {{"lower_s", static_cast<double>(x.lower) / 1000.0},
                 {"upper_s",
                  x.upper == kNever ? json(nullptr) : json(static_cast<double>(x.upper) / 1000.0)},
                 {"count", x.count}});
          return json{
              {"count", count}, {"p50_s", p50}, {"p90_s", p90}, {"p95_s", p95}, {"histogram", b}};
        };
        auto group = [&](const reports::Kpis& k) {
          return json{{"wait", distribution(k.wait_histogram, k.handled, k.wait_p50_s, k.wait_p90_s,
                                            k.wait_p95_s)},
                      {"handle", distribution(k.handle_histogram, k.handle_samples, k.handle_p50_s,
                                              k.handle_p90_s, k.handle_p95_s)}};
        };
        if (wants_csv(ctx.req)) {
          std::string out;
          for (const auto& c : result->columns) out += c + ",";
          out += "measure,lower_s,upper_s,count\n";
          auto lines = [&](const std::vector<std::string>& keys, const reports::Kpis& k) {
            std::string prefix;
            for (const auto& key : keys)
              prefix +=
                  (key.find_first_of(",\"\n") == std::string::npos ? key : "\"" + key + "\"") + ",";
            for (const auto& [measure, buckets] :
                 {std::pair{"wait", &k.wait_histogram}, std::pair{"handle", &k.handle_histogram}})
              for (const auto& b : *buckets) {
                char buf[96];
                std::snprintf(buf, sizeof buf, "%s,%.3f,%s,%llu\n", measure,
                              static_cast<double>(b.lower) / 1000.0,
                              b.upper == kNever
                                  ? ""
                                  : std::to_string(static_cast<double>(b.upper) / 1000.0).c_str(),
                              static_cast<unsigned long long>(b.count));
                out += prefix + buf;
              }
          };
          for (const auto& row : result->rows) lines(row.keys, row.kpis);
          lines(std::vector<std::string>(result->columns.size(), "total"), result->total);
          return reply(text_response(std::move(out), "text/csv; charset=utf-8",
                                     "switchboard-distributions.csv"));
        }
        json groups = json::array();
        for (const auto& row : result->rows) {
          json g = group(row.kpis);
          json keys = json::object();
          for (std::size_t i = 0; i < row.keys.size() && i < result->columns.size(); ++i)
            keys[result->columns[i]] = row.keys[i];
          g["keys"] = keys;
          groups.push_back(std::move(g));
        }
        reply(json_response({{"from", request->from},
                             {"to", request->to},
                             {"time_zone", request->time_zone},
                             {"columns", result->columns},
                             {"groups", groups},
                             {"total", group(result->total)}}));
      });
}

}  // namespace sb::api
