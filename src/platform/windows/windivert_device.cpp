#include "platform/windows/windivert_device.hpp"

#include "platform/windows/win_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <windows.h>

namespace warden::platform {
namespace {

using capture::packet::kWinDivertBatchMax;
using capture::packet::kWinDivertMtuMax;
using capture::packet::Packet;
using capture::packet::WinDivertAddress;

// windivert.h's enums and limits (values from its documentation).
constexpr int kLayerNetwork = 0;
constexpr int kParamQueueLength = 0;
constexpr int kParamQueueTime = 1;
constexpr int kParamQueueSize = 2;
constexpr int kParamVersionMajor = 3;
// Reflection diverts each segment twice (the client's, then the listener's answer): the
// longest queue and the largest size WinDivert allows, so a burst waits instead of being
// dropped; the default time (2 s) stays, so a hung Warden drops packets (closed) instead of
// holding them.
constexpr std::uint64_t kQueueLength = 16384;
constexpr std::uint64_t kQueueSize = 32 * 1024 * 1024;
constexpr std::uint64_t kQueueTime = 2000;
// Above the other WinDivert users a school might run (priority is -30000..30000, higher first):
// Warden sees packets before they could be changed for it.
constexpr std::int16_t kPriority = 1000;
// Batches of the packet loop's size (64); the receive buffer holds such a batch of full-size
// Ethernet packets, and at least one of the largest WinDivert can hand over.
constexpr std::size_t kBatch = 64;
constexpr std::size_t kReceiveBuffer = std::max<std::size_t>(kBatch * 1600, 2 * kWinDivertMtuMax);
static_assert(kBatch <= kWinDivertBatchMax);

std::string last_error_text() { return win::error_text(::GetLastError()); }

}  // namespace

// The user-mode API, loaded from WinDivert.dll.
struct WinDivertDevice::Api {
  using Open = HANDLE(__cdecl*)(const char*, int, std::int16_t, std::uint64_t);
  using RecvEx = BOOL(__cdecl*)(HANDLE, void*, UINT, UINT*, std::uint64_t, WinDivertAddress*, UINT*,
                                LPOVERLAPPED);
  using SendEx = BOOL(__cdecl*)(HANDLE, const void*, UINT, UINT*, std::uint64_t,
                                const WinDivertAddress*, UINT, LPOVERLAPPED);
  using Close = BOOL(__cdecl*)(HANDLE);
  using SetParam = BOOL(__cdecl*)(HANDLE, int, std::uint64_t);
  using GetParam = BOOL(__cdecl*)(HANDLE, int, std::uint64_t*);

  HMODULE dll = nullptr;
  Open open = nullptr;
  RecvEx recv_ex = nullptr;
  SendEx send_ex = nullptr;
  Close close = nullptr;
  SetParam set_param = nullptr;
  GetParam get_param = nullptr;

  static base::Result<Api> load() {
    Api api;
    // Only warden.exe's folder and System32: never the current folder (DLL planting).
    api.dll = ::LoadLibraryExW(L"WinDivert.dll", nullptr,
                               LOAD_LIBRARY_SEARCH_APPLICATION_DIR | LOAD_LIBRARY_SEARCH_SYSTEM32);
    if (api.dll == nullptr)
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         fmt::format("WinDivert.dll is not beside warden.exe ({}); the school's "
                                     "installer puts WinDivert 2.2's signed DLL and driver there "
                                     "(docs/windows.md)",
                                     last_error_text())};
    bool ok = true;
    auto find = [&](auto& fn, const char* name) {
      fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(
          reinterpret_cast<void*>(::GetProcAddress(api.dll, name)));
      ok &= fn != nullptr;
    };
    find(api.open, "WinDivertOpen");
    find(api.recv_ex, "WinDivertRecvEx");
    find(api.send_ex, "WinDivertSendEx");
    find(api.close, "WinDivertClose");
    find(api.set_param, "WinDivertSetParam");
    find(api.get_param, "WinDivertGetParam");
    if (!ok) {
      ::FreeLibrary(api.dll);
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         "WinDivert.dll lacks the WinDivert 2.x functions (an 1.x DLL?)"};
    }
    return api;
  }
};

struct WinDivertDevice::State {
  Api api;
  HANDLE handle = INVALID_HANDLE_VALUE;
  HANDLE wake_event = nullptr;
  OVERLAPPED overlapped{};
  bool pending = false;  // a WinDivertRecvEx is in flight into `buffer`/`addresses`
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(kReceiveBuffer);
  std::array<WinDivertAddress, kBatch> addresses{};
  UINT received = 0;
  UINT address_bytes = 0;
  std::vector<std::uint8_t> out = std::vector<std::uint8_t>(kBatch * kWinDivertMtuMax);
  std::array<WinDivertAddress, kBatch> out_addresses{};
};

WinDivertDevice::WinDivertDevice(std::unique_ptr<State> state) : state_(std::move(state)) {}

base::Result<std::unique_ptr<WinDivertDevice>> WinDivertDevice::open(const std::string& filter) {
  auto api = Api::load();
  if (!api) return api.error();
  auto s = std::make_unique<State>();
  s->api = *api;
  s->handle = s->api.open(filter.c_str(), kLayerNetwork, kPriority, 0);
  if (s->handle == INVALID_HANDLE_VALUE) {
    const DWORD code = ::GetLastError();
    ::FreeLibrary(s->api.dll);
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       "WinDivert: " + capture::packet::windivert_open_error(code)};
  }
  std::uint64_t major = 0;
  if (s->api.get_param(s->handle, kParamVersionMajor, &major) && major < 2) {
    s->api.close(s->handle);
    ::FreeLibrary(s->api.dll);
    return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                       fmt::format("WinDivert driver {}.x is too old: Warden needs 2.2", major)};
  }
  (void)s->api.set_param(s->handle, kParamQueueLength, kQueueLength);
  (void)s->api.set_param(s->handle, kParamQueueSize, kQueueSize);
  (void)s->api.set_param(s->handle, kParamQueueTime, kQueueTime);
  s->overlapped.hEvent = ::CreateEventW(nullptr, TRUE, FALSE, nullptr);
  s->wake_event = ::CreateEventW(nullptr, FALSE, FALSE, nullptr);
  return std::unique_ptr<WinDivertDevice>(new WinDivertDevice(std::move(s)));
}

WinDivertDevice::~WinDivertDevice() {
  State& s = *state_;
  if (s.pending) {
    ::CancelIoEx(s.handle, &s.overlapped);
    DWORD ignored = 0;
    ::GetOverlappedResult(s.handle, &s.overlapped, &ignored, TRUE);
  }
  s.api.close(s.handle);  // the driver stops diverting: what it held is dropped
  ::CloseHandle(s.overlapped.hEvent);
  ::CloseHandle(s.wake_event);
  ::FreeLibrary(s.api.dll);
}

base::Result<std::size_t> WinDivertDevice::receive(std::span<Packet> batch,
                                                   std::chrono::milliseconds timeout) {
  State& s = *state_;
  if (!s.pending) {
    ::ResetEvent(s.overlapped.hEvent);
    s.address_bytes = static_cast<UINT>(sizeof(WinDivertAddress) * std::min(batch.size(), kBatch));
    if (s.api.recv_ex(s.handle, s.buffer.data(), static_cast<UINT>(s.buffer.size()), &s.received, 0,
                      s.addresses.data(), &s.address_bytes, &s.overlapped)) {
      s.pending = false;
    } else if (::GetLastError() == ERROR_IO_PENDING) {
      s.pending = true;
    } else {
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         "WinDivertRecvEx: " + last_error_text()};
    }
  }
  if (s.pending) {
    // A timeout or a wake leaves the receive in flight: the next call waits on it again, so no
    // packet the driver handed over is lost.
    const std::array<HANDLE, 2> waits{s.overlapped.hEvent, s.wake_event};
    const DWORD w =
        ::WaitForMultipleObjects(2, waits.data(), FALSE, static_cast<DWORD>(timeout.count()));
    if (w != WAIT_OBJECT_0) return std::size_t{0};
    DWORD bytes = 0;
    if (!::GetOverlappedResult(s.handle, &s.overlapped, &bytes, FALSE)) {
      s.pending = false;
      return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                         "WinDivertRecvEx: " + last_error_text()};
    }
    s.received = bytes;
    s.pending = false;
  }
  const std::size_t records = std::min<std::size_t>(s.address_bytes / sizeof(WinDivertAddress),
                                                    std::min(batch.size(), kBatch));
  const auto packets = capture::packet::split_batch(
      std::span<const std::uint8_t>(s.buffer.data(), s.received), records);
  for (std::size_t i = 0; i < packets.size(); ++i) {
    batch[i].bytes.assign(packets[i].begin(), packets[i].end());
    batch[i].offload = {};
    capture::packet::from_windivert(s.addresses[i], batch[i]);
  }
  return packets.size();
}

void WinDivertDevice::send(std::span<const Packet> batch) {
  State& s = *state_;
  std::size_t at = 0;
  std::size_t count = 0;
  for (const Packet& p : batch.first(std::min(batch.size(), kBatch))) {
    std::copy(p.bytes.begin(), p.bytes.end(), s.out.begin() + static_cast<std::ptrdiff_t>(at));
    at += p.bytes.size();
    s.out_addresses[count++] = capture::packet::to_windivert(p);
  }
  if (count == 0) return;
  UINT sent = 0;
  if (!s.api.send_ex(s.handle, s.out.data(), static_cast<UINT>(at), &sent, 0,
                     s.out_addresses.data(), static_cast<UINT>(count * sizeof(WinDivertAddress)),
                     nullptr))
    send_drops_ += count;  // TCP recovers; nothing queues without bound
  send_drops_ += batch.size() - std::min(batch.size(), kBatch);
}

void WinDivertDevice::wake() { ::SetEvent(state_->wake_event); }

}  // namespace warden::platform
