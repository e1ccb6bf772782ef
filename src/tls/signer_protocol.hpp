#pragma once
// The messages between Warden and its certificate signer, the separate process that holds the
// CA key (app/signer_command.cpp). One message per datagram (SOCK_SEQPACKET). Sans-io.
//
// The signer trusts nothing in a request: a worker compromised through a parser bug may send
// anything, so a request is fixed-layout, bounded, and its name must be one a certificate may
// carry. All integers little-endian.
//   request: "WS1" u32 id, u8 has_not_after, i64 upstream_not_after (Unix seconds), u16 length,
//            the name (a lower-case DNS name or an IP literal)
//   answer:  "WS1" u32 id, u8 kind, the body (kind ok: the certificate's DER; refused and failed:
//            the reason in words; ready: "created" or "loaded")

#include "base/result.hpp"
#include "tls/certificate_authority.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace warden::tls {

inline constexpr std::size_t kMaxSignerMessage = 16 * 1024;

struct SignRequest {
  std::uint32_t id = 0;
  std::string name;
  std::optional<std::chrono::system_clock::time_point> upstream_not_after;
};

enum class SignerAnswerKind : std::uint8_t {
  Ok = 0,       // a certificate
  Refused = 1,  // this request is not signed (bad name, rate limit)
  Ready = 2,    // the signer started: the CA is loaded (or was created)
  Failed = 3,   // the signer cannot start (the CA does not load)
};

struct SignerAnswer {
  std::uint32_t id = 0;
  SignerAnswerKind kind = SignerAnswerKind::Refused;
  std::string body;
};

[[nodiscard]] std::string encode_request(const SignRequest& r);
[[nodiscard]] base::Result<SignRequest> decode_request(std::string_view message);
// The id of a request that does not decode, so its refusal reaches the asker (0: none).
[[nodiscard]] std::uint32_t request_id(std::string_view message);
[[nodiscard]] std::string encode_answer(const SignerAnswer& a);
[[nodiscard]] base::Result<SignerAnswer> decode_answer(std::string_view message);

// The leaf's public key as the signer's command line carries it: DER SubjectPublicKeyInfo in
// hex. nullptr when `hex` is not one.
[[nodiscard]] std::string public_key_to_hex(EVP_PKEY* key);
[[nodiscard]] PkeyPtr public_key_from_hex(const std::string& hex);

// A name a minted certificate may carry: an IP literal, or 1..253 bytes of lower-case DNS
// labels (letters, digits, '-', '_', a leading "*." wildcard), each 1..63 bytes.
[[nodiscard]] bool is_mintable_name(std::string_view name);

}  // namespace warden::tls
