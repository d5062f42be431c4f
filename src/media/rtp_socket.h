#pragma once
// One RTP/RTCP socket pair (libre's rtp_sock) behind a small interface. Lives on the SIP/media
// thread (the thread that runs libre's loop): create, use and destroy it only there.

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "base/status.h"

namespace sb::media {

struct RtpPacket {
  std::uint8_t pt = 0;
  bool marker = false;
  std::uint16_t seq = 0;
  std::uint32_t ts = 0;
  std::uint32_t ssrc = 0;
  std::span<const std::uint8_t> payload;
};

class MediaPoller;

class RtpReceiver {
 public:
  virtual void on_rtp(const RtpPacket& packet) = 0;

 protected:
  ~RtpReceiver() = default;
};

// What a socket's RTCP session has counted (what its sender and receiver reports carry).
struct RtcpCounts {
  std::uint32_t sent = 0;      // RTP packets sent on this socket
  std::uint32_t received = 0;  // RTP packets received from the source (after its probation)
  int lost = 0;                // packets of that source missing from its sequence numbers
};

struct RtpSocketStats {
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;
};

class RtpSocket {
 public:
  // Binds RTP on an even port in [min_port, max_port] of `host` and RTCP on the next one.
  // RTP is read from libre's loop directly, or through `poller` (which must outlive the
  // socket) so that a burst of media cannot hold the other descriptors up (media_poller.h).
  static Result<std::unique_ptr<RtpSocket>> open(const std::string& host, std::uint16_t min_port,
                                                 std::uint16_t max_port, RtpReceiver& receiver,
                                                 MediaPoller* poller = nullptr);
  ~RtpSocket();
  RtpSocket(const RtpSocket&) = delete;
  RtpSocket& operator=(const RtpSocket&) = delete;

  std::uint16_t local_port() const;
  std::string local_host() const;
  // Where packets go (from the peer's SDP). InvalidArgument for an address that does not parse.
  Status set_remote(const std::string& host, std::uint16_t port);
  bool has_remote() const;
  // Sends one packet with this socket's SSRC and next sequence number.
  void send(std::uint8_t pt, bool marker, std::uint32_t ts, std::span<const std::uint8_t> payload);
  // Starts RTCP reports (sender/receiver reports every few seconds).
  void start_rtcp(const std::string& cname);

  const RtpSocketStats& stats() const { return stats_; }
  // The RTCP counts for the source `ssrc` this socket receives from; NotFound before its first
  // packet.
  Result<RtcpCounts> rtcp_counts(std::uint32_t ssrc) const;

 private:
  struct Impl;
  explicit RtpSocket(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  RtpSocketStats stats_;
  friend struct Impl;
};

}  // namespace sb::media
