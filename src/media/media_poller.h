#pragma once
// The RTP sockets' own epoll set, polled from libre's loop a bounded batch at a time.
//
// libre's loop (re_main) waits on one epoll set with room for every descriptor and then calls
// each ready descriptor's handler once per wake-up; libre's UDP handler reads ONE datagram. With
// every RTP socket in that set, a wake-up at a thousand calls handled hundreds of RTP packets
// and then one SIP datagram: at 200 new calls per second SIP requests queued behind the media
// until the SIP socket's buffer overflowed (docs/performance.md, voice section). Here the RTP
// sockets sit in a set of their own, which libre's loop sees as one descriptor; each time it is
// ready at most `batch` RTP packets are handled, so the SIP socket (and libre's timers, checked
// after every wake-up) gets a turn at least every `batch` packets. Level-triggered: what is left
// makes the set ready again at the next wake-up.
//
// With a drain interval (the default in SipServer), the set is not on libre's loop at all: a
// periodic timer is, and each tick drains what the sockets hold, `batch` events per epoll_wait.
// Ready-driven polling woke libre's loop for a packet or two at a time (each wake-up costs an
// epoll_wait, libre's timer check and a pass over its descriptor list); at 20 ms packetisation a
// 5 ms tick finds about a quarter of the calls with one packet each, handled in one go, for a
// relay delay of at most the interval. A tick handles at most kMaxEventsPerTick events, so SIP and
// timers still get their turn under any load; what is left waits for the next tick.
//
// Lives on the thread that runs libre's loop: create, use and destroy it only there.

#include <cstdint>
#include <memory>
#include <vector>

#include "base/status.h"

namespace sb::media {

class MediaPoller {
 public:
  using Handler = void (*)(void* arg);

  // A set polled from libre's loop of the calling thread, `batch` events per turn (1..256).
  // drain_interval_ms 0: a turn whenever a socket is ready; 1..1000: every that many ms, turns
  // until the sockets are empty (or kMaxEventsPerTick).
  static Result<std::unique_ptr<MediaPoller>> start(int batch, int drain_interval_ms = 0);
  static constexpr std::uint64_t kMaxEventsPerTick = 8192;
  ~MediaPoller();
  MediaPoller(const MediaPoller&) = delete;
  MediaPoller& operator=(const MediaPoller&) = delete;

  // Calls `handler(arg)` whenever `fd` is readable (one call per turn; the handler reads one
  // datagram). The descriptor must not be on libre's loop at the same time.
  Status add(int fd, Handler handler, void* arg);
  // Before `fd` is closed. Safe from inside a handler (also for another descriptor of the same
  // batch: its pending event is skipped).
  void remove(int fd);

  // Turns taken, events handled and drain ticks (tests, diagnostics).
  std::uint64_t turns() const { return turns_; }
  std::uint64_t events() const { return events_; }
  std::uint64_t ticks() const { return ticks_; }

 private:
  MediaPoller(int epfd, int batch);
  static void ready_handler(int flags, void* arg);
  static void tick_handler(int flags, void* arg);
  // The number of events reported ready (0: nothing was).
  int turn();
  void drain();

  struct Entry {
    Handler handler = nullptr;
    void* arg = nullptr;
  };
  int epfd_ = -1;
  int timer_fd_ = -1;  // drain mode only
  int batch_ = 1;
  std::vector<Entry> entries_;  // by descriptor
  std::uint64_t turns_ = 0;
  std::uint64_t events_ = 0;
  std::uint64_t ticks_ = 0;
};

}  // namespace sb::media
