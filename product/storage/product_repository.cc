#include "product/storage/product_repository.h"

#include <cppconn/resultset.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/money/currency.h"
#include "common/mysql/multi_row.h"
#include "google/protobuf/util/time_util.h"
#include "product/storage/product_migrations.h"

namespace shop::product::storage {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kColumns[] =
    "product_id, sku, name, price_minor, currency_code, available, reserved, sold, created_micros,"
    " updated_micros, discontinued";

ProductRecord ReadRecord(sql::ResultSet& row) {
  ProductRecord record;
  Product& product = record.product;
  product.set_product_id(row.getString("product_id"));
  product.set_sku(row.getString("sku"));
  product.set_name(row.getString("name"));
  product.mutable_price()->set_minor_units(row.getInt64("price_minor"));
  product.mutable_price()->set_currency_code(row.getString("currency_code"));
  product.set_discontinued(row.getBoolean("discontinued"));
  *product.mutable_create_time() =
      TimeUtil::MicrosecondsToTimestamp(row.getInt64("created_micros"));
  *product.mutable_update_time() =
      TimeUtil::MicrosecondsToTimestamp(row.getInt64("updated_micros"));
  record.stock.set_product_id(product.product_id());
  record.stock.set_available(row.getInt64("available"));
  record.stock.set_reserved(row.getInt64("reserved"));
  record.stock.set_sold(row.getInt64("sold"));
  return record;
}

int64_t NowMicros() { return absl::ToUnixMicros(absl::Now()); }

}  // namespace

std::vector<mysql::Migration> ProductMigrations() { return GeneratedProductMigrations(); }

absl::Status ProductRepository::Insert(mysql::Transaction& tx, const Product& product,
                                       int64_t initial_stock) {
  return tx.Run("inserting a product", [&] {
    sql::PreparedStatement& insert = tx.Prepare(absl::StrCat(
        "INSERT INTO products (", kColumns, ") VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, FALSE)"));
    insert.setString(1, product.product_id());
    insert.setString(2, product.sku());
    insert.setString(3, product.name());
    insert.setInt64(4, product.price().minor_units());
    insert.setString(5, product.price().currency_code());
    insert.setInt64(6, initial_stock);
    insert.setInt64(7, TimeUtil::TimestampToMicroseconds(product.create_time()));
    insert.setInt64(8, TimeUtil::TimestampToMicroseconds(product.update_time()));
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status ProductRepository::UpdateCatalogData(mysql::Transaction& tx, const Product& product) {
  return tx.Run("updating a product", [&] {
    sql::PreparedStatement& update = tx.Prepare(
        "UPDATE products SET name = ?, price_minor = ?, currency_code = ?, discontinued = ?,"
        " updated_micros = ? WHERE product_id = ?");
    update.setString(1, product.name());
    update.setInt64(2, product.price().minor_units());
    update.setString(3, product.price().currency_code());
    update.setBoolean(4, product.discontinued());
    update.setInt64(5, TimeUtil::TimestampToMicroseconds(product.update_time()));
    update.setString(6, product.product_id());
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<ProductRecord> ProductRepository::Get(mysql::Transaction& tx,
                                                     const std::string& product_id,
                                                     bool for_update) {
  absl::StatusOr<ProductRecord> result =
      absl::NotFoundError(absl::StrCat("product ", product_id, " not found"));
  absl::Status status = tx.Run("reading a product", [&] {
    sql::PreparedStatement& select =
        tx.Prepare(absl::StrCat("SELECT ", kColumns, " FROM products WHERE product_id = ?",
                                for_update ? " FOR UPDATE" : ""));
    select.setString(1, product_id);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (rows->next()) result = ReadRecord(*rows);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return result;
}

absl::StatusOr<ProductPage> ProductRepository::List(mysql::Transaction& tx, int page_size,
                                                    const std::string& page_token) {
  std::string after;
  if (!page_token.empty() && !absl::WebSafeBase64Unescape(page_token, &after)) {
    return absl::InvalidArgumentError("page_token: is not a token this service returned");
  }
  ProductPage page;
  absl::Status status = tx.Run("listing products", [&] {
    sql::PreparedStatement& select = tx.Prepare(absl::StrCat(
        "SELECT ", kColumns, " FROM products WHERE product_id > ? ORDER BY product_id LIMIT ?"));
    select.setString(1, after);
    select.setInt(2, page_size + 1);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) page.products.push_back(ReadRecord(*rows).product);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (static_cast<int>(page.products.size()) > page_size) {
    page.products.pop_back();
    page.next_page_token = absl::WebSafeBase64Escape(page.products.back().product_id());
  }
  return page;
}

absl::StatusOr<std::map<std::string, int64_t>> ProductRepository::LockAvailable(
    mysql::Transaction& tx, const std::vector<std::string>& product_ids) {
  std::map<std::string, int64_t> available;
  if (product_ids.empty()) return available;
  // In id order, a chunk per statement (four statement shapes however many
  // products a batch locks): InnoDB locks each chunk's rows in primary-key
  // order, so concurrent transactions take their locks in the same order.
  std::vector<std::string> ids(product_ids);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  absl::Status status = tx.Run("locking stock", [&] {
    mysql::ForEachPaddedChunk(ids.size(), [&](size_t begin, size_t size, size_t shape) {
      sql::PreparedStatement& select = tx.Prepare(
          absl::StrCat("SELECT product_id, available FROM products WHERE product_id IN (",
                       mysql::Placeholders(shape), ") ORDER BY product_id FOR UPDATE"));
      for (size_t i = 0; i < shape; ++i)
        select.setString(i + 1, ids[mysql::Padded(begin, size, i)]);
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) available[rows->getString(1)] = rows->getInt64(2);
    });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return available;
}

absl::Status ProductRepository::ApplyStockDeltas(mysql::Transaction& tx,
                                                 const std::map<std::string, StockDelta>& deltas) {
  std::vector<std::pair<std::string, StockDelta>> rows;
  for (const auto& [id, delta] : deltas) {
    if (delta.available != 0 || delta.reserved != 0 || delta.sold != 0)
      rows.emplace_back(id, delta);
  }
  return tx.Run("moving stock", [&] {
    const int64_t now = NowMicros();
    absl::Status status;
    mysql::ForEachPaddedChunk(rows.size(), [&](size_t begin, size_t size, size_t shape) {
      if (!status.ok()) return;
      std::string cases = "CASE product_id";
      for (size_t i = 0; i < shape; ++i) cases += " WHEN ? THEN ?";
      cases += " ELSE 0 END";
      sql::PreparedStatement& update = tx.Prepare(absl::StrCat(
          "UPDATE products SET available = available + ", cases, ", reserved = reserved + ", cases,
          ", sold = sold + ", cases, ", updated_micros = ? WHERE product_id IN (",
          mysql::Placeholders(shape), ")"));
      int param = 1;
      for (int64_t StockDelta::*column :
           {&StockDelta::available, &StockDelta::reserved, &StockDelta::sold}) {
        for (size_t i = 0; i < shape; ++i) {
          update.setString(param++, rows[mysql::Padded(begin, size, i)].first);
          update.setInt64(param++, rows[mysql::Padded(begin, size, i)].second.*column);
        }
      }
      update.setInt64(param++, now);
      for (size_t i = 0; i < shape; ++i)
        update.setString(param++, rows[mysql::Padded(begin, size, i)].first);
      if (update.executeUpdate() != static_cast<int>(size)) {
        status = absl::NotFoundError(absl::StrCat("a product among ", rows[begin].first, " .. ",
                                                  rows[begin + size - 1].first, " is unknown"));
      }
    });
    return status;
  });
}

absl::Status ProductRepository::Adjust(mysql::Transaction& tx, const std::string& product_id,
                                       int64_t delta, const std::string& reason) {
  auto record = Get(tx, product_id, /*for_update=*/true);
  if (!record.ok()) return record.status();
  const std::optional<int64_t> next = money::CheckedAdd(record->stock.available(), delta);
  if (!next.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("delta ", delta, " would overflow the stock of product ", product_id));
  }
  if (*next < 0) {
    return absl::FailedPreconditionError(absl::StrCat("product ", product_id, " has ",
                                                      record->stock.available(),
                                                      " available; cannot remove ", -delta));
  }
  return tx.Run("adjusting stock", [&] {
    const int64_t now = NowMicros();
    sql::PreparedStatement& update = tx.Prepare(
        "UPDATE products SET available = available + ?, updated_micros = ? WHERE product_id = ?");
    update.setInt64(1, delta);
    update.setInt64(2, now);
    update.setString(3, product_id);
    update.executeUpdate();
    sql::PreparedStatement& audit = tx.Prepare(
        "INSERT INTO stock_adjustments (product_id, delta, reason, created_micros)"
        " VALUES (?, ?, ?, ?)");
    audit.setString(1, product_id);
    audit.setInt64(2, delta);
    audit.setString(3, reason);
    audit.setInt64(4, now);
    audit.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<std::string, std::vector<Reservation>>> ProductRepository::ReservationsOf(
    mysql::Transaction& tx, const std::vector<std::string>& order_ids) {
  std::map<std::string, std::vector<Reservation>> reservations;
  absl::Status status = tx.Run("reading reservations", [&] {
    mysql::ForEachPaddedChunk(order_ids.size(), [&](size_t begin, size_t size, size_t shape) {
      sql::PreparedStatement& select = tx.Prepare(absl::StrCat(
          "SELECT order_id, product_id, quantity, state FROM reservations WHERE order_id IN (",
          mysql::Placeholders(shape), ") ORDER BY order_id, product_id FOR UPDATE"));
      for (size_t i = 0; i < shape; ++i)
        select.setString(i + 1, order_ids[mysql::Padded(begin, size, i)]);
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) {
        reservations[rows->getString(1)].push_back(
            {rows->getString(2), rows->getInt64(3),
             static_cast<ReservationState>(rows->getInt(4))});
      }
    });
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return reservations;
}

absl::StatusOr<std::vector<Reservation>> ProductRepository::Reservations(
    mysql::Transaction& tx, const std::string& order_id) {
  std::vector<Reservation> reservations;
  absl::Status status = tx.Run("reading reservations", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT product_id, quantity, state FROM reservations WHERE order_id = ?"
        " ORDER BY product_id FOR UPDATE");
    select.setString(1, order_id);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      reservations.push_back(
          {rows->getString(1), rows->getInt64(2), static_cast<ReservationState>(rows->getInt(3))});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return reservations;
}

absl::Status ProductRepository::SaveReservations(
    mysql::Transaction& tx,
    const std::map<std::pair<std::string, std::string>, Reservation>& reservations) {
  std::vector<std::pair<const std::string*, const Reservation*>> rows;
  for (const auto& [key, reservation] : reservations) rows.emplace_back(&key.first, &reservation);
  return tx.Run("saving reservations", [&] {
    mysql::ForEachChunk(rows.size(), [&](size_t begin, size_t size) {
      sql::PreparedStatement& upsert = tx.Prepare(absl::StrCat(
          "INSERT INTO reservations (order_id, product_id, quantity, state) VALUES ",
          mysql::RowPlaceholders(size, 4),
          " ON DUPLICATE KEY UPDATE quantity = VALUES(quantity), state = VALUES(state)"));
      for (size_t i = 0; i < size; ++i) {
        const int base = static_cast<int>(4 * i);
        upsert.setString(base + 1, *rows[begin + i].first);
        upsert.setString(base + 2, rows[begin + i].second->product_id);
        upsert.setInt64(base + 3, rows[begin + i].second->quantity);
        upsert.setInt(base + 4, static_cast<int>(rows[begin + i].second->state));
      }
      upsert.executeUpdate();
    });
    return absl::OkStatus();
  });
}

}  // namespace shop::product::storage
