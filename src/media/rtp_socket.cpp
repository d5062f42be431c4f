#include "media/rtp_socket.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <cstring>

#include "media/media_poller.h"
#include "media/re_include.h"

// libre keeps an RTCP session's statistics (what its sender and receiver reports carry) up to
// date from rtp_send() and its own receive path. RtpSocket sends and receives RTP on the socket
// itself (see below), so it feeds the session with these three functions: exported by libre but
// declared in its private src/rtp/rtcp.h (signatures of libre 1.1.0).
extern "C" {
struct rtcp_sess* rtp_rtcp_sess(const struct rtp_sock* rs);
void rtcp_sess_tx_rtp(struct rtcp_sess* sess, uint32_t ts, size_t payload_size);
void rtcp_sess_rx_rtp(struct rtcp_sess* sess, uint16_t seq, uint32_t ts, uint32_t src,
                      size_t payload_size, const struct sa* peer);
}

namespace sb::media {

namespace {
constexpr std::uint32_t kRate = 8000;
constexpr std::size_t kHeaderSize = 12;
// The largest datagram kept whole (libre's default receive size; larger ones are truncated by
// the kernel and dropped here).
constexpr std::size_t kMaxDatagram = 8192;

// The RTP header (RFC 3550 5.1) as libre's rtp_hdr_decode reads it: version 2, CSRCs and a
// header extension skipped; the payload is the rest (padding included, as libre leaves it).
bool parse(const std::uint8_t* b, std::size_t n, RtpPacket& p) {
  if (n < kHeaderSize || (b[0] >> 6) != 2) return false;
  const std::size_t cc = b[0] & 0x0f;
  const bool ext = (b[0] & 0x10) != 0;
  p.marker = (b[1] & 0x80) != 0;
  p.pt = b[1] & 0x7f;
  p.seq = static_cast<std::uint16_t>((b[2] << 8) | b[3]);
  p.ts = (static_cast<std::uint32_t>(b[4]) << 24) | (static_cast<std::uint32_t>(b[5]) << 16) |
         (static_cast<std::uint32_t>(b[6]) << 8) | b[7];
  p.ssrc = (static_cast<std::uint32_t>(b[8]) << 24) | (static_cast<std::uint32_t>(b[9]) << 16) |
           (static_cast<std::uint32_t>(b[10]) << 8) | b[11];
  std::size_t pos = kHeaderSize + 4 * cc;
  if (pos > n) return false;
  if (ext) {
    if (n - pos < 4) return false;
    const std::size_t words = static_cast<std::size_t>((b[pos + 2] << 8) | b[pos + 3]);
    pos += 4;
    if (n - pos < 4 * words) return false;
    pos += 4 * words;
  }
  p.payload = {b + pos, n - pos};
  return true;
}
}  // namespace

// libre's rtp_sock binds the port pair and runs RTCP; RTP itself bypasses its udp_sock, whose
// receive path allocates (and then shrinks) an 8 KB buffer per datagram, and whose send path
// copies the payload into an mbuf. Here a datagram is read into a stack buffer, one per loop
// wake-up (libre polls level-triggered: more queued datagrams wake it again; recvmmsg() was
// measured slower, as it tries a second read that finds the queue empty almost every time), and
// goes out with one sendmsg() of header + payload.
struct RtpSocket::Impl {
  struct rtp_sock* sock = nullptr;
  rtcp_sess* rtcp = nullptr;
  int fd = -1;
  sa remote{};
  bool has_remote = false;
  std::uint16_t seq = 0;
  std::uint32_t ssrc = 0;
  RtpReceiver* receiver = nullptr;
  RtpSocket* owner = nullptr;
  MediaPoller* poller = nullptr;

  ~Impl() {
    if (poller != nullptr) poller->remove(fd);
    mem_deref(sock);  // closes both descriptors (and takes them off libre's loop)
  }

  static void read_handler(int /*flags*/, void* arg) { static_cast<Impl*>(arg)->read_ready(); }
  static void poll_handler(void* arg) { static_cast<Impl*>(arg)->read_ready(); }

  void read_ready() {
    std::uint8_t buf[kMaxDatagram];
    sa src{};
    src.len = sizeof(src.u);
    const ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC, &src.u.sa, &src.len);
    // EAGAIN (nothing after all) or an error: libre calls again when the socket is readable.
    if (n <= 0 || static_cast<std::size_t>(n) > sizeof(buf)) return;
    RtpPacket p;
    if (!parse(buf, static_cast<std::size_t>(n), p)) return;
    ++owner->stats_.received;
    if (rtcp != nullptr) rtcp_sess_rx_rtp(rtcp, p.seq, p.ts, p.ssrc, p.payload.size(), &src);
    receiver->on_rtp(p);  // may destroy this socket (a leg that ends): nothing may follow
  }

  static void rtcp_handler(const sa* /*src*/, rtcp_msg* /*msg*/, void* /*arg*/) {}
  static void unused_rtp_handler(const sa* /*src*/, const rtp_header* /*hdr*/, mbuf* /*mb*/,
                                 void* /*arg*/) {}
};

RtpSocket::RtpSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->owner = this; }
RtpSocket::~RtpSocket() = default;

Result<std::unique_ptr<RtpSocket>> RtpSocket::open(const std::string& host, std::uint16_t min_port,
                                                   std::uint16_t max_port, RtpReceiver& receiver,
                                                   MediaPoller* poller) {
  auto impl = std::make_unique<Impl>();
  impl->receiver = &receiver;
  sa ip{};
  if (sa_set_str(&ip, host.c_str(), 0) != 0)
    return Status::invalid_argument("RTP address '" + host + "' is not an IP address");
  Impl* raw = impl.get();
  int err = rtp_listen(&impl->sock, IPPROTO_UDP, &ip, min_port, max_port, true,
                       &Impl::unused_rtp_handler, &Impl::rtcp_handler, raw);
  if (err != 0)
    return Status::resource_exhausted("no free RTP port in " + std::to_string(min_port) + "-" +
                                      std::to_string(max_port) + " on " + host + ": " +
                                      std::strerror(err));
  impl->fd = udp_sock_fd(static_cast<udp_sock*>(rtp_sock(impl->sock)), sa_af(&ip));
  if (impl->fd < 0) return Status::internal("RTP socket on " + host + " has no descriptor");
  if (poller != nullptr) {
    // Off libre's loop, into the poller's set.
    fd_close(impl->fd);
    impl->poller = poller;
    if (Status s = poller->add(impl->fd, &Impl::poll_handler, raw); !s.ok()) return s;
  } else {
    // Same descriptor, our handler instead of libre's udp_sock one.
    err = fd_listen(impl->fd, FD_READ, &Impl::read_handler, raw);
    if (err != 0)
      return Status::resource_exhausted(std::string("cannot poll the RTP socket: ") +
                                        std::strerror(err));
  }
  impl->rtcp = rtp_rtcp_sess(impl->sock);
  impl->ssrc = rtp_sess_ssrc(impl->sock);
  impl->seq = rand_u16();
  return std::unique_ptr<RtpSocket>(new RtpSocket(std::move(impl)));
}

std::uint16_t RtpSocket::local_port() const { return sa_port(rtp_local(impl_->sock)); }

std::string RtpSocket::local_host() const {
  char buf[64] = {0};
  sa_ntop(rtp_local(impl_->sock), buf, sizeof(buf));
  return buf;
}

Status RtpSocket::set_remote(const std::string& host, std::uint16_t port) {
  sa a{};
  if (sa_set_str(&a, host.c_str(), port) != 0)
    return Status::invalid_argument("RTP peer '" + host + "' is not an IP address");
  impl_->remote = a;
  impl_->has_remote = port != 0 && !sa_is_any(&a);
  return Status::ok_status();
}

bool RtpSocket::has_remote() const { return impl_->has_remote; }

void RtpSocket::send(std::uint8_t pt, bool marker, std::uint32_t ts,
                     std::span<const std::uint8_t> payload) {
  if (!impl_->has_remote) return;
  Impl& s = *impl_;
  std::uint8_t h[kHeaderSize];
  h[0] = 0x80;  // version 2, no padding, no extension, no CSRC
  h[1] = static_cast<std::uint8_t>((marker ? 0x80 : 0) | (pt & 0x7f));
  const std::uint16_t seq = s.seq++;
  h[2] = static_cast<std::uint8_t>(seq >> 8);
  h[3] = static_cast<std::uint8_t>(seq);
  for (int i = 0; i < 4; ++i) {
    h[4 + i] = static_cast<std::uint8_t>(ts >> (24 - 8 * i));
    h[8 + i] = static_cast<std::uint8_t>(s.ssrc >> (24 - 8 * i));
  }
  if (s.rtcp != nullptr) rtcp_sess_tx_rtp(s.rtcp, ts, payload.size());
  iovec iov[2] = {{h, kHeaderSize}, {const_cast<std::uint8_t*>(payload.data()), payload.size()}};
  msghdr m{};
  m.msg_name = &s.remote.u;
  m.msg_namelen = s.remote.len;
  m.msg_iov = iov;
  m.msg_iovlen = 2;
  if (sendmsg(s.fd, &m, 0) < 0) {
    ++stats_.send_errors;
  } else {
    ++stats_.sent;
  }
}

Result<RtcpCounts> RtpSocket::rtcp_counts(std::uint32_t ssrc) const {
  struct rtcp_stats st {};
  if (rtcp_stats(impl_->sock, ssrc, &st) != 0)
    return Status::not_found("no RTP source " + std::to_string(ssrc) + " on this socket");
  RtcpCounts c;
  c.sent = st.tx.sent;
  c.received = st.rx.sent;
  c.lost = st.rx.lost;
  return c;
}

void RtpSocket::start_rtcp(const std::string& cname) {
  if (!impl_->has_remote) return;
  sa rtcp = impl_->remote;
  sa_set_port(&rtcp, static_cast<std::uint16_t>(sa_port(&impl_->remote) + 1));
  rtcp_set_srate(impl_->sock, kRate, kRate);
  rtcp_start(impl_->sock, cname.c_str(), &rtcp);
}

}  // namespace sb::media
