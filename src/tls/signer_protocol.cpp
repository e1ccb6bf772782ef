#include "tls/signer_protocol.hpp"

#include "base/cidr.hpp"

#include <openssl/crypto.h>
#include <openssl/x509.h>

namespace warden::tls {
namespace {

constexpr std::string_view kMagic = "WS1";
constexpr std::size_t kRequestHeader = 3 + 4 + 1 + 8 + 2;
constexpr std::size_t kAnswerHeader = 3 + 4 + 1;
constexpr std::size_t kMaxName = 253;

template <class T>
void put(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((static_cast<std::uint64_t>(value) >> (8 * i)) & 0xff));
}

template <class T>
T get(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
  return static_cast<T>(v);
}

base::Error bad(std::string what) {
  return base::Error{base::ErrorCode::Internal, base::ErrorSource::Internal,
                     "signer message: " + std::move(what)};
}

bool dns_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

}  // namespace

bool is_mintable_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxName) return false;
  if (base::parse_ip(name)) return true;
  if (name.starts_with("*.")) name.remove_prefix(2);
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (!dns_label_char(c) || ++label > 63) {
      return false;
    }
  }
  return label != 0;
}

std::string public_key_to_hex(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  const int n = i2d_PUBKEY(key, &der);
  if (n <= 0) return {};
  std::string hex(2 * static_cast<std::size_t>(n) + 1, '\0');
  std::size_t length = 0;
  const bool ok = OPENSSL_buf2hexstr_ex(hex.data(), hex.size(), &length, der,
                                        static_cast<std::size_t>(n), '\0') == 1;
  OPENSSL_free(der);
  hex.resize(ok ? length - 1 : 0);  // (length counts the terminating NUL)
  return hex;
}

PkeyPtr public_key_from_hex(const std::string& hex) {
  std::string buf(hex.size() / 2, '\0');
  std::size_t length = 0;
  if (OPENSSL_hexstr2buf_ex(reinterpret_cast<unsigned char*>(buf.data()), buf.size(), &length,
                            hex.c_str(), '\0') != 1)
    return nullptr;
  const auto* p = reinterpret_cast<const unsigned char*>(buf.data());
  return PkeyPtr(d2i_PUBKEY(nullptr, &p, static_cast<long>(length)));
}

std::string encode_request(const SignRequest& r) {
  std::string out(kMagic);
  put<std::uint32_t>(out, r.id);
  put<std::uint8_t>(out, r.upstream_not_after ? 1 : 0);
  const std::int64_t not_after = r.upstream_not_after
                                     ? std::chrono::duration_cast<std::chrono::seconds>(
                                           r.upstream_not_after->time_since_epoch())
                                           .count()
                                     : 0;
  put<std::uint64_t>(out, static_cast<std::uint64_t>(not_after));
  put<std::uint16_t>(out, static_cast<std::uint16_t>(r.name.size()));
  out.append(r.name);
  return out;
}

base::Result<SignRequest> decode_request(std::string_view m) {
  if (m.size() < kRequestHeader || !m.starts_with(kMagic)) return bad("not a request");
  SignRequest r;
  r.id = get<std::uint32_t>(m, 3);
  const auto has_not_after = get<std::uint8_t>(m, 7);
  const auto not_after = static_cast<std::int64_t>(get<std::uint64_t>(m, 8));
  if (has_not_after > 1 || (has_not_after == 0 && not_after != 0)) return bad("bad flags");
  const auto length = get<std::uint16_t>(m, 16);
  if (m.size() != kRequestHeader + length) return bad("length does not match");
  r.name.assign(m.substr(kRequestHeader));
  if (!is_mintable_name(r.name)) return bad("not a name a certificate may carry");
  if (has_not_after != 0) {
    // Bounded so the conversion to the clock's nanoseconds cannot overflow (found by
    // signer_protocol_fuzz: the bound was year 9999, past the clock's year 2262); the minter
    // clamps it again (30 days at most).
    constexpr auto kLatest = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::time_point::max().time_since_epoch());
    if (not_after < 0 || not_after > kLatest.count()) return bad("date out of range");
    r.upstream_not_after = std::chrono::system_clock::time_point(std::chrono::seconds(not_after));
  }
  return r;
}

std::uint32_t request_id(std::string_view m) {
  return m.size() >= 7 && m.starts_with(kMagic) ? get<std::uint32_t>(m, 3) : 0;
}

std::string encode_answer(const SignerAnswer& a) {
  std::string out(kMagic);
  put<std::uint32_t>(out, a.id);
  put<std::uint8_t>(out, static_cast<std::uint8_t>(a.kind));
  out.append(a.body);
  return out;
}

base::Result<SignerAnswer> decode_answer(std::string_view m) {
  if (m.size() < kAnswerHeader || !m.starts_with(kMagic)) return bad("not an answer");
  SignerAnswer a;
  a.id = get<std::uint32_t>(m, 3);
  const auto kind = get<std::uint8_t>(m, 7);
  if (kind > static_cast<std::uint8_t>(SignerAnswerKind::Failed)) return bad("unknown kind");
  a.kind = static_cast<SignerAnswerKind>(kind);
  a.body.assign(m.substr(kAnswerHeader));
  return a;
}

}  // namespace warden::tls
