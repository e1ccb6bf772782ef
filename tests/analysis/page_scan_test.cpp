// Phrase scanning of pages: folding, e2guardian's list format, the Vectorscan matcher, and the
// stream stages (content decoding, charset, HTML to text) alone and together.
#include "analysis/page_scan.hpp"

#include "analysis/charset.hpp"
#include "analysis/content_decoder.hpp"
#include "analysis/html_text.hpp"
#include "analysis/phrase_list.hpp"
#include "analysis/phrase_matcher.hpp"
#include "analysis/text.hpp"
#include "analysis/text_fold.hpp"

#include <gtest/gtest.h>

#include <brotli/encode.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <zlib.h>
#include <zstd.h>

namespace warden::analysis {
namespace {

std::string fold(std::string_view s) {
  TextFolder f;
  std::string out;
  f.feed(s, out);
  f.finish(out);
  return out;
}

TEST(TextFold, CaseAndPunctuationAndSpaces) {
  EXPECT_EQ(fold("Self-Harm,  NOW!"), " self harm now ");
  EXPECT_EQ(fold(""), " ");
  EXPECT_EQ(fold("STRASSE Straße"), " strasse strasse ");  // full case folding: ß is ss
  EXPECT_EQ(fold("ΣΊΣΥΦΟΣ"), fold("σίσυφος"));             // final sigma and accents alike
  EXPECT_EQ(fold("caf\xC3\xA9"), fold("cafe\xCC\x81"));    // precomposed or not
}

TEST(TextFold, SequenceCutAcrossPiecesIsJoined) {
  TextFolder f;
  std::string out;
  const std::string word = "D\xC3\x89J\xC3\x80";  // "DÉJÀ"
  f.feed(word.substr(0, 2), out);
  f.feed(word.substr(2), out);
  f.finish(out);
  EXPECT_EQ(out, fold("déjà"));
  EXPECT_EQ(fold("a\xFF"
                 "b"),
            " a b ");  // a bad byte is a space
  // A sequence broken before a cut reads as when whole: the byte after it is kept.
  for (const std::string& text : {std::string("a\xE2"
                                              "Ab"),
                                  std::string("a\xC3"
                                              "Ab")}) {
    for (std::size_t cut = 1; cut < text.size(); ++cut) {
      TextFolder pieces;
      std::string folded;
      pieces.feed(std::string_view(text).substr(0, cut), folded);
      pieces.feed(std::string_view(text).substr(cut), folded);
      pieces.finish(folded);
      EXPECT_EQ(folded, fold(text)) << cut;
    }
  }
}

TEST(TextFold, InvisibleCharactersDoNotSplitWords) {
  // soft hyphen, zero-width space, word joiner, zero-width joiner
  EXPECT_EQ(fold("go\xC2\xADre bl\xE2\x80\x8Bood ba\xE2\x81\xA0th x\xE2\x80\x8Dy"),
            " gore blood bath xy ");
}

TEST(TextFold, PhraseKeepsItsBoundaryMarks) {
  EXPECT_EQ(folded_phrase(" Word "), " word ");
  EXPECT_EQ(folded_phrase(" pre"), " pre");
  EXPECT_EQ(folded_phrase("suf "), "suf ");
  EXPECT_EQ(folded_phrase("two  Words"), "two words");
  EXPECT_EQ(folded_phrase(" -- "), "");
}

std::vector<PhraseEntry> parse(std::string_view text, PhraseKind kind = PhraseKind::Weighted) {
  std::vector<PhraseEntry> out;
  auto error = parse_phrase_list(text, "/lists/porn/weighted", kind, out);
  EXPECT_FALSE(error) << *error;
  return out;
}

TEST(PhraseList, E2guardianFormat) {
  const auto entries = parse(
      "# a comment\n"
      "#listcategory: \"Pornography\"\n"
      "< adultos><40>\n"
      "< anal >,< porn><70>  trailing words are ignored\n"
      "<breast>,<medical><-30>\r\n"
      "\n"
      "<naughty><10%>\n");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0].parts, std::vector<std::string>{" adultos"});
  EXPECT_EQ(entries[0].weight, 40);
  EXPECT_EQ(entries[0].category, "Pornography");
  EXPECT_EQ(entries[0].where, "/lists/porn/weighted:3");
  EXPECT_EQ(entries[1].parts, (std::vector<std::string>{" anal ", " porn"}));
  EXPECT_EQ(entries[2].weight, -30);
  EXPECT_TRUE(entries[3].percent);
  EXPECT_EQ(entries[3].weight, 10);
}

TEST(PhraseList, CategoryDefaultsToTheFolderAndOldFilesAreWindows1252) {
  const auto entries = parse("<caf\xE9><5>\n");  // Latin-1 bytes, not UTF-8
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].category, "porn");
  EXPECT_EQ(entries[0].parts[0], folded_phrase("café"));
  EXPECT_EQ(parse("\xEF\xBB\xBF<x><1>\n").size(), 1u);  // a byte order mark
}

TEST(PhraseList, MistakesNameFileAndLine) {
  struct Case {
    std::string_view text;
    PhraseKind kind;
    std::string_view error;
  };
  const Case cases[] = {
      {"<ok><1>\n<no weight>\n", PhraseKind::Weighted, "t:2: expected a weight"},
      {"<x><ten>\n", PhraseKind::Weighted, "t:1: <ten> is not a weight"},
      {"<unclosed\n", PhraseKind::Weighted, "t:1: a '<' without its '>'"},
      {"<--><5>\n", PhraseKind::Weighted, "t:1: <--> has no letter or digit"},
      {"plain words\n", PhraseKind::Banned, "t:1: expected <phrase>"},
      {"<x><5>\n", PhraseKind::Banned, "t:1: a banned or exception phrase has no weight"},
      {".Include</nonexistent/list>\n", PhraseKind::Banned, "t:1: /nonexistent/list is not a file"},
  };
  for (const auto& c : cases) {
    std::vector<PhraseEntry> out;
    const auto error = parse_phrase_list(c.text, "t", c.kind, out);
    ASSERT_TRUE(error) << c.text;
    EXPECT_TRUE(error->starts_with(c.error)) << *error;
  }
}

TEST(PhraseList, IncludesRelativeToTheFileAndRefusesLoops) {
  const auto dir = std::filesystem::temp_directory_path() / "warden_phrase_list_test";
  std::filesystem::create_directories(dir / "violence");
  std::ofstream(dir / "top") << ".Include<violence/weighted>\n<top><1>\n";
  std::ofstream(dir / "violence" / "weighted") << "<gore><50>\n";
  std::ofstream(dir / "loop") << ".Include<loop>\n";
  std::vector<PhraseEntry> out;
  ASSERT_FALSE(read_phrase_list((dir / "top").string(), PhraseKind::Weighted, out));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].category, "violence");
  EXPECT_EQ(out[1].category, "warden_phrase_list_test");
  const auto error = read_phrase_list((dir / "loop").string(), PhraseKind::Weighted, out);
  ASSERT_TRUE(error);
  EXPECT_NE(error->find("more than 8 deep"), std::string::npos) << *error;
  std::filesystem::remove_all(dir);
}

std::shared_ptr<const PhraseMatcher> matcher(std::vector<PhraseEntry> entries) {
  auto compiled = PhraseMatcher::compile(std::move(entries));
  if (auto* why = std::get_if<std::string>(&compiled)) ADD_FAILURE() << *why;
  return std::get<0>(compiled);
}

PageScore score_text(const std::shared_ptr<const PhraseMatcher>& m, std::string_view text,
                     int limit = 100) {
  PhraseMatcher::Scan scan(m);
  scan.feed(fold(text));
  return scan.score(limit);
}

TEST(PhraseMatcher, WeightsOncePerPhraseCombinationsAndWordBoundaries) {
  auto entries =
      parse("#listcategory: \"Violence\"\n<gore><30>\n< kill ><40>\n<blood>,<bath><50>\n");
  auto good = parse("#listcategory: \"Good\"\n<history><-25>\n");
  entries.insert(entries.end(), good.begin(), good.end());
  const auto m = matcher(entries);
  EXPECT_EQ(score_text(m, "GORE gore gore").total, 30);  // each phrase once
  EXPECT_EQ(score_text(m, "skill killer").total, 0);     // < kill > is the whole word
  EXPECT_EQ(score_text(m, "Kill!").total, 40);
  EXPECT_EQ(score_text(m, "blood everywhere").total, 0);  // a combination needs every part
  const auto s = score_text(m, "a blood bath, gore");
  EXPECT_EQ(s.total, 80);
  EXPECT_EQ(s.category, "Violence");
  EXPECT_EQ(s.phrase, "<blood>,<bath>");
  EXPECT_EQ(score_text(m, "gore in history").total, 5);  // a good phrase lowers it
}

TEST(PhraseMatcher, BannedAndExceptionAndPercent) {
  auto entries = parse("<porn><10%>\n");
  auto banned = parse("#listcategory: \"Banned\"\n<forbidden thing>\n", PhraseKind::Banned);
  auto exception = parse("<medical>\n", PhraseKind::Exception);
  entries.insert(entries.end(), banned.begin(), banned.end());
  entries.insert(entries.end(), exception.begin(), exception.end());
  const auto m = matcher(entries);
  EXPECT_EQ(score_text(m, "porn", 160).total, 16);
  const auto b = score_text(m, "a Forbidden   thing");
  EXPECT_TRUE(b.banned);
  EXPECT_EQ(b.category, "Banned");
  const auto e = score_text(m, "forbidden thing in a medical text");
  EXPECT_TRUE(e.exception);
  EXPECT_EQ(e.phrase, "<medical>");
}

// `text` folded and cut in two at every place: each scan scores `total`.
void expect_same_score_cut_anywhere(const std::shared_ptr<const PhraseMatcher>& m,
                                    std::string_view text, int total) {
  const std::string folded = fold(text);
  for (std::size_t cut = 1; cut < folded.size(); ++cut) {
    PhraseMatcher::Scan scan(m);
    scan.feed(std::string_view(folded).substr(0, cut));
    scan.feed(std::string_view(folded).substr(cut));
    EXPECT_EQ(scan.score(100).total, total) << text << " cut at " << cut;
  }
}

TEST(PhraseMatcher, PhraseSplitAcrossPiecesStillMatches) {
  expect_same_score_cut_anywhere(matcher(parse("<self harm><100>\n")), "how to self harm safely",
                                 100);
}

// Phrases of one or two bytes are looked for without Vectorscan (phrase_matcher.hpp): the same
// answers, in one piece or cut anywhere, beside a Vectorscan phrase.
TEST(PhraseMatcher, OneAndTwoBytePhrasesMatchLikeTheRest) {
  const auto m = matcher(parse("<18>,<leave now><50>\n<x><7>\n<q><1000>\n"));
  EXPECT_EQ(score_text(m, "under 18? leave now").total, 50);
  EXPECT_EQ(score_text(m, "leave now, x").total, 7);
  EXPECT_EQ(score_text(m, "under 1 8 leave now").total, 0);  // "1 8" is not "18"
  expect_same_score_cut_anywhere(m, "under 18? leave now", 50);
  PhraseMatcher::Scan scan(m);  // a byte from each piece, but not side by side
  scan.feed(" 1");
  scan.feed("");
  scan.feed(" 8 ");
  EXPECT_EQ(scan.score(100).total, 0);
}

std::string html_text(std::string_view html, std::size_t piece = 0) {
  HtmlText h;
  std::string out;
  if (piece == 0) piece = html.size() + 1;
  for (std::size_t i = 0; i < html.size(); i += piece) h.feed(html.substr(i, piece), out);
  h.finish(out);
  return out;
}

TEST(HtmlText, TextBrowsersShow) {
  EXPECT_EQ(fold(html_text("<p>Hello</p><p>World</p>")), " hello world ");
  EXPECT_EQ(fold(html_text("<b>wo</b>rd <span>x</span>y")), " word xy ");
  EXPECT_EQ(fold(html_text("<script>var porn = 1; if (a</b) {}</script>ok")), " ok ");
  EXPECT_EQ(fold(html_text("<style>.gore{}</style><!-- gore --><!--->x")), " x ");
  EXPECT_EQ(fold(html_text("<title>Self &amp; harm</title>")), " self harm ");
  EXPECT_EQ(
      html_text("caf&eacute; &#233;&#xE9; &#150; &bogus; a<1 a<b"),
      "caf\xC3\xA9 \xC3\xA9\xC3\xA9 \xE2\x80\x93 &bogus; a<1 a");  // "<b" at the end: a cut tag
  EXPECT_EQ(fold(html_text("<a title='x > y' href=\"a>b\">link</a>")), " link ");
  EXPECT_EQ(fold(html_text("<textarea><b>not a tag</b></textarea>")), " b not a tag b ");
  EXPECT_EQ(fold(html_text("<SCRIPT>x</scriptx></SCRIPT >shown")), " shown ");
  // Tags the browser does not break a line for join what is either side, custom ones too.
  EXPECT_EQ(fold(html_text("G<z-x></z-x>ore G<img src=x>ore <p>a</p>b")), " gore gore a b ");
  EXPECT_EQ(fold(html_text("<xmp><b>shown</b></xmp>")), " b shown b ");
  // An '=' before any attribute name starts a name (WHATWG): what follows is not a value.
  EXPECT_EQ(html_text("<a =\"x>BAD WORDS\">"), "BAD WORDS\">");
  EXPECT_EQ(html_text("<a href = \"x>y\" b>z"), "z");
}

TEST(HtmlText, SameTextWhateverThePieces) {
  const std::string page =
      "<!DOCTYPE html><html><head><title>T&eacute;st</title><script>var x='</p>';</script>"
      "</head><body><p class=\"a\">Blood &amp; bath</p><!-- c -- c --><b>x</b>y</body></html>";
  const std::string whole = html_text(page);
  for (std::size_t piece = 1; piece < 9; ++piece) EXPECT_EQ(html_text(page, piece), whole);
}

std::string gzip(std::string_view data, int window_bits) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(compressBound(data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string brotli(std::string_view data) {
  std::size_t size = BrotliEncoderMaxCompressedSize(data.size());
  std::string out(size, '\0');
  BrotliEncoderCompress(5, 22, BROTLI_MODE_TEXT, data.size(),
                        reinterpret_cast<const std::uint8_t*>(data.data()), &size,
                        reinterpret_cast<std::uint8_t*>(out.data()));
  out.resize(size);
  return out;
}

std::string zstd(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  out.resize(ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3));
  return out;
}

std::string decode(std::string_view encoding, std::string_view body, std::size_t piece,
                   bool* ok = nullptr, std::size_t cap = 1 << 20) {
  auto d = ContentDecoder::make(encoding, cap);
  std::string out;
  bool good = true;
  for (std::size_t i = 0; i < body.size(); i += piece)
    good = d.feed(body.substr(i, piece), out) && good;
  if (ok != nullptr) *ok = good;
  return out;
}

TEST(ContentDecoder, EveryCodingInPieces) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "line " + std::to_string(i) + " of a page\n";
  for (std::size_t piece : {std::size_t{1}, std::size_t{7}, std::size_t{4096}}) {
    // (EXPECT_TRUE: a failure must not print 40 KB of text)
    EXPECT_TRUE(decode("gzip", gzip(text, 15 + 16), piece) == text) << piece;
    EXPECT_TRUE(decode("deflate", gzip(text, 15), piece) == text) << piece;   // zlib, as RFC 9110
    EXPECT_TRUE(decode("Deflate", gzip(text, -15), piece) == text) << piece;  // raw, as some send
    EXPECT_TRUE(decode("br", brotli(text), piece) == text) << piece;
    EXPECT_TRUE(decode("zstd", zstd(text), piece) == text) << piece;
    EXPECT_TRUE(decode("gzip, br", brotli(gzip(text, 15 + 16)), piece) == text) << piece;
    EXPECT_TRUE(decode("identity", text, piece) == text) << piece;
  }
  // A coding nobody knows is passed over, as Chromium passes the body through raw for one.
  EXPECT_TRUE(decode("x-unknown", text, 100) == text);
  EXPECT_TRUE(decode("gzip, x-unknown", gzip(text, 15 + 16), 100) == text);
  std::string five = text;
  for (int i = 0; i < 5; ++i) five = gzip(five, 15 + 16);
  EXPECT_TRUE(decode("gzip,gzip,gzip,gzip,gzip", five, 100) == text);
}

TEST(ContentDecoder, BombsAreCappedAndCorruptStreamsStop) {
  const std::string zeros(50 << 20, 'a');
  const std::string bomb = gzip(zeros, 15 + 16);
  ASSERT_LT(bomb.size(), 200u << 10);
  auto d = ContentDecoder::make("gzip", 1 << 20);
  std::string out;
  EXPECT_TRUE(d.feed(bomb, out));
  EXPECT_EQ(out.size(), 1u << 20);
  EXPECT_TRUE(d.capped());

  std::string bad = gzip(std::string(10000, 'x'), 15 + 16);
  bad[bad.size() / 2] ^= 0x55;
  bool ok = true;
  decode("gzip", bad, 64, &ok);
  EXPECT_FALSE(ok);
  EXPECT_FALSE((decode("br", "not brotli at all", 4, &ok), ok));
  EXPECT_FALSE((decode("zstd", "not zstd", 4, &ok), ok));
}

std::string to_utf8(std::string_view declared, bool html, std::string_view bytes,
                    std::string* chosen = nullptr) {
  CharsetDecoder c(declared, html);
  std::string out;
  for (char b : bytes) c.feed(std::string_view(&b, 1), out);  // one byte at a time: the hard case
  c.finish(out);
  if (chosen != nullptr) *chosen = c.charset();
  return out;
}

TEST(Charset, DeclaredMetaDetectedAndDefault) {
  std::string chosen;
  EXPECT_EQ(to_utf8("ISO-8859-1", false, "caf\xE9", &chosen), "caf\xC3\xA9");
  EXPECT_EQ(chosen, "windows-1252");
  EXPECT_EQ(to_utf8("", true, "<meta charset=\"koi8-r\"><p>\xF0\xD2\xC9\xD7\xC5\xD4", &chosen),
            "<meta charset=\"koi8-r\"><p>\xD0\x9F\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
  EXPECT_EQ(chosen, "koi8-r");
  const std::string meta =
      "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">";
  EXPECT_EQ(to_utf8("", true, meta + "\xCF\xF0\xE8", &chosen).substr(meta.size()),
            "\xD0\x9F\xD1\x80\xD0\xB8");
  EXPECT_EQ(chosen, "windows-1251");
  EXPECT_EQ(to_utf8("", false, "d\xC3\xA9j\xC3\xA0", &chosen), "d\xC3\xA9j\xC3\xA0");
  EXPECT_EQ(chosen, "utf-8");
  EXPECT_EQ(to_utf8("", false, std::string_view("\xFF\xFEh\0i\0", 6), &chosen),
            "\xEF\xBB\xBFhi");  // UTF-16 by its byte order mark
  EXPECT_EQ(to_utf8("no-such-charset", false, "\xE9"), "\xC3\xA9");
  // Labels browsers ignore are ignored (glibc would read this ASCII page as EBCDIC noise).
  EXPECT_EQ(to_utf8("IBM037", false, "plain words", &chosen), "plain words");
  EXPECT_EQ(chosen, "utf-8");
  EXPECT_EQ(to_utf8("utf-16", false, std::string_view("h\0i\0", 4), &chosen), "hi");  // LE
  // The <meta> prescan is the first 1024 bytes, however the page arrives.
  const std::string late = "<p>" + std::string(1100, 'x') + "<meta charset=koi8-r>\xF0";
  EXPECT_EQ(to_utf8("", true, late, &chosen), late);
  EXPECT_EQ(chosen, "utf-8");  // (its first 1024 bytes are ASCII), not KOI8-R
  EXPECT_EQ(content_type_charset("text/html; Charset=\"UTF-8\""), "UTF-8");
  EXPECT_EQ(content_type_charset("text/html"), "");
}

// Regression (found by page_scan_fuzz): the charset was chosen from every byte of the piece that
// reached 1024, so a page read in one piece and one read in many could differ.
TEST(Charset, TheFirst1024BytesDecideHoweverTheyArrive) {
  const std::string page = std::string(1100, 'a') + "\xFF" + "b";
  CharsetDecoder whole("", false);
  std::string out;
  whole.feed(page, out);
  whole.finish(out);
  EXPECT_EQ(whole.charset(), "utf-8");
  std::string chosen;
  EXPECT_EQ(to_utf8("", false, page, &chosen), out);  // (one byte at a time)
  EXPECT_EQ(chosen, "utf-8");
  // A byte that starts no sequence is not a sequence cut short, at the end either.
  EXPECT_FALSE(is_utf8("a\xFF", true));
  EXPECT_FALSE(is_utf8("a\xF5", true));
  EXPECT_TRUE(is_utf8("a\xF4", true));
}

TEST(TextKind, FromContentType) {
  EXPECT_EQ(text_kind("text/html; charset=utf-8"), TextKind::Markup);
  EXPECT_EQ(text_kind("application/xhtml+xml"), TextKind::Markup);
  EXPECT_EQ(text_kind("application/rss+xml"), TextKind::Markup);
  EXPECT_EQ(text_kind("application/json"), TextKind::Plain);
  EXPECT_EQ(text_kind("TEXT/PLAIN"), TextKind::Plain);
  EXPECT_EQ(text_kind(""), TextKind::Sniff);
  for (auto t : {"unknown/unknown", "application/unknown", "*/*", "nonsense"})
    EXPECT_EQ(text_kind(t), TextKind::Sniff) << t;  // browsers sniff these
  EXPECT_EQ(text_kind("image/svg+xml"), TextKind::Markup);
  for (auto t : {"image/png", "text/css", "text/javascript", "application/javascript",
                 "text/event-stream", "application/octet-stream", "video/mp4"})
    EXPECT_EQ(text_kind(t), TextKind::None) << t;
}

TEST(PageScanner, CompressedHtmlInAnyPiecesScoresTheSame) {
  const auto m =
      matcher(parse("#listcategory: \"Self-harm\"\n<self harm><60>\n< cut myself><50>\n"));
  const std::string page =
      "<html><head><meta charset=\"windows-1252\"><title>Self</title></head><body>"
      "<script>self harm is in a script</script><p>I <b>cut</b> myself &amp; it\x92s "
      "self-<i>harm</i></p></body></html>";
  const std::string body = gzip(brotli(page), 15 + 16);
  std::mt19937 random(7);
  for (int round = 0; round < 20; ++round) {
    auto scanner = PageScanner::make(m, text_kind("text/html"), "text/html", "br, gzip", 1 << 20);
    ASSERT_TRUE(scanner);
    for (std::size_t i = 0; i < body.size();) {
      const std::size_t n = 1 + random() % 40;
      scanner->feed(std::string_view(body).substr(i, n));
      i += n;
    }
    scanner->finish();
    const auto s = scanner->score(100);
    EXPECT_EQ(s.total, 110) << round;
    EXPECT_EQ(s.category, "Self-harm");
  }
}

// A long page with the phrases at its end, in pieces of every size: the same score. (Found by
// phrase_scan: with short and long phrases in two Vectorscan databases, some piece sizes lost a
// match, so the phrases are one database again.)
TEST(PageScanner, PhrasesAfterManyWordsScoreTheSameInAnyPieces) {
  const auto m = matcher(parse("<gore><60>\n< kill ><40>\n<blood>,<bath><50>\n"));
  std::string page = "<html><body><p>";
  for (int i = 0; i < 7000; ++i) page += "w" + std::to_string(i * 7919 % 100003) + " ";
  page += "gore blood bath kill </p></body></html>";
  for (std::size_t piece = 1; piece < 4000; piece += 37) {
    auto scanner = PageScanner::make(m, TextKind::Markup, "text/html", "", 1 << 20);
    for (std::size_t i = 0; i < page.size(); i += piece)
      scanner->feed(std::string_view(page).substr(i, piece));
    scanner->finish();
    EXPECT_EQ(scanner->score(100).total, 150) << "pieces of " << piece;
  }
}

TEST(PageScanner, SniffsHtmlOnlyAndRefusesUnknownCodings) {
  const auto m = matcher(parse("<gore><50>\n"));
  auto sniffed = PageScanner::make(m, TextKind::Sniff, "", "", 1 << 20);
  sniffed->feed("  <!DOCTYPE html><p>gore</p>");
  sniffed->finish();
  EXPECT_EQ(sniffed->score(100).total, 50);
  auto binary = PageScanner::make(m, TextKind::Sniff, "", "", 1 << 20);
  binary->feed("\x89PNG gore");
  binary->finish();
  EXPECT_EQ(binary->score(100).total, 0);
  EXPECT_TRUE(binary->stopped());
  // Sniffing reads the first 1024 bytes, not the first piece.
  auto split = PageScanner::make(m, TextKind::Sniff, "", "", 1 << 20);
  split->feed("\n");
  split->feed("<");
  split->feed("html><p>gore</p>");
  split->finish();
  EXPECT_EQ(split->score(100).total, 50);
  EXPECT_FALSE(PageScanner::make(m, TextKind::None, "image/png", "", 1 << 20));
}

TEST(PageScanner, TextPastTheDecodedCapIsNotScannedAndSaysSo) {
  const auto m = matcher(parse("<gore><50>\n"));
  const std::string padded = std::string(3 << 20, ' ') + "gore";
  auto scanner = PageScanner::make(m, TextKind::Plain, "text/plain", "gzip", 1 << 20);
  scanner->feed(gzip(padded, 15 + 16));
  scanner->finish();
  EXPECT_TRUE(scanner->capped());
  EXPECT_EQ(scanner->score(100).total, 0);
}

}  // namespace
}  // namespace warden::analysis
