// The service plan through Windows' own parsers (under Wine in CI, which implements both): the
// DACL's SDDL gives exactly the intended access masks, and the command line splits back into
// the arguments it was made from.
#include "platform/service_plan.hpp"
#include "platform/windows/win_text.hpp"

#include <gtest/gtest.h>

#include <sddl.h>
#include <shellapi.h>
#include <windows.h>

namespace warden::platform {
namespace {

TEST(ServiceApi, TheSddlParsesToTheIntendedAccessMasks) {
  PSECURITY_DESCRIPTOR sd = nullptr;
  ASSERT_TRUE(::ConvertStringSecurityDescriptorToSecurityDescriptorW(
      win::widen(std::string(kServiceSddl)).c_str(), SDDL_REVISION_1, &sd, nullptr))
      << ::GetLastError();
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL dacl = nullptr;
  ASSERT_TRUE(::GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted));
  ASSERT_TRUE(present && dacl != nullptr);
  ASSERT_EQ(dacl->AceCount, 3);
  const DWORD users = SERVICE_QUERY_CONFIG | SERVICE_QUERY_STATUS | SERVICE_ENUMERATE_DEPENDENTS |
                      SERVICE_INTERROGATE | READ_CONTROL;
  const DWORD admins = SERVICE_ALL_ACCESS & ~SERVICE_PAUSE_CONTINUE;
  for (DWORD i = 0; i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    ASSERT_TRUE(::GetAce(dacl, i, &ace));
    const auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    ASSERT_EQ(allowed->Header.AceType, ACCESS_ALLOWED_ACE_TYPE);
    const DWORD mask = allowed->Mask;
    if (i < 2) {
      EXPECT_EQ(mask & admins, admins) << i;  // SYSTEM, Administrators: everything
      EXPECT_TRUE(mask & SERVICE_STOP);
    } else {
      EXPECT_EQ(mask, users);  // Authenticated Users: to look, not to touch
      EXPECT_FALSE(mask & (SERVICE_STOP | SERVICE_START | SERVICE_CHANGE_CONFIG | DELETE |
                           WRITE_DAC | WRITE_OWNER | SERVICE_USER_DEFINED_CONTROL));
    }
  }
  ::LocalFree(sd);
}

TEST(ServiceApi, TheCommandLineSplitsBackIntoItsArguments) {
  const std::vector<std::string> args{"C:\\Program Files\\Warden\\warden.exe",
                                      "run",
                                      "--service",
                                      "-c",
                                      "C:\\My Config\\",
                                      "say \"hi\"",
                                      ""};
  int argc = 0;
  LPWSTR* argv = ::CommandLineToArgvW(win::widen(command_line(args)).c_str(), &argc);
  ASSERT_NE(argv, nullptr);
  ASSERT_EQ(argc, static_cast<int>(args.size()));
  for (int i = 1; i < argc; ++i)  // (the program name follows other rules: no quotes inside)
    EXPECT_EQ(win::narrow(argv[i]), args[static_cast<std::size_t>(i)]) << i;
  EXPECT_EQ(win::narrow(argv[0]), args[0]);
  ::LocalFree(argv);
}

}  // namespace
}  // namespace warden::platform
