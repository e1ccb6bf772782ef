#include "platform/sockets.hpp"

#include <cstring>
#include <iphlpapi.h>
#include <vector>
#include <windows.h>
#include <winsock2.h>
#include <ws2tcpip.h>

namespace warden::platform {
namespace {

namespace ip = boost::asio::ip;

// The last sub-authority of the SID of `pid`'s user: its RID, which is what user_id() reports
// for an account name (500 Administrator, 1001 the first local user, ...).
std::optional<std::uint32_t> process_user_rid(DWORD pid) {
  HANDLE process = ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
  if (process == nullptr) return std::nullopt;
  HANDLE token = nullptr;
  std::optional<std::uint32_t> rid;
  if (::OpenProcessToken(process, TOKEN_QUERY, &token) != 0) {
    alignas(TOKEN_USER) unsigned char buffer[256];
    DWORD size = 0;
    if (::GetTokenInformation(token, TokenUser, buffer, sizeof buffer, &size) != 0) {
      PSID sid = reinterpret_cast<TOKEN_USER*>(buffer)->User.Sid;
      const UCHAR parts = *::GetSidSubAuthorityCount(sid);
      if (parts > 0) rid = static_cast<std::uint32_t>(*::GetSidSubAuthority(sid, parts - 1));
    }
    ::CloseHandle(token);
  }
  ::CloseHandle(process);
  return rid;
}

// The TCP table with owning processes for `family` (a snapshot: the whole table per call).
std::vector<unsigned char> tcp_table(ULONG family) {
  std::vector<unsigned char> table(16 * 1024);
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto size = static_cast<DWORD>(table.size());
    const DWORD rc = ::GetExtendedTcpTable(table.data(), &size, FALSE, family,
                                           TCP_TABLE_OWNER_PID_CONNECTIONS, 0);
    if (rc == NO_ERROR) return table;
    if (rc != ERROR_INSUFFICIENT_BUFFER) return {};
    table.resize(size + 4096);  // it may grow between the calls
  }
  return {};
}

std::uint16_t port_of(DWORD network_order) {
  return ntohs(static_cast<std::uint16_t>(network_order & 0xffff));
}

std::optional<DWORD> owner_pid_v4(const ip::tcp::endpoint& client,
                                  const ip::tcp::endpoint& remote) {
  const auto table = tcp_table(AF_INET);
  if (table.empty()) return std::nullopt;
  const auto* rows = reinterpret_cast<const MIB_TCPTABLE_OWNER_PID*>(table.data());
  const auto local_bytes = client.address().to_v4().to_bytes();
  const auto remote_bytes = remote.address().to_v4().to_bytes();
  for (DWORD i = 0; i < rows->dwNumEntries; ++i) {
    const MIB_TCPROW_OWNER_PID& row = rows->table[i];
    if (port_of(row.dwLocalPort) != client.port() || port_of(row.dwRemotePort) != remote.port())
      continue;
    if (std::memcmp(&row.dwLocalAddr, local_bytes.data(), 4) == 0 &&
        std::memcmp(&row.dwRemoteAddr, remote_bytes.data(), 4) == 0)
      return row.dwOwningPid;
  }
  return std::nullopt;
}

std::optional<DWORD> owner_pid_v6(const ip::tcp::endpoint& client,
                                  const ip::tcp::endpoint& remote) {
  const auto table = tcp_table(AF_INET6);
  if (table.empty()) return std::nullopt;
  const auto* rows = reinterpret_cast<const MIB_TCP6TABLE_OWNER_PID*>(table.data());
  const auto local_bytes = client.address().to_v6().to_bytes();
  const auto remote_bytes = remote.address().to_v6().to_bytes();
  for (DWORD i = 0; i < rows->dwNumEntries; ++i) {
    const MIB_TCP6ROW_OWNER_PID& row = rows->table[i];
    if (port_of(row.dwLocalPort) != client.port() || port_of(row.dwRemotePort) != remote.port())
      continue;
    if (std::memcmp(row.ucLocalAddr, local_bytes.data(), 16) == 0 &&
        std::memcmp(row.ucRemoteAddr, remote_bytes.data(), 16) == 0)
      return row.dwOwningPid;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::uint32_t> local_socket_owner(const ip::tcp::endpoint& client,
                                                const ip::tcp::endpoint& remote) {
  const bool v4 = client.address().is_v4() && remote.address().is_v4();
  const auto pid = v4 ? owner_pid_v4(client, remote) : owner_pid_v6(client, remote);
  if (!pid) return std::nullopt;
  return process_user_rid(*pid);
}

}  // namespace warden::platform
