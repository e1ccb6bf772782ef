#include "policy/policy_file.hpp"

#include <gtest/gtest.h>

namespace warden::policy {
namespace {

PolicyPtr policy(std::string_view text) {
  auto p = parse_policy(text, "policy.toml", CategoryLists::empty());
  EXPECT_TRUE(p) << p.error().context;
  return p ? *p : nullptr;
}

std::string error_of(std::string_view text) {
  auto p = parse_policy(text, "policy.toml", CategoryLists::empty());
  return p ? "(accepted)" : p.error().context;
}

constexpr std::string_view kGroups = R"(
[[group]]
name = "staff"
sources = ["10.1.0.0/16"]

[[group]]
name = "sixth form"
sources = ["10.2.0.0/16"]
)";

TEST(Restrictions, OnForEveryGroupWithoutAPolicyFileOrATable) {
  for (const PolicyPtr& p : {default_policy(CategoryLists::empty()), policy(kGroups)}) {
    for (std::string_view group : {"default", "staff"}) {
      const RequestChanges c = p->changes(group, "www.google.com", "/search?q=cats");
      EXPECT_EQ(c.safe_host, "forcesafesearch.google.com");
      EXPECT_EQ(c.target, "");  // the address alone: the second line is off
      EXPECT_TRUE(c.fields.empty());
      EXPECT_EQ(p->changes(group, "www.youtube.com", "").safe_host, "restrict.youtube.com");
    }
    EXPECT_TRUE(p->changes("default", "example.com", "/").empty());
  }
}

TEST(Restrictions, TheFirstTableForTheGroupApplies) {
  const PolicyPtr p = policy(std::string(kGroups) + R"(
[[safe_search]]
groups = ["staff"]
method = "off"

[[safe_search]]
groups = ["sixth form", "staff"]
youtube = "moderate"
method = "both"

[[safe_search]]
youtube = "strict"
bing = false
method = "parameters"
addresses = { "pixabay.com" = "SafeSearch.Pixabay.com." }
)");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->changes("staff", "www.google.com", "/search?q=cats").empty());
  EXPECT_TRUE(p->changes("staff", "pixabay.com", "/").empty());

  const RequestChanges sixth = p->changes("sixth form", "www.youtube.com", "/watch?v=1");
  EXPECT_EQ(sixth.safe_host, "restrictmoderate.youtube.com");
  EXPECT_EQ(sixth.fields, (Fields{{"youtube-restrict", "Moderate"}}));
  EXPECT_EQ(p->changes("sixth form", "www.google.com", "/search?q=cats").target,
            "/search?q=cats&safe=active");

  const RequestChanges pupils = p->changes("default", "www.google.com", "/search?q=cats");
  EXPECT_EQ(pupils.safe_host, "");  // parameters only
  EXPECT_EQ(pupils.target, "/search?q=cats&safe=active");
  EXPECT_EQ(p->changes("default", "www.youtube.com", "/").fields,
            (Fields{{"youtube-restrict", "Strict"}}));
  EXPECT_TRUE(p->changes("default", "www.bing.com", "/search?q=cats").empty());
  EXPECT_EQ(p->changes("default", "pixabay.com", "/").safe_host, "safesearch.pixabay.com");
}

TEST(Restrictions, HeaderRulesAddTheirFieldsToTheirDomainsForTheirGroups) {
  const PolicyPtr p = policy(std::string(kGroups) + R"(
[[header]]
name = "school accounts only"
domains = ["google.com", "googleusercontent.com"]
set = { "X-GoogApps-Allowed-Domains" = "school.example", "X-Other" = "first" }

[[header]]
groups = ["staff"]
domains = ["login.microsoftonline.com"]
set = { "Restrict-Access-To-Tenants" = "school.example", "Restrict-Access-Context" = "0000" }

[[header]]
domains = ["accounts.google.com"]
set = { "x-other" = "second" }
)");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->changes("default", "mail.google.com", "/").fields,
            (Fields{{"x-googapps-allowed-domains", "school.example"}, {"x-other", "first"}}));
  // A later rule's value replaces an earlier one's; the set is never merged.
  EXPECT_EQ(p->changes("default", "accounts.google.com", "/").fields,
            (Fields{{"x-googapps-allowed-domains", "school.example"}, {"x-other", "second"}}));
  EXPECT_TRUE(p->changes("default", "notgoogle.com", "/").fields.empty());
  EXPECT_TRUE(p->changes("default", "login.microsoftonline.com", "/").fields.empty());
  EXPECT_EQ(p->changes("staff", "login.microsoftonline.com", "/").fields,
            (Fields{{"restrict-access-context", "0000"},  // (in name order, as TOML keeps them)
                    {"restrict-access-to-tenants", "school.example"}}));
}

TEST(Restrictions, ErrorsSayWhereAndWhy) {
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"safe_search = 1\n", "policy.toml:1:15: safe_search: expected [[safe_search]] tables"},
      {"[[safe_search]]\ngoogle = \"yes\"\n",
       "policy.toml:2:10: safe_search.google: expected true or false"},
      {"[[safe_search]]\nyoutube = \"strictest\"\n",
       "policy.toml:2:11: safe_search.youtube: expected \"strict\", \"moderate\" or \"off\""},
      {"[[safe_search]]\nmethod = \"dns\"\n",
       "policy.toml:2:10: safe_search.method: expected \"address\", \"parameters\", \"both\" or "
       "\"off\""},
      {"[[safe_search]]\ngroups = [\"nobody\"]\n",
       "policy.toml:2:10: safe_search.groups: no group named \"nobody\""},
      {"[[safe_search]]\naddresses = { \"a.test\" = 1 }\n",
       "policy.toml:2:26: safe_search.addresses: expected \"safe host\" strings"},
      {"[[safe_search]]\naddresses = { \"a.test\" = \"b c\" }\n",
       "policy.toml:2:26: safe_search.addresses: \"b c\": invalid character in host name"},
      {"[[safe_search]]\ncolour = 1\n", "policy.toml:2:1: unknown key safe_search.colour"},
      {"[[header]]\nset = { \"X-A\" = \"1\" }\n", "policy.toml:1:1: header: domains is required"},
      {"[[header]]\ndomains = [\"a.test\"]\n", "policy.toml:1:1: header: set is required"},
      {"[[header]]\ndomains = [\"a.test\"]\nset = { \"X A\" = \"1\" }\n",
       "policy.toml:3:9: header.set: \"X A\" is not a field name"},
      {"[[header]]\ndomains = [\"a.test\"]\nset = { \"Host\" = \"evil.test\" }\n",
       "policy.toml:3:9: header.set: host is not a field a rule may set"},
      {"[[header]]\ndomains = [\"a.test\"]\nset = { \"Transfer-Encoding\" = \"chunked\" }\n",
       "policy.toml:3:9: header.set: transfer-encoding is not a field a rule may set"},
      {"[[header]]\ndomains = [\"a.test\"]\nset = { \"X-A\" = \"1\\r\\nX-B: 2\" }\n",
       "policy.toml:3:17: header.set.X-A: expected a value (visible characters, no line breaks, "
       "no spaces at either end)"},
      {"[[header]]\ndomains = [\"a.test\"]\nset = { \"X-A\" = \"\" }\n",
       "policy.toml:3:17: header.set.X-A: expected a value (visible characters, no line breaks, "
       "no spaces at either end)"},
      {"[[header]]\ndomains = []\nset = { \"X-A\" = \"1\" }\n",
       "policy.toml:2:11: header.domains: expected a list of domains"},
      {"[[header]]\ndomains = [\"a.test\"]\nset = { \"X-A\" = \"1\" }\nextra = 1\n",
       "policy.toml:4:1: unknown key header.extra"},
  };
  for (const auto& [text, expected] : cases) EXPECT_EQ(error_of(text), expected) << text;
}

}  // namespace
}  // namespace warden::policy
