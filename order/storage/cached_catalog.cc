#include "order/storage/cached_catalog.h"

#include <utility>

#include "common/metrics/metrics.h"

namespace shop::order::storage {
namespace {

metrics::Counter& Served(const std::string& source) {
  static auto& family = metrics::Registry::Default().Counter(
      "shop_order_catalog_entries_total",
      "catalog entries PlaceOrder priced from, by where they came from (memory: checked by the "
      "CALL that places the order; replica: read for the order)",
      {"source"});
  return family.With({source});
}

}  // namespace

CachedCatalog::CachedCatalog(CatalogReplica& replica, size_t max_entries)
    : replica_(replica), max_entries_(max_entries) {}

absl::StatusOr<CachedCatalog::Prices> CachedCatalog::Find(
    mysql::PooledConnection& connection, const std::vector<std::string>& product_ids) {
  Prices prices;
  std::vector<std::string> missing;
  {
    absl::MutexLock lock(&mu_);
    for (const std::string& id : product_ids) {
      if (prices.catalog.contains(id)) continue;  // an id named twice
      auto it = entries_.find(id);
      if (it == entries_.end()) {
        missing.push_back(id);
        continue;
      }
      prices.catalog[id] = it->second.entry;
      prices.from_memory.push_back(it->second);
    }
  }
  static metrics::Counter& from_memory = Served("memory");
  from_memory.Increment(prices.from_memory.size());
  if (missing.empty()) return prices;
  return Read(connection, missing, std::move(prices));
}

absl::StatusOr<CachedCatalog::Prices> CachedCatalog::Reload(
    mysql::PooledConnection& connection, const std::vector<std::string>& product_ids) {
  return Read(connection, product_ids, Prices{});
}

absl::StatusOr<CachedCatalog::Prices> CachedCatalog::Read(
    mysql::PooledConnection& connection, const std::vector<std::string>& product_ids,
    Prices prices) {
  auto found = replica_.FindVersions(connection, product_ids);
  if (!found.ok()) return found.status();
  static metrics::Counter& from_replica = Served("replica");
  from_replica.Increment(found->size());
  absl::MutexLock lock(&mu_);
  for (VersionedEntry& row : *found) {
    prices.catalog[row.entry.product_id] = row.entry;
    if (max_entries_ == 0) continue;
    auto it = entries_.find(row.entry.product_id);
    if (it == entries_.end() && entries_.size() >= max_entries_) entries_.clear();
    // Two calls may read the same row at different versions: keep the newer.
    VersionedEntry& kept = entries_[row.entry.product_id];
    if (row.changed_micros >= kept.changed_micros) kept = std::move(row);
  }
  return prices;
}

size_t CachedCatalog::size() const {
  absl::MutexLock lock(&mu_);
  return entries_.size();
}

}  // namespace shop::order::storage
