// The order service's replica of the catalog (table `catalog`), written by
// the ProductChanged handler and read by PlaceOrder.
#ifndef SHOP_ORDER_STORAGE_CATALOG_REPLICA_H_
#define SHOP_ORDER_STORAGE_CATALOG_REPLICA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/transaction.h"
#include "order/domain/pricing.h"

namespace shop::order::storage {

// A replica row and its version: the changed_micros it was read at.
struct VersionedEntry {
  domain::CatalogEntry entry;
  int64_t changed_micros = 0;
};

class CatalogReplica {
 public:
  // Stores `entry` as of `changed_micros`, unless a newer state is stored.
  absl::Status Upsert(mysql::Transaction& tx, const domain::CatalogEntry& entry,
                      int64_t changed_micros);
  // The entries of `product_ids` that the replica has (at most 100 ids).
  absl::StatusOr<domain::Catalog> Find(mysql::Transaction& tx,
                                       const std::vector<std::string>& product_ids);
  // The same outside a transaction (autocommit: one statement).
  absl::StatusOr<domain::Catalog> Find(mysql::PooledConnection& connection,
                                       const std::vector<std::string>& product_ids);
  // The same, each entry with its version.
  absl::StatusOr<std::vector<VersionedEntry>> FindVersions(
      mysql::PooledConnection& connection, const std::vector<std::string>& product_ids);
};

}  // namespace shop::order::storage

#endif  // SHOP_ORDER_STORAGE_CATALOG_REPLICA_H_
