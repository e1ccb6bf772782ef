#pragma once
// Text helpers for the Windows implementations: UTF-8 <-> UTF-16 (Windows' wide API) and the
// system's message for an error code.

#include <string>
#include <windows.h>

namespace warden::platform::win {

[[nodiscard]] std::wstring widen(const std::string& utf8);
[[nodiscard]] std::string narrow(const std::wstring& wide);
// "Access is denied. (5)": FormatMessage's text and the number, for logs and errors.
[[nodiscard]] std::string error_text(DWORD code);

}  // namespace warden::platform::win
