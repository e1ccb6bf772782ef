#include "analysis/html_text.hpp"

#include "analysis/html_entities.hpp"
#include "analysis/text.hpp"

#include <algorithm>
#include <array>
#include <cstring>

namespace warden::analysis {
namespace {

constexpr std::size_t kMaxName = 16;
constexpr std::size_t kMaxRef = 32;

bool ascii_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool ascii_alnum(char c) { return ascii_alpha(c) || (c >= '0' && c <= '9'); }
bool html_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Elements whose contents are not shown (scripting on, as in every browser a pupil has).
bool hidden_raw(std::string_view n) {
  return one_of(n, {"script", "style", "iframe", "noembed", "noframes", "noscript"});
}
bool shown_raw(std::string_view n) { return one_of(n, {"title", "textarea", "xmp"}); }
// Elements that start a new block or line: words either side of them are apart. Every other
// tag (inline, custom, unknown) joins what is either side, as the browser shows it.
bool block_element(std::string_view n) {
  return one_of(n,
                {"address",  "article",    "aside",   "blockquote", "body",  "br",     "button",
                 "caption",  "dd",         "details", "dialog",     "div",   "dl",     "dt",
                 "fieldset", "figcaption", "figure",  "footer",     "form",  "h1",     "h2",
                 "h3",       "h4",         "h5",      "h6",         "head",  "header", "hr",
                 "html",     "iframe",     "legend",  "li",         "main",  "nav",    "noscript",
                 "ol",       "optgroup",   "option",  "p",          "pre",   "script", "section",
                 "select",   "style",      "summary", "table",      "tbody", "td",     "textarea",
                 "tfoot",    "th",         "thead",   "title",      "tr",    "ul",     "xmp"});
}

// "#123", "#x1F" or a name; nullopt when it is not a reference (left as text).
std::optional<char32_t> decode_ref(std::string_view ref, bool terminated) {
  if (ref.empty()) return std::nullopt;
  if (ref[0] != '#') {
    if (auto cp = named_entity(ref);
        cp && (terminated || one_of(ref, {"amp", "lt", "gt", "quot", "nbsp", "copy", "reg"})))
      return cp;
    return std::nullopt;
  }
  const bool hex = ref.size() > 1 && (ref[1] == 'x' || ref[1] == 'X');
  std::string_view digits = ref.substr(hex ? 2 : 1);
  if (digits.empty()) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : digits) {
    int d = -1;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (hex && c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (hex && c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    if (d < 0) return std::nullopt;
    value =
        std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(d), 0x110000);
  }
  if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0xFFFD;
  // Numeric references to 0x80..0x9F mean Windows-1252's characters (HTML §13.2.5.80).
  if (value >= 0x80 && value <= 0x9F)
    return windows1252_code_point(static_cast<unsigned char>(value));
  return value;
}

}  // namespace

void HtmlText::feed(std::string_view html, std::string& text) {
  std::size_t i = 0;
  while (i < html.size()) {
    // Runs that change nothing but the output are taken whole: text up to the next markup,
    // hidden raw text, comments and attribute values up to the character that ends them.
    std::string_view stops;
    switch (state_) {
      case State::Data:
        stops = "<&";
        break;
      case State::RawText:
        stops = rcdata_ ? std::string_view("<&") : std::string_view("<");
        break;
      case State::BogusComment:
        stops = ">";
        break;
      case State::Comment:
        stops = dashes_ == 0 ? std::string_view("-") : std::string_view();
        break;
      case State::Quoted:
        stops = quote_ == '"' ? std::string_view("\"") : std::string_view("'");
        break;
      default:
        break;
    }
    if (!stops.empty()) {
      std::size_t end = i;
      if (stops.size() == 1) {
        const void* at = std::memchr(html.data() + i, stops[0], html.size() - i);
        end = at == nullptr ? html.size()
                            : static_cast<std::size_t>(static_cast<const char*>(at) - html.data());
      } else {
        while (end < html.size() && html[end] != stops[0] && html[end] != stops[1]) ++end;
      }
      const bool shown = state_ == State::Data || (state_ == State::RawText && rcdata_);
      if (shown) text.append(html.substr(i, end - i));
      i = end;
      if (i == html.size()) break;
    }
    step(html[i++], text);
  }
}

void HtmlText::finish(std::string& text) {
  if (state_ == State::CharRef) flush_char_ref(' ', text);
  if (state_ == State::TagOpen) text.push_back('<');
  state_ = State::Data;
}

void HtmlText::flush_char_ref(char next, std::string& text) {
  const bool terminated = next == ';';
  if (auto cp = decode_ref(ref_, terminated)) {
    append_utf8(text, *cp);
  } else {
    text.push_back('&');
    text += ref_;
    if (terminated) text.push_back(';');
  }
  ref_.clear();
  state_ = return_to_;
}

void HtmlText::tag_done(std::string& text) {
  state_ = State::Data;
  if (name_.empty()) return;
  if (block_element(name_)) text.push_back(' ');
  if (end_tag_) return;
  if (name_ == "plaintext") {
    state_ = State::Plaintext;
  } else if (hidden_raw(name_) || shown_raw(name_)) {
    state_ = State::RawText;
    raw_element_ = name_;
    rcdata_ = shown_raw(name_);
  }
}

void HtmlText::step(char c, std::string& text) {
  switch (state_) {
    case State::Data:
      if (c == '<') {
        state_ = State::TagOpen;
      } else if (c == '&') {
        return_to_ = State::Data;
        state_ = State::CharRef;
      } else {
        text.push_back(c);
      }
      return;
    case State::CharRef:
      if ((ascii_alnum(c) || (c == '#' && ref_.empty())) && ref_.size() < kMaxRef) {
        ref_.push_back(c);
        return;
      }
      flush_char_ref(c, text);
      if (c != ';') step(c, text);  // the character after a reference is read again
      return;
    case State::TagOpen:
      if (ascii_alpha(c)) {
        end_tag_ = false;
        name_.assign(1, lower(c));
        state_ = State::TagName;
      } else if (c == '/') {
        state_ = State::EndTagOpen;
      } else if (c == '!') {
        state_ = State::MarkupOpen;
      } else if (c == '?') {
        state_ = State::BogusComment;
      } else {  // "a < b": text
        text.push_back('<');
        state_ = State::Data;
        step(c, text);
      }
      return;
    case State::EndTagOpen:
      if (ascii_alpha(c)) {
        end_tag_ = true;
        name_.assign(1, lower(c));
        state_ = State::TagName;
      } else {
        state_ = c == '>' ? State::Data : State::BogusComment;
      }
      return;
    case State::TagName:
      if (c == '>') {
        tag_done(text);
      } else if (html_space(c) || c == '/') {
        state_ = State::InTag;
        attribute_ = false;
      } else if (name_.size() < kMaxName) {
        name_.push_back(lower(c));
      }
      return;
    case State::InTag:
      // An '=' after an attribute's name starts its value; before any name it starts one.
      if (c == '>') {
        tag_done(text);
      } else if (c == '=' && attribute_) {
        state_ = State::BeforeValue;
      } else if (c == '/') {
        attribute_ = false;
      } else if (!html_space(c)) {
        attribute_ = true;
      }
      return;
    case State::BeforeValue:
      if (html_space(c)) return;
      if (c == '"' || c == '\'') {
        quote_ = c;
        state_ = State::Quoted;
      } else if (c == '>') {
        tag_done(text);
      } else {
        state_ = State::Unquoted;
      }
      return;
    case State::Quoted:
      if (c == quote_) {
        state_ = State::InTag;
        attribute_ = false;
      }
      return;
    case State::Unquoted:
      if (html_space(c)) {
        state_ = State::InTag;
        attribute_ = false;
      } else if (c == '>') {
        tag_done(text);
      }
      return;
    case State::MarkupOpen:
      state_ = c == '-' ? State::CommentStart : State::BogusComment;
      if (c == '>') state_ = State::Data;
      return;
    case State::CommentStart:
      dashes_ = -1;  // just after "<!--"
      state_ = c == '-' ? State::Comment : State::BogusComment;
      return;
    case State::Comment:
      // Ends at "-->" or "--!>", or at once for "<!-->" and "<!--->".
      if (c == '>' && (dashes_ >= 2 || dashes_ < 0)) {
        state_ = State::Data;
        return;
      }
      if (c == '-') {
        if (dashes_ == -1) {
          dashes_ = -2;  // "<!---": "<!--->" still ends at once
        } else if (dashes_ == -2) {
          dashes_ = 2;  // "<!----"
        } else {
          ++dashes_;
        }
      } else if (c == '!' && dashes_ >= 2) {
        dashes_ = 2;  // "--!" then '>'
      } else {
        dashes_ = 0;
      }
      return;
    case State::BogusComment:
      if (c == '>') state_ = State::Data;
      return;
    case State::RawText:
      if (c == '<') {
        raw_end_ = "<";
        state_ = State::RawEndTag;
      } else if (rcdata_ && c == '&') {
        return_to_ = State::RawText;
        state_ = State::CharRef;
      } else if (rcdata_) {
        text.push_back(c);
      }
      return;
    case State::RawEndTag: {
      // Matching "</name" followed by a space, '/' or '>'.
      const std::size_t at = raw_end_.size();
      const std::size_t name_end = raw_element_.size() + 2;
      bool matched = false;
      if (at == 1)
        matched = c == '/';
      else if (at < name_end)
        matched = lower(c) == raw_element_[at - 2];
      else
        matched = html_space(c) || c == '/' || c == '>';
      if (matched && at == name_end) {
        end_tag_ = true;
        name_ = raw_element_;
        state_ = State::InTag;
        attribute_ = false;
        if (c == '>') tag_done(text);
        return;
      }
      if (matched) {
        raw_end_.push_back(c);
        return;
      }
      if (rcdata_) text += raw_end_;
      raw_end_.clear();
      state_ = State::RawText;
      step(c, text);
      return;
    }
    case State::Plaintext:
      text.push_back(c);
      return;
  }
}

}  // namespace warden::analysis
