#include "delivery/storage/delivery_repository.h"

#include <cppconn/resultset.h>

#include <limits>

#include "absl/strings/str_cat.h"
#include "common/mysql/multi_row.h"
#include "common/mysql/page_token.h"
#include "delivery/storage/delivery_migrations.h"
#include "google/protobuf/util/time_util.h"

namespace shop::delivery::storage {
namespace {

int64_t CreatedMicros(const Delivery& delivery) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(delivery.create_time());
}

}  // namespace

std::vector<mysql::Migration> DeliveryMigrations() { return GeneratedDeliveryMigrations(); }

absl::Status DeliveryRepository::Insert(mysql::Transaction& tx, const Delivery& delivery) {
  return tx.Run("inserting a delivery", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO deliveries (delivery_id, order_id, status, created_micros, document)"
        " VALUES (?, ?, ?, ?, ?)");
    insert.setString(1, delivery.delivery_id());
    insert.setString(2, delivery.order_id());
    insert.setInt(3, delivery.status());
    insert.setInt64(4, CreatedMicros(delivery));
    insert.setString(5, delivery.SerializeAsString());
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Delivery>> DeliveryRepository::FindByOrder(mysql::Transaction& tx,
                                                                        const std::string& order_id,
                                                                        bool for_update) {
  std::optional<Delivery> found;
  absl::Status status = tx.Run("reading a delivery", [&] {
    sql::PreparedStatement& select =
        tx.Prepare(for_update ? "SELECT document FROM deliveries WHERE order_id = ? FOR UPDATE"
                              : "SELECT document FROM deliveries WHERE order_id = ?");
    select.setString(1, order_id);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return absl::OkStatus();
    Delivery delivery;
    if (!delivery.ParseFromString(rows->getString(1))) {
      return absl::DataLossError("delivery document is corrupt");
    }
    found = std::move(delivery);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

absl::Status DeliveryRepository::Update(mysql::Transaction& tx, const Delivery& delivery) {
  return tx.Run("updating a delivery", [&] {
    sql::PreparedStatement& update =
        tx.Prepare("UPDATE deliveries SET status = ?, document = ? WHERE delivery_id = ?");
    update.setInt(1, delivery.status());
    update.setString(2, delivery.SerializeAsString());
    update.setString(3, delivery.delivery_id());
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::map<std::string, Delivery>> DeliveryRepository::FindManyByOrderForUpdate(
    mysql::Transaction& tx, const std::vector<std::string>& order_ids) {
  std::map<std::string, Delivery> found;
  absl::Status status = tx.Run("reading deliveries", [&] {
    absl::Status decoded = absl::OkStatus();
    mysql::ForEachPaddedChunk(order_ids.size(), [&](size_t begin, size_t size, size_t shape) {
      sql::PreparedStatement& select =
          tx.Prepare(absl::StrCat("SELECT order_id, document FROM deliveries WHERE order_id IN (",
                                  mysql::Placeholders(shape), ") FOR UPDATE"));
      for (size_t i = 0; i < shape; ++i) {
        select.setString(static_cast<int>(i + 1), order_ids[mysql::Padded(begin, size, i)]);
      }
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) {
        Delivery delivery;
        if (!delivery.ParseFromString(rows->getString(2))) {
          decoded = absl::DataLossError("delivery document is corrupt");
          continue;
        }
        found[rows->getString(1)] = std::move(delivery);
      }
    });
    return decoded;
  });
  if (!status.ok()) return status;
  return found;
}

absl::Status DeliveryRepository::InsertMany(mysql::Transaction& tx,
                                            const std::vector<const Delivery*>& deliveries) {
  return tx.Run("inserting deliveries", [&] {
    mysql::ForEachChunk(deliveries.size(), [&](size_t begin, size_t size) {
      sql::PreparedStatement& insert = tx.Prepare(absl::StrCat(
          "INSERT INTO deliveries (delivery_id, order_id, status, created_micros, document)"
          " VALUES ",
          mysql::RowPlaceholders(size, 5)));
      int at = 1;
      for (size_t i = 0; i < size; ++i) {
        const Delivery& delivery = *deliveries[begin + i];
        insert.setString(at++, delivery.delivery_id());
        insert.setString(at++, delivery.order_id());
        insert.setInt(at++, delivery.status());
        insert.setInt64(at++, CreatedMicros(delivery));
        insert.setString(at++, delivery.SerializeAsString());
      }
      insert.executeUpdate();
    });
    return absl::OkStatus();
  });
}

absl::Status DeliveryRepository::UpdateMany(mysql::Transaction& tx,
                                            const std::vector<const Delivery*>& deliveries) {
  return tx.Run("updating deliveries", [&] {
    mysql::ForEachPaddedChunk(deliveries.size(), [&](size_t begin, size_t size, size_t shape) {
      // UPDATE deliveries SET status = CASE delivery_id WHEN ? THEN ? ... END,
      //   document = CASE delivery_id WHEN ? THEN ? ... END WHERE delivery_id IN (...)
      std::string cases;
      for (size_t i = 0; i < shape; ++i) cases += " WHEN ? THEN ?";
      sql::PreparedStatement& update =
          tx.Prepare(absl::StrCat("UPDATE deliveries SET status = CASE delivery_id", cases,
                                  " END, document = CASE delivery_id", cases,
                                  " END WHERE delivery_id IN (", mysql::Placeholders(shape), ")"));
      int at = 1;
      for (size_t i = 0; i < shape; ++i) {
        update.setString(at++, deliveries[mysql::Padded(begin, size, i)]->delivery_id());
        update.setInt(at++, deliveries[mysql::Padded(begin, size, i)]->status());
      }
      for (size_t i = 0; i < shape; ++i) {
        update.setString(at++, deliveries[mysql::Padded(begin, size, i)]->delivery_id());
        update.setString(at++, deliveries[mysql::Padded(begin, size, i)]->SerializeAsString());
      }
      for (size_t i = 0; i < shape; ++i) {
        update.setString(at++, deliveries[mysql::Padded(begin, size, i)]->delivery_id());
      }
      update.executeUpdate();
    });
    return absl::OkStatus();
  });
}

absl::StatusOr<DeliveryPage> DeliveryRepository::List(mysql::Transaction& tx, int page_size,
                                                      const std::string& page_token,
                                                      shop::delivery::v1::DeliveryStatus status) {
  auto cursor = mysql::DecodePageToken(page_token);
  if (!cursor.ok()) return cursor.status();
  const int64_t before_micros = cursor->micros;
  const std::string before_id = cursor->id;
  DeliveryPage page;
  absl::Status result = tx.Run("listing deliveries", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT document FROM deliveries WHERE (? = 0 OR status = ?)"
        " AND (created_micros < ? OR (created_micros = ? AND delivery_id < ?))"
        " ORDER BY created_micros DESC, delivery_id DESC LIMIT ?");
    select.setInt(1, status);
    select.setInt(2, status);
    select.setInt64(3, before_micros);
    select.setInt64(4, before_micros);
    select.setString(5, before_id);
    select.setInt(6, page_size + 1);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      Delivery delivery;
      if (!delivery.ParseFromString(rows->getString(1))) {
        return absl::DataLossError("delivery document is corrupt");
      }
      page.deliveries.push_back(std::move(delivery));
    }
    return absl::OkStatus();
  });
  if (!result.ok()) return result;
  if (static_cast<int>(page.deliveries.size()) > page_size) {
    page.deliveries.pop_back();
    const Delivery& last = page.deliveries.back();
    page.next_page_token = mysql::EncodePageToken(CreatedMicros(last), last.delivery_id());
  }
  return page;
}

}  // namespace shop::delivery::storage
