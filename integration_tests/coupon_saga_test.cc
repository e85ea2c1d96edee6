// Coupons in the order saga, end to end: the five real services, broker and
// database. Stock (product) and coupon (coupon service) are decided in
// parallel; each of the four outcomes is run twice, once with the coupon's
// reply first (product stopped until then) and once with the stock's reply
// first (coupon stopped), and each must end with stock, coupon, order,
// delivery and ledger consistent.
#include <grpcpp/grpcpp.h>

#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "integration_tests/catalog_feed.h"
#include "integration_tests/shop_system.h"

namespace shop::testing {
namespace {

using google::protobuf::util::TimeUtil;
using shop::order::v1::Order;
namespace coupon_v1 = shop::coupon::v1;
namespace order_v1 = shop::order::v1;

constexpr int64_t kPrice = 1000;  // EUR minor units; a coupon takes 10% off
constexpr int64_t kStock = 5;

// A grpc::ClientContext with a deadline ten seconds out.
struct Call : grpc::ClientContext {
  Call() { set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10)); }
};

// One order of a scenario: what each participant will say, and what it became.
struct Journey {
  Journey(std::string name, bool stock_ok, bool coupon_ok)
      : name(std::move(name)), stock_ok(stock_ok), coupon_ok(coupon_ok) {}
  std::string name;
  bool stock_ok;
  bool coupon_ok;
  std::string product_id, customer_id, coupon_code;
  Order order;
};

class CouponSagaTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    system_ = new ShopSystem();
    absl::Status started = system_->Start();
    ASSERT_TRUE(started.ok()) << started;
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    Call call;
    coupon_v1::CreateCampaignRequest request;
    request.set_campaign_id(campaign_);
    request.set_name("Ten percent off");
    request.set_total_coupons(1000);
    request.mutable_discount()->set_percent_off(10);
    *request.mutable_valid_from() = TimeUtil::SecondsToTimestamp(now - 3600);
    *request.mutable_valid_until() = TimeUtil::SecondsToTimestamp(now + 3600);
    coupon_v1::CreateCampaignResponse response;
    grpc::Status status = system_->coupons().CreateCampaign(&call, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }
  static void TearDownTestSuite() {
    absl::Status stopped = system_->Stop();
    EXPECT_TRUE(stopped.ok()) << stopped;
    delete system_;
  }

  std::string NewProduct(const std::string& name) {
    Call call;
    shop::product::v1::CreateProductRequest request;
    request.set_product_id(UniqueName(name));
    request.set_sku(request.product_id());
    request.set_name(name);
    request.mutable_price()->set_minor_units(kPrice);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(kStock);
    shop::product::v1::CreateProductResponse response;
    grpc::Status status = system_->products().CreateProduct(&call, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    WaitForCatalog(system_->database("order"), request.product_id(), kPrice);
    return request.product_id();
  }

  // A coupon issued to `customer`, through the real asynchronous issuance.
  std::string IssueCoupon(const std::string& customer) {
    Call call;
    coupon_v1::IssueCouponRequest request;
    request.set_campaign_id(campaign_);
    request.set_customer_id(customer);
    request.set_idempotency_key("ask");
    coupon_v1::IssueCouponResponse response;
    grpc::Status status = system_->coupons().IssueCoupon(&call, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    coupon_v1::CouponIssue issue;
    EXPECT_TRUE(WaitFor(
        [&] {
          Call get_call;
          coupon_v1::GetIssueRequest get;
          get.set_request_id(response.issue().request_id());
          coupon_v1::GetIssueResponse got;
          system_->coupons().GetIssue(&get_call, get, &got);
          issue = got.issue();
          return issue.state() == coupon_v1::ISSUE_STATE_ISSUED;
        },
        absl::Seconds(30)));
    return issue.coupon_code();
  }

  // Sets up the product and coupon of `journey`: a refused coupon is one
  // issued to another customer; refused stock is more than there is.
  void Prepare(Journey& journey) {
    journey.product_id = NewProduct(journey.name);
    journey.customer_id = UniqueName(journey.name + "-customer");
    journey.coupon_code =
        IssueCoupon(journey.coupon_ok ? journey.customer_id : journey.customer_id + "-other");
  }

  Order Place(const Journey& journey) {
    Call call;
    order_v1::PlaceOrderRequest request;
    request.set_customer_id(journey.customer_id);
    request.set_idempotency_key("order-1");
    request.set_currency_code("EUR");
    request.set_coupon_code(journey.coupon_code);
    auto* address = request.mutable_shipping_address();
    address->set_recipient("Ada Lovelace");
    address->add_lines("12 St James Square");
    address->set_city("London");
    address->set_country_code("GB");
    auto* line = request.add_lines();
    line->set_product_id(journey.product_id);
    line->set_quantity(journey.stock_ok ? 2 : kStock + 1);
    order_v1::PlaceOrderResponse response;
    grpc::Status status = system_->orders().PlaceOrder(&call, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.order().status(), order_v1::ORDER_STATUS_PENDING);
    return response.order();
  }

  Order Get(const std::string& order_id) {
    Call call;
    order_v1::GetOrderRequest request;
    request.set_order_id(order_id);
    order_v1::GetOrderResponse response;
    system_->orders().GetOrder(&call, request, &response);
    return response.order();
  }

  shop::product::v1::Stock Stock(const std::string& product_id) {
    Call call;
    shop::product::v1::GetStockRequest request;
    request.set_product_id(product_id);
    shop::product::v1::GetStockResponse response;
    EXPECT_TRUE(system_->products().GetStock(&call, request, &response).ok());
    return response.stock();
  }

  coupon_v1::Coupon CouponOf(const Journey& journey) {
    const std::string owner =
        journey.coupon_ok ? journey.customer_id : journey.customer_id + "-other";
    Call call;
    coupon_v1::ListCouponsRequest request;
    request.set_customer_id(owner);
    coupon_v1::ListCouponsResponse response;
    EXPECT_TRUE(system_->coupons().ListCoupons(&call, request, &response).ok());
    EXPECT_EQ(response.coupons_size(), 1);
    return response.coupons_size() > 0 ? response.coupons(0) : coupon_v1::Coupon();
  }

  bool HasDelivery(const std::string& order_id) {
    Call call;
    shop::delivery::v1::GetDeliveryRequest request;
    request.set_order_id(order_id);
    shop::delivery::v1::GetDeliveryResponse response;
    return system_->deliveries().GetDelivery(&call, request, &response).ok();
  }

  // The ledger entries of `order_id`: how many, and their sum.
  std::pair<int, int64_t> Ledger(const std::string& order_id) {
    Call call;
    shop::settlement::v1::ListLedgerEntriesRequest request;
    request.set_order_id(order_id);
    shop::settlement::v1::ListLedgerEntriesResponse response;
    EXPECT_TRUE(system_->settlement().ListLedgerEntries(&call, request, &response).ok());
    int64_t sum = 0;
    for (const auto& entry : response.entries()) sum += entry.amount().minor_units();
    return {response.entries_size(), sum};
  }

  // Every outcome once, with `late` (product or coupon) stopped until every
  // order holds the other participant's reply.
  void RunOutcomesWithLate(const std::string& late) {
    std::vector<Journey> journeys = {{"both-ok", true, true},
                                     {"coupon-refused", true, false},
                                     {"stock-refused", false, true},
                                     {"both-refused", false, false}};
    for (Journey& journey : journeys) Prepare(journey);
    ASSERT_TRUE(system_->service(late).Stop().ok());
    for (Journey& journey : journeys) journey.order = Place(journey);
    for (Journey& journey : journeys) {
      const std::string& id = journey.order.order_id();
      // The first reply is recorded; only a refusal has ended the order.
      ASSERT_TRUE(WaitFor(
          [&] {
            Order order = Get(id);
            return late == "product"
                       ? order.coupon().state() != order_v1::COUPON_REDEMPTION_STATE_REQUESTED
                       : order.has_stock_reserve_time() ||
                             order.status() == order_v1::ORDER_STATUS_CANCELLED;
          },
          absl::Seconds(60)))
          << journey.name;
      const bool first_agreed = late == "product" ? journey.coupon_ok : journey.stock_ok;
      EXPECT_EQ(Get(id).status(),
                first_agreed ? order_v1::ORDER_STATUS_PENDING : order_v1::ORDER_STATUS_CANCELLED)
          << journey.name;
    }
    ASSERT_TRUE(system_->Restart(late).ok());
    ASSERT_TRUE(system_->WaitForQuiet(absl::Seconds(90)));
    for (Journey& journey : journeys) CheckConsistent(journey, late);
  }

  void CheckConsistent(const Journey& journey, const std::string& late) {
    SCOPED_TRACE(absl::StrCat(journey.name, ", ", late, " replied last"));
    const Order order = Get(journey.order.order_id());
    const shop::product::v1::Stock stock = Stock(journey.product_id);
    const coupon_v1::Coupon coupon = CouponOf(journey);
    const auto [entries, booked] = Ledger(order.order_id());
    EXPECT_EQ(stock.reserved(), 0) << "nothing is left reserved at rest";
    if (journey.stock_ok && journey.coupon_ok) {
      EXPECT_EQ(order.status(), order_v1::ORDER_STATUS_COMPLETED);
      EXPECT_EQ(order.subtotal().minor_units(), 2 * kPrice);
      EXPECT_EQ(order.coupon().discount().minor_units(), 2 * kPrice / 10);
      EXPECT_EQ(order.total().minor_units(), 2 * kPrice - 2 * kPrice / 10);
      EXPECT_EQ(order.coupon().state(), order_v1::COUPON_REDEMPTION_STATE_REDEEMED);
      EXPECT_EQ(stock.sold(), 2);
      EXPECT_EQ(stock.available(), kStock - 2);
      EXPECT_EQ(coupon.state(), coupon_v1::COUPON_STATE_REDEEMED);
      EXPECT_EQ(coupon.order_id(), order.order_id());
      EXPECT_TRUE(HasDelivery(order.order_id()));
      EXPECT_EQ(entries, 1);
      EXPECT_EQ(booked, order.total().minor_units()) << "settlement books the discounted amount";
      return;
    }
    EXPECT_EQ(order.status(), order_v1::ORDER_STATUS_CANCELLED);
    // The first refusal decides the reason.
    const bool coupon_refused_first = !journey.coupon_ok && (late == "product" || journey.stock_ok);
    EXPECT_EQ(order.cancellation_reason(), coupon_refused_first
                                               ? order_v1::CANCELLATION_REASON_COUPON_REJECTED
                                               : order_v1::CANCELLATION_REASON_OUT_OF_STOCK)
        << order.cancellation_detail();
    EXPECT_EQ(order.total().minor_units(),
              order.subtotal().minor_units() - order.coupon().discount().minor_units());
    EXPECT_EQ(stock.available(), kStock) << "reserved stock is released";
    EXPECT_EQ(stock.sold(), 0);
    EXPECT_EQ(coupon.state(), coupon_v1::COUPON_STATE_AVAILABLE) << "a redeemed coupon is restored";
    EXPECT_EQ(order.coupon().state(), journey.coupon_ok
                                          ? order_v1::COUPON_REDEMPTION_STATE_RESTORED
                                          : order_v1::COUPON_REDEMPTION_STATE_REJECTED);
    EXPECT_FALSE(HasDelivery(order.order_id()));
    EXPECT_EQ(entries, 0);
  }

  static ShopSystem* system_;
  static constexpr char campaign_[] = "saga-ten-percent";
};

ShopSystem* CouponSagaTest::system_ = nullptr;

TEST_F(CouponSagaTest, EveryOutcomeIsConsistentWhenTheCouponAnswersFirst) {
  RunOutcomesWithLate("product");
}

TEST_F(CouponSagaTest, EveryOutcomeIsConsistentWhenTheStockAnswersFirst) {
  RunOutcomesWithLate("coupon");
}

TEST_F(CouponSagaTest, CancellingACompletedOrderRestoresItsCouponAndNetsToZero) {
  Journey journey{"cancel-after-complete", true, true};
  Prepare(journey);
  journey.order = Place(journey);
  const std::string id = journey.order.order_id();
  ASSERT_TRUE(WaitFor([&] { return Get(id).status() == order_v1::ORDER_STATUS_COMPLETED; },
                      absl::Seconds(60)));
  Call call;
  order_v1::CancelOrderRequest cancel;
  cancel.set_order_id(id);
  cancel.set_reason("changed my mind");
  order_v1::CancelOrderResponse cancelled;
  ASSERT_TRUE(system_->orders().CancelOrder(&call, cancel, &cancelled).ok());
  ASSERT_TRUE(WaitFor([&] { return Get(id).status() == order_v1::ORDER_STATUS_CANCELLED; },
                      absl::Seconds(60)));
  ASSERT_TRUE(system_->WaitForQuiet(absl::Seconds(90)));
  EXPECT_EQ(CouponOf(journey).state(), coupon_v1::COUPON_STATE_AVAILABLE);
  EXPECT_EQ(Get(id).coupon().state(), order_v1::COUPON_REDEMPTION_STATE_RESTORED);
  EXPECT_EQ(Ledger(id), (std::pair<int, int64_t>{2, 0}));
  EXPECT_EQ(Stock(journey.product_id).available(), kStock);
}

TEST_F(CouponSagaTest, TwoOrdersRacingForOneCouponGetItOnce) {
  Journey first{"race", true, true};
  Prepare(first);
  Order a = Place(first);
  Call call;  // the same coupon, another order of the same customer
  order_v1::PlaceOrderRequest request;
  request.set_customer_id(first.customer_id);
  request.set_idempotency_key("order-2");
  request.set_currency_code("EUR");
  request.set_coupon_code(first.coupon_code);
  *request.mutable_shipping_address() = a.shipping_address();
  *request.add_lines() = a.lines(0);
  order_v1::PlaceOrderResponse response;
  ASSERT_TRUE(system_->orders().PlaceOrder(&call, request, &response).ok());
  const std::string b = response.order().order_id();
  ASSERT_TRUE(system_->WaitForQuiet(absl::Seconds(90)));
  const Order order_a = Get(a.order_id()), order_b = Get(b);
  EXPECT_EQ((order_a.status() == order_v1::ORDER_STATUS_COMPLETED) +
                (order_b.status() == order_v1::ORDER_STATUS_COMPLETED),
            1);
  const Order& loser = order_a.status() == order_v1::ORDER_STATUS_COMPLETED ? order_b : order_a;
  EXPECT_EQ(loser.cancellation_reason(), order_v1::CANCELLATION_REASON_COUPON_REJECTED);
  EXPECT_NE(loser.cancellation_detail().find("ALREADY_USED"), std::string::npos)
      << loser.cancellation_detail();
  EXPECT_EQ(Stock(first.product_id).sold(), 2);
  EXPECT_EQ(Stock(first.product_id).reserved(), 0);
}

}  // namespace
}  // namespace shop::testing
