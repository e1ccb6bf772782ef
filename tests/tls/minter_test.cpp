#include "tls/minter.hpp"

#include "tls/cert_cache.hpp"
#include "tls/upstream_tls.hpp"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <thread>

namespace warden::tls {
namespace {

using Clock = std::chrono::system_clock;
using namespace std::chrono_literals;

struct Pki {
  CertificateAuthority ca = *CertificateAuthority::create({});
  InProcessSigner signer{ca};
  Minter minter{signer, ca.not_after()};
};

std::string san_of(X509* cert) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  std::string out;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    GENERAL_NAME* n = sk_GENERAL_NAME_value(names, i);
    if (n->type == GEN_DNS)
      out +=
          "DNS:" + std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)));
    if (n->type == GEN_IPADD) out += "IP:" + std::to_string(ASN1_STRING_length(n->d.iPAddress));
  }
  GENERAL_NAMES_free(names);
  return out;
}

bool verifies_with(X509* leaf, X509* ca, const char* host) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_VERIFY_PARAM* p = X509_STORE_CTX_get0_param(ctx);
  X509_VERIFY_PARAM_set_purpose(p, X509_PURPOSE_SSL_SERVER);
  X509_VERIFY_PARAM_set_flags(p, X509_V_FLAG_X509_STRICT);
  X509_VERIFY_PARAM_set1_host(p, host, 0);
  const bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

TEST(Minter, LeafHasTheFieldsABrowserChecks) {
  Pki pki;
  const auto upstream_expiry = Clock::now() + 90 * 24h;
  auto leaf = pki.minter.mint("www.example.com", upstream_expiry);
  ASSERT_TRUE(leaf) << leaf.error().context;
  X509* c = leaf->get();
  EXPECT_EQ(san_of(c), "DNS:www.example.com");
  EXPECT_EQ(X509_check_ca(c), 0);
  EXPECT_EQ(X509_get_extended_key_usage(c), XKU_SSL_SERVER);
  EXPECT_EQ(X509_get_key_usage(c), KU_DIGITAL_SIGNATURE);
  EXPECT_NE(X509_get0_subject_key_id(c), nullptr);
  EXPECT_NE(X509_get0_authority_key_id(c), nullptr);
  EXPECT_GE(X509_get0_serialNumber(c)->length, 15);
  EXPECT_EQ(X509_get_signature_nid(c), NID_ecdsa_with_SHA256);
  const auto not_before = asn1_time_point(X509_get0_notBefore(c));
  const auto not_after = asn1_time_point(X509_get0_notAfter(c));
  EXPECT_NEAR(std::chrono::duration<double>(Clock::now() - not_before).count(), 86400.0, 120.0);
  EXPECT_NEAR(std::chrono::duration<double>(not_after - Clock::now()).count(), 30 * 86400.0, 120.0);
  EXPECT_TRUE(verifies_with(c, pki.ca.certificate(), "www.example.com"));
  EXPECT_FALSE(verifies_with(c, pki.ca.certificate(), "other.example.com"));
}

TEST(Minter, NeverOutlivesTheUpstreamCertificate) {
  Pki pki;
  const auto soon = Clock::now() + 5 * 24h;
  auto leaf = pki.minter.mint("short.test", soon);
  ASSERT_TRUE(leaf);
  EXPECT_LE(asn1_time_point(X509_get0_notAfter(leaf->get())), soon);
}

TEST(Minter, IpTargetsGetAnIpSan) {
  Pki pki;
  auto leaf = pki.minter.mint("192.0.2.7", std::nullopt);
  ASSERT_TRUE(leaf);
  EXPECT_EQ(san_of(leaf->get()), "IP:4");
  auto v6 = pki.minter.mint("2001:db8::1", std::nullopt);
  ASSERT_TRUE(v6);
  EXPECT_EQ(san_of(v6->get()), "IP:16");
}

TEST(Minter, OneLeafKeyForEveryName) {
  Pki pki;
  auto a = pki.minter.mint("a.test", std::nullopt);
  auto b = pki.minter.mint("b.test", std::nullopt);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(EVP_PKEY_eq(X509_get0_pubkey(a->get()), X509_get0_pubkey(b->get())), 1);
  EXPECT_NE(ASN1_INTEGER_cmp(X509_get0_serialNumber(a->get()), X509_get0_serialNumber(b->get())),
            0);
}

TEST(CertCache, HitsAfterTheFirstMintAndEvictsLeastRecentlyUsed) {
  Pki pki;
  CertCache cache(pki.minter, 2, 1);  // one shard of two entries
  auto a1 = cache.get("a.test", std::nullopt);
  auto a2 = cache.get("a.test", std::nullopt);
  ASSERT_TRUE(a1 && a2);
  EXPECT_EQ(a1->get(), a2->get());
  EXPECT_EQ(cache.mints(), 1u);
  ASSERT_TRUE(cache.get("b.test", std::nullopt));
  ASSERT_TRUE(cache.get("a.test", std::nullopt));  // a is now the most recent
  ASSERT_TRUE(cache.get("c.test", std::nullopt));  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.mints(), 3u);
  ASSERT_TRUE(cache.get("a.test", std::nullopt));
  EXPECT_EQ(cache.mints(), 3u);
  ASSERT_TRUE(cache.get("b.test", std::nullopt));
  EXPECT_EQ(cache.mints(), 4u);
}

TEST(CertCache, KeyedByTheUpstreamExpiryToo) {
  Pki pki;
  CertCache cache(pki.minter);
  ASSERT_TRUE(cache.get("a.test", Clock::now() + 40 * 24h));
  ASSERT_TRUE(cache.get("a.test", Clock::now() + 10 * 24h));
  EXPECT_EQ(cache.mints(), 2u);
}

TEST(CertCache, ConcurrentFirstRequestsMintOnce) {
  Pki pki;
  CertCache cache(pki.minter);
  std::vector<std::thread> threads;
  std::vector<MintedCertPtr> got(8);
  for (std::size_t i = 0; i < got.size(); ++i)
    threads.emplace_back([&, i] { got[i] = *cache.get("same.test", std::nullopt); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(cache.mints(), 1u);
  for (const auto& g : got) EXPECT_EQ(g.get(), got[0].get());
}

TEST(CertCache, AClientPastItsBudgetIsRefusedButStillGetsWhatIsCached) {
  Pki pki;
  MintBudget budget({.per_client = {.per_second = 0.001, .burst = 2}});
  CertCache cache(pki.minter, 100, 1, &budget);
  const MintBudget::Address flooder{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 7};
  const MintBudget::Address other{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 8};
  ASSERT_TRUE(cache.get("a.test", std::nullopt, flooder));
  ASSERT_TRUE(cache.get("b.test", std::nullopt, flooder));
  auto refused = cache.get("c.test", std::nullopt, flooder);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, base::ErrorCode::MintLimit);
  EXPECT_EQ(cache.size(), 2u);                              // nothing held for the refused name
  EXPECT_TRUE(cache.get("a.test", std::nullopt, flooder));  // a hit costs nothing
  EXPECT_TRUE(cache.get("c.test", std::nullopt, other));    // another client's budget
  EXPECT_TRUE(cache.get("c.test", std::nullopt, flooder));  // now cached
  EXPECT_EQ(cache.mints(), 3u);
}

TEST(Fingerprints, NormaliseAndKnownInterceptionRoots) {
  EXPECT_EQ(normalise_fingerprint("98:a0:4e:41:63:35:77:90:c4:a7:9e:6d:71:3f:f0:af:51:fe:69:27"),
            "98A04E4163357790C4A79E6D713FF0AF51FE6927");
  EXPECT_EQ(normalise_fingerprint("98A0"), "");                // too short
  EXPECT_EQ(normalise_fingerprint(std::string(40, 'g')), "");  // not hex
  const auto& known = known_interception_roots();
  EXPECT_NE(std::find(known.begin(), known.end(), "98A04E4163357790C4A79E6D713FF0AF51FE6927"),
            known.end());  // eDellRoot
}

}  // namespace
}  // namespace warden::tls
