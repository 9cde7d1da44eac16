#include "util/edit_distance.h"

#include <algorithm>
#include <cctype>

namespace capigitops {
namespace {

bool SameLetter(char a, char b) {
  return std::tolower(static_cast<unsigned char>(a)) ==
         std::tolower(static_cast<unsigned char>(b));
}

}  // namespace

// Optimal string alignment distance: Levenshtein plus swaps of two adjacent
// characters, the most common typo ("gpc" for "gcp") counting as one edit.
int EditDistance(std::string_view a, std::string_view b) {
  const size_t cols = b.size() + 1;
  // Three rows: two back (for swaps), one back, current.
  std::vector<int> prev2(cols), prev(cols), row(cols);
  for (size_t j = 0; j < cols; ++j) prev[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j < cols; ++j) {
      bool same = SameLetter(a[i - 1], b[j - 1]);
      row[j] =
          std::min({prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && SameLetter(a[i - 1], b[j - 2]) &&
          SameLetter(a[i - 2], b[j - 1])) {
        row[j] = std::min(row[j], prev2[j - 2] + 1);
      }
    }
    std::swap(prev2, prev);
    std::swap(prev, row);
  }
  return prev[b.size()];
}

std::string SuggestClosest(std::string_view word,
                           const std::vector<std::string>& candidates) {
  std::string best;
  int best_distance = 0;
  // Allow about one typo per three characters, at least one.
  int limit = std::max<int>(1, static_cast<int>(word.size()) / 3);
  for (const std::string& c : candidates) {
    int d = EditDistance(word, c);
    if (d <= limit && (best.empty() || d < best_distance)) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace capigitops
