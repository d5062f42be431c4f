#include "voice/voice_gateway.h"

#include <algorithm>
#include <deque>
#include <iostream>

#include "base/overloaded.h"
#include "domain/codec.h"
#include "domain/config_lookup.h"
#include "flows/flow_runtime.h"
#include "flows/http_executor.h"
#include "media/prompts.h"
#include "media/wav.h"
#include "routing/commands.h"

namespace sb::voice {

// kIvr: a flow talks to the caller (not in the engine yet). kQueued also stands for a callback
// waiting for an agent (then `caller` is kNoLeg). kCallbackDialing: the agent answered a callback
// and the customer is being dialed. kAfterCall: the agent left, the flow runs on (a survey).
enum class Phase : std::uint8_t {
  kQueued = 0,
  kRinging,
  kConnected,
  kHeld,
  kIvr,
  kCallbackDialing,
  kAfterCall
};

struct VoiceGateway::Call {
  ContactId contact = kNoContact;
  QueueId queue = kNoId;
  sip::LegId caller = sip::kNoLeg;
  sip::LegId agent_leg = sip::kNoLeg;
  AgentId agent = kNoId;
  Phase phase = Phase::kQueued;
  bool arrived = false;  // the engine took the contact (ArriveContact succeeded)
  int music_plays = 0;
  int recording_seq = 0;
  bool recording = false;
  bool recording_paused = false;
  std::string digits;              // DTMF received while queued (calls without a flow)
  bool arrival_submitted = false;  // ArriveContact sent (CustomerLeft must follow a hang-up)
  // IVR flows.
  std::unique_ptr<flows::FlowSession> flow;
  std::deque<flows::Action> pending;  // actions not carried out yet (behind a synthesis)
  bool synthesizing = false;
  Millis play_ends_at = 0;  // when what the caller hears now ends (estimate)
  bool callback = false;    // a callback contact: the caller's leg may go, the contact stays
  std::string callback_uri;
  std::string source;  // "ip:port" the caller's INVITE came from
  std::string music = "music";
  bool transferring = false;           // the flow transferred the call to a queue
  sip::LegId refer_leg = sip::kNoLeg;  // the leg whose REFER waits for the engine's Transfer
  std::map<std::string, sip::LegId> monitors;  // supervisor's SIP user -> their phone's leg
};

namespace {

// The final NOTIFY's status line for a Transfer the engine refused.
std::pair<std::uint16_t, std::string> refer_failure(const Status& s) {
  switch (s.code()) {
    case StatusCode::kFailedPrecondition:
      return {480, "Temporarily Unavailable"};
    case StatusCode::kResourceExhausted:
      return {486, "Busy Here"};
    case StatusCode::kNotFound:
      return {404, "Not Found"};
    case StatusCode::kInvalidArgument:
      return {403, "Forbidden"};
    default:
      return {500, "Server Internal Error"};
  }
}

std::string recording_prefix(ContactId c) { return "contact-" + std::to_string(c) + "-"; }

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

Millis prompt_ms(const media::Prompt& p) { return static_cast<Millis>(p.ulaw.size() / 8); }

// Where a callback goes: a SIP URI as it is, user@host as a SIP URI, a bare number through the
// host the call came from (the trunk or PBX that delivered it).
std::string callback_uri(const std::string& number, const std::string& source) {
  if (number.rfind("sip:", 0) == 0 || number.rfind("sips:", 0) == 0) return number;
  if (number.find('@') != std::string::npos) return "sip:" + number;
  if (number.empty() || source.empty()) return "";
  return "sip:" + number + "@" + source;
}

}  // namespace

VoiceGateway::VoiceGateway(VoiceOptions options, service::CenterService& service,
                           accounts::Accounts& accounts)
    : options_(std::move(options)), service_(service), accounts_(accounts) {}

Result<std::unique_ptr<VoiceGateway>> VoiceGateway::start(VoiceOptions options,
                                                          service::CenterService& service,
                                                          accounts::Accounts& accounts) {
  if (!options.prompts_dir.empty() && !options.sip.prompts) {
    auto lib = media::PromptLibrary::load_dir(options.prompts_dir);
    if (!lib.ok()) return lib.status();
    options.sip.prompts = *lib;
  }
  if (!options.recordings_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options.recordings_dir, ec);
    if (ec)
      return Status::io_error("cannot create recordings directory " + options.recordings_dir +
                              ": " + ec.message());
  }
  const bool flows_used = !options.did_flows.empty() || !options.default_flow.empty();
  if (flows_used && (options.clock == nullptr || !options.flow_hooks.flow))
    return Status::invalid_argument("voice: DIDs mapped to flows need a clock and the flow store");
  std::unique_ptr<VoiceGateway> g(new VoiceGateway(std::move(options), service, accounts));
  VoiceGateway* raw = g.get();
  g->prompts_ = g->options_.sip.prompts;
  if (g->options_.clock != nullptr) {
    g->timers_ = std::make_unique<TaskThreads>(*g->options_.clock, 1);
    g->control_ = std::make_unique<TaskThreads>(*g->options_.clock, 1);
    g->slow_ = std::make_unique<TaskThreads>(*g->options_.clock, 2);
    g->http_ = std::make_unique<flows::HttpExecutor>();
    if (g->options_.synthesize_speech) g->speech_ = std::make_unique<SpeechCache>();
  }
  g->options_.sip.credentials = [raw](const std::string& user) -> std::optional<std::string> {
    auto ha1 = raw->accounts_.sip_ha1(user);
    if (!ha1.ok()) return std::nullopt;
    return *ha1;
  };
  g->subscription_ =
      service.subscribe([raw](std::span<const Event> events) { raw->on_events(events); });
  auto sip = sip::SipServer::start(g->options_.sip, *g);
  if (!sip.ok()) {
    service.unsubscribe(g->subscription_);
    g->subscription_ = 0;
    return sip.status();
  }
  g->sip_ = std::move(*sip);
  {
    std::lock_guard lock(g->ready_mu_);
    g->ready_ = true;
  }
  g->ready_cv_.notify_all();
  return g;
}

void VoiceGateway::wait_ready() {
  std::unique_lock lock(ready_mu_);
  ready_cv_.wait(lock, [this] { return ready_; });
}

VoiceGateway::~VoiceGateway() { stop(); }

void VoiceGateway::stop() {
  if (subscription_ != 0) {
    service_.unsubscribe(subscription_);
    subscription_ = 0;
  }
  for (auto* t : {timers_.get(), control_.get(), slow_.get()})
    if (t != nullptr) t->stop();
  if (sip_) sip_->stop();
}

Millis VoiceGateway::now() const { return options_.clock != nullptr ? options_.clock->now() : 0; }

std::uint16_t VoiceGateway::sip_port() const { return sip_ ? sip_->port() : 0; }
sip::ReceiveBufferReport VoiceGateway::sip_udp_receive_buffer() const {
  return sip_ ? sip_->udp_receive_buffer() : sip::ReceiveBufferReport{};
}

VoiceStats VoiceGateway::stats() const {
  VoiceStats s;
  if (sip_) s.sip = sip_->stats();
  std::lock_guard lock(mu_);
  s.calls = n_calls_;
  s.active_calls = calls_.size();
  s.refused = n_refused_;
  s.abandoned = n_abandoned_;
  s.connected = n_connected_;
  s.agent_phones = phones_.size();
  s.ivr_calls = n_ivr_;
  s.self_served = n_self_served_;
  s.callbacks = n_callbacks_;
  s.callbacks_dialed = n_callbacks_dialed_;
  s.surveys = n_surveys_;
  s.announcements = n_announcements_;
  s.monitors_started = n_monitors_;
  return s;
}

// ---- SIP events ---------------------------------------------------------------------------------

void VoiceGateway::on_incoming_call(const sip::IncomingCall& in) {
  wait_ready();
  std::string flow_id;
  QueueId queue = kNoId;
  if (auto it = options_.did_flows.find(in.did); it != options_.did_flows.end()) {
    flow_id = it->second;
  } else if (auto q = options_.did_queues.find(in.did); q != options_.did_queues.end()) {
    queue = q->second;
  } else if (!options_.default_flow.empty()) {
    flow_id = options_.default_flow;
  } else {
    queue = options_.default_queue;
  }
  if (!flow_id.empty()) {
    auto flow = options_.flow_hooks.flow(flow_id);
    if (!flow.ok()) {
      std::cerr << "voice: DID " << in.did << ": flow \"" << flow_id
                << "\": " << flow.status().message() << "\n";
      std::lock_guard lock(mu_);
      ++n_refused_;
      sip_->reject(in.leg, 480, "Temporarily Unavailable");
      return;
    }
    const ContactId contact = service_.next_contact_id();
    std::lock_guard lock(mu_);
    auto call = std::make_unique<Call>();
    call->contact = contact;
    call->caller = in.leg;
    call->phase = Phase::kIvr;
    call->source = in.source;
    Call& ref = *call;
    by_leg_[in.leg] = contact;
    calls_[contact] = std::move(call);
    ++n_calls_;
    ++n_ivr_;
    sip_->answer(in.leg);
    start_flow_locked(ref, std::move(*flow), in);
    return;
  }
  if (queue == kNoId) {
    std::lock_guard lock(mu_);
    ++n_refused_;
    sip_->reject(in.leg, 404, "Not Found");
    return;
  }
  const ContactId contact = service_.next_contact_id();
  {
    std::lock_guard lock(mu_);
    auto call = std::make_unique<Call>();
    call->contact = contact;
    call->queue = queue;
    call->caller = in.leg;
    call->arrival_submitted = true;
    call->source = in.source;
    by_leg_[in.leg] = contact;
    calls_[contact] = std::move(call);
    ++n_calls_;
  }
  sip_->answer(in.leg);
  sip_->play(in.leg, {"welcome", "please_hold"}, false);
  cmd::ArriveContact arrive;
  arrive.contact = contact;
  arrive.channel = Channel::kVoice;
  arrive.queue = queue;
  service_.submit(arrive, [this, contact](service::CommandResult r) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(contact);
    bool blocked = !r.ok();
    if (r.ok())
      for (const Event& e : *r)
        blocked = blocked || std::holds_alternative<ev::ContactBlocked>(e.payload);
    if (blocked) {
      if (!r.ok())
        std::cerr << "voice: contact " << contact << ": " << r.status().message() << "\n";
      ++n_refused_;
      if (it != calls_.end()) {
        sip_->hangup(it->second->caller);
        by_leg_.erase(it->second->caller);
        erase_call_locked(it);
      }
      return;
    }
    if (it != calls_.end()) it->second->arrived = true;
  });
}

void VoiceGateway::on_answered(sip::LegId leg) {
  wait_ready();
  ContactId contact = kNoContact;
  AgentId agent = kNoId;
  {
    std::lock_guard lock(mu_);
    auto l = by_leg_.find(leg);
    if (l == by_leg_.end()) {
      sip_->hangup(leg);
      return;
    }
    auto c = calls_.find(l->second);
    if (c != calls_.end()) {
      Call& call = *c->second;
      for (const auto& [user, monitor_leg] : call.monitors) {
        if (monitor_leg != leg) continue;
        // A supervisor's phone answered: it listens to the caller's leg, both directions.
        ++n_monitors_;
        sip_->listen(leg, call.caller);
        return;
      }
    }
    if (c != calls_.end() && c->second->caller == leg &&
        c->second->phase == Phase::kCallbackDialing) {
      // The customer answered the callback: bridge them with the waiting agent.
      Call& call = *c->second;
      call.phase = Phase::kConnected;
      ++n_connected_;
      sip_->bridge(call.caller, call.agent_leg, next_recording_path_locked(call));
      return;
    }
    if (c == calls_.end() || c->second->agent_leg != leg || c->second->phase != Phase::kRinging) {
      sip_->hangup(leg);
      return;
    }
    contact = c->second->contact;
    agent = c->second->agent;
  }
  service_.submit(cmd::AcceptOffer{contact, agent}, [this, contact, leg](service::CommandResult r) {
    std::lock_guard lock(mu_);
    auto it = calls_.find(contact);
    if (!r.ok() || it == calls_.end() || it->second->agent_leg != leg) {
      // The offer is gone (timed out, rescinded, caller left): the phone answered too late.
      sip_->hangup(leg);
      by_leg_.erase(leg);
      if (it != calls_.end() && it->second->agent_leg == leg) {
        it->second->agent_leg = sip::kNoLeg;
        it->second->phase = Phase::kQueued;
      }
      return;
    }
    Call& call = *it->second;
    if (call.callback && call.caller == sip::kNoLeg) {
      // A callback: the agent is on the line; now dial the customer (music meanwhile).
      const std::string uri = call.callback_uri;
      if (uri.empty()) {
        std::cerr << "voice: contact " << contact << ": callback without a number to dial\n";
        sip_->hangup(leg);
        by_leg_.erase(leg);
        service_.submit(cmd::EndContact{contact}, nullptr);
        erase_call_locked(it);
        return;
      }
      call.phase = Phase::kCallbackDialing;
      sip_->play(leg, {"please_hold", "music"}, false);
      call.caller = sip_->dial(uri, "switchboard", "Switchboard");
      by_leg_[call.caller] = contact;
      ++n_callbacks_dialed_;
      return;
    }
    call.phase = Phase::kConnected;
    ++n_connected_;
    sip_->bridge(call.caller, leg, next_recording_path_locked(call));
  });
}

std::string VoiceGateway::next_recording_path_locked(Call& call) {
  if (options_.recordings_dir.empty()) {
    call.recording = false;
    return "";
  }
  call.recording = true;
  call.recording_paused = false;
  ++call.recording_seq;
  return (std::filesystem::path(options_.recordings_dir) /
          (recording_prefix(call.contact) + std::to_string(call.recording_seq) + ".wav"))
      .string();
}

void VoiceGateway::on_ended(sip::LegId leg, sip::EndReason reason, int sip_code) {
  wait_ready();
  std::lock_guard lock(mu_);
  auto l = by_leg_.find(leg);
  if (l == by_leg_.end()) return;
  const ContactId contact = l->second;
  by_leg_.erase(l);
  auto it = calls_.find(contact);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  if (std::erase_if(call.monitors, [leg](const auto& m) { return m.second == leg; }) > 0) return;
  if (leg == call.caller) {
    if (call.callback && (call.phase == Phase::kQueued || call.phase == Phase::kRinging ||
                          call.phase == Phase::kIvr)) {
      // A callback keeps its place in line without the caller on the line.
      call.caller = sip::kNoLeg;
      call.pending.clear();
      return;
    }
    if (call.phase == Phase::kCallbackDialing) {
      // The customer did not take the callback: the contact ends; the agent is released.
      std::cerr << "voice: contact " << contact << ": callback not answered ("
                << sip::end_reason_name(reason) << " " << sip_code << ")\n";
      if (call.agent_leg != sip::kNoLeg) {
        sip_->hangup(call.agent_leg);
        by_leg_.erase(call.agent_leg);
      }
      erase_call_locked(it);
      service_.submit(cmd::EndContact{contact}, nullptr);
      return;
    }
    if (call.flow && !call.flow->finished()) {
      flows::Actions ignored;  // the customer is gone: nothing left to say
      (void)call.flow->on_hangup(now(), ignored);
    }
    // The customer left: an abandonment before connection, the end of the contact after it.
    const bool in_engine = call.arrival_submitted && call.phase != Phase::kAfterCall;
    if (in_engine && call.phase != Phase::kConnected && call.phase != Phase::kHeld) ++n_abandoned_;
    if (call.agent_leg != sip::kNoLeg) {
      sip_->hangup(call.agent_leg);
      by_leg_.erase(call.agent_leg);
    }
    erase_call_locked(it);
    // Commands run in order: even before ArriveContact's answer, this comes after it.
    if (in_engine) service_.submit(cmd::CustomerLeft{contact}, nullptr);
    return;
  }
  if (leg != call.agent_leg) return;
  call.agent_leg = sip::kNoLeg;
  const AgentId agent = call.agent;
  if (call.refer_leg == leg) {
    // The phone hung up once its REFER was accepted (blind transfer): the caller stays;
    // ContactTransferred, or the Transfer's refusal, decides what follows.
    if (call.caller != sip::kNoLeg) sip_->play(call.caller, {"please_hold", "music"}, false);
    return;
  }
  if (call.phase == Phase::kCallbackDialing) {
    // The agent hung up while the customer was being dialed.
    if (call.caller != sip::kNoLeg) {
      sip_->hangup(call.caller);
      by_leg_.erase(call.caller);
    }
    erase_call_locked(it);
    service_.submit(cmd::EndContact{contact}, nullptr);
    return;
  }
  if ((call.phase == Phase::kConnected || call.phase == Phase::kHeld) && call.flow &&
      call.flow->wait_state() == flows::WaitState::kInQueue && call.caller != sip::kNoLeg) {
    // The agent hung up; the caller stays for what the flow does after the call (a survey).
    service_.submit(cmd::EndContact{contact}, nullptr);
    after_call_locked(call);
    return;
  }
  if (call.phase == Phase::kConnected || call.phase == Phase::kHeld) {
    // The agent hung up: the conversation is over; the caller hears goodbye.
    call.phase = Phase::kQueued;
    service_.submit(cmd::EndContact{contact}, nullptr);
    sip_->hangup(call.caller);
    by_leg_.erase(call.caller);
    erase_call_locked(it);
    return;
  }
  // The phone did not take the call (busy, declined, unreachable): the engine offers it to
  // someone else.
  call.phase = Phase::kQueued;
  (void)reason;
  (void)sip_code;
  service_.submit(cmd::RejectOffer{contact, agent}, nullptr);
}

void VoiceGateway::on_dtmf(sip::LegId leg, char digit) {
  wait_ready();
  std::lock_guard lock(mu_);
  auto l = by_leg_.find(leg);
  if (l == by_leg_.end()) return;
  auto c = calls_.find(l->second);
  if (c == calls_.end()) return;
  Call& call = *c->second;
  if (leg != call.caller) return;
  if (call.flow && !call.flow->finished() &&
      (call.phase == Phase::kIvr || call.phase == Phase::kQueued ||
       call.phase == Phase::kAfterCall)) {
    if (call.flow->wait_state() == flows::WaitState::kInput) {
      // Barge-in: a key stops the prompt (and drops prompts not started yet, e.g. behind a
      // synthesis); what the flow says next follows at once.
      sip_->stop_playback(call.caller);
      call.play_ends_at = now();
      std::erase_if(call.pending, [](const flows::Action& a) {
        return std::holds_alternative<flows::act::Say>(a);
      });
    }
    flows::Actions out;
    Status st = call.flow->on_digits(std::string(1, digit), now(), out);

    // Keys while a data dip or the queue's answer is pending are not input: dropped by design.
    if (!st.ok() && st.code() != StatusCode::kFailedPrecondition)
      std::cerr << "voice: contact " << call.contact << ": " << st.message() << "\n";
    drive_locked(call, std::move(out));
    return;
  }
  if (call.digits.size() < 64) call.digits.push_back(digit);
}

void VoiceGateway::on_hold(sip::LegId /*leg*/, bool /*held*/) {
  // A phone's own hold (re-INVITE sendonly) only pauses its media; the engine's hold is the
  // agent desktop's (HoldStarted), which plays music to the caller.
}

void VoiceGateway::on_registration(const sip::Registration& reg) {
  wait_ready();
  auto user = accounts_.find_user(reg.user);
  std::lock_guard lock(mu_);
  if (reg.expires_s == 0) {
    auto it = phone_agents_.find(reg.user);
    if (it != phone_agents_.end()) {
      phones_.erase(it->second);
      phone_agents_.erase(it);
    }
    return;
  }
  if (!user.ok() || !user->agent_id) return;  // not an agent: nothing to ring
  phones_[static_cast<AgentId>(*user->agent_id)] = reg.contact;
  phone_agents_[reg.user] = static_cast<AgentId>(*user->agent_id);
}

void VoiceGateway::on_playback_done(sip::LegId leg) {
  wait_ready();
  // Music, with the caller's position announced every few plays of it.
  ContactId contact = kNoContact;
  QueueId queue = kNoId;
  {
    std::lock_guard lock(mu_);
    auto l = by_leg_.find(leg);
    if (l == by_leg_.end()) return;
    auto c = calls_.find(l->second);
    if (c == calls_.end()) return;
    Call& call = *c->second;
    if (leg != call.caller || call.phase != Phase::kQueued) return;
    if (call.flow) {
      // In a flow's queue: music; announcements come from the flow's timer (AnnounceQueue).
      if (!call.callback) {
        if (auto m = find_prompt(call.music)) sip_->play_prompts(leg, {m}, true, false);
      }
      return;
    }
    ++call.music_plays;
    const bool announce = options_.announce_every_plays > 0 && call.arrived &&
                          call.music_plays % options_.announce_every_plays == 0;
    if (!announce) {
      sip_->play(call.caller, {"music"}, false);
      return;
    }
    contact = call.contact;
    queue = call.queue;
  }
  // Not under mu_: the service thread takes mu_ in on_events while read() waits for it.
  std::size_t position = 0;
  Millis ewt = kNever;
  service_.read([&](const service::LiveView& v) {
    auto waiting = v.engine.waiting_contacts(queue);
    auto it = std::find(waiting.begin(), waiting.end(), contact);
    if (it != waiting.end()) position = static_cast<std::size_t>(it - waiting.begin()) + 1;
    if (auto w = v.engine.estimated_wait(contact, v.now); w.ok()) ewt = *w;
  });
  auto list = announcement(position, ewt);
  if (!list.empty()) {
    std::lock_guard lock(mu_);
    ++n_announcements_;
  }
  if (auto m = find_prompt("music")) list.push_back(m);
  sip_->play_prompts(leg, std::move(list), false, false);
}

sip::ReferAnswer VoiceGateway::on_refer(const sip::ReferRequest& refer) {
  wait_ready();
  ContactId contact = kNoContact;
  {
    std::lock_guard lock(mu_);
    auto l = by_leg_.find(refer.leg);
    if (l == by_leg_.end()) return {481, "Call/Transaction Does Not Exist"};
    Call* call = find_call_locked(l->second);
    if (call == nullptr) return {481, "Call/Transaction Does Not Exist"};
    // Only the agent moves a customer; a customer's phone does not pick another queue.
    if (refer.leg != call->agent_leg) return {403, "Only The Agent May Transfer"};
    if (call->phase != Phase::kConnected && call->phase != Phase::kHeld)
      return {403, "Call Not Connected"};
    if (call->refer_leg != sip::kNoLeg) return {491, "Request Pending"};
    contact = call->contact;
  }
  // The target: a queue by name or id, else the username of a user who is an agent. Read outside
  // mu_ (the service thread takes mu_ while read() waits for it).
  CenterConfig config;
  service_.read([&](const service::LiveView& v) { config = v.engine.configuration(); });
  cmd::Transfer transfer;
  transfer.contact = contact;
  if (auto queue = find_queue(config, refer.target)) {
    transfer.to_queue = *queue;
  } else {
    auto user = accounts_.find_user(refer.target);
    if (!user.ok() || user->disabled || !user->agent_id) return {404, "Unknown Transfer Target"};
    transfer.to_agent = static_cast<AgentId>(*user->agent_id);
  }
  {
    std::lock_guard lock(mu_);
    Call* call = find_call_locked(contact);
    if (call == nullptr || call->agent_leg != refer.leg)
      return {481, "Call/Transaction Does Not Exist"};
    call->refer_leg = refer.leg;
  }
  const sip::LegId leg = refer.leg;
  // Success is reported where ContactTransferred drops the agent's leg (NOTIFY 200, then BYE).
  service_.submit(transfer, [this, contact, leg](service::CommandResult r) {
    if (r.ok()) return;
    std::cerr << "voice: contact " << contact << ": transfer refused: " << r.status().message()
              << "\n";
    std::lock_guard lock(mu_);
    auto [code, reason] = refer_failure(r.status());
    sip_->refer_result(leg, code, reason);
    auto it = calls_.find(contact);
    if (it == calls_.end() || it->second->refer_leg != leg) return;
    Call& call = *it->second;
    call.refer_leg = sip::kNoLeg;
    if (call.agent_leg == sip::kNoLeg && call.caller != sip::kNoLeg) {
      // The agent's phone already left: nobody is on the line with the caller any more.
      service_.submit(cmd::EndContact{contact}, nullptr);
      sip_->play(call.caller, {"goodbye"}, false);
      sip_->hangup_after_playback(call.caller);
      by_leg_.erase(call.caller);
      erase_call_locked(it);
    }
  });
  return {};
}

std::shared_ptr<const media::Prompt> VoiceGateway::find_prompt(const std::string& name) const {
  return prompts_ ? prompts_->find(name) : nullptr;
}

// "You are number N in line. Your estimated wait time is about M minutes." (or "less than a
// minute"); numbers up to 99 from the number prompts, larger ones digit by digit. Nothing for an
// unknown position; no wait sentence when nobody staffs the queue (kNever).
std::vector<std::shared_ptr<const media::Prompt>> VoiceGateway::announcement(std::size_t position,
                                                                             Millis ewt) const {
  std::vector<std::shared_ptr<const media::Prompt>> out;
  auto add = [&](const std::string& name) {
    if (auto p = find_prompt(name)) out.push_back(std::move(p));
  };
  auto number = [&](std::int64_t n) {
    if (n <= 20) {
      add("number_" + std::to_string(n));
    } else if (n < 100) {
      add("number_" + std::to_string(n / 10 * 10));
      if (n % 10 != 0) add("number_" + std::to_string(n % 10));
    } else {
      for (char c : std::to_string(n)) add(std::string("digit_") + c);
    }
  };
  if (position == 0) return out;
  add("position");
  number(static_cast<std::int64_t>(position));
  add("in_line");
  if (ewt == kNever || ewt < 0) return out;
  if (ewt < kMillisPerMinute) {
    add("wait_short");
  } else {
    const std::int64_t minutes = (ewt + kMillisPerMinute - 1) / kMillisPerMinute;
    add("wait_about");
    number(minutes);
    add(minutes == 1 ? "minute" : "minutes");
  }
  return out;
}

// ---- Engine events ------------------------------------------------------------------------------

void VoiceGateway::on_events(std::span<const Event> events) {
  std::lock_guard lock(mu_);
  for (const Event& e : events) {
    if (const auto* o = std::get_if<ev::ContactOffered>(&e.payload)) {
      auto it = calls_.find(o->contact);
      if (it == calls_.end()) continue;
      Call& call = *it->second;
      auto phone = phones_.find(o->agent);
      // An agent without a registered phone is left alone: the offer rings in the desktop and
      // times out there (ring-no-answer) unless another channel takes it.
      if (phone == phones_.end() || call.agent_leg != sip::kNoLeg) continue;
      call.agent = o->agent;
      call.phase = Phase::kRinging;
      call.agent_leg = sip_->dial(phone->second, "queue" + std::to_string(call.queue),
                                  "Contact " + std::to_string(call.contact));
      by_leg_[call.agent_leg] = call.contact;
    } else if (const auto* t = std::get_if<ev::OfferTimedOut>(&e.payload)) {
      auto it = calls_.find(t->contact);
      if (it == calls_.end()) continue;
      Call& call = *it->second;
      if (call.phase == Phase::kRinging && call.agent == t->agent &&
          call.agent_leg != sip::kNoLeg) {
        sip_->hangup(call.agent_leg);
        by_leg_.erase(call.agent_leg);
        call.agent_leg = sip::kNoLeg;
        call.phase = Phase::kQueued;
      }
    } else if (const auto* r = std::get_if<ev::OfferRescinded>(&e.payload)) {
      auto it = calls_.find(r->contact);
      if (it == calls_.end()) continue;
      Call& call = *it->second;
      if (call.phase == Phase::kRinging && call.agent == r->agent &&
          call.agent_leg != sip::kNoLeg) {
        sip_->hangup(call.agent_leg);
        by_leg_.erase(call.agent_leg);
        call.agent_leg = sip::kNoLeg;
        call.phase = Phase::kQueued;
      }
    } else if (const auto* h = std::get_if<ev::HoldStarted>(&e.payload)) {
      auto it = calls_.find(h->contact);
      if (it == calls_.end() || it->second->phase != Phase::kConnected) continue;
      Call& call = *it->second;
      call.phase = Phase::kHeld;
      call.recording = false;
      sip_->unbridge(call.caller);
      sip_->play(call.caller, {"music"}, true);
    } else if (const auto* u = std::get_if<ev::HoldEnded>(&e.payload)) {
      auto it = calls_.find(u->contact);
      if (it == calls_.end() || it->second->phase != Phase::kHeld) continue;
      Call& call = *it->second;
      call.phase = Phase::kConnected;
      sip_->bridge(call.caller, call.agent_leg, next_recording_path_locked(call));
    } else if (const auto* x = std::get_if<ev::ContactTransferred>(&e.payload)) {
      auto it = calls_.find(x->contact);
      if (it == calls_.end()) continue;
      Call& call = *it->second;
      // Back to waiting (in the target queue or for the target agent): drop the agent's leg,
      // after telling a phone that asked for the transfer (REFER) that it worked.
      if (call.refer_leg != sip::kNoLeg) {
        sip_->refer_result(call.refer_leg, 200, "OK");
        call.refer_leg = sip::kNoLeg;
      }
      if (call.agent_leg != sip::kNoLeg) {
        sip_->hangup(call.agent_leg);
        by_leg_.erase(call.agent_leg);
        call.agent_leg = sip::kNoLeg;
      }
      if (x->to_queue != kNoId) call.queue = x->to_queue;
      call.phase = Phase::kQueued;
      call.recording = false;
      sip_->play(call.caller, {"please_hold", "music"}, false);
    } else if (const auto* a = std::get_if<ev::ContactAbandoned>(&e.payload)) {
      end_call_locked(a->contact);
    } else if (const auto* en = std::get_if<ev::ContactEnded>(&e.payload)) {
      end_call_locked(en->contact);
    }
  }
}

void VoiceGateway::end_call_locked(ContactId contact) {
  auto it = calls_.find(contact);
  if (it == calls_.end()) return;
  Call& call = *it->second;
  if (call.phase == Phase::kAfterCall) return;  // the flow still talks to the caller
  if ((call.phase == Phase::kConnected || call.phase == Phase::kHeld) && call.flow &&
      call.flow->wait_state() == flows::WaitState::kInQueue && call.caller != sip::kNoLeg) {
    after_call_locked(call);  // ended from the desktop: the flow's after-call part runs
    return;
  }
  for (sip::LegId leg : {call.caller, call.agent_leg}) {
    if (leg == sip::kNoLeg) continue;
    sip_->hangup(leg);
    by_leg_.erase(leg);
  }
  erase_call_locked(it);
}

void VoiceGateway::erase_call_locked(std::map<ContactId, std::unique_ptr<Call>>::iterator it) {
  drop_monitors_locked(*it->second);
  calls_.erase(it);
}

void VoiceGateway::drop_monitors_locked(Call& call) {
  for (const auto& [user, leg] : call.monitors) {
    sip_->hangup(leg);
    by_leg_.erase(leg);
  }
  call.monitors.clear();
}

// ---- Silent monitor -----------------------------------------------------------------------------

Status VoiceGateway::start_monitor(ContactId contact, const std::string& sip_user) {
  const std::optional<std::string> phone = sip_->registered_contact(sip_user);
  std::lock_guard lock(mu_);
  Call* call = find_call_locked(contact);
  if (call == nullptr)
    return Status::not_found("contact " + std::to_string(contact) + " is not a live call");
  if ((call->phase != Phase::kConnected && call->phase != Phase::kHeld) ||
      call->caller == sip::kNoLeg)
    return Status::failed_precondition("contact " + std::to_string(contact) +
                                       " is not connected to an agent");
  if (call->monitors.contains(sip_user))
    return Status::already_exists(sip_user + " already monitors contact " +
                                  std::to_string(contact));
  if (!phone)
    return Status::failed_precondition(sip_user + " has no registered SIP phone to listen on");
  const sip::LegId leg =
      sip_->dial(*phone, "monitor", "Monitor contact " + std::to_string(contact));
  call->monitors[sip_user] = leg;
  by_leg_[leg] = contact;
  return Status::ok_status();
}

Status VoiceGateway::stop_monitor(ContactId contact, const std::string& sip_user) {
  std::lock_guard lock(mu_);
  Call* call = find_call_locked(contact);
  const Status absent =
      Status::not_found(sip_user + " does not monitor contact " + std::to_string(contact));
  if (call == nullptr) return absent;
  auto m = call->monitors.find(sip_user);
  if (m == call->monitors.end()) return absent;
  sip_->hangup(m->second);
  by_leg_.erase(m->second);
  call->monitors.erase(m);
  return Status::ok_status();
}

// ---- IVR flows ----------------------------------------------------------------------------------

VoiceGateway::Call* VoiceGateway::find_call_locked(ContactId contact) {
  auto it = calls_.find(contact);
  return it == calls_.end() ? nullptr : it->second.get();
}

void VoiceGateway::start_flow_locked(Call& call, std::shared_ptr<const flows::FlowDefinition> flow,
                                     const sip::IncomingCall& in) {
  flows::SessionOptions o;
  o.channel = flows::SessionChannel::kVoice;
  o.attributes["caller"] = in.from_user;
  if (!in.from_name.empty()) o.attributes["caller_name"] = in.from_name;
  o.attributes["dialed"] = in.did;
  o.attributes["channel"] = "voice";
  call.flow = std::make_unique<flows::FlowSession>(std::move(flow), std::move(o));
  flows::Actions out;
  Status st = call.flow->start(now(), out);
  if (!st.ok()) std::cerr << "voice: contact " << call.contact << ": " << st.message() << "\n";
  drive_locked(call, std::move(out));
}

void VoiceGateway::drive_locked(Call& call, flows::Actions actions) {
  for (auto& a : actions) call.pending.push_back(std::move(a));
  pump_locked(call);
}

void VoiceGateway::play_locked(Call& call, std::vector<std::shared_ptr<const media::Prompt>> list,
                               bool append) {
  if (call.caller == sip::kNoLeg || list.empty()) return;
  Millis total = 0;
  for (const auto& p : list) total += prompt_ms(*p);
  const Millis t = now();
  call.play_ends_at = (append ? std::max(t, call.play_ends_at) : t) + total;
  sip_->play_prompts(call.caller, std::move(list), false, append);
}

// Carries out the flow's actions in order. A prompt whose speech is not synthesized yet stops
// the pump: the synthesis runs on a slow thread, and the pump resumes after it (so prompts and
// what follows them keep their order).
void VoiceGateway::pump_locked(Call& call) {
  std::vector<std::shared_ptr<const media::Prompt>> batch;
  Millis batch_ms = 0;
  const Millis t = now();
  auto flush = [&] {
    if (!batch.empty()) play_locked(call, std::move(batch), true);
    batch.clear();
    batch_ms = 0;
  };
  const ContactId contact = call.contact;
  while (!call.pending.empty() && !call.synthesizing) {
    flows::Action action = std::move(call.pending.front());
    call.pending.pop_front();
    std::visit(
        Overloaded{
            [&](flows::act::Say& x) {
              const bool can_play = call.caller != sip::kNoLeg &&
                                    (call.phase == Phase::kIvr || call.phase == Phase::kQueued ||
                                     call.phase == Phase::kAfterCall);
              if (!can_play) return;
              std::shared_ptr<const media::Prompt> p;
              if (!x.audio.empty()) {
                const std::string stem = std::filesystem::path(x.audio).stem().string();
                p = find_prompt(stem);
                if (!p && !options_.prompts_dir.empty() && x.audio.find('/') == std::string::npos &&
                    x.audio.find("..") == std::string::npos) {
                  std::lock_guard alock(audio_mu_);
                  auto it = audio_files_.find(x.audio);
                  if (it != audio_files_.end()) {
                    p = it->second;
                  } else {
                    auto pcm = media::read_wav_8k_mono(
                        (std::filesystem::path(options_.prompts_dir) / x.audio).string());
                    if (pcm.ok())
                      p = std::make_shared<const media::Prompt>(media::make_prompt(stem, *pcm));
                    audio_files_[x.audio] = p;  // a missing file is remembered as missing
                  }
                }
              }
              if (!p && !x.text.empty() && speech_) {
                p = speech_->find(x.text);
                if (!p && !speech_->failed(x.text)) {
                  // Synthesize, then come back to this very prompt.
                  call.pending.push_front(std::move(x));
                  flush();
                  call.synthesizing = true;
                  slow_->post(
                      [this, contact, text = std::get<flows::act::Say>(call.pending.front()).text] {
                        auto r = speech_->get_or_synthesize(text);
                        if (!r.ok())
                          std::cerr << "voice: cannot speak \"" << text
                                    << "\": " << r.status().message() << "\n";
                        std::lock_guard lock(mu_);
                        Call* c = find_call_locked(contact);
                        if (c == nullptr) return;
                        c->synthesizing = false;
                        pump_locked(*c);
                      });
                  return;
                }
              }
              if (!p) {
                std::cerr << "voice: contact " << contact << ": no audio for prompt \""
                          << (x.audio.empty() ? x.text : x.audio) << "\"\n";
                return;
              }
              batch_ms += prompt_ms(*p);
              batch.push_back(std::move(p));
            },
            [&](flows::act::StartTimer& x) {
              // Input timeouts count from the end of the prompt that asks, not from its start.
              const Millis delay = std::max<Millis>(0, call.play_ends_at - t) + batch_ms;
              timers_->post_at(x.at + delay, [this, contact, id = x.id] {
                std::lock_guard lock(mu_);
                Call* c = find_call_locked(contact);
                if (c == nullptr || !c->flow) return;
                flows::Actions out;
                Status st = c->flow->on_timer(id, now(), out);
                if (!st.ok())
                  std::cerr << "voice: contact " << contact << ": " << st.message() << "\n";
                drive_locked(*c, std::move(out));
              });
            },
            [&](flows::act::CancelTimer&) {},  // the session ignores timers it cancelled
            [&](flows::act::HttpRequest& x) {
              slow_->post([this, contact, req = std::move(x)] {
                flows::HttpResponse resp = http_->execute(req);
                std::lock_guard lock(mu_);
                Call* c = find_call_locked(contact);
                if (c == nullptr || !c->flow) return;
                flows::Actions out;
                Status st = c->flow->on_http_response(req.id, resp, now(), out);
                if (!st.ok())
                  std::cerr << "voice: contact " << contact << ": " << st.message() << "\n";
                drive_locked(*c, std::move(out));
              });
            },
            [&](flows::act::SetAttributes&) {
              if (call.arrival_submitted && options_.flow_hooks.set_attributes) {
                flows::Attributes attrs = call.flow->attributes();
                attrs["flow"] =
                    call.flow->flow().id + " v" + std::to_string(call.flow->flow().version);
                control_->post([this, contact, attrs = std::move(attrs)] {
                  set_attributes_job(contact, attrs);
                });
              }
            },
            [&](flows::act::Enqueue& x) {
              flush();
              control_->post([this, contact, e = std::move(x)]() mutable {
                enqueue_job(contact, std::move(e), false);
              });
            },
            [&](flows::act::AnnounceQueue&) {
              if (call.phase == Phase::kQueued && call.caller != sip::kNoLeg && !call.callback)
                control_->post([this, contact] { announce_job(contact); });
            },
            [&](flows::act::RequestCallback& x) {
              flush();
              if (!call.arrival_submitted || call.callback || call.phase != Phase::kQueued) return;
              call.callback = true;
              call.callback_uri = callback_uri(x.number, call.source);
              ++n_callbacks_;
              service_.submit(cmd::RequestCallback{contact}, [contact](service::CommandResult r) {
                if (!r.ok())
                  std::cerr << "voice: contact " << contact
                            << ": callback refused: " << r.status().message() << "\n";
              });
              if (options_.flow_hooks.set_attributes) {
                flows::Attributes attrs = call.flow->attributes();
                attrs["flow"] =
                    call.flow->flow().id + " v" + std::to_string(call.flow->flow().version);
                attrs["callback_number"] = x.number;
                control_->post([this, contact, attrs] { set_attributes_job(contact, attrs); });
              }
              // The caller hears the confirmation, then the line drops; the place is kept.
              if (call.caller != sip::kNoLeg) sip_->hangup_after_playback(call.caller);
            },
            [&](flows::act::Transfer& x) {
              flush();
              const std::string prefix = "queue:";
              if (x.target.rfind(prefix, 0) == 0 && !call.arrival_submitted) {
                flows::act::Enqueue e;
                e.queue = x.target.substr(prefix.size());
                e.attributes = call.flow->attributes();
                call.transferring = true;
                control_->post([this, contact, e = std::move(e)]() mutable {
                  enqueue_job(contact, std::move(e), true);
                });
              } else {
                std::cerr << "voice: contact " << contact << ": transfer to \"" << x.target
                          << "\" is not supported (only queue:<name> from an IVR)\n";
              }
            },
            [&](flows::act::RecordSurvey& x) {
              cmd::RecordSurvey r;
              r.contact = contact;
              r.agent = call.agent;
              r.queue = call.queue;
              r.kind = domain_survey_kind(x.kind);
              r.score = x.score;
              ++n_surveys_;
              service_.submit(r, [contact](service::CommandResult res) {
                if (!res.ok())
                  std::cerr << "voice: contact " << contact
                            << ": survey answer refused: " << res.status().message() << "\n";
              });
            },
            [&](flows::act::End& x) {
              flush();
              if (x.outcome == flows::Outcome::kSelfServed && !call.arrival_submitted) {
                ++n_self_served_;
                service_.submit(cmd::SelfServe{contact, Channel::kVoice, 0},
                                [contact](service::CommandResult r) {
                                  if (!r.ok())
                                    std::cerr << "voice: contact " << contact << ": "
                                              << r.status().message() << "\n";
                                });
              }
              if (call.transferring || call.caller == sip::kNoLeg) return;
              if (call.phase == Phase::kIvr || call.phase == Phase::kAfterCall ||
                  call.phase == Phase::kQueued)
                sip_->hangup_after_playback(call.caller);
            },
        },
        action);
  }
  flush();
}

void VoiceGateway::after_call_locked(Call& call) {
  drop_monitors_locked(call);  // the conversation is over; the flow's survey is not monitored
  if (call.agent_leg != sip::kNoLeg) {
    sip_->hangup(call.agent_leg);
    by_leg_.erase(call.agent_leg);
    call.agent_leg = sip::kNoLeg;
  }
  sip_->unbridge(call.caller);
  call.recording = false;
  call.phase = Phase::kAfterCall;
  call.pending.clear();
  flows::Actions out;
  Status st = call.flow->on_contact_ended(now(), out);
  if (!st.ok()) {
    std::cerr << "voice: contact " << call.contact << ": " << st.message() << "\n";
    sip_->hangup(call.caller);
    return;
  }
  drive_locked(call, std::move(out));
}

void VoiceGateway::set_attributes_job(ContactId contact, flows::Attributes attributes) {
  Status st = options_.flow_hooks.set_attributes(contact, attributes);
  if (!st.ok())
    std::cerr << "voice: contact " << contact << ": attributes not saved: " << st.message() << "\n";
}

void VoiceGateway::rekey_locked(Call& call, ContactId fresh) {
  auto it = calls_.find(call.contact);
  if (it == calls_.end()) return;
  std::unique_ptr<Call> owned = std::move(it->second);
  erase_call_locked(it);
  owned->contact = fresh;
  for (sip::LegId leg : {owned->caller, owned->agent_leg})
    if (leg != sip::kNoLeg) by_leg_[leg] = fresh;
  for (const auto& [user, leg] : owned->monitors) by_leg_[leg] = fresh;
  calls_[fresh] = std::move(owned);
}

// On the control thread: resolves the queue and skills against the configuration, stores the
// attributes where the agent sees them, and submits ArriveContact; the answer goes back to the
// flow (on_queue_result). `transfer`: a flow's transfer to queue:<name> (no answer expected).
void VoiceGateway::enqueue_job(ContactId contact, flows::act::Enqueue e, bool transfer) {
  CenterConfig config;
  service_.read([&](const service::LiveView& v) { config = v.engine.configuration(); });
  auto refuse = [&](const std::string& reason) {
    std::lock_guard lock(mu_);
    Call* c = find_call_locked(contact);
    if (c == nullptr) return;
    std::cerr << "voice: contact " << contact << ": not queued: " << reason << "\n";
    if (transfer || !c->flow) {
      if (c->caller != sip::kNoLeg) sip_->hangup(c->caller);
      return;
    }
    flows::Actions out;
    Status st = c->flow->on_queue_result(false, reason, now(), out);
    if (!st.ok()) std::cerr << "voice: contact " << contact << ": " << st.message() << "\n";
    drive_locked(*c, std::move(out));
  };
  auto queue = find_queue(config, e.queue);
  if (!queue) return refuse("unknown queue \"" + e.queue + "\"");
  cmd::ArriveContact arrive;
  arrive.channel = e.callback ? Channel::kCallback : Channel::kVoice;
  arrive.queue = *queue;
  arrive.priority = std::clamp(e.priority, -1000, 1000);
  for (const auto& need : e.skills) {
    auto skill = find_skill(config, need.skill);
    if (!skill) {
      if (need.optional) continue;
      return refuse("unknown skill \"" + need.skill + "\"");
    }
    arrive.requirements.push({*skill,
                              static_cast<std::uint8_t>(std::clamp(need.min_proficiency, 1, 10)),
                              need.optional});
  }
  flows::Attributes attrs = e.attributes;
  if (e.callback) attrs["callback_number"] = e.number;
  {
    std::lock_guard lock(mu_);
    Call* c = find_call_locked(contact);
    if (c == nullptr || c->arrival_submitted) return;  // the caller left meanwhile
    if (c->flow)
      attrs["flow"] = c->flow->flow().id + " v" + std::to_string(c->flow->flow().version);
  }
  if (options_.flow_hooks.set_attributes) {
    // Before the contact exists in the engine, so the agent it is offered to sees them (and not
    // under mu_: the directory is a database write).
    Status st = options_.flow_hooks.set_attributes(contact, attrs);
    if (!st.ok())
      std::cerr << "voice: contact " << contact << ": attributes not saved: " << st.message()
                << "\n";
  }
  std::lock_guard lock(mu_);
  Call* c = find_call_locked(contact);
  if (c == nullptr || c->arrival_submitted) return;  // the caller left meanwhile
  c->arrival_submitted = true;
  c->queue = *queue;
  if (!e.music.empty()) c->music = std::filesystem::path(e.music).stem().string();
  if (!find_prompt(c->music)) c->music = "music";
  if (e.callback) {
    c->callback = true;
    c->callback_uri = callback_uri(e.number, c->source);
  }
  arrive.contact = contact;
  service_.submit(arrive,
                  [this, contact, transfer, is_callback = e.callback](service::CommandResult r) {
                    std::lock_guard lock(mu_);
                    Call* c = find_call_locked(contact);
                    bool accepted = r.ok();
                    std::string reason = r.ok() ? "" : r.status().message();
                    if (r.ok())
                      for (const Event& ev : *r)
                        if (const auto* b = std::get_if<ev::ContactBlocked>(&ev.payload)) {
                          accepted = false;
                          reason = std::string(block_reason_name(b->reason));
                        }
                    if (c == nullptr) return;
                    if (!accepted) {
                      ++n_refused_;
                      c->arrival_submitted = false;
                      c->callback = false;
                      if (r.ok())
                        rekey_locked(*c, service_.next_contact_id());  // the blocked id is spent
                    } else {
                      c->arrived = true;
                      if (c->phase == Phase::kIvr) c->phase = Phase::kQueued;
                      if (!is_callback && c->caller != sip::kNoLeg)
                        if (auto m = find_prompt(c->music))
                          sip_->play_prompts(c->caller, {m}, true, true);
                    }
                    if (transfer || !c->flow) {
                      if (!accepted && c->caller != sip::kNoLeg) sip_->hangup(c->caller);
                      return;
                    }
                    flows::Actions out;
                    Status st = c->flow->on_queue_result(accepted, reason, now(), out);
                    if (!st.ok())
                      std::cerr << "voice: contact " << c->contact << ": " << st.message() << "\n";
                    drive_locked(*c, std::move(out));
                  });
}

// On the control thread (reading the engine must not hold mu_): position and estimated wait.
void VoiceGateway::announce_job(ContactId contact) {
  QueueId queue = kNoId;
  {
    std::lock_guard lock(mu_);
    Call* c = find_call_locked(contact);
    if (c == nullptr || c->phase != Phase::kQueued || c->caller == sip::kNoLeg) return;
    queue = c->queue;
  }
  std::size_t position = 0;
  Millis ewt = kNever;
  service_.read([&](const service::LiveView& v) {
    auto waiting = v.engine.waiting_contacts(queue);
    auto it = std::find(waiting.begin(), waiting.end(), contact);
    if (it != waiting.end()) position = static_cast<std::size_t>(it - waiting.begin()) + 1;
    if (auto w = v.engine.estimated_wait(contact, v.now); w.ok()) ewt = *w;
  });
  auto list = announcement(position, ewt);
  if (list.empty()) return;
  std::lock_guard lock(mu_);
  Call* c = find_call_locked(contact);
  if (c == nullptr || c->phase != Phase::kQueued || c->caller == sip::kNoLeg) return;
  ++n_announcements_;
  play_locked(*c, std::move(list), true);
  if (auto m = find_prompt(c->music)) sip_->play_prompts(c->caller, {m}, true, true);
}

// ---- Recordings ---------------------------------------------------------------------------------

Result<std::vector<RecordingInfo>> VoiceGateway::recordings(ContactId contact) const {
  std::vector<RecordingInfo> out;
  if (options_.recordings_dir.empty()) return out;
  namespace fs = std::filesystem;
  const std::string prefix = recording_prefix(contact);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(options_.recordings_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || entry.path().extension() != ".wav") continue;
    RecordingInfo r;
    r.name = name;
    r.bytes = entry.file_size(ec);
    r.duration_ms = r.bytes > 44 ? (r.bytes - 44) / 4 / 8 : 0;  // 8 kHz, 2 channels x 16 bit
    out.push_back(std::move(r));
  }
  if (ec) return Status::io_error("reading " + options_.recordings_dir + ": " + ec.message());
  auto seq = [&](const std::string& n) { return std::atoi(n.substr(prefix.size()).c_str()); };
  std::sort(out.begin(), out.end(), [&](const RecordingInfo& a, const RecordingInfo& b) {
    return seq(a.name) < seq(b.name);
  });
  std::lock_guard lock(mu_);
  auto it = calls_.find(contact);
  if (it != calls_.end() && it->second->recording && !out.empty()) {
    const std::string live = prefix + std::to_string(it->second->recording_seq) + ".wav";
    for (auto& r : out)
      if (r.name == live) {
        r.active = true;
        r.paused = it->second->recording_paused;
      }
  }
  return out;
}

Result<std::string> VoiceGateway::recording_path(ContactId contact, const std::string& name) const {
  const std::string prefix = recording_prefix(contact);
  if (options_.recordings_dir.empty() || name.rfind(prefix, 0) != 0 ||
      name.find('/') != std::string::npos || name.size() < 5 ||
      name.substr(name.size() - 4) != ".wav")
    return Status::not_found("no recording " + name + " for contact " + std::to_string(contact));
  const auto path = std::filesystem::path(options_.recordings_dir) / name;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return Status::not_found("no recording " + name + " for contact " + std::to_string(contact));
  return path.string();
}

Status VoiceGateway::set_recording_paused(ContactId contact, bool paused) {
  std::lock_guard lock(mu_);
  auto it = calls_.find(contact);
  if (it == calls_.end())
    return Status::not_found("contact " + std::to_string(contact) + " is not a live call");
  Call& call = *it->second;
  if (call.phase != Phase::kConnected || !call.recording)
    return Status::failed_precondition("contact " + std::to_string(contact) +
                                       " is not being recorded");
  call.recording_paused = paused;
  sip_->set_recording_paused(call.caller, paused);
  return Status::ok_status();
}

}  // namespace sb::voice
