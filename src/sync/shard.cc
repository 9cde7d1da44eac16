#include "capigitops/shard.h"

#include <charconv>

#include "capigitops/inventory.h"

namespace capigitops {
namespace {

// A decimal number that is all of `text`; -1 otherwise.
long long WholeNumber(std::string_view text) {
  long long value = -1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return -1;
  return value;
}

}  // namespace

std::string Shard::ToString() const {
  return std::to_string(index) + "/" + std::to_string(count);
}

uint64_t ShardHash(std::string_view ns, std::string_view name) {
  // FNV-1a 64: offset basis and prime from the reference (isthe.com/chongo).
  uint64_t h = 14695981039346656037ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
  };
  mix(ns);
  mix("/");
  mix(name);
  return h;
}

int ShardOf(std::string_view ns, std::string_view name, int count) {
  if (count <= 1 || IsCatalogInventory(std::string(name))) return 0;
  return static_cast<int>(ShardHash(ns, name) % static_cast<uint64_t>(count));
}

bool ShardOwns(const Shard& shard, std::string_view ns, std::string_view name) {
  return ShardOf(ns, name, shard.count) == shard.index;
}

StatusOr<Shard> ParseShard(std::string_view text) {
  size_t slash = text.find('/');
  long long index = -1, count = -1;
  if (slash != std::string_view::npos) {
    index = WholeNumber(text.substr(0, slash));
    count = WholeNumber(text.substr(slash + 1));
  }
  // 4096 replicas is far past any sensible deployment; the cap keeps the
  // numbers in an int.
  if (index < 0 || count < 1 || count > 4096) {
    return Status::InvalidArgument(
        "--shard \"" + std::string(text) +
        "\" must be I/N: this replica's index I and the number of shards N, "
        "with 0 <= I < N (e.g. 0/3)");
  }
  if (index >= count) {
    return Status::InvalidArgument(
        "--shard " + std::string(text) + ": the index " +
        std::to_string(index) + " must be less than the number of shards " +
        std::to_string(count) + " (shards are numbered 0 to " +
        std::to_string(count - 1) + ")");
  }
  return Shard{static_cast<int>(index), static_cast<int>(count)};
}

std::string ShardLeaseName(const std::string& base, const Shard& shard) {
  if (!shard.sharded()) return base;
  return base + "-shard-" + std::to_string(shard.index) + "-of-" +
         std::to_string(shard.count);
}

}  // namespace capigitops
