#pragma once
// Switchboard's SIP endpoint: a UAS/UAC on UDP and TCP with INVITE sessions (SDP offer/answer,
// G.711 + telephone-event), CANCEL/BYE, re-INVITE hold, INFO DTMF, a REGISTER registrar with
// digest authentication, and the media of every call leg (RTP, prompts and music, a relay that
// bridges two legs, stereo recording). Built on libre, which never shows outside src/sip and
// src/media: this header is the whole interface.
//
// Threading: libre runs its own loop on one thread (the SIP thread). Every method below may be
// called from any thread; the work is posted to the SIP thread (libre's mqueue) and happens
// asynchronously. SipEvents are called on the SIP thread and must not block: hand work to other
// threads (CenterService::submit is fine).

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "media/prompts.h"
#include "sip/refer_to.h"
#include "sip/socket_buffer.h"

namespace sb::sip {

using LegId = std::uint64_t;  // one side of a call (a SIP dialog plus its RTP socket)
inline constexpr LegId kNoLeg = 0;

enum class EndReason : std::uint8_t {
  kRemoteHangup = 0,  // BYE or CANCEL from the far end
  kLocalHangup,       // hangup() or stop()
  kRejected,          // the far end answered a final error (busy, decline...) to our INVITE
  kMediaTimeout,      // no RTP for SipOptions::rtp_timeout_ms on an answered, unheld leg
  kError,             // transport failure, no answer in time, bad SDP
};
std::string_view end_reason_name(EndReason r);

struct IncomingCall {
  LegId leg = kNoLeg;
  std::string did;        // user part of the Request-URI (the dialed number)
  std::string from_user;  // user part of the From URI
  std::string from_name;  // display name of From
  std::string call_id;
  std::string transport;  // "UDP" or "TCP"
  std::string source;     // "ip:port" the INVITE came from (where a callback to a number goes)
};

// A REFER inside an answered call leg's dialog (RFC 3515 blind transfer), once its Refer-To
// names a SIP user: the queue or agent the far end wants the call moved to.
struct ReferRequest {
  LegId leg = kNoLeg;
  std::string target;  // user part of the Refer-To URI, %-escapes decoded
};

// The answer to a REFER: 202 accepts it (NOTIFY "100 Trying" follows at once, the outcome later
// through refer_result()); anything else is the final SIP response.
struct ReferAnswer {
  std::uint16_t code = 202;
  std::string reason = "Accepted";
};

struct Registration {
  std::string user;
  std::string contact;          // SIP URI to INVITE
  std::uint32_t expires_s = 0;  // 0: the binding was removed
};

class SipEvents {
 public:
  // A new inbound INVITE; the leg is ringing (180 sent). Answer, reject or hang it up.
  virtual void on_incoming_call(const IncomingCall& call) = 0;
  // An outbound leg was answered (200 OK, media established).
  virtual void on_answered(LegId leg) = 0;
  // The leg is gone (after this, its id is unknown). `sip_code`: the final response for a
  // rejected outbound INVITE, else 0.
  virtual void on_ended(LegId leg, EndReason reason, int sip_code) = 0;
  // A DTMF digit from RFC 4733 telephone-events or SIP INFO.
  virtual void on_dtmf(LegId leg, char digit) = 0;
  // The far end put the call on hold (re-INVITE sendonly/inactive) or took it off.
  virtual void on_hold(LegId leg, bool held) = 0;
  virtual void on_registration(const Registration& reg) = 0;
  // A non-looping play() finished.
  virtual void on_playback_done(LegId leg) = 0;
  // The far end of an answered leg asks to transfer the call (REFER with a valid Refer-To).
  virtual ReferAnswer on_refer(const ReferRequest& refer) = 0;

 protected:
  ~SipEvents() = default;
};

// HA1 = hex(MD5(user ":" realm ":" password)) for a user, or nullopt when the user may not
// register (unknown, disabled, no SIP password). Called on the SIP thread.
using CredentialLookup = std::function<std::optional<std::string>(const std::string& user)>;

struct SipOptions {
  std::string host = "127.0.0.1";  // SIP and RTP bind address
  std::uint16_t port = 5060;       // 0: any free port (tests)
  bool udp = true;
  bool tcp = true;
  std::string realm = "switchboard";
  std::uint16_t rtp_min_port = 20000;
  std::uint16_t rtp_max_port = 39999;
  std::uint32_t rtp_timeout_ms = 30'000;  // hang up a leg that sends no RTP this long; 0: off
  std::uint32_t max_register_expires_s = 3600;
  std::uint32_t ring_timeout_ms = 0;  // outbound INVITE gives up after this; 0: libre's default
  // Session refresh: every answered leg sends a re-INVITE (same SDP) this often, so a phone or
  // trunk that lost the call answers 481 (or nothing: 408) and the leg ends instead of lingering
  // (libre 1.1.0 has no RFC 4028 session timers). 0: off.
  std::uint32_t session_refresh_ms = 0;
  CredentialLookup credentials;                         // empty: every REGISTER is refused (403)
  std::shared_ptr<const media::PromptLibrary> prompts;  // may be empty (play() then does nothing)
  std::string user_agent = "Switchboard";
  // Receive buffer of the SIP UDP socket, in bytes; 0: the kernel default (net.core.rmem_default,
  // 208 KB on Debian), which overflowed at 200 new calls per second while the SIP thread was
  // busy with media. Applied with SO_RCVBUFFORCE when the process may (CAP_NET_ADMIN), else
  // SO_RCVBUF, capped by net.core.rmem_max; what the socket got is in udp_receive_buffer().
  std::uint32_t udp_receive_buffer = 4u << 20;
};

struct SipStats {
  std::uint64_t calls_in = 0;
  std::uint64_t calls_out = 0;
  std::uint64_t legs = 0;     // live now
  std::uint64_t bridges = 0;  // live now
  std::uint64_t rtp_received = 0;
  std::uint64_t rtp_sent = 0;  // prompts and music plus relayed packets
  std::uint64_t rtp_relayed = 0;
  std::uint64_t dtmf_digits = 0;
  std::uint64_t bad_requests = 0;     // answered 400 by the validator
  std::uint64_t registrations = 0;    // live bindings
  std::uint64_t recordings = 0;       // open now
  std::uint64_t monitors = 0;         // listen-only legs now (supervisors listening in)
  std::uint64_t monitor_sent = 0;     // mixed packets sent to them (not in rtp_sent)
  std::uint64_t monitor_dropped = 0;  // packets their phones sent, never passed on
  std::uint64_t refreshes = 0;        // session refresh re-INVITEs sent
};

class SipServer {
 public:
  // Binds the transports and starts the SIP thread. Unavailable if an address is taken.
  static Result<std::unique_ptr<SipServer>> start(SipOptions options, SipEvents& events);
  ~SipServer();  // stop()
  SipServer(const SipServer&) = delete;
  SipServer& operator=(const SipServer&) = delete;

  // Hangs up every leg (BYE/CANCEL/480), closes recordings and joins the SIP thread. No events
  // are delivered after it returns. Idempotent.
  void stop();

  std::uint16_t port() const;  // the bound SIP port (useful with port 0)
  // What SipOptions::udp_receive_buffer achieved on the SIP UDP socket (set at start).
  const ReceiveBufferReport& udp_receive_buffer() const;

  // Inbound legs: answer with 200 OK and our SDP answer, or refuse with a final response.
  void answer(LegId leg);
  void reject(LegId leg, std::uint16_t code, std::string reason);
  // Ends a leg in whatever state it is: BYE when established, CANCEL for an outbound INVITE in
  // progress, 480 for an unanswered inbound one. on_ended(kLocalHangup) follows.
  void hangup(LegId leg);
  // An outbound INVITE to `uri` (a registered contact); the id is valid at once.
  LegId dial(std::string uri, std::string from_user, std::string from_name);

  // Plays named prompts one after the other (looping: music on hold) to the leg, replacing
  // whatever played before. Unknown names are skipped.
  void play(LegId leg, std::vector<std::string> prompts, bool loop);
  // The same with prompts the caller resolved (a flow's recordings, synthesized text). With
  // `append`, they play after what is playing now (music on hold gives way at once); a looping
  // list appended (music) starts to loop once the prompts before it are over.
  void play_prompts(LegId leg, std::vector<std::shared_ptr<const media::Prompt>> prompts, bool loop,
                    bool append);
  void stop_playback(LegId leg);
  // Hangs the leg up once what it plays now has been played (at once when nothing plays).
  void hangup_after_playback(LegId leg);
  // Relays RTP between two answered legs, transcoding µ-law/A-law if they differ. With a
  // non-empty path the conversation is recorded there (stereo WAV, `caller` left, `agent` right).
  void bridge(LegId caller, LegId agent, std::string recording_path);
  // Breaks the bridge of `leg` (closing its recording) without hanging up either side.
  void unbridge(LegId leg);
  // Listen-only monitoring: the answered leg `listener` (a supervisor's phone) hears both
  // directions of `target` mixed (what target's phone sends and what it is sent: the caller and
  // the agent, or the music); whatever the listener sends is dropped, never relayed or recorded.
  // The listener is hung up when `target` ends (at once if it is gone already).
  void listen(LegId listener, LegId target);
  // Pauses or resumes the recording of the bridge `leg` belongs to (silence while paused).
  void set_recording_paused(LegId leg, bool paused);
  // The outcome of the REFER accepted on `leg`: the final NOTIFY (message/sipfrag "SIP/2.0
  // <code> <reason>", subscription terminated). Nothing when no REFER is pending there.
  void refer_result(LegId leg, std::uint16_t code, std::string reason);

  // The registered contact of `user` (registrations expire).
  std::optional<std::string> registered_contact(const std::string& user) const;
  SipStats stats() const;

  struct Impl;

 private:
  explicit SipServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// hex(MD5(user:realm:password)): what a SIP phone's digest authentication is checked against.
std::string digest_ha1(std::string_view user, std::string_view realm, std::string_view password);

}  // namespace sb::sip
