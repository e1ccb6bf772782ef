#pragma once
// What capture knows about a flow, whatever captured it: who the client is, which address they
// reached, what they meant to reach, and how we got the connection. Everything after capture
// (tls/, http/, policy/) reads this and nothing platform-specific.

#include "net/types.hpp"

#include <cstdint>
#include <optional>
#include <string_view>

namespace warden::capture {

// Linux: redirect, tproxy, local (nftables) and tun (the packet path on a TUN device); Windows:
// windivert (the same packet path on WinDivert). Balancer: captured traffic a load balancer
// relays, its original destination in the PROXY header (balancer.transparent_listen).
enum class CaptureMode : std::uint8_t {
  Explicit,
  Redirect,
  Tproxy,
  Local,
  Tun,
  WinDivert,
  Balancer
};

// Whether connections of this mode were reflected by the packet path (their original
// destination is in its table, not the socket's).
[[nodiscard]] constexpr bool is_packet_path(CaptureMode m) {
  return m == CaptureMode::Tun || m == CaptureMode::WinDivert;
}

[[nodiscard]] constexpr std::string_view capture_mode_name(CaptureMode m) {
  switch (m) {
    case CaptureMode::Explicit:
      return "explicit";
    case CaptureMode::Redirect:
      return "redirect";
    case CaptureMode::Tproxy:
      return "tproxy";
    case CaptureMode::Local:
      return "local";
    case CaptureMode::Tun:
      return "tun";
    case CaptureMode::WinDivert:
      return "windivert";
    case CaptureMode::Balancer:
      return "balancer";
  }
  return "explicit";
}

struct FlowMeta {
  net::tcp::endpoint client;  // the pupil's address and port
  net::tcp::endpoint local;   // our listener address the client reached
  CaptureMode mode = CaptureMode::Explicit;
  std::optional<net::tcp::endpoint> original_destination;  // transparent modes only
  std::optional<std::uint32_t> user;  // local capture: the uid that opened the connection
  // A balancer's listener: the connection starts with a PROXY header (capture/proxy_header.hpp)
  // that says who the client is; until it is read, `client` is the balancer.
  bool proxy_header = false;
  // An explicit listener that asks for sign-in (auth.listen): every request carries a user's
  // Proxy-Authorization or is answered 407.
  bool sign_in = false;
};

}  // namespace warden::capture
