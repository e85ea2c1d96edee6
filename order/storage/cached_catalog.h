// PlaceOrder's prices from memory: the catalog replica's rows the order
// service has read, each with the version it was read at (changed_micros).
//
// Nothing has to invalidate it, so several instances may each keep one: an
// order priced from memory hands the versions it used to the place_priced_order
// procedure (OrderRepository::PlaceWithEvent), which places the order only if
// the replica still holds every one of them, in the same round trip. When one
// changed, nothing is written, the caller calls Reload and prices the order
// again. A price is thus never older than the replica when the order is
// placed, as when every order read the replica first (a statement per order
// more).
//
// Only rows the replica has are kept (an unknown id is read again each time,
// and a hostile client cannot fill memory with made-up ids); at most
// `max_entries`: when full it is emptied and fills again with the rows orders
// name.
#ifndef SHOP_ORDER_STORAGE_CACHED_CATALOG_H_
#define SHOP_ORDER_STORAGE_CACHED_CATALOG_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/mysql/connection_pool.h"
#include "order/domain/pricing.h"
#include "order/storage/catalog_replica.h"

namespace shop::order::storage {

class CachedCatalog {
 public:
  // max_entries 0: nothing kept; every Find reads the replica.
  CachedCatalog(CatalogReplica& replica, size_t max_entries);

  struct Prices {
    domain::Catalog catalog;  // the entries of the ids the replica has
    // The versions of the entries served from memory: what the CALL checks.
    std::vector<VersionedEntry> from_memory;
  };

  // The entries of `product_ids`: from memory where held, the others read
  // from the replica (one statement for up to 100) and kept.
  absl::StatusOr<Prices> Find(mysql::PooledConnection& connection,
                              const std::vector<std::string>& product_ids);
  // Every entry of `product_ids` read from the replica (and kept): after the
  // CALL found a version changed, or before refusing an order priced from
  // memory (an entry may be stale: a product offered again, a new price).
  absl::StatusOr<Prices> Reload(mysql::PooledConnection& connection,
                                const std::vector<std::string>& product_ids);

  size_t size() const;

 private:
  absl::StatusOr<Prices> Read(mysql::PooledConnection& connection,
                              const std::vector<std::string>& product_ids, Prices prices);

  CatalogReplica& replica_;
  const size_t max_entries_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, VersionedEntry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace shop::order::storage

#endif  // SHOP_ORDER_STORAGE_CACHED_CATALOG_H_
