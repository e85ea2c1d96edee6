// A saga's event handler as a consumer handler. Each service's saga is pure
// (`(saga.*handler)(event, store, sink)`, tested with fakes); the consumer
// runs it on the service's MySQL store in the batch's transaction, with the
// consumer's outbox as the sink:
//
//   consumer.On(consumer::SagaHandler(saga_, &DeliverySaga::OnOrderCompleted,
//       [this](mysql::Transaction& tx) { return MysqlDeliveryStore(deliveries_, tx); }));
//
// `make_store` returns the store by value, or by reference when the
// transaction keeps one (product's unit of work).
#ifndef SHOP_COMMON_CONSUMER_SAGA_HANDLER_H_
#define SHOP_COMMON_CONSUMER_SAGA_HANDLER_H_

#include <functional>

#include "absl/status/status.h"
#include "common/consumer/event_consumer.h"

namespace shop::consumer {

template <typename Saga, typename M, typename Store, typename MakeStore>
std::function<absl::Status(const M&, EventContext&)> SagaHandler(
    Saga& saga, absl::Status (Saga::*handler)(const M&, Store&, EventSink&), MakeStore make_store) {
  return [&saga, handler, make_store](const M& event, EventContext& context) {
    decltype(auto) store = make_store(context.tx());
    return (saga.*handler)(event, store, context);
  };
}

}  // namespace shop::consumer

#endif  // SHOP_COMMON_CONSUMER_SAGA_HANDLER_H_
