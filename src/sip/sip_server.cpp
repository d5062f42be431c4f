#include "sip/sip_server.h"

#include <sys/resource.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <future>
#include <iostream>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "media/g711.h"
#include "media/media_poller.h"
#include "media/mixer.h"
#include "media/re_include.h"
#include "media/rtp_socket.h"
#include "media/telephone_event.h"
#include "media/wav.h"

namespace sb::sip {

std::string_view end_reason_name(EndReason r) {
  switch (r) {
    case EndReason::kRemoteHangup:
      return "remote_hangup";
    case EndReason::kLocalHangup:
      return "local_hangup";
    case EndReason::kRejected:
      return "rejected";
    case EndReason::kMediaTimeout:
      return "media_timeout";
    case EndReason::kError:
      return "error";
  }
  return "unknown";
}

std::string digest_ha1(std::string_view user, std::string_view realm, std::string_view password) {
  const std::string in = std::string(user) + ":" + std::string(realm) + ":" + std::string(password);
  std::uint8_t digest[16];
  md5(reinterpret_cast<const std::uint8_t*>(in.data()), in.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

namespace {

std::string pl_str(const pl& p) { return p.p != nullptr ? std::string(p.p, p.l) : std::string(); }

// RAII for libre's reference-counted objects: mem_deref on destruction.
template <typename T>
class ReRef {
 public:
  ReRef() = default;
  explicit ReRef(T* p) : p_(p) {}
  ~ReRef() { reset(); }
  ReRef(const ReRef&) = delete;
  ReRef& operator=(const ReRef&) = delete;
  ReRef(ReRef&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  ReRef& operator=(ReRef&& o) noexcept {
    if (this != &o) {
      reset();
      p_ = o.p_;
      o.p_ = nullptr;
    }
    return *this;
  }
  void reset() {
    if (p_ != nullptr) mem_deref(p_);
    p_ = nullptr;
  }
  T* get() const { return p_; }
  T** out() {
    reset();
    return &p_;
  }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  T* p_ = nullptr;
};

constexpr std::uint8_t kLocalTelevPt = 101;
constexpr std::uint64_t kTickMs = 20;
constexpr std::uint64_t kSweepMs = 1000;
// RTP packets handled per wake-up of libre's loop (see rtp_poller). 1,000 relayed calls receive
// about 100,000 packets a second: 16 per turn leaves room for about 6,000 SIP datagrams a second,
// four times what 200 new calls a second bring, for one more epoll_wait per 16 packets.
constexpr int kMediaBatch = 16;
constexpr std::uint64_t kNonceLifetimeMs = 5 * 60 * 1000;

}  // namespace

struct Leg final : media::RtpReceiver {
  SipServer::Impl* impl = nullptr;
  LegId id = kNoLeg;
  bool inbound = true;
  bool answered = false;  // 200 OK sent (inbound) or received (outbound)
  bool ended = false;
  bool held = false;  // the far end holds us
  ReRef<sipsess> sess;
  ReRef<sdp_session> sdp;
  sdp_media* sdp_m = nullptr;  // owned by sdp
  std::unique_ptr<media::RtpSocket> rtp;
  media::Codec codec = media::Codec::kPcmu;
  int remote_telev_pt = -1;
  media::DtmfReceiver dtmf;
  media::Player player;
  std::vector<std::shared_ptr<const media::Prompt>> then_loop;  // music after the prompts
  bool hangup_when_done = false;
  std::uint32_t tx_ts = 0;
  bool tx_marker = true;
  std::uint64_t last_rx = 0;       // jiffies of the last audio packet
  std::uint64_t refreshed_at = 0;  // jiffies of the answer or the last session refresh
  Leg* peer = nullptr;
  bool recording_left = false;
  std::shared_ptr<media::StereoRecorder> recorder;
  std::vector<std::int16_t> pcm;  // scratch for recording
  std::vector<std::uint8_t> scratch;
  bool refer_pending = false;    // a REFER was accepted (202); its final NOTIFY is still due
  std::vector<LegId> listeners;  // legs that monitor this one
  LegId listening_to = kNoLeg;   // this leg monitors that one (listen-only)
  std::unique_ptr<media::MonitorMix> mix;  // what it hears, when listening

  void on_rtp(const media::RtpPacket& p) override;
};

struct SipServer::Impl {
  SipOptions opt;
  SipEvents* events = nullptr;
  std::thread thread;
  std::atomic<bool> running{false};
  std::atomic<LegId> next_leg{1};
  std::uint16_t bound_port = 0;
  ReceiveBufferReport udp_buffer;  // written before start() returns, read-only afterwards

  // SIP-thread state.
  ReRef<::sip> stack;
  ReRef<sipsess_sock> sess_sock;
  ReRef<sip_lsnr> validator;
  ReRef<sip_lsnr> registrar;
  ReRef<sip_lsnr> options_lsnr;
  ReRef<mqueue> mq;
  // The 20 ms playout clock (prompts, music, monitoring mixes): a timerfd on libre's loop rather
  // than a libre timer, whose re-arming every tick walks libre's sorted timer list past every
  // later timer (a few per call: SIP transactions, RTCP), thousands at a few hundred calls.
  int tick_fd = -1;
  // Every leg's RTP socket, polled from libre's loop at most kMediaBatch packets per wake-up, so
  // a SIP datagram (libre reads one per wake-up) waits behind at most that many RTP packets
  // instead of one from every call (media_poller.h).
  std::unique_ptr<media::MediaPoller> rtp_poller;
  tmr sweep{};
  tmr reap{};
  std::unordered_map<LegId, std::unique_ptr<Leg>> legs;
  std::unordered_set<Leg*> playing;
  std::unordered_set<Leg*> listening;
  std::vector<std::unique_ptr<Leg>> graveyard;
  std::unordered_map<std::string, std::uint64_t> nonces;  // nonce -> expiry (jiffies)

  // Shared state (any thread).
  mutable std::mutex mu;
  struct Binding {
    std::string contact;
    std::uint64_t expires_at = 0;  // jiffies
  };
  std::unordered_map<std::string, Binding> bindings;
  std::atomic<std::uint64_t> calls_in{0}, calls_out{0}, n_legs{0}, n_bridges{0}, rtp_received{0},
      rtp_sent{0}, rtp_relayed{0}, dtmf_digits{0}, bad_requests{0}, recordings{0}, n_monitors{0},
      monitor_sent{0}, monitor_dropped{0}, refreshes{0};

  using Task = std::function<void()>;
  void post(Task t) {
    if (!running.load()) return;
    auto* heap = new Task(std::move(t));
    if (mq.get() == nullptr || mqueue_push(mq.get(), 0, heap) != 0) delete heap;
  }
  static void mq_handler(int /*id*/, void* data, void* /*arg*/) {
    std::unique_ptr<Task> t(static_cast<Task*>(data));
    (*t)();
  }

  Leg* find(LegId id) {
    auto it = legs.find(id);
    return it == legs.end() || it->second->ended ? nullptr : it->second.get();
  }

  // --- Media ---------------------------------------------------------------------------------

  Status setup_media(Leg& leg) {
    auto rtp =
        media::RtpSocket::open(opt.host, opt.rtp_min_port, opt.rtp_max_port, leg, rtp_poller.get());
    if (!rtp.ok()) return rtp.status();
    leg.rtp = std::move(*rtp);
    sa laddr{};
    sa_set_str(&laddr, opt.host.c_str(), 0);
    if (sdp_session_alloc(leg.sdp.out(), &laddr) != 0)
      return Status::resource_exhausted("out of memory for SDP");
    if (sdp_media_add(&leg.sdp_m, leg.sdp.get(), "audio", leg.rtp->local_port(), "RTP/AVP") != 0)
      return Status::resource_exhausted("out of memory for SDP");
    int err = sdp_format_add(nullptr, leg.sdp_m, false, "0", "PCMU", 8000, 1, nullptr, nullptr,
                             nullptr, false, nullptr);
    err |= sdp_format_add(nullptr, leg.sdp_m, false, "8", "PCMA", 8000, 1, nullptr, nullptr,
                          nullptr, false, nullptr);
    err |= sdp_format_add(nullptr, leg.sdp_m, false, "101", "telephone-event", 8000, 1, nullptr,
                          nullptr, nullptr, false, "0-15");
    if (err != 0) return Status::resource_exhausted("out of memory for SDP");
    return Status::ok_status();
  }

  // After an SDP offer or answer from the far end: codec, telephone-event type, address, hold.
  Status apply_remote_sdp(Leg& leg) {
    // The far end's preferred G.711 law (the first supported format may be telephone-event).
    const sdp_format* fmt = sdp_media_rformat(leg.sdp_m, nullptr);
    if (fmt != nullptr && fmt->pt != 0 && fmt->pt != 8) {
      fmt = sdp_media_rformat(leg.sdp_m, "PCMU");
      if (fmt == nullptr) fmt = sdp_media_rformat(leg.sdp_m, "PCMA");
    }
    const sa* raddr = sdp_media_raddr(leg.sdp_m);
    const sdp_dir rdir = sdp_media_rdir(leg.sdp_m);
    const bool hold =
        rdir == SDP_SENDONLY || rdir == SDP_INACTIVE || raddr == nullptr || sa_is_any(raddr);
    if (fmt == nullptr && !hold) return Status::invalid_argument("no common codec (PCMU/PCMA)");
    if (fmt != nullptr) leg.codec = fmt->pt == 8 ? media::Codec::kPcma : media::Codec::kPcmu;
    const sdp_format* tel = sdp_media_rformat(leg.sdp_m, "telephone-event");
    leg.remote_telev_pt = tel != nullptr ? tel->pt : -1;
    if (raddr != nullptr && !sa_is_any(raddr)) {
      char host[64] = {0};
      sa_ntop(raddr, host, sizeof(host));
      SB_RETURN_IF_ERROR(leg.rtp->set_remote(host, sa_port(raddr)));
    }
    if (hold != leg.held) {
      leg.held = hold;
      if (leg.answered) events->on_hold(leg.id, hold);
    }
    return Status::ok_status();
  }

  void media_started(Leg& leg) {
    leg.last_rx = tmr_jiffies();
    leg.refreshed_at = leg.last_rx;
    leg.rtp->start_rtcp("switchboard@" + opt.host);
  }

  void on_rtp(Leg& leg, const media::RtpPacket& p) {
    rtp_received.fetch_add(1, std::memory_order_relaxed);
    if (leg.ended) return;
    if (leg.listening_to != kNoLeg) {
      // A supervisor's phone: listen only, whatever it sends goes nowhere.
      leg.last_rx = tmr_jiffies();
      monitor_dropped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    if (p.pt == leg.remote_telev_pt || p.pt == kLocalTelevPt) {
      leg.last_rx = tmr_jiffies();
      if (auto d = leg.dtmf.on_packet(p.ts, p.payload)) {
        dtmf_digits.fetch_add(1, std::memory_order_relaxed);
        events->on_dtmf(leg.id, *d);
      }
      return;
    }
    if (p.pt != 0 && p.pt != 8) return;  // comfort noise and anything unnegotiated
    leg.last_rx = tmr_jiffies();
    const auto in_codec = p.pt == 8 ? media::Codec::kPcma : media::Codec::kPcmu;
    if (!leg.listeners.empty())
      feed_listeners(leg, media::MonitorMix::kSpoken, in_codec, p.payload);
    if (leg.recorder) {
      leg.pcm.resize(p.payload.size());
      media::decode(in_codec, p.payload, leg.pcm.data());
      if (leg.recording_left) {
        leg.recorder->push_left(leg.pcm);
      } else {
        leg.recorder->push_right(leg.pcm);
      }
    }
    Leg* peer = leg.peer;
    if (peer == nullptr || peer->ended || !peer->rtp) return;
    std::span<const std::uint8_t> out = p.payload;
    if (in_codec != peer->codec) {
      leg.scratch.assign(p.payload.begin(), p.payload.end());
      media::transcode(in_codec, peer->codec, leg.scratch);
      out = leg.scratch;
    }
    send_audio(*peer, out);
    rtp_relayed.fetch_add(1, std::memory_order_relaxed);
  }

  void send_audio(Leg& leg, std::span<const std::uint8_t> payload) {
    if (!leg.listeners.empty()) feed_listeners(leg, media::MonitorMix::kHeard, leg.codec, payload);
    send_rtp(leg, payload);
    rtp_sent.fetch_add(1, std::memory_order_relaxed);
  }

  void send_rtp(Leg& leg, std::span<const std::uint8_t> payload) {
    leg.rtp->send(static_cast<std::uint8_t>(leg.codec), leg.tx_marker, leg.tx_ts, payload);
    leg.tx_marker = false;
    leg.tx_ts += static_cast<std::uint32_t>(payload.size());
  }

  void feed_listeners(Leg& leg, media::MonitorMix::Side side, media::Codec codec,
                      std::span<const std::uint8_t> payload) {
    for (LegId id : leg.listeners)
      if (Leg* l = find(id); l != nullptr && l->mix) l->mix->push(side, codec, payload);
  }

  static void tick_handler(int /*flags*/, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    std::uint64_t expirations = 0;
    if (read(self->tick_fd, &expirations, sizeof(expirations)) != sizeof(expirations)) return;
    // Catch up (at most 5 frames) when the loop was late, so prompts keep real time.
    self->on_tick(static_cast<int>(std::min<std::uint64_t>(expirations, 5)));
  }
  void on_tick(int frames) {
    std::uint8_t frame[media::kFrameSamples];
    std::vector<Leg*> done;
    for (Leg* leg : playing) {
      for (int i = 0; i < frames; ++i) {
        if (!leg->player.next_frame(leg->codec, frame)) {
          done.push_back(leg);
          break;
        }
        send_audio(*leg, frame);
      }
    }
    for (Leg* leg : listening) {
      if (!leg->rtp) continue;
      for (int i = 0; i < frames; ++i) {
        leg->mix->next_frame(leg->codec, frame);
        send_rtp(*leg, frame);
        monitor_sent.fetch_add(1, std::memory_order_relaxed);
      }
    }
    for (Leg* leg : done) {
      if (leg->hangup_when_done) {
        end_leg(leg->id, EndReason::kLocalHangup, 0, true);
        continue;
      }
      if (!leg->then_loop.empty()) {
        leg->player.start(std::move(leg->then_loop), true);
        leg->then_loop.clear();
        if (leg->player.active()) continue;
      }
      playing.erase(leg);
      events->on_playback_done(leg->id);
    }
  }

  static void sweep_handler(void* arg) { static_cast<Impl*>(arg)->on_sweep(); }
  void on_sweep() {
    const std::uint64_t now = tmr_jiffies();
    if (opt.rtp_timeout_ms > 0) {
      std::vector<LegId> dead;
      for (auto& [id, leg] : legs) {
        if (leg->ended || !leg->answered || leg->held) continue;
        if (now - leg->last_rx >= opt.rtp_timeout_ms) dead.push_back(id);
      }
      for (LegId id : dead) end_leg(id, EndReason::kMediaTimeout, 0, true);
    }
    if (opt.session_refresh_ms > 0) {
      for (auto& [id, leg] : legs)
        if (!leg->ended && leg->answered && now - leg->refreshed_at >= opt.session_refresh_ms)
          refresh_session(*leg, now);
    }
    for (auto it = nonces.begin(); it != nonces.end();) {
      it = it->second <= now ? nonces.erase(it) : std::next(it);
    }
    {
      std::lock_guard lock(mu);
      for (auto it = bindings.begin(); it != bindings.end();) {
        if (it->second.expires_at <= now) {
          Registration r{it->first, it->second.contact, 0};
          it = bindings.erase(it);
          events->on_registration(r);
        } else {
          ++it;
        }
      }
    }
    tmr_start(&sweep, kSweepMs, &Impl::sweep_handler, this);
  }

  // A re-INVITE with the leg's current SDP. A far end that no longer knows the dialog answers
  // 481, or nothing (408): libre then terminates the session and close_handler ends the leg like
  // a hang-up; any other failure leaves the call as it is.
  void refresh_session(Leg& leg, std::uint64_t now) {
    leg.refreshed_at = now;
    if (!leg.sess) return;
    mbuf* offer = nullptr;
    if (sdp_encode(&offer, leg.sdp.get(), true) != 0) return;
    const int err = sipsess_modify(leg.sess.get(), offer);
    mem_deref(offer);
    if (err == 0) refreshes.fetch_add(1, std::memory_order_relaxed);
  }

  static void reap_handler(void* arg) { static_cast<Impl*>(arg)->graveyard.clear(); }

  void break_bridge(Leg& leg) {
    Leg* peer = leg.peer;
    if (leg.recorder) {
      Status s = leg.recorder->close();
      if (!s.ok()) std::cerr << "sip: " << s.message() << "\n";
      recordings.fetch_sub(1);
    }
    leg.recorder.reset();
    leg.peer = nullptr;
    if (peer != nullptr) {
      peer->recorder.reset();
      peer->peer = nullptr;
      peer->tx_marker = true;
      n_bridges.fetch_sub(1);
    }
  }

  // Ends a leg: tears the dialog down if `signal` (BYE/CANCEL/480 happen in sipsess's
  // destructor or by reject), reports on_ended, and frees the leg after the current callback.
  void end_leg(LegId id, EndReason reason, int code, bool signal) {
    auto it = legs.find(id);
    if (it == legs.end() || it->second->ended) return;
    std::unique_ptr<Leg> leg = std::move(it->second);
    legs.erase(it);
    leg->ended = true;
    playing.erase(leg.get());
    break_bridge(*leg);
    if (leg->listening_to != kNoLeg) {
      if (auto t = legs.find(leg->listening_to); t != legs.end())
        std::erase(t->second->listeners, id);
      listening.erase(leg.get());
      n_monitors.fetch_sub(1);
    }
    const std::vector<LegId> listeners = std::move(leg->listeners);
    leg->listeners.clear();
    if (signal && leg->sess && leg->inbound && !leg->answered) {
      (void)sipsess_reject(leg->sess.get(), 480, "Temporarily Unavailable", nullptr);
    }
    // The session is dropped by the reaper, after the current libre callback: that sends BYE
    // (established) or CANCEL (outbound in progress); a session the far end closed just goes.
    leg->rtp.reset();
    n_legs.fetch_sub(1);
    graveyard.push_back(std::move(leg));
    tmr_start(&reap, 0, &Impl::reap_handler, this);
    events->on_ended(id, reason, code);
    // Monitoring ends with the call it listens to.
    for (LegId l : listeners) end_leg(l, EndReason::kLocalHangup, 0, true);
  }

  // --- SIP handlers --------------------------------------------------------------------------

  static bool validate_handler(const sip_msg* msg, void* arg) {
    return static_cast<Impl*>(arg)->validate(msg);
  }
  // Requests libre parsed but that lack what RFC 3261 requires get 400 here, before any other
  // handler sees them. Replies go through server transactions (sip_treply), so a retransmitted
  // request gets the same response again instead of being handled twice. (Bytes that do not even
  // parse as a SIP start line are dropped by libre: without a Via there is nowhere to send a
  // response.)
  bool validate(const sip_msg* msg) {
    if (msg->via.sentby.l == 0) {
      bad_requests.fetch_add(1);
      return true;
    }
    const char* problem = nullptr;
    if (msg->callid.l == 0) {
      problem = "Missing Call-ID";
    } else if (msg->from.auri.l == 0) {
      problem = "Missing From";
    } else if (msg->to.auri.l == 0) {
      problem = "Missing To";
    } else if (msg->cseq.met.l == 0) {
      problem = "Missing or Malformed CSeq";
    } else if (pl_cmp(&msg->cseq.met, &msg->met) != 0 &&
               !(pl_strcmp(&msg->met, "ACK") == 0 && pl_strcmp(&msg->cseq.met, "INVITE") == 0) &&
               !(pl_strcmp(&msg->met, "CANCEL") == 0 && pl_strcmp(&msg->cseq.met, "INVITE") == 0)) {
      problem = "CSeq Method Does Not Match";
    } else if (msg->maxfwd.l > 0 && (pl_u32(&msg->maxfwd) == 0 && msg->maxfwd.p[0] != '0')) {
      problem = "Malformed Max-Forwards";
    } else if (msg->clen.l > 0 && pl_u32(&msg->clen) != mbuf_get_left(msg->mb)) {
      problem = "Content-Length Mismatch";
    }
    if (problem == nullptr) return false;
    bad_requests.fetch_add(1);
    if (pl_strcmp(&msg->met, "ACK") != 0) (void)sip_treply(nullptr, stack.get(), msg, 400, problem);
    return true;
  }

  static bool options_handler(const sip_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    if (pl_strcmp(&msg->met, "OPTIONS") != 0) return false;
    (void)sip_treplyf(nullptr, nullptr, self->stack.get(), msg, false, 200, "OK",
                      "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, REGISTER\r\n"
                      "Accept: application/sdp\r\nContent-Length: 0\r\n\r\n");
    return true;
  }

  static bool register_handler(const sip_msg* msg, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    if (pl_strcmp(&msg->met, "REGISTER") != 0) return false;
    self->on_register(msg);
    return true;
  }

  void challenge(const sip_msg* msg, bool stale) {
    char nonce[33] = {0};
    rand_str(nonce, sizeof(nonce));
    nonces[nonce] = tmr_jiffies() + kNonceLifetimeMs;
    (void)sip_treplyf(nullptr, nullptr, stack.get(), msg, false, 401, "Unauthorized",
                      "WWW-Authenticate: Digest realm=\"%s\", nonce=\"%s\", algorithm=MD5, "
                      "qop=\"auth\"%s\r\nContent-Length: 0\r\n\r\n",
                      opt.realm.c_str(), nonce, stale ? ", stale=true" : "");
  }

  void on_register(const sip_msg* msg) {
    const std::string aor_user = pl_str(msg->to.uri.user);
    if (aor_user.empty()) {
      (void)sip_treply(nullptr, stack.get(), msg, 400, "Missing User in To");
      return;
    }
    const sip_hdr* auth = sip_msg_hdr(msg, SIP_HDR_AUTHORIZATION);
    if (auth == nullptr) {
      challenge(msg, false);
      return;
    }
    httpauth_digest_resp resp{};
    if (httpauth_digest_response_decode(&resp, &auth->val) != 0) {
      (void)sip_treply(nullptr, stack.get(), msg, 400, "Malformed Authorization");
      return;
    }
    const std::string user = pl_str(resp.username);
    auto nonce_it = nonces.find(pl_str(resp.nonce));
    if (nonce_it == nonces.end()) {
      challenge(msg, true);
      return;
    }
    if (user != aor_user || pl_strcmp(&resp.realm, opt.realm.c_str()) != 0 || !opt.credentials) {
      (void)sip_treply(nullptr, stack.get(), msg, 403, "Forbidden");
      return;
    }
    std::optional<std::string> ha1_hex = opt.credentials(user);
    std::uint8_t ha1[16];
    if (!ha1_hex || ha1_hex->size() != 32 || str_hex(ha1, sizeof(ha1), ha1_hex->c_str()) != 0 ||
        httpauth_digest_response_auth(&resp, &msg->met, ha1) != 0) {
      (void)sip_treply(nullptr, stack.get(), msg, 403, "Forbidden");
      return;
    }
    // Contact and expiry.
    std::uint32_t expires = 3600;
    if (msg->expires.l > 0) expires = pl_u32(&msg->expires);
    const sip_hdr* contact_hdr = sip_msg_hdr(msg, SIP_HDR_CONTACT);
    std::string contact;
    if (contact_hdr != nullptr) {
      if (pl_strcmp(&contact_hdr->val, "*") == 0) {
        expires = 0;
      } else {
        sip_addr addr{};
        if (sip_addr_decode(&addr, &contact_hdr->val) != 0) {
          (void)sip_treply(nullptr, stack.get(), msg, 400, "Malformed Contact");
          return;
        }
        contact = pl_str(addr.auri);
        pl value{};
        if (msg_param_decode(&addr.params, "expires", &value) == 0) expires = pl_u32(&value);
      }
    }
    expires = std::min(expires, opt.max_register_expires_s);
    Registration reg{user, contact, expires};
    {
      std::lock_guard lock(mu);
      if (expires == 0 || contact.empty()) {
        auto it = bindings.find(user);
        if (it != bindings.end()) {
          reg.contact = it->second.contact;
          bindings.erase(it);
        }
        reg.expires_s = 0;
      } else {
        bindings[user] = {contact, tmr_jiffies() + std::uint64_t{expires} * 1000};
      }
    }
    if (reg.expires_s == 0) {
      (void)sip_treplyf(nullptr, nullptr, stack.get(), msg, false, 200, "OK",
                        "Content-Length: 0\r\n\r\n");
    } else {
      (void)sip_treplyf(nullptr, nullptr, stack.get(), msg, false, 200, "OK",
                        "Contact: <%s>;expires=%u\r\nContent-Length: 0\r\n\r\n", contact.c_str(),
                        expires);
    }
    if (!reg.contact.empty()) events->on_registration(reg);
  }

  static void conn_handler(const sip_msg* msg, void* arg) {
    static_cast<Impl*>(arg)->on_invite(msg);
  }

  void on_invite(const sip_msg* msg) {
    if (mbuf_get_left(msg->mb) == 0) {
      (void)sip_treply(nullptr, stack.get(), msg, 488, "SDP Offer Required");
      return;
    }
    if (!msg_ctype_cmp(&msg->ctyp, "application", "sdp")) {
      (void)sip_treply(nullptr, stack.get(), msg, 415, "Unsupported Media Type");
      return;
    }
    auto leg = std::make_unique<Leg>();
    leg->impl = this;
    leg->id = next_leg.fetch_add(1);
    leg->inbound = true;
    if (Status s = setup_media(*leg); !s.ok()) {
      (void)sip_treply(nullptr, stack.get(), msg, 503, "Media Resources Exhausted");
      return;
    }
    if (sdp_decode(leg->sdp.get(), msg->mb, true) != 0) {
      (void)sip_treply(nullptr, stack.get(), msg, 400, "Malformed SDP");
      return;
    }
    if (Status s = apply_remote_sdp(*leg); !s.ok()) {
      (void)sip_treply(nullptr, stack.get(), msg, 488, "Not Acceptable Here");
      return;
    }
    const int err = sipsess_accept(
        leg->sess.out(), sess_sock.get(), msg, 180, "Ringing", "switchboard", "application/sdp",
        nullptr, nullptr, nullptr, false, &Impl::offer_handler, &Impl::answer_handler,
        &Impl::estab_handler, &Impl::info_handler, &Impl::refer_handler, &Impl::close_handler,
        leg.get(), "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER\r\n");
    if (err != 0) {
      (void)sip_treply(nullptr, stack.get(), msg, 500, "Server Internal Error");
      return;
    }
    IncomingCall call;
    call.leg = leg->id;
    call.did = pl_str(msg->uri.user);
    call.from_user = pl_str(msg->from.uri.user);
    call.from_name = pl_str(msg->from.dname);
    call.call_id = pl_str(msg->callid);
    call.transport = sip_transp_name(msg->tp);
    {
      char src[64] = {0};
      sa_ntop(&msg->src, src, sizeof(src));
      call.source = std::string(src) + ":" + std::to_string(sa_port(&msg->src));
    }
    legs.emplace(leg->id, std::move(leg));
    n_legs.fetch_add(1);
    calls_in.fetch_add(1);
    events->on_incoming_call(call);
  }

  static int offer_handler(mbuf** descp, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    Impl* self = leg->impl;
    int err = sdp_decode(leg->sdp.get(), msg->mb, true);
    if (err != 0) return err;
    if (!self->apply_remote_sdp(*leg).ok()) return EPROTO;
    return sdp_encode(descp, leg->sdp.get(), false);
  }

  static int answer_handler(const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    int err = sdp_decode(leg->sdp.get(), msg->mb, false);
    if (err != 0) return err;
    return leg->impl->apply_remote_sdp(*leg).ok() ? 0 : EPROTO;
  }

  static void progress_handler(const sip_msg* /*msg*/, void* /*arg*/) {}

  static void estab_handler(const sip_msg* /*msg*/, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    if (leg->inbound || leg->answered || leg->ended) return;
    leg->answered = true;
    leg->impl->media_started(*leg);
    leg->impl->events->on_answered(leg->id);
  }

  static void info_handler(::sip* s, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    const std::string body(reinterpret_cast<const char*>(mbuf_buf(msg->mb)),
                           mbuf_get_left(msg->mb));
    char digit = '\0';
    if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay")) {
      const auto pos = body.find("Signal=");
      if (pos != std::string::npos) {
        std::size_t i = pos + 7;
        while (i < body.size() && body[i] == ' ') ++i;
        if (i < body.size()) digit = body[i];
      }
    } else if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf")) {
      if (!body.empty()) digit = body[0];
    } else {
      (void)sip_treply(nullptr, s, msg, 415, "Unsupported Media Type");
      return;
    }
    if (std::strchr("0123456789*#ABCD", digit) == nullptr || digit == '\0') {
      (void)sip_treply(nullptr, s, msg, 400, "Bad DTMF Signal");
      return;
    }
    (void)sip_treply(nullptr, s, msg, 200, "OK");
    leg->impl->dtmf_digits.fetch_add(1);
    leg->impl->events->on_dtmf(leg->id, digit);
  }

  static bool collect_header(const sip_hdr* hdr, const sip_msg* /*msg*/, void* arg) {
    static_cast<std::vector<std::string>*>(arg)->push_back(pl_str(hdr->val));
    return false;
  }

  static void refer_handler(::sip* /*s*/, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    leg->impl->on_refer(*leg, msg);
  }

  // RFC 3515 blind transfer: the Refer-To is checked here, the target by the events; an accepted
  // REFER gets 202 and NOTIFY "100 Trying" now, the final NOTIFY from refer_result().
  void on_refer(Leg& leg, const sip_msg* msg) {
    if (leg.ended || !leg.answered) {
      (void)sip_treply(nullptr, stack.get(), msg, 481, "Call/Transaction Does Not Exist");
      return;
    }
    std::vector<std::string> values;
    (void)sip_msg_hdr_apply(msg, true, SIP_HDR_REFER_TO, &Impl::collect_header, &values);
    const ReferTo to = parse_refer_to(values);
    if (to.code != 0) {
      (void)sip_treply(nullptr, stack.get(), msg, to.code, to.reason.c_str());
      return;
    }
    if (leg.refer_pending) {
      (void)sip_treply(nullptr, stack.get(), msg, 491, "Request Pending");
      return;
    }
    const ReferAnswer answer = events->on_refer({leg.id, to.user});
    if (answer.code != 202) {
      (void)sip_treply(nullptr, stack.get(), msg, answer.code, answer.reason.c_str());
      return;
    }
    leg.refer_pending = true;
    (void)sip_treplyf(nullptr, nullptr, stack.get(), msg, false, 202, "Accepted",
                      "Contact: <%s>\r\nContent-Length: 0\r\n\r\n", contact_uri().c_str());
    send_refer_notify(leg, 100, "Trying", false);
  }

  std::string contact_uri() const {
    return "sip:switchboard@" + opt.host + ":" + std::to_string(bound_port);
  }

  static void notify_response_handler(int /*err*/, const sip_msg* /*msg*/, void* /*arg*/) {}

  // A NOTIFY of the implicit "refer" subscription, carrying the transfer's progress as a sipfrag.
  void send_refer_notify(Leg& leg, std::uint16_t code, const std::string& reason, bool final) {
    sip_dialog* dlg = leg.sess ? sipsess_dialog(leg.sess.get()) : nullptr;
    if (dlg == nullptr) return;
    const std::string frag = "SIP/2.0 " + std::to_string(code) + " " + reason + "\r\n";
    const int err = sip_drequestf(
        nullptr, stack.get(), true, "NOTIFY", dlg, 0, nullptr, nullptr,
        &Impl::notify_response_handler, nullptr,
        "Contact: <%s>\r\nEvent: refer\r\nSubscription-State: %s\r\n"
        "Content-Type: message/sipfrag;version=2.0\r\nContent-Length: %zu\r\n\r\n%s",
        contact_uri().c_str(), final ? "terminated;reason=noresource" : "active;expires=60",
        frag.size(), frag.c_str());
    if (err != 0) std::cerr << "sip: NOTIFY failed: " << std::strerror(err) << "\n";
  }

  void do_refer_result(LegId id, std::uint16_t code, const std::string& reason) {
    Leg* leg = find(id);
    if (leg == nullptr || !leg->refer_pending) return;
    leg->refer_pending = false;
    send_refer_notify(*leg, code, reason, true);
  }

  static void close_handler(int err, const sip_msg* msg, void* arg) {
    auto* leg = static_cast<Leg*>(arg);
    EndReason reason = EndReason::kRemoteHangup;
    int code = 0;
    if (err == 0 && msg != nullptr && msg->scode >= 300) {
      reason = EndReason::kRejected;
      code = msg->scode;
    } else if (err != 0 && err != ECONNRESET) {
      reason = EndReason::kError;
    }
    leg->impl->end_leg(leg->id, reason, code, false);
  }

  // --- Operations (SIP thread) ---------------------------------------------------------------

  void do_answer(LegId id) {
    Leg* leg = find(id);
    if (leg == nullptr || !leg->inbound || leg->answered) return;
    mbuf* desc = nullptr;
    if (sdp_encode(&desc, leg->sdp.get(), false) != 0) {
      end_leg(id, EndReason::kError, 0, true);
      return;
    }
    const int err = sipsess_answer(leg->sess.get(), 200, "OK", desc, nullptr);
    mem_deref(desc);
    if (err != 0) {
      end_leg(id, EndReason::kError, 0, true);
      return;
    }
    leg->answered = true;
    media_started(*leg);
  }

  void do_reject(LegId id, std::uint16_t code, const std::string& reason) {
    Leg* leg = find(id);
    if (leg == nullptr) return;
    if (leg->inbound && !leg->answered) {
      (void)sipsess_reject(leg->sess.get(), code, reason.c_str(), nullptr);
      leg->answered = true;  // nothing more to send: dropping the session must not reject again
    }
    end_leg(id, EndReason::kLocalHangup, code, false);
  }

  void do_dial(LegId id, const std::string& uri, const std::string& from_user,
               const std::string& from_name) {
    auto leg = std::make_unique<Leg>();
    leg->impl = this;
    leg->id = id;
    leg->inbound = false;
    Status s = setup_media(*leg);
    mbuf* offer = nullptr;
    if (s.ok() && sdp_encode(&offer, leg->sdp.get(), true) != 0)
      s = Status::internal("SDP encoding failed");
    if (s.ok()) {
      const std::string from_uri =
          "sip:" + from_user + "@" + opt.host + ":" + std::to_string(bound_port);
      const int err = sipsess_connect(
          leg->sess.out(), sess_sock.get(), uri.c_str(), from_name.c_str(), from_uri.c_str(),
          "switchboard", nullptr, 0, "application/sdp", offer, nullptr, nullptr, false,
          &Impl::offer_handler, &Impl::answer_handler, &Impl::progress_handler,
          &Impl::estab_handler, &Impl::info_handler, &Impl::refer_handler, &Impl::close_handler,
          leg.get(), "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER\r\n");
      if (err != 0) s = Status::unavailable("INVITE to " + uri + " failed: " + std::strerror(err));
    }
    mem_deref(offer);
    legs.emplace(id, std::move(leg));
    n_legs.fetch_add(1);
    calls_out.fetch_add(1);
    if (!s.ok()) {
      std::cerr << "sip: " << s.message() << "\n";
      end_leg(id, EndReason::kError, 0, false);
    }
  }

  void do_play(LegId id, const std::vector<std::string>& names, bool loop) {
    Leg* leg = find(id);
    if (leg == nullptr) return;
    std::vector<std::shared_ptr<const media::Prompt>> list;
    if (opt.prompts)
      for (const auto& n : names)
        if (auto p = opt.prompts->find(n)) list.push_back(std::move(p));
    leg->then_loop.clear();
    leg->player.start(std::move(list), loop);
    leg->tx_marker = true;
    if (leg->player.active()) {
      playing.insert(leg);
    } else {
      playing.erase(leg);
      events->on_playback_done(id);
    }
  }

  void do_play_prompts(LegId id, std::vector<std::shared_ptr<const media::Prompt>> list, bool loop,
                       bool append) {
    Leg* leg = find(id);
    if (leg == nullptr) return;
    const bool was_active = leg->player.active();
    if (append && loop && was_active && !leg->player.looping()) {
      leg->then_loop = std::move(list);
      return;
    }
    leg->then_loop.clear();
    if (append && !loop) {
      leg->player.append(std::move(list));
    } else {
      leg->player.start(std::move(list), loop);
    }
    if (!append || !was_active) leg->tx_marker = true;
    if (leg->player.active()) {
      playing.insert(leg);
    } else {
      playing.erase(leg);
      events->on_playback_done(id);
    }
  }

  void do_bridge(LegId a, LegId b, const std::string& path) {
    Leg* caller = find(a);
    Leg* agent = find(b);
    if (caller == nullptr || agent == nullptr || caller == agent) return;
    break_bridge(*caller);
    break_bridge(*agent);
    for (Leg* l : {caller, agent}) {
      l->then_loop.clear();
      l->player.stop();
      playing.erase(l);
      l->tx_marker = true;
    }
    caller->peer = agent;
    agent->peer = caller;
    n_bridges.fetch_add(1);
    if (!path.empty()) {
      auto rec = media::StereoRecorder::create(path);
      if (!rec.ok()) {
        std::cerr << "sip: " << rec.status().message() << "\n";
        return;
      }
      std::shared_ptr<media::StereoRecorder> shared = std::move(*rec);
      caller->recorder = shared;
      caller->recording_left = true;
      agent->recorder = shared;
      agent->recording_left = false;
      recordings.fetch_add(1);
    }
  }

  void do_listen(LegId listener_id, LegId target_id) {
    Leg* listener = find(listener_id);
    if (listener == nullptr || listener->listening_to != kNoLeg) return;
    Leg* target = find(target_id);
    if (target == nullptr || target == listener || target->listening_to != kNoLeg) {
      end_leg(listener_id, EndReason::kLocalHangup, 0, true);
      return;
    }
    break_bridge(*listener);
    listener->then_loop.clear();
    listener->player.stop();
    playing.erase(listener);
    listener->tx_marker = true;
    listener->mix = std::make_unique<media::MonitorMix>();
    listener->listening_to = target_id;
    target->listeners.push_back(listener_id);
    listening.insert(listener);
    n_monitors.fetch_add(1);
  }

  void do_unbridge(LegId id) {
    if (Leg* leg = find(id)) break_bridge(*leg);
  }

  void do_pause(LegId id, bool paused) {
    Leg* leg = find(id);
    if (leg != nullptr && leg->recorder) leg->recorder->set_paused(paused);
  }

  // --- Thread --------------------------------------------------------------------------------

  Status init_on_thread() {
    rlimit rl{};
    int maxfds = 4096;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
      maxfds = static_cast<int>(std::min<rlim_t>(rl.rlim_cur, 1 << 16));
    if (fd_setsize(maxfds) != 0) return Status::resource_exhausted("libre: fd_setsize failed");
    if (sip_alloc(stack.out(), nullptr, 1024, 1024, 1024, opt.user_agent.c_str(), nullptr,
                  nullptr) != 0)
      return Status::resource_exhausted("libre: sip_alloc failed");
    sa laddr{};
    if (sa_set_str(&laddr, opt.host.c_str(), opt.port) != 0)
      return Status::invalid_argument("SIP listen address '" + opt.host + "' is not an IP address");
    if (opt.udp) {
      if (int err = sip_transp_add(stack.get(), SIP_TRANSP_UDP, &laddr); err != 0)
        return Status::unavailable("cannot listen for SIP on udp " + opt.host + ":" +
                                   std::to_string(opt.port) + ": " + std::strerror(err));
      sa bound{};
      if (sip_transp_laddr(stack.get(), &bound, SIP_TRANSP_UDP, nullptr) == 0) {
        bound_port = sa_port(&bound);
        sa_set_port(&laddr, bound_port);  // TCP on the same port as UDP
        // libre 1.1.0's sip_transp keeps its udp_sock to itself: find the socket by the
        // address it is bound to. Never fatal: the report says what happened.
        auto fd = find_bound_udp_socket(&bound.u.sa, bound.len);
        if (fd.ok()) {
          udp_buffer = set_receive_buffer(*fd, opt.udp_receive_buffer);
        } else {
          udp_buffer.requested = opt.udp_receive_buffer;
          udp_buffer.note = "SIP UDP socket not found: " + fd.status().message();
        }
      }
    }
    if (opt.tcp) {
      if (int err = sip_transp_add(stack.get(), SIP_TRANSP_TCP, &laddr); err != 0)
        return Status::unavailable("cannot listen for SIP on tcp " + opt.host + ":" +
                                   std::to_string(sa_port(&laddr)) + ": " + std::strerror(err));
      sa bound{};
      if (bound_port == 0 && sip_transp_laddr(stack.get(), &bound, SIP_TRANSP_TCP, nullptr) == 0)
        bound_port = sa_port(&bound);
    }
    if (!opt.udp && !opt.tcp) return Status::invalid_argument("SIP needs UDP or TCP enabled");
    // Listener order matters: the validator sees every request first.
    if (sip_listen(validator.out(), stack.get(), true, &Impl::validate_handler, this) != 0 ||
        sip_listen(registrar.out(), stack.get(), true, &Impl::register_handler, this) != 0 ||
        sip_listen(options_lsnr.out(), stack.get(), true, &Impl::options_handler, this) != 0 ||
        sipsess_listen(sess_sock.out(), stack.get(), 1024, &Impl::conn_handler, this) != 0 ||
        mqueue_alloc(mq.out(), &Impl::mq_handler, this) != 0)
      return Status::resource_exhausted("libre: listener setup failed");
    auto poller = media::MediaPoller::start(kMediaBatch);
    if (!poller.ok()) return poller.status();
    rtp_poller = std::move(*poller);
    tmr_init(&sweep);
    tmr_init(&reap);
    tick_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (tick_fd < 0)
      return Status::resource_exhausted(std::string("cannot create the media clock: ") +
                                        std::strerror(errno));
    itimerspec every{};
    every.it_interval.tv_nsec = static_cast<long>(kTickMs * 1000 * 1000);
    every.it_value = every.it_interval;
    if (timerfd_settime(tick_fd, 0, &every, nullptr) != 0 ||
        fd_listen(tick_fd, FD_READ, &Impl::tick_handler, this) != 0)
      return Status::resource_exhausted(std::string("cannot start the media clock: ") +
                                        std::strerror(errno));
    tmr_start(&sweep, kSweepMs, &Impl::sweep_handler, this);
    return Status::ok_status();
  }

  void shutdown_on_thread() {
    std::vector<LegId> ids;
    for (auto& [id, leg] : legs) ids.push_back(id);
    for (LegId id : ids) end_leg(id, EndReason::kLocalHangup, 0, true);
    if (tick_fd >= 0) {
      fd_close(tick_fd);
      close(tick_fd);
      tick_fd = -1;
    }
    tmr_cancel(&sweep);
    tmr_cancel(&reap);
    graveyard.clear();
    rtp_poller.reset();  // after every leg's RTP socket
    sess_sock.reset();
    validator.reset();
    registrar.reset();
    options_lsnr.reset();
    if (stack) sip_close(stack.get(), true);
    stack.reset();
    mq.reset();
  }

  void run(std::promise<Status>& started) {
    static std::once_flag once;
    std::call_once(once, [] { (void)libre_init(); });
    (void)re_thread_init();
    Status s = init_on_thread();
    if (!s.ok()) {
      shutdown_on_thread();
      re_thread_close();
      started.set_value(s);
      return;
    }
    running.store(true);
    started.set_value(Status::ok_status());
    (void)re_main(nullptr);
    running.store(false);
    shutdown_on_thread();
    re_thread_close();
  }
};

void Leg::on_rtp(const media::RtpPacket& p) { impl->on_rtp(*this, p); }

SipServer::SipServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Result<std::unique_ptr<SipServer>> SipServer::start(SipOptions options, SipEvents& events) {
  auto impl = std::make_unique<Impl>();
  impl->opt = std::move(options);
  impl->events = &events;
  std::promise<Status> started;
  auto future = started.get_future();
  Impl* raw = impl.get();
  impl->thread = std::thread([raw, &started] { raw->run(started); });
  Status s = future.get();
  if (!s.ok()) {
    impl->thread.join();
    return s;
  }
  return std::unique_ptr<SipServer>(new SipServer(std::move(impl)));
}

SipServer::~SipServer() { stop(); }

void SipServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->post([] { re_cancel(); });
  impl_->thread.join();
}

std::uint16_t SipServer::port() const { return impl_->bound_port; }
const ReceiveBufferReport& SipServer::udp_receive_buffer() const { return impl_->udp_buffer; }

void SipServer::answer(LegId leg) {
  impl_->post([i = impl_.get(), leg] { i->do_answer(leg); });
}
void SipServer::reject(LegId leg, std::uint16_t code, std::string reason) {
  impl_->post([i = impl_.get(), leg, code, r = std::move(reason)] { i->do_reject(leg, code, r); });
}
void SipServer::hangup(LegId leg) {
  impl_->post([i = impl_.get(), leg] { i->end_leg(leg, EndReason::kLocalHangup, 0, true); });
}
LegId SipServer::dial(std::string uri, std::string from_user, std::string from_name) {
  const LegId id = impl_->next_leg.fetch_add(1);
  impl_->post([i = impl_.get(), id, u = std::move(uri), f = std::move(from_user),
               n = std::move(from_name)] { i->do_dial(id, u, f, n); });
  return id;
}
void SipServer::play(LegId leg, std::vector<std::string> prompts, bool loop) {
  impl_->post([i = impl_.get(), leg, p = std::move(prompts), loop] { i->do_play(leg, p, loop); });
}
void SipServer::play_prompts(LegId leg, std::vector<std::shared_ptr<const media::Prompt>> prompts,
                             bool loop, bool append) {
  impl_->post([i = impl_.get(), leg, p = std::move(prompts), loop, append]() mutable {
    i->do_play_prompts(leg, std::move(p), loop, append);
  });
}
void SipServer::hangup_after_playback(LegId leg) {
  impl_->post([i = impl_.get(), leg] {
    Leg* l = i->find(leg);
    if (l == nullptr) return;
    if (!l->player.active() || l->player.looping()) {
      i->end_leg(leg, EndReason::kLocalHangup, 0, true);
    } else {
      l->hangup_when_done = true;
      l->then_loop.clear();
    }
  });
}
void SipServer::stop_playback(LegId leg) {
  impl_->post([i = impl_.get(), leg] {
    if (Leg* l = i->find(leg)) {
      l->then_loop.clear();
      l->player.stop();
      i->playing.erase(l);
    }
  });
}
void SipServer::bridge(LegId caller, LegId agent, std::string path) {
  impl_->post(
      [i = impl_.get(), caller, agent, p = std::move(path)] { i->do_bridge(caller, agent, p); });
}
void SipServer::unbridge(LegId leg) {
  impl_->post([i = impl_.get(), leg] { i->do_unbridge(leg); });
}
void SipServer::set_recording_paused(LegId leg, bool paused) {
  impl_->post([i = impl_.get(), leg, paused] { i->do_pause(leg, paused); });
}
void SipServer::listen(LegId listener, LegId target) {
  impl_->post([i = impl_.get(), listener, target] { i->do_listen(listener, target); });
}
void SipServer::refer_result(LegId leg, std::uint16_t code, std::string reason) {
  impl_->post(
      [i = impl_.get(), leg, code, r = std::move(reason)] { i->do_refer_result(leg, code, r); });
}

std::optional<std::string> SipServer::registered_contact(const std::string& user) const {
  std::lock_guard lock(impl_->mu);
  auto it = impl_->bindings.find(user);
  if (it == impl_->bindings.end()) return std::nullopt;
  return it->second.contact;
}

SipStats SipServer::stats() const {
  SipStats s;
  const Impl& i = *impl_;
  s.calls_in = i.calls_in.load();
  s.calls_out = i.calls_out.load();
  s.legs = i.n_legs.load();
  s.bridges = i.n_bridges.load();
  s.rtp_received = i.rtp_received.load();
  s.rtp_sent = i.rtp_sent.load();
  s.rtp_relayed = i.rtp_relayed.load();
  s.dtmf_digits = i.dtmf_digits.load();
  s.bad_requests = i.bad_requests.load();
  s.recordings = i.recordings.load();
  s.monitors = i.n_monitors.load();
  s.monitor_sent = i.monitor_sent.load();
  s.monitor_dropped = i.monitor_dropped.load();
  s.refreshes = i.refreshes.load();
  std::lock_guard lock(i.mu);
  s.registrations = i.bindings.size();
  return s;
}

}  // namespace sb::sip
