#include "platform/linux/tun_device.hpp"

#include <fmt/format.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

namespace warden::platform {
namespace {

// struct virtio_net_hdr (linux/virtio_net.h, which does not compile as C++): the offload header
// a TUN with IFF_VNET_HDR puts before each packet, in host byte order.
struct VnetHeader {
  std::uint8_t flags;
  std::uint8_t gso_type;
  std::uint16_t header_length;
  std::uint16_t gso_size;
  std::uint16_t checksum_start;
  std::uint16_t checksum_offset;
};
static_assert(sizeof(VnetHeader) == 10);
constexpr std::uint8_t kNeedsChecksum = 1;  // VIRTIO_NET_HDR_F_NEEDS_CSUM

base::Error failure(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

}  // namespace

base::Result<std::unique_ptr<TunDevice>> TunDevice::create(const std::string& name,
                                                           std::size_t mtu) {
  if (name.empty() || name.size() >= IFNAMSIZ)
    return failure(fmt::format("\"{}\" is not a network interface name", name));
  const int fd = ::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENODEV)
      return failure("/dev/net/tun is missing: this kernel has no TUN support (modprobe tun)");
    return failure(fmt::format("cannot open /dev/net/tun: {}{}", std::strerror(e),
                               e == EACCES || e == EPERM ? " (run Warden as root)" : ""));
  }
  ifreq ifr{};
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
    const int e = errno;
    ::close(fd);
    if (e == EPERM)
      return failure(fmt::format("creating TUN device {} needs CAP_NET_ADMIN (run as root)", name));
    if (e == EBUSY) return failure(fmt::format("TUN device {} is in use by another process", name));
    return failure(fmt::format("cannot create TUN device {}: {}", name, std::strerror(e)));
  }
  // Offloads where the kernel has them (else one packet per MTU, still correct).
  const bool offloads =
      ::ioctl(fd, TUNSETOFFLOAD, static_cast<unsigned>(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) == 0;
  const int wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake < 0) {
    ::close(fd);
    return failure(fmt::format("eventfd: {}", std::strerror(errno)));
  }
  return std::unique_ptr<TunDevice>(new TunDevice(fd, wake, mtu, offloads));
}

TunDevice::~TunDevice() {
  ::close(fd_);
  ::close(wake_fd_);
}

base::Result<std::size_t> TunDevice::receive(std::span<capture::packet::Packet> batch,
                                             std::chrono::milliseconds timeout) {
  std::array<pollfd, 2> fds{{{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}}};
  const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  if (ready < 0) {
    if (errno == EINTR) return std::size_t{0};
    return failure(fmt::format("poll on the TUN device: {}", std::strerror(errno)));
  }
  if ((fds[1].revents & POLLIN) != 0) {
    std::uint64_t ignored = 0;
    (void)::read(wake_fd_, &ignored, sizeof ignored);
    return std::size_t{0};
  }
  if ((fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0)
    return failure("the TUN device went away");
  std::size_t n = 0;
  for (; n < batch.size(); ++n) {
    auto& p = batch[n];
    p.bytes.resize(max_packet());
    std::array<iovec, 2> parts{
        {{p.offload.data(), sizeof(VnetHeader)}, {p.bytes.data(), p.bytes.size()}}};
    const ssize_t got = ::readv(fd_, parts.data(), static_cast<int>(parts.size()));
    if (got < static_cast<ssize_t>(sizeof(VnetHeader))) {
      if (got < 0 && errno != EAGAIN && errno != EINTR)
        return failure(fmt::format("reading the TUN device: {}", std::strerror(errno)));
      break;
    }
    p.bytes.resize(static_cast<std::size_t>(got) - sizeof(VnetHeader));
    VnetHeader header{};
    std::memcpy(&header, p.offload.data(), sizeof header);
    const bool partial = (header.flags & kNeedsChecksum) != 0;
    p.checksums = {true, !partial, partial};
  }
  return n;
}

void TunDevice::send(std::span<const capture::packet::Packet> batch) {
  for (const auto& p : batch) {
    // (iovec's base is not const; writev does not write through it.)
    std::array<iovec, 2> parts{{{const_cast<std::uint8_t*>(p.offload.data()), sizeof(VnetHeader)},
                                {const_cast<std::uint8_t*>(p.bytes.data()), p.bytes.size()}}};
    if (!p.inbound || ::writev(fd_, parts.data(), static_cast<int>(parts.size())) < 0)
      ++send_drops_;
  }
}

void TunDevice::wake() {
  const std::uint64_t one = 1;
  (void)::write(wake_fd_, &one, sizeof one);
}

}  // namespace warden::platform
