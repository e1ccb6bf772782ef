// LdapDirectory's templates, and what it refuses before asking anyone. (Against a directory:
// tests/integration/ldap_test.py, with slapd.)
#include "identity/ldap_directory.hpp"

#include <gtest/gtest.h>

namespace warden::identity {
namespace {

TEST(LdapDirectory, FillsTheTemplatesTheDnEscapedForAFilter) {
  EXPECT_EQ(LdapDirectory::fill("uid={user},ou=people,dc=s", "ann", ""), "uid=ann,ou=people,dc=s");
  EXPECT_EQ(LdapDirectory::fill("(&(objectClass=groupOfNames)(member={dn}))", "ann",
                                "cn=Ann (Year 7)*,dc=s\\x"),
            "(&(objectClass=groupOfNames)(member=cn=Ann \\28Year 7\\29\\2a,dc=s\\5cx))");
  EXPECT_EQ(LdapDirectory::fill("{user}@school.test {user}", "bob", ""), "bob@school.test bob");
  EXPECT_EQ(LdapDirectory::fill("{use}{dn", "x", "y"), "{use}{dn");
}

TEST(LdapDirectory, RefusesWithoutAskingWhatCouldChangeTheQueryOrBindAnonymously) {
  // No directory listens here: a refusal proves nothing was asked (asking would be
  // Unavailable).
  LdapDirectory d({"ldaps://127.0.0.1:1", "", "uid={user},dc=s", "dc=s", "(member={dn})",
                   std::chrono::seconds(1)});
  for (const auto* name : {"ann*", "uid=ann,dc=s", "ann)(uid=*", "", "a b"})
    EXPECT_EQ(d.check(name, "password").status, CheckResult::Status::Refused) << name;
  EXPECT_EQ(d.check("ann", "").status, CheckResult::Status::Refused);
  EXPECT_EQ(d.check("ann", "password").status, CheckResult::Status::Unavailable);
}

}  // namespace
}  // namespace warden::identity
