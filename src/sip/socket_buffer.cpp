#include "sip/socket_buffer.h"

#include <dirent.h>
#include <netinet/in.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <vector>

namespace sb::sip {
namespace {

std::uint32_t read_rcvbuf(int fd) {
  int value = 0;
  socklen_t len = sizeof value;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &len) != 0 || value < 0) return 0;
  return static_cast<std::uint32_t>(value);
}

long rmem_max() {
  std::ifstream in("/proc/sys/net/core/rmem_max");
  long v = -1;
  if (!(in >> v)) return -1;
  return v;
}

bool same_address(const sockaddr_storage& a, const sockaddr* b, socklen_t blen) {
  if (a.ss_family != b->sa_family) return false;
  if (a.ss_family == AF_INET && blen >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto& x = reinterpret_cast<const sockaddr_in&>(a);
    const auto& y = *reinterpret_cast<const sockaddr_in*>(b);
    return x.sin_port == y.sin_port && x.sin_addr.s_addr == y.sin_addr.s_addr;
  }
  if (a.ss_family == AF_INET6 && blen >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto& x = reinterpret_cast<const sockaddr_in6&>(a);
    const auto& y = *reinterpret_cast<const sockaddr_in6*>(b);
    return x.sin6_port == y.sin6_port &&
           std::memcmp(&x.sin6_addr, &y.sin6_addr, sizeof x.sin6_addr) == 0;
  }
  return false;
}

}  // namespace

ReceiveBufferReport set_receive_buffer(int fd, std::uint32_t bytes) {
  ReceiveBufferReport r;
  r.requested = bytes;
  if (bytes == 0) {
    r.effective = read_rcvbuf(fd);
    return r;
  }
  // The kernel doubles the value and keeps it in an int.
  const int value = static_cast<int>(std::min<std::uint32_t>(bytes, INT_MAX / 2));
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &value, sizeof value) == 0) {
    r.forced = true;
  } else {
    const int force_errno = errno;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, sizeof value) != 0) {
      r.note = std::string("SO_RCVBUF failed: ") + std::strerror(errno);
    } else if (const long max = rmem_max(); max >= 0 && max < value) {
      r.note = "capped by net.core.rmem_max = " + std::to_string(max) +
               " (SO_RCVBUFFORCE: " + std::strerror(force_errno) +
               "; raise the sysctl or grant CAP_NET_ADMIN)";
    }
  }
  r.effective = read_rcvbuf(fd);
  return r;
}

Result<int> find_bound_udp_socket(const sockaddr* addr, socklen_t len) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr)
    return Status::not_found(std::string("cannot list /proc/self/fd: ") + std::strerror(errno));
  std::vector<int> found;
  const int own = dirfd(dir);
  while (const dirent* e = readdir(dir)) {
    char* end = nullptr;
    const long n = std::strtol(e->d_name, &end, 10);
    if (end == e->d_name || *end != '\0' || n < 0 || n > INT_MAX || n == own) continue;
    const int fd = static_cast<int>(n);
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    int type = 0;
    socklen_t tlen = sizeof type;
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) != 0 || type != SOCK_DGRAM) continue;
    int proto = 0;
    socklen_t plen = sizeof proto;
    if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &plen) != 0 || proto != IPPROTO_UDP)
      continue;
    sockaddr_storage bound{};
    socklen_t blen = sizeof bound;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &blen) != 0) continue;
    if (same_address(bound, addr, len)) found.push_back(fd);
  }
  closedir(dir);
  if (found.empty()) return Status::not_found("no UDP socket bound to that address");
  if (found.size() > 1)
    return Status::failed_precondition(std::to_string(found.size()) +
                                       " UDP sockets bound to that address");
  return found.front();
}

std::string describe(const ReceiveBufferReport& r) {
  std::string s;
  if (r.requested == 0) {
    s = "kernel default, " + std::to_string(r.effective) + " bytes";
  } else {
    s = std::to_string(r.requested) + " bytes asked, " + std::to_string(r.effective) +
        " in effect (" + (r.forced ? "SO_RCVBUFFORCE" : "SO_RCVBUF") + ")";
  }
  if (!r.note.empty()) s += "; " + r.note;
  return s;
}

}  // namespace sb::sip
