#include "platform/trust_store.hpp"

#include "platform/windows/win_text.hpp"

#include <fmt/format.h>

#include <memory>
#include <wincrypt.h>
#include <windows.h>

namespace warden::platform {
namespace {

using win::error_text;

base::Error last_failure(const char* call) {
  const DWORD code = ::GetLastError();
  if (code == ERROR_ACCESS_DENIED)
    return {base::ErrorCode::Internal, base::ErrorSource::Internal,
            fmt::format("{}: access denied (run it as an administrator)", call)};
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          fmt::format("{}: {}", call, error_text(code))};
}

struct StoreCloser {
  void operator()(HCERTSTORE s) const { ::CertCloseStore(s, 0); }
};
using Store = std::unique_ptr<void, StoreCloser>;

base::Result<Store> open_machine_root() {
  HCERTSTORE s =
      ::CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                      CERT_SYSTEM_STORE_LOCAL_MACHINE | CERT_STORE_OPEN_EXISTING_FLAG, L"ROOT");
  if (s == nullptr) return last_failure("CertOpenStore(LocalMachine\\Root)");
  return Store(s);
}

// The store's copy of `der` (by its SHA-1 thumbprint, as Windows finds certificates), or null.
PCCERT_CONTEXT find(HCERTSTORE store, const std::string& der) {
  BYTE thumbprint[20];
  DWORD size = sizeof thumbprint;
  if (!::CryptHashCertificate(0, CALG_SHA1, 0, reinterpret_cast<const BYTE*>(der.data()),
                              static_cast<DWORD>(der.size()), thumbprint, &size))
    return nullptr;
  CRYPT_HASH_BLOB blob{size, thumbprint};
  return ::CertFindCertificateInStore(store, X509_ASN_ENCODING | PKCS_7_ASN_ENCODING, 0,
                                      CERT_FIND_SHA1_HASH, &blob, nullptr);
}

// HKLM\SOFTWARE\Policies\Mozilla\Firefox\Certificates\ImportEnterpriseRoots = 1: Firefox keeps
// its own root list unless this policy tells it to read Windows' as well.
base::Result<void> tell_firefox() {
  const DWORD one = 1;
  const LSTATUS rc =
      ::RegSetKeyValueW(HKEY_LOCAL_MACHINE, L"SOFTWARE\\Policies\\Mozilla\\Firefox\\Certificates",
                        L"ImportEnterpriseRoots", REG_DWORD, &one, sizeof one);
  if (rc != ERROR_SUCCESS)
    return base::Error{
        base::ErrorCode::Internal, base::ErrorSource::Internal,
        "setting Firefox's ImportEnterpriseRoots policy: " + error_text(static_cast<DWORD>(rc))};
  return {};
}

}  // namespace

base::Result<void> install_trusted_root(const std::string& der) {
  auto store = open_machine_root();
  if (!store) return store.error();
  if (!::CertAddEncodedCertificateToStore(
          store->get(), X509_ASN_ENCODING, reinterpret_cast<const BYTE*>(der.data()),
          static_cast<DWORD>(der.size()), CERT_STORE_ADD_REPLACE_EXISTING, nullptr))
    return last_failure("CertAddEncodedCertificateToStore");
  return tell_firefox();
}

base::Result<void> remove_trusted_root(const std::string& der) {
  auto store = open_machine_root();
  if (!store) return store.error();
  // Every copy (a store may hold it more than once, from other tools).
  for (PCCERT_CONTEXT found = find(store->get(), der); found != nullptr;
       found = find(store->get(), der))
    if (!::CertDeleteCertificateFromStore(found))  // frees `found` either way
      return last_failure("CertDeleteCertificateFromStore");
  // Written back now, not whenever the store's last handle closes.
  if (!::CertControlStore(store->get(), 0, CERT_STORE_CTRL_COMMIT, nullptr))
    return last_failure("CertControlStore(COMMIT)");
  return {};
}

base::Result<bool> is_trusted_root(const std::string& der) {
  auto store = open_machine_root();
  if (!store) return store.error();
  PCCERT_CONTEXT found = find(store->get(), der);
  if (found == nullptr) return false;
  ::CertFreeCertificateContext(found);
  return true;
}

}  // namespace warden::platform
