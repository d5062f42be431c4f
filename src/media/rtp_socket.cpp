#include "media/rtp_socket.h"

#include <cerrno>
#include <cstring>

#include "media/re_include.h"

namespace sb::media {

namespace {
constexpr std::uint32_t kRate = 8000;
}  // namespace

struct RtpSocket::Impl {
  struct rtp_sock* sock = nullptr;
  mbuf* out = nullptr;
  sa remote{};
  bool has_remote = false;
  RtpReceiver* receiver = nullptr;
  RtpSocket* owner = nullptr;

  ~Impl() {
    mem_deref(out);
    mem_deref(sock);
  }

  static void recv_handler(const sa* /*src*/, const rtp_header* hdr, mbuf* mb, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    ++self->owner->stats_.received;
    RtpPacket p;
    p.pt = hdr->pt;
    p.marker = hdr->m;
    p.seq = hdr->seq;
    p.ts = hdr->ts;
    p.ssrc = hdr->ssrc;
    p.payload = {mbuf_buf(mb), mbuf_get_left(mb)};
    self->receiver->on_rtp(p);
  }
  static void rtcp_handler(const sa* /*src*/, rtcp_msg* /*msg*/, void* /*arg*/) {}
};

RtpSocket::RtpSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->owner = this; }
RtpSocket::~RtpSocket() = default;

Result<std::unique_ptr<RtpSocket>> RtpSocket::open(const std::string& host, std::uint16_t min_port,
                                                   std::uint16_t max_port, RtpReceiver& receiver) {
  auto impl = std::make_unique<Impl>();
  impl->receiver = &receiver;
  sa ip{};
  if (sa_set_str(&ip, host.c_str(), 0) != 0)
    return Status::invalid_argument("RTP address '" + host + "' is not an IP address");
  impl->out = mbuf_alloc(RTP_HEADER_SIZE + 512);
  if (impl->out == nullptr) return Status::resource_exhausted("out of memory for an RTP buffer");
  Impl* raw = impl.get();
  const int err = rtp_listen(&impl->sock, IPPROTO_UDP, &ip, min_port, max_port, true,
                             &Impl::recv_handler, &Impl::rtcp_handler, raw);
  if (err != 0)
    return Status::resource_exhausted("no free RTP port in " + std::to_string(min_port) + "-" +
                                      std::to_string(max_port) + " on " + host + ": " +
                                      std::strerror(err));
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
  mbuf* mb = impl_->out;
  mb->pos = RTP_HEADER_SIZE;
  mb->end = RTP_HEADER_SIZE;
  if (mbuf_write_mem(mb, payload.data(), payload.size()) != 0) {
    ++stats_.send_errors;
    return;
  }
  mb->pos = RTP_HEADER_SIZE;
  if (rtp_send(impl_->sock, &impl_->remote, false, marker, pt, ts, mb) != 0) {
    ++stats_.send_errors;
  } else {
    ++stats_.sent;
  }
}

void RtpSocket::start_rtcp(const std::string& cname) {
  if (!impl_->has_remote) return;
  sa rtcp = impl_->remote;
  sa_set_port(&rtcp, static_cast<std::uint16_t>(sa_port(&impl_->remote) + 1));
  rtcp_set_srate(impl_->sock, kRate, kRate);
  rtcp_start(impl_->sock, cname.c_str(), &rtcp);
}

}  // namespace sb::media
