#include "app/bundle_format.hpp"

#include "tls/openssl_ptr.hpp"

#include <gtest/gtest.h>

#include <string>

namespace warden::app {
namespace {

tls::PkeyPtr new_key() { return tls::PkeyPtr(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")); }

std::string signed_bundle(EVP_PKEY* key, std::uint64_t version = 42,
                          std::string_view archive = "archive bytes") {
  auto b = make_bundle(archive, version, key);
  EXPECT_TRUE(b) << b.error().context;
  return b ? *b : std::string();
}

std::string error_of(std::string_view bytes, EVP_PKEY* key) {
  auto b = open_bundle(bytes, key);
  return b ? std::string("(opened)") : b.error().context;
}

TEST(BundleFormat, ASignedBundleOpensWithItsKeyOnly) {
  const auto key = new_key();
  const std::string bytes = signed_bundle(key.get(), 1765130000, std::string("\0tar\xff", 5));
  EXPECT_TRUE(bytes.starts_with("warden-bundle 1\nversion 1765130000\nsignature ")) << bytes;
  auto opened = open_bundle(bytes, key.get());
  ASSERT_TRUE(opened) << opened.error().context;
  EXPECT_EQ(opened->version, 1765130000u);
  EXPECT_EQ(opened->archive, std::string("\0tar\xff", 5));
  const auto other = new_key();
  EXPECT_NE(error_of(bytes, other.get()).find("the signature does not verify"), std::string::npos);
}

TEST(BundleFormat, AnyChangedByteBreaksTheSignature) {
  const auto key = new_key();
  const std::string bytes = signed_bundle(key.get(), 42, "the archive");
  // The version, a signature digit and the archive: each changed is refused, never opened.
  for (const std::size_t at : {bytes.find("42"), bytes.find("signature ") + 10, bytes.size() - 1}) {
    std::string changed = bytes;
    changed[at] = changed[at] == '1' ? '2' : '1';
    EXPECT_NE(error_of(changed, key.get()), "(opened)") << at;
  }
  // The archive cut short, or grown.
  EXPECT_NE(error_of(bytes.substr(0, bytes.size() - 1), key.get()), "(opened)");
  EXPECT_NE(error_of(bytes + "x", key.get()), "(opened)");
}

TEST(BundleFormat, MalformedBundlesSayWhatIsWrong) {
  const auto key = new_key();
  const std::string sig = "signature " + std::string(128, 'a') + "\n";
  EXPECT_EQ(error_of("<html>404</html>", key.get()),
            "not a Warden policy bundle (it must start with \"warden-bundle 1\")");
  EXPECT_EQ(error_of("warden-bundle 1\nversion\n" + sig + "\nx", key.get()),
            "the second line must be \"version N\"");
  for (const char* v : {"0", "007", "-1", "1.5", "18446744073709551616", "1 ", ""})
    EXPECT_EQ(
        error_of("warden-bundle 1\nversion " + std::string(v) + "\n" + sig + "\nx", key.get()),
        "the version must be a decimal number from 1, without leading zeros")
        << v;
  EXPECT_EQ(error_of("warden-bundle 1\nversion 1\nsignature abc\n\nx", key.get()),
            "the third line must be \"signature\" and 128 lower-case hex digits");
  // The same signature in capitals: one spelling per bundle.
  const std::string good = signed_bundle(key.get(), 3, "x");
  std::string upper = good;
  const std::size_t digits = good.find("signature ") + 10;
  for (std::size_t i = digits; i < digits + 128; ++i)
    upper[i] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[i])));
  ASSERT_NE(upper, good);
  EXPECT_EQ(error_of(upper, key.get()),
            "the third line must be \"signature\" and 128 lower-case hex digits");
  EXPECT_EQ(error_of("warden-bundle 1\nversion 1\n" + sig + "x", key.get()),
            "an empty line must follow the signature");
  EXPECT_EQ(error_of("warden-bundle 1\nversion 1\n" + sig + "\n", key.get()),
            "the bundle holds no archive");
}

TEST(BundleFormat, OnlyEd25519KeysSign) {
  tls::PkeyPtr rsa(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", size_t{2048}));
  auto b = make_bundle("x", 1, rsa.get());
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().context, "the signing key is not an Ed25519 key");
  EXPECT_FALSE(make_bundle("x", 0, new_key().get()));
}

}  // namespace
}  // namespace warden::app
