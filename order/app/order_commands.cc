#include "order/app/order_commands.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "common/consumer/saga_handler.h"
#include "common/errors/bad_request.h"
#include "common/errors/field_limits.h"
#include "common/events/event_metadata.h"
#include "common/mysql/transaction.h"
#include "google/protobuf/util/time_util.h"
#include "order/app/transaction_order_store.h"
#include "order/domain/new_order.h"
#include "order/domain/order_events.h"
#include "order/domain/order_state.h"
#include "order/domain/pricing.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::order::app {
namespace {

using domain::Emit;
using domain::Transition;

// OrderStore on the repositories, in one transaction.
class MysqlOrderStore : public OrderStore {
 public:
  MysqlOrderStore(storage::OrderRepository& orders, storage::CatalogReplica& catalog,
                  mysql::Transaction& tx)
      : orders_(orders), catalog_(catalog), tx_(tx) {}
  absl::StatusOr<Order> GetForUpdate(const std::string& order_id) override {
    return orders_.Get(tx_, order_id, /*for_update=*/true);
  }
  absl::Status Update(const Order& order) override { return orders_.Update(tx_, order); }
  absl::Status UpsertCatalog(const domain::CatalogEntry& entry, int64_t changed_micros) override {
    return catalog_.Upsert(tx_, entry, changed_micros);
  }

 private:
  storage::OrderRepository& orders_;
  storage::CatalogReplica& catalog_;
  mysql::Transaction& tx_;
};

}  // namespace

absl::Status OrderCommands::AtDeadline(absl::Status status, absl::Time deadline) {
  if (!status.ok() && absl::Now() >= deadline &&
      (status.code() == absl::StatusCode::kUnavailable ||
       status.code() == absl::StatusCode::kAborted)) {
    return absl::DeadlineExceededError(absl::StrCat("deadline exceeded: ", status.message()));
  }
  return status;
}

absl::StatusOr<Order> OrderCommands::PlaceOrder(const shop::order::v1::PlaceOrderRequest& request,
                                                const std::string& correlation_id,
                                                absl::Time deadline) {
  if (auto violations = domain::Validate(request); !violations.empty()) {
    return errors::InvalidArgument(violations);
  }
  const std::string order_id = events::NewUuid();
  const std::string fingerprint = domain::RequestFingerprint(request);
  std::vector<std::string> product_ids;
  for (const auto& line : request.lines()) product_ids.push_back(line.product_id());
  std::optional<storage::IdempotentOrder> existing;
  absl::StatusOr<Order> order;
  // A new order costs one round trip: the CALL that checks the prices it
  // took from memory, inserts the order and its event and commits. Only
  // entries memory lacks are read first; when the CALL finds one it was
  // priced with changed, or pricing from memory fails (an entry may be
  // stale), the entries are read again and the order priced anew. No
  // idempotency lookup: a retry is found by the unique (customer,
  // idempotency key) index, the CALL fails with ALREADY_EXISTS and the order
  // is read below. Only when the request no longer prices (the catalog
  // changed since) is the key looked up first, so a retry keeps the price it
  // was accepted at.
  absl::Status status = absl::OkStatus();
  absl::Status unpriced = absl::OkStatus();
  bool placed = false;
  bool read_again = false;
  for (int attempt = 0; attempt < 4; ++attempt) {
    auto connection = pool_.Acquire(deadline);
    if (!connection.ok()) {
      status = connection.status();
      break;
    }
    // Priced by the shop's catalog, never by the client.
    auto prices = read_again ? prices_.Reload(*connection, product_ids)
                             : prices_.Find(*connection, product_ids);
    if (!prices.ok()) {
      status = prices.status();
      break;
    }
    auto priced = domain::PriceFromCatalog(request, prices->catalog);
    if (!priced.ok()) {
      if (!prices->from_memory.empty()) {
        read_again = true;  // refused only on what the replica holds now
        continue;
      }
      unpriced = priced.status();  // looked up below, this connection back in the pool
      break;
    }
    order = domain::NewOrder(*priced, order_id, absl::Now());
    if (!order.ok()) return order.status();
    auto event = outbox_.Encode(domain::OrderPlacedOf(*order), {correlation_id, correlation_id});
    if (!event.ok()) return event.status();
    status = orders_.PlaceWithEvent(*connection, *order, fingerprint, *event, prices->from_memory);
    placed = status.ok();
    if (storage::IsCatalogChanged(status)) {
      read_again = true;
      continue;
    }
    // A deadlock or lock wait timeout rolled the CALL back: try again.
    if (status.code() != absl::StatusCode::kAborted) break;
  }
  if (!placed && status.ok() && unpriced.ok()) {
    status = absl::AbortedError("the catalog kept changing while the order was priced; retry");
  }
  if (!unpriced.ok()) {
    status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
      auto found =
          orders_.FindByIdempotencyKey(tx, request.customer_id(), request.idempotency_key());
      if (!found.ok()) return found.status();
      if (!found->has_value()) return unpriced;
      existing = **found;
      return absl::OkStatus();
    });
  }
  if (placed) outbox_.NotifyCommitted();
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    // A concurrent call with the same key won the insert: answer with its order.
    status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
      auto found =
          orders_.FindByIdempotencyKey(tx, request.customer_id(), request.idempotency_key());
      if (!found.ok()) return found.status();
      if (!found->has_value()) return absl::AbortedError("idempotency key vanished; retry");
      existing = **found;
      return absl::OkStatus();
    });
  }
  if (!status.ok()) return AtDeadline(status, deadline);
  if (existing.has_value()) {
    if (existing->request_fingerprint != fingerprint) {
      return absl::AlreadyExistsError(absl::StrCat(
          "idempotency_key '", request.idempotency_key(), "' was already used by order ",
          existing->order.order_id(), " for a different request"));
    }
    return existing->order;
  }
  return *std::move(order);
}

absl::StatusOr<Order> OrderCommands::GetOrder(const std::string& order_id, absl::Time deadline) {
  if (absl::Status bad = errors::CheckId(order_id, "order_id"); !bad.ok()) return bad;
  absl::StatusOr<Order> order;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    order = orders_.Get(tx, order_id, /*for_update=*/false);
    return order.status().code() == absl::StatusCode::kNotFound ? absl::OkStatus() : order.status();
  });
  if (!status.ok()) return AtDeadline(status, deadline);
  return order;
}

absl::StatusOr<Order> OrderCommands::GetOrderByIdempotencyKey(const std::string& customer_id,
                                                              const std::string& idempotency_key,
                                                              absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(customer_id, "customer_id", violations);
  errors::RequireId(idempotency_key, "idempotency_key", violations);
  if (!violations.empty()) return errors::InvalidArgument(violations);
  std::optional<storage::IdempotentOrder> found;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto result = orders_.FindByIdempotencyKey(tx, customer_id, idempotency_key);
    if (!result.ok()) return result.status();
    found = *std::move(result);
    return absl::OkStatus();
  });
  if (!status.ok()) return AtDeadline(status, deadline);
  if (!found.has_value()) {
    return absl::NotFoundError(absl::StrCat("no order of customer ", customer_id,
                                            " with idempotency key ", idempotency_key));
  }
  return found->order;
}

absl::StatusOr<storage::OrderPage> OrderCommands::ListOrders(const std::string& customer_id,
                                                             int page_size,
                                                             const std::string& page_token,
                                                             absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(customer_id, "customer_id", violations);
  if (page_size < 0) violations.push_back({"page_size", "must not be negative"});
  if (!violations.empty()) return errors::InvalidArgument(violations);
  if (page_size == 0) page_size = 50;
  page_size = std::min(page_size, 500);
  absl::StatusOr<storage::OrderPage> page;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    page = orders_.ListByCustomer(tx, customer_id, page_size, page_token);
    return page.status().code() == absl::StatusCode::kInvalidArgument ? absl::OkStatus()
                                                                      : page.status();
  });
  if (!status.ok()) return AtDeadline(status, deadline);
  if (page.status().code() == absl::StatusCode::kInvalidArgument) {
    return errors::InvalidArgument({{"page_token", "is not a token this service returned"}});
  }
  return page;
}

absl::StatusOr<Order> OrderCommands::CancelOrder(const std::string& order_id,
                                                 const std::string& reason,
                                                 const std::string& correlation_id,
                                                 absl::Time deadline) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(order_id, "order_id", violations);
  errors::LimitText(reason, "reason", domain::kMaxReasonBytes, violations);
  if (!violations.empty()) return errors::InvalidArgument(violations);
  Order order;
  absl::Status status = mysql::RunInTransaction(pool_, deadline, [&](mysql::Transaction& tx) {
    auto current = orders_.Get(tx, order_id, /*for_update=*/true);
    if (!current.ok()) return current.status();
    order = *std::move(current);
    auto transition =
        domain::Cancel(order, reason.empty() ? "cancelled by the customer" : reason, absl::Now());
    if (!transition.ok()) return transition.status();
    MysqlOrderStore store(orders_, catalog_, tx);
    outbox::OutboxSink sink(outbox_, tx, correlation_id);
    return OrderSaga::Apply(*transition, order, store, sink);
  });
  if (!status.ok()) return AtDeadline(status, deadline);
  return order;
}

void OrderCommands::RegisterSagaHandlers(consumer::EventConsumer& consumer) {
  // A whole poll batch is one transaction: first every order its events name
  // is read and locked (a few statements), then the handlers run on the
  // transaction's store, whose changed orders are written before COMMIT.
  // Every event the order service consumes about an order carries its id in
  // `order_id`.
  consumer.BeforeBatch(
      [this](const std::vector<const google::protobuf::Message*>& events, mysql::Transaction& tx) {
        return TransactionOrderStore::Of(orders_, catalog_, tx)
            .LockForBatch(consumer::StringFieldOfEach(events, "order_id"));
      });
  auto store = [this](mysql::Transaction& tx) -> OrderStore& {
    return TransactionOrderStore::Of(orders_, catalog_, tx);
  };
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnProductChanged, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnStockReserved, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnStockRejected, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnCouponRedeemed, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnCouponRedemptionRejected, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnCouponRestored, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnDeliveryStatusChanged, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnCancellationAccepted, store));
  consumer.On(consumer::SagaHandler(saga_, &OrderSaga::OnCancellationRefused, store));
}

}  // namespace shop::order::app
