#include "tls/signer_protocol.hpp"

#include "tls/cert_signer.hpp"
#include "tls/certificate_authority.hpp"
#include "tls/minter.hpp"
#include "tls/signing_service.hpp"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

namespace warden::tls {
namespace {

using namespace std::chrono_literals;

TEST(SignerProtocol, RequestsAndAnswersRoundTrip) {
  const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1'900'000'000));
  for (const SignRequest& r :
       {SignRequest{7, "example.com", std::nullopt}, SignRequest{0xffffffff, "*.cdn.example", when},
        SignRequest{1, "2001:db8::1", when}}) {
    auto back = decode_request(encode_request(r));
    ASSERT_TRUE(back) << r.name << ": " << back.error().context;
    EXPECT_EQ(back->id, r.id);
    EXPECT_EQ(back->name, r.name);
    EXPECT_EQ(back->upstream_not_after, r.upstream_not_after);
  }
  auto answer = decode_answer(encode_answer({9, SignerAnswerKind::Ok, std::string("\0der", 4)}));
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->id, 9u);
  EXPECT_EQ(answer->kind, SignerAnswerKind::Ok);
  EXPECT_EQ(answer->body, std::string("\0der", 4));
}

TEST(SignerProtocol, MalformedRequestsAreRefused) {
  const std::string good = encode_request({5, "example.com", std::nullopt});
  auto with_byte = [&](std::size_t at, char value) {
    std::string m = good;
    m[at] = value;
    return m;
  };
  const std::string cases[] = {
      "",
      "WS1",
      good.substr(0, good.size() - 1),  // shorter than its length says
      good + "x",                       // longer
      with_byte(0, 'X'),                // magic
      with_byte(7, 2),                  // flags
      with_byte(16, 0),                 // length 0: an empty name
  };
  for (const std::string& m : cases) EXPECT_FALSE(decode_request(m)) << testing::PrintToString(m);
  std::string negative = encode_request({5, "example.com", std::nullopt});
  negative[7] = 1;
  negative[15] = static_cast<char>(0x80);  // the date's top byte: before 1970
  EXPECT_FALSE(decode_request(negative));
  // Found by signer_protocol_fuzz (corpus regression-date-past-clock): a date in year 2438
  // passed the old year-9999 bound and overflowed the clock's nanoseconds (undefined
  // behaviour in the signer, on a request any worker can send). Refused now.
  std::string past_clock = encode_request({5, "example.com", std::nullopt});
  past_clock[7] = 1;
  const std::uint64_t year_2438 = 14'784'901'888;
  for (std::size_t i = 0; i < 8; ++i)
    past_clock[8 + i] = static_cast<char>(year_2438 >> (8 * (7 - i)));
  auto refused = decode_request(past_clock);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().context, "signer message: date out of range");
  EXPECT_FALSE(decode_answer("WS1\x01\x00\x00\x00\x09"));  // unknown kind
  EXPECT_FALSE(decode_answer("WS"));
}

TEST(SignerProtocol, TheLeafKeyCrossesTheCommandLineAsHex) {
  PkeyPtr key = generate_key(CaKeyType::EcdsaP256);
  const std::string hex = public_key_to_hex(key.get());
  EXPECT_EQ(hex.find_first_not_of("0123456789ABCDEF"), std::string::npos) << hex;
  PkeyPtr back = public_key_from_hex(hex);
  ASSERT_TRUE(back);
  EXPECT_EQ(EVP_PKEY_eq(back.get(), key.get()), 1);
  for (const std::string& bad : {std::string(), hex.substr(1), hex.substr(0, 20), "zz" + hex})
    EXPECT_FALSE(public_key_from_hex(bad)) << bad;
}

TEST(SignerProtocol, OnlyNamesACertificateMayCarry) {
  for (const char* ok : {"example.com", "*.example.com", "a-b_c.example", "localhost", "192.0.2.1",
                         "::1", "xn--bcher-kva.example"})
    EXPECT_TRUE(is_mintable_name(ok)) << ok;
  const std::string label64(64, 'a');
  const std::string long_name = std::string(250, 'a').insert(50, ".") + ".com";
  for (const std::string& bad :
       {std::string(), std::string("Example.com"), std::string("a..b"), std::string(".a"),
        std::string("a."), std::string("*.*.a"), std::string("a b"), std::string("a\0b", 3),
        std::string("a/b"), label64 + ".com", long_name, std::string("*"), std::string("é.fr")})
    EXPECT_FALSE(is_mintable_name(bad)) << testing::PrintToString(bad);
}

struct Signing {
  CertificateAuthority ca = *CertificateAuthority::create({});
  InProcessSigner signer{ca};
  Minter minter{signer, ca.not_after()};
};

TEST(SigningService, SignsForTheLeafKeyAndRefusesGarbage) {
  Signing s;
  SigningService service(s.minter, {100, 100});
  const auto now = std::chrono::steady_clock::now();
  auto ok = decode_answer(service.answer(encode_request({3, "example.com", std::nullopt}), now));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->id, 3u);
  ASSERT_EQ(ok->kind, SignerAnswerKind::Ok) << ok->body;
  const auto* der = reinterpret_cast<const unsigned char*>(ok->body.data());
  X509Ptr cert(d2i_X509(nullptr, &der, static_cast<long>(ok->body.size())));
  ASSERT_TRUE(cert);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(cert.get()), s.minter.leaf_key()), 1);
  EXPECT_EQ(X509_check_issued(s.ca.certificate(), cert.get()), X509_V_OK);

  auto garbage = decode_answer(service.answer("GET / HTTP/1.1\r\n\r\n", now));
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->kind, SignerAnswerKind::Refused);
  EXPECT_EQ(garbage->id, 0u);
  std::string bad_name = encode_request({12, "example.com", std::nullopt});
  bad_name[bad_name.size() - 4] = 'C';  // upper case: refused, to the asker's id
  auto refused = decode_answer(service.answer(bad_name, now));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->kind, SignerAnswerKind::Refused);
  EXPECT_EQ(refused->id, 12u);
  EXPECT_EQ(service.signed_count(), 1u);
  EXPECT_EQ(service.refused_count(), 2u);
}

TEST(SigningService, RateLimitRefusesBeyondTheBurstAndRefills) {
  Signing s;
  SigningService service(s.minter, {2, 3});  // 2 per second, bursts of 3
  const auto t0 = std::chrono::steady_clock::now();
  auto kind_at = [&](std::chrono::steady_clock::time_point t) {
    return decode_answer(service.answer(encode_request({1, "example.com", std::nullopt}), t))->kind;
  };
  for (int i = 0; i < 3; ++i) EXPECT_EQ(kind_at(t0), SignerAnswerKind::Ok) << i;
  EXPECT_EQ(kind_at(t0), SignerAnswerKind::Refused);
  EXPECT_EQ(kind_at(t0 + 100ms), SignerAnswerKind::Refused);  // 0.2 of a token
  EXPECT_EQ(kind_at(t0 + 600ms), SignerAnswerKind::Ok);       // 1.2 tokens by now
  EXPECT_EQ(kind_at(t0 + 600ms), SignerAnswerKind::Refused);
  EXPECT_EQ(kind_at(t0 + 1h), SignerAnswerKind::Ok);  // refilled, but never beyond the burst
  EXPECT_EQ(kind_at(t0 + 1h), SignerAnswerKind::Ok);
  EXPECT_EQ(kind_at(t0 + 1h), SignerAnswerKind::Ok);
  EXPECT_EQ(kind_at(t0 + 1h), SignerAnswerKind::Refused);
  EXPECT_EQ(service.signed_count(), 7u);
  EXPECT_EQ(service.refused_count(), 4u);
}

}  // namespace
}  // namespace warden::tls
