#include "platform/trust_store.hpp"

namespace warden::platform {
namespace {

base::Error not_here() {
  return {base::ErrorCode::Internal, base::ErrorSource::Internal,
          "on Linux, trust the CA with the commands `warden ca show` prints (distributions keep "
          "their roots differently)"};
}

}  // namespace

base::Result<void> install_trusted_root(const std::string&) { return not_here(); }
base::Result<void> remove_trusted_root(const std::string&) { return not_here(); }
base::Result<bool> is_trusted_root(const std::string&) { return not_here(); }

}  // namespace warden::platform
