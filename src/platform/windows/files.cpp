#include "platform/files.hpp"

#include "platform/os.hpp"
#include "platform/windows/win_text.hpp"

#include <fmt/format.h>

#include <aclapi.h>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <io.h>
#include <memory>
#include <sddl.h>
#include <sys/stat.h>
#include <windows.h>

namespace warden::platform {
namespace {

base::Error file_error(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

// The calling account's SID as text ("S-1-5-18" for a service running as SYSTEM).
std::wstring own_sid() {
  HANDLE token = nullptr;
  if (::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token) == 0) return L"SY";
  alignas(TOKEN_USER) unsigned char buffer[256];
  DWORD size = 0;
  std::wstring out = L"SY";
  if (::GetTokenInformation(token, TokenUser, buffer, sizeof buffer, &size) != 0) {
    wchar_t* text = nullptr;
    if (::ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid, &text) != 0) {
      out = text;
      ::LocalFree(text);
    }
  }
  ::CloseHandle(token);
  return out;
}

// A protected DACL (nothing inherited from the parent): full access for SYSTEM,
// Administrators and this account; `inherit`: folders pass it on to what they hold.
struct PrivateSecurity {
  explicit PrivateSecurity(bool inherit) {
    const std::wstring ace = inherit ? L"(A;OICI;FA;;;" : L"(A;;FA;;;";
    const std::wstring sddl = L"D:P" + ace + L"SY)" + ace + L"BA)" + ace + own_sid() + L")";
    if (::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1,
                                                               &descriptor, nullptr) != 0) {
      attributes.nLength = sizeof attributes;
      attributes.lpSecurityDescriptor = descriptor;
      attributes.bInheritHandle = FALSE;
    }
  }
  ~PrivateSecurity() {
    if (descriptor != nullptr) ::LocalFree(descriptor);
  }
  PrivateSecurity(const PrivateSecurity&) = delete;
  PrivateSecurity& operator=(const PrivateSecurity&) = delete;
  SECURITY_ATTRIBUTES* get() { return descriptor != nullptr ? &attributes : nullptr; }

  PSECURITY_DESCRIPTOR descriptor = nullptr;
  SECURITY_ATTRIBUTES attributes{};
};

bool is_trusted_sid(PSID sid, PSID owner, PSID self) {
  if (::IsWellKnownSid(sid, WinLocalSystemSid) != 0 ||
      ::IsWellKnownSid(sid, WinBuiltinAdministratorsSid) != 0)
    return true;
  return (owner != nullptr && ::EqualSid(sid, owner) != 0) ||
         (self != nullptr && ::EqualSid(sid, self) != 0);
}

}  // namespace

bool others_can_read(const std::string& path) {
  PSID owner = nullptr;
  PACL dacl = nullptr;
  PSECURITY_DESCRIPTOR descriptor = nullptr;
  if (::GetNamedSecurityInfoW(win::widen(path).c_str(), SE_FILE_OBJECT,
                              OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, &owner,
                              nullptr, &dacl, nullptr, &descriptor) != ERROR_SUCCESS)
    return true;
  alignas(TOKEN_USER) unsigned char user[256];
  PSID self = nullptr;
  HANDLE token = nullptr;
  if (::OpenProcessToken(::GetCurrentProcess(), TOKEN_QUERY, &token) != 0) {
    DWORD size = 0;
    if (::GetTokenInformation(token, TokenUser, user, sizeof user, &size) != 0)
      self = reinterpret_cast<TOKEN_USER*>(user)->User.Sid;
    ::CloseHandle(token);
  }
  constexpr ACCESS_MASK kRead = FILE_READ_DATA | GENERIC_READ | GENERIC_ALL;
  bool readable = dacl == nullptr;  // no DACL: everyone has every right
  for (DWORD i = 0; !readable && i < dacl->AceCount; ++i) {
    void* ace = nullptr;
    if (::GetAce(dacl, i, &ace) == 0) continue;
    const auto* header = static_cast<ACE_HEADER*>(ace);
    if (header->AceType != ACCESS_ALLOWED_ACE_TYPE || (header->AceFlags & INHERIT_ONLY_ACE) != 0)
      continue;
    auto* allowed = static_cast<ACCESS_ALLOWED_ACE*>(ace);
    if ((allowed->Mask & kRead) == 0) continue;
    if (!is_trusted_sid(reinterpret_cast<PSID>(&allowed->SidStart), owner, self)) readable = true;
  }
  ::LocalFree(descriptor);
  return readable;
}

base::Result<void> write_new_file(const std::string& path, const std::string& data,
                                  FileAccess access, bool replace) {
  const std::wstring wide = win::widen(path);
  if (replace) ::DeleteFileW(wide.c_str());
  PrivateSecurity security(false);
  if (access == FileAccess::OwnerOnly && security.get() == nullptr)
    return file_error(fmt::format("cannot create {}: cannot build its access list: {}", path,
                                  win::error_text(::GetLastError())));
  HANDLE file = ::CreateFileW(wide.c_str(), GENERIC_WRITE, 0,
                              access == FileAccess::OwnerOnly ? security.get() : nullptr,
                              CREATE_NEW, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE)
    return file_error(fmt::format("cannot create {}: {}", path, win::error_text(::GetLastError())));
  std::size_t off = 0;
  while (off < data.size()) {
    DWORD wrote = 0;
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(data.size() - off, 1 << 20));
    if (::WriteFile(file, data.data() + off, chunk, &wrote, nullptr) == 0) {
      const DWORD code = ::GetLastError();
      ::CloseHandle(file);
      return file_error(fmt::format("cannot write {}: {}", path, win::error_text(code)));
    }
    off += wrote;
  }
  const bool flushed = ::FlushFileBuffers(file) != 0;
  const DWORD code = ::GetLastError();
  ::CloseHandle(file);
  if (!flushed) return file_error(fmt::format("cannot write {}: {}", path, win::error_text(code)));
  return {};
}

base::Result<void> ensure_private_folder(const std::string& path, std::string& warning) {
  warning.clear();
  const std::wstring wide = win::widen(path);
  const DWORD attributes = ::GetFileAttributesW(wide.c_str());
  if (attributes != INVALID_FILE_ATTRIBUTES) {
    if ((attributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
      return file_error("state folder " + path + " is not a folder");
    return {};
  }
  std::error_code ec;
  const std::filesystem::path folder(wide);
  if (folder.has_parent_path()) std::filesystem::create_directories(folder.parent_path(), ec);
  if (ec) return file_error(fmt::format("cannot create state folder {}: {}", path, ec.message()));
  PrivateSecurity security(true);
  if (::CreateDirectoryW(wide.c_str(), security.get()) == 0 &&
      ::GetLastError() != ERROR_ALREADY_EXISTS)
    return file_error(
        fmt::format("cannot create state folder {}: {}", path, win::error_text(::GetLastError())));
  return {};
}

std::string default_state_dir() {
  const bool elevated = running_as_administrator();
  const char* base = std::getenv(elevated ? "ProgramData" : "LOCALAPPDATA");
  if (base == nullptr || *base == '\0') base = std::getenv("ProgramData");
  return std::string(base != nullptr ? base : "C:\\ProgramData") + "\\Warden";
}

base::Result<AppendFile> AppendFile::open(const std::string& path) {
  if (path == "-")
    return AppendFile(reinterpret_cast<long long>(::GetStdHandle(STD_OUTPUT_HANDLE)), false);
  // FILE_APPEND_DATA alone: every write lands at the end. Shared delete: rotation may move it.
  HANDLE file = ::CreateFileW(win::widen(path).c_str(), FILE_APPEND_DATA,
                              FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                              OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (file == INVALID_HANDLE_VALUE)
    return file_error(fmt::format("cannot open {}: {}", path, win::error_text(::GetLastError())));
  return AppendFile(reinterpret_cast<long long>(file), true);
}

base::Result<void> AppendFile::write_all(const char* data, std::size_t size) {
  if (handle_ == kClosed) return file_error("the file is not open");
  auto* file = reinterpret_cast<HANDLE>(handle_);
  std::size_t off = 0;
  while (off < size) {  // one WriteFile for any batch below 1 GiB
    DWORD wrote = 0;
    const DWORD chunk = static_cast<DWORD>(std::min<std::size_t>(size - off, 1U << 30));
    if (::WriteFile(file, data + off, chunk, &wrote, nullptr) == 0)
      return file_error(win::error_text(::GetLastError()));
    off += wrote;
  }
  return {};
}

void AppendFile::close() {
  if (handle_ != kClosed && owned_) ::CloseHandle(reinterpret_cast<HANDLE>(handle_));
  handle_ = kClosed;
}

bool redirect_stderr(const std::string& path) {
  const std::wstring wide = win::widen(path);
  if (::_wfreopen(wide.c_str(), L"a", stderr) == nullptr) {
    // A service starts without standard handles, so stderr has no descriptor (-2), and Wine's
    // C runtime (unlike Windows') will not reopen such a stream: give it descriptor 2 first.
    const int fd = ::_wopen(wide.c_str(), _O_WRONLY | _O_APPEND | _O_CREAT, _S_IREAD | _S_IWRITE);
    if (fd < 0) return false;
    const bool duplicated = ::_dup2(fd, 2) == 0;
    ::_close(fd);
    if (!duplicated) return false;
    stderr->_file = 2;
    stderr->_flag = _IOWRT;
    if (::_wfreopen(wide.c_str(), L"a", stderr) == nullptr) return false;
  }
  std::setvbuf(stderr, nullptr, _IONBF, 0);  // each line in the file at once
  return true;
}

bool owned_by_this_account(const std::string&) { return true; }

base::Result<void> give_to_folder_owner(const std::string&, const std::string&) {
  return {};  // OwnerOnly files are SYSTEM's and the Administrators' already: the service's
}

}  // namespace warden::platform
