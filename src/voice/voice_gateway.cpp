#include "voice/voice_gateway.h"

#include <algorithm>
#include <iostream>

#include "media/prompts.h"
#include "routing/commands.h"

namespace sb::voice {

enum class Phase : std::uint8_t { kQueued = 0, kRinging, kConnected, kHeld };

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
  std::string digits;  // DTMF received while queued (kept for the flow engine / attributes)
};

namespace {

std::string recording_prefix(ContactId c) { return "contact-" + std::to_string(c) + "-"; }

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
  std::unique_ptr<VoiceGateway> g(new VoiceGateway(std::move(options), service, accounts));
  VoiceGateway* raw = g.get();
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
  if (sip_) sip_->stop();
}

std::uint16_t VoiceGateway::sip_port() const { return sip_ ? sip_->port() : 0; }

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
  return s;
}

// ---- SIP events ---------------------------------------------------------------------------------

void VoiceGateway::on_incoming_call(const sip::IncomingCall& in) {
  wait_ready();
  QueueId queue = options_.default_queue;
  if (auto it = options_.did_queues.find(in.did); it != options_.did_queues.end())
    queue = it->second;
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
        calls_.erase(it);
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
  if (leg == call.caller) {
    // The customer left: an abandonment before connection, the end of the contact after it.
    if (call.phase != Phase::kConnected && call.phase != Phase::kHeld) ++n_abandoned_;
    if (call.agent_leg != sip::kNoLeg) {
      sip_->hangup(call.agent_leg);
      by_leg_.erase(call.agent_leg);
    }
    calls_.erase(it);
    // Commands run in order: even before ArriveContact's answer, this comes after it.
    service_.submit(cmd::CustomerLeft{contact}, nullptr);
    return;
  }
  if (leg != call.agent_leg) return;
  call.agent_leg = sip::kNoLeg;
  const AgentId agent = call.agent;
  if (call.phase == Phase::kConnected || call.phase == Phase::kHeld) {
    // The agent hung up: the conversation is over; the caller hears goodbye.
    call.phase = Phase::kQueued;
    service_.submit(cmd::EndContact{contact}, nullptr);
    sip_->hangup(call.caller);
    by_leg_.erase(call.caller);
    calls_.erase(it);
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
  if (leg == call.caller && call.digits.size() < 64) call.digits.push_back(digit);
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
  service_.read([&](const service::LiveView& v) {
    auto waiting = v.engine.waiting_contacts(queue);
    auto it = std::find(waiting.begin(), waiting.end(), contact);
    if (it != waiting.end()) position = static_cast<std::size_t>(it - waiting.begin()) + 1;
  });
  std::vector<std::string> list;
  if (position > 0) {
    list.push_back("position");
    for (char c : std::to_string(position)) list.push_back(std::string("digit_") + c);
    list.push_back("in_line");
  }
  list.push_back("music");
  sip_->play(leg, std::move(list), false);
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
      // Back to waiting (in the target queue or for the target agent): drop the agent's leg.
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
  for (sip::LegId leg : {call.caller, call.agent_leg}) {
    if (leg == sip::kNoLeg) continue;
    sip_->hangup(leg);
    by_leg_.erase(leg);
  }
  calls_.erase(it);
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
