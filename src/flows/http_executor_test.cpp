// The libcurl data-dip executor against a real HTTP server on 127.0.0.1, and the example IVR's
// data dip end to end: the answer becomes contact attributes; a server that never answers times
// out and the flow takes its fallback branch.

#include "flows/http_executor.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "flows/testing_http_server.h"
#include "flows/time_zone.h"

namespace sb::flows {
namespace {

namespace http = boost::beast::http;
using testing::TestHttpServer;

std::optional<TestHttpServer::Response> crm(const TestHttpServer::Request& req) {
  const std::string target(req.target());
  if (target == "/customers/1234567")
    return TestHttpServer::json_response(
        200, R"({"name":"Ada Lovelace","tier":"gold","language":"german","balance":42.5})");
  if (target.rfind("/customers/", 0) == 0)
    return TestHttpServer::json_response(404, R"({"error":"no such customer"})");
  if (target == "/echo") {
    nlohmann::json j{{"method", std::string(req.method_string())},
                     {"body", req.body()},
                     {"caller", std::string(req["X-Caller"])}};
    return TestHttpServer::json_response(200, j.dump());
  }
  if (target == "/big") return TestHttpServer::json_response(200, std::string(4096, 'x'));
  if (target.rfind("/hang", 0) == 0) return std::nullopt;
  return TestHttpServer::json_response(400, "{}");
}

act::HttpRequest get(const std::string& url, Millis timeout = 2000) {
  act::HttpRequest r;
  r.id = 1;
  r.method = "GET";
  r.url = url;
  r.timeout = timeout;
  return r;
}

TEST(HttpExecutor, GetPostNotFoundAndLimits) {
  TestHttpServer server(crm);
  HttpExecutor exec(HttpExecutorOptions{1024, false});
  auto ok = exec.execute(get(server.base_url() + "/customers/1234567"));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(nlohmann::json::parse(ok.body)["tier"], "gold");

  auto missing = exec.execute(get(server.base_url() + "/customers/1"));
  EXPECT_EQ(missing.status, 404);

  act::HttpRequest post = get(server.base_url() + "/echo");
  post.method = "POST";
  post.body = R"({"account":"42"})";
  post.headers = {{"X-Caller", "+4930"}, {"Content-Type", "application/json"}};
  auto echoed = exec.execute(post);
  ASSERT_EQ(echoed.status, 200) << echoed.error;
  auto j = nlohmann::json::parse(echoed.body);
  EXPECT_EQ(j["method"], "POST");
  EXPECT_EQ(j["body"], R"({"account":"42"})");
  EXPECT_EQ(j["caller"], "+4930");

  auto big = exec.execute(get(server.base_url() + "/big"));
  EXPECT_EQ(big.status, 0);
  EXPECT_NE(big.error.find("larger than 1024"), std::string::npos) << big.error;
}

TEST(HttpExecutor, TimeoutAndRefusedConnection) {
  TestHttpServer server(crm);
  HttpExecutor exec;
  auto slow = exec.execute(get(server.base_url() + "/hang", 300));
  EXPECT_EQ(slow.status, 0);
  EXPECT_TRUE(slow.timed_out) << slow.error;

  unsigned short closed_port = 0;
  {
    TestHttpServer gone(crm);
    closed_port = gone.port();
  }
  auto refused = exec.execute(get("http://127.0.0.1:" + std::to_string(closed_port) + "/x", 1000));
  EXPECT_EQ(refused.status, 0);
  EXPECT_FALSE(refused.timed_out);
  EXPECT_FALSE(refused.error.empty());
}

std::string example_with_crm(const std::string& base) {
  std::ifstream in(std::string(SB_EXAMPLES_DIR) + "/main-ivr.json");
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string from = "http://127.0.0.1:8089";
  text.replace(text.find(from), from.size(), base);
  return text;
}

// A minimal host: carries out HTTP requests with the executor and answers the queue.
void carry_out(FlowSession& s, Actions actions, const HttpExecutor& exec, Millis now) {
  while (!actions.empty()) {
    Actions next;
    for (const auto& a : actions) {
      if (const auto* r = std::get_if<act::HttpRequest>(&a)) {
        ASSERT_TRUE(s.on_http_response(r->id, exec.execute(*r), now, next).ok());
      } else if (std::get_if<act::Enqueue>(&a)) {
        ASSERT_TRUE(s.on_queue_result(true, "", now, next).ok());
      }
    }
    actions = std::move(next);
  }
}

TEST(HttpExecutor, ExampleFlowDataDipThenFallbackOnTimeout) {
  TestHttpServer server(crm);
  HttpExecutor exec;
  const Millis monday_10 = days_from_civil(2026, 11, 30) * kMillisPerDay + 9 * kMillisPerHour;

  auto flow = parse_flow(example_with_crm(server.base_url()));
  ASSERT_TRUE(flow.ok()) << flow.status().message();
  FlowSession s(*flow, SessionOptions{SessionChannel::kVoice, {{"caller", "+4930111"}}});
  Actions out;
  ASSERT_TRUE(s.start(monday_10, out).ok());
  ASSERT_TRUE(s.on_digits("1", monday_10, out).ok());
  out.clear();
  ASSERT_TRUE(s.on_digits("1234567#", monday_10, out).ok());
  carry_out(s, out, exec, monday_10);
  EXPECT_EQ(s.current_node(), "queue");
  EXPECT_EQ(s.wait_state(), WaitState::kInQueue);
  EXPECT_EQ(s.attributes().at("customer_name"), "Ada Lovelace");
  EXPECT_EQ(s.attributes().at("customer_tier"), "gold");
  EXPECT_EQ(s.attributes().at("open_balance"), "42.5");
  EXPECT_EQ(s.attributes().at("priority"), "10");
  EXPECT_EQ(s.attributes().at("crm_status"), "200");
  EXPECT_EQ(server.seen().back(), "GET /customers/1234567");

  // The same flow against a CRM that never answers: the 2 s dip times out, general queue.
  auto hanging = parse_flow(example_with_crm(server.base_url() + "/hang"));
  ASSERT_TRUE(hanging.ok());
  auto def = std::make_shared<FlowDefinition>(**hanging);
  for (auto& n : def->nodes)
    if (auto* h = std::get_if<HttpNode>(&n.body)) h->timeout = 400;  // keep the test short
  FlowSession t(def, SessionOptions{SessionChannel::kVoice, {{"caller", "+4930222"}}});
  out.clear();
  ASSERT_TRUE(t.start(monday_10, out).ok());
  ASSERT_TRUE(t.on_digits("2", monday_10, out).ok());
  out.clear();
  ASSERT_TRUE(t.on_digits("1234567#", monday_10, out).ok());
  carry_out(t, out, exec, monday_10);
  EXPECT_EQ(t.current_node(), "general_queue");
  EXPECT_EQ(t.attributes().at("http_error"), "timeout");
  EXPECT_EQ(t.attributes().at("crm_status"), "0");
  EXPECT_EQ(t.attributes().count("customer_name"), 0u);
}

}  // namespace
}  // namespace sb::flows
