#include "analysis/safe_search.hpp"

#include <gtest/gtest.h>

namespace warden::analysis {
namespace {

SafeSearchModes second_line(YouTubeMode youtube = YouTubeMode::Strict) {
  SafeSearchModes m;
  m.by_parameters = true;
  m.youtube = youtube;
  return m;
}

TEST(SafeSearch, TheProvidersSafeAddressesForTheirSearchHostsOnly) {
  const SafeSearchModes on;  // built-in: every engine, by address, YouTube strict
  const std::pair<std::string_view, std::string_view> cases[] = {
      {"www.google.com", "forcesafesearch.google.com"},
      {"www.google.co.uk", "forcesafesearch.google.com"},
      {"www.google.com.au", "forcesafesearch.google.com"},
      {"www.google.de", "forcesafesearch.google.com"},
      {"www.youtube.com", "restrict.youtube.com"},
      {"m.youtube.com", "restrict.youtube.com"},
      {"youtubei.googleapis.com", "restrict.youtube.com"},
      {"youtube.googleapis.com", "restrict.youtube.com"},
      {"www.youtube-nocookie.com", "restrict.youtube.com"},
      {"www.bing.com", "strict.bing.com"},
      {"duckduckgo.com", "safe.duckduckgo.com"},
      {"www.duckduckgo.com", "safe.duckduckgo.com"},
      // Google's other services are not carried by the safe address (ANALYSIS-NOTES §1.2).
      {"mail.google.com", ""},
      {"accounts.google.com", ""},
      {"www.googleapis.com", ""},
      {"www.google.example", ""},
      {"notwww.google.com", ""},
      {"google.com.evil.test", ""},
      {"www.youtube.com.evil.test", ""},
      {"api.bing.com", ""},
      {"html.duckduckgo.com", ""},
      {"search.yahoo.com", ""},
      {"example.com", ""},
  };
  for (const auto& [host, safe] : cases) EXPECT_EQ(safe_address(on, host), safe) << host;
}

TEST(SafeSearch, ModesPerEngineAndYouTubeModerate) {
  SafeSearchModes m;
  m.google = false;
  m.youtube = YouTubeMode::Moderate;
  EXPECT_EQ(safe_address(m, "www.google.com"), "");
  EXPECT_EQ(safe_address(m, "www.youtube.com"), "restrictmoderate.youtube.com");
  m.youtube = YouTubeMode::Off;
  m.bing = false;
  m.duckduckgo = false;
  EXPECT_EQ(safe_address(m, "www.youtube.com"), "");
  EXPECT_EQ(safe_address(m, "www.bing.com"), "");
  EXPECT_EQ(safe_address(m, "duckduckgo.com"), "");
}

TEST(SafeSearch, FurtherPairsApplyExactlyAndEvenWithoutTheAddressMethod) {
  SafeSearchModes m = SafeSearchModes::none();
  m.addresses = {{"pixabay.com", "safesearch.pixabay.com"}};
  EXPECT_EQ(safe_address(m, "pixabay.com"), "safesearch.pixabay.com");
  EXPECT_EQ(safe_address(m, "www.pixabay.com"), "");
  EXPECT_EQ(safe_address(m, "www.google.com"), "");
  EXPECT_EQ(safe_address(SafeSearchModes::none(), "www.youtube.com"), "");
}

TEST(SafeSearch, YouTubeRestrictOnlyWithTheSecondLine) {
  EXPECT_EQ(youtube_restrict(SafeSearchModes{}, "www.youtube.com"), "");  // address only
  EXPECT_EQ(youtube_restrict(second_line(), "www.youtube.com"), "Strict");
  EXPECT_EQ(youtube_restrict(second_line(), "youtubei.googleapis.com"), "Strict");
  EXPECT_EQ(youtube_restrict(second_line(YouTubeMode::Moderate), "m.youtube.com"), "Moderate");
  EXPECT_EQ(youtube_restrict(second_line(YouTubeMode::Off), "www.youtube.com"), "");
  EXPECT_EQ(youtube_restrict(second_line(), "www.google.com"), "");
}

TEST(SafeSearch, EachEnginesParameterReplacesThePupilsOwn) {
  const SafeSearchModes m = second_line();
  const std::tuple<std::string_view, std::string_view, std::string_view> cases[] = {
      {"www.google.com", "/search?q=cats", "/search?q=cats&safe=active"},
      {"www.google.co.uk", "/search?safe=off&q=cats&hl=en", "/search?q=cats&hl=en&safe=active"},
      {"www.google.com", "/search?q=cats&safe&safe=images", "/search?q=cats&safe=active"},
      {"www.google.com", "/complete/search?q=ca&client=gws-wiz",
       "/complete/search?q=ca&client=gws-wiz&safe=active"},
      {"www.bing.com", "/search?q=cats&adlt=off", "/search?q=cats&adlt=strict"},
      {"duckduckgo.com", "/?kp=-2&q=cats", "/?q=cats&kp=1"},
      {"html.duckduckgo.com", "/html/?q=cats", "/html/?q=cats&kp=1"},
      {"search.yahoo.com", "/search?p=cats&vm=p", "/search?p=cats&vm=r"},
      // A pupil's own value however spelled (`saf%65` is `safe` to Google) is replaced.
      {"www.google.com", "/search?%71=cats&saf%65=off", "/search?%71=cats&safe=active"},
      // "safe" inside another parameter's name or value is left alone.
      {"www.google.com", "/search?q=safe%3Doff&unsafe=1",
       "/search?q=safe%3Doff&unsafe=1&safe=active"},
  };
  for (const auto& [host, target, expected] : cases) {
    const auto got = with_safe_parameter(m, host, target);
    ASSERT_TRUE(got) << host << target;
    EXPECT_EQ(*got, expected) << host << target;
  }
}

TEST(SafeSearch, NoParameterWhereThereIsNoSearchOrTheLineIsOff) {
  const SafeSearchModes m = second_line();
  EXPECT_FALSE(with_safe_parameter(m, "www.google.com", "/"));
  EXPECT_FALSE(with_safe_parameter(m, "www.google.com", "/maps?q=cats"));
  EXPECT_FALSE(with_safe_parameter(m, "mail.google.com", "/search?q=cats"));
  EXPECT_FALSE(with_safe_parameter(m, "www.youtube.com", "/results?search_query=cats"));  // header
  EXPECT_FALSE(with_safe_parameter(m, "www.ecosia.org", "/search?q=cats"));  // none known
  EXPECT_FALSE(with_safe_parameter(SafeSearchModes{}, "www.google.com", "/search?q=cats"));
  SafeSearchModes no_bing = m;
  no_bing.bing = false;
  EXPECT_FALSE(with_safe_parameter(no_bing, "www.bing.com", "/search?q=cats"));
}

}  // namespace
}  // namespace warden::analysis
