#include "observe/access_record.hpp"

#include <gtest/gtest.h>

namespace warden::observe {
namespace {

AccessRecord record() {
  AccessRecord r;
  r.id = "r1";
  r.client = "198.18.0.2";
  r.method = "GET";
  r.scheme = "https";
  r.host = "www.google.com";
  r.port = 443;
  r.path = "/search?q=caf%C3%A9";
  r.decision = "allow";
  r.rule = "default";
  r.group = "pupils";
  return r;
}

TEST(AccessRecord, ASearchCarriesItsTermsEngineAndKind) {
  AccessRecord r = record();
  r.search = "caf\xC3\xA9";
  r.search_engine = "google";
  r.search_kind = "submitted";
  std::string line;
  append_json_line(r, line);
  EXPECT_NE(
      line.find(R"(,"search":"caf\u00e9","search_engine":"google","search_kind":"submitted"})"),
      std::string::npos)
      << line;
}

TEST(AccessRecord, AHashedSearchCarriesTheHashAndNotTheTerms) {
  AccessRecord r = record();
  r.search_hash = "7486bd70e6574a2755b8ea4daeb283de";
  r.search_engine = "bing";
  r.search_kind = "partial";
  std::string line;
  append_json_line(r, line);
  EXPECT_NE(line.find(R"(,"search_hash":"7486bd70e6574a2755b8ea4daeb283de","search_engine":"bing",)"
                      R"("search_kind":"partial"})"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("\"search\""), std::string::npos) << line;
}

TEST(AccessRecord, OtherRequestsHaveNoSearchFields) {
  std::string line;
  append_json_line(record(), line);
  EXPECT_EQ(line.find("search_"), std::string::npos) << line;
  EXPECT_EQ(line.find("\"search\""), std::string::npos) << line;
}

}  // namespace
}  // namespace warden::observe
