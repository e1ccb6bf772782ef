#include "net/destination_guard.hpp"

#include "platform/sockets.hpp"

#include <algorithm>

namespace warden::net {
namespace {

// Names the kind of address a default deny entry covers, for the pupil's page and the log.
std::string kind_of(const base::IpBytes& ip) {
  struct Named {
    std::string_view cidr;
    std::string_view name;
  };
  static constexpr Named kNames[] = {
      {"127.0.0.0/8", "a loopback address"},      {"::1/128", "a loopback address"},
      {"169.254.0.0/16", "a link-local address"}, {"fe80::/10", "a link-local address"},
      {"224.0.0.0/4", "a multicast address"},     {"ff00::/8", "a multicast address"},
      {"0.0.0.0/8", "an unspecified address"},    {"::/128", "an unspecified address"},
  };
  for (const auto& n : kNames)
    if (base::parse_cidr(n.cidr)->contains(ip)) return std::string(n.name);
  return "a denied address (proxy.deny_destinations)";
}

}  // namespace

const std::vector<std::string_view>& DestinationRules::default_denied_text() {
  static const std::vector<std::string_view> kDefault = {
      "127.0.0.0/8", "::1/128",  "0.0.0.0/8",         "::/128", "169.254.0.0/16", "fe80::/10",
      "224.0.0.0/4", "ff00::/8", "255.255.255.255/32"};
  return kDefault;
}

std::vector<base::Cidr> DestinationRules::default_denied() {
  std::vector<base::Cidr> out;
  for (auto text : default_denied_text()) out.push_back(*base::parse_cidr(text));
  return out;
}

base::IpBytes ip_bytes(const asio::ip::address& a) {
  if (a.is_v4()) return base::ip_bytes_v4(a.to_v4().to_bytes());
  return a.to_v6().to_bytes();
}

void OwnAddresses::refresh(Clock::time_point now) {
  addresses_ = platform::interface_addresses();
  read_at_ = now;
  read_ = true;
}

bool OwnAddresses::contains(const base::IpBytes& ip, Clock::time_point now) {
  if (!read_ || (!frozen_ && now - read_at_ >= max_age_)) refresh(now);
  return std::find(addresses_.begin(), addresses_.end(), ip) != addresses_.end();
}

void OwnAddresses::set_for_test(std::vector<base::IpBytes> addresses, Clock::time_point now) {
  addresses_ = std::move(addresses);
  read_at_ = now;
  read_ = true;
  frozen_ = true;
}

std::string DestinationGuard::refusal(const asio::ip::address& a, Clock::time_point now) const {
  const base::IpBytes ip = ip_bytes(a);
  if (base::any_contains(rules.allow, ip)) return {};
  if (base::any_contains(rules.deny, ip)) return kind_of(ip);
  if (rules.deny_own && own.contains(ip, now)) return "this filter's own address";
  return {};
}

bool DestinationGuard::reached_this_host(const tcp::endpoint& local,
                                         const tcp::endpoint& remote) const {
  if (!rules.deny_own || local.address() != remote.address()) return false;
  return !base::any_contains(rules.allow, ip_bytes(remote.address()));
}

}  // namespace warden::net
