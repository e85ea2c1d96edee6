#include "order/storage/order_repository.h"

#include <cppconn/datatype.h>
#include <cppconn/exception.h>
#include <cppconn/resultset.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/mysql/multi_row.h"
#include "common/mysql/page_token.h"
#include "google/protobuf/util/time_util.h"
#include "order/storage/order_migrations.h"

namespace shop::order::storage {
namespace {

int64_t CreatedMicros(const Order& order) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(order.create_time());
}

absl::StatusOr<Order> Decode(const std::string& document) {
  Order order;
  if (!order.ParseFromString(document)) return absl::DataLossError("order document is corrupt");
  return order;
}

std::string PageToken(const Order& order) {
  return mysql::EncodePageToken(CreatedMicros(order), order.order_id());
}

// What place_priced_order raises when a version it checks changed.
constexpr int kErrSignal = 1644;
constexpr char kCatalogChangedPayload[] = "shop.order/catalog-changed";

// [[hex of product_id, changed_micros], ...]: hex, so that no id can change
// the JSON's meaning.
std::string VersionsJson(const std::vector<VersionedEntry>& versions) {
  return absl::StrCat(
      "[",
      absl::StrJoin(versions, ",",
                    [](std::string* out, const VersionedEntry& version) {
                      absl::StrAppend(out, "[\"", absl::BytesToHexString(version.entry.product_id),
                                      "\",", version.changed_micros, "]");
                    }),
      "]");
}

}  // namespace

std::vector<mysql::Migration> OrderMigrations() { return GeneratedOrderMigrations(); }

absl::Status OrderRepository::Insert(mysql::Transaction& tx, const Order& order,
                                     const std::string& request_fingerprint) {
  return tx.Run("inserting an order", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO orders (order_id, customer_id, idempotency_key, request_fingerprint, status,"
        " created_micros, document) VALUES (?, ?, ?, ?, ?, ?, ?)");
    insert.setString(1, order.order_id());
    insert.setString(2, order.customer_id());
    insert.setString(3, order.idempotency_key());
    insert.setString(4, request_fingerprint);
    insert.setInt(5, order.status());
    insert.setInt64(6, CreatedMicros(order));
    insert.setString(7, order.SerializeAsString());
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status OrderRepository::PlaceWithEvent(mysql::PooledConnection& connection,
                                             const Order& order,
                                             const std::string& request_fingerprint,
                                             const outbox::Outbox::Row& placed,
                                             const std::vector<VersionedEntry>& priced_from) {
  return connection.Run("placing an order", [&] {
    sql::PreparedStatement& call = connection.Prepare(
        "CALL place_priced_order(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    if (priced_from.empty()) {
      call.setNull(1, sql::DataType::LONGVARCHAR);
    } else {
      call.setString(1, VersionsJson(priced_from));
    }
    call.setString(2, order.order_id());
    call.setString(3, order.customer_id());
    call.setString(4, order.idempotency_key());
    call.setString(5, request_fingerprint);
    call.setInt(6, order.status());
    call.setInt64(7, CreatedMicros(order));
    call.setString(8, order.SerializeAsString());
    call.setString(9, placed.metadata.id);
    call.setString(10, placed.topic);
    call.setString(11, placed.key);
    call.setString(12, placed.metadata.type);
    call.setString(13, placed.payload);
    call.setString(14, placed.metadata.source);
    call.setString(15, placed.metadata.correlation_id);
    call.setString(16, placed.metadata.causation_id);
    call.setString(17, placed.CreatedAt());
    try {
      call.execute();
    } catch (const sql::SQLException& error) {
      if (error.getErrorCode() != kErrSignal || error.getSQLState() != "45000") throw;
      absl::Status changed = absl::AbortedError(
          absl::StrCat("the catalog changed since the order was priced: ", error.what()));
      changed.SetPayload(kCatalogChangedPayload, absl::Cord());
      return changed;
    }
    while (call.getMoreResults()) {
      // A CALL answers with a status of its own after the procedure's; read
      // to the end so the connection is ready for its next statement.
    }
    return absl::OkStatus();
  });
}

bool IsCatalogChanged(const absl::Status& status) {
  return status.GetPayload(kCatalogChangedPayload).has_value();
}

absl::StatusOr<std::optional<IdempotentOrder>> OrderRepository::FindByIdempotencyKey(
    mysql::Transaction& tx, const std::string& customer_id, const std::string& key) {
  std::optional<IdempotentOrder> found;
  absl::Status status = tx.Run("finding an order by idempotency key", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT document, request_fingerprint FROM orders"
        " WHERE customer_id = ? AND idempotency_key = ?");
    select.setString(1, customer_id);
    select.setString(2, key);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return absl::OkStatus();
    auto order = Decode(rows->getString(1));
    if (!order.ok()) return order.status();
    found = IdempotentOrder{*std::move(order), rows->getString(2)};
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::StatusOr<Order> OrderRepository::Get(mysql::Transaction& tx, const std::string& order_id,
                                           bool for_update) {
  absl::StatusOr<Order> result =
      absl::NotFoundError(absl::StrCat("order ", order_id, " not found"));
  absl::Status status = tx.Run("reading an order", [&] {
    sql::PreparedStatement& select =
        tx.Prepare(for_update ? "SELECT document FROM orders WHERE order_id = ? FOR UPDATE"
                              : "SELECT document FROM orders WHERE order_id = ?");
    select.setString(1, order_id);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (rows->next()) result = Decode(rows->getString(1));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::Status OrderRepository::Update(mysql::Transaction& tx, const Order& order) {
  return tx.Run("updating an order", [&] {
    sql::PreparedStatement& update =
        tx.Prepare("UPDATE orders SET status = ?, document = ? WHERE order_id = ?");
    update.setInt(1, order.status());
    update.setString(2, order.SerializeAsString());
    update.setString(3, order.order_id());
    if (update.executeUpdate() != 1) {
      return absl::NotFoundError(absl::StrCat("order ", order.order_id(), " not found"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<std::string, Order>> OrderRepository::GetManyForUpdate(
    mysql::Transaction& tx, const std::vector<std::string>& order_ids) {
  std::map<std::string, Order> found;
  absl::Status status = tx.Run("reading orders", [&] {
    absl::Status decoded = absl::OkStatus();
    mysql::ForEachPaddedChunk(order_ids.size(), [&](size_t begin, size_t size, size_t shape) {
      sql::PreparedStatement& select =
          tx.Prepare(absl::StrCat("SELECT order_id, document FROM orders WHERE order_id IN (",
                                  mysql::Placeholders(shape), ") FOR UPDATE"));
      for (size_t i = 0; i < shape; ++i) {
        select.setString(static_cast<int>(i + 1), order_ids[mysql::Padded(begin, size, i)]);
      }
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) {
        auto order = Decode(rows->getString(2));
        if (!order.ok()) {
          decoded = order.status();
          continue;
        }
        found[rows->getString(1)] = *std::move(order);
      }
    });
    return decoded;
  });
  if (!status.ok()) return status;
  return found;
}

absl::Status OrderRepository::UpdateMany(mysql::Transaction& tx,
                                         const std::vector<const Order*>& orders) {
  return tx.Run("updating orders", [&] {
    mysql::ForEachPaddedChunk(orders.size(), [&](size_t begin, size_t size, size_t shape) {
      // UPDATE orders SET status = CASE order_id WHEN ? THEN ? ... END,
      //   document = CASE order_id WHEN ? THEN ? ... END WHERE order_id IN (...)
      std::string cases;
      for (size_t i = 0; i < shape; ++i) cases += " WHEN ? THEN ?";
      sql::PreparedStatement& update = tx.Prepare(absl::StrCat(
          "UPDATE orders SET status = CASE order_id", cases, " END, document = CASE order_id",
          cases, " END WHERE order_id IN (", mysql::Placeholders(shape), ")"));
      int at = 1;
      for (size_t i = 0; i < shape; ++i) {
        update.setString(at++, orders[mysql::Padded(begin, size, i)]->order_id());
        update.setInt(at++, orders[mysql::Padded(begin, size, i)]->status());
      }
      for (size_t i = 0; i < shape; ++i) {
        update.setString(at++, orders[mysql::Padded(begin, size, i)]->order_id());
        update.setString(at++, orders[mysql::Padded(begin, size, i)]->SerializeAsString());
      }
      for (size_t i = 0; i < shape; ++i)
        update.setString(at++, orders[mysql::Padded(begin, size, i)]->order_id());
      update.executeUpdate();
    });
    return absl::OkStatus();
  });
}

absl::StatusOr<OrderPage> OrderRepository::ListByCustomer(mysql::Transaction& tx,
                                                          const std::string& customer_id,
                                                          int page_size,
                                                          const std::string& page_token) {
  auto cursor = mysql::DecodePageToken(page_token);
  if (!cursor.ok()) return cursor.status();
  const int64_t before_micros = cursor->micros;
  const std::string before_id = cursor->id;
  OrderPage page;
  absl::Status status = tx.Run("listing orders", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT document FROM orders WHERE customer_id = ?"
        " AND (created_micros < ? OR (created_micros = ? AND order_id < ?))"
        " ORDER BY created_micros DESC, order_id DESC LIMIT ?");
    select.setString(1, customer_id);
    select.setInt64(2, before_micros);
    select.setInt64(3, before_micros);
    select.setString(4, before_id);
    select.setInt(5, page_size + 1);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      auto order = Decode(rows->getString(1));
      if (!order.ok()) return order.status();
      page.orders.push_back(*std::move(order));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.orders.size()) > page_size) {
    page.orders.pop_back();
    page.next_page_token = PageToken(page.orders.back());
  }
  return page;
}

}  // namespace shop::order::storage
