#include "analysis/search_terms.hpp"

#include <gtest/gtest.h>

namespace warden::analysis {
namespace {

struct Case {
  std::string_view host;
  std::string_view target;
  std::string_view engine;
  SearchKind kind;
  std::string_view terms;
};

TEST(SearchTerms, EveryListedEngineSubmittedAndTyping) {
  const auto S = SearchKind::Submitted;
  const auto P = SearchKind::Partial;
  const Case cases[] = {
      {"www.google.com", "/search?q=how+to+draw&sca_esv=1", "google", S, "how to draw"},
      {"www.google.co.uk", "/search?client=firefox&q=revision%20tips", "google", S,
       "revision tips"},
      {"google.de", "/search?q=hausaufgaben", "google", S, "hausaufgaben"},
      {"www.google.com", "/complete/search?q=how+to+dr&client=gws-wiz&xssi=t", "google", P,
       "how to dr"},
      {"suggestqueries.google.com", "/complete/search?client=chrome&q=maths", "google", P, "maths"},
      {"www.youtube.com", "/results?search_query=minecraft+tutorial", "youtube", S,
       "minecraft tutorial"},
      {"m.youtube.com", "/results?search_query=lofi", "youtube", S, "lofi"},
      {"suggestqueries-clients6.youtube.com", "/complete/search?client=youtube&ds=yt&q=min",
       "youtube", P, "min"},
      {"www.bing.com", "/search?q=weather&form=QBLH", "bing", S, "weather"},
      {"www.bing.com", "/images/search?q=cats", "bing", S, "cats"},
      {"www.bing.com", "/AS/Suggestions?pt=page&qry=wea&cvid=1", "bing", P, "wea"},
      {"duckduckgo.com", "/?q=privacy&ia=web", "duckduckgo", S, "privacy"},
      {"duckduckgo.com", "/ac/?q=priv&type=list", "duckduckgo", P, "priv"},
      {"html.duckduckgo.com", "/html/?q=plain", "duckduckgo", S, "plain"},
      {"lite.duckduckgo.com", "/lite/?q=lite", "duckduckgo", S, "lite"},
      {"search.yahoo.com", "/search?p=news&fr=yfp", "yahoo", S, "news"},
      {"uk.search.yahoo.com", "/search;_ylt=A0geK?p=football", "yahoo", S, "football"},
      {"search.yahoo.com", "/sugg/gossip/gossip-us-ura?command=foo", "yahoo", P, "foo"},
      {"www.ecosia.org", "/search?method=index&q=trees", "ecosia", S, "trees"},
      {"ac.ecosia.org", "/autocomplete?q=tre&type=list", "ecosia", P, "tre"},
      {"en.wikipedia.org", "/w/index.php?search=photosynthesis&title=Special%3ASearch", "wikipedia",
       S, "photosynthesis"},
      {"fr.wikipedia.org", "/wiki/Sp%C3%A9cial:Recherche?search=x", "", S, ""},  // not listed
      {"en.wikipedia.org", "/w/api.php?action=opensearch&format=json&search=photo", "wikipedia", P,
       "photo"},
      {"search.brave.com", "/search?q=brave&source=web", "brave", S, "brave"},
      {"search.brave.com", "/api/suggest?q=bra", "brave", P, "bra"},
      {"www.qwant.com", "/?q=qwant&t=web", "qwant", S, "qwant"},
      {"api.qwant.com", "/v3/suggest?q=qw&locale=en_GB", "qwant", P, "qw"},
      {"www.startpage.com", "/sp/search?query=start", "startpage", S, "start"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.host) + std::string(c.target));
    const auto s = search_in_request(c.host, c.target);
    if (c.engine.empty()) {
      EXPECT_FALSE(s);
      continue;
    }
    ASSERT_TRUE(s);
    EXPECT_EQ(s->engine, c.engine);
    EXPECT_EQ(s->kind, c.kind);
    EXPECT_EQ(s->terms, c.terms);
  }
}

TEST(SearchTerms, NonAsciiTermsAreDecodedToUtf8) {
  auto s = search_in_request("www.google.fr", "/search?q=caf%C3%A9+cr%C3%A8me");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->terms, "caf\xC3\xA9 cr\xC3\xA8me");
  s = search_in_request("www.bing.com", "/search?q=%E4%B8%AD%E6%96%87");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->terms, "\xE4\xB8\xAD\xE6\x96\x87");
  // Latin-1 bytes are not UTF-8: kept visible as U+FFFD rather than guessed.
  s = search_in_request("www.google.com", "/search?q=caf%E9");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->terms, "caf\xEF\xBF\xBD");
}

TEST(SearchTerms, OtherRequestsOnTheSameHostsAreNotSearches) {
  EXPECT_FALSE(search_in_request("www.google.com", "/"));
  EXPECT_FALSE(search_in_request("www.google.com", "/search"));          // no query
  EXPECT_FALSE(search_in_request("www.google.com", "/search?q="));       // empty
  EXPECT_FALSE(search_in_request("www.google.com", "/search?q=+%20+"));  // only spaces
  EXPECT_FALSE(search_in_request("www.google.com", "/maps?q=london"));
  EXPECT_FALSE(search_in_request("www.google.com", "/search?oq=x&aq=y"));  // no q itself
  EXPECT_FALSE(search_in_request("mail.google.com", "/search?q=x"));
  EXPECT_FALSE(search_in_request("google.example.com", "/search?q=x"));
  EXPECT_FALSE(search_in_request("www.youtube.com", "/watch?v=abc&q=x"));
  EXPECT_FALSE(search_in_request("notduckduckgo.com", "/?q=x"));
}

TEST(SearchTerms, TheRawValueIsLocatedForLeavingItOut) {
  const std::string_view target = "/search?client=a&q=secret+words&hl=en";
  const auto s = search_in_request("www.google.com", target);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->values.size(), 1u);
  EXPECT_EQ(target.substr(s->values[0].offset, s->values[0].length), "secret+words");
}

TEST(SearchTerms, AParameterGivenTwiceOrSpelledEncodedIsStillRead) {
  // An engine may read either of two `q`s: the terms are both, and both are located.
  const std::string_view target = "/search?q=&hl=en&q=make+a+bomb&%71=now";
  const auto s = search_in_request("www.google.com", target);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->terms, "make a bomb now");
  ASSERT_EQ(s->values.size(), 3u);
  EXPECT_EQ(target.substr(s->values[1].offset, s->values[1].length), "make+a+bomb");
  EXPECT_EQ(target.substr(s->values[2].offset, s->values[2].length), "now");
  EXPECT_EQ(search_in_body("html.duckduckgo.com", "/html/", "application/x-www-form-urlencoded",
                           "q=maths&q=make+a+bomb")
                ->terms,
            "maths make a bomb");
  EXPECT_EQ(search_in_body("www.youtube.com", "/youtubei/v1/search", "application/json",
                           R"({"query":"maths","context":{},"query":"make a bomb"})")
                ->terms,
            "maths make a bomb");
}

TEST(SearchTerms, LongSearchesAreCut) {
  const std::string target = "/search?q=" + std::string(2000, 'a');
  const auto s = search_in_request("www.google.com", target);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->terms.size(), kMaxSearchBytes);
  EXPECT_EQ(s->values.at(0).length, 2000u);
}

TEST(SearchTerms, SearchesPostedInTheBody) {
  const std::string_view json = "application/json";
  const std::string_view form = "application/x-www-form-urlencoded; charset=UTF-8";
  const std::tuple<std::string_view, std::string_view, std::string_view, std::string_view,
                   std::string_view, std::string_view>
      cases[] = {
          {"www.youtube.com", "/youtubei/v1/search?key=AIza&prettyPrint=false", json,
           R"({"context":{"client":{"clientName":"WEB"}},"query":"lofi  beats"})", "youtube",
           "lofi beats"},
          {"youtubei.googleapis.com", "/youtubei/v1/search", json, R"({"query":"caf\u00e9"})",
           "youtube", "caf\u00e9"},
          {"html.duckduckgo.com", "/html/", form, "q=caf%C3%A9+cr%C3%A8me&b=", "duckduckgo",
           "caf\u00e9 cr\u00e8me"},
          {"lite.duckduckgo.com", "/lite/", "Application/X-WWW-Form-Urlencoded", "kl=&q=cats",
           "duckduckgo", "cats"},
          {"www.startpage.com", "/sp/search", form, "query=revision+tips&cat=web", "startpage",
           "revision tips"},
      };
  for (const auto& [host, target, type, body, engine, terms] : cases) {
    EXPECT_TRUE(body_may_search(host, target)) << host << target;
    const auto s = search_in_body(host, target, type, body);
    ASSERT_TRUE(s) << host << target;
    EXPECT_EQ(s->engine, engine);
    EXPECT_EQ(s->kind, SearchKind::Submitted);
    EXPECT_EQ(s->terms, terms);
    EXPECT_TRUE(s->in_body);
  }
}

TEST(SearchTerms, NoBodySearchWhereThereIsNone) {
  EXPECT_FALSE(body_may_search("www.youtube.com", "/youtubei/v1/browse"));
  EXPECT_FALSE(body_may_search("www.google.com", "/search"));
  EXPECT_FALSE(body_may_search("", "/html/"));
  // A continuation page of YouTube's results has no query; a form needs its content type.
  EXPECT_FALSE(search_in_body("www.youtube.com", "/youtubei/v1/search", "application/json",
                              R"({"context":{},"continuation":"4qmFsgK"})"));
  EXPECT_FALSE(
      search_in_body("html.duckduckgo.com", "/html/", "multipart/form-data; b=x", "q=cats"));
  EXPECT_FALSE(search_in_body("html.duckduckgo.com", "/html/", "application/x-www-form-urlencodedX",
                              "q=cats"));
  EXPECT_FALSE(search_in_body("html.duckduckgo.com", "/html/", "application/x-www-form-urlencoded",
                              "q=+++"));
  EXPECT_FALSE(search_in_body("www.startpage.com", "/sp/search",
                              "application/x-www-form-urlencoded",
                              std::string(kMaxSearchBody + 1, 'a')));
}

}  // namespace
}  // namespace warden::analysis
