// The invariant checker against the real system: a mixed run of orders ends
// with every invariant holding, and each kind of damage a broken system could
// leave behind (stock sold twice, a lost delivery, money booked for a
// rejected order, a lost accepted order, a coupon redeemed by no one, a dead
// letter) is reported as a violation of the right invariant.
#include "tools/chaos_run/invariants.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>

#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "common/events/event_route.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "gtest/gtest.h"
#include "integration_tests/catalog_feed.h"
#include "integration_tests/shop_system.h"
#include "proto/shop/coupon/v1/coupon.pb.h"

namespace shop::chaos {
namespace {

using order::v1::ORDER_STATUS_CANCELLED;
using order::v1::ORDER_STATUS_COMPLETED;
using order::v1::OrderStatus;
using testing::ShopSystem;

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

class InvariantsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    system_ = new ShopSystem();
    ASSERT_TRUE(system_->Start().ok());
    tea_ = Product("tea", 10, 500);
    mug_ = Product("mug", 1, 300);
    completed_ = Place("completed", tea_, 2);
    rejected_ = Place("rejected", mug_, 2);
    shipped_ = Place("shipped", mug_, 1);
    cancelled_ = Place("cancelled", tea_, 1);
    for (const std::string& id : {completed_, shipped_, cancelled_}) {
      ASSERT_TRUE(WaitForStatus(id, ORDER_STATUS_COMPLETED)) << id;
    }
    ASSERT_TRUE(WaitForStatus(rejected_, ORDER_STATUS_CANCELLED));
    ASSERT_TRUE(WaitFor([] { return Ship(shipped_).ok(); }));
    grpc::ClientContext context;
    context.set_deadline(In(10));
    order::v1::CancelOrderRequest cancel;
    cancel.set_order_id(cancelled_);
    cancel.set_reason("changed my mind");
    order::v1::CancelOrderResponse cancelled;
    ASSERT_TRUE(system_->orders().CancelOrder(&context, cancel, &cancelled).ok());
    ASSERT_TRUE(WaitForStatus(cancelled_, ORDER_STATUS_CANCELLED));
    ASSERT_TRUE(system_->WaitForQuiet());
  }
  static void TearDownTestSuite() { delete system_; }

  static bool WaitFor(const std::function<bool()>& condition) {
    return testing::WaitFor(condition, absl::Seconds(30));
  }
  static std::string Product(const std::string& name, int64_t stock, int64_t price) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    product::v1::CreateProductRequest request;
    request.set_product_id(testing::UniqueName(name));
    request.set_sku(request.product_id());
    request.set_name(name);
    request.mutable_price()->set_minor_units(price);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(stock);
    product::v1::CreateProductResponse response;
    EXPECT_TRUE(system_->products().CreateProduct(&context, request, &response).ok());
    testing::WaitForCatalog(system_->database("order"), request.product_id(), price);
    return request.product_id();
  }
  static std::string Place(const std::string& key, const std::string& product, int64_t qty) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    order::v1::PlaceOrderResponse response;
    grpc::Status status = system_->orders().PlaceOrder(
        &context, testing::OneLineOrder("invariants", testing::UniqueName(key), product, qty),
        &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.order().order_id();
  }
  static bool WaitForStatus(const std::string& id, OrderStatus status) {
    return WaitFor([&] {
      grpc::ClientContext context;
      context.set_deadline(In(10));
      order::v1::GetOrderRequest request;
      request.set_order_id(id);
      order::v1::GetOrderResponse response;
      return system_->orders().GetOrder(&context, request, &response).ok() &&
             response.order().status() == status;
    });
  }
  static grpc::Status Ship(const std::string& id) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    delivery::v1::UpdateDeliveryStatusRequest request;
    request.set_order_id(id);
    request.set_status(delivery::v1::DELIVERY_STATUS_SHIPPED);
    delivery::v1::UpdateDeliveryStatusResponse response;
    return system_->deliveries().UpdateDeliveryStatus(&context, request, &response);
  }

  Inputs TheRun() const {
    Inputs inputs;
    inputs.order = system_->database("order");
    inputs.product = system_->database("product");
    inputs.delivery = system_->database("delivery");
    inputs.settlement = system_->database("settlement");
    inputs.coupon = system_->database("coupon");
    inputs.accepted_order_ids = {completed_, rejected_, shipped_, cancelled_};
    inputs.stock_put_in = {{tea_, 10}, {mug_, 1}};
    inputs.brokers = testing::KafkaBrokers();
    inputs.topic_namespace = system_->topic_namespace();
    return inputs;
  }
  // The names of the invariants `inputs` violates.
  static std::set<std::string> Violated(const Inputs& inputs) {
    auto verdict = CheckInvariants(inputs);
    EXPECT_TRUE(verdict.ok()) << verdict.status();
    std::set<std::string> names;
    if (!verdict.ok()) return {"(unreadable)"};
    for (const InvariantResult& result : verdict->invariants) {
      if (!result.ok()) names.insert(result.name);
    }
    return names;
  }
  // Runs `sql` on `service`'s database.
  static void Execute(const std::string& service, const std::string& sql) {
    auto connection = mysql::Connect(system_->database(service));
    ASSERT_TRUE(connection.ok()) << connection.status();
    std::unique_ptr<sql::Statement> statement((*connection)->createStatement());
    statement->execute(sql);
  }

  static ShopSystem* system_;
  static std::string tea_, mug_, completed_, rejected_, shipped_, cancelled_;
};
ShopSystem* InvariantsTest::system_ = nullptr;
std::string InvariantsTest::tea_, InvariantsTest::mug_, InvariantsTest::completed_,
    InvariantsTest::rejected_, InvariantsTest::shipped_, InvariantsTest::cancelled_;

TEST_F(InvariantsTest, AHealthyRunHoldsEveryInvariant) {
  auto verdict = CheckInvariants(TheRun());
  ASSERT_TRUE(verdict.ok()) << verdict.status();
  std::cout << verdict->Report();
  EXPECT_TRUE(verdict->ok()) << verdict->Report();
  EXPECT_EQ(verdict->counts["orders ORDER_STATUS_COMPLETED"], 2);
  EXPECT_EQ(verdict->counts["orders ORDER_STATUS_CANCELLED"], 2);
  EXPECT_EQ(verdict->invariants.size(), 9u);
  // Every invariant about orders and stock looked at something (this run has
  // no coupon and no dead letter; the next test has both).
  const std::set<std::string> empty_here = {"no coupon campaign is over-issued",
                                            "no coupon is redeemed twice",
                                            "no unexpected dead letter"};
  for (const InvariantResult& result : verdict->invariants) {
    if (empty_here.count(result.name) == 0) {
      EXPECT_GT(result.checked, 0) << result.name << " looked at nothing";
    }
  }
}

TEST_F(InvariantsTest, EachKindOfDamageIsReportedAsItsInvariant) {
  // Stock sold twice.
  Execute("product",
          absl::StrCat("UPDATE products SET sold = sold + 1 WHERE product_id = '", tea_, "'"));
  EXPECT_EQ(Violated(TheRun()),
            std::set<std::string>{"stock is conserved, never negative, nothing reserved at rest"});
  Execute("product",
          absl::StrCat("UPDATE products SET sold = sold - 1 WHERE product_id = '", tea_, "'"));
  // Something left reserved, with the total unchanged.
  Execute("product", absl::StrCat("UPDATE products SET available = available - 1, reserved = 1 ",
                                  "WHERE product_id = '", tea_, "'"));
  EXPECT_EQ(Violated(TheRun()),
            std::set<std::string>{"stock is conserved, never negative, nothing reserved at rest"});
  Execute("product", absl::StrCat("UPDATE products SET available = available + 1, reserved = 0 ",
                                  "WHERE product_id = '", tea_, "'"));
  // A completed order's delivery lost.
  Execute("delivery", absl::StrCat("DELETE FROM deliveries WHERE order_id = '", completed_, "'"));
  EXPECT_EQ(Violated(TheRun()),
            std::set<std::string>{"every completed order has one delivery and one revenue entry"});
  // Money booked for a rejected order.
  Execute("settlement",
          absl::StrCat("INSERT INTO ledger_entries (entry_id, order_id, entry_type, amount_minor,",
                       " currency_code, book_micros, business_date) VALUES (UUID(), '", rejected_,
                       "', 1, 600, 'EUR', 0, CURRENT_DATE)"));
  EXPECT_EQ(Violated(TheRun()),
            (std::set<std::string>{"every completed order has one delivery and one revenue entry",
                                   "cancelled orders net to zero",
                                   "rejected orders have no delivery and no ledger entry"}));
  Execute("settlement",
          absl::StrCat("DELETE FROM ledger_entries WHERE order_id = '", rejected_, "'"));

  // An accepted order that never got recorded.
  Inputs lost = TheRun();
  lost.accepted_order_ids.insert("00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(Violated(lost),
            (std::set<std::string>{"every completed order has one delivery and one revenue entry",
                                   "no accepted order is lost"}));

  // A coupon marked redeemed that no completed order holds, of a campaign of 0.
  coupon::v1::Coupon coupon;
  coupon.set_coupon_code("GHOSTCOUPON");
  coupon.set_campaign_id("ghost-campaign");
  coupon.set_state(coupon::v1::COUPON_STATE_REDEEMED);
  coupon.set_order_id(completed_);
  coupon::v1::Campaign campaign;
  campaign.set_campaign_id("ghost-campaign");
  campaign.set_total_coupons(0);
  {
    auto connection = mysql::Connect(system_->database("coupon"));
    ASSERT_TRUE(connection.ok());
    std::unique_ptr<sql::PreparedStatement> insert(
        (*connection)
            ->prepareStatement(
                "INSERT INTO campaigns (campaign_id, issued_coupons, document) VALUES (?, 1, ?)"));
    std::istringstream campaign_bytes(campaign.SerializeAsString());
    insert->setString(1, "ghost-campaign");
    insert->setBlob(2, &campaign_bytes);
    insert->execute();
    std::unique_ptr<sql::PreparedStatement> coupon_insert(
        (*connection)
            ->prepareStatement(
                "INSERT INTO coupons (coupon_code, campaign_id, customer_id, issued_micros, state, "
                "document) VALUES ('GHOSTCOUPON', 'ghost-campaign', 'nobody', 0, 2, ?)"));
    std::istringstream coupon_bytes(coupon.SerializeAsString());
    coupon_insert->setBlob(1, &coupon_bytes);
    coupon_insert->execute();
  }
  EXPECT_EQ(
      Violated(TheRun()),
      (std::set<std::string>{"every completed order has one delivery and one revenue entry",
                             "no coupon campaign is over-issued", "no coupon is redeemed twice"}));
  Execute("coupon", "DELETE FROM coupons WHERE coupon_code = 'GHOSTCOUPON'");
  Execute("coupon", "DELETE FROM campaigns WHERE campaign_id = 'ghost-campaign'");

  // A dead letter: violated unless the scenario caused it on purpose.
  const std::string dlq = events::DeadLetterTopic(system_->Topic("shop.order.events"), "product");
  auto producer = kafka::Producer::Create(testing::KafkaBrokers());
  ASSERT_TRUE(producer.ok());
  auto reports =
      (*producer)->ProduceAndWait({{dlq, "poison", "not an event", {}}}, absl::Seconds(10));
  ASSERT_EQ(reports.size(), 1u);
  ASSERT_TRUE(reports[0].status.ok()) << reports[0].status;
  EXPECT_EQ(Violated(TheRun()),
            (std::set<std::string>{"every completed order has one delivery and one revenue entry",
                                   "no unexpected dead letter"}));
  Inputs expected = TheRun();
  expected.expected_dead_letter_topics.insert(dlq);
  EXPECT_EQ(
      Violated(expected),
      (std::set<std::string>{"every completed order has one delivery and one revenue entry"}));
}

}  // namespace
}  // namespace shop::chaos
