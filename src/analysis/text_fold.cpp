#include "analysis/text_fold.hpp"

#include "analysis/text.hpp"

#include <array>
#include <utf8proc.h>

namespace warden::analysis {
namespace {

// ASCII folded (the common case, without utf8proc): letters lower-cased, digits kept, 0 for
// everything else (a space).
constexpr auto kAsciiFolded = [] {
  std::array<char, 128> t{};
  for (int c = 0; c < 128; ++c) {
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter || (c >= '0' && c <= '9'))
      t[static_cast<std::size_t>(c)] = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  return t;
}();

// The same with a space for everything else, for the loop over ASCII runs.
constexpr auto kAsciiSpaced = [] {
  std::array<char, 128> t = kAsciiFolded;
  for (char& c : t)
    if (c == 0) c = ' ';
  return t;
}();

bool kept(utf8proc_category_t c) {
  switch (c) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
      return true;
    default:
      return false;
  }
}

// Expected length of a UTF-8 sequence from its lead byte (0: not a lead byte).
std::size_t sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

}  // namespace

void TextFolder::emit(int codepoint, std::string& out) {
  // Default-ignorable characters (soft hyphen, zero-width space and joiners...) are not shown:
  // "go&shy;re" is "gore" on the screen, so here too.
  if (codepoint >= 0x80 && utf8proc_get_property(codepoint)->ignorable) return;
  const bool letter =
      codepoint >= 0x80 ? kept(utf8proc_category(codepoint))
                        : codepoint >= 0 && kAsciiFolded[static_cast<std::size_t>(codepoint)] != 0;
  if (!letter) {
    if (!last_space_) out.push_back(' ');
    last_space_ = true;
    return;
  }
  last_space_ = false;
  if (codepoint < 0x80) {
    out.push_back(kAsciiFolded[static_cast<std::size_t>(codepoint)]);
    return;
  }
  std::array<utf8proc_int32_t, 8> folded{};
  int boundclass = UTF8PROC_BOUNDCLASS_START;
  const auto n = utf8proc_decompose_char(
      codepoint, folded.data(), folded.size(),
      static_cast<utf8proc_option_t>(UTF8PROC_DECOMPOSE | UTF8PROC_CASEFOLD), &boundclass);
  if (n <= 0 || static_cast<std::size_t>(n) > folded.size()) {
    append_utf8(out, static_cast<char32_t>(codepoint));
    return;
  }
  for (utf8proc_ssize_t i = 0; i < n; ++i)
    append_utf8(out, static_cast<char32_t>(folded[static_cast<std::size_t>(i)]));
}

std::size_t TextFolder::fold_ascii_run(std::string_view utf8, std::size_t i, std::string& out) {
  std::size_t end = i;
  while (end < utf8.size() && static_cast<unsigned char>(utf8[end]) < 0x80) ++end;
  // ASCII folds to at most a byte a byte: write into room made once, without a branch a byte
  // (most of a page is ASCII, and this loop is most of folding it).
  const std::size_t base = out.size();
  out.resize(base + (end - i));
  char* const first = out.data() + base;
  char* w = first;
  unsigned space = last_space_ ? 1 : 0;
  for (; i < end; ++i) {
    const char folded = kAsciiSpaced[static_cast<unsigned char>(utf8[i])];
    const unsigned letter = folded != ' ' ? 1 : 0;
    *w = folded;
    w += letter | (space ^ 1);  // a space only after a letter
    space = letter ^ 1;
  }
  out.resize(base + static_cast<std::size_t>(w - first));
  last_space_ = space != 0;
  return end;
}

void TextFolder::feed(std::string_view utf8, std::string& out) {
  out.reserve(out.size() + utf8.size() + 2);
  if (!started_) {
    started_ = true;
    out.push_back(' ');
    last_space_ = true;
  }
  std::size_t i = 0;
  // A sequence cut at the end of the last piece: complete it first. A byte that cannot continue
  // it ends it (one bad character) and is read again on its own, as if the text were whole.
  while (pending_size_ > 0 && i < utf8.size()) {
    if ((static_cast<unsigned char>(utf8[i]) & 0xC0) != 0x80) {
      emit(-1, out);
      pending_size_ = 0;
      break;
    }
    pending_[pending_size_++] = utf8[i++];
    const std::size_t need = sequence_length(static_cast<unsigned char>(pending_[0]));
    if (pending_size_ < need) continue;
    utf8proc_int32_t cp = -1;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(pending_),
                                    static_cast<utf8proc_ssize_t>(pending_size_), &cp);
    emit(n > 0 ? cp : -1, out);
    pending_size_ = 0;
  }
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    if (lead < 0x80) {
      i = fold_ascii_run(utf8, i, out);
      continue;
    }
    const std::size_t need = sequence_length(lead);
    if (need == 0) {
      emit(-1, out);
      ++i;
      continue;
    }
    if (utf8.size() - i < need) {  // cut: keep it for the next piece, if it may go on there
      std::size_t j = i + 1;
      while (j < utf8.size() && (static_cast<unsigned char>(utf8[j]) & 0xC0) == 0x80) ++j;
      if (j < utf8.size()) {  // broken before the cut: one bad character, as when whole
        emit(-1, out);
        ++i;
        continue;
      }
      for (; i < utf8.size(); ++i) pending_[pending_size_++] = utf8[i];
      break;
    }
    utf8proc_int32_t cp = -1;
    const auto n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data() + i),
                                    static_cast<utf8proc_ssize_t>(need), &cp);
    if (n <= 0) {
      emit(-1, out);
      ++i;
      continue;
    }
    emit(cp, out);
    i += static_cast<std::size_t>(n);
  }
}

void TextFolder::finish(std::string& out) {
  if (finished_) return;
  feed({}, out);  // the leading space, when nothing came
  finished_ = true;
  if (pending_size_ > 0) emit(-1, out);
  pending_size_ = 0;
  if (!last_space_) out.push_back(' ');
  last_space_ = true;
}

std::string folded_phrase(std::string_view utf8) {
  TextFolder folder;
  std::string out;
  folder.feed(utf8, out);
  folder.finish(out);
  // `out` is " text "; keep the spaces only where the phrase had a boundary mark.
  const bool lead = !utf8.empty() && utf8.front() == ' ';
  const bool trail = !utf8.empty() && utf8.back() == ' ';
  std::size_t from = 1;
  std::size_t to = out.size() - 1;
  if (to <= from) return {};
  if (lead) from = 0;
  if (trail) to = out.size();
  return out.substr(from, to - from);
}

}  // namespace warden::analysis
