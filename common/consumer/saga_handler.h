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
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/consumer/event_consumer.h"
#include "google/protobuf/message.h"

namespace shop::consumer {

template <typename Saga, typename M, typename Store, typename MakeStore>
std::function<absl::Status(const M&, EventContext&)> SagaHandler(
    Saga& saga, absl::Status (Saga::*handler)(const M&, Store&, EventSink&), MakeStore make_store) {
  return [&saga, handler, make_store](const M& event, EventContext& context) {
    decltype(auto) store = make_store(context.tx());
    return (saga.*handler)(event, store, context);
  };
}

// The values of the singular string field `name` of each event that has one
// (a batch hook's keys: every event about an order carries `order_id`).
inline std::vector<std::string> StringFieldOfEach(
    const std::vector<const google::protobuf::Message*>& events, absl::string_view name) {
  std::vector<std::string> values;
  for (const google::protobuf::Message* event : events) {
    const auto* field = event->GetDescriptor()->FindFieldByName(std::string(name));
    if (field != nullptr && !field->is_repeated() &&
        field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      values.push_back(event->GetReflection()->GetString(*event, field));
    }
  }
  return values;
}

}  // namespace shop::consumer

#endif  // SHOP_COMMON_CONSUMER_SAGA_HANDLER_H_
