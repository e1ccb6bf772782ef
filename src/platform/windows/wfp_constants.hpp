#pragma once
// What MinGW-w64's fwpmu.h lacks: the layer and condition GUIDs and the flags Warden's filters
// use. Values from Microsoft's documentation (fwpmu.h, fwpmtypes.h; ../shared/WINDOWS-NOTES.md
// §4.2).

#include <cstdint>
#include <windows.h>

namespace warden::platform::wfp {

// Layers (FWPM_LAYER_*).
inline constexpr GUID kLayerAleAuthConnectV4{
    0xc38d57d1, 0x05a7, 0x4c33, {0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82}};
inline constexpr GUID kLayerAleAuthConnectV6{
    0x4a72393b, 0x319f, 0x44bc, {0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4}};
inline constexpr GUID kLayerAleAuthRecvAcceptV4{
    0xe1cd9fe7, 0xf4b5, 0x4273, {0x96, 0xc0, 0x59, 0x2e, 0x48, 0x7b, 0x86, 0x50}};
inline constexpr GUID kLayerAleAuthRecvAcceptV6{
    0xa3b42c97, 0x9f04, 0x4672, {0xb8, 0x7e, 0xce, 0xe9, 0xc4, 0x83, 0x25, 0x7f}};

// Conditions (FWPM_CONDITION_*).
inline constexpr GUID kConditionIpProtocol{
    0x3971ef2b, 0x623e, 0x4f9a, {0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06, 0xb9, 0xa7}};
inline constexpr GUID kConditionIpRemotePort{
    0xc35a604d, 0xd22b, 0x4e1a, {0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee, 0x67, 0x4b}};
inline constexpr GUID kConditionIpLocalPort{
    0x0c1ba1af, 0x5765, 0x453f, {0xaf, 0x22, 0xa8, 0xf7, 0x91, 0xac, 0x77, 0x5b}};
inline constexpr GUID kConditionAleAppId{
    0xd78e1e87, 0x8644, 0x4ea5, {0x94, 0x37, 0xd8, 0x09, 0xec, 0xef, 0xc9, 0x71}};
inline constexpr GUID kConditionAleUserId{
    0xaf043a0a, 0xb34d, 0x4f86, {0x97, 0x9c, 0xc9, 0x03, 0x71, 0xaf, 0x6e, 0x66}};

// Flags.
inline constexpr std::uint32_t kSessionFlagDynamic = 0x1;          // FWPM_SESSION_FLAG_DYNAMIC
inline constexpr std::uint32_t kProviderFlagPersistent = 0x1;      // FWPM_PROVIDER_FLAG_PERSISTENT
inline constexpr std::uint16_t kSublayerFlagPersistent = 0x1;      // FWPM_SUBLAYER_FLAG_PERSISTENT
inline constexpr std::uint32_t kFilterFlagPersistent = 0x1;        // FWPM_FILTER_FLAG_PERSISTENT
inline constexpr std::uint32_t kFilterFlagBootTime = 0x2;          // FWPM_FILTER_FLAG_BOOTTIME
inline constexpr std::uint32_t kFilterFlagClearActionRight = 0x8;  // ..._CLEAR_ACTION_RIGHT
// FWP_ACTRL_MATCH_FILTER: the right a user-id condition's security descriptor grants.
inline constexpr std::uint32_t kActrlMatchFilter = 0x1;

}  // namespace warden::platform::wfp
