// Sharding: which replica of `--shard I/N` owns which cluster. A cluster
// belongs to shard FNV-1a-64("<namespace>/<name>") mod N, a pure function of
// its name, so every replica agrees without talking to the others, and the
// same repository always splits the same way (the values are pinned by
// tests and documented in docs/deploy.md). Objects of the whole repository
// that belong to no cluster (the add-on catalog's inventory,
// kCatalogInventoryName) belong to shard 0.
#ifndef CAPIGITOPS_SHARD_H_
#define CAPIGITOPS_SHARD_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "capigitops/status.h"

namespace capigitops {

struct Shard {
  int index = 0;
  int count = 1;  // 1: not sharded; the one replica owns everything

  bool sharded() const { return count > 1; }
  std::string ToString() const;  // "1/3"
};

// FNV-1a 64 of "<ns>/<name>".
uint64_t ShardHash(std::string_view ns, std::string_view name);

// The shard (0..count-1) the cluster `name` in namespace `ns` belongs to;
// the add-on catalog's inventory belongs to shard 0.
int ShardOf(std::string_view ns, std::string_view name, int count);

// True when `shard` owns `name` (a cluster, or the catalog's inventory).
bool ShardOwns(const Shard& shard, std::string_view ns, std::string_view name);

// "I/N" with 0 <= I < N; anything else is InvalidArgument with a message
// for a person.
StatusOr<Shard> ParseShard(std::string_view text);

// The Lease of one shard, so that each shard has a leader of its own:
// `base` unsharded, else "<base>-shard-<I>-of-<N>".
std::string ShardLeaseName(const std::string& base, const Shard& shard);

}  // namespace capigitops

#endif  // CAPIGITOPS_SHARD_H_
