#include "media/media_poller.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "media/re_include.h"

namespace sb::media {
namespace {
constexpr int kMaxBatch = 256;
}

MediaPoller::MediaPoller(int epfd, int batch) : epfd_(epfd), batch_(batch) {}

Result<std::unique_ptr<MediaPoller>> MediaPoller::start(int batch) {
  if (batch < 1 || batch > kMaxBatch)
    return Status::invalid_argument("media poll batch must be 1.." + std::to_string(kMaxBatch));
  const int epfd = epoll_create1(EPOLL_CLOEXEC);
  if (epfd < 0)
    return Status::resource_exhausted(std::string("cannot create the RTP poll set: ") +
                                      std::strerror(errno));
  std::unique_ptr<MediaPoller> p(new MediaPoller(epfd, batch));
  if (int err = fd_listen(epfd, FD_READ, &MediaPoller::ready_handler, p.get()); err != 0)
    return Status::resource_exhausted(std::string("cannot poll the RTP poll set: ") +
                                      std::strerror(err));
  return p;
}

MediaPoller::~MediaPoller() {
  fd_close(epfd_);
  close(epfd_);
}

Status MediaPoller::add(int fd, Handler handler, void* arg) {
  if (fd < 0) return Status::invalid_argument("bad descriptor");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    return Status::resource_exhausted(std::string("cannot poll an RTP socket: ") +
                                      std::strerror(errno));
  if (static_cast<std::size_t>(fd) >= entries_.size())
    entries_.resize(static_cast<std::size_t>(fd) + 1);
  entries_[static_cast<std::size_t>(fd)] = {handler, arg};
  return Status::ok_status();
}

void MediaPoller::remove(int fd) {
  if (fd < 0 || static_cast<std::size_t>(fd) >= entries_.size()) return;
  entries_[static_cast<std::size_t>(fd)] = {};
  epoll_event ev{};
  (void)epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, &ev);
}

void MediaPoller::ready_handler(int /*flags*/, void* arg) {
  static_cast<MediaPoller*>(arg)->turn();
}

void MediaPoller::turn() {
  epoll_event evs[kMaxBatch];
  const int n = epoll_wait(epfd_, evs, batch_, 0);
  if (n <= 0) return;
  ++turns_;
  for (int i = 0; i < n; ++i) {
    const auto fd = static_cast<std::size_t>(evs[i].data.fd);
    // Looked up per event: an earlier handler of this batch may have removed it (a leg ended).
    if (fd >= entries_.size() || entries_[fd].handler == nullptr) continue;
    ++events_;
    const Entry e = entries_[fd];
    e.handler(e.arg);
  }
}

}  // namespace sb::media
