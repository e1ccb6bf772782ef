#pragma once
// The text a browser shows for an HTML page, in a stream: a tokenizer after the WHATWG HTML
// standard's (§13.2.5), kept to what text needs. Tags, comments and doctypes go; the contents of
// script, style and the other raw-text elements go; title and textarea text stays (RCDATA);
// character references are decoded (named, decimal, hex; 0x80..0x9F as Windows-1252, as the
// standard says); block-level tags (p, div, br, li...) leave a space so that words either side
// stay apart, every other tag none, so "<b>wo</b>rd" is "word". Input is UTF-8
// (analysis/charset).

#include <cstdint>
#include <string>
#include <string_view>

namespace warden::analysis {

class HtmlText {
 public:
  void feed(std::string_view html, std::string& text);
  void finish(std::string& text);

 private:
  enum class State : std::uint8_t {
    Data,
    TagOpen,
    EndTagOpen,
    TagName,
    InTag,
    BeforeValue,
    Quoted,
    Unquoted,
    MarkupOpen,
    CommentStart,
    Comment,
    BogusComment,
    CharRef,
    RawText,
    RawEndTag,
    Plaintext
  };
  void step(char c, std::string& text);
  void tag_done(std::string& text);
  void flush_char_ref(char next, std::string& text);

  State state_ = State::Data;
  State return_to_ = State::Data;  // after a character reference
  std::string name_;               // tag name, lower-cased (cut at 16)
  std::string ref_;                // a character reference being read
  std::string raw_end_;            // "</name" matched so far in raw text
  std::string raw_element_;        // the element whose raw text this is
  bool end_tag_ = false;
  bool attribute_ = false;  // in a tag: an attribute's name was read (an '=' starts its value)
  bool rcdata_ = false;     // raw text that is shown (title, textarea)
  char quote_ = 0;
  int dashes_ = 0;
};

}  // namespace warden::analysis
