#include "analysis/search_hash.hpp"

#include "base/hex.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>

namespace warden::analysis {

std::string search_hash(std::string_view key, std::string_view terms) {
  std::string folded(terms);
  std::transform(folded.begin(), folded.end(), folded.begin(), [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  });
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  std::size_t length = 0;
  // EVP_Q_mac fails only when OpenSSL cannot allocate; the line then carries no search field,
  // never the terms.
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(folded.data()), folded.size(), mac.data(),
                mac.size(), &length) == nullptr)
    return {};
  return base::to_hex(
      {reinterpret_cast<const char*>(mac.data()), std::min<std::size_t>(length, 16)});
}

}  // namespace warden::analysis
