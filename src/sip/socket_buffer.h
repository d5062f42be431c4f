#pragma once
// Receive buffers of UDP sockets, for the SIP socket that libre keeps to itself.
//
// At a high call rate a burst of requests arrives while the SIP thread is busy (media, timers);
// the kernel queues them in the socket's receive buffer and drops what does not fit, and the
// peer's retransmissions then add to the load. Linux's default buffer (net.core.rmem_default,
// 208 KB here) overflowed at 200 calls per second (docs/performance.md, voice section).

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "base/status.h"

namespace sb::sip {

// What a receive buffer request achieved, for the log and /api/v1/voice/stats.
struct ReceiveBufferReport {
  std::uint32_t requested = 0;  // bytes asked for; 0: the kernel default was left alone
  // SO_RCVBUF read back: what the kernel accounts against (Linux doubles the value set, for
  // its bookkeeping overhead). 0 when the socket was not found.
  std::uint32_t effective = 0;
  bool forced = false;  // set with SO_RCVBUFFORCE (CAP_NET_ADMIN), past net.core.rmem_max
  std::string note;     // empty, or why less than asked for was applied
};

// Sets the receive buffer of `fd` to `bytes`: SO_RCVBUFFORCE first (ignores net.core.rmem_max
// but needs CAP_NET_ADMIN), else SO_RCVBUF (capped at rmem_max). Never fails: the report says
// what the socket has now. `bytes` 0 only reads the current size.
ReceiveBufferReport set_receive_buffer(int fd, std::uint32_t bytes);

// The descriptor of this process's UDP socket bound to exactly `addr` (found through
// /proc/self/fd). NotFound when there is none, FailedPrecondition when several match.
Result<int> find_bound_udp_socket(const sockaddr* addr, socklen_t len);

// One line for the server's log: "4194304 bytes asked, 8388608 in effect (SO_RCVBUFFORCE)".
std::string describe(const ReceiveBufferReport& r);

}  // namespace sb::sip
