#include "util/edit_distance.h"

#include <algorithm>
#include <cctype>

namespace capigitops {

int EditDistance(std::string_view a, std::string_view b) {
  std::vector<int> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = static_cast<int>(j);
  for (size_t i = 1; i <= a.size(); ++i) {
    int diag = row[0];
    row[0] = static_cast<int>(i);
    for (size_t j = 1; j <= b.size(); ++j) {
      int up = row[j];
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                  std::tolower(static_cast<unsigned char>(b[j - 1]));
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
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
