// The order service binary against the real broker and database, through a
// real gRPC client: events on Kafka, its part of the saga, idempotency,
// validation, cancellation, reflection, and a database outage.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <memory>
#include <set>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/events/event_route.h"
#include "common/grpc/status.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/provision.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/service_process.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "integration_tests/catalog_feed.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::testing {
namespace {

using shop::order::v1::Order;
using shop::order::v1::OrderService;
using shop::order::v1::PlaceOrderRequest;
using ::testing::ElementsAre;

constexpr char kOrderBinary[] = "order/order";

PlaceOrderRequest ValidRequest(const std::string& customer, const std::string& key) {
  PlaceOrderRequest request;
  request.set_customer_id(customer);
  request.set_idempotency_key(key);
  request.set_currency_code("EUR");
  auto* address = request.mutable_shipping_address();
  address->set_recipient("Ada Lovelace");
  address->add_lines("12 St James Square");
  address->set_city("London");
  address->set_country_code("GB");
  auto* line = request.add_lines();
  line->set_product_id("tea");
  line->set_quantity(2);
  line->set_unit_price_minor(450);
  return request;
}

class OrderServiceTest : public ::testing::Test {
 protected:
  OrderServiceTest()
      : database_("order_it"),
        namespace_(UniqueName("order_it")),
        service_(kOrderBinary, database_.options(), namespace_) {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    absl::Status started = service_.Start();
    ASSERT_TRUE(started.ok()) << started;
    stub_ = OrderService::NewStub(
        grpc::CreateChannel(service_.address(), grpc::InsecureChannelCredentials()));
    auto producer = kafka::Producer::Create(KafkaBrokers());
    ASSERT_TRUE(producer.ok());
    producer_ = *std::move(producer);
    TeachCatalog(namespace_, database_.options(), "tea", 450);
  }

  void TearDown() override {
    absl::Status stopped = service_.Stop();
    EXPECT_TRUE(stopped.ok()) << stopped << " (graceful shutdown on SIGTERM)";
  }

  std::string Topic(const std::string& topic) { return events::QualifiedTopic(namespace_, topic); }

  grpc::Status Place(const PlaceOrderRequest& request, Order* order,
                     const std::string& correlation_id = "") {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!correlation_id.empty()) context.AddMetadata("x-correlation-id", correlation_id);
    shop::order::v1::PlaceOrderResponse response;
    grpc::Status status = stub_->PlaceOrder(&context, request, &response);
    if (order != nullptr) *order = response.order();
    if (status.ok() && !correlation_id.empty()) {
      auto echoed = context.GetServerInitialMetadata().find("x-correlation-id");
      EXPECT_NE(echoed, context.GetServerInitialMetadata().end());
      if (echoed != context.GetServerInitialMetadata().end()) {
        EXPECT_EQ(std::string(echoed->second.data(), echoed->second.size()), correlation_id);
      }
    }
    return status;
  }

  Order Get(const std::string& order_id, grpc::Status* status_out = nullptr) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    shop::order::v1::GetOrderRequest request;
    request.set_order_id(order_id);
    shop::order::v1::GetOrderResponse response;
    grpc::Status status = stub_->GetOrder(&context, request, &response);
    if (status_out != nullptr) *status_out = status;
    return response.order();
  }

  grpc::Status Cancel(const std::string& order_id, Order* order) {
    grpc::ClientContext context;
    shop::order::v1::CancelOrderRequest request;
    request.set_order_id(order_id);
    request.set_reason("changed my mind");
    shop::order::v1::CancelOrderResponse response;
    grpc::Status status = stub_->CancelOrder(&context, request, &response);
    *order = response.order();
    return status;
  }

  bool WaitForStatus(const std::string& order_id, shop::order::v1::OrderStatus status) {
    return WaitFor([&] { return Get(order_id).status() == status; }, absl::Seconds(30));
  }

  // Completes `order_id` as product would: a StockReserved.
  void Complete(const std::string& order_id) {
    shop::product::v1::StockReserved reserved;
    reserved.set_order_id(order_id);
    Feed(reserved);
    ASSERT_TRUE(WaitForStatus(order_id, shop::order::v1::ORDER_STATUS_COMPLETED)) << order_id;
  }

  // Sends `event` as its producer would: to its (namespaced) topic, keyed by
  // its aggregate id, with CloudEvents headers. Returns the event id.
  std::string Feed(const google::protobuf::Message& event, const std::string& event_id = "") {
    auto destination = events::DestinationOf(event);
    EXPECT_TRUE(destination.ok());
    events::EventMetadata metadata{event_id.empty() ? events::NewUuid() : event_id,
                                   event.GetDescriptor()->full_name(),
                                   "/test",
                                   absl::Now(),
                                   "corr-feed",
                                   ""};
    auto reports =
        producer_->ProduceAndWait({{Topic(destination->topic), destination->key,
                                    event.SerializeAsString(), events::ToHeaders(metadata)}},
                                  absl::Seconds(10));
    EXPECT_TRUE(reports[0].status.ok()) << reports[0].status;
    return metadata.id;
  }

  // Order events of `order_id` with type `type`, read until `count` are seen.
  std::vector<ConsumedRecord> OrderEvents(const std::string& order_id, const std::string& type,
                                          size_t count) {
    std::vector<ConsumedRecord> matching;
    ReadTopic(
        Topic("shop.order.events"),
        [&](const std::vector<ConsumedRecord>& records) {
          matching.clear();
          for (const auto& record : records) {
            if (record.key == order_id && events::HeaderValue(record.headers, "ce_type") == type) {
              matching.push_back(record);
            }
          }
          return matching.size() >= count;
        },
        absl::Seconds(30));
    return matching;
  }

  TestDatabase database_;
  std::string namespace_;
  ServiceProcess service_;
  std::unique_ptr<OrderService::Stub> stub_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(OrderServiceTest, PlacedOrderIsPendingAndItsEventIsOnKafkaKeyedByOrderIdWithHeaders) {
  Order order;
  ASSERT_TRUE(Place(ValidRequest("cust-1", "key-1"), &order, "corr-abc").ok());
  EXPECT_EQ(order.status(), shop::order::v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(order.total().minor_units(), 900);
  EXPECT_FALSE(order.order_id().empty());

  auto placed = OrderEvents(order.order_id(), "shop.order.v1.OrderPlaced", 1);
  ASSERT_EQ(placed.size(), 1u);
  const auto& headers = placed[0].headers;
  EXPECT_EQ(events::HeaderValue(headers, "ce_specversion"), "1.0");
  EXPECT_EQ(events::HeaderValue(headers, "ce_source"), "/shop/order");
  EXPECT_EQ(events::HeaderValue(headers, "content-type"), "application/x-protobuf");
  EXPECT_EQ(events::HeaderValue(headers, "ce_correlationid"), "corr-abc");
  EXPECT_EQ(events::HeaderValue(headers, "ce_id").size(), 36u);
  shop::order::v1::OrderPlaced event;
  ASSERT_TRUE(event.ParseFromString(placed[0].value));
  EXPECT_EQ(event.order_id(), order.order_id());
  EXPECT_EQ(event.total().minor_units(), 900);
  EXPECT_EQ(event.shipping_address().city(), "London");
}

TEST_F(OrderServiceTest, StockReservedCompletesTheOrderOnceAndEmitsOrderCompleted) {
  Order order;
  ASSERT_TRUE(Place(ValidRequest("cust-2", "key-2"), &order).ok());
  shop::product::v1::StockReserved reserved;
  reserved.set_order_id(order.order_id());
  const std::string reserved_id = Feed(reserved);
  ASSERT_TRUE(WaitForStatus(order.order_id(), shop::order::v1::ORDER_STATUS_COMPLETED));

  auto completed = OrderEvents(order.order_id(), "shop.order.v1.OrderCompleted", 1);
  ASSERT_EQ(completed.size(), 1u);
  EXPECT_EQ(events::HeaderValue(completed[0].headers, "ce_causationid"), reserved_id);
  shop::order::v1::OrderCompleted event;
  ASSERT_TRUE(event.ParseFromString(completed[0].value));
  EXPECT_EQ(event.total().minor_units(), 900);
  EXPECT_EQ(event.shipping_address().recipient(), "Ada Lovelace");

  // Redelivered, it changes nothing. A StockRejected after it (same key, so
  // processed after it) is an illegal transition and goes to the dead-letter
  // topic: once it is there, the redelivery was surely handled.
  Feed(reserved, reserved_id);
  shop::product::v1::StockRejected late;
  late.set_order_id(order.order_id());
  Feed(late);
  auto dead = ReadAtLeast(events::DeadLetterTopic(Topic("shop.product.events"), "order"), 1,
                          absl::Seconds(30));
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_THAT(events::HeaderValue(dead[0].headers, "dlq_error"),
              ::testing::HasSubstr("FAILED_PRECONDITION"));
  EXPECT_EQ(Get(order.order_id()).status(), shop::order::v1::ORDER_STATUS_COMPLETED);
  int completed_count = 0;
  for (const auto& record : ReadToEnd(Topic("shop.order.events"))) {
    completed_count +=
        record.key == order.order_id() &&
        events::HeaderValue(record.headers, "ce_type") == "shop.order.v1.OrderCompleted";
  }
  EXPECT_EQ(completed_count, 1);
}

TEST_F(OrderServiceTest, StockRejectedCancelsTheOrderWithTheReason) {
  Order order;
  ASSERT_TRUE(Place(ValidRequest("cust-3", "key-3"), &order).ok());
  shop::product::v1::StockRejected rejected;
  rejected.set_order_id(order.order_id());
  auto* shortfall = rejected.add_shortfalls();
  shortfall->set_product_id("tea");
  shortfall->set_requested(2);
  shortfall->set_available(1);
  Feed(rejected);
  ASSERT_TRUE(WaitForStatus(order.order_id(), shop::order::v1::ORDER_STATUS_CANCELLED));
  const Order cancelled = Get(order.order_id());
  EXPECT_EQ(cancelled.cancellation_reason(), shop::order::v1::CANCELLATION_REASON_OUT_OF_STOCK);
  EXPECT_THAT(cancelled.cancellation_detail(),
              ::testing::HasSubstr("tea: requested 2, available 1"));
  auto events = OrderEvents(order.order_id(), "shop.order.v1.OrderCancelled", 1);
  ASSERT_EQ(events.size(), 1u);
  shop::order::v1::OrderCancelled event;
  ASSERT_TRUE(event.ParseFromString(events[0].value));
  EXPECT_EQ(event.reason(), shop::order::v1::CANCELLATION_REASON_OUT_OF_STOCK);
  EXPECT_EQ(event.previous_status(), shop::order::v1::ORDER_STATUS_PENDING);
}

TEST_F(OrderServiceTest, KeysAreComparedExactlyNeitherTrimmedNorCaseFolded) {
  std::set<std::string> ids;
  for (const std::string key : {"PO-1", "PO-1 ", "po-1", " PO-1"}) {
    Order order;
    ASSERT_TRUE(Place(ValidRequest("Acme", key), &order).ok()) << "[" << key << "]";
    EXPECT_EQ(order.idempotency_key(), key);
    ids.insert(order.order_id());
  }
  Order other_customer;
  ASSERT_TRUE(Place(ValidRequest("acme", "PO-1"), &other_customer).ok());
  ids.insert(other_customer.order_id());
  EXPECT_EQ(ids.size(), 5u) << "five different (customer, key) pairs are five orders";
}

TEST_F(OrderServiceTest, RetriesWithOneKeyMakeOneOrderEvenWhenTheyRace) {
  Order first, again;
  ASSERT_TRUE(Place(ValidRequest("cust-4", "key-seq"), &first).ok());
  ASSERT_TRUE(Place(ValidRequest("cust-4", "key-seq"), &again).ok());
  EXPECT_EQ(again.order_id(), first.order_id());

  const PlaceOrderRequest racing = ValidRequest("cust-4", "key-race");
  absl::Mutex mu;
  std::set<std::string> ids;
  int failures = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      Order order;
      grpc::Status status = Place(racing, &order);
      absl::MutexLock lock(&mu);
      if (status.ok()) {
        ids.insert(order.order_id());
      } else {
        ++failures;
        ADD_FAILURE() << status.error_message();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(ids.size(), 1u) << "20 concurrent calls with one key must make exactly one order";

  grpc::ClientContext context;
  shop::order::v1::ListOrdersRequest list;
  list.set_customer_id("cust-4");
  shop::order::v1::ListOrdersResponse listed;
  ASSERT_TRUE(stub_->ListOrders(&context, list, &listed).ok());
  EXPECT_EQ(listed.orders_size(), 2);  // key-seq and key-race

  PlaceOrderRequest different = racing;
  different.mutable_lines(0)->set_quantity(5);
  grpc::Status conflict = Place(different, nullptr);
  EXPECT_EQ(conflict.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(conflict.error_message(), ::testing::HasSubstr("different request"));
}

TEST_F(OrderServiceTest, EachValidationErrorNamesItsField) {
  struct Case {
    std::string field;
    std::function<void(PlaceOrderRequest&)> spoil;
  };
  const std::vector<Case> cases = {
      {"customer_id", [](PlaceOrderRequest& r) { r.clear_customer_id(); }},
      {"idempotency_key", [](PlaceOrderRequest& r) { r.clear_idempotency_key(); }},
      {"currency_code", [](PlaceOrderRequest& r) { r.set_currency_code("EURO"); }},
      {"lines", [](PlaceOrderRequest& r) { r.clear_lines(); }},
      {"lines",
       [](PlaceOrderRequest& r) {
         for (int i = 0; i < 100; ++i) *r.add_lines() = r.lines(0);
       }},
      {"lines[0].quantity", [](PlaceOrderRequest& r) { r.mutable_lines(0)->set_quantity(0); }},
      {"lines[0].unit_price_minor",
       [](PlaceOrderRequest& r) { r.mutable_lines(0)->set_unit_price_minor(-1); }},
      {"lines[0].product_id", [](PlaceOrderRequest& r) { r.mutable_lines(0)->clear_product_id(); }},
      {"lines[0]",
       [](PlaceOrderRequest& r) {
         r.mutable_lines(0)->set_quantity(1000);
         r.mutable_lines(0)->set_unit_price_minor(int64_t{1} << 62);
       }},
      {"lines[0].quantity",
       [](PlaceOrderRequest& r) { r.mutable_lines(0)->set_quantity(1'000'001); }},
      {"shipping_address", [](PlaceOrderRequest& r) { r.clear_shipping_address(); }},
      // The hostile request that once stopped the pipeline: a 900 KB address line.
      {"shipping_address.lines[0]",
       [](PlaceOrderRequest& r) {
         r.mutable_shipping_address()->set_lines(0, std::string(900 * 1024, 'x'));
       }},
      {"shipping_address.recipient",
       [](PlaceOrderRequest& r) {
         r.mutable_shipping_address()->set_recipient(std::string(201, 'r'));
       }},
      {"customer_id", [](PlaceOrderRequest& r) { r.set_customer_id(std::string(129, 'c')); }},
  };
  for (const Case& test : cases) {
    PlaceOrderRequest request = ValidRequest("cust-5", "key-" + test.field);
    test.spoil(request);
    grpc::Status status = Place(request, nullptr);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << test.field;
    std::vector<std::string> fields;
    for (const auto& violation : grpc_util::ViolationsOf(status)) fields.push_back(violation.field);
    EXPECT_THAT(fields, ElementsAre(test.field)) << status.error_message();
  }
}

TEST_F(OrderServiceTest, ARequestOverTheServersMessageLimitIsRefusedAndTheServiceGoesOn) {
  PlaceOrderRequest huge = ValidRequest("cust-huge", "key-huge");
  huge.mutable_shipping_address()->set_lines(0, std::string(1536 * 1024, 'x'));  // 1.5 MB
  grpc::Status status = Place(huge, nullptr);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  Order order;
  ASSERT_TRUE(Place(ValidRequest("cust-huge", "key-after"), &order).ok());
  EXPECT_EQ(OrderEvents(order.order_id(), "shop.order.v1.OrderPlaced", 1).size(), 1u);
}

TEST_F(OrderServiceTest, OrdersArePricedFromTheCatalogAndAStalePriceIsRefusedWithTheCurrentOne) {
  Order order;
  PlaceOrderRequest request = ValidRequest("cust-p", "key-p1");
  request.mutable_lines(0)->set_unit_price_minor(1);  // made up
  grpc::Status refused = Place(request, &order);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << refused.error_message();
  const auto violations = grpc_util::PreconditionViolationsOf(refused);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].type, "PRICE_CHANGED");
  EXPECT_EQ(violations[0].subject, "lines[0]");
  EXPECT_EQ(violations[0].description, "450 EUR");

  request.mutable_lines(0)->set_unit_price_minor(0);  // no expected price: the catalog's
  ASSERT_TRUE(Place(request, &order).ok());
  EXPECT_EQ(order.lines(0).unit_price_minor(), 450);
  EXPECT_EQ(order.total().minor_units(), 900);

  TeachCatalog(namespace_, database_.options(), "retired", 100, "EUR", /*discontinued=*/true);
  TeachCatalog(namespace_, database_.options(), "dollar-tea", 500, "USD");
  struct Case {
    std::string product;
    std::string field;
  };
  for (const Case& test : std::vector<Case>{{"unknown", "lines[0].product_id"},
                                            {"retired", "lines[0].product_id"},
                                            {"dollar-tea", "currency_code"}}) {
    PlaceOrderRequest bad = ValidRequest("cust-p", "key-" + test.product);
    bad.mutable_lines(0)->set_product_id(test.product);
    bad.mutable_lines(0)->set_unit_price_minor(0);
    grpc::Status status = Place(bad, nullptr);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << test.product;
    std::vector<std::string> fields;
    for (const auto& violation : grpc_util::ViolationsOf(status)) fields.push_back(violation.field);
    EXPECT_THAT(fields, ElementsAre(test.field)) << test.product;
  }
}

TEST_F(OrderServiceTest, APriceChangeReachesLaterOrdersWhileEarlierOrdersKeepTheirs) {
  Order before, after, retried;
  const PlaceOrderRequest first = ValidRequest("cust-q", "key-q1");  // expects 450
  ASSERT_TRUE(Place(first, &before).ok());
  const absl::Time changed = absl::Now();
  TeachCatalog(namespace_, database_.options(), "tea", 520, "EUR", false, changed);
  PlaceOrderRequest second = ValidRequest("cust-q", "key-q2");
  EXPECT_EQ(Place(second, nullptr).error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << "450 is stale now";
  second.mutable_lines(0)->set_unit_price_minor(520);
  ASSERT_TRUE(Place(second, &after).ok());
  EXPECT_EQ(after.total().minor_units(), 1040);
  EXPECT_EQ(Get(before.order_id()).total().minor_units(), 900) << "accepted at 450, kept";
  ASSERT_TRUE(Place(first, &retried).ok()) << "a retry returns the order as accepted";
  EXPECT_EQ(retried.order_id(), before.order_id());
  EXPECT_EQ(retried.total().minor_units(), 900);

  // A late, older ProductChanged does not roll the replica back.
  const std::string stale_id = Feed([&] {
    shop::product::v1::ProductChanged stale;
    stale.set_product_id("tea");
    stale.mutable_product()->mutable_price()->set_minor_units(1);
    stale.mutable_product()->mutable_price()->set_currency_code("EUR");
    *stale.mutable_change_time() = google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(
        absl::ToUnixMicros(changed - absl::Hours(1)));
    return stale;
  }());
  mysql::ConnectionPool pool(database_.options());
  ASSERT_TRUE(WaitFor(
      [&] {
        auto connection = pool.Acquire();
        if (!connection.ok()) return false;
        sql::PreparedStatement& select =
            connection->Prepare("SELECT COUNT(*) FROM processed_events WHERE event_id = ?");
        select.setString(1, stale_id);
        std::unique_ptr<sql::ResultSet> row(select.executeQuery());
        return row->next() && row->getInt64(1) == 1;
      },
      absl::Seconds(30)))
      << "the stale event was not consumed";
  PlaceOrderRequest third = ValidRequest("cust-q", "key-q3");
  third.mutable_lines(0)->set_unit_price_minor(520);
  EXPECT_TRUE(Place(third, nullptr).ok()) << "still 520";
}

TEST_F(OrderServiceTest, AProductDiscontinuedThenOfferedAgainIsOrderedAtOnce) {
  // The service prices from memory; neither change reaches that memory, yet
  // each order sees the replica as it is when the order is placed.
  PlaceOrderRequest request = ValidRequest("cust-d", "key-d1");
  request.mutable_lines(0)->set_unit_price_minor(0);
  ASSERT_TRUE(Place(request, nullptr).ok());  // "tea" now in memory, on offer
  TeachCatalog(namespace_, database_.options(), "tea", 450, "EUR", /*discontinued=*/true);
  request.set_idempotency_key("key-d2");
  grpc::Status refused = Place(request, nullptr);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << refused.error_message();
  TeachCatalog(namespace_, database_.options(), "tea", 480, "EUR", /*discontinued=*/false);
  request.set_idempotency_key("key-d3");
  Order order;
  grpc::Status placed = Place(request, &order);  // memory says discontinued
  ASSERT_TRUE(placed.ok()) << placed.error_message();
  EXPECT_EQ(order.lines(0).unit_price_minor(), 480);
}

TEST_F(OrderServiceTest, ANewOrderServiceReplaysTheCatalogFromTheBeginningOfTheTopic) {
  // A product published before the new service (its own database and
  // consumer group) ever ran.
  TeachCatalog(namespace_, database_.options(), "heritage", 777);
  TestDatabase fresh("order_replay");
  ASSERT_TRUE(fresh.status().ok());
  ServiceProcess replayed(kOrderBinary, fresh.options(), namespace_,
                          {"--consumer_group=order-replayed", "--relay=false"});
  ASSERT_TRUE(replayed.Start().ok());
  auto stub = OrderService::NewStub(
      grpc::CreateChannel(replayed.address(), grpc::InsecureChannelCredentials()));
  PlaceOrderRequest request = ValidRequest("cust-r", "key-r");
  request.mutable_lines(0)->set_product_id("heritage");
  request.mutable_lines(0)->set_unit_price_minor(777);
  grpc::Status status;
  ASSERT_TRUE(WaitFor(
      [&] {
        grpc::ClientContext context;
        context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
        shop::order::v1::PlaceOrderResponse response;
        status = stub->PlaceOrder(&context, request, &response);
        return status.ok() && response.order().total().minor_units() == 2 * 777;
      },
      absl::Seconds(30)))
      << status.error_message();
  EXPECT_TRUE(replayed.Stop().ok());
}

TEST_F(OrderServiceTest, CancellingACompletedOrderIsARequestThatDeliveryAnswers) {
  Order accepted_order, refused_order, answer;
  ASSERT_TRUE(Place(ValidRequest("cust-n", "key-n1"), &accepted_order).ok());
  ASSERT_TRUE(Place(ValidRequest("cust-n", "key-n2"), &refused_order).ok());
  Complete(accepted_order.order_id());
  Complete(refused_order.order_id());

  for (const Order* order : {&accepted_order, &refused_order}) {
    ASSERT_TRUE(Cancel(order->order_id(), &answer).ok());
    EXPECT_EQ(answer.status(), shop::order::v1::ORDER_STATUS_COMPLETED) << "answered at once";
    EXPECT_EQ(answer.cancellation_request().state(),
              shop::order::v1::CANCELLATION_REQUEST_STATE_REQUESTED);
    ASSERT_TRUE(Cancel(order->order_id(), &answer).ok()) << "asking twice is harmless";
    auto requested = OrderEvents(order->order_id(), "shop.order.v1.OrderCancellationRequested", 1);
    ASSERT_EQ(requested.size(), 1u);
    shop::order::v1::OrderCancellationRequested event;
    ASSERT_TRUE(event.ParseFromString(requested[0].value));
    EXPECT_EQ(event.reason(), "changed my mind");
  }

  shop::delivery::v1::CancellationAccepted accepted;
  accepted.set_order_id(accepted_order.order_id());
  Feed(accepted);
  ASSERT_TRUE(WaitForStatus(accepted_order.order_id(), shop::order::v1::ORDER_STATUS_CANCELLED));
  EXPECT_EQ(Get(accepted_order.order_id()).cancellation_request().state(),
            shop::order::v1::CANCELLATION_REQUEST_STATE_ACCEPTED);
  auto cancelled = OrderEvents(accepted_order.order_id(), "shop.order.v1.OrderCancelled", 1);
  ASSERT_EQ(cancelled.size(), 1u);
  shop::order::v1::OrderCancelled cancelled_event;
  ASSERT_TRUE(cancelled_event.ParseFromString(cancelled[0].value));
  EXPECT_EQ(cancelled_event.previous_status(), shop::order::v1::ORDER_STATUS_COMPLETED)
      << "so product releases and settlement reverses";

  shop::delivery::v1::CancellationRefused refused;
  refused.set_order_id(refused_order.order_id());
  refused.set_status(shop::delivery::v1::DELIVERY_STATUS_SHIPPED);
  refused.set_detail("the parcel has shipped");
  Feed(refused);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Get(refused_order.order_id()).cancellation_request().state() ==
               shop::order::v1::CANCELLATION_REQUEST_STATE_REFUSED;
      },
      absl::Seconds(30)));
  const Order kept = Get(refused_order.order_id());
  EXPECT_EQ(kept.status(), shop::order::v1::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(kept.cancellation_request().refusal_detail(), "the parcel has shipped");
  EXPECT_EQ(Cancel(refused_order.order_id(), &answer).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(OrderServiceTest, ASecondServiceOnATakenPortFailsToStartAndTheFirstKeepsServing) {
  TestDatabase other("order_port");
  ASSERT_TRUE(other.status().ok());
  ServiceProcess second(kOrderBinary, other.options(), namespace_,
                        {"--grpc_address=" + service_.address()});
  const absl::Status started = second.Start();
  EXPECT_FALSE(started.ok()) << "the port is taken; the second service must not share it";
  EXPECT_THAT(std::string(started.message()), ::testing::HasSubstr("exited"));
  Order order;
  EXPECT_TRUE(Place(ValidRequest("cust-port", "key-port"), &order).ok());
}

TEST_F(OrderServiceTest, CancelFollowsTheStateMachine) {
  Order order, cancelled;
  ASSERT_TRUE(Place(ValidRequest("cust-6", "key-6a"), &order).ok());
  ASSERT_TRUE(Cancel(order.order_id(), &cancelled).ok());
  EXPECT_EQ(cancelled.status(), shop::order::v1::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(cancelled.cancellation_reason(), shop::order::v1::CANCELLATION_REASON_CUSTOMER_REQUEST);
  ASSERT_TRUE(Cancel(order.order_id(), &cancelled).ok()) << "cancelling twice is harmless";
  EXPECT_EQ(OrderEvents(order.order_id(), "shop.order.v1.OrderCancelled", 1).size(), 1u);

  // A completed order that shipped can no longer be cancelled.
  Order shipped;
  ASSERT_TRUE(Place(ValidRequest("cust-6", "key-6b"), &shipped).ok());
  shop::product::v1::StockReserved reserved;
  reserved.set_order_id(shipped.order_id());
  Feed(reserved);
  ASSERT_TRUE(WaitForStatus(shipped.order_id(), shop::order::v1::ORDER_STATUS_COMPLETED));
  shop::delivery::v1::DeliveryStatusChanged status_changed;
  status_changed.set_order_id(shipped.order_id());
  status_changed.set_previous_status(shop::delivery::v1::DELIVERY_STATUS_PREPARING);
  status_changed.set_status(shop::delivery::v1::DELIVERY_STATUS_SHIPPED);
  Feed(status_changed);
  ASSERT_TRUE(WaitFor([&] { return Get(shipped.order_id()).has_ship_time(); }, absl::Seconds(30)));
  grpc::Status refused = Cancel(shipped.order_id(), &cancelled);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  grpc::Status missing;
  Get("no-such-order", &missing);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(OrderServiceTest, ListOrdersIsNewestFirstWithPageTokens) {
  std::vector<std::string> placed;
  for (int i = 0; i < 5; ++i) {
    Order order;
    ASSERT_TRUE(Place(ValidRequest("cust-7", "key-7-" + std::to_string(i)), &order).ok());
    placed.push_back(order.order_id());
  }
  std::vector<std::string> listed;
  std::string token;
  int pages = 0;
  do {
    grpc::ClientContext context;
    shop::order::v1::ListOrdersRequest request;
    request.set_customer_id("cust-7");
    request.set_page_size(2);
    request.set_page_token(token);
    shop::order::v1::ListOrdersResponse response;
    ASSERT_TRUE(stub_->ListOrders(&context, request, &response).ok());
    for (const auto& order : response.orders()) listed.push_back(order.order_id());
    token = response.next_page_token();
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, std::vector<std::string>(placed.rbegin(), placed.rend()));

  grpc::ClientContext context;
  shop::order::v1::ListOrdersRequest bad;
  bad.set_customer_id("cust-7");
  bad.set_page_token("not-a-token");
  shop::order::v1::ListOrdersResponse response;
  EXPECT_EQ(stub_->ListOrders(&context, bad, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(OrderServiceTest, GrpcurlSeesTheServiceThroughReflectionAndHealthIsServing) {
  const std::string grpcurl = "external/local_tools/grpcurl.sh";
  auto run = [&](const std::string& args) {
    std::string output;
    FILE* pipe = popen((grpcurl + " -plaintext " + args + " 2>&1").c_str(), "r");
    char buffer[4096];
    while (pipe != nullptr && fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
    if (pipe != nullptr) pclose(pipe);
    return output;
  };
  EXPECT_THAT(run(service_.address() + " list"),
              ::testing::HasSubstr("shop.order.v1.OrderService"));
  EXPECT_THAT(run(service_.address() + " grpc.health.v1.Health/Check"),
              ::testing::HasSubstr("SERVING"));
}

TEST(OrderOutageTest, DatabaseStoppedGivesUnavailableThenRecoversWithoutARestart) {
  ScratchMariaDb server;
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(mysql::ProvisionDatabase(server.AdminOptions(), "orders", "orders", "pw").ok());
  mysql::MysqlOptions options = server.AdminOptions();
  options.database = options.user = "orders";
  options.password = "pw";
  const std::string outage_namespace = UniqueName("order_outage");
  ServiceProcess service(kOrderBinary, options, outage_namespace);
  absl::Status started = service.Start();
  ASSERT_TRUE(started.ok()) << started;
  auto stub = OrderService::NewStub(
      grpc::CreateChannel(service.address(), grpc::InsecureChannelCredentials()));
  TeachCatalog(outage_namespace, options, "tea", 450);
  auto place = [&](const std::string& key) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(3));
    shop::order::v1::PlaceOrderResponse response;
    return stub->PlaceOrder(&context, ValidRequest("cust-8", key), &response);
  };
  ASSERT_TRUE(place("before").ok());

  ASSERT_TRUE(server.Stop().ok());
  const absl::Time start = absl::Now();
  grpc::Status down = place("during");
  EXPECT_TRUE(down.error_code() == grpc::StatusCode::UNAVAILABLE ||
              down.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      << down.error_code() << " " << down.error_message();
  EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << "no hang past the client's deadline";
  EXPECT_TRUE(service.running()) << "a missing database must not crash the service";

  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(WaitFor([&] { return place("after").ok(); }, absl::Seconds(30)))
      << "the same process recovers once the database is back";
  EXPECT_TRUE(service.Stop().ok());
}

}  // namespace
}  // namespace shop::testing
