#include "platform/os.hpp"

#include <string>
#include <windows.h>

namespace warden::platform {

std::optional<std::uint32_t> user_id(const std::string&) { return std::nullopt; }

std::tm local_time(std::time_t t) {
  std::tm out{};
  ::localtime_s(&out, &t);
  return out;
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

}  // namespace warden::platform
