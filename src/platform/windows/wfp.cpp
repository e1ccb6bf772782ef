#include "platform/wfp.hpp"

#include "platform/service_plan.hpp"
#include "platform/windows/wfp_constants.hpp"
#include "platform/windows/win_text.hpp"

#include <fmt/format.h>

#include <fwpmu.h>
#include <memory>
#include <sddl.h>
#include <vector>
#include <windows.h>

namespace warden::platform {
namespace {

using win::error_text;
using win::widen;

GUID to_guid(const WfpGuid& g) {
  GUID out{g.data1, g.data2, g.data3, {}};
  for (std::size_t i = 0; i < 8; ++i) out.Data4[i] = g.data4[i];
  return out;
}

GUID layer_key(WfpLayer l) {
  switch (l) {
    case WfpLayer::ConnectV4:
      return wfp::kLayerAleAuthConnectV4;
    case WfpLayer::ConnectV6:
      return wfp::kLayerAleAuthConnectV6;
    case WfpLayer::RecvAcceptV4:
      return wfp::kLayerAleAuthRecvAcceptV4;
    case WfpLayer::RecvAcceptV6:
      return wfp::kLayerAleAuthRecvAcceptV6;
  }
  return wfp::kLayerAleAuthConnectV4;
}

base::Error failure(std::string what) {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal, std::move(what)};
}

base::Error call_failed(const char* call, DWORD rc) {
  return failure(fmt::format("{}: {}", call, error_text(rc)));
}

// An open filtering-engine session; a dynamic one takes everything it added when it closes.
class Engine {
 public:
  static base::Result<std::unique_ptr<Engine>> open(bool dynamic) {
    FWPM_SESSION0 session{};
    std::wstring name = L"Warden";
    session.displayData.name = name.data();
    session.flags = dynamic ? wfp::kSessionFlagDynamic : 0;
    session.txnWaitTimeoutInMSec = INFINITE;
    HANDLE h = nullptr;
    const DWORD rc = ::FwpmEngineOpen0(nullptr, RPC_C_AUTHN_WINNT, nullptr, &session, &h);
    if (rc != ERROR_SUCCESS)
      return failure(fmt::format(
          "the Windows Filtering Platform cannot be opened ({}): Wine has none; on Windows "
          "check that the Base Filtering Engine service runs and that this is an administrator",
          error_text(rc)));
    return std::unique_ptr<Engine>(new Engine(h));
  }
  ~Engine() { ::FwpmEngineClose0(handle_); }
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  [[nodiscard]] HANDLE handle() const { return handle_; }

  // Runs `body` in one transaction: all of it or none.
  template <class F>
  base::Result<void> transaction(F&& body) {
    if (DWORD rc = ::FwpmTransactionBegin0(handle_, 0); rc != ERROR_SUCCESS)
      return call_failed("FwpmTransactionBegin0", rc);
    base::Result<void> r = body();
    if (!r) {
      ::FwpmTransactionAbort0(handle_);
      return r;
    }
    if (DWORD rc = ::FwpmTransactionCommit0(handle_); rc != ERROR_SUCCESS)
      return call_failed("FwpmTransactionCommit0", rc);
    return {};
  }

 private:
  explicit Engine(HANDLE h) : handle_(h) {}
  HANDLE handle_;
};

// What the conditions point at (the program's app id, the service SID's descriptor).
struct ConditionValues {
  FWP_BYTE_BLOB* app_id = nullptr;
  FWP_BYTE_BLOB service_sd{};
  PSECURITY_DESCRIPTOR sd = nullptr;
  ~ConditionValues() {
    if (app_id != nullptr) ::FwpmFreeMemory0(reinterpret_cast<void**>(&app_id));
    if (sd != nullptr) ::LocalFree(sd);
  }
};

base::Result<void> load_identity(ConditionValues& v, const std::string& program) {
  if (DWORD rc = ::FwpmGetAppIdFromFileName0(widen(program).c_str(), &v.app_id);
      rc != ERROR_SUCCESS)
    return call_failed("FwpmGetAppIdFromFileName0", rc);
  // The service's own SID (NT SERVICE\Warden, given by its SID type): only the service's
  // process matches, not another program started from the same file.
  const std::wstring account = L"NT SERVICE\\" + widen(std::string(kServiceName));
  std::vector<unsigned char> sid(SECURITY_MAX_SID_SIZE);
  DWORD sid_size = static_cast<DWORD>(sid.size());
  std::wstring domain(256, L'\0');
  DWORD domain_size = static_cast<DWORD>(domain.size());
  SID_NAME_USE use{};
  if (!::LookupAccountNameW(nullptr, account.c_str(), sid.data(), &sid_size, domain.data(),
                            &domain_size, &use))
    return failure("the Warden service's SID is unknown (install the service first): " +
                   error_text(::GetLastError()));
  LPWSTR sid_text = nullptr;
  if (!::ConvertSidToStringSidW(sid.data(), &sid_text))
    return call_failed("ConvertSidToStringSid", ::GetLastError());
  const std::wstring sddl = L"D:(A;;CC;;;" + std::wstring(sid_text) + L")";  // CC: match filter
  ::LocalFree(sid_text);
  ULONG size = 0;
  if (!::ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.c_str(), SDDL_REVISION_1, &v.sd,
                                                              &size))
    return call_failed("ConvertStringSecurityDescriptorToSecurityDescriptor", ::GetLastError());
  v.service_sd = {size, static_cast<UINT8*>(v.sd)};
  return {};
}

base::Result<void> add_filter(HANDLE engine, const WfpFilter& f, const ConditionValues& v) {
  std::vector<FWPM_FILTER_CONDITION0> conditions;
  for (const auto& c : f.conditions) {
    FWPM_FILTER_CONDITION0 fc{};
    fc.matchType = FWP_MATCH_EQUAL;
    switch (c.field) {
      case WfpCondition::Field::Protocol:
        fc.fieldKey = wfp::kConditionIpProtocol;
        fc.conditionValue.type = FWP_UINT8;
        fc.conditionValue.uint8 = static_cast<UINT8>(c.value);
        break;
      case WfpCondition::Field::RemotePort:
      case WfpCondition::Field::LocalPort:
        fc.fieldKey = c.field == WfpCondition::Field::RemotePort ? wfp::kConditionIpRemotePort
                                                                 : wfp::kConditionIpLocalPort;
        fc.conditionValue.type = FWP_UINT16;
        fc.conditionValue.uint16 = c.value;
        break;
      case WfpCondition::Field::AppIsWarden:
        fc.fieldKey = wfp::kConditionAleAppId;
        fc.conditionValue.type = FWP_BYTE_BLOB_TYPE;
        fc.conditionValue.byteBlob = v.app_id;
        break;
      case WfpCondition::Field::UserIsService:
        fc.fieldKey = wfp::kConditionAleUserId;
        fc.conditionValue.type = FWP_SECURITY_DESCRIPTOR_TYPE;
        fc.conditionValue.sd = const_cast<FWP_BYTE_BLOB*>(&v.service_sd);
        break;
    }
    conditions.push_back(fc);
  }
  std::wstring name = widen(f.name);
  GUID provider = to_guid(kWfpProvider);
  FWPM_FILTER0 filter{};
  filter.filterKey = to_guid(f.key);
  filter.displayData.name = name.data();
  filter.flags = (f.lifetime == WfpLifetime::Persistent ? wfp::kFilterFlagPersistent
                  : f.lifetime == WfpLifetime::BootTime ? wfp::kFilterFlagBootTime
                                                        : 0) |
                 (f.hard_permit ? wfp::kFilterFlagClearActionRight : 0);
  // Boot-time filters stand alone: the provider is not there yet when they apply.
  if (f.lifetime != WfpLifetime::BootTime) filter.providerKey = &provider;
  filter.layerKey = layer_key(f.layer);
  filter.subLayerKey = to_guid(kWfpSublayer);
  filter.weight.type = FWP_UINT8;
  filter.weight.uint8 = f.weight;
  filter.numFilterConditions = static_cast<UINT32>(conditions.size());
  filter.filterCondition = conditions.data();
  filter.action.type = f.action == WfpAction::Block ? FWP_ACTION_BLOCK : FWP_ACTION_PERMIT;
  UINT64 id = 0;
  if (DWORD rc = ::FwpmFilterAdd0(engine, &filter, nullptr, &id); rc != ERROR_SUCCESS)
    return failure(fmt::format("adding WFP filter \"{}\": {}", f.name, error_text(rc)));
  return {};
}

bool gone(DWORD rc) {
  return rc == ERROR_SUCCESS || rc == static_cast<DWORD>(FWP_E_FILTER_NOT_FOUND) ||
         rc == static_cast<DWORD>(FWP_E_SUBLAYER_NOT_FOUND) ||
         rc == static_cast<DWORD>(FWP_E_PROVIDER_NOT_FOUND);
}

base::Result<void> delete_everything(HANDLE engine) {
  WfpSettings any;
  for (const auto& f : fail_closed_filters(any)) {
    const GUID key = to_guid(f.key);
    if (DWORD rc = ::FwpmFilterDeleteByKey0(engine, &key); !gone(rc))
      return call_failed("FwpmFilterDeleteByKey0", rc);
  }
  const GUID sublayer = to_guid(kWfpSublayer);
  if (DWORD rc = ::FwpmSubLayerDeleteByKey0(engine, &sublayer); !gone(rc))
    return call_failed("FwpmSubLayerDeleteByKey0", rc);
  const GUID provider = to_guid(kWfpProvider);
  if (DWORD rc = ::FwpmProviderDeleteByKey0(engine, &provider); !gone(rc))
    return call_failed("FwpmProviderDeleteByKey0", rc);
  return {};
}

class DynamicPermit final : public HealthyPermit {
 public:
  explicit DynamicPermit(std::unique_ptr<Engine> e) : engine_(std::move(e)) {}

 private:
  std::unique_ptr<Engine> engine_;  // closing it removes the permit
};

}  // namespace

base::Result<void> install_fail_closed(const WfpSettings& s, const std::string& program) {
  auto engine = Engine::open(false);
  if (!engine) return engine.error();
  ConditionValues values;
  if (auto ok = load_identity(values, program); !ok) return ok;
  const HANDLE h = (*engine)->handle();
  return (*engine)->transaction([&]() -> base::Result<void> {
    if (auto ok = delete_everything(h); !ok) return ok;  // replaced whole, never doubled
    std::wstring provider_name = L"Warden";
    // Named after its service, which starts at boot: Windows keeps the provider's filters on.
    std::wstring service = widen(std::string(kServiceName));
    FWPM_PROVIDER0 provider{};
    provider.providerKey = to_guid(kWfpProvider);
    provider.displayData.name = provider_name.data();
    provider.flags = wfp::kProviderFlagPersistent;
    provider.serviceName = service.data();
    if (DWORD rc = ::FwpmProviderAdd0(h, &provider, nullptr); rc != ERROR_SUCCESS)
      return call_failed("FwpmProviderAdd0", rc);
    std::wstring sublayer_name = L"Warden fail-closed";
    GUID provider_key = to_guid(kWfpProvider);
    FWPM_SUBLAYER0 sublayer{};
    sublayer.subLayerKey = to_guid(kWfpSublayer);
    sublayer.displayData.name = sublayer_name.data();
    sublayer.flags = wfp::kSublayerFlagPersistent;
    sublayer.providerKey = &provider_key;
    sublayer.weight = 0xFFFF;
    if (DWORD rc = ::FwpmSubLayerAdd0(h, &sublayer, nullptr); rc != ERROR_SUCCESS)
      return call_failed("FwpmSubLayerAdd0", rc);
    for (const auto& f : fail_closed_filters(s))
      if (auto ok = add_filter(h, f, values); !ok) return ok;
    return {};
  });
}

base::Result<void> remove_fail_closed() {
  auto engine = Engine::open(false);
  if (!engine) return engine.error();
  const HANDLE h = (*engine)->handle();
  return (*engine)->transaction([&] { return delete_everything(h); });
}

base::Result<std::string> fail_closed_status() {
  auto engine = Engine::open(false);
  if (!engine) return engine.error();
  const GUID key = to_guid(fail_closed_filters({}).front().key);
  FWPM_FILTER0* found = nullptr;
  const DWORD rc = ::FwpmFilterGetByKey0((*engine)->handle(), &key, &found);
  if (rc == ERROR_SUCCESS) {
    ::FwpmFreeMemory0(reinterpret_cast<void**>(&found));
    return std::string("installed");
  }
  return std::string("not installed");
}

base::Result<std::unique_ptr<HealthyPermit>> open_healthy_permit(const WfpSettings& s) {
  auto engine = Engine::open(true);
  if (!engine) return engine.error();
  ConditionValues none;  // the healthy permits name no program or user
  const HANDLE h = (*engine)->handle();
  auto added = (*engine)->transaction([&]() -> base::Result<void> {
    for (const auto& f : healthy_filters(s))
      if (auto ok = add_filter(h, f, none); !ok) return ok;
    return {};
  });
  if (!added) return added.error();
  return std::unique_ptr<HealthyPermit>(new DynamicPermit(std::move(*engine)));
}

}  // namespace warden::platform
