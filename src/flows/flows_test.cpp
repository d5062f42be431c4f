// The flow core: validation (with JSON paths), every node type's behaviour, retries and
// timeouts, business hours across daylight-saving changes, the store's versioning, and the
// example IVR walked end to end with scripted host answers.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../../tests/store/temp_dir.h"
#include "flows/flow_runtime.h"
#include "flows/flow_store.h"
#include "flows/time_zone.h"

namespace sb::flows {
namespace {

using nlohmann::json;

Millis utc(int y, int mo, int d, int h, int mi) {
  return days_from_civil(y, mo, d) * kMillisPerDay + h * kMillisPerHour + mi * kMillisPerMinute;
}

std::string read_example(const std::string& name) {
  std::ifstream in(std::string(SB_EXAMPLES_DIR) + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Issue> issues_of(const json& flow) {
  std::vector<Issue> issues;
  auto r = parse_flow(flow.dump(), &issues);
  EXPECT_FALSE(r.ok());
  return issues;
}

bool has_issue(const std::vector<Issue>& issues, const std::string& path,
               const std::string& fragment) {
  for (const auto& i : issues)
    if (i.path == path && i.message.find(fragment) != std::string::npos) return true;
  return false;
}

std::string dump(const std::vector<Issue>& issues) {
  std::string s;
  for (const auto& i : issues) s += i.to_string() + "\n";
  return s;
}

std::shared_ptr<const FlowDefinition> must_parse(const json& flow) {
  std::vector<Issue> issues;
  auto r = parse_flow(flow.dump(), &issues);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : nullptr;
}

template <typename T>
std::vector<T> all_of(const Actions& a) {
  std::vector<T> out;
  for (const auto& x : a)
    if (const T* t = std::get_if<T>(&x)) out.push_back(*t);
  return out;
}
template <typename T>
std::optional<T> last_of(const Actions& a) {
  auto v = all_of<T>(a);
  if (v.empty()) return std::nullopt;
  return v.back();
}
std::vector<std::string> texts(const Actions& a) {
  std::vector<std::string> out;
  for (const auto& s : all_of<act::Say>(a)) out.push_back(s.text);
  return out;
}

// A minimal flow around one node under test.
json flow_with(json nodes, const std::string& start) {
  return json{{"id", "t"}, {"version", 1}, {"start", start}, {"nodes", std::move(nodes)}};
}
json end_node(const std::string& id, const std::string& outcome = "self_served") {
  return json{{"id", id}, {"type", "end"}, {"outcome", outcome}, {"prompt", id}};
}

// ---- validation ----------------------------------------------------------------------------

TEST(FlowValidation, UnknownNodeNamesTheJsonPath) {
  json f =
      flow_with(json::array({json{{"id", "main"},
                                  {"type", "menu"},
                                  {"prompt", "p"},
                                  {"choices", json::array({json{{"key", "1"}, {"next", "a"}},
                                                           json{{"key", "2"}, {"next", "mian"}}})}},
                             end_node("a")}),
                "main");
  auto issues = issues_of(f);
  EXPECT_TRUE(has_issue(issues, "/nodes/0/choices/1/next", "unknown node \"mian\""))
      << dump(issues);
  auto r = parse_flow(f.dump());
  EXPECT_NE(r.status().message().find("/nodes/0/choices/1/next: unknown node \"mian\""),
            std::string::npos)
      << r.status().message();
}

TEST(FlowValidation, ReportsEveryIssueWithItsPath) {
  json f = {
      {"id", "bad flow!"},
      {"start", "nowhere"},
      {"colour", "red"},
      {"nodes",
       json::array({
           json{{"id", "a"}, {"type", "play"}, {"prompt", "hi"}, {"next", "b"}},
           json{{"id", "a"}, {"type", "play"}, {"prompt", "dup"}, {"next", "b"}},
           json{{"id", "b"}, {"type", "teleport"}},
           json{{"id", "c"},
                {"type", "collect"},
                {"prompt", "x"},
                {"attribute", "acct"},
                {"min_length", 8},
                {"max_length", 4},
                {"terminator", "x"},
                {"next", "b"}},
           json{{"id", "h"},
                {"type", "hours"},
                {"time_zone", "Mars/Olympus"},
                {"schedule",
                 json::array(
                     {json{{"days", {"mon", "funday"}}, {"open", "18:00"}, {"close", "08:00"}}})},
                {"holidays", {"2026-02-30"}},
                {"open", "b"},
                {"closed", "b"}},
           json{{"id", "s"},
                {"type", "survey"},
                {"survey", "x"},
                {"kind", "stars"},
                {"prompt", "?"},
                {"next", "b"}},
           json{{"id", "m"},
                {"type", "menu"},
                {"prompt", "?"},
                {"choices",
                 json::array({json{{"key", "12"}, {"next", "b"}}, json{{"key", "3"}, {"next", "b"}},
                              json{{"key", "3"}, {"next", "b"}}})}},
           json{{"id", "u"},
                {"type", "http"},
                {"url", "ftp://x/${acct"},
                {"next", "b"},
                {"map", {{"n", "name"}}}},
       })},
  };
  auto issues = issues_of(f);
  EXPECT_TRUE(has_issue(issues, "/id", "must be 1-64")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/colour", "unknown field")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/start", "unknown node \"nowhere\"")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/1/id", "duplicate node id \"a\" (first at /nodes/0)"))
      << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/2/type", "unknown node type \"teleport\"")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/3/min_length", "greater than max_length")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/3/terminator", "must be")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/4/time_zone", "unknown time zone \"Mars/Olympus\""))
      << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/4/schedule/0/days/1", "must be one of")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/4/schedule/0/close", "must be after open")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/4/holidays/0", "YYYY-MM-DD")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/5/kind", "unknown survey kind \"stars\"")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/6/choices/0/key", "one DTMF key")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/6/choices/2/key", "duplicate key \"3\"")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/7/url", "http://")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/7/url", "unclosed")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/7/map/n", "JSON pointer")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/7/on_failure", "required")) << dump(issues);
}

TEST(FlowValidation, UnreachableNodesAndCyclesWithoutInput) {
  json f =
      flow_with(json::array({
                    json{{"id", "a"}, {"type", "play"}, {"prompt", "x"}, {"next", "b"}},
                    json{{"id", "b"}, {"type", "set"}, {"values", {{"k", "v"}}}, {"next", "a"}},
                    end_node("orphan"),
                }),
                "a");
  auto issues = issues_of(f);
  EXPECT_TRUE(has_issue(issues, "/nodes/2", "node \"orphan\" is unreachable from start \"a\""))
      << dump(issues);
  EXPECT_TRUE(has_issue(issues, "/nodes/0", "cycle without input (a -> b -> a)")) << dump(issues);

  // A loop back through a menu waits for the caller each time: allowed.
  json ok = flow_with(
      json::array(
          {json{{"id", "menu"},
                {"type", "menu"},
                {"prompt", "x"},
                {"choices", json::array({json{{"key", "1"}, {"next", "again"}},
                                         json{{"key", "2"}, {"next", "bye"}}})}},
           json{{"id", "again"}, {"type", "play"}, {"prompt", "once more"}, {"next", "menu"}},
           end_node("bye")}),
      "menu");
  EXPECT_NE(must_parse(ok), nullptr);
}

TEST(FlowValidation, NotJsonAndWrongTypes) {
  std::vector<Issue> issues;
  auto r = parse_flow("{\"id\": ", &issues);
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].path, "/");
  EXPECT_NE(issues[0].message.find("not valid JSON"), std::string::npos);
  EXPECT_FALSE(parse_flow("[1,2]").ok());
  auto issues2 = issues_of(json{{"id", "x"}, {"start", 3}, {"nodes", "none"}});
  EXPECT_TRUE(has_issue(issues2, "/start", "must be a string")) << dump(issues2);
  EXPECT_TRUE(has_issue(issues2, "/nodes", "must be a non-empty array")) << dump(issues2);
}

TEST(FlowValidation, TheExampleFlowIsValid) {
  auto r = parse_flow(read_example("main-ivr.json"));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ((*r)->id, "main-ivr");
  EXPECT_EQ((*r)->version, 1u);
  EXPECT_EQ((*r)->nodes.size(), 18u);
}

// ---- runtime: node behaviour -----------------------------------------------------------------

TEST(FlowRuntime, PlayThenEndSelfServed) {
  auto f = must_parse(flow_with(
      json::array({json{{"id", "hi"},
                        {"type", "play"},
                        {"prompt", {{"audio", "hi.wav"}, {"text", "Hello ${name}"}}},
                        {"next", "bye"}},
                   json{{"id", "bye"}, {"type", "end"}, {"prompt", "Bye"}, {"reason", "faq"}}}),
      "hi"));
  FlowSession s(f, SessionOptions{SessionChannel::kVoice, {{"name", "Ada"}}});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  auto says = all_of<act::Say>(out);
  ASSERT_EQ(says.size(), 2u);
  EXPECT_EQ(says[0].audio, "hi.wav");
  EXPECT_EQ(says[0].text, "Hello Ada");
  EXPECT_EQ(says[1].text, "Bye");
  auto end = last_of<act::End>(out);
  ASSERT_TRUE(end);
  EXPECT_EQ(end->outcome, Outcome::kSelfServed);
  EXPECT_EQ(end->reason, "faq");
  EXPECT_TRUE(s.finished());
  EXPECT_EQ(s.attributes().at("end_reason"), "faq");
  Actions more;
  EXPECT_EQ(s.on_digits("1", 1, more).code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(more.empty());
}

json menu_flow() {
  return flow_with(
      json::array(
          {json{{"id", "m"},
                {"type", "menu"},
                {"prompt", "Menu"},
                {"choices",
                 json::array({json{{"key", "1"},
                                   {"label", "Billing"},
                                   {"match", {"bill", "invoice"}},
                                   {"set", {{"intent", "billing"}}},
                                   {"next", "billing"}},
                              json{{"key", "2"}, {"label", "Support"}, {"next", "support"}}})},
                {"timeout_ms", 5000},
                {"max_retries", 2},
                {"invalid_prompt", "Invalid"},
                {"timeout_prompt", "No input"},
                {"on_failure", "failed"}},
           end_node("billing"), end_node("support"), end_node("failed", "disconnected")}),
      "m");
}

TEST(FlowRuntime, MenuChoiceSetsAttributes) {
  FlowSession s(must_parse(menu_flow()), {});
  Actions out;
  ASSERT_TRUE(s.start(1000, out).ok());
  EXPECT_EQ(s.wait_state(), WaitState::kInput);
  EXPECT_EQ(s.current_node(), "m");
  auto timer = last_of<act::StartTimer>(out);
  ASSERT_TRUE(timer);
  EXPECT_EQ(timer->at, 6000);
  auto say = last_of<act::Say>(out);
  ASSERT_TRUE(say);
  EXPECT_TRUE(say->expects_input);
  EXPECT_EQ(say->text, "Menu");  // voice: no choice list
  out.clear();
  ASSERT_TRUE(s.on_digits("1", 2000, out).ok());
  EXPECT_EQ(s.attributes().at("intent"), "billing");
  auto set = all_of<act::SetAttributes>(out);
  ASSERT_FALSE(set.empty());
  EXPECT_EQ(set[0].values.at("intent"), "billing");
  EXPECT_EQ(texts(out).back(), "billing");
  EXPECT_EQ(s.outcome(), Outcome::kSelfServed);
  // The input timer is cancelled when the menu is left.
  auto cancels = all_of<act::CancelTimer>(out);
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_EQ(cancels[0].id, timer->id);
}

TEST(FlowRuntime, MenuRetriesOnInvalidAndTimeoutThenFails) {
  FlowSession s(must_parse(menu_flow()), {});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  TimerId t1 = last_of<act::StartTimer>(out)->id;
  out.clear();
  ASSERT_TRUE(s.on_digits("9", 100, out).ok());  // invalid: retry 1
  EXPECT_EQ(texts(out), (std::vector<std::string>{"Invalid", "Menu"}));
  TimerId t2 = last_of<act::StartTimer>(out)->id;
  EXPECT_NE(t1, t2);
  out.clear();
  ASSERT_TRUE(s.on_timer(t1, 200, out).ok());  // the old timer is stale: ignored
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(s.on_timer(t2, 5100, out).ok());  // timeout: retry 2
  EXPECT_EQ(texts(out), (std::vector<std::string>{"No input", "Menu"}));
  TimerId t3 = last_of<act::StartTimer>(out)->id;
  out.clear();
  ASSERT_TRUE(s.on_timer(t3, 10100, out).ok());  // retries used up: on_failure
  EXPECT_EQ(texts(out), (std::vector<std::string>{"failed"}));
  EXPECT_EQ(s.outcome(), Outcome::kDisconnected);
}

TEST(FlowRuntime, TextChannelMenuListsChoicesAndMatchesWords) {
  FlowSession s(must_parse(menu_flow()), SessionOptions{SessionChannel::kText, {}});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  EXPECT_EQ(texts(out), (std::vector<std::string>{"Menu\n1. Billing\n2. Support"}));
  // Text channels use the flow's text timeout (10 minutes by default), not the voice one.
  EXPECT_EQ(last_of<act::StartTimer>(out)->at, 10 * kMillisPerMinute);
  out.clear();
  ASSERT_TRUE(s.on_text("what?", 1, out).ok());
  EXPECT_EQ(texts(out).front(), "Invalid");
  out.clear();
  ASSERT_TRUE(s.on_text("  I have a question about my INVOICE ", 2, out).ok());
  EXPECT_EQ(s.attributes().at("intent"), "billing");
  EXPECT_TRUE(s.finished());

  FlowSession s2(must_parse(menu_flow()), SessionOptions{SessionChannel::kText, {}});
  out.clear();
  ASSERT_TRUE(s2.start(0, out).ok());
  ASSERT_TRUE(s2.on_text("support", 1, out).ok());  // the label
  EXPECT_EQ(texts(out).back(), "support");
  FlowSession s3(must_parse(menu_flow()), SessionOptions{SessionChannel::kText, {}});
  out.clear();
  ASSERT_TRUE(s3.start(0, out).ok());
  ASSERT_TRUE(s3.on_text("2", 1, out).ok());  // the key
  EXPECT_EQ(texts(out).back(), "support");
}

json collect_flow() {
  return flow_with(json::array({json{{"id", "c"},
                                     {"type", "collect"},
                                     {"prompt", "Account?"},
                                     {"attribute", "acct"},
                                     {"min_length", 4},
                                     {"max_length", 6},
                                     {"terminator", "#"},
                                     {"timeout_ms", 3000},
                                     {"max_retries", 1},
                                     {"invalid_prompt", "Too short"},
                                     {"next", "ok"}},
                                end_node("ok")}),
                   "c");
}

TEST(FlowRuntime, CollectWithTerminatorMaxLengthAndTimeout) {
  {  // terminator
    FlowSession s(must_parse(collect_flow()), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_digits("1234#", 10, out).ok());
    EXPECT_EQ(s.attributes().at("acct"), "1234");
    EXPECT_TRUE(s.finished());
  }
  {  // max length ends input without a terminator; digits come one at a time
    FlowSession s(must_parse(collect_flow()), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    for (char d : std::string("987654")) ASSERT_TRUE(s.on_digits(std::string(1, d), 10, out).ok());
    EXPECT_EQ(s.attributes().at("acct"), "987654");
  }
  {  // too short at the terminator: retry; then a pause after enough digits accepts them
    FlowSession s(must_parse(collect_flow()), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    out.clear();
    ASSERT_TRUE(s.on_digits("12#", 10, out).ok());
    EXPECT_EQ(texts(out), (std::vector<std::string>{"Too short", "Account?"}));
    ASSERT_TRUE(s.on_digits("55555", 20, out).ok());
    auto t = last_of<act::StartTimer>(out);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->at, 3020);  // inter-digit: re-armed with each digit
    out.clear();
    ASSERT_TRUE(s.on_timer(t->id, 3020, out).ok());
    EXPECT_EQ(s.attributes().at("acct"), "55555");
  }
  {  // a typed reply on a text channel, with separators
    FlowSession s(must_parse(collect_flow()), SessionOptions{SessionChannel::kText, {}});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_text("12-34 5", 10, out).ok());
    EXPECT_EQ(s.attributes().at("acct"), "12345");
  }
  {  // nothing entered: retries, then the flow ends (no on_failure)
    FlowSession s(must_parse(collect_flow()), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_timer(last_of<act::StartTimer>(out)->id, 3000, out).ok());
    ASSERT_TRUE(s.on_timer(last_of<act::StartTimer>(out)->id, 6000, out).ok());
    EXPECT_TRUE(s.finished());
    EXPECT_EQ(s.outcome(), Outcome::kDisconnected);
    EXPECT_EQ(last_of<act::End>(out)->reason, "no input");
  }
}

TEST(FlowRuntime, ConditionAndSet) {
  auto f = must_parse(flow_with(
      json::array({
          json{{"id", "set"},
               {"type", "set"},
               {"values", {{"greeting", "Hi ${name}"}, {"vip", "${tier}"}}},
               {"next", "cond"}},
          json{{"id", "cond"},
               {"type", "condition"},
               {"cases",
                json::array({
                    json{{"attribute", "balance"}, {"op", "gt"}, {"value", 100}, {"next", "debt"}},
                    json{{"attribute", "vip"},
                         {"op", "in"},
                         {"values", {"gold", "platinum"}},
                         {"next", "vip"}},
                    json{{"attribute", "phone"},
                         {"op", "starts_with"},
                         {"value", "+49"},
                         {"next", "germany"}},
                    json{{"attribute", "email"}, {"op", "exists"}, {"next", "mail"}},
                })},
               {"otherwise", "other"}},
          end_node("debt"),
          end_node("vip"),
          end_node("germany"),
          end_node("mail"),
          end_node("other"),
      }),
      "set"));
  auto run = [&](Attributes a) {
    FlowSession s(f, SessionOptions{SessionChannel::kVoice, std::move(a)});
    Actions out;
    EXPECT_TRUE(s.start(0, out).ok());
    return texts(out).back();
  };
  EXPECT_EQ(run({{"balance", "250.5"}}), "debt");
  EXPECT_EQ(run({{"balance", "99"}, {"tier", "gold"}}), "vip");  // numeric: 99 < 100
  EXPECT_EQ(run({{"balance", "abc"}, {"phone", "+4930123"}}), "germany");
  EXPECT_EQ(run({{"email", "a@b.c"}}), "mail");
  EXPECT_EQ(run({{"email", ""}}), "other");
  FlowSession s(f, SessionOptions{SessionChannel::kVoice, {{"name", "Ada"}, {"tier", "silver"}}});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  EXPECT_EQ(s.attributes().at("greeting"), "Hi Ada");
  EXPECT_EQ(s.attributes().at("vip"), "silver");
}

json http_flow() {
  return flow_with(json::array({json{{"id", "dip"},
                                     {"type", "http"},
                                     {"method", "POST"},
                                     {"url", "http://crm.test/c/${acct}?q=${q}"},
                                     {"headers", {{"X-Caller", "${caller}"}}},
                                     {"body", "{\"account\":\"${acct}\"}"},
                                     {"timeout_ms", 1500},
                                     {"map",
                                      {{"name", "/customer/name"},
                                       {"tier", "/tier"},
                                       {"balance", "/balance"},
                                       {"missing", "/nope"}}},
                                     {"status_attribute", "crm_status"},
                                     {"next", "found"},
                                     {"on_failure", "fallback"}},
                                end_node("found"), end_node("fallback")}),
                   "dip");
}

TEST(FlowRuntime, HttpDipMapsTheAnswerIntoAttributes) {
  FlowSession s(must_parse(http_flow()),
                SessionOptions{SessionChannel::kVoice,
                               {{"acct", "12 34/5"}, {"q", "a&b"}, {"caller", "+4930"}}});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  auto req = last_of<act::HttpRequest>(out);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->method, "POST");
  EXPECT_EQ(req->url, "http://crm.test/c/12%2034%2F5?q=a%26b");
  EXPECT_EQ(req->body, "{\"account\":\"12 34/5\"}");
  ASSERT_EQ(req->headers.size(), 1u);
  EXPECT_EQ(req->headers[0].second, "+4930");
  EXPECT_EQ(req->timeout, 1500);
  EXPECT_EQ(s.wait_state(), WaitState::kHttp);
  Actions bad;
  EXPECT_EQ(s.on_digits("1", 1, bad).code(), StatusCode::kFailedPrecondition);
  out.clear();
  ASSERT_TRUE(s.on_http_response(req->id + 7, HttpResponse{200, "{}", "", false}, 1, out).ok());
  EXPECT_TRUE(out.empty());  // stale id
  HttpResponse r{200, R"({"customer":{"name":"Ada"},"tier":"gold","balance":12.5})", "", false};
  ASSERT_TRUE(s.on_http_response(req->id, r, 5, out).ok());
  EXPECT_EQ(texts(out).back(), "found");
  EXPECT_EQ(s.attributes().at("name"), "Ada");
  EXPECT_EQ(s.attributes().at("tier"), "gold");
  EXPECT_EQ(s.attributes().at("balance"), "12.5");
  EXPECT_EQ(s.attributes().at("crm_status"), "200");
  EXPECT_EQ(s.attributes().count("missing"), 0u);
}

TEST(FlowRuntime, HttpDipFailuresTakeTheFallback) {
  for (const HttpResponse& r :
       {HttpResponse{0, "", "Timeout was reached", true},
        HttpResponse{0, "", "Connection refused", false}, HttpResponse{503, "busy", "", false},
        HttpResponse{200, "<html>", "", false}}) {
    FlowSession s(must_parse(http_flow()), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    auto req = last_of<act::HttpRequest>(out);
    out.clear();
    ASSERT_TRUE(s.on_http_response(req->id, r, 5, out).ok());
    EXPECT_EQ(texts(out).back(), "fallback") << r.status << r.error;
    EXPECT_FALSE(s.attributes().at("http_error").empty());
  }
}

json hours_flow(const std::string& tz) {
  return flow_with(
      json::array(
          {json{{"id", "h"},
                {"type", "hours"},
                {"time_zone", tz},
                {"schedule",
                 json::array({json{{"days", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}},
                                   {"open", "08:00"},
                                   {"close", "18:00"}}})},
                {"holidays", {"2026-12-25"}},
                {"open", "open"},
                {"closed", "closed"},
                {"holiday", "holiday"}},
           end_node("open"), end_node("closed"), end_node("holiday")}),
      "h");
}

std::string hours_at(const std::shared_ptr<const FlowDefinition>& f, Millis now) {
  FlowSession s(f, {});
  Actions out;
  EXPECT_TRUE(s.start(now, out).ok());
  return texts(out).back();
}

TEST(FlowRuntime, BusinessHoursFollowDaylightSavingTime) {
  auto berlin = must_parse(hours_flow("Europe/Berlin"));
  // Winter (UTC+1): 07:30 UTC is 08:30 local, 16:30 UTC is 17:30 local.
  EXPECT_EQ(hours_at(berlin, utc(2026, 3, 27, 7, 30)), "open");
  EXPECT_EQ(hours_at(berlin, utc(2026, 3, 27, 16, 30)), "open");
  EXPECT_EQ(hours_at(berlin, utc(2026, 3, 27, 6, 59)), "closed");  // 07:59
  // Clocks go forward on 2026-03-29; summer (UTC+2): 06:30 UTC is 08:30, 16:30 UTC is 18:30.
  EXPECT_EQ(hours_at(berlin, utc(2026, 3, 30, 6, 30)), "open");
  EXPECT_EQ(hours_at(berlin, utc(2026, 3, 30, 16, 30)), "closed");
  EXPECT_EQ(hours_at(berlin, utc(2026, 3, 30, 15, 59)), "open");  // 17:59
  // Back on 2026-10-25.
  EXPECT_EQ(hours_at(berlin, utc(2026, 10, 26, 16, 30)), "open");  // 17:30 CET
  // Holidays are local dates: 2026-12-24 23:30 UTC is already the 25th in Berlin.
  EXPECT_EQ(hours_at(berlin, utc(2026, 12, 24, 23, 30)), "holiday");
  EXPECT_EQ(hours_at(berlin, utc(2026, 12, 25, 10, 0)), "holiday");

  auto ny = must_parse(hours_flow("America/New_York"));
  // EDT (UTC-4) until 2026-11-01 06:00 UTC, then EST (UTC-5).
  EXPECT_EQ(hours_at(ny, utc(2026, 10, 30, 12, 30)), "open");   // 08:30 EDT
  EXPECT_EQ(hours_at(ny, utc(2026, 11, 2, 12, 30)), "closed");  // 07:30 EST
  EXPECT_EQ(hours_at(ny, utc(2026, 11, 2, 22, 30)), "open");    // 17:30 EST

  auto lt = local_time("Europe/Berlin", utc(2026, 3, 29, 1, 0));
  ASSERT_TRUE(lt.ok());
  EXPECT_EQ(lt->utc_offset_minutes, 120);
  EXPECT_EQ(lt->minute_of_day, 3 * 60);
  EXPECT_EQ(lt->weekday, 6);  // Sunday
  EXPECT_FALSE(local_time("Nowhere/Special", 0).ok());
}

TEST(FlowRuntime, BusinessHoursWeekdaysAndShortDays) {
  auto f = must_parse(
      flow_with(json::array({json{{"id", "h"},
                                  {"type", "hours"},
                                  {"time_zone", "UTC"},
                                  {"schedule", json::array({json{{"days", {"mon", "fri"}},
                                                                 {"open", "09:00"},
                                                                 {"close", "24:00"}}})},
                                  {"open", "open"},
                                  {"closed", "closed"}},
                             end_node("open"), end_node("closed")}),
                "h"));
  EXPECT_EQ(hours_at(f, utc(2026, 11, 30, 23, 59)), "open");  // Monday
  EXPECT_EQ(hours_at(f, utc(2026, 12, 1, 10, 0)), "closed");  // Tuesday
  EXPECT_EQ(hours_at(f, utc(2026, 12, 4, 8, 59)), "closed");  // Friday, before opening
  EXPECT_EQ(hours_at(f, utc(2026, 12, 4, 9, 0)), "open");
}

json queue_flow() {
  return flow_with(
      json::array({json{{"id", "q"},
                        {"type", "queue"},
                        {"queue", "${team}"},
                        {"skills",
                         json::array({json{{"skill", "${intent}"}, {"min_proficiency", "${level}"}},
                                      json{{"skill", "${language}"}, {"optional", true}}, "vip"})},
                        {"priority", "${priority}"},
                        {"prompt", "Please hold"},
                        {"music", "moh.wav"},
                        {"announce_every_ms", 30000},
                        {"callback",
                         {{"after_ms", 45000},
                          {"repeat_ms", 60000},
                          {"prompt", "Press 1 for a callback"},
                          {"accepted_prompt", "We will call you"},
                          {"number", "${caller}"}}},
                        {"on_blocked", "blocked"},
                        {"after_call", "survey"}},
                   json{{"id", "survey"},
                        {"type", "survey"},
                        {"survey", "post_call"},
                        {"question", "nps"},
                        {"kind", "nps"},
                        {"prompt", "0 to 10?"},
                        {"max_retries", 1},
                        {"next", "thanks"}},
                   end_node("thanks"), end_node("blocked", "disconnected")}),
      "q");
}

TEST(FlowRuntime, QueueCarriesSkillsPriorityAndAttributes) {
  FlowSession s(must_parse(queue_flow()), SessionOptions{SessionChannel::kVoice,
                                                         {{"team", "support"},
                                                          {"intent", "billing"},
                                                          {"level", "12"},
                                                          {"priority", "7"},
                                                          {"caller", "+4930555"}}});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  EXPECT_EQ(texts(out), (std::vector<std::string>{"Please hold"}));
  auto e = last_of<act::Enqueue>(out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->queue, "support");
  ASSERT_EQ(e->skills.size(), 2u);  // "${language}" is unknown: dropped
  EXPECT_EQ(e->skills[0].skill, "billing");
  EXPECT_EQ(e->skills[0].min_proficiency, 10);  // clamped
  EXPECT_EQ(e->skills[1].skill, "vip");
  EXPECT_EQ(e->priority, 7);
  EXPECT_EQ(e->music, "moh.wav");
  EXPECT_EQ(e->attributes.at("intent"), "billing");
  EXPECT_EQ(s.wait_state(), WaitState::kQueueAnswer);
  out.clear();
  ASSERT_TRUE(s.on_queue_result(true, "", 100, out).ok());
  EXPECT_EQ(s.wait_state(), WaitState::kInQueue);
  auto timers = all_of<act::StartTimer>(out);
  ASSERT_EQ(timers.size(), 2u);
  EXPECT_EQ(timers[0].at, 30100);  // announcement
  EXPECT_EQ(timers[1].at, 45100);  // callback offer
  out.clear();
  ASSERT_TRUE(s.on_digits("1", 200, out).ok());  // not offered yet: ignored
  EXPECT_TRUE(out.empty());
  ASSERT_TRUE(s.on_timer(timers[0].id, 30100, out).ok());
  EXPECT_EQ(all_of<act::AnnounceQueue>(out).size(), 1u);
  EXPECT_EQ(last_of<act::StartTimer>(out)->at, 60100);
  out.clear();
  ASSERT_TRUE(s.on_timer(timers[1].id, 45100, out).ok());
  EXPECT_EQ(texts(out), (std::vector<std::string>{"Press 1 for a callback"}));
  EXPECT_EQ(last_of<act::StartTimer>(out)->at, 105100);  // offered again later
  out.clear();
  ASSERT_TRUE(s.on_digits("1", 46000, out).ok());
  auto cb = last_of<act::RequestCallback>(out);
  ASSERT_TRUE(cb);
  EXPECT_EQ(cb->number, "+4930555");
  EXPECT_EQ(texts(out), (std::vector<std::string>{"We will call you"}));
  EXPECT_EQ(all_of<act::CancelTimer>(out).size(), 1u);
}

TEST(FlowRuntime, AfterCallNpsSurveyAndStickyHandOff) {
  FlowSession s(must_parse(queue_flow()), SessionOptions{SessionChannel::kVoice, {}});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  EXPECT_EQ(last_of<act::Enqueue>(out)->priority, 0);  // no priority attribute: 0
  ASSERT_TRUE(s.on_queue_result(true, "", 10, out).ok());
  out.clear();
  ASSERT_TRUE(s.on_contact_ended(90000, out).ok());
  EXPECT_EQ(all_of<act::CancelTimer>(out).size(), 2u);  // announcement + callback offer
  EXPECT_EQ(texts(out), (std::vector<std::string>{"0 to 10?"}));
  out.clear();
  ASSERT_TRUE(s.on_digits("1", 90500, out).ok());  // could be 1 or 10: wait
  EXPECT_TRUE(all_of<act::RecordSurvey>(out).empty());
  ASSERT_TRUE(s.on_digits("0", 90800, out).ok());
  auto rec = last_of<act::RecordSurvey>(out);
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->survey, "post_call");
  EXPECT_EQ(rec->question, "nps");
  EXPECT_EQ(rec->kind, SurveyKind::kNps);
  EXPECT_EQ(rec->score, 10);
  EXPECT_EQ(last_of<act::End>(out)->outcome, Outcome::kHandedOff);  // not self-served

  // "1" then a pause is a 1.
  FlowSession s2(must_parse(queue_flow()), {});
  out.clear();
  ASSERT_TRUE(s2.start(0, out).ok());
  ASSERT_TRUE(s2.on_queue_result(true, "", 10, out).ok());
  ASSERT_TRUE(s2.on_contact_ended(100, out).ok());
  ASSERT_TRUE(s2.on_digits("1", 200, out).ok());
  auto t = last_of<act::StartTimer>(out);
  EXPECT_EQ(t->at, 2200);  // the inter-digit timeout
  out.clear();
  ASSERT_TRUE(s2.on_timer(t->id, 2200, out).ok());
  EXPECT_EQ(last_of<act::RecordSurvey>(out)->score, 1);
}

TEST(FlowRuntime, QueueRefusedTakesOnBlocked) {
  FlowSession s(must_parse(queue_flow()), {});
  Actions out;
  ASSERT_TRUE(s.start(0, out).ok());
  out.clear();
  ASSERT_TRUE(s.on_queue_result(false, "closed", 10, out).ok());
  EXPECT_EQ(texts(out).back(), "blocked");
  EXPECT_EQ(s.attributes().at("queue_refused"), "closed");
  EXPECT_EQ(s.outcome(), Outcome::kDisconnected);
}

TEST(FlowRuntime, SurveyKindsAndRanges) {
  auto make = [](const std::string& kind) {
    return must_parse(flow_with(json::array({json{{"id", "s"},
                                                  {"type", "survey"},
                                                  {"survey", "x"},
                                                  {"question", "q"},
                                                  {"kind", kind},
                                                  {"prompt", "?"},
                                                  {"invalid_prompt", "bad"},
                                                  {"max_retries", 1},
                                                  {"next", "done"}},
                                             end_node("done")}),
                                "s"));
  };
  {
    FlowSession s(make("csat"), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_digits("6", 1, out).ok());  // out of range
    EXPECT_TRUE(all_of<act::RecordSurvey>(out).empty());
    ASSERT_TRUE(s.on_digits("4", 2, out).ok());
    EXPECT_EQ(last_of<act::RecordSurvey>(out)->score, 4);
  }
  {
    FlowSession s(make("ces"), SessionOptions{SessionChannel::kText, {}});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_text("7", 1, out).ok());
    EXPECT_EQ(last_of<act::RecordSurvey>(out)->kind, SurveyKind::kCes);
    EXPECT_EQ(last_of<act::RecordSurvey>(out)->score, 7);
  }
  {
    FlowSession s(make("nps"), SessionOptions{SessionChannel::kText, {}});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_text("11", 1, out).ok());  // invalid
    ASSERT_TRUE(s.on_text("10", 2, out).ok());
    EXPECT_EQ(last_of<act::RecordSurvey>(out)->score, 10);
  }
  {  // no answer at all: the survey is skipped (next), nothing recorded
    FlowSession s(make("csat"), {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_timer(last_of<act::StartTimer>(out)->id, 5000, out).ok());
    ASSERT_TRUE(s.on_timer(last_of<act::StartTimer>(out)->id, 10000, out).ok());
    EXPECT_TRUE(all_of<act::RecordSurvey>(out).empty());
    EXPECT_EQ(texts(out).back(), "done");
  }
}

TEST(FlowRuntime, CallbackNodeTransferAndHangup) {
  auto f = must_parse(flow_with(json::array({json{{"id", "cb"},
                                                  {"type", "callback"},
                                                  {"prompt", "Press 1 for a callback"},
                                                  {"queue", "sales"},
                                                  {"skills", {"spanish"}},
                                                  {"priority", 3},
                                                  {"number", "${caller}"},
                                                  {"accepted", "ok"},
                                                  {"declined", "xfer"}},
                                             end_node("ok"),
                                             json{{"id", "xfer"},
                                                  {"type", "transfer"},
                                                  {"prompt", "Transferring"},
                                                  {"target", "sip:${caller}@pbx"}}}),
                                "cb"));
  {
    FlowSession s(f, SessionOptions{SessionChannel::kVoice, {{"caller", "100"}}});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_digits("1", 1, out).ok());
    auto e = last_of<act::Enqueue>(out);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->callback);
    EXPECT_EQ(e->number, "100");
    EXPECT_EQ(e->queue, "sales");
    EXPECT_EQ(e->priority, 3);
    ASSERT_TRUE(s.on_queue_result(true, "", 2, out).ok());
    EXPECT_EQ(s.outcome(), Outcome::kHandedOff);
  }
  {
    FlowSession s(f, SessionOptions{SessionChannel::kVoice, {{"caller", "100"}}});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    ASSERT_TRUE(s.on_digits("2", 1, out).ok());
    EXPECT_EQ(last_of<act::Transfer>(out)->target, "sip:100@pbx");
    EXPECT_EQ(s.outcome(), Outcome::kTransferred);
  }
  {  // the caller hangs up while the prompt plays: abandoned in self-service
    FlowSession s(f, {});
    Actions out;
    ASSERT_TRUE(s.start(0, out).ok());
    out.clear();
    ASSERT_TRUE(s.on_hangup(5, out).ok());
    EXPECT_EQ(s.outcome(), Outcome::kAbandoned);
    EXPECT_EQ(all_of<act::CancelTimer>(out).size(), 1u);
    EXPECT_EQ(last_of<act::End>(out)->outcome, Outcome::kAbandoned);
  }
}

TEST(FlowRuntime, TemplatesExpandAndEscape) {
  Attributes a{{"x", "a b"}, {"y", "ü"}};
  EXPECT_EQ(expand_template("${x}-${y}-${none}-$${x}", a), "a b-ü--${x}");
  EXPECT_EQ(expand_template("/p/${x}/${y}", a, true), "/p/a%20b/%C3%BC");
  EXPECT_EQ(expand_template("${unterminated", a), "${unterminated");
}

// ---- the example IVR, scripted ----------------------------------------------------------------

TEST(ExampleFlow, BillingCallerWithCrmDataReachesTheQueueThenSurvey) {
  auto f = *parse_flow(read_example("main-ivr.json"));
  FlowSession s(f, SessionOptions{SessionChannel::kVoice, {{"caller", "+4930111"}}});
  Actions out;
  const Millis monday_10 = utc(2026, 11, 30, 9, 0);  // 10:00 in Berlin
  ASSERT_TRUE(s.start(monday_10, out).ok());
  EXPECT_EQ(s.current_node(), "main_menu");
  EXPECT_EQ(all_of<act::Say>(out)[0].audio, "welcome.wav");
  ASSERT_TRUE(s.on_digits("1", monday_10 + 3000, out).ok());
  EXPECT_EQ(s.current_node(), "account");
  out.clear();
  ASSERT_TRUE(s.on_digits("1234567#", monday_10 + 9000, out).ok());
  auto req = last_of<act::HttpRequest>(out);
  ASSERT_TRUE(req);
  EXPECT_EQ(req->url, "http://127.0.0.1:8089/customers/1234567");
  out.clear();
  ASSERT_TRUE(
      s.on_http_response(
           req->id,
           HttpResponse{200, R"({"name":"Ada","tier":"gold","language":"german"})", "", false},
           monday_10 + 9200, out)
          .ok());
  auto e = last_of<act::Enqueue>(out);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->queue, "support");
  EXPECT_EQ(e->priority, 10);
  ASSERT_EQ(e->skills.size(), 2u);
  EXPECT_EQ(e->skills[0].skill, "billing");
  EXPECT_EQ(e->skills[0].min_proficiency, 3);
  EXPECT_EQ(e->skills[1].skill, "german");
  EXPECT_TRUE(e->skills[1].optional);
  EXPECT_EQ(e->attributes.at("account_number"), "1234567");
  EXPECT_EQ(e->attributes.at("customer_name"), "Ada");
  EXPECT_EQ(texts(out).back(), "Thank you, Ada. An agent will be with you shortly.");
  ASSERT_TRUE(s.on_queue_result(true, "", monday_10 + 9300, out).ok());
  out.clear();
  ASSERT_TRUE(s.on_contact_ended(monday_10 + 300000, out).ok());
  ASSERT_TRUE(s.on_digits("5", monday_10 + 302000, out).ok());
  ASSERT_TRUE(s.on_digits("9", monday_10 + 304000, out).ok());
  auto answers = all_of<act::RecordSurvey>(out);
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_EQ(answers[0].question, "csat");
  EXPECT_EQ(answers[0].score, 5);
  EXPECT_EQ(answers[1].question, "nps");
  EXPECT_EQ(answers[1].score, 9);
  EXPECT_EQ(s.outcome(), Outcome::kHandedOff);
}

TEST(ExampleFlow, ClosedOnHolidayAndSelfServedHours) {
  auto f = *parse_flow(read_example("main-ivr.json"));
  {
    FlowSession s(f, {});
    Actions out;
    ASSERT_TRUE(s.start(utc(2026, 12, 25, 10, 0), out).ok());
    EXPECT_EQ(last_of<act::End>(out)->reason, "holiday");
  }
  {
    FlowSession s(f, {});
    Actions out;
    ASSERT_TRUE(s.start(utc(2026, 12, 5, 14, 30), out).ok());  // Saturday 15:30 local
    EXPECT_EQ(last_of<act::End>(out)->reason, "closed");
  }
  {
    FlowSession s(f, {});
    Actions out;
    ASSERT_TRUE(s.start(utc(2026, 12, 1, 9, 0), out).ok());
    ASSERT_TRUE(s.on_digits("3", utc(2026, 12, 1, 9, 1), out).ok());
    EXPECT_EQ(s.outcome(), Outcome::kSelfServed);
  }
  {  // CRM down: the dip falls back to the general queue; busy queue: the callback offer
    FlowSession s(f, SessionOptions{SessionChannel::kVoice, {{"caller", "+4930222"}}});
    Actions out;
    ASSERT_TRUE(s.start(utc(2026, 12, 1, 9, 0), out).ok());
    ASSERT_TRUE(s.on_digits("2", 1, out).ok());
    ASSERT_TRUE(s.on_digits("7654321#", 2, out).ok());
    auto req = last_of<act::HttpRequest>(out);
    out.clear();
    ASSERT_TRUE(s.on_http_response(req->id, HttpResponse{0, "", "timeout", true}, 3, out).ok());
    EXPECT_EQ(s.current_node(), "general_queue");
    EXPECT_TRUE(last_of<act::Enqueue>(out)->skills.empty());
    ASSERT_TRUE(s.on_queue_result(false, "full", 4, out).ok());
    EXPECT_EQ(s.current_node(), "offer_callback");
    out.clear();
    ASSERT_TRUE(s.on_digits("1", 5, out).ok());
    auto cb = last_of<act::Enqueue>(out);
    ASSERT_TRUE(cb);
    EXPECT_TRUE(cb->callback);
    EXPECT_EQ(cb->number, "+4930222");
    EXPECT_EQ(cb->attributes.at("account_number"), "7654321");
    ASSERT_TRUE(s.on_queue_result(true, "", 6, out).ok());
    EXPECT_EQ(s.outcome(), Outcome::kHandedOff);
  }
}

// ---- the store -------------------------------------------------------------------------------

TEST(FlowStore, InvalidVersionIsRejectedAndThePreviousKeepsRunning) {
  store_testing::TempDir dir;
  FlowStore store(dir.path() / "flows");
  ASSERT_TRUE(store.load_directory().ok());
  json v1 = menu_flow();
  auto put1 = store.put(v1.dump());
  ASSERT_TRUE(put1.ok()) << put1.status().message();
  EXPECT_EQ((*put1)->version, 1u);

  // A running session holds v1.
  FlowSession running(*put1, {});
  Actions out;
  ASSERT_TRUE(running.start(0, out).ok());

  json broken = v1;
  broken["version"] = 2;
  broken["nodes"][0]["choices"][0]["next"] = "nowhere";
  std::vector<Issue> issues;
  auto put2 = store.put(broken.dump(), &issues);
  ASSERT_FALSE(put2.ok());
  EXPECT_NE(put2.status().message().find("/nodes/0/choices/0/next: unknown node \"nowhere\""),
            std::string::npos);
  EXPECT_EQ((*store.get("t"))->version, 1u);

  json stale = v1;
  stale["version"] = 1;
  EXPECT_EQ(store.put(stale.dump()).status().code(), StatusCode::kAlreadyExists);

  json v2 = v1;
  v2.erase("version");  // next number
  v2["nodes"][0]["prompt"] = "Menu two";
  auto put3 = store.put(v2.dump());
  ASSERT_TRUE(put3.ok());
  EXPECT_EQ((*put3)->version, 2u);
  EXPECT_EQ((*store.get("t"))->version, 2u);
  EXPECT_EQ((*store.get("t", 1))->version, 1u);
  ASSERT_TRUE(running.on_digits("1", 1, out).ok());  // still v1's graph
  EXPECT_TRUE(running.finished());

  // A fresh store reads both versions back from the directory.
  FlowStore reloaded(dir.path() / "flows");
  ASSERT_TRUE(reloaded.load_directory().ok());
  auto list = reloaded.list();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].active_version, 2u);
  EXPECT_EQ(list[0].versions, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_NE(reloaded.source("t", 2)->find("Menu two"), std::string::npos);
  ASSERT_TRUE(reloaded.remove("t").ok());
  EXPECT_EQ(reloaded.get("t").status().code(), StatusCode::kNotFound);
  FlowStore after_remove(dir.path() / "flows");
  ASSERT_TRUE(after_remove.load_directory().ok());
  EXPECT_TRUE(after_remove.list().empty());
}

TEST(FlowStore, LoadsTheExamplesDirectoryAndReportsBadFiles) {
  store_testing::TempDir dir;
  std::filesystem::copy_file(std::string(SB_EXAMPLES_DIR) + "/main-ivr.json",
                             dir.path() / "main-ivr.json");
  {
    std::ofstream bad(dir.path() / "broken.json");
    bad << R"({"id":"broken","start":"a","nodes":[{"id":"a","type":"play","prompt":"x","next":"b"}]})";
  }
  FlowStore store(dir.path());
  Status st = store.load_directory();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("broken.json"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("/nodes/0/next: unknown node \"b\""), std::string::npos);
  ASSERT_TRUE(store.get("main-ivr").ok());
  EXPECT_EQ(store.get("broken").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sb::flows
