#pragma once
// The voice adapter: turns SIP calls into contacts of the CenterService and carries out what the
// engine decides with SIP and RTP (see docs/voice.md).
//
//   inbound INVITE ─► DID → queue ─► answer, welcome + music ─► ArriveContact (voice)
//   inbound INVITE ─► DID → flow ─► answer, run a FlowSession (IVR): prompts, DTMF, data dips;
//     its queue node ─► ArriveContact with skills, priority and the flow's attributes
//   ContactOffered to an agent with a registered phone ─► INVITE the phone
//   phone answers ─► AcceptOffer ─► bridge caller ↔ agent through the relay, record (stereo)
//   caller hangs up ─► CustomerLeft (abandon while queued, end when connected)
//   agent hangs up ─► EndContact; phone rejects/busy ─► RejectOffer
//   offer timed out / rescinded ─► CANCEL the phone; contact ended or abandoned ─► BYE both legs
//
// Threads: SIP events arrive on the SIP thread, engine events on the service thread; both only
// post work (sip::SipServer methods and CenterService::submit never block). One mutex guards the
// call table.

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "accounts/accounts.h"
#include "base/status.h"
#include "domain/ids.h"
#include "flows/flow_runtime.h"
#include "service/center_service.h"
#include "sip/sip_server.h"
#include "voice/speech.h"
#include "voice/task_threads.h"

namespace sb::flows {
class HttpExecutor;
}

namespace sb::voice {

// What the gateway needs from the rest of the server to run IVR flows (set by the composition
// root; see serve_command.cpp).
struct FlowHooks {
  // The active version of a flow (FlowStore::get): calls start on it; a new version published
  // later is used by later calls. Unset: DIDs mapped to flows are refused.
  std::function<Result<std::shared_ptr<const flows::FlowDefinition>>(const std::string& id)> flow;
  // Stores a contact's attributes where agents see them (the API's directory).
  std::function<Status(ContactId, const flows::Attributes&)> set_attributes;
};

struct VoiceOptions {
  sip::SipOptions sip;
  // Dialed number -> flow id (checked before did_queues); `default_flow` for any other number
  // (before default_queue).
  std::map<std::string, std::string> did_flows;
  std::string default_flow;
  FlowHooks flow_hooks;
  // Now for flows (timers, business hours) and timer scheduling. Required when flows are used.
  const Clock* clock = nullptr;
  // Prompts of flows without a recording are spoken with espeak-ng + sox (cached per text).
  bool synthesize_speech = true;
  // Dialed number (Request-URI user) -> queue. A DID not listed goes to `default_queue`, or is
  // refused with 404 when that is kNoId.
  std::map<std::string, QueueId> did_queues;
  QueueId default_queue = kNoId;
  std::string recordings_dir;  // empty: calls are not recorded
  std::string prompts_dir;     // 8 kHz mono WAV files (welcome, please_hold, music, digit_0..9...)
  // While queued: music, and every `announce_every_plays` music loops the caller's position.
  int announce_every_plays = 3;
};

struct RecordingInfo {
  std::string name;  // file name inside recordings_dir
  std::uint64_t bytes = 0;
  std::uint64_t duration_ms = 0;
  bool active = false;  // the conversation is being recorded into it now
  bool paused = false;
};

struct VoiceStats {
  sip::SipStats sip;
  std::uint64_t calls = 0;  // inbound calls taken as contacts
  std::uint64_t active_calls = 0;
  std::uint64_t refused = 0;           // unknown DID, blocked by the queue, service refusal
  std::uint64_t abandoned = 0;         // caller hung up before connection
  std::uint64_t connected = 0;         // bridged to an agent's phone
  std::uint64_t agent_phones = 0;      // agents with a registered phone
  std::uint64_t ivr_calls = 0;         // calls that ran a flow
  std::uint64_t self_served = 0;       // flows that ended as self-served
  std::uint64_t callbacks = 0;         // callbacks requested by callers
  std::uint64_t callbacks_dialed = 0;  // customers dialed back for an agent
  std::uint64_t surveys = 0;           // survey answers recorded
  std::uint64_t announcements = 0;     // position / wait announcements played
  std::uint64_t monitors_started = 0;  // supervisors' phones that answered to listen in
};

class VoiceGateway final : public sip::SipEvents {
 public:
  // Starts the SIP endpoint. `service` and `accounts` must outlive the gateway. Agents'
  // phones register as their Switchboard username with their SIP password (Accounts).
  static Result<std::unique_ptr<VoiceGateway>> start(VoiceOptions options,
                                                     service::CenterService& service,
                                                     accounts::Accounts& accounts);
  ~VoiceGateway();
  // Hangs up every call and stops the SIP endpoint; call before the service stops.
  void stop();

  std::uint16_t sip_port() const;
  // The SIP UDP socket's receive buffer (VoiceOptions::sip.udp_receive_buffer) as applied.
  sip::ReceiveBufferReport sip_udp_receive_buffer() const;
  VoiceStats stats() const;

  // Recordings of a contact (live or past), oldest first.
  Result<std::vector<RecordingInfo>> recordings(ContactId contact) const;
  // The file of one recording (for download); NotFound for anything not of this contact.
  Result<std::string> recording_path(ContactId contact, const std::string& name) const;
  // Pauses/resumes the recording of a live, connected call. NotFound: no such live call;
  // FailedPrecondition: not connected or not recorded.
  Status set_recording_paused(ContactId contact, bool paused);

  // Silent monitor: rings `sip_user`'s registered phone and, once it answers, streams both
  // directions of the call (caller and agent, mixed) to it, listen only. It ends with the call
  // or by stop_monitor. NotFound: no such live call; FailedPrecondition: the call is not
  // connected to an agent, or the user has no registered phone; AlreadyExists: that user
  // monitors the call already.
  Status start_monitor(ContactId contact, const std::string& sip_user);
  // NotFound when `sip_user` does not monitor the call.
  Status stop_monitor(ContactId contact, const std::string& sip_user);

  // sip::SipEvents (SIP thread).
  void on_incoming_call(const sip::IncomingCall& call) override;
  void on_answered(sip::LegId leg) override;
  void on_ended(sip::LegId leg, sip::EndReason reason, int sip_code) override;
  void on_dtmf(sip::LegId leg, char digit) override;
  void on_hold(sip::LegId leg, bool held) override;
  void on_registration(const sip::Registration& reg) override;
  void on_playback_done(sip::LegId leg) override;
  // A REFER from the agent's phone (blind transfer): Refer-To names a queue (name or id) or an
  // agent's username; the engine's Transfer moves the caller, the NOTIFY reports the outcome.
  sip::ReferAnswer on_refer(const sip::ReferRequest& refer) override;

 private:
  VoiceGateway(VoiceOptions options, service::CenterService& service, accounts::Accounts& accounts);
  struct Call;
  void on_events(std::span<const Event> events);
  void end_call_locked(ContactId contact);
  // Forgets a call (hanging up the supervisors' phones that monitor it).
  void erase_call_locked(std::map<ContactId, std::unique_ptr<Call>>::iterator it);
  void drop_monitors_locked(Call& call);
  std::string next_recording_path_locked(Call& call);

  // IVR flows (all with mu_ held unless named otherwise).
  void start_flow_locked(Call& call, std::shared_ptr<const flows::FlowDefinition> flow,
                         const sip::IncomingCall& in);
  void drive_locked(Call& call, flows::Actions actions);
  void pump_locked(Call& call);
  void after_call_locked(Call& call);
  void enqueue_job(ContactId contact, flows::act::Enqueue e, bool transfer);
  void announce_job(ContactId contact);
  void set_attributes_job(ContactId contact, flows::Attributes attributes);
  void rekey_locked(Call& call, ContactId fresh);
  Call* find_call_locked(ContactId contact);
  std::shared_ptr<const media::Prompt> find_prompt(const std::string& name) const;
  std::vector<std::shared_ptr<const media::Prompt>> announcement(std::size_t position,
                                                                 Millis ewt) const;
  void play_locked(Call& call, std::vector<std::shared_ptr<const media::Prompt>> list, bool append);
  void warm_flow(const std::shared_ptr<const flows::FlowDefinition>& flow);
  Millis now() const;

  VoiceOptions options_;
  service::CenterService& service_;
  accounts::Accounts& accounts_;
  std::unique_ptr<sip::SipServer> sip_;
  // SIP events can arrive before start() has stored sip_ (the SIP thread runs as soon as the
  // server is up): the handlers wait for it.
  void wait_ready();
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  bool ready_ = false;
  service::SubscriptionId subscription_ = 0;

  std::shared_ptr<const media::PromptLibrary> prompts_;
  std::unique_ptr<SpeechCache> speech_;
  std::unique_ptr<flows::HttpExecutor> http_;
  std::unique_ptr<TaskThreads> timers_;   // flow timers
  std::unique_ptr<TaskThreads> control_;  // engine reads, attribute writes (in order)
  std::unique_ptr<TaskThreads> slow_;     // HTTP data dips, speech synthesis
  std::mutex audio_mu_;
  std::map<std::string, std::shared_ptr<const media::Prompt>> audio_files_;  // flow "audio"
  std::map<std::string, bool> warmed_;  // flow id@version -> static prompts synthesized

  mutable std::mutex mu_;
  std::map<ContactId, std::unique_ptr<Call>> calls_;
  std::map<sip::LegId, ContactId> by_leg_;
  std::map<AgentId, std::string> phones_;        // agent -> registered contact URI
  std::map<std::string, AgentId> phone_agents_;  // SIP user -> agent
  std::uint64_t n_calls_ = 0, n_refused_ = 0, n_abandoned_ = 0, n_connected_ = 0;
  std::uint64_t n_ivr_ = 0, n_self_served_ = 0, n_callbacks_ = 0, n_callbacks_dialed_ = 0,
                n_surveys_ = 0, n_announcements_ = 0, n_monitors_ = 0;
};

}  // namespace sb::voice
