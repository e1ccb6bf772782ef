#include "platform/os.hpp"

#include "platform/windows/win_text.hpp"

#include <cstdio>
#include <string>
#include <windows.h>

namespace warden::platform {

std::optional<std::uint32_t> user_id(const std::string& name) {
  alignas(SID) unsigned char sid[SECURITY_MAX_SID_SIZE];
  DWORD sid_size = sizeof sid;
  wchar_t domain[256];
  DWORD domain_size = 256;
  SID_NAME_USE use{};
  if (::LookupAccountNameW(nullptr, win::widen(name).c_str(), sid, &sid_size, domain, &domain_size,
                           &use) == 0)
    return std::nullopt;
  const UCHAR parts = *::GetSidSubAuthorityCount(sid);
  if (parts == 0) return std::nullopt;
  return static_cast<std::uint32_t>(*::GetSidSubAuthority(sid, parts - 1));
}

std::tm local_time(std::time_t t) {
  std::tm out{};
  ::localtime_s(&out, &t);
  return out;
}

void prepare_process() {
  // The C runtime buffers stderr when it is not a console (a service's log, a pipe): Warden's
  // start banner and errors must appear when written, as on Linux.
  std::setvbuf(stderr, nullptr, _IONBF, 0);
}

std::optional<int> reload_signal() { return std::nullopt; }
std::optional<int> debug_signal() { return std::nullopt; }

std::optional<std::string> compatibility_layer() {
  // Wine's ntdll exports wine_get_version; Windows' does not.
  using Version = const char*(CDECL*)();
  const auto version = reinterpret_cast<Version>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"ntdll.dll"), "wine_get_version")));
  if (version == nullptr) return std::nullopt;
  return std::string("Wine ") + version();
}

void set_thread_name(const char* name) {
  // SetThreadDescription (Windows 10 1607), looked up at run time: MinGW's headers do not
  // declare it, and older systems (and Wine) may lack it.
  using Describe = HRESULT(WINAPI*)(HANDLE, PCWSTR);
  static const auto describe = reinterpret_cast<Describe>(reinterpret_cast<void*>(
      ::GetProcAddress(::GetModuleHandleW(L"kernel32.dll"), "SetThreadDescription")));
  if (describe == nullptr) return;
  const std::wstring wide(name, name + std::char_traits<char>::length(name));
  (void)describe(::GetCurrentThread(), wide.c_str());
}

bool running_as_administrator() {
  bool elevated = false;
  HANDLE token = nullptr;
  if (::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token) != 0) {
    TOKEN_ELEVATION elevation{};
    DWORD size = 0;
    elevated =
        ::GetTokenInformation(token, TokenElevation, &elevation, sizeof elevation, &size) != 0 &&
        elevation.TokenIsElevated != 0;
    ::CloseHandle(token);
  }
  return elevated;
}

}  // namespace warden::platform
