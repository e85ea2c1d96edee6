// The whole system, end to end: the four real service binaries, the real
// broker and database, real gRPC clients. Each test uses products and
// customers of its own.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdlib>
#include <iostream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/events/event_metadata.h"
#include "common/grpc/status.h"
#include "common/kafka/topics.h"
#include "common/mysql/connection_pool.h"
#include "common/outbox/outbox_store.h"
#include "common/testing/event_fixture.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/process.h"
#include "common/testing/secret_file.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration_tests/catalog_feed.h"
#include "integration_tests/shop_system.h"

namespace shop::testing {
namespace {

using shop::delivery::v1::DELIVERY_STATUS_CANCELLED;
using shop::delivery::v1::DELIVERY_STATUS_PREPARING;
using shop::order::v1::Order;
using shop::order::v1::ORDER_STATUS_CANCELLED;
using shop::order::v1::ORDER_STATUS_COMPLETED;
using shop::order::v1::ORDER_STATUS_PENDING;

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

class SystemTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    system_ = new ShopSystem();
    absl::Status started = system_->Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    absl::Status stopped = system_->Stop();
    EXPECT_TRUE(stopped.ok()) << stopped;
    delete system_;
  }
  void SetUp() override { prefix_ = UniqueName("t"); }

  std::string Product(const std::string& name, int64_t stock, int64_t price = 500) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::product::v1::CreateProductRequest request;
    request.set_product_id(prefix_ + "-" + name);
    request.set_sku(prefix_ + "-sku-" + name);
    request.set_name(name);
    request.mutable_price()->set_minor_units(price);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(stock);
    shop::product::v1::CreateProductResponse response;
    grpc::Status status = system_->products().CreateProduct(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    // Orders are priced from the order service's replica: wait until it knows.
    WaitForCatalog(system_->database("order"), response.product().product_id(), price);
    return response.product().product_id();
  }

  grpc::Status UpdateProduct(const shop::product::v1::UpdateProductRequest& request) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::product::v1::UpdateProductResponse response;
    return system_->products().UpdateProduct(&context, request, &response);
  }

  shop::product::v1::Stock Stock(const std::string& product_id) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::product::v1::GetStockRequest request;
    request.set_product_id(product_id);
    shop::product::v1::GetStockResponse response;
    EXPECT_TRUE(system_->products().GetStock(&context, request, &response).ok());
    return response.stock();
  }

  grpc::Status Place(const std::string& customer, const std::string& key,
                     const std::vector<std::pair<std::string, int64_t>>& lines, Order* order,
                     int64_t expected_unit_price = 500) {
    grpc::ClientContext context;
    context.set_deadline(In(20));
    shop::order::v1::PlaceOrderRequest request;
    request.set_customer_id(customer);
    request.set_idempotency_key(key);
    request.set_currency_code("EUR");
    auto* address = request.mutable_shipping_address();
    address->set_recipient("Grace Hopper");
    address->add_lines("1 Navy Way");
    address->set_city("Arlington");
    address->set_country_code("US");
    for (const auto& [product, quantity] : lines) {
      auto* line = request.add_lines();
      line->set_product_id(product);
      line->set_quantity(quantity);
      line->set_unit_price_minor(expected_unit_price);
    }
    shop::order::v1::PlaceOrderResponse response;
    grpc::Status status = system_->orders().PlaceOrder(&context, request, &response);
    if (order != nullptr) *order = response.order();
    return status;
  }

  Order Get(const std::string& order_id) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::order::v1::GetOrderRequest request;
    request.set_order_id(order_id);
    shop::order::v1::GetOrderResponse response;
    system_->orders().GetOrder(&context, request, &response);
    return response.order();
  }

  bool WaitForStatus(const std::string& order_id, shop::order::v1::OrderStatus status) {
    return WaitFor([&] { return Get(order_id).status() == status; }, absl::Seconds(60));
  }

  grpc::Status Delivery(const std::string& order_id, shop::delivery::v1::Delivery* delivery) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::delivery::v1::GetDeliveryRequest request;
    request.set_order_id(order_id);
    shop::delivery::v1::GetDeliveryResponse response;
    grpc::Status status = system_->deliveries().GetDelivery(&context, request, &response);
    if (delivery != nullptr) *delivery = response.delivery();
    return status;
  }

  std::vector<shop::settlement::v1::LedgerEntry> Ledger(const std::string& order_id) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::settlement::v1::ListLedgerEntriesRequest request;
    request.set_order_id(order_id);
    shop::settlement::v1::ListLedgerEntriesResponse response;
    EXPECT_TRUE(system_->settlement().ListLedgerEntries(&context, request, &response).ok());
    return {response.entries().begin(), response.entries().end()};
  }

  grpc::Status Cancel(const std::string& order_id) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::order::v1::CancelOrderRequest request;
    request.set_order_id(order_id);
    request.set_reason("race");
    shop::order::v1::CancelOrderResponse response;
    return system_->orders().CancelOrder(&context, request, &response);
  }

  grpc::Status Ship(const std::string& order_id) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::delivery::v1::UpdateDeliveryStatusRequest request;
    request.set_order_id(order_id);
    request.set_status(shop::delivery::v1::DELIVERY_STATUS_SHIPPED);
    shop::delivery::v1::UpdateDeliveryStatusResponse response;
    return system_->deliveries().UpdateDeliveryStatus(&context, request, &response);
  }

  static std::vector<shop::settlement::v1::DailyTotal> Totals(
      shop::settlement::v1::SettlementService::Stub& stub) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::settlement::v1::GetDailyTotalsRequest request;
    request.set_start_date("2000-01-01");
    request.set_end_date("2100-01-01");
    shop::settlement::v1::GetDailyTotalsResponse response;
    EXPECT_TRUE(stub.GetDailyTotals(&context, request, &response).ok());
    return {response.totals().begin(), response.totals().end()};
  }

  static ShopSystem* system_;
  std::string prefix_;
};

ShopSystem* SystemTest::system_ = nullptr;

TEST_F(SystemTest, HappyPathCompletesReservesStockStartsADeliveryAndBooksRevenue) {
  const std::string tea = Product("tea", 10), mug = Product("mug", 5);
  Order order;
  ASSERT_TRUE(Place(prefix_ + "-cust", "k1", {{tea, 2}, {mug, 1}}, &order).ok());
  ASSERT_TRUE(WaitForStatus(order.order_id(), ORDER_STATUS_COMPLETED));
  ASSERT_TRUE(WaitFor([&] { return Stock(tea).sold() == 2; }, absl::Seconds(30)));
  EXPECT_EQ(Stock(tea).available(), 8);
  EXPECT_EQ(Stock(tea).reserved(), 0);
  EXPECT_EQ(Stock(mug).available(), 4);
  shop::delivery::v1::Delivery delivery;
  ASSERT_TRUE(
      WaitFor([&] { return Delivery(order.order_id(), &delivery).ok(); }, absl::Seconds(30)));
  EXPECT_EQ(delivery.status(), DELIVERY_STATUS_PREPARING);
  EXPECT_EQ(delivery.shipping_address().city(), "Arlington");
  EXPECT_EQ(delivery.items_size(), 2);
  ASSERT_TRUE(WaitFor([&] { return Ledger(order.order_id()).size() == 1; }, absl::Seconds(30)));
  const auto entry = Ledger(order.order_id())[0];
  EXPECT_EQ(entry.type(), shop::settlement::v1::LEDGER_ENTRY_TYPE_REVENUE);
  EXPECT_EQ(entry.amount().minor_units(), 3 * 500);
  EXPECT_EQ(entry.amount().currency_code(), "EUR");
}

TEST_F(SystemTest, RejectedOrderIsCancelledWithNoDeliveryNoSettlementAndStockUnchanged) {
  const std::string rare = Product("rare", 1), common = Product("common", 50);
  Order order;
  ASSERT_TRUE(Place(prefix_ + "-cust", "k1", {{common, 3}, {rare, 2}}, &order).ok());
  ASSERT_TRUE(WaitForStatus(order.order_id(), ORDER_STATUS_CANCELLED));
  EXPECT_EQ(Get(order.order_id()).cancellation_reason(),
            shop::order::v1::CANCELLATION_REASON_OUT_OF_STOCK);
  ASSERT_TRUE(system_->WaitForQuiet()) << "the system did not settle";
  EXPECT_EQ(Delivery(order.order_id(), nullptr).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(Ledger(order.order_id()).empty());
  EXPECT_EQ(Stock(rare).available(), 1);
  EXPECT_EQ(Stock(common).available(), 50);
  EXPECT_EQ(Stock(common).reserved() + Stock(common).sold(), 0);
}

TEST_F(SystemTest, CancellationAfterCompletionReleasesStockCancelsDeliveryAndBooksAReversal) {
  const std::string lamp = Product("lamp", 4);
  Order order;
  ASSERT_TRUE(Place(prefix_ + "-cust", "k1", {{lamp, 3}}, &order).ok());
  ASSERT_TRUE(WaitForStatus(order.order_id(), ORDER_STATUS_COMPLETED));
  ASSERT_TRUE(WaitFor([&] { return Delivery(order.order_id(), nullptr).ok(); }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return Ledger(order.order_id()).size() == 1; }, absl::Seconds(30)));

  grpc::ClientContext context;
  shop::order::v1::CancelOrderRequest cancel;
  cancel.set_order_id(order.order_id());
  shop::order::v1::CancelOrderResponse cancelled;
  ASSERT_TRUE(system_->orders().CancelOrder(&context, cancel, &cancelled).ok());
  // A request: delivery, which owns shipping, decides.
  EXPECT_EQ(cancelled.order().status(), ORDER_STATUS_COMPLETED);
  EXPECT_EQ(cancelled.order().cancellation_request().state(),
            shop::order::v1::CANCELLATION_REQUEST_STATE_REQUESTED);
  ASSERT_TRUE(WaitForStatus(order.order_id(), ORDER_STATUS_CANCELLED));
  EXPECT_EQ(Get(order.order_id()).cancellation_request().state(),
            shop::order::v1::CANCELLATION_REQUEST_STATE_ACCEPTED);

  ASSERT_TRUE(WaitFor([&] { return Stock(lamp).available() == 4; }, absl::Seconds(30)));
  EXPECT_EQ(Stock(lamp).sold(), 0);
  EXPECT_EQ(Stock(lamp).reserved(), 0);
  shop::delivery::v1::Delivery delivery;
  ASSERT_TRUE(WaitFor(
      [&] {
        return Delivery(order.order_id(), &delivery).ok() &&
               delivery.status() == DELIVERY_STATUS_CANCELLED;
      },
      absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return Ledger(order.order_id()).size() == 2; }, absl::Seconds(30)));
  const auto entries = Ledger(order.order_id());
  EXPECT_EQ(entries[0].amount().minor_units() + entries[1].amount().minor_units(), 0);
  EXPECT_EQ(entries[1].type(), shop::settlement::v1::LEDGER_ENTRY_TYPE_REVERSAL);
}

TEST_F(SystemTest, WithDeliveryDownOrdersCompleteAndDeliveryCatchesUpWithNothingLostOrDoubled) {
  const std::string book = Product("book", 100);
  ASSERT_TRUE(system_->service("delivery").Stop().ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 10; ++i) {
    Order order;
    ASSERT_TRUE(Place(prefix_ + "-cust", absl::StrCat("k", i), {{book, 1}}, &order).ok());
    ids.push_back(order.order_id());
  }
  for (const auto& id : ids) ASSERT_TRUE(WaitForStatus(id, ORDER_STATUS_COMPLETED));
  EXPECT_FALSE(GroupCaughtUp("delivery", system_->Topic("shop.order.events")))
      << "delivery was down: it cannot have applied these orders";

  ASSERT_TRUE(system_->Restart("delivery").ok());
  ASSERT_TRUE(system_->WaitForQuiet());
  for (const auto& id : ids) {
    shop::delivery::v1::Delivery delivery;
    ASSERT_TRUE(Delivery(id, &delivery).ok()) << id;
    EXPECT_EQ(delivery.status(), DELIVERY_STATUS_PREPARING);
  }
  // Nothing doubled: one DeliveryCreated per order on the delivery topic.
  std::map<std::string, int> created;
  for (const auto& record : ReadToEnd(system_->Topic("shop.delivery.events"))) {
    if (events::HeaderValue(record.headers, "ce_type") == "shop.delivery.v1.DeliveryCreated") {
      ++created[record.key];
    }
  }
  for (const auto& id : ids) EXPECT_EQ(created[id], 1) << id;
}

TEST_F(SystemTest, ASettlementAddedLaterReplaysHistoryIntoTheSameTotals) {
  const std::string pen = Product("pen", 20);
  Order kept, reversed;
  ASSERT_TRUE(Place(prefix_ + "-cust", "k1", {{pen, 2}}, &kept).ok());
  ASSERT_TRUE(Place(prefix_ + "-cust", "k2", {{pen, 3}}, &reversed).ok());
  ASSERT_TRUE(WaitForStatus(reversed.order_id(), ORDER_STATUS_COMPLETED));
  grpc::ClientContext context;
  shop::order::v1::CancelOrderRequest cancel;
  cancel.set_order_id(reversed.order_id());
  shop::order::v1::CancelOrderResponse response;
  ASSERT_TRUE(system_->orders().CancelOrder(&context, cancel, &response).ok());
  ASSERT_TRUE(system_->WaitForQuiet());
  const auto original = Totals(system_->settlement());
  ASSERT_FALSE(original.empty());

  TestDatabase fresh("sys_settlement_replay");
  ASSERT_TRUE(fresh.status().ok());
  ServiceProcess replay("settlement/settlement", fresh.options(), system_->topic_namespace(),
                        {"--consumer_group=settlement_replay", "--relay=false"});
  ASSERT_TRUE(replay.Start().ok());
  ASSERT_TRUE(WaitFor(
      [&] { return GroupCaughtUp("settlement_replay", system_->Topic("shop.order.events")); },
      absl::Seconds(60)));
  auto stub = shop::settlement::v1::SettlementService::NewStub(
      grpc::CreateChannel(replay.address(), grpc::InsecureChannelCredentials()));
  const auto rebuilt = Totals(*stub);
  ASSERT_EQ(rebuilt.size(), original.size());
  for (size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(rebuilt[i].SerializeAsString(), original[i].SerializeAsString())
        << original[i].DebugString() << " vs " << rebuilt[i].DebugString();
    EXPECT_EQ(original[i].net().minor_units(),
              original[i].revenue().minor_units() + original[i].reversals().minor_units());
  }
  EXPECT_TRUE(replay.Stop().ok());
}

TEST_F(SystemTest, HostileInputIsRefusedByFieldAndAnUnpublishableRowHoldsUpNothingElse) {
  const std::string tea = Product("tea", 1000);
  // An over-limit PlaceOrder: refused, naming the field, nothing written.
  {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    shop::order::v1::PlaceOrderRequest request;
    request.set_customer_id(prefix_ + "-attacker");
    request.set_idempotency_key("huge");
    request.set_currency_code("EUR");
    auto* address = request.mutable_shipping_address();
    address->set_recipient("Mallory");
    address->add_lines(std::string(512 * 1024, 'x'));
    address->set_city("Nowhere");
    address->set_country_code("XX");
    auto* line = request.add_lines();
    line->set_product_id(tea);
    line->set_quantity(1);
    line->set_unit_price_minor(500);
    shop::order::v1::PlaceOrderResponse response;
    grpc::Status status = system_->orders().PlaceOrder(&context, request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    std::vector<std::string> fields;
    for (const auto& violation : grpc_util::ViolationsOf(status)) fields.push_back(violation.field);
    EXPECT_THAT(fields, ::testing::ElementsAre("shipping_address.lines[0]"));
  }

  // A row no broker will take, straight into the order service's outbox,
  // and a later event of its key behind it.
  const std::string poison_topic = system_->Topic("shop.poison.events");
  ASSERT_TRUE(kafka::EnsureTopics(KafkaBrokers(), {{poison_topic, 1}}).ok());
  mysql::ConnectionPool order_db(system_->database("order"));
  auto insert = [&](const std::string& payload) {
    ASSERT_TRUE(InsertRawOutboxRow(order_db, poison_topic, "poisoned", payload).ok());
  };
  insert(std::string(2 * 1024 * 1024, 'p'));  // 2 MB: over max_event_bytes and the broker's limit
  insert("held behind it");

  // Hundreds of orders of other keys complete meanwhile.
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    Order order;
    ASSERT_TRUE(
        Place(prefix_ + "-c" + std::to_string(i % 20), "k" + std::to_string(i), {{tea, 1}}, &order)
            .ok());
    ids.push_back(order.order_id());
  }
  for (const auto& id : ids) ASSERT_TRUE(WaitForStatus(id, ORDER_STATUS_COMPLETED)) << id;

  outbox::MysqlOutboxStore store(order_db);
  auto parked = store.ListParked(10);
  ASSERT_TRUE(parked.ok()) << parked.status();
  ASSERT_EQ(parked->size(), 1u);
  EXPECT_EQ((*parked)[0].held_behind, 1);
  EXPECT_NE((*parked)[0].reason.find("max_event_bytes"), std::string::npos) << (*parked)[0].reason;
  EXPECT_TRUE(ReadToEnd(poison_topic).empty()) << "the held event must wait for its key";

  // The operator discards the parked row with tools/shopctl: the held event
  // goes out.
  const mysql::MysqlOptions& db = system_->database("order");
  const std::string password_file =
      WriteSecretFile(std::string(std::getenv("TEST_TMPDIR")) + "/order.pw", db.password);
  ChildProcess shopctl("tools/shopctl/shopctl",
                       {"outbox", "parked", "discard", "order", std::to_string((*parked)[0].id),
                        "--mysql_host=" + db.host, "--mysql_port=" + std::to_string(db.port),
                        "--mysql_user=" + db.user, "--mysql_password_file=" + password_file,
                        "--mysql_database=" + db.database});
  ASSERT_TRUE(shopctl.Wait(absl::Seconds(30)));
  EXPECT_EQ(shopctl.exit_code(), 0);
  EXPECT_TRUE(store.ListParked(10)->empty());
  std::vector<ConsumedRecord> released = ReadAtLeast(poison_topic, 1);
  ASSERT_EQ(released.size(), 1u);
  EXPECT_EQ(released[0].value, "held behind it");
  EXPECT_TRUE(system_->WaitForQuiet());
}

TEST_F(SystemTest, ACatalogPriceChangeReachesLaterOrdersWhileEarlierOrdersKeepTheirs) {
  const std::string tea = Product("tea", 100);  // 5.00 EUR
  Order before, after;
  ASSERT_TRUE(Place(prefix_ + "-cust", "before", {{tea, 2}}, &before).ok());

  shop::product::v1::UpdateProductRequest update;
  update.set_product_id(tea);
  update.mutable_price()->set_minor_units(650);
  update.mutable_price()->set_currency_code("EUR");
  ASSERT_TRUE(UpdateProduct(update).ok());
  WaitForCatalog(system_->database("order"), tea, 650);

  grpc::Status stale = Place(prefix_ + "-cust", "stale", {{tea, 2}}, nullptr);  // expects 500
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const auto violations = grpc_util::PreconditionViolationsOf(stale);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].description, "650 EUR");
  ASSERT_TRUE(Place(prefix_ + "-cust", "after", {{tea, 2}}, &after, 650).ok());

  ASSERT_TRUE(WaitForStatus(before.order_id(), ORDER_STATUS_COMPLETED));
  ASSERT_TRUE(WaitForStatus(after.order_id(), ORDER_STATUS_COMPLETED));
  EXPECT_EQ(Get(before.order_id()).total().minor_units(), 1000) << "accepted at 5.00, kept";
  EXPECT_EQ(Get(after.order_id()).total().minor_units(), 1300);
  ASSERT_TRUE(WaitFor([&] { return Ledger(after.order_id()).size() == 1; }, absl::Seconds(30)));
  EXPECT_EQ(Ledger(after.order_id())[0].amount().minor_units(), 1300) << "revenue at the new price";
  EXPECT_EQ(Ledger(before.order_id())[0].amount().minor_units(), 1000);

  // Discontinued: new orders are refused, naming the line.
  shop::product::v1::UpdateProductRequest retire;
  retire.set_product_id(tea);
  retire.set_discontinued(true);
  ASSERT_TRUE(UpdateProduct(retire).ok());
  WaitForCatalog(system_->database("order"), tea, 650, "EUR", /*discontinued=*/true);
  grpc::Status retired = Place(prefix_ + "-cust", "retired", {{tea, 1}}, nullptr, 650);
  EXPECT_EQ(retired.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  ASSERT_EQ(grpc_util::ViolationsOf(retired).size(), 1u);
  EXPECT_EQ(grpc_util::ViolationsOf(retired)[0].field, "lines[0].product_id");
}

TEST_F(SystemTest, CancellingPendingOrdersWhileTheirReservationIsInFlightLeavesNothingReserved) {
  // Each order is cancelled right after it is placed, while product may be
  // reserving its stock; whichever comes first, nothing stays reserved.
  constexpr int kOrders = 30;
  const std::string cup = Product("cup", 100);
  std::vector<std::string> ids;
  for (int i = 0; i < kOrders; ++i) {
    Order order;
    ASSERT_TRUE(Place(prefix_ + "-hasty", "hasty-" + std::to_string(i), {{cup, 2}}, &order).ok());
    ASSERT_TRUE(Cancel(order.order_id()).ok());
    ids.push_back(order.order_id());
  }
  ASSERT_TRUE(system_->WaitForQuiet(absl::Seconds(120)));
  for (const auto& id : ids) {
    const Order order = Get(id);
    EXPECT_EQ(order.status(), ORDER_STATUS_CANCELLED) << id;
    int64_t net = 0;
    for (const auto& entry : Ledger(id)) net += entry.amount().minor_units();
    EXPECT_EQ(net, 0) << id;
  }
  EXPECT_EQ(Stock(cup).reserved(), 0);
  EXPECT_EQ(Stock(cup).sold(), 0);
  EXPECT_EQ(Stock(cup).available(), 100);
}

TEST_F(SystemTest, ShipmentRacingCancellationEndsConsistentEverywhere) {
  // 60 completed orders of one unit each; then, for each, SHIPPED and
  // CancelOrder at once, one or the other sent first, alternately.
  constexpr int kOrders = 60;
  const std::string vase = Product("vase", kOrders);
  std::vector<std::string> ids(kOrders);
  for (int i = 0; i < kOrders; ++i) {
    Order order;
    ASSERT_TRUE(Place(prefix_ + "-racer", "race-" + std::to_string(i), {{vase, 1}}, &order).ok());
    ids[i] = order.order_id();
  }
  for (const auto& id : ids) {
    ASSERT_TRUE(WaitForStatus(id, ORDER_STATUS_COMPLETED));
    ASSERT_TRUE(WaitFor([&] { return Delivery(id, nullptr).ok(); }, absl::Seconds(30)));
  }
  // The cancellation travels order -> outbox -> Kafka -> delivery, so a
  // SHIPPED sent at the same moment wins; the head start each round gives
  // the other call is spread from 0 to 1.16 s, so that both outcomes and
  // the boundary between them (where the two truly race) occur.
  std::vector<grpc::Status> ship_results(kOrders), cancel_results(kOrders);
  std::vector<std::thread> racers;
  for (int i = 0; i < kOrders; ++i) {
    racers.emplace_back([&, i] {
      const absl::Duration head_start = absl::Milliseconds(40 * (i / 2));
      if (i % 2 == 0) {  // cancel first
        std::thread cancel([&] { cancel_results[i] = Cancel(ids[i]); });
        absl::SleepFor(head_start);  // the experiment's variable, not a wait for a result
        ship_results[i] = Ship(ids[i]);
        cancel.join();
      } else {  // ship first
        std::thread ship([&] { ship_results[i] = Ship(ids[i]); });
        absl::SleepFor(head_start / 10);
        cancel_results[i] = Cancel(ids[i]);
        ship.join();
      }
    });
  }
  for (auto& racer : racers) racer.join();
  ASSERT_TRUE(system_->WaitForQuiet(absl::Seconds(120)));

  int shipped = 0, cancelled = 0;
  for (int i = 0; i < kOrders; ++i) {
    const Order order = Get(ids[i]);
    shop::delivery::v1::Delivery delivery;
    ASSERT_TRUE(Delivery(ids[i], &delivery).ok());
    const auto entries = Ledger(ids[i]);
    int64_t net = 0;
    for (const auto& entry : entries) net += entry.amount().minor_units();
    if (order.status() == ORDER_STATUS_CANCELLED) {
      ++cancelled;
      EXPECT_EQ(delivery.status(), DELIVERY_STATUS_CANCELLED) << ids[i];
      EXPECT_EQ(entries.size(), 2u) << ids[i];
      EXPECT_EQ(net, 0) << ids[i];
      EXPECT_EQ(ship_results[i].error_code(), grpc::StatusCode::FAILED_PRECONDITION)
          << "a cancelled delivery never ships: " << ids[i];
    } else {
      ++shipped;
      EXPECT_EQ(order.status(), ORDER_STATUS_COMPLETED) << ids[i];
      EXPECT_EQ(delivery.status(), shop::delivery::v1::DELIVERY_STATUS_SHIPPED) << ids[i];
      EXPECT_TRUE(order.has_ship_time()) << ids[i];
      EXPECT_EQ(entries.size(), 1u) << "no reversal for a shipped parcel: " << ids[i];
      EXPECT_EQ(net, 500) << ids[i];
      EXPECT_NE(order.cancellation_request().state(),
                shop::order::v1::CANCELLATION_REQUEST_STATE_REQUESTED)
          << "every request was answered: " << ids[i];
    }
  }
  // Stock: every shipped unit sold, every cancelled one back on the shelf.
  EXPECT_EQ(Stock(vase).sold(), shipped);
  EXPECT_EQ(Stock(vase).available(), cancelled);
  EXPECT_EQ(Stock(vase).reserved(), 0);
  EXPECT_EQ(shipped + cancelled, kOrders);
  EXPECT_GT(shipped, 0) << "both outcomes must occur for the race to prove anything";
  EXPECT_GT(cancelled, 0) << "both outcomes must occur for the race to prove anything";
  std::cout << "race: " << shipped << " shipped, " << cancelled << " cancelled of " << kOrders
            << "\n";
}

TEST_F(SystemTest, ContentionThousandOrdersOverTwentyProductsNeverOversell) {
  constexpr int kProducts = 20, kOrders = 1000, kClients = 16;
  std::vector<std::string> products;
  std::map<std::string, int64_t> initial;
  for (int i = 0; i < kProducts; ++i) {
    // Half the products are oversubscribed: 1,000 orders of 1-3 units over
    // 20 products ask for about 100 units of each.
    const int64_t stock = i % 2 == 0 ? 30 : 500;
    products.push_back(Product(absl::StrCat("p", i), stock));
    initial[products.back()] = stock;
  }
  std::atomic<int> next{0};
  absl::Mutex mu;
  std::vector<std::string> order_ids;
  std::atomic<int> failures{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = next++; i < kOrders; i = next++) {
        std::vector<std::pair<std::string, int64_t>> lines = {
            {products[i % kProducts], 1 + i % 3}, {products[(i * 7 + 3) % kProducts], 1}};
        if (lines[0].first == lines[1].first) lines.pop_back();
        Order order;
        grpc::Status status =
            Place(absl::StrCat(prefix_, "-c", c), absl::StrCat("k", i), lines, &order);
        if (!status.ok()) {
          ++failures;
          continue;
        }
        absl::MutexLock lock(&mu);
        order_ids.push_back(order.order_id());
      }
    });
  }
  for (auto& client : clients) client.join();
  ASSERT_EQ(failures.load(), 0);
  ASSERT_EQ(order_ids.size(), static_cast<size_t>(kOrders));
  ASSERT_TRUE(system_->WaitForQuiet(absl::Seconds(180)));

  int64_t completed = 0, cancelled = 0, completed_total = 0;
  for (const auto& id : order_ids) {
    const Order order = Get(id);
    ASSERT_NE(order.status(), ORDER_STATUS_PENDING) << id;
    if (order.status() == ORDER_STATUS_COMPLETED) {
      ++completed;
      completed_total += order.total().minor_units();
    } else {
      ++cancelled;
    }
  }
  EXPECT_GT(completed, 0);
  EXPECT_GT(cancelled, 0) << "oversubscribed products must reject some orders";

  for (const auto& product : products) {
    const auto stock = Stock(product);
    EXPECT_GE(stock.available(), 0);
    EXPECT_EQ(stock.reserved(), 0) << "every order ended, so nothing stays reserved";
    EXPECT_EQ(initial[product], stock.available() + stock.reserved() + stock.sold()) << product;
  }
  int64_t booked = 0, deliveries = 0;
  for (const auto& id : order_ids) {
    for (const auto& entry : Ledger(id)) booked += entry.amount().minor_units();
    deliveries += Delivery(id, nullptr).ok();
  }
  EXPECT_EQ(booked, completed_total);
  EXPECT_EQ(deliveries, completed);
  std::cout << "contention: " << completed << " completed, " << cancelled << " rejected\n";
}

}  // namespace
}  // namespace shop::testing
