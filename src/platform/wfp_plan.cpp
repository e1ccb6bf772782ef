#include "platform/wfp_plan.hpp"

namespace warden::platform {
namespace {

constexpr std::uint8_t kProtocolTcp = 6;
constexpr std::uint8_t kProtocolUdp = 17;
constexpr WfpLayer kConnect[] = {WfpLayer::ConnectV4, WfpLayer::ConnectV6};
constexpr WfpLayer kAccept[] = {WfpLayer::RecvAcceptV4, WfpLayer::RecvAcceptV6};

using Field = WfpCondition::Field;

std::vector<WfpCondition> to_ports(std::uint8_t protocol, const std::vector<std::uint16_t>& ports) {
  std::vector<WfpCondition> c{{Field::Protocol, protocol}};
  for (auto p : ports) c.push_back({Field::RemotePort, p});
  return c;
}

class Builder {
 public:
  explicit Builder(std::uint8_t first_index) : next_(first_index) {}
  void add(std::string name, WfpLayer layer, WfpAction action, WfpLifetime lifetime,
           std::uint8_t weight, std::vector<WfpCondition> conditions) {
    WfpFilter f;
    f.key = kWfpSublayer;
    f.key.data3 = 0x4652;
    f.key.data4[7] = next_++;
    f.name = std::move(name);
    f.layer = layer;
    f.action = action;
    f.lifetime = lifetime;
    f.weight = weight;
    f.hard_permit = action == WfpAction::Permit && lifetime != WfpLifetime::Session;
    f.conditions = std::move(conditions);
    out_.push_back(std::move(f));
  }
  std::vector<WfpFilter> take() { return std::move(out_); }

 private:
  std::uint8_t next_;
  std::vector<WfpFilter> out_;
};

const char* family(WfpLayer l) {
  return l == WfpLayer::ConnectV4 || l == WfpLayer::RecvAcceptV4 ? "IPv4" : "IPv6";
}

}  // namespace

std::vector<WfpFilter> fail_closed_filters(const WfpSettings& s) {
  Builder b(0);
  for (auto lifetime : {WfpLifetime::Persistent, WfpLifetime::BootTime})
    for (auto layer : kConnect) {
      const char* when = lifetime == WfpLifetime::BootTime ? " (boot)" : "";
      b.add(std::string("Warden: block web (TCP) ") + family(layer) + when, layer, WfpAction::Block,
            lifetime, 1, to_ports(kProtocolTcp, s.tcp_ports));
      b.add(std::string("Warden: block QUIC and DNS over QUIC (UDP) ") + family(layer) + when,
            layer, WfpAction::Block, lifetime, 1, to_ports(kProtocolUdp, s.udp_ports));
    }
  for (auto layer : kConnect)
    b.add(std::string("Warden: let the Warden service out ") + family(layer), layer,
          WfpAction::Permit, WfpLifetime::Persistent, 15,
          {{Field::AppIsWarden, 0}, {Field::UserIsService, 0}});
  for (auto layer : kAccept)
    b.add(std::string("Warden: reflected connections in ") + family(layer), layer,
          WfpAction::Permit, WfpLifetime::Persistent, 15,
          {{Field::AppIsWarden, 0},
           {Field::Protocol, kProtocolTcp},
           {Field::LocalPort, s.listener_port}});
  return b.take();
}

std::vector<WfpFilter> healthy_filters(const WfpSettings& s) {
  Builder b(64);
  for (auto layer : kConnect)
    b.add(std::string("Warden: web while Warden is healthy ") + family(layer), layer,
          WfpAction::Permit, WfpLifetime::Session, 10, to_ports(kProtocolTcp, s.tcp_ports));
  return b.take();
}

}  // namespace warden::platform
