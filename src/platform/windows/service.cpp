#include "platform/service.hpp"

#include "platform/service_plan.hpp"
#include "platform/windows/win_text.hpp"

#include <fmt/format.h>

#include <csignal>
#include <memory>
#include <sddl.h>
#include <thread>
#include <windows.h>

namespace warden::platform {
namespace {

using win::error_text;
using win::narrow;
using win::widen;

const std::wstring& name() {
  static const std::wstring n = widen(std::string(kServiceName));
  return n;
}

base::Error failure(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

base::Error last_failure(const char* call) {
  const DWORD code = ::GetLastError();
  if (code == ERROR_ACCESS_DENIED)
    return failure(fmt::format("{}: access denied (run it as an administrator)", call));
  return failure(fmt::format("{}: {}", call, error_text(code)));
}

struct ScHandleCloser {
  void operator()(SC_HANDLE h) const { ::CloseServiceHandle(h); }
};
using ScHandle = std::unique_ptr<std::remove_pointer_t<SC_HANDLE>, ScHandleCloser>;

base::Result<ScHandle> open_manager(DWORD access) {
  ScHandle m(::OpenSCManagerW(nullptr, nullptr, access));
  if (!m) return last_failure("OpenSCManager");
  return m;
}

// nullptr with no error: not installed.
base::Result<ScHandle> open_service(DWORD access) {
  auto m = open_manager(SC_MANAGER_CONNECT);
  if (!m) return m.error();
  ScHandle s(::OpenServiceW(m->get(), name().c_str(), access));
  if (!s && ::GetLastError() != ERROR_SERVICE_DOES_NOT_EXIST) return last_failure("OpenService");
  return s;
}

base::Result<SERVICE_STATUS_PROCESS> query(SC_HANDLE s) {
  SERVICE_STATUS_PROCESS st{};
  DWORD needed = 0;
  if (!::QueryServiceStatusEx(s, SC_STATUS_PROCESS_INFO, reinterpret_cast<LPBYTE>(&st), sizeof st,
                              &needed))
    return last_failure("QueryServiceStatusEx");
  return st;
}

// Waits until the service leaves `pending` (polling, as the SCM offers nothing to wait on).
base::Result<SERVICE_STATUS_PROCESS> wait_while(SC_HANDLE s, DWORD pending,
                                                std::chrono::seconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    auto st = query(s);
    if (!st || st->dwCurrentState != pending || std::chrono::steady_clock::now() >= deadline)
      return st;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

const char* state_name(DWORD state) {
  switch (state) {
    case SERVICE_STOPPED:
      return "stopped";
    case SERVICE_START_PENDING:
      return "starting";
    case SERVICE_STOP_PENDING:
      return "stopping";
    case SERVICE_RUNNING:
      return "running";
    default:
      return "paused";
  }
}

// ChangeServiceConfig2 for one setting. Wine answers ERROR_INVALID_LEVEL for the levels it
// lacks (failure-action flag, service SID): said, not fatal; anything else is.
base::Result<void> configure(SC_HANDLE s, DWORD level, void* info, const char* what,
                             std::vector<std::string>& warnings) {
  if (::ChangeServiceConfig2W(s, level, info)) return {};
  if (::GetLastError() == ERROR_INVALID_LEVEL) {
    warnings.push_back(fmt::format("this system does not implement {}", what));
    return {};
  }
  return last_failure(what);
}

base::Result<void> harden(SC_HANDLE s, std::vector<std::string>& warnings) {
  std::wstring description = widen(std::string(kServiceDescription));
  SERVICE_DESCRIPTIONW d{description.data()};
  if (auto ok = configure(s, SERVICE_CONFIG_DESCRIPTION, &d, "the description", warnings); !ok)
    return ok;
  const ServiceRecovery recovery;
  std::vector<SC_ACTION> actions;
  for (auto delay : recovery.restart_delays)
    actions.push_back({SC_ACTION_RESTART, static_cast<DWORD>(delay.count())});
  SERVICE_FAILURE_ACTIONSW fa{};
  fa.dwResetPeriod = static_cast<DWORD>(recovery.reset_period.count());
  fa.cActions = static_cast<DWORD>(actions.size());
  fa.lpsaActions = actions.data();
  if (auto ok = configure(s, SERVICE_CONFIG_FAILURE_ACTIONS, &fa, "the failure actions", warnings);
      !ok)
    return ok;
  SERVICE_FAILURE_ACTIONS_FLAG flag{TRUE};
  if (auto ok = configure(s, SERVICE_CONFIG_FAILURE_ACTIONS_FLAG, &flag,
                          "failure actions on non-crash failures", warnings);
      !ok)
    return ok;
  SERVICE_DELAYED_AUTO_START_INFO delayed{FALSE};
  if (auto ok = configure(s, SERVICE_CONFIG_DELAYED_AUTO_START_INFO, &delayed,
                          "the (not) delayed start", warnings);
      !ok)
    return ok;
  SERVICE_PRESHUTDOWN_INFO pre{static_cast<DWORD>(kPreshutdownTimeout.count())};
  if (auto ok =
          configure(s, SERVICE_CONFIG_PRESHUTDOWN_INFO, &pre, "the pre-shutdown timeout", warnings);
      !ok)
    return ok;
  // A service SID of its own, which the WFP permit for Warden's own connections names.
  SERVICE_SID_INFO sid{SERVICE_SID_TYPE_UNRESTRICTED};
  if (auto ok = configure(s, SERVICE_CONFIG_SERVICE_SID_INFO, &sid, "the service SID", warnings);
      !ok)
    return ok;
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(
          widen(std::string(kServiceSddl)).c_str(), SDDL_REVISION_1, &sd, nullptr))
    return last_failure("ConvertStringSecurityDescriptorToSecurityDescriptor");
  const BOOL set = ::SetServiceObjectSecurity(s, DACL_SECURITY_INFORMATION, sd);
  ::LocalFree(sd);
  if (!set) return last_failure("SetServiceObjectSecurity");
  return {};
}

// The running service's state (ServiceMain's thread and the control handler's).
SERVICE_STATUS_HANDLE g_status = nullptr;
const std::function<int()>* g_main = nullptr;
int g_exit = 0;

void report(DWORD state, DWORD exit_code = NO_ERROR, DWORD wait_hint = 0) {
  if (g_status == nullptr) return;
  SERVICE_STATUS st{};
  st.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
  st.dwCurrentState = state;
  st.dwControlsAccepted =
      state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_PRESHUTDOWN : 0;
  if (exit_code != NO_ERROR) {
    st.dwWin32ExitCode = ERROR_SERVICE_SPECIFIC_ERROR;
    st.dwServiceSpecificExitCode = exit_code;
  }
  st.dwWaitHint = wait_hint;
  ::SetServiceStatus(g_status, &st);
}

DWORD WINAPI control_handler(DWORD control, DWORD, LPVOID, LPVOID) {
  switch (control) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_PRESHUTDOWN:
      report(SERVICE_STOP_PENDING, NO_ERROR, static_cast<DWORD>(kPreshutdownTimeout.count()));
      std::raise(SIGTERM);  // the run loop's signal set drains and returns
      return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
      return NO_ERROR;
    default:
      return ERROR_CALL_NOT_IMPLEMENTED;
  }
}

void WINAPI service_main(DWORD, LPWSTR*) {
  g_status = ::RegisterServiceCtrlHandlerExW(name().c_str(), control_handler, nullptr);
  if (g_status == nullptr) return;
  report(SERVICE_START_PENDING, NO_ERROR, 30'000);
  g_exit = (*g_main)();
  report_service_event(g_exit != 0, g_exit == 0 ? "Warden stopped."
                                                : fmt::format("Warden stopped with exit code {} "
                                                              "(see warden.log).",
                                                              g_exit));
  // A non-zero exit reported as stopped counts as a failure: recovery restarts Warden.
  report(SERVICE_STOPPED, static_cast<DWORD>(g_exit));
}

}  // namespace

base::Result<void> install_service(const std::vector<std::string>& command) {
  auto m = open_manager(SC_MANAGER_CONNECT | SC_MANAGER_CREATE_SERVICE);
  if (!m) return m.error();
  const std::wstring line = widen(command_line(command));
  const std::wstring display = widen(std::string(kServiceDisplayName));
  ScHandle s(::CreateServiceW(m->get(), name().c_str(), display.c_str(), SERVICE_ALL_ACCESS,
                              SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL,
                              line.c_str(), nullptr, nullptr, nullptr, nullptr, nullptr));
  if (!s && ::GetLastError() == ERROR_SERVICE_EXISTS) {
    // Installed before: the same service, this command line (an upgrade, another config).
    s.reset(::OpenServiceW(m->get(), name().c_str(), SERVICE_ALL_ACCESS));
    if (!s) return last_failure("OpenService");
    if (!::ChangeServiceConfigW(s.get(), SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START,
                                SERVICE_ERROR_NORMAL, line.c_str(), nullptr, nullptr, nullptr,
                                nullptr, nullptr, display.c_str()))
      return last_failure("ChangeServiceConfig");
  } else if (!s) {
    return last_failure("CreateService");
  }
  std::vector<std::string> warnings;
  if (auto ok = harden(s.get(), warnings); !ok) return ok;
  for (const auto& w : warnings) fmt::print(stderr, "warden: warning: {}\n", w);
  return {};
}

base::Result<void> uninstall_service() {
  auto s = open_service(DELETE | SERVICE_STOP | SERVICE_QUERY_STATUS);
  if (!s) return s.error();
  if (!*s) return {};  // not installed: nothing to do
  SERVICE_STATUS ignored{};
  if (::ControlService(s->get(), SERVICE_CONTROL_STOP, &ignored))
    (void)wait_while(s->get(), SERVICE_STOP_PENDING, std::chrono::seconds(30));
  if (!::DeleteService(s->get()) && ::GetLastError() != ERROR_SERVICE_MARKED_FOR_DELETE)
    return last_failure("DeleteService");
  return {};
}

base::Result<void> start_service(std::chrono::seconds wait) {
  auto s = open_service(SERVICE_START | SERVICE_QUERY_STATUS);
  if (!s) return s.error();
  if (!*s) return failure("the Warden service is not installed (warden service install)");
  if (!::StartServiceW(s->get(), 0, nullptr) && ::GetLastError() != ERROR_SERVICE_ALREADY_RUNNING)
    return last_failure("StartService");
  auto st = wait_while(s->get(), SERVICE_START_PENDING, wait);
  if (!st) return st.error();
  if (st->dwCurrentState != SERVICE_RUNNING)
    return failure(
        fmt::format("the Warden service did not start: it is {} (exit code {}); see "
                    "warden.log in its state folder and the Event Log",
                    state_name(st->dwCurrentState), st->dwServiceSpecificExitCode));
  return {};
}

base::Result<void> stop_service(std::chrono::seconds wait) {
  auto s = open_service(SERVICE_STOP | SERVICE_QUERY_STATUS);
  if (!s) return s.error();
  if (!*s) return failure("the Warden service is not installed");
  SERVICE_STATUS ignored{};
  if (!::ControlService(s->get(), SERVICE_CONTROL_STOP, &ignored) &&
      ::GetLastError() != ERROR_SERVICE_NOT_ACTIVE)
    return last_failure("ControlService(STOP)");
  auto st = wait_while(s->get(), SERVICE_STOP_PENDING, wait);
  if (!st) return st.error();
  if (st->dwCurrentState != SERVICE_STOPPED)
    return failure(fmt::format("the Warden service is still {}", state_name(st->dwCurrentState)));
  return {};
}

base::Result<std::string> service_status() {
  auto s = open_service(SERVICE_QUERY_STATUS | SERVICE_QUERY_CONFIG);
  if (!s) return s.error();
  if (!*s) return std::string("not installed");
  auto st = query(s->get());
  if (!st) return st.error();
  std::string out = state_name(st->dwCurrentState);
  if (st->dwCurrentState == SERVICE_RUNNING) out += fmt::format(" (pid {})", st->dwProcessId);
  if (st->dwCurrentState == SERVICE_STOPPED)
    out += fmt::format(" (exit {})", st->dwWin32ExitCode == ERROR_SERVICE_SPECIFIC_ERROR
                                         ? st->dwServiceSpecificExitCode
                                         : st->dwWin32ExitCode);
  DWORD needed = 0;
  ::QueryServiceConfigW(s->get(), nullptr, 0, &needed);
  std::vector<unsigned char> buffer(needed);
  auto* config = reinterpret_cast<QUERY_SERVICE_CONFIGW*>(buffer.data());
  if (needed > 0 && ::QueryServiceConfigW(s->get(), config, needed, &needed))
    out += fmt::format(", starts {}, runs: {}",
                       config->dwStartType == SERVICE_AUTO_START ? "at boot" : "by hand",
                       narrow(config->lpBinaryPathName));
  return out;
}

int run_as_service(const std::function<int()>& main) {
  g_main = &main;
  std::wstring n = name();
  const SERVICE_TABLE_ENTRYW table[] = {{n.data(), service_main}, {nullptr, nullptr}};
  if (!::StartServiceCtrlDispatcherW(table)) {
    if (::GetLastError() == ERROR_FAILED_SERVICE_CONTROLLER_CONNECT)
      fmt::print(stderr,
                 "warden: `run --service` is for the service control manager; start the service "
                 "with `warden service start`, or run Warden in a console with `warden run`\n");
    else
      fmt::print(stderr, "warden: StartServiceCtrlDispatcher: {}\n", error_text(::GetLastError()));
    return 1;
  }
  return g_exit;
}

void report_service_running(const std::string& status) {
  report(SERVICE_RUNNING);
  if (g_status != nullptr)
    report_service_event(false,
                         status.empty() ? "Warden is running." : "Warden is running: " + status);
}

// The service control manager has no reload state and no watchdog: recovery actions restart
// a Warden that exits; one that hangs is not detected (docs/windows.md).
void report_service_reloading() {}
void report_service_stopping() {}
std::optional<std::chrono::microseconds> service_watchdog_interval() { return std::nullopt; }
void report_service_alive() {}

void report_service_event(bool error, const std::string& message) {
  if (g_status == nullptr) return;
  HANDLE source = ::RegisterEventSourceW(nullptr, name().c_str());
  if (source == nullptr) return;
  const std::wstring text = widen(message);
  const wchar_t* strings[] = {text.c_str()};
  ::ReportEventW(source, error ? EVENTLOG_ERROR_TYPE : EVENTLOG_INFORMATION_TYPE, 0, error ? 2 : 1,
                 nullptr, 1, 0, strings, nullptr);
  ::DeregisterEventSource(source);
}

std::string this_program() {
  std::wstring path(MAX_PATH, L'\0');
  for (;;) {
    const DWORD n = ::GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
    if (n < path.size()) {
      path.resize(n);
      return narrow(path);
    }
    path.resize(path.size() * 2);
  }
}

}  // namespace warden::platform
