#pragma once
// Which upstream addresses Warden refuses to connect to, whatever name or spelling led there:
// a pupil must not reach services bound to the filter machine (loopback, its own addresses),
// cloud metadata (169.254.169.254) or anything that is not one host on the network (multicast,
// the unspecified address). Checked on the resolved address of every connection attempt, right
// before connect(), and once more after it (a connection whose local address is its remote one
// went to this host), so no DNS answer or address spelling slips past. Private ranges are not
// denied by default: a school's intranet lives there.

#include "base/cidr.hpp"
#include "net/types.hpp"

#include <memory>
#include <string>
#include <vector>

namespace warden::net {

// From config (proxy.deny_destinations, --allow-destination); immutable, shared.
struct DestinationRules {
  std::vector<base::Cidr> deny = default_denied();
  bool deny_own = true;           // the host's own addresses ("self" in the config list)
  std::vector<base::Cidr> allow;  // exceptions that win over both (tests, labs)

  // Loopback, unspecified, link-local, multicast and broadcast, both families.
  [[nodiscard]] static std::vector<base::Cidr> default_denied();
  [[nodiscard]] static const std::vector<std::string_view>& default_denied_text();
};

// The host's own addresses (getifaddrs), re-read when older than `max_age`: addresses come and
// go (DHCP, a VPN). One per worker, no locks; a re-read is one netlink dump (tens of
// microseconds), at most once a second and only when a connection is being made.
class OwnAddresses {
 public:
  explicit OwnAddresses(Duration max_age = Duration(1000)) : max_age_(max_age) {}
  [[nodiscard]] bool contains(const base::IpBytes& ip, Clock::time_point now);
  void set_for_test(std::vector<base::IpBytes> addresses, Clock::time_point now);

 private:
  void refresh(Clock::time_point now);
  Duration max_age_;
  Clock::time_point read_at_{};
  bool read_ = false;
  bool frozen_ = false;  // set_for_test: never re-read
  std::vector<base::IpBytes> addresses_;
};

// What one connection attempt consults (ConnectOptions::destinations).
struct DestinationGuard {
  const DestinationRules& rules;
  OwnAddresses& own;

  // Empty when `a` may be connected to; else why not ("loopback", "this filter's own address").
  [[nodiscard]] std::string refusal(const asio::ip::address& a, Clock::time_point now) const;
  // After connect(): a connection whose local address is its remote one went to this host.
  [[nodiscard]] bool reached_this_host(const tcp::endpoint& local,
                                       const tcp::endpoint& remote) const;
};

[[nodiscard]] base::IpBytes ip_bytes(const asio::ip::address& a);

}  // namespace warden::net
