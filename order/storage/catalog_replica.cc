#include "order/storage/catalog_replica.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace shop::order::storage {
namespace {

// Ids are looked up in one statement of this many placeholders (the last id
// repeated as padding), so one prepared statement serves every order.
constexpr size_t kFindChunk = 100;

}  // namespace

absl::Status CatalogReplica::Upsert(mysql::Transaction& tx, const domain::CatalogEntry& entry,
                                    int64_t changed_micros) {
  return tx.Run("updating the catalog replica", [&] {
    sql::PreparedStatement& upsert = tx.Prepare(
        "INSERT INTO catalog (product_id, price_minor, currency_code, discontinued,"
        " changed_micros) VALUES (?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE"
        " price_minor = IF(VALUES(changed_micros) >= changed_micros, VALUES(price_minor), "
        "price_minor),"
        " currency_code = IF(VALUES(changed_micros) >= changed_micros, VALUES(currency_code),"
        "   currency_code),"
        " discontinued = IF(VALUES(changed_micros) >= changed_micros, VALUES(discontinued),"
        "   discontinued),"
        " changed_micros = GREATEST(changed_micros, VALUES(changed_micros))");
    upsert.setString(1, entry.product_id);
    upsert.setInt64(2, entry.price_minor);
    upsert.setString(3, entry.currency_code);
    upsert.setBoolean(4, entry.discontinued);
    upsert.setInt64(5, changed_micros);
    upsert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<domain::Catalog> CatalogReplica::Find(mysql::Transaction& tx,
                                                     const std::vector<std::string>& product_ids) {
  return Find(tx.connection(), product_ids);
}

absl::StatusOr<domain::Catalog> CatalogReplica::Find(mysql::PooledConnection& connection,
                                                     const std::vector<std::string>& product_ids) {
  auto found = FindVersions(connection, product_ids);
  if (!found.ok()) return found.status();
  domain::Catalog catalog;
  for (VersionedEntry& row : *found) {
    std::string product_id = row.entry.product_id;
    catalog[std::move(product_id)] = std::move(row.entry);
  }
  return catalog;
}

absl::StatusOr<std::vector<VersionedEntry>> CatalogReplica::FindVersions(
    mysql::PooledConnection& connection, const std::vector<std::string>& product_ids) {
  std::vector<VersionedEntry> found;
  if (product_ids.empty()) return found;
  absl::Status status = connection.Run("reading the catalog replica", [&] {
    sql::PreparedStatement& select = connection.Prepare([] {
      std::string sql =
          "SELECT product_id, price_minor, currency_code, discontinued, changed_micros"
          " FROM catalog WHERE product_id IN (?";
      for (size_t i = 1; i < kFindChunk; ++i) sql += ", ?";
      return sql + ")";
    }());
    for (size_t start = 0; start < product_ids.size(); start += kFindChunk) {
      for (size_t i = 0; i < kFindChunk; ++i) {
        select.setString(static_cast<unsigned>(i + 1),
                         product_ids[std::min(start + i, product_ids.size() - 1)]);
      }
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) {
        VersionedEntry row;
        row.entry.product_id = rows->getString("product_id");
        row.entry.price_minor = rows->getInt64("price_minor");
        row.entry.currency_code = rows->getString("currency_code");
        row.entry.discontinued = rows->getBoolean("discontinued");
        row.changed_micros = rows->getInt64("changed_micros");
        found.push_back(std::move(row));
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

}  // namespace shop::order::storage
