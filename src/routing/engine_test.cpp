#include "routing/engine.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sb {
namespace {

// A small center: skills 0 (billing) and 1 (spanish); profile 0 = one voice, profile 1 = three
// chats; queue 0 "support" and queue 1 "sales".
class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ok(cmd::ConfigureSkill{0, "billing"});
    ok(cmd::ConfigureSkill{1, "spanish"});
    RoutingProfile voice;
    voice.id = 0;
    voice.name = "voice";
    voice.capacity[static_cast<int>(Channel::kVoice)] = 1;
    voice.capacity[static_cast<int>(Channel::kCallback)] = 1;
    voice.max_total = 1;
    ok(cmd::ConfigureProfile{voice});
    RoutingProfile chat;
    chat.id = 1;
    chat.name = "chat";
    chat.capacity[static_cast<int>(Channel::kChat)] = 3;
    chat.capacity[static_cast<int>(Channel::kVoice)] = 1;
    chat.max_total = 3;
    ok(cmd::ConfigureProfile{chat});
    configure_queue(0);
    configure_queue(1);
  }

  void configure_queue(QueueId id, AgentSelection sel = AgentSelection::kLongestIdle,
                       Millis wrap = 0) {
    QueueConfig q;
    q.id = id;
    q.name = "q" + std::to_string(id);
    q.selection = sel;
    q.wrap_up = wrap;
    q.offer_timeout = 10000;
    q.max_missed_offers = 2;
    ok(cmd::ConfigureQueue{q});
  }

  void add_agent(AgentId id, std::vector<QueueMembership> queues,
                 std::vector<SkillLevel> skills = {}, ProfileId profile = 0) {
    AgentConfig a;
    a.id = id;
    a.name = "agent" + std::to_string(id);
    a.profile = profile;
    a.skills = std::move(skills);
    a.queues = std::move(queues);
    ok(cmd::ConfigureAgent{a});
  }

  void ok(const Command& c) {
    Status s = engine_.handle(c, now_, out_);
    ASSERT_TRUE(s.ok()) << s.to_string();
    log_.insert(log_.end(), out_.events.begin(), out_.events.end());
    timers_.insert(timers_.end(), out_.timers.begin(), out_.timers.end());
    out_.clear();
  }

  Status attempt(const Command& c) {
    Status s = engine_.handle(c, now_, out_);
    log_.insert(log_.end(), out_.events.begin(), out_.events.end());
    out_.clear();
    return s;
  }

  // Advances time, delivering due timers in time order.
  void advance_to(Millis t) {
    for (;;) {
      auto it = std::min_element(timers_.begin(), timers_.end(),
                                 [](auto& a, auto& b) { return a.at < b.at; });
      if (it == timers_.end() || it->at > t) break;
      TimerRequest r = *it;
      timers_.erase(it);
      now_ = std::max(now_, r.at);
      engine_.on_timer(r.key, now_, out_);
      log_.insert(log_.end(), out_.events.begin(), out_.events.end());
      timers_.insert(timers_.end(), out_.timers.begin(), out_.timers.end());
      out_.clear();
    }
    now_ = t;
  }

  void arrive(ContactId c, QueueId q, std::int32_t priority = 0, Requirements req = {},
              Channel ch = Channel::kVoice) {
    ok(cmd::ArriveContact{c, ch, q, priority, req, 0});
  }

  AgentId offered_agent(ContactId c) {
    auto v = engine_.contact(c);
    EXPECT_TRUE(v.ok());
    if (!v.ok() || v->offered_to.empty()) return kNoId;
    return v->offered_to.front();
  }

  ContactPhase phase(ContactId c) { return engine_.contact(c)->phase; }

  template <class T>
  int count_events() const {
    return static_cast<int>(std::count_if(log_.begin(), log_.end(), [](const Event& e) {
      return std::holds_alternative<T>(e.payload);
    }));
  }

  Engine engine_;
  Output out_;
  Millis now_ = 1000;
  std::vector<Event> log_;
  std::vector<TimerRequest> timers_;
};

TEST_F(EngineTest, ContactIsOfferedToTheLongestIdleAgent) {
  add_agent(0, {{0, 1}});
  add_agent(1, {{0, 1}});
  now_ = 2000;
  ok(cmd::LoginAgent{1});
  now_ = 3000;
  ok(cmd::LoginAgent{0});
  now_ = 4000;
  arrive(10, 0);
  EXPECT_EQ(offered_agent(10), 1u);  // idle since 2000, agent 0 only since 3000
  ok(cmd::AcceptOffer{10, 1});
  EXPECT_EQ(phase(10), ContactPhase::kConnected);
  arrive(11, 0);
  EXPECT_EQ(offered_agent(11), 0u);
}

TEST_F(EngineTest, WaitingContactGoesToAgentThatFreesUp) {
  add_agent(0, {{0, 1}});
  ok(cmd::LoginAgent{0});
  arrive(10, 0);
  ok(cmd::AcceptOffer{10, 0});
  arrive(11, 0);
  arrive(12, 0, /*priority=*/5);
  EXPECT_EQ(phase(11), ContactPhase::kQueued);
  EXPECT_EQ(engine_.waiting_contacts(0), (std::vector<ContactId>{12, 11}));
  ok(cmd::EndContact{10});  // wrap-up 0: the slot frees at once
  EXPECT_EQ(engine_.contact(10).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(offered_agent(12), 0u);  // higher priority first
}

TEST_F(EngineTest, FifoWithinEqualPriority) {
  add_agent(0, {{0, 1}});
  for (ContactId c = 1; c <= 5; ++c) {
    arrive(c, 0);
    now_ += 10;
  }
  EXPECT_EQ(engine_.waiting_contacts(0), (std::vector<ContactId>{1, 2, 3, 4, 5}));
  ok(cmd::LoginAgent{0});
  EXPECT_EQ(offered_agent(1), 0u);
}

TEST_F(EngineTest, SkillsAndProficiencyDecideEligibility) {
  add_agent(0, {{0, 1}}, {{0, 3}});
  add_agent(1, {{0, 1}}, {{0, 8}, {1, 5}});
  ok(cmd::LoginAgent{0});
  now_ += 100;
  ok(cmd::LoginAgent{1});
  Requirements req;
  req.push({0, 5, false});
  arrive(10, 0, 0, req);
  EXPECT_EQ(offered_agent(10), 1u);  // agent 0 idles longer but is not proficient enough
  Requirements spanish;
  spanish.push({1, 1, false});
  arrive(11, 0, 0, spanish);
  EXPECT_EQ(phase(11), ContactPhase::kQueued);  // agent 1 is busy; agent 0 lacks spanish
}

TEST_F(EngineTest, RelaxationLowersProficiencyOverWait) {
  QueueConfig q;
  q.id = 0;
  q.name = "relaxing";
  q.relaxation = {{30000, RelaxationAction::kLowerProficiency, 3}};
  ok(cmd::ConfigureQueue{q});
  add_agent(0, {{0, 1}}, {{0, 4}});
  ok(cmd::LoginAgent{0});
  Requirements req;
  req.push({0, 7, false});
  arrive(10, 0, 0, req);
  EXPECT_EQ(phase(10), ContactPhase::kQueued);
  advance_to(now_ + 29999);
  EXPECT_EQ(phase(10), ContactPhase::kQueued);
  advance_to(now_ + 1);
  EXPECT_EQ(offered_agent(10), 0u);
  EXPECT_EQ(count_events<ev::ContactRelaxed>(), 1);
}

TEST_F(EngineTest, WidenTierReachesSecondTierAgents) {
  QueueConfig q;
  q.id = 0;
  q.name = "tiered";
  q.relaxation = {{20000, RelaxationAction::kWidenTier, 1}};
  ok(cmd::ConfigureQueue{q});
  add_agent(0, {{0, 2}});
  ok(cmd::LoginAgent{0});
  arrive(10, 0);
  EXPECT_EQ(phase(10), ContactPhase::kQueued);
  advance_to(now_ + 20000);
  EXPECT_EQ(offered_agent(10), 0u);
}

TEST_F(EngineTest, OfferTimeoutReturnsContactToItsPlaceAndMissesMakeAgentNotReady) {
  add_agent(0, {{0, 1}});
  add_agent(1, {{0, 1}});
  ok(cmd::LoginAgent{0});
  now_ += 1;
  arrive(10, 0);
  arrive(11, 0);
  EXPECT_EQ(offered_agent(10), 0u);
  advance_to(now_ + 10000);  // agent 0 misses; contact 10 waits again, first in line
  // Agent 0 is still available but excluded from 10, so it gets 11.
  EXPECT_EQ(offered_agent(11), 0u);
  EXPECT_EQ(engine_.waiting_contacts(0), (std::vector<ContactId>{10}));
  advance_to(now_ + 10000);  // second miss in a row: not ready "missed"
  auto a = engine_.agent(0);
  EXPECT_EQ(a->presence, Presence::kNotReady);
  EXPECT_EQ(a->reason, reason::kMissed);
  ok(cmd::LoginAgent{1});
  EXPECT_EQ(offered_agent(10), 1u);  // 10 still first in line
}

TEST_F(EngineTest, RejectGoesToNextAgent) {
  add_agent(0, {{0, 1}});
  add_agent(1, {{0, 1}});
  ok(cmd::LoginAgent{0});
  now_ += 1;
  ok(cmd::LoginAgent{1});
  arrive(10, 0);
  EXPECT_EQ(offered_agent(10), 0u);
  ok(cmd::RejectOffer{10, 0});
  EXPECT_EQ(offered_agent(10), 1u);
}

TEST_F(EngineTest, RingAllFirstAcceptWins) {
  configure_queue(0, AgentSelection::kRingAll);
  for (AgentId a = 0; a < 3; ++a) {
    add_agent(a, {{0, 1}});
    ok(cmd::LoginAgent{a});
  }
  arrive(10, 0);
  EXPECT_EQ(engine_.contact(10)->offered_to.size(), 3u);
  ok(cmd::AcceptOffer{10, 2});
  EXPECT_EQ(count_events<ev::OfferRescinded>(), 2);
  EXPECT_EQ(engine_.agent(2)->connected, 1u);
  EXPECT_EQ(engine_.agent(0)->offered, 0u);
}

TEST_F(EngineTest, WrapUpHoldsTheSlotUntilItsTimerOrTheAgentEndsIt) {
  configure_queue(0, AgentSelection::kLongestIdle, /*wrap=*/15000);
  add_agent(0, {{0, 1}});
  ok(cmd::LoginAgent{0});
  arrive(10, 0);
  ok(cmd::AcceptOffer{10, 0});
  ok(cmd::EndContact{10});
  arrive(11, 0);
  EXPECT_EQ(phase(10), ContactPhase::kWrapUp);
  EXPECT_EQ(phase(11), ContactPhase::kQueued);
  advance_to(now_ + 15000);
  EXPECT_EQ(offered_agent(11), 0u);
  ok(cmd::AcceptOffer{11, 0});
  ok(cmd::EndContact{11});
  arrive(12, 0);
  ok(cmd::EndWrapUp{11, 42});
  EXPECT_EQ(offered_agent(12), 0u);
}

TEST_F(EngineTest, ChatAgentTakesThreeChatsButVoiceNeedsAnEmptyDesk) {
  add_agent(0, {{0, 1}}, {}, /*profile=*/1);
  ok(cmd::LoginAgent{0});
  for (ContactId c = 1; c <= 4; ++c) arrive(c, 0, 0, {}, Channel::kChat);
  for (ContactId c = 1; c <= 3; ++c) ok(cmd::AcceptOffer{c, 0});
  EXPECT_EQ(engine_.agent(0)->connected, 3u);
  EXPECT_EQ(phase(4), ContactPhase::kQueued);
  arrive(5, 1, 10, {}, Channel::kVoice);  // agent 0 is not in queue 1 anyway
  ok(cmd::EndContact{1});
  EXPECT_EQ(offered_agent(4), 0u);
}

TEST_F(EngineTest, VoiceBlocksOtherChannels) {
  add_agent(0, {{0, 1}}, {}, /*profile=*/1);
  ok(cmd::LoginAgent{0});
  arrive(1, 0, 0, {}, Channel::kVoice);
  ok(cmd::AcceptOffer{1, 0});
  arrive(2, 0, 0, {}, Channel::kChat);
  EXPECT_EQ(phase(2), ContactPhase::kQueued);
  ok(cmd::EndContact{1});
  EXPECT_EQ(offered_agent(2), 0u);
}

TEST_F(EngineTest, OverflowMovesContactButKeepsItsPlace) {
  QueueConfig q;
  q.id = 0;
  q.name = "front";
  q.overflow_after = 60000;
  q.overflow_queue = 1;
  ok(cmd::ConfigureQueue{q});
  add_agent(0, {{1, 1}});
  ok(cmd::LoginAgent{0});
  arrive(20, 1);
  ok(cmd::AcceptOffer{20, 0});
  now_ += 1000;
  arrive(10, 0);
  now_ += 1000;
  arrive(21, 1);  // arrives in queue 1 after contact 10 arrived in queue 0
  advance_to(now_ + 60000);
  EXPECT_EQ(engine_.contact(10)->queue, 1u);
  EXPECT_EQ(engine_.waiting_contacts(1), (std::vector<ContactId>{10, 21}));
}

TEST_F(EngineTest, BlockedWhenQueueIsFullOrClosed) {
  QueueConfig q;
  q.id = 0;
  q.name = "small";
  q.max_waiting = 1;
  ok(cmd::ConfigureQueue{q});
  arrive(1, 0);
  arrive(2, 0);
  EXPECT_EQ(count_events<ev::ContactBlocked>(), 1);
  EXPECT_EQ(engine_.contact(2).status().code(), StatusCode::kNotFound);

  QueueConfig closed;
  closed.id = 1;
  closed.name = "closed";
  closed.hours.always_open = false;
  closed.hours.windows = {{0, 9 * 60, 17 * 60}};  // Mondays 09:00-17:00 UTC
  ok(cmd::ConfigureQueue{closed});
  now_ = 4 * kMillisPerDay + 10 * kMillisPerHour;  // 1970-01-05 was a Monday, 10:00
  arrive(3, 1);
  EXPECT_EQ(phase(3), ContactPhase::kQueued);
  now_ += 8 * kMillisPerHour;  // 18:00
  arrive(4, 1);
  EXPECT_EQ(count_events<ev::ContactBlocked>(), 2);
}

TEST_F(EngineTest, CallbackKeepsPlaceInLine) {
  add_agent(0, {{0, 1}});
  arrive(1, 0);
  now_ += 10;
  arrive(2, 0);
  ok(cmd::RequestCallback{1});
  EXPECT_EQ(engine_.waiting_contacts(0), (std::vector<ContactId>{1, 2}));
  EXPECT_EQ(engine_.contact(1)->channel, Channel::kCallback);
  ok(cmd::LoginAgent{0});
  EXPECT_EQ(offered_agent(1), 0u);
}

TEST_F(EngineTest, AbandonWhileQueuedAndWhileRinging) {
  add_agent(0, {{0, 1}});
  arrive(1, 0);
  ok(cmd::CustomerLeft{1});
  EXPECT_EQ(count_events<ev::ContactAbandoned>(), 1);
  ok(cmd::LoginAgent{0});
  arrive(2, 0);
  EXPECT_EQ(engine_.agent(0)->offered, 1u);
  ok(cmd::CustomerLeft{2});
  EXPECT_EQ(engine_.agent(0)->offered, 0u);
  arrive(3, 0);
  EXPECT_EQ(offered_agent(3), 0u);
}

TEST_F(EngineTest, TransferToQueueAndToAgent) {
  add_agent(0, {{0, 1}});
  add_agent(1, {{1, 1}});
  add_agent(2, {{0, 1}});
  ok(cmd::LoginAgent{0});
  arrive(1, 0);
  ok(cmd::AcceptOffer{1, 0});
  ok(cmd::LoginAgent{1});
  ok(cmd::Transfer{1, 1, kNoId});
  EXPECT_EQ(offered_agent(1), 1u);
  ok(cmd::AcceptOffer{1, 1});
  ok(cmd::LoginAgent{2});
  ok(cmd::Transfer{1, kNoId, 2});
  EXPECT_EQ(offered_agent(1), 2u);
  EXPECT_EQ(attempt(cmd::Transfer{1, kNoId, 2}).code(), StatusCode::kFailedPrecondition);
}

TEST_F(EngineTest, BadCommandsAreRefusedWithoutEvents) {
  const std::size_t before = log_.size();
  EXPECT_EQ(attempt(cmd::ArriveContact{1, Channel::kVoice, 99, 0, {}, 0}).code(),
            StatusCode::kNotFound);
  EXPECT_EQ(attempt(cmd::LoginAgent{7}).code(), StatusCode::kNotFound);
  EXPECT_EQ(attempt(cmd::AcceptOffer{5, 0}).code(), StatusCode::kNotFound);
  Requirements bad;
  bad.push({42, 1, false});
  EXPECT_EQ(attempt(cmd::ArriveContact{1, Channel::kVoice, 0, 0, bad, 0}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(log_.size(), before);
  EXPECT_EQ(engine_.handle(cmd::LoginAgent{0}, now_ - 1, out_).code(),
            StatusCode::kInvalidArgument);
}

TEST_F(EngineTest, SurveysAndImportedContactsAreRecordedWithoutChangingRouting) {
  const std::uint64_t hash = engine_.state_hash();
  const std::size_t before = log_.size();
  EXPECT_EQ(attempt(cmd::RecordSurvey{1, 0, 0, SurveyKind::kCsat, 6}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(attempt(cmd::RecordSurvey{1, 0, 0, SurveyKind::kNps, -1}).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(attempt(cmd::RecordSurvey{kNoContact, 0, 0, SurveyKind::kCes, 3}).code(),
            StatusCode::kInvalidArgument);
  ImportedContact bad;  // no queue
  EXPECT_EQ(attempt(cmd::ImportContact{bad}).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(log_.size(), before);

  ok(cmd::RecordSurvey{1, 0, 0, SurveyKind::kNps, 0});
  ImportedContact r;
  r.queue = "sales";
  r.arrived_at = 5000;
  r.wait = 12000;
  ok(cmd::ImportContact{r});
  EXPECT_EQ(count_events<ev::SurveyAnswered>(), 1);
  EXPECT_EQ(count_events<ev::ContactImported>(), 1);
  EXPECT_EQ(engine_.live_contact_count(), 0u);
  // Only the seq moved: replaying the log onto a fresh engine gives the same state.
  Engine replayed;
  for (const Event& e : log_) ASSERT_TRUE(replayed.apply(e).ok());
  EXPECT_EQ(replayed.state_hash(), engine_.state_hash());
  EXPECT_NE(hash, engine_.state_hash());
}

TEST_F(EngineTest, EstimatedWaitUsesPositionAndStaffedAgents) {
  add_agent(0, {{0, 1}});
  add_agent(1, {{0, 1}});
  ok(cmd::LoginAgent{0});
  ok(cmd::LoginAgent{1});
  arrive(1, 0);
  arrive(2, 0);
  ok(cmd::AcceptOffer{1, offered_agent(1)});
  ok(cmd::AcceptOffer{2, offered_agent(2)});
  for (ContactId c = 3; c <= 6; ++c) arrive(c, 0);
  // Default handle time 180 s, 2 agents: the 1st waiting waits 90 s, the 4th 360 s.
  EXPECT_EQ(*engine_.estimated_wait(3, now_), 90000);
  EXPECT_EQ(*engine_.estimated_wait(6, now_), 360000);
  EXPECT_EQ(*engine_.estimated_wait_for_new(0, now_), 450000);
}

TEST_F(EngineTest, ReplayAndSnapshotReproduceTheState) {
  configure_queue(0, AgentSelection::kRoundRobinMemory, 5000);
  for (AgentId a = 0; a < 4; ++a) {
    add_agent(a, {{0, 1}, {1, 2}}, {{0, 5}});
    ok(cmd::LoginAgent{a});
  }
  for (ContactId c = 1; c <= 8; ++c) {
    arrive(c, c % 2);
    now_ += 500;
  }
  ok(cmd::AcceptOffer{2, offered_agent(2)});
  // Queue 1 has only tier-2 members and no widening: its contacts wait.
  EXPECT_EQ(phase(1), ContactPhase::kQueued);
  advance_to(now_ + 12000);

  Engine replayed;
  for (const Event& e : log_) ASSERT_TRUE(replayed.apply(e).ok());
  EXPECT_EQ(replayed.state_hash(), engine_.state_hash());

  Engine restored;
  ASSERT_TRUE(restored.restore(engine_.snapshot()).ok());
  EXPECT_EQ(restored.state_hash(), engine_.state_hash());
  EXPECT_EQ(restored.snapshot(), engine_.snapshot());

  // The restored engine keeps deciding exactly like the original.
  Output a, b;
  ASSERT_TRUE(engine_.handle(cmd::ArriveContact{50, Channel::kVoice, 0, 0, {}, 0}, now_, a).ok());
  ASSERT_TRUE(restored.handle(cmd::ArriveContact{50, Channel::kVoice, 0, 0, {}, 0}, now_, b).ok());
  ASSERT_EQ(a.events.size(), b.events.size());
  EXPECT_EQ(engine_.state_hash(), restored.state_hash());

  std::vector<TimerRequest> pending;
  restored.pending_timers(pending);
  EXPECT_FALSE(pending.empty());
}

TEST_F(EngineTest, CorruptSnapshotIsRefused) {
  Engine e;
  EXPECT_EQ(e.restore("garbage").code(), StatusCode::kCorruption);
  std::string snap = engine_.snapshot();
  snap.resize(snap.size() / 2);
  EXPECT_EQ(e.restore(snap).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace sb

namespace sb {
namespace {

TEST(EngineReplayTest, DamagedButWellFormedEventsAreCorruptionNotCrashes) {
  Engine e;
  auto at = [&](EventPayload p) { return Event{e.last_seq() + 1, 10, std::move(p)}; };
  EXPECT_EQ(e.apply(at(ev::AgentLoggedIn{3})).code(), StatusCode::kCorruption);
  EXPECT_EQ(e.apply(at(ev::AgentStateChanged{3, Presence::kAvailable, 0})).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(e.apply(at(ev::QueueConfigured{nullptr})).code(), StatusCode::kCorruption);
  AgentConfig huge;
  huge.id = 4000000000u;
  huge.profile = 0;
  EXPECT_EQ(e.apply(at(ev::AgentConfigured{std::make_shared<const AgentConfig>(huge)})).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(e.apply(at(ev::ContactArrived{1, Channel::kVoice, 7, 0, {}, 0})).code(),
            StatusCode::kCorruption);
  EXPECT_EQ(e.apply(at(ev::ContactEnded{1, 0, EndedBy::kAgent})).code(), StatusCode::kCorruption);
  EXPECT_EQ(e.last_seq(), 0u);  // nothing was applied
  // A well-formed event after the refusals still applies.
  EXPECT_TRUE(e.apply(at(ev::SkillConfigured{0, std::make_shared<const std::string>("x")})).ok());
}

}  // namespace
}  // namespace sb
