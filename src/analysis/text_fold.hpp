#pragma once
// Text folded for phrase matching: Unicode case folding (ß is "ss", Σ and σ are one), canonical
// decomposition (é precomposed or e + accent are one), and every character that is not a letter,
// mark or digit a space, runs of spaces one. A page's text and a list's phrases are folded the
// same way, so a phrase matches whatever case and punctuation the page used, and "< word >" in
// a list (spaces at its ends) matches the whole word only: the folded text starts and ends with
// a space.

#include <string>
#include <string_view>

namespace warden::analysis {

// Folds a stream of UTF-8 text; a character cut across two pieces is joined. Ill-formed bytes
// count as spaces.
class TextFolder {
 public:
  // Appends the folded form of `utf8` to `out`; the first call also appends the leading space.
  void feed(std::string_view utf8, std::string& out);
  // The end of the text: the trailing space (once).
  void finish(std::string& out);

 private:
  void emit(int codepoint, std::string& out);
  // Folds the ASCII run starting at `i` (lower-cased letters and digits, one space for the
  // rest); returns where it ended.
  std::size_t fold_ascii_run(std::string_view utf8, std::size_t i, std::string& out);
  char pending_[4] = {};
  std::size_t pending_size_ = 0;
  bool started_ = false;
  bool last_space_ = false;
  bool finished_ = false;
};

// A list's phrase folded the same way, keeping one space at either end where it had any (the
// word-boundary marks of e2guardian's format). Empty if it has no letter or digit.
[[nodiscard]] std::string folded_phrase(std::string_view utf8);

}  // namespace warden::analysis
