#include "product/app/product_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/consumer/saga_handler.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/events/event_metadata.h"
#include "common/mysql/transaction.h"
#include "google/protobuf/util/time_util.h"
#include "product/app/transaction_stock_store.h"
#include "product/domain/stock.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::product::app {
namespace {

using google::protobuf::util::TimeUtil;
using storage::ReservationState;

google::protobuf::Timestamp Now() {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
}

}  // namespace

absl::Status ProductCommands::EmitProductChanged(mysql::Transaction& tx,
                                                 const storage::ProductRecord& record,
                                                 const std::string& correlation_id) {
  shop::product::v1::ProductChanged changed;
  changed.set_product_id(record.product.product_id());
  *changed.mutable_product() = record.product;
  *changed.mutable_stock() = record.stock;
  *changed.mutable_change_time() = Now();
  return outbox_.Append(tx, changed, {correlation_id, correlation_id}).status();
}

absl::StatusOr<storage::ProductRecord> ProductCommands::CreateProduct(
    const shop::product::v1::CreateProductRequest& request, const std::string& correlation_id,
    absl::Time deadline) {
  if (auto violations = domain::ValidateCreate(request); !violations.empty()) {
    return errors::InvalidArgument(violations);
  }
  storage::ProductRecord record;
  shop::product::v1::Product& product = record.product;
  product.set_product_id(request.product_id().empty() ? events::NewUuid() : request.product_id());
  product.set_sku(request.sku());
  product.set_name(request.name());
  *product.mutable_price() = request.price();
  *product.mutable_create_time() = Now();
  *product.mutable_update_time() = product.create_time();
  record.stock.set_product_id(product.product_id());
  record.stock.set_available(request.initial_stock());
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    if (absl::Status inserted = products_.Insert(tx, product, request.initial_stock());
        !inserted.ok()) {
      return inserted;
    }
    return EmitProductChanged(tx, record, correlation_id);
  });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return absl::AlreadyExistsError(absl::StrCat("a product with id ", product.product_id(),
                                                 " or sku ", product.sku(), " exists already"));
  }
  if (!status.ok()) return status;
  return record;
}

absl::StatusOr<storage::ProductRecord> ProductCommands::GetProduct(const std::string& product_id,
                                                                   absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(product_id, "product_id"); !bad.ok()) return bad;
  absl::StatusOr<storage::ProductRecord> record;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    record = products_.Get(tx, product_id, /*for_update=*/false);
    return record.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus()
                                                                 : record.status();
  });
  if (!status.ok()) return status;
  return record;
}

absl::StatusOr<storage::ProductPage> ProductCommands::ListProducts(int page_size,
                                                                   const std::string& page_token,
                                                                   absl::Time deadline) {
  if (page_size < 0) return errors::InvalidArgument({{"page_size", "must not be negative"}});
  page_size = page_size == 0 ? 50 : std::min(page_size, 500);
  absl::StatusOr<storage::ProductPage> page;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    page = products_.List(tx, page_size, page_token);
    return page.status().code() == absl::StatusCode::kInvalidArgument ? absl::OkStatus()
                                                                      : page.status();
  });
  if (!status.ok()) return status;
  if (!page.ok())
    return errors::InvalidArgument({{"page_token", "is not a token this service returned"}});
  return page;
}

absl::StatusOr<storage::ProductRecord> ProductCommands::AdjustStock(
    const std::string& product_id, int64_t delta, const std::string& reason,
    const std::string& correlation_id, absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(product_id, "product_id", violations);
  if (delta == 0) violations.push_back({"delta", "must not be zero"});
  if (delta > domain::kMaxStockDelta || delta < -domain::kMaxStockDelta) {
    violations.push_back({"delta", absl::StrCat("must be between -", domain::kMaxStockDelta,
                                                " and ", domain::kMaxStockDelta)});
  }
  errors::LimitText(reason, "reason", domain::kMaxAdjustReasonBytes, violations);
  if (!violations.empty()) return errors::InvalidArgument(violations);
  storage::ProductRecord record;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    if (absl::Status adjusted = products_.Adjust(tx, product_id, delta, reason); !adjusted.ok()) {
      return adjusted;
    }
    auto updated = products_.Get(tx, product_id, /*for_update=*/false);
    if (!updated.ok()) return updated.status();
    record = *std::move(updated);
    return EmitProductChanged(tx, record, correlation_id);
  });
  if (!status.ok()) return status;
  return record;
}

absl::StatusOr<storage::ProductRecord> ProductCommands::UpdateProduct(
    const shop::product::v1::UpdateProductRequest& request, const std::string& correlation_id,
    absl::Time deadline) {
  if (auto violations = domain::ValidateUpdate(request); !violations.empty()) {
    return errors::InvalidArgument(violations);
  }
  storage::ProductRecord record;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto current = products_.Get(tx, request.product_id(), /*for_update=*/true);
    if (!current.ok()) return current.status();
    record = *std::move(current);
    domain::CatalogUpdate update = domain::ApplyUpdate(record.product, request);
    if (!update.changed) return absl::OkStatus();
    *update.product.mutable_update_time() = Now();
    if (absl::Status updated = products_.UpdateCatalogData(tx, update.product); !updated.ok()) {
      return updated;
    }
    record.product = std::move(update.product);
    return EmitProductChanged(tx, record, correlation_id);
  });
  if (!status.ok()) return status;
  return record;
}

void ProductCommands::RegisterSagaHandlers(consumer::EventConsumer& consumer) {
  // The MySQL store in the consumer's transaction.
  auto store = [this](mysql::Transaction& tx) -> StockStore& {
    return TransactionStockStore::Of(products_, tx);
  };
  // A whole poll batch is one transaction, stock rows included: first every
  // product the batch will move is locked in id order (so the consumer's
  // threads never deadlock each other), then the handlers run on the
  // transaction's stock store. A batch that still aborts twice (an API call
  // holding a row) is applied one order per transaction (EventConsumer).
  consumer.BeforeBatch(
      [this](const std::vector<const google::protobuf::Message*>& events, mysql::Transaction& tx) {
        std::vector<std::string> requested, orders;
        for (const google::protobuf::Message* event : events) {
          if (const auto* placed = dynamic_cast<const shop::order::v1::OrderPlaced*>(event)) {
            orders.push_back(placed->order_id());
            for (const auto& line : placed->lines()) requested.push_back(line.product_id());
          } else if (const auto* completed =
                         dynamic_cast<const shop::order::v1::OrderCompleted*>(event)) {
            orders.push_back(completed->order_id());
          } else if (const auto* cancelled =
                         dynamic_cast<const shop::order::v1::OrderCancelled*>(event)) {
            orders.push_back(cancelled->order_id());
          }
        }
        return TransactionStockStore::Of(products_, tx).LockForBatch(requested, orders);
      });
  consumer.On(consumer::SagaHandler(saga_, &ProductSaga::OnOrderPlaced, store));
  consumer.On(consumer::SagaHandler(saga_, &ProductSaga::OnOrderCompleted, store));
  consumer.On(consumer::SagaHandler(saga_, &ProductSaga::OnOrderCancelled, store));
}

}  // namespace shop::product::app
