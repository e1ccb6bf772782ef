#pragma once
// Windows' fail-closed filters (Windows Filtering Platform), as data so they can be checked on
// any OS (platform/windows/wfp.cpp adds them; Wine has no WFP, docs/windows.md). WinDivert's
// handle closes with Warden, so on its own a crashed, killed or stopped Warden leaves the web
// open. Instead, under Warden's own persistent provider and sublayer:
//  - persistent and boot-time filters block outbound TCP 80/443 and UDP 443/853 for every
//    program, in force from boot, whether Warden runs or not;
//  - persistent hard permits let Warden's service itself out (its program AND its service SID,
//    so another program started from a copy of warden.exe does not match) and let reflected
//    connections into its listener;
//  - while Warden is healthy, its dynamic WFP session adds a permit for TCP 80/443 at a higher
//    weight, through which browsers' connections reach WinDivert and are reflected. The session
//    ends with the process (however it ends) and the permit with it: the web stays closed until
//    Warden is back or an administrator runs `warden service uninstall`.
// UDP 443/853 stay blocked even while healthy: QUIC and DNS over QUIC/TLS fall back to what
// Warden reads.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace warden::platform {

struct WfpGuid {
  std::uint32_t data1 = 0;
  std::uint16_t data2 = 0;
  std::uint16_t data3 = 0;
  std::array<std::uint8_t, 8> data4{};
  friend bool operator==(const WfpGuid&, const WfpGuid&) = default;
};

// Warden's own keys, fixed so `warden service uninstall` finds what an earlier install added,
// across reboots.
inline constexpr WfpGuid kWfpProvider{
    0x57617264, 0x656e, 0x4650, {0x80, 0x00, 0x77, 0x61, 0x72, 0x64, 0x65, 0x6e}};
inline constexpr WfpGuid kWfpSublayer{
    0x57617264, 0x656e, 0x4651, {0x80, 0x00, 0x77, 0x61, 0x72, 0x64, 0x65, 0x6e}};

enum class WfpLayer : std::uint8_t { ConnectV4, ConnectV6, RecvAcceptV4, RecvAcceptV6 };
enum class WfpAction : std::uint8_t { Block, Permit };
// Persistent: survives restarts of the filtering engine and reboots. BootTime: in force from
// boot until the engine starts (the two cannot be one filter). Session: Warden's dynamic
// session, gone when the process is.
enum class WfpLifetime : std::uint8_t { Persistent, BootTime, Session };

struct WfpCondition {
  enum class Field : std::uint8_t { Protocol, RemotePort, LocalPort, AppIsWarden, UserIsService };
  Field field = Field::Protocol;
  std::uint16_t value = 0;  // protocol number or port
};

struct WfpFilter {
  WfpGuid key;  // kWfpFilterBase with the index in data4's last byte
  std::string name;
  WfpLayer layer = WfpLayer::ConnectV4;
  WfpAction action = WfpAction::Block;
  WfpLifetime lifetime = WfpLifetime::Persistent;
  std::uint8_t weight = 0;   // 0-15 within Warden's sublayer: the highest matching decides
  bool hard_permit = false;  // no other sublayer's block overrides it (CLEAR_ACTION_RIGHT)
  // Conditions on different fields must all hold; several on one field: any of them (WFP).
  std::vector<WfpCondition> conditions;
};

struct WfpSettings {
  std::uint16_t listener_port = 3133;  // capture.windivert_port
  std::vector<std::uint16_t> tcp_ports{80, 443};
  std::vector<std::uint16_t> udp_ports{443, 853};
};

// Installed by `warden service install` (persistent and boot-time), removed by uninstall.
[[nodiscard]] std::vector<WfpFilter> fail_closed_filters(const WfpSettings& s);
// Added by the running Warden in its dynamic session.
[[nodiscard]] std::vector<WfpFilter> healthy_filters(const WfpSettings& s);

}  // namespace warden::platform
