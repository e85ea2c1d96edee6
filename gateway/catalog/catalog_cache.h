// The partner catalog's Redis entries: cache-aside, with a TTL as a safety
// net and invalidation by the invalidator (product events), never by a call.
//
// The race every cache-aside cache must close: a reader misses, fetches the
// old price, the price changes and its event deletes the (absent) entry, then
// the reader stores the old price, stale until the TTL. Here each product has
// a generation counter beside its entry. A reader reads the generation with
// its miss and stores its value only if the generation is unchanged (one Lua
// script, atomic in Redis); an invalidation deletes the entry and bumps the
// generation (another script). So a value fetched before an invalidation is
// never stored after it. Keys of one product share a hash tag, so the
// scripts also run on Redis Cluster.
#ifndef SHOP_GATEWAY_CATALOG_CATALOG_CACHE_H_
#define SHOP_GATEWAY_CATALOG_CATALOG_CACHE_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gateway/catalog/redis_client.h"

namespace shop::gateway {

struct CacheLookup {
  std::map<std::string, std::string> hits;         // id -> value
  std::map<std::string, std::string> generations;  // every id -> generation to fill against
};

class CatalogCache {
 public:
  CatalogCache(KeyValueStore& store, absl::Duration ttl) : store_(store), ttl_(ttl) {}

  // One round trip for all ids.
  absl::StatusOr<CacheLookup> Get(const std::vector<std::string>& ids);
  // Stores each (id, value) unless its generation moved since Get; how many
  // were stored. One round trip.
  absl::StatusOr<int> Fill(const std::map<std::string, std::string>& values,
                           const std::map<std::string, std::string>& generations);
  // Deletes the entries and bumps their generations. One round trip.
  absl::Status Invalidate(const std::vector<std::string>& ids);

  static std::string EntryKey(const std::string& id);
  static std::string GenerationKey(const std::string& id);

 private:
  KeyValueStore& store_;
  absl::Duration ttl_;
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_CATALOG_CATALOG_CACHE_H_
