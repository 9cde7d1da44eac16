#ifndef CAPIGITOPS_UTIL_EDIT_DISTANCE_H_
#define CAPIGITOPS_UTIL_EDIT_DISTANCE_H_

#include <string>
#include <string_view>
#include <vector>

namespace capigitops {

// Edit distance (insertions, deletions, substitutions and swaps of two
// adjacent characters), case-insensitive.
int EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `word` when it is close enough to be a likely
// typo, else "". Used for "did you mean" hints.
std::string SuggestClosest(std::string_view word,
                           const std::vector<std::string>& candidates);

}  // namespace capigitops

#endif  // CAPIGITOPS_UTIL_EDIT_DISTANCE_H_
