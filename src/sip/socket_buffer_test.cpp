// Receive buffers of UDP sockets: finding a socket by its bound address, and what a requested
// size becomes under Linux's rules (doubled; capped at net.core.rmem_max unless forced).

#include "sip/socket_buffer.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>

namespace sb::sip {
namespace {

long sysctl(const char* name) {
  std::ifstream in(std::string("/proc/sys/net/core/") + name);
  long v = -1;
  in >> v;
  return v;
}

class Socket {
 public:
  explicit Socket(int type, std::uint16_t port = 0) {
    fd = ::socket(AF_INET, type, 0);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    ok = fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  }
  ~Socket() { ::close(fd); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  const sockaddr* sa() const { return reinterpret_cast<const sockaddr*>(&addr); }
  int fd = -1;
  bool ok = false;
  sockaddr_in addr{};
};

// What SO_RCVBUF reads back after asking for `bytes` (Linux: twice the value, capped at
// rmem_max unless SO_RCVBUFFORCE was allowed).
std::uint32_t expected_effective(std::uint32_t bytes, bool forced) {
  const long max = sysctl("rmem_max");
  const long v = forced ? static_cast<long>(bytes) : std::min<long>(bytes, max);
  return static_cast<std::uint32_t>(2 * v);
}

TEST(FindBoundUdpSocket, FindsTheUdpSocketOfThatAddressOnly) {
  Socket a(SOCK_DGRAM);
  Socket b(SOCK_DGRAM);
  ASSERT_TRUE(a.ok && b.ok);
  // A TCP socket on the same port as `a` is not a UDP socket bound there.
  Socket t(SOCK_STREAM, ntohs(a.addr.sin_port));
  ASSERT_TRUE(t.ok);
  auto fa = find_bound_udp_socket(a.sa(), sizeof a.addr);
  ASSERT_TRUE(fa.ok()) << fa.status().message();
  EXPECT_EQ(*fa, a.fd);
  auto fb = find_bound_udp_socket(b.sa(), sizeof b.addr);
  ASSERT_TRUE(fb.ok()) << fb.status().message();
  EXPECT_EQ(*fb, b.fd);

  sockaddr_in other = a.addr;
  other.sin_addr.s_addr = htonl(0x7f000002);  // 127.0.0.2: same port, another address
  EXPECT_EQ(find_bound_udp_socket(reinterpret_cast<const sockaddr*>(&other), sizeof other)
                .status()
                .code(),
            StatusCode::kNotFound);
}

TEST(SetReceiveBuffer, AppliesAndReportsWhatTheKernelGranted) {
  Socket s(SOCK_DGRAM);
  ASSERT_TRUE(s.ok);
  const std::uint32_t ask = 3u << 20;
  const ReceiveBufferReport r = set_receive_buffer(s.fd, ask);
  EXPECT_EQ(r.requested, ask);
  EXPECT_EQ(r.effective, expected_effective(ask, r.forced));
  int now = 0;
  socklen_t len = sizeof now;
  ASSERT_EQ(getsockopt(s.fd, SOL_SOCKET, SO_RCVBUF, &now, &len), 0);
  EXPECT_EQ(static_cast<std::uint32_t>(now), r.effective);
  // Less than asked is never silent.
  if (!r.forced && sysctl("rmem_max") < static_cast<long>(ask)) {
    EXPECT_NE(r.note.find("net.core.rmem_max"), std::string::npos) << r.note;
  } else {
    EXPECT_EQ(r.note, "");
  }
  EXPECT_NE(describe(r).find(std::to_string(r.effective)), std::string::npos) << describe(r);
}

TEST(SetReceiveBuffer, ZeroLeavesTheKernelDefault) {
  Socket s(SOCK_DGRAM);
  ASSERT_TRUE(s.ok);
  const ReceiveBufferReport r = set_receive_buffer(s.fd, 0);
  EXPECT_EQ(r.requested, 0u);
  EXPECT_FALSE(r.forced);
  EXPECT_EQ(static_cast<long>(r.effective), sysctl("rmem_default"));
  EXPECT_EQ(describe(r), "kernel default, " + std::to_string(r.effective) + " bytes");
}

}  // namespace
}  // namespace sb::sip
