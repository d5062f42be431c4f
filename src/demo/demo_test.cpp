#include <gtest/gtest.h>

#include <set>

#include "demo/api_client.h"
#include "demo/demo_behavior.h"
#include "demo/demo_center.h"
#include "demo/demo_plan.h"

namespace sb::demo {
namespace {

// ---- URLs, errors, cookies

TEST(ParseUrl, HostPortAndPrefix) {
  auto u = parse_url("http://127.0.0.1:8080");
  ASSERT_TRUE(u.ok()) << u.status().to_string();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->base_path, "");
  EXPECT_EQ(u->target("/api/v1/queues"), "/api/v1/queues");
  EXPECT_EQ(u->origin(), "http://127.0.0.1:8080");

  auto p = parse_url("HTTP://example.org/switchboard/");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->host, "example.org");
  EXPECT_EQ(p->port, 80);
  EXPECT_EQ(p->base_path, "/switchboard");
  EXPECT_EQ(p->target("/api/v1/ws"), "/switchboard/api/v1/ws");
  EXPECT_EQ(p->host_header(), "example.org:80");

  auto v6 = parse_url("http://[::1]:9000/");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->host_header(), "[::1]:9000");
}

TEST(ParseUrl, Rejects) {
  for (const char* bad :
       {"127.0.0.1:8080", "https://x:1", "ftp://x", "http://:80", "http://x:0", "http://x:65536",
        "http://x:12ab", "http://u@x:1", "http://x/a?b=1", "http://[::1:80"}) {
    auto u = parse_url(bad);
    EXPECT_FALSE(u.ok()) << bad;
    if (!u.ok()) {
      EXPECT_EQ(u.status().code(), StatusCode::kInvalidArgument) << bad;
    }
  }
}

TEST(StatusFromHttp, CarriesProblemDetail) {
  const std::string body =
      R"({"type":"https://switchboard.dev/problems/conflict","title":"Conflict","status":409,)"
      R"("detail":"contact 12 is not ringing"})";
  Status s = status_from_http(409, body, "POST /api/v1/contacts/12/accept");
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.message(),
            "HTTP 409 conflict: contact 12 is not ringing (POST /api/v1/contacts/12/accept)");
  EXPECT_EQ(status_from_http(404, "{}", "").code(), StatusCode::kNotFound);
  EXPECT_EQ(status_from_http(400, "", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status_from_http(401, "", "").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status_from_http(423, "", "").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(status_from_http(503, "", "").code(), StatusCode::kUnavailable);
  EXPECT_EQ(status_from_http(500, "oops", "").code(), StatusCode::kInternal);
  EXPECT_EQ(status_from_http(500, "oops", "").message(), "HTTP 500: oops");
}

TEST(Cookie, FromSetCookie) {
  EXPECT_EQ(
      cookie_from_set_cookie("sb_session=abc123; HttpOnly; SameSite=Strict; Path=/", "sb_session"),
      "abc123");
  EXPECT_EQ(cookie_from_set_cookie("other=1; Path=/\nsb_session=xyz; Path=/", "sb_session"), "xyz");
  EXPECT_EQ(cookie_from_set_cookie("sb_sessionx=1", "sb_session"), "");
  EXPECT_EQ(cookie_from_set_cookie("", "sb_session"), "");
}

// ---- the plan

TEST(DemoPlan, ShapeAndCoverage) {
  const DemoPlan plan = make_demo_plan(42);
  EXPECT_TRUE(validate_plan(plan).empty()) << validate_plan(plan).front();
  EXPECT_EQ(plan.agents.size(), 20u);
  EXPECT_EQ(plan.skills.size(), 6u);
  EXPECT_EQ(plan.profiles.size(), 3u);
  EXPECT_EQ(plan.queues.size(), 5u);
  std::set<std::string> channels;
  for (const auto& q : plan.queues) channels.insert(q.channel);
  EXPECT_EQ(channels, (std::set<std::string>{"voice", "chat", "email"}));
  int conversions = 0;
  for (const auto& d : plan.dispositions) conversions += d.conversion ? 1 : 0;
  EXPECT_EQ(conversions, 1);
  for (std::size_t i = 0; i < plan.agents.size(); ++i) {
    const std::string expected = (i + 1 < 10 ? "agent0" : "agent") + std::to_string(i + 1);
    EXPECT_EQ(plan.agents[i].username, expected);
  }
  // The 16 simulated agents alone still staff every queue at tier 1 with the required skill.
  for (const auto& q : plan.queues) {
    int qualified = 0;
    for (int i = 0; i < 16; ++i) {
      const AgentSpec& a = plan.agents[i];
      int prof = 0;
      for (const auto& [s, p] : a.skills) {
        if (s == q.skill) prof = p;
      }
      for (const auto& [name, tier] : a.queues) {
        if (name == q.name && tier == 1 && prof >= q.min_proficiency) ++qualified;
      }
    }
    EXPECT_GE(qualified, 2) << q.name;
  }
  // The four left for people cover voice, chat and email.
  std::set<std::string> free_channels;
  for (int i = 16; i < 20; ++i) {
    for (const auto& [name, tier] : plan.agents[i].queues) {
      for (const auto& q : plan.queues) {
        if (q.name == name && tier == 1) free_channels.insert(q.channel);
      }
    }
  }
  EXPECT_EQ(free_channels, channels);
  // Every queue has traffic; voice and chat customers abandon, email ones do not.
  for (const auto& q : plan.queues) {
    EXPECT_GT(q.arrivals_per_hour, 0) << q.name;
    EXPECT_EQ(q.patience_mean_s > 0, q.channel != "email") << q.name;
  }
}

TEST(DemoPlan, DeterministicForASeed) {
  auto flat = [](const DemoPlan& p) {
    std::string out;
    for (const auto& a : p.agents) {
      out += a.username + ":" + a.profile;
      for (const auto& [s, v] : a.skills) out += "," + s + "=" + std::to_string(v);
      for (const auto& [q, t] : a.queues) out += "," + q + "@" + std::to_string(t);
      out += ";";
    }
    return out;
  };
  EXPECT_EQ(flat(make_demo_plan(7)), flat(make_demo_plan(7)));
  bool differs = false;
  for (std::uint64_t seed = 8; seed < 12 && !differs; ++seed) {
    differs = flat(make_demo_plan(seed)) != flat(make_demo_plan(7));
  }
  EXPECT_TRUE(differs);
  EXPECT_EQ(demo_password(7), demo_password(7));
  EXPECT_NE(demo_password(7), demo_password(8));
  EXPECT_GE(demo_password(7).size(), 10u);
}

TEST(DemoPlan, ValidateFindsProblems) {
  DemoPlan plan = make_demo_plan(1);
  for (auto& a : plan.agents) {
    for (auto& [q, tier] : a.queues) {
      if (q == "Email") tier = 2;
    }
  }
  auto problems = validate_plan(plan);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("Email"), std::string::npos);
}

TEST(DemoPlan, RequestBodies) {
  const DemoPlan plan = make_demo_plan(3);
  const Json q = queue_json(plan.queues[0]);
  EXPECT_EQ(q["name"], "Sales voice");
  EXPECT_EQ(q["strategy"], "longest_idle");
  EXPECT_TRUE(q["hours"]["always_open"].get<bool>());
  EXPECT_EQ(q["relaxation"].size(), 2u);
  const Json p = profile_json(plan.profiles[2]);
  EXPECT_EQ(p["capacity"]["email"], 5);
  EXPECT_EQ(p["exclusive"], Json::array({"voice"}));

  IdMap profiles{{"Voice", 1}, {"Chat", 2}, {"Blended voice + email", 3}};
  IdMap skills;
  std::int64_t next = 10;
  for (const auto& s : plan.skills) skills[s] = next++;
  IdMap queues;
  for (const auto& qs : plan.queues) queues[qs.name] = next++;
  const Json a = agent_json(plan.agents[0], profiles, skills, queues);
  ASSERT_TRUE(a.is_object());
  EXPECT_EQ(a["profile"], 1);
  EXPECT_EQ(a["queues"][0]["queue"], queues["Sales voice"]);
  EXPECT_EQ(a["queues"][0]["tier"], 1);
  EXPECT_TRUE(agent_json(plan.agents[0], {}, skills, queues).is_null());
}

// ---- scheduling

TEST(ManualScheduler, OrderAndCancel) {
  ManualClock clock(1000);
  ManualScheduler sched(clock);
  std::vector<std::string> fired;
  sched.after(50, [&] { fired.push_back("b@" + std::to_string(clock.now())); });
  sched.after(10, [&] { fired.push_back("a@" + std::to_string(clock.now())); });
  const TimerId c = sched.after(20, [&] { fired.push_back("c"); });
  sched.after(50, [&] {
    fired.push_back("d@" + std::to_string(clock.now()));
    sched.after(0, [&] { fired.push_back("e@" + std::to_string(clock.now())); });
  });
  sched.cancel(c);
  sched.run_until(1100);
  EXPECT_EQ(fired, (std::vector<std::string>{"a@1010", "b@1050", "d@1050", "e@1050"}));
  EXPECT_EQ(clock.now(), 1100);
  EXPECT_EQ(sched.pending(), 0u);
}

// ---- simulated agents

struct Call {
  Millis at;
  std::string what;
};

class FakeAgentActions : public AgentActions {
 public:
  explicit FakeAgentActions(const Clock& clock) : clock_(clock) {}
  Result<Json> me() override {
    log("me");
    return me_answer;
  }
  Result<Json> set_presence(std::string_view presence,
                            std::optional<std::int64_t> reason) override {
    log("presence " + std::string(presence) + (reason ? " " + std::to_string(*reason) : ""));
    return Json::object();
  }
  Result<Json> act(std::int64_t contact, std::string_view action) override {
    log(std::string(action) + " " + std::to_string(contact));
    if (action == "accept" && refuse_accept.count(contact)) {
      return Status::failed_precondition("HTTP 409 conflict: not ringing");
    }
    if (action == "accept" && forbid_accept.count(contact)) {
      return Status::invalid_argument("HTTP 403 forbidden: not offered to you");
    }
    return Json::object();
  }
  Result<Json> wrap_up(std::int64_t contact, std::int64_t disposition) override {
    log("wrap-up " + std::to_string(contact) + " " + std::to_string(disposition));
    return Json::object();
  }
  std::vector<Call> calls;
  std::set<std::int64_t> refuse_accept;
  std::set<std::int64_t> forbid_accept;
  Json me_answer = Json{{"user", Json::object()}, {"agent", nullptr}, {"contacts", Json::array()}};

  // Calls whose text starts with `prefix`.
  std::vector<Call> with(const std::string& prefix) const {
    std::vector<Call> out;
    for (const auto& c : calls) {
      if (c.what.rfind(prefix, 0) == 0) out.push_back(c);
    }
    return out;
  }

 private:
  void log(std::string what) { calls.push_back({clock_.now(), std::move(what)}); }
  const Clock& clock_;
};

Json offer(std::int64_t id, const std::string& channel) {
  return {{"type", "offer"},
          {"contact", {{"id", id}, {"channel", channel}, {"state", "offered"}, {"agent", nullptr}}},
          {"expires_at", 0}};
}

AgentBehaviour test_behaviour(double speed) {
  AgentBehaviour b;
  b.speed = speed;
  b.dispositions = {{101, 1.0}, {102, 1.0}};
  b.break_probability = 0;
  return b;
}

TEST(SimAgent, AcceptsTalksEndsAndWrapsUp) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeAgentActions actions(clock);
  DemoCounters counters;
  WaitingContacts waiting;
  waiting.add(5);
  const AgentBehaviour b = test_behaviour(1);
  SimAgent agent(3, b, Random(9), sched, actions, counters, &waiting);
  agent.start();
  ASSERT_EQ(actions.with("presence").size(), 1u);
  EXPECT_EQ(actions.with("presence")[0].what, "presence available");

  agent.on_message(offer(5, "voice"));
  EXPECT_EQ(agent.active_contacts(), 1);
  EXPECT_EQ(counters.busy_agents.load(), 1);
  sched.run_until(999);
  EXPECT_TRUE(actions.with("accept").empty());  // humans need at least a second
  sched.run_until(4000);
  ASSERT_EQ(actions.with("accept").size(), 1u);
  EXPECT_EQ(counters.answered.load(), 1u);
  EXPECT_FALSE(waiting.take(5));  // the customer will not abandon an answered contact

  sched.run_until(3 * kMillisPerHour);
  const auto ends = actions.with("end 5");
  const auto wraps = actions.with("wrap-up 5");
  ASSERT_EQ(ends.size(), 1u);
  ASSERT_EQ(wraps.size(), 1u);
  EXPECT_GT(ends[0].at, actions.with("accept")[0].at);
  EXPECT_GT(wraps[0].at, ends[0].at);
  EXPECT_TRUE(wraps[0].what == "wrap-up 5 101" || wraps[0].what == "wrap-up 5 102");
  EXPECT_EQ(counters.handled.load(), 1u);
  EXPECT_EQ(agent.active_contacts(), 0);
  EXPECT_EQ(counters.busy_agents.load(), 0);
  EXPECT_EQ(counters.errors.load(), 0u);
  // hold and unhold come in pairs, between accept and end
  EXPECT_EQ(actions.with("hold").size(), actions.with("unhold").size());
}

TEST(SimAgent, ContactZeroIsAContactLikeAnyOther) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeAgentActions actions(clock);
  DemoCounters counters;
  const AgentBehaviour b = test_behaviour(1);
  SimAgent agent(0, b, Random(9), sched, actions, counters, nullptr);
  agent.start();
  agent.on_message(offer(0, "email"));
  sched.run_until(kMillisPerHour);
  EXPECT_EQ(actions.with("accept 0").size(), 1u);
  EXPECT_EQ(actions.with("wrap-up 0").size(), 1u);
}

TEST(SimAgent, SpeedDividesTheDelays) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeAgentActions actions(clock);
  DemoCounters counters;
  const AgentBehaviour b = test_behaviour(10);
  SimAgent agent(3, b, Random(9), sched, actions, counters, nullptr);
  agent.start();
  for (int i = 1; i <= 20; ++i) {
    agent.on_message(offer(i, "chat"));
    sched.run_until(clock.now() + 400);
    ASSERT_EQ(actions.with("accept " + std::to_string(i)).size(), 1u) << i;
    const Millis at = actions.with("accept " + std::to_string(i))[0].at;
    EXPECT_GE(at, clock.now() - 400 + 100);
  }
}

TEST(SimAgent, WithdrawnOfferIsNotAccepted) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeAgentActions actions(clock);
  DemoCounters counters;
  const AgentBehaviour b = test_behaviour(1);
  SimAgent agent(3, b, Random(1), sched, actions, counters, nullptr);
  agent.start();
  agent.on_message(offer(8, "voice"));
  sched.run_until(500);
  agent.on_message(Json{{"type", "offer_withdrawn"}, {"contact", 8}, {"reason", "abandoned"}});
  sched.run_until(kMillisPerHour);
  EXPECT_TRUE(actions.with("accept").empty());
  EXPECT_EQ(counters.offers_lost.load(), 1u);
  EXPECT_EQ(agent.active_contacts(), 0);

  // An offer that is gone by the time of the accept: a lost race, not an error.
  actions.refuse_accept.insert(9);
  agent.on_message(offer(9, "voice"));
  sched.run_until(2 * kMillisPerHour);
  EXPECT_EQ(actions.with("accept 9").size(), 1u);
  EXPECT_TRUE(actions.with("end 9").empty());
  EXPECT_EQ(counters.offers_lost.load(), 2u);
  EXPECT_EQ(counters.errors.load(), 0u);

  // The offer timed out just before the accept: the server says 403 (no longer yours).
  actions.forbid_accept.insert(10);
  agent.on_message(offer(10, "chat"));
  sched.run_until(3 * kMillisPerHour);
  EXPECT_EQ(actions.with("accept 10").size(), 1u);
  EXPECT_EQ(counters.offers_lost.load(), 3u);
  EXPECT_EQ(counters.errors.load(), 0u);
  EXPECT_EQ(agent.active_contacts(), 0);
}

TEST(SimAgent, SameSeedSameBehaviour) {
  auto run = [](std::uint64_t seed) {
    ManualClock clock(0);
    ManualScheduler sched(clock);
    FakeAgentActions actions(clock);
    DemoCounters counters;
    AgentBehaviour b = test_behaviour(1);
    b.break_probability = 0.3;
    b.break_reasons = {1, 100};
    SimAgent agent(3, b, Random(seed), sched, actions, counters, nullptr);
    agent.start();
    for (int i = 0; i < 30; ++i) {
      agent.on_message(offer(100 + i, i % 3 == 0 ? "voice" : "chat"));
      sched.run_until(clock.now() + 20 * kMillisPerMinute);
    }
    std::string out;
    for (const auto& c : actions.calls) out += std::to_string(c.at) + " " + c.what + "\n";
    return out;
  };
  const std::string a = run(5);
  EXPECT_EQ(a, run(5));
  EXPECT_NE(a, run(6));
  EXPECT_NE(a.find("presence not_ready"), std::string::npos);  // breaks happen...
  EXPECT_NE(a.find("hold"), std::string::npos);                // ...and so do holds
}

TEST(SimAgent, RecoversFromMissedAndStopsCleanly) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeAgentActions actions(clock);
  DemoCounters counters;
  const AgentBehaviour b = test_behaviour(1);
  SimAgent agent(3, b, Random(2), sched, actions, counters, nullptr);
  agent.start();
  agent.on_message(
      Json{{"type", "state"}, {"agent", {{"agent", 3}, {"presence", "not_ready"}, {"reason", 6}}}});
  sched.run_until(b.missed_recover_s * 1000 + 1);
  EXPECT_EQ(actions.with("presence available").size(), 2u);

  agent.on_message(offer(11, "voice"));
  sched.run_until(clock.now() + 5000);
  ASSERT_EQ(actions.with("accept 11").size(), 1u);
  agent.stop();
  EXPECT_EQ(actions.with("end 11").size(), 1u);
  EXPECT_EQ(actions.with("wrap-up 11").size(), 1u);
  EXPECT_EQ(actions.calls.back().what, "presence offline");
  EXPECT_EQ(sched.pending(), 0u);
  EXPECT_EQ(counters.busy_agents.load(), 0);
}

TEST(SimAgent, AdoptsContactsLeftFromAnEarlierRun) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeAgentActions actions(clock);
  DemoCounters counters;
  const AgentBehaviour b = test_behaviour(1);
  actions.me_answer["contacts"] =
      Json::array({{{"id", 21}, {"channel", "voice"}, {"state", "connected"}, {"agent", 3}},
                   {{"id", 22}, {"channel", "email"}, {"state", "wrap_up"}, {"agent", 3}},
                   {{"id", 23}, {"channel", "chat"}, {"state", "connected"}, {"agent", 4}}});
  SimAgent agent(3, b, Random(2), sched, actions, counters, nullptr);
  agent.start();
  EXPECT_EQ(agent.active_contacts(), 2);
  sched.run_until(kMillisPerHour);
  EXPECT_EQ(actions.with("end 21").size(), 1u);
  EXPECT_EQ(actions.with("wrap-up 21").size(), 1u);
  EXPECT_TRUE(actions.with("end 22").empty());
  EXPECT_EQ(actions.with("wrap-up 22").size(), 1u);
  EXPECT_TRUE(actions.with("end 23").empty());
  EXPECT_EQ(agent.active_contacts(), 0);
}

// ---- simulated customers

class FakeCustomerActions : public CustomerActions {
 public:
  Result<Json> create_contact(const Json& body, const std::string& key) override {
    keys.insert(key);
    bodies.push_back(body);
    const std::int64_t id = next_id++;
    return Json{{"id", id}, {"state", block ? "ended" : "queued"}, {"channel", body["channel"]}};
  }
  Result<Json> abandon(std::int64_t contact) override {
    abandoned.push_back(contact);
    return Json::object();
  }
  std::int64_t next_id = 1;
  bool block = false;
  std::set<std::string> keys;
  std::vector<Json> bodies;
  std::vector<std::int64_t> abandoned;
};

TEST(CustomerStream, PoissonArrivalsAndPatience) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeCustomerActions actions;
  DemoCounters counters;
  WaitingContacts waiting;
  CustomerTraffic t;
  t.queue = 4;
  t.channel = "voice";
  t.arrivals_per_hour = 360;  // one every 10 s at speed 1, every second at speed 10
  t.patience_mean_s = 60;
  t.skill = 7;
  t.min_proficiency = 3;
  t.optional_skill = 8;
  t.optional_share = 0.5;
  CustomerStream stream(t, 10, "demo-x", Random(3), sched, actions, counters, waiting);
  stream.start();
  sched.run_until(1000 * 1000);  // 1000 s of real time at speed 10: ~1000 arrivals
  EXPECT_GT(stream.arrivals(), 850u);
  EXPECT_LT(stream.arrivals(), 1150u);
  EXPECT_EQ(actions.keys.size(), stream.arrivals());  // every request its own idempotency key
  EXPECT_EQ(counters.created.load(), stream.arrivals());
  // Nobody answers: everyone whose patience ran out abandoned (patience 6 s at speed 10).
  EXPECT_GE(actions.abandoned.size() + 30, stream.arrivals());
  EXPECT_EQ(counters.abandoned.load(), actions.abandoned.size());
  // Requirements: the skill always, the optional one for about half.
  int optional = 0;
  for (const Json& b : actions.bodies) {
    EXPECT_EQ(b["queue"], 4);
    EXPECT_EQ(b["channel"], "voice");
    EXPECT_EQ(b["requirements"][0]["skill"], 7);
    EXPECT_EQ(b["requirements"][0]["min_proficiency"], 3);
    if (b["requirements"].size() == 2) {
      ++optional;
      EXPECT_TRUE(b["requirements"][1]["optional"].get<bool>());
    }
  }
  EXPECT_GT(optional, 350);
  EXPECT_LT(optional, 650);
  stream.stop();
  EXPECT_EQ(sched.pending(), 0u);
}

TEST(CustomerStream, AnsweredContactsAreNotAbandoned) {
  CustomerTraffic t;
  t.arrivals_per_hour = 3600;
  t.patience_mean_s = 30;
  // An agent answers every even contact within a millisecond of its arrival.
  ManualClock clock2(0);
  ManualScheduler sched2(clock2);
  FakeCustomerActions actions2;
  DemoCounters counters2;
  WaitingContacts waiting2;
  CustomerStream stream2(t, 1, "k", Random(4), sched2, actions2, counters2, waiting2);
  stream2.start();
  std::int64_t next_even = 2;
  for (Millis now = 0; now < 600'000; ++now) {
    sched2.run_until(now);
    for (; next_even < actions2.next_id; next_even += 2) waiting2.answered(next_even);
  }
  stream2.stop();
  ASSERT_FALSE(actions2.abandoned.empty());
  for (std::int64_t id : actions2.abandoned) EXPECT_EQ(id % 2, 1) << id;
}

TEST(CustomerStream, HangUpAllAbandonsTheWaiting) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeCustomerActions actions;
  actions.next_id = 0;  // ids start at 0 on a fresh server
  DemoCounters counters;
  WaitingContacts waiting;
  CustomerTraffic t;
  t.arrivals_per_hour = 3600;
  t.patience_mean_s = 1000;
  CustomerStream stream(t, 1, "k", Random(6), sched, actions, counters, waiting);
  stream.start();
  sched.run_until(20'000);
  ASSERT_GE(actions.next_id, 3);
  waiting.answered(0);  // contact 0 was answered
  const auto before = actions.abandoned.size();
  stream.hang_up_all();
  EXPECT_EQ(sched.pending(), 0u);
  std::set<std::int64_t> hung_up(actions.abandoned.begin() + static_cast<std::ptrdiff_t>(before),
                                 actions.abandoned.end());
  EXPECT_FALSE(hung_up.count(0));
  EXPECT_TRUE(hung_up.count(1));
  EXPECT_EQ(waiting.size(), 0u);
}

TEST(WaitingContacts, AnAnswerBeforeTheCreateAnswerCounts) {
  WaitingContacts w;
  w.answered(5);  // the agent accepted before the customer heard back from POST /contacts
  w.add(5);
  EXPECT_FALSE(w.take(5));
  w.add(6);
  EXPECT_TRUE(w.take(6));
  EXPECT_FALSE(w.take(6));
}

TEST(CustomerStream, BlockedContactsAreCountedNotWaitedOn) {
  ManualClock clock(0);
  ManualScheduler sched(clock);
  FakeCustomerActions actions;
  actions.block = true;
  DemoCounters counters;
  WaitingContacts waiting;
  CustomerTraffic t;
  t.arrivals_per_hour = 3600;
  t.patience_mean_s = 10;
  CustomerStream stream(t, 1, "k", Random(5), sched, actions, counters, waiting);
  stream.start();
  sched.run_until(60'000);
  EXPECT_GT(counters.blocked.load(), 0u);
  EXPECT_EQ(counters.created.load(), 0u);
  EXPECT_TRUE(actions.abandoned.empty());
  EXPECT_EQ(waiting.size(), 0u);
}

TEST(DemoSummaryLine, Format) {
  DemoSummary s;
  s.created = 10;
  s.answered = 8;
  s.abandoned = 1;
  s.handled = 7;
  s.agents_busy = 5;
  s.agents_simulated = 16;
  s.agents_connected = 16;
  EXPECT_EQ(format_summary(s),
            "created 10, answered 8, abandoned 1, handled 7 | agents busy 5/16 | breaks 0, holds 0 "
            "| errors 0");
}

}  // namespace
}  // namespace sb::demo
