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
// Lives on the thread that runs libre's loop: create, use and destroy it only there.

#include <memory>
#include <vector>

#include "base/status.h"

namespace sb::media {

class MediaPoller {
 public:
  using Handler = void (*)(void* arg);

  // A set polled from libre's loop of the calling thread, `batch` events per turn (>= 1).
  static Result<std::unique_ptr<MediaPoller>> start(int batch);
  ~MediaPoller();
  MediaPoller(const MediaPoller&) = delete;
  MediaPoller& operator=(const MediaPoller&) = delete;

  // Calls `handler(arg)` whenever `fd` is readable (one call per turn; the handler reads one
  // datagram). The descriptor must not be on libre's loop at the same time.
  Status add(int fd, Handler handler, void* arg);
  // Before `fd` is closed. Safe from inside a handler (also for another descriptor of the same
  // batch: its pending event is skipped).
  void remove(int fd);

  // Turns taken and events handled (tests, diagnostics).
  std::uint64_t turns() const { return turns_; }
  std::uint64_t events() const { return events_; }

 private:
  MediaPoller(int epfd, int batch);
  static void ready_handler(int flags, void* arg);
  void turn();

  struct Entry {
    Handler handler = nullptr;
    void* arg = nullptr;
  };
  int epfd_ = -1;
  int batch_ = 1;
  std::vector<Entry> entries_;  // by descriptor
  std::uint64_t turns_ = 0;
  std::uint64_t events_ = 0;
};

}  // namespace sb::media
