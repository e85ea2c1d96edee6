#include "coupon/storage/coupon_repository.h"

#include <cppconn/resultset.h>

#include <functional>

#include "absl/strings/str_cat.h"
#include "common/mysql/page_token.h"
#include "coupon/storage/coupon_migrations.h"
#include "google/protobuf/util/time_util.h"

namespace shop::coupon::storage {
namespace {

int64_t IssuedMicros(const Coupon& coupon) {
  return google::protobuf::util::TimeUtil::TimestampToMicroseconds(coupon.issue_time());
}

// The document in column 1 of the first row `sql` finds, bound by `bind`.
template <typename M>
absl::StatusOr<std::optional<M>> FindDocument(
    mysql::Transaction& tx, absl::string_view what, const std::string& sql,
    const std::function<void(sql::PreparedStatement&)>& bind,
    const std::function<void(M&, sql::ResultSet&)>& complete = nullptr) {
  std::optional<M> found;
  absl::Status status = tx.Run(what, [&] {
    sql::PreparedStatement& select = tx.Prepare(sql);
    bind(select);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    if (!rows->next()) return absl::OkStatus();
    M message;
    if (!message.ParseFromString(rows->getString(1))) {
      return absl::DataLossError(absl::StrCat(M::descriptor()->name(), " document is corrupt"));
    }
    if (complete) complete(message, *rows);
    found = std::move(message);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return found;
}

}  // namespace

std::vector<mysql::Migration> CouponMigrations() { return GeneratedCouponMigrations(); }

absl::Status CouponRepository::InsertCampaign(mysql::Transaction& tx, const Campaign& campaign) {
  return tx.Run("inserting a campaign", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO campaigns (campaign_id, issued_coupons, document) VALUES (?, ?, ?)");
    insert.setString(1, campaign.campaign_id());
    insert.setInt64(2, campaign.issued_coupons());
    insert.setString(3, campaign.SerializeAsString());
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Campaign>> CouponRepository::FindCampaign(
    mysql::Transaction& tx, const std::string& campaign_id, bool for_update) {
  return FindDocument<Campaign>(
      tx, "reading a campaign",
      for_update ? "SELECT document, issued_coupons FROM campaigns WHERE campaign_id = ? FOR UPDATE"
                 : "SELECT document, issued_coupons FROM campaigns WHERE campaign_id = ?",
      [&](sql::PreparedStatement& select) { select.setString(1, campaign_id); },
      [](Campaign& campaign, sql::ResultSet& row) {
        campaign.set_issued_coupons(row.getInt64(2));
      });
}

absl::Status CouponRepository::SetIssuedCount(mysql::Transaction& tx,
                                              const std::string& campaign_id, int64_t issued) {
  return tx.Run("counting an issued coupon", [&] {
    sql::PreparedStatement& update =
        tx.Prepare("UPDATE campaigns SET issued_coupons = ? WHERE campaign_id = ?");
    update.setInt64(1, issued);
    update.setString(2, campaign_id);
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status CouponRepository::InsertIssue(mysql::Transaction& tx, const CouponIssue& issue) {
  return tx.Run("recording a request for a coupon", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO issue_requests (request_id, customer_id, idempotency_key, state, document)"
        " VALUES (?, ?, ?, ?, ?)");
    insert.setString(1, issue.request_id());
    insert.setString(2, issue.customer_id());
    insert.setString(3, issue.idempotency_key());
    insert.setInt(4, issue.state());
    insert.setString(5, issue.SerializeAsString());
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<CouponIssue>> CouponRepository::FindIssue(
    mysql::Transaction& tx, const std::string& request_id, bool for_update) {
  return FindDocument<CouponIssue>(
      tx, "reading a request for a coupon",
      for_update ? "SELECT document FROM issue_requests WHERE request_id = ? FOR UPDATE"
                 : "SELECT document FROM issue_requests WHERE request_id = ?",
      [&](sql::PreparedStatement& select) { select.setString(1, request_id); });
}

absl::StatusOr<std::optional<CouponIssue>> CouponRepository::FindIssueByKey(
    mysql::Transaction& tx, const std::string& customer_id, const std::string& idempotency_key) {
  return FindDocument<CouponIssue>(
      tx, "reading a request for a coupon by its key",
      "SELECT document FROM issue_requests WHERE customer_id = ? AND idempotency_key = ?",
      [&](sql::PreparedStatement& select) {
        select.setString(1, customer_id);
        select.setString(2, idempotency_key);
      });
}

absl::Status CouponRepository::UpdateIssue(mysql::Transaction& tx, const CouponIssue& issue) {
  return tx.Run("deciding a request for a coupon", [&] {
    sql::PreparedStatement& update =
        tx.Prepare("UPDATE issue_requests SET state = ?, document = ? WHERE request_id = ?");
    update.setInt(1, issue.state());
    update.setString(2, issue.SerializeAsString());
    update.setString(3, issue.request_id());
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::Status CouponRepository::InsertCoupon(mysql::Transaction& tx, const Coupon& coupon) {
  return tx.Run("issuing a coupon", [&] {
    sql::PreparedStatement& insert = tx.Prepare(
        "INSERT INTO coupons (coupon_code, campaign_id, customer_id, issued_micros, state,"
        " document) VALUES (?, ?, ?, ?, ?, ?)");
    insert.setString(1, coupon.coupon_code());
    insert.setString(2, coupon.campaign_id());
    insert.setString(3, coupon.customer_id());
    insert.setInt64(4, IssuedMicros(coupon));
    insert.setInt(5, coupon.state());
    insert.setString(6, coupon.SerializeAsString());
    insert.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<std::optional<Coupon>> CouponRepository::FindCoupon(mysql::Transaction& tx,
                                                                   const std::string& coupon_code,
                                                                   bool for_update) {
  return FindDocument<Coupon>(
      tx, "reading a coupon",
      for_update ? "SELECT document FROM coupons WHERE coupon_code = ? FOR UPDATE"
                 : "SELECT document FROM coupons WHERE coupon_code = ?",
      [&](sql::PreparedStatement& select) { select.setString(1, coupon_code); });
}

absl::StatusOr<bool> CouponRepository::CustomerHolds(mysql::Transaction& tx,
                                                     const std::string& campaign_id,
                                                     const std::string& customer_id) {
  bool holds = false;
  absl::Status status = tx.Run("looking for a customer's coupon", [&] {
    sql::PreparedStatement& select =
        tx.Prepare("SELECT 1 FROM coupons WHERE campaign_id = ? AND customer_id = ?");
    select.setString(1, campaign_id);
    select.setString(2, customer_id);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    holds = rows->next();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return holds;
}

absl::Status CouponRepository::UpdateCoupon(mysql::Transaction& tx, const Coupon& coupon) {
  return tx.Run("updating a coupon", [&] {
    sql::PreparedStatement& update =
        tx.Prepare("UPDATE coupons SET state = ?, document = ? WHERE coupon_code = ?");
    update.setInt(1, coupon.state());
    update.setString(2, coupon.SerializeAsString());
    update.setString(3, coupon.coupon_code());
    update.executeUpdate();
    return absl::OkStatus();
  });
}

absl::StatusOr<CouponPage> CouponRepository::ListCoupons(mysql::Transaction& tx,
                                                         const std::string& customer_id,
                                                         int page_size,
                                                         const std::string& page_token) {
  auto cursor = mysql::DecodePageToken(page_token);
  if (!cursor.ok()) return cursor.status();
  CouponPage page;
  absl::Status result = tx.Run("listing coupons", [&] {
    sql::PreparedStatement& select = tx.Prepare(
        "SELECT document FROM coupons WHERE customer_id = ?"
        " AND (issued_micros < ? OR (issued_micros = ? AND coupon_code < ?))"
        " ORDER BY issued_micros DESC, coupon_code DESC LIMIT ?");
    select.setString(1, customer_id);
    select.setInt64(2, cursor->micros);
    select.setInt64(3, cursor->micros);
    select.setString(4, cursor->id);
    select.setInt(5, page_size + 1);
    std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
    while (rows->next()) {
      Coupon coupon;
      if (!coupon.ParseFromString(rows->getString(1))) {
        return absl::DataLossError("Coupon document is corrupt");
      }
      page.coupons.push_back(std::move(coupon));
    }
    return absl::OkStatus();
  });
  if (!result.ok()) return result;
  if (static_cast<int>(page.coupons.size()) > page_size) {
    page.coupons.pop_back();
    const Coupon& last = page.coupons.back();
    page.next_page_token = mysql::EncodePageToken(IssuedMicros(last), last.coupon_code());
  }
  return page;
}

}  // namespace shop::coupon::storage
