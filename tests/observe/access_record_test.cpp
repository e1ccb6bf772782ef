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

std::string json_line(const AccessRecord& r) {
  std::string line;
  append_json_line(r, line);
  return line;
}

// The line of record() as a search: `value` is its terms, or its keyed hash when `hashed`.
std::string search_line(std::string_view value, bool hashed, std::string_view engine,
                        std::string_view kind) {
  AccessRecord r = record();
  (hashed ? r.search_hash : r.search) = value;
  r.search_engine = engine;
  r.search_kind = kind;
  return json_line(r);
}

TEST(AccessRecord, TheInstanceNameComesAfterTheTimeWhenThereIsOne) {
  EXPECT_EQ(json_line(record()).find("\"instance\""), std::string::npos);
  std::string line;
  append_json_line(record(), line, "w\"2");
  EXPECT_NE(line.find("Z\",\"instance\":\"w\\\"2\",\"id\":\"r1\""), std::string::npos) << line;
}

TEST(AccessRecord, ASearchCarriesItsTermsEngineAndKind) {
  const std::string line = search_line("caf\xC3\xA9", false, "google", "submitted");
  EXPECT_NE(
      line.find(R"(,"search":"caf\u00e9","search_engine":"google","search_kind":"submitted"})"),
      std::string::npos)
      << line;
}

TEST(AccessRecord, AHashedSearchCarriesTheHashAndNotTheTerms) {
  const std::string line = search_line("7486bd70e6574a2755b8ea4daeb283de", true, "bing", "partial");
  EXPECT_NE(line.find(R"(,"search_hash":"7486bd70e6574a2755b8ea4daeb283de","search_engine":"bing",)"
                      R"("search_kind":"partial"})"),
            std::string::npos)
      << line;
  EXPECT_EQ(line.find("\"search\""), std::string::npos) << line;
}

TEST(AccessRecord, OtherRequestsHaveNoSearchFields) {
  const std::string line = json_line(record());
  EXPECT_EQ(line.find("search_"), std::string::npos) << line;
  EXPECT_EQ(line.find("\"search\""), std::string::npos) << line;
}

}  // namespace
}  // namespace warden::observe
