#pragma once
// The byte buffer of one packet.

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace warden::capture::packet {

// Packet buffers are resized for every read: their bytes are left uninitialised (the read
// fills them), not zeroed each time.
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
  template <class U>
  struct rebind {
    using other = UninitialisedAllocator<U>;
  };
  using std::allocator<T>::allocator;
  template <class U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};
using PacketBytes = std::vector<std::uint8_t, UninitialisedAllocator<std::uint8_t>>;

}  // namespace warden::capture::packet
