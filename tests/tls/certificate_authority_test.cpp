#include "tls/certificate_authority.hpp"

#include "platform/files.hpp"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace warden::tls {
namespace {

class CaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::TempDir() + "warden-ca-" + std::to_string(std::random_device{}());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(CaTest, CreatesAConstrainedCa) {
  auto ca = CertificateAuthority::create({CaKeyType::EcdsaP256, "Hillside School"});
  ASSERT_TRUE(ca) << ca.error().context;
  X509* c = ca->certificate();
  EXPECT_EQ(X509_check_ca(c), 1);
  BASIC_CONSTRAINTS* bc =
      static_cast<BASIC_CONSTRAINTS*>(X509_get_ext_d2i(c, NID_basic_constraints, nullptr, nullptr));
  ASSERT_NE(bc, nullptr);
  EXPECT_TRUE(bc->ca);
  EXPECT_EQ(ASN1_INTEGER_get(bc->pathlen), 0);
  BASIC_CONSTRAINTS_free(bc);
  EXPECT_EQ(X509_get_key_usage(c) & (KU_KEY_CERT_SIGN | KU_CRL_SIGN),
            KU_KEY_CERT_SIGN | KU_CRL_SIGN);
  EXPECT_EQ(X509_get_extended_key_usage(c), XKU_SSL_SERVER);
  EXPECT_NE(X509_get0_subject_key_id(c), nullptr);
  EXPECT_NE(ca->subject().find("CN=Hillside School Web Filter CA"), std::string::npos);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(c);
  EXPECT_GE(serial->length, 15);  // 128 random bits
  const auto years =
      std::chrono::duration_cast<std::chrono::days>(ca->not_after() - ca->not_before());
  EXPECT_NEAR(static_cast<double>(years.count()), 3650.0, 2.0);
  EXPECT_EQ(EVP_PKEY_get_id(ca->key()), EVP_PKEY_EC);
}

TEST_F(CaTest, Rsa3072OnRequest) {
  auto ca = CertificateAuthority::create({CaKeyType::Rsa3072, "X"});
  ASSERT_TRUE(ca);
  EXPECT_EQ(EVP_PKEY_get_bits(ca->key()), 3072);
}

TEST_F(CaTest, SavesWithPrivateModesAndLoadsBack) {
  auto ca = CertificateAuthority::create({});
  ASSERT_TRUE(ca);
  ASSERT_TRUE(ca->save(dir_, false));
  EXPECT_FALSE(platform::others_can_read(CertificateAuthority::key_path(dir_)));
  auto loaded = CertificateAuthority::load(dir_);
  ASSERT_TRUE(loaded) << loaded.error().context;
  EXPECT_EQ(loaded->sha256_fingerprint(), ca->sha256_fingerprint());
  EXPECT_NE(loaded->pem().find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_EQ(loaded->pem().find("PRIVATE"), std::string::npos);
}

TEST_F(CaTest, RefusesToOverwriteWithoutForce) {
  auto first = CertificateAuthority::create({});
  ASSERT_TRUE(first && first->save(dir_, false));
  auto second = CertificateAuthority::create({});
  ASSERT_TRUE(second);
  auto refused = second->save(dir_, false);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().context.find("--force"), std::string::npos);
  ASSERT_TRUE(second->save(dir_, true));
  EXPECT_EQ(CertificateAuthority::load(dir_)->sha256_fingerprint(), second->sha256_fingerprint());
}

TEST_F(CaTest, TwoInstallsNeverShareAKey) {
  auto a = CertificateAuthority::create({});
  auto b = CertificateAuthority::create({});
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->sha256_fingerprint(), b->sha256_fingerprint());
  EXPECT_NE(EVP_PKEY_eq(a->key(), b->key()), 1);
}

std::string load_error(const std::string& dir) {
  auto r = CertificateAuthority::load(dir);
  return r ? "(loaded)" : r.error().context;
}

TEST_F(CaTest, LoadSaysWhatIsWrong) {
  EXPECT_NE(load_error(dir_).find("missing"), std::string::npos);
  auto ca = CertificateAuthority::create({});
  ASSERT_TRUE(ca && ca->save(dir_, false));
  // Key of another CA: mismatch.
  auto other = CertificateAuthority::create({});
  const std::string sub = dir_ + "/other";
  std::filesystem::create_directory(sub);
  ASSERT_TRUE(other->save(sub, false));
  // (Remove, then copy: MinGW's libstdc++ refuses overwrite_existing on Windows.)
  std::filesystem::remove(CertificateAuthority::key_path(dir_));
  std::filesystem::copy_file(CertificateAuthority::key_path(sub),
                             CertificateAuthority::key_path(dir_));
  EXPECT_NE(load_error(dir_).find("does not match"), std::string::npos);
  // Not PEM.
  std::ofstream(CertificateAuthority::cert_path(dir_)) << "garbage";
  EXPECT_NE(load_error(dir_).find("not a PEM certificate"), std::string::npos);
  // Unreadable (as root chmod does not stop reads, so remove the key instead).
  std::filesystem::remove(CertificateAuthority::key_path(dir_));
  EXPECT_NE(load_error(dir_).find("key"), std::string::npos);
}

}  // namespace
}  // namespace warden::tls
