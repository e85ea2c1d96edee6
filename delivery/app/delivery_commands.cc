#include "delivery/app/delivery_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/consumer/saga_handler.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/events/event_metadata.h"
#include "common/logging/log.h"
#include "common/mysql/transaction.h"
#include "delivery/app/transaction_delivery_store.h"
#include "delivery/domain/delivery_rules.h"
#include "google/protobuf/util/time_util.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::delivery::app {
namespace {

// DeliveryStore on the repository, in one transaction.
class MysqlDeliveryStore : public DeliveryStore {
 public:
  MysqlDeliveryStore(storage::DeliveryRepository& deliveries, mysql::Transaction& tx)
      : deliveries_(deliveries), tx_(tx) {}
  absl::StatusOr<std::optional<Delivery>> FindByOrder(const std::string& order_id) override {
    return deliveries_.FindByOrder(tx_, order_id, /*for_update=*/true);
  }
  absl::Status Insert(const Delivery& delivery) override {
    return deliveries_.Insert(tx_, delivery);
  }
  absl::Status Update(const Delivery& delivery) override {
    return deliveries_.Update(tx_, delivery);
  }

 private:
  storage::DeliveryRepository& deliveries_;
  mysql::Transaction& tx_;
};

}  // namespace

absl::StatusOr<Delivery> DeliveryCommands::GetDelivery(const std::string& order_id,
                                                       absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(order_id, "order_id"); !bad.ok()) return bad;
  std::optional<Delivery> delivery;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = deliveries_.FindByOrder(tx, order_id, /*for_update=*/false);
    if (!found.ok()) return found.status();
    delivery = *std::move(found);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  if (!delivery.has_value()) {
    return absl::NotFoundError(absl::StrCat("order ", order_id, " has no delivery"));
  }
  return *delivery;
}

absl::StatusOr<storage::DeliveryPage> DeliveryCommands::ListDeliveries(
    int page_size, const std::string& page_token, DeliveryStatus status, absl::Time deadline) {
  if (page_size < 0) return errors::InvalidArgument({{"page_size", "must not be negative"}});
  page_size = page_size == 0 ? 50 : std::min(page_size, 500);
  absl::StatusOr<storage::DeliveryPage> page;
  absl::Status result = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    page = deliveries_.List(tx, page_size, page_token, status);
    return page.status().code() == absl::StatusCode::kInvalidArgument ? absl::OkStatus()
                                                                      : page.status();
  });
  if (!result.ok()) return result;
  if (!page.ok()) {
    return errors::InvalidArgument({{"page_token", "is not a token this service returned"}});
  }
  return page;
}

absl::StatusOr<Delivery> DeliveryCommands::UpdateStatus(const std::string& order_id,
                                                        DeliveryStatus status,
                                                        const std::string& correlation_id,
                                                        absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(order_id, "order_id", violations);
  if (status == DeliveryStatus::DELIVERY_STATUS_UNSPECIFIED) {
    violations.push_back({"status", "is required"});
  }
  if (!violations.empty()) return errors::InvalidArgument(violations);
  Delivery delivery;
  absl::Status result = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto found = deliveries_.FindByOrder(tx, order_id, /*for_update=*/true);
    if (!found.ok()) return found.status();
    if (!found->has_value()) {
      return absl::NotFoundError(absl::StrCat("order ", order_id, " has no delivery"));
    }
    auto change = domain::ChangeStatus(**found, status, absl::Now());
    if (!change.ok()) return change.status();
    delivery = change->update.has_value() ? *change->update : **found;
    MysqlDeliveryStore store(deliveries_, tx);
    outbox::OutboxSink sink(outbox_, tx, correlation_id);
    return DeliverySaga::Apply(*change, store, sink);
  });
  if (!result.ok()) return result;
  return delivery;
}

void DeliveryCommands::RegisterSagaHandlers(consumer::EventConsumer& consumer) {
  // A whole poll batch is one transaction: first the deliveries of every
  // order its events name are read and locked (a statement per chunk), then
  // the handlers run on the transaction's store, whose new and changed
  // deliveries are written before COMMIT. Every event delivery consumes
  // carries the order's id in `order_id`.
  consumer.BeforeBatch(
      [this](const std::vector<const google::protobuf::Message*>& events, mysql::Transaction& tx) {
        return TransactionDeliveryStore::Of(deliveries_, tx)
            .LockForBatch(consumer::StringFieldOfEach(events, "order_id"));
      });
  auto store = [this](mysql::Transaction& tx) -> DeliveryStore& {
    return TransactionDeliveryStore::Of(deliveries_, tx);
  };
  consumer.On(consumer::SagaHandler(saga_, &DeliverySaga::OnOrderCompleted, store));
  consumer.On(consumer::SagaHandler(saga_, &DeliverySaga::OnOrderCancellationRequested, store));
  consumer.On(consumer::SagaHandler(saga_, &DeliverySaga::OnOrderCancelled, store));
}

}  // namespace shop::delivery::app
