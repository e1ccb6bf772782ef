#include "policy/term_list.hpp"

#include <algorithm>

namespace warden::policy {
namespace {

bool is_word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : text) {
    if (is_word_byte(static_cast<unsigned char>(c))) {
      word.push_back(lower(c));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

bool TermList::add(std::string_view entry) {
  std::vector<std::string> words = words_of(entry);
  if (words.empty()) return false;
  entries_.push_back(std::move(words));
  return true;
}

std::string TermList::matching(std::string_view search) const {
  if (entries_.empty()) return {};
  std::vector<std::string> have = words_of(search);
  std::sort(have.begin(), have.end());
  const auto found =
      std::find_if(entries_.begin(), entries_.end(), [&](const std::vector<std::string>& e) {
        return std::all_of(e.begin(), e.end(), [&](const std::string& w) {
          return std::binary_search(have.begin(), have.end(), w);
        });
      });
  if (found == entries_.end()) return {};
  std::string entry;
  for (const std::string& w : *found) entry.append(entry.empty() ? "" : " ").append(w);
  return entry;
}

}  // namespace warden::policy
