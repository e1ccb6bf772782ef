// Windows' fail-closed filters as data (Wine has no WFP, so this is where they are tested): the
// web is blocked for everyone at boot and after, Warden's service alone is let out, reflected
// connections are let in, and the running Warden's permit opens TCP only, below Warden's own
// permit and above the block, and never hard (it must not outrank anyone else's block).
#include "platform/wfp_plan.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace warden::platform {
namespace {

using Field = WfpCondition::Field;

std::vector<std::uint16_t> values(const WfpFilter& f, Field field) {
  std::vector<std::uint16_t> out;
  for (const auto& c : f.conditions)
    if (c.field == field) out.push_back(c.value);
  return out;
}

TEST(WfpPlan, TheWebIsBlockedForEveryoneFromBootOn) {
  const auto filters = fail_closed_filters({});
  for (auto lifetime : {WfpLifetime::Persistent, WfpLifetime::BootTime})
    for (auto layer : {WfpLayer::ConnectV4, WfpLayer::ConnectV6}) {
      std::set<std::pair<std::uint16_t, std::vector<std::uint16_t>>> blocked;
      for (const auto& f : filters)
        if (f.lifetime == lifetime && f.layer == layer && f.action == WfpAction::Block) {
          EXPECT_EQ(f.weight, 1);
          EXPECT_TRUE(values(f, Field::AppIsWarden).empty());  // every program
          blocked.insert({values(f, Field::Protocol).at(0), values(f, Field::RemotePort)});
        }
      EXPECT_EQ(blocked, (std::set<std::pair<std::uint16_t, std::vector<std::uint16_t>>>{
                             {6, {80, 443}}, {17, {443, 853}}}));
    }
}

TEST(WfpPlan, OnlyWardensServiceIsLetOutAndReflectedConnectionsIn) {
  WfpSettings s;
  s.listener_port = 3133;
  std::vector<WfpFilter> permits;
  for (const auto& f : fail_closed_filters(s))
    if (f.action == WfpAction::Permit) permits.push_back(f);
  ASSERT_EQ(permits.size(), 4u);
  for (const auto& f : permits) {
    EXPECT_EQ(f.lifetime, WfpLifetime::Persistent);  // no boot-time permit
    EXPECT_TRUE(f.hard_permit);
    EXPECT_EQ(f.weight, 15);
    EXPECT_EQ(values(f, Field::AppIsWarden).size(), 1u);
    const bool out = f.layer == WfpLayer::ConnectV4 || f.layer == WfpLayer::ConnectV6;
    // Out: the program AND its service SID (a copy of warden.exe run by a pupil is not it).
    EXPECT_EQ(values(f, Field::UserIsService).size(), out ? 1u : 0u);
    if (!out) {
      EXPECT_EQ(values(f, Field::LocalPort), std::vector<std::uint16_t>{3133});
    }
  }
}

TEST(WfpPlan, TheHealthyPermitOpensTcpOnlyWhileWardenRuns) {
  const auto healthy = healthy_filters({});
  ASSERT_EQ(healthy.size(), 2u);
  for (const auto& f : healthy) {
    EXPECT_EQ(f.lifetime, WfpLifetime::Session);  // gone with the process
    EXPECT_EQ(f.action, WfpAction::Permit);
    EXPECT_FALSE(f.hard_permit);
    EXPECT_GT(f.weight, 1);   // over the block
    EXPECT_LT(f.weight, 15);  // under Warden's own permit
    EXPECT_EQ(values(f, Field::Protocol), std::vector<std::uint16_t>{6});  // QUIC stays closed
    EXPECT_EQ(values(f, Field::RemotePort), (std::vector<std::uint16_t>{80, 443}));
  }
}

TEST(WfpPlan, EveryFilterHasItsOwnFixedKey) {
  std::set<std::uint8_t> keys;
  auto all = fail_closed_filters({});
  const auto healthy = healthy_filters({});
  all.insert(all.end(), healthy.begin(), healthy.end());
  for (const auto& f : all) {
    EXPECT_EQ(f.key.data1, kWfpSublayer.data1);
    EXPECT_TRUE(keys.insert(f.key.data4[7]).second) << f.name;
  }
  EXPECT_EQ(fail_closed_filters({}).front().key, fail_closed_filters({}).front().key);
}

}  // namespace
}  // namespace warden::platform
