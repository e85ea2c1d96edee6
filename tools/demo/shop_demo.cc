// The main job's client: seeds a small catalog, places orders through the
// real gRPC APIs (one completes, one is rejected for lack of stock, one is
// cancelled after completion, one ships) and prints each order's journey as
// the events arrive on Kafka, then the final state read back from every
// service.
//
//   shop_demo --order=127.0.0.1:50051 --product=...:50052 --delivery=...:50053
//             --settlement=...:50054 --brokers=127.0.0.1:19092
#include <grpcpp/grpcpp.h>
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/events/event_metadata.h"
#include "common/grpc/credentials.h"
#include "common/kafka/client_config.h"
#include "common/kafka/record_headers.h"
#include "common/money/currency.h"
#include "common/money/decimal.h"
#include "common/tls/tls.h"
#include "google/protobuf/text_format.h"
#include "proto/shop/coupon/v1/coupon_service.grpc.pb.h"
#include "proto/shop/coupon/v1/events.pb.h"
#include "proto/shop/delivery/v1/delivery_service.grpc.pb.h"
#include "proto/shop/delivery/v1/events.pb.h"
#include "proto/shop/order/v1/events.pb.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"
#include "proto/shop/product/v1/events.pb.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"
#include "proto/shop/settlement/v1/events.pb.h"
#include "proto/shop/settlement/v1/settlement_service.grpc.pb.h"

ABSL_FLAG(std::string, order, "127.0.0.1:50051", "order service");
ABSL_FLAG(std::string, product, "127.0.0.1:50052", "product service");
ABSL_FLAG(std::string, delivery, "127.0.0.1:50053", "delivery service");
ABSL_FLAG(std::string, settlement, "127.0.0.1:50054", "settlement service");
ABSL_FLAG(std::string, coupon, "127.0.0.1:50055", "coupon service");
ABSL_FLAG(std::string, brokers, "127.0.0.1:19092", "Kafka");
ABSL_FLAG(std::string, kafka_config_file, "",
          "librdkafka settings (key=value lines), e.g. security.protocol=SSL and its files");
ABSL_FLAG(std::string, topic_namespace, "", "topic namespace of the running system");

namespace {

namespace order_v1 = shop::order::v1;
namespace product_v1 = shop::product::v1;
namespace delivery_v1 = shop::delivery::v1;
namespace settlement_v1 = shop::settlement::v1;
namespace coupon_v1 = shop::coupon::v1;

std::string Money(int64_t minor, const std::string& currency) {
  return absl::StrCat(
      shop::money::MinorToDecimal(minor, shop::money::MinorUnitDigits(currency).value_or(2)), " ",
      currency);
}

template <typename Stub, typename Request, typename Response>
grpc::Status Call(Stub& stub,
                  grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                  const Request& request, Response* response) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  context.AddMetadata("x-correlation-id", "demo-" + shop::events::NewUuid().substr(28));
  return (stub.*method)(&context, request, response);
}

// Prints the events of the demo's orders as they arrive.
class Journal {
 public:
  Journal(std::vector<std::string> topics, const shop::kafka::ClientConfig& settings)
      : start_(absl::Now()) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    for (const auto& [key, value] : settings) {
      if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
        std::fprintf(stderr, "shop_demo: %s: %s\n", key.c_str(), error.c_str());
        std::exit(1);
      }
    }
    conf->set("bootstrap.servers", absl::GetFlag(FLAGS_brokers), error);
    conf->set("group.id", "shop_demo_" + shop::events::NewUuid(), error);
    conf->set("auto.offset.reset", "latest", error);
    conf->set("fetch.wait.max.ms", "10", error);
    consumer_.reset(RdKafka::KafkaConsumer::create(conf.get(), error));
    consumer_->subscribe(topics);
    thread_ = std::thread([this] { Run(); });
  }
  ~Journal() {
    stop_ = true;
    thread_.join();
    consumer_->close();
  }
  void WaitUntilListening() {
    while (!assigned_) absl::SleepFor(absl::Milliseconds(50));
    absl::SleepFor(absl::Milliseconds(300));
  }
  void Follow(const std::string& order_id, const std::string& label) {
    absl::MutexLock lock(&mu_);
    labels_[order_id] = label;
  }
  // Waits until `count` events of `type` were seen for `order_id`.
  bool WaitFor(const std::string& order_id, const std::string& type, int count = 1) {
    absl::MutexLock lock(&mu_);
    auto seen = [&]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return counts_[order_id + "|" + type] >= count;
    };
    return mu_.AwaitWithTimeout(absl::Condition(&seen), absl::Seconds(30));
  }

 private:
  void Run() {
    while (!stop_) {
      std::unique_ptr<RdKafka::Message> message(consumer_->consume(100));
      if (!assigned_) {
        std::vector<RdKafka::TopicPartition*> assignment;
        consumer_->assignment(assignment);
        assigned_ = !assignment.empty();
        RdKafka::TopicPartition::destroy(assignment);
      }
      if (message->err() != RdKafka::ERR_NO_ERROR || message->key() == nullptr) continue;
      const shop::events::Headers headers = shop::kafka::HeadersOf(*message);
      const std::string type = shop::events::HeaderValue(headers, "ce_type");
      const std::string source = shop::events::HeaderValue(headers, "ce_source");
      const std::string payload(static_cast<const char*>(message->payload()), message->len());
      absl::MutexLock lock(&mu_);
      auto label = labels_.find(*message->key());
      if (label == labels_.end()) continue;
      ++counts_[*message->key() + "|" + type];
      std::printf("  %7.0f ms  %-16s %-17s %-22s %s\n",
                  absl::ToDoubleMilliseconds(absl::Now() - start_), label->second.c_str(),
                  source.c_str(), type.substr(type.rfind('.') + 1).c_str(),
                  Describe(type, payload).c_str());
      std::fflush(stdout);
    }
  }

  static std::string Describe(const std::string& type, const std::string& payload) {
    if (type == "shop.order.v1.OrderPlaced") {
      order_v1::OrderPlaced event;
      event.ParseFromString(payload);
      std::vector<std::string> lines;
      for (const auto& line : event.lines()) {
        lines.push_back(absl::StrCat(line.quantity(), " x ", line.product_id()));
      }
      return absl::StrCat(absl::StrJoin(lines, ", "), " = ",
                          Money(event.total().minor_units(), event.total().currency_code()));
    }
    if (type == "shop.order.v1.OrderCancelled") {
      order_v1::OrderCancelled event;
      event.ParseFromString(payload);
      return absl::StrCat(order_v1::CancellationReason_Name(event.reason()), ": ", event.detail());
    }
    if (type == "shop.order.v1.OrderCancellationRequested") {
      order_v1::OrderCancellationRequested event;
      event.ParseFromString(payload);
      return absl::StrCat("\"", event.reason(), "\": delivery decides");
    }
    if (type == "shop.delivery.v1.CancellationAccepted") return "not shipped: delivery cancelled";
    if (type == "shop.delivery.v1.CancellationRefused") {
      delivery_v1::CancellationRefused event;
      event.ParseFromString(payload);
      return absl::StrCat("refused: ", event.detail());
    }
    if (type == "shop.product.v1.StockRejected") {
      product_v1::StockRejected event;
      event.ParseFromString(payload);
      std::vector<std::string> parts;
      for (const auto& s : event.shortfalls()) {
        parts.push_back(
            absl::StrCat(s.product_id(), " wanted ", s.requested(), ", has ", s.available()));
      }
      return absl::StrJoin(parts, "; ");
    }
    if (type == "shop.delivery.v1.DeliveryStatusChanged") {
      delivery_v1::DeliveryStatusChanged event;
      event.ParseFromString(payload);
      return absl::StrCat(delivery_v1::DeliveryStatus_Name(event.previous_status()), " -> ",
                          delivery_v1::DeliveryStatus_Name(event.status()));
    }
    if (type == "shop.coupon.v1.CouponRedeemed") {
      coupon_v1::CouponRedeemed event;
      event.ParseFromString(payload);
      return absl::StrCat(event.coupon_code(), " takes ",
                          Money(event.discount().minor_units(), event.discount().currency_code()),
                          " off");
    }
    if (type == "shop.coupon.v1.CouponRedemptionRejected") {
      coupon_v1::CouponRedemptionRejected event;
      event.ParseFromString(payload);
      return absl::StrCat(coupon_v1::RedemptionRejection_Name(event.reason()), ": ",
                          event.detail());
    }
    if (type == "shop.coupon.v1.CouponRestored") {
      coupon_v1::CouponRestored event;
      event.ParseFromString(payload);
      return absl::StrCat(event.coupon_code(), " is available again");
    }
    if (type == "shop.settlement.v1.SettlementRecorded" ||
        type == "shop.settlement.v1.SettlementReversed") {
      settlement_v1::SettlementRecorded event;  // same shape as SettlementReversed
      event.ParseFromString(payload);
      return Money(event.amount().minor_units(), event.amount().currency_code());
    }
    return "";
  }

  const absl::Time start_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> assigned_{false};
  absl::Mutex mu_;
  std::map<std::string, std::string> labels_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int> counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  // --tls_cert/--tls_key/--tls_ca: the services' mTLS (plaintext without);
  // an address may name several instances (ipv4:host:port,host:port).
  auto channel = [](const std::string& address) {
    auto made = shop::grpc_util::Channel(address, shop::tls::FromFlags());
    if (!made.ok()) {
      std::fprintf(stderr, "shop_demo: %s\n", made.status().ToString().c_str());
      std::exit(1);
    }
    return *made;
  };
  auto orders = order_v1::OrderService::NewStub(channel(absl::GetFlag(FLAGS_order)));
  auto products = product_v1::ProductService::NewStub(channel(absl::GetFlag(FLAGS_product)));
  auto deliveries = delivery_v1::DeliveryService::NewStub(channel(absl::GetFlag(FLAGS_delivery)));
  auto settlement =
      settlement_v1::SettlementService::NewStub(channel(absl::GetFlag(FLAGS_settlement)));
  auto coupons = coupon_v1::CouponService::NewStub(channel(absl::GetFlag(FLAGS_coupon)));
  const std::string ns = absl::GetFlag(FLAGS_topic_namespace);
  auto topic = [&ns](const std::string& name) { return ns.empty() ? name : ns + "." + name; };

  std::printf("== Seeding the catalog\n");
  struct Seed {
    const char* id;
    const char* name;
    int64_t price;
    int64_t stock;
  };
  for (const Seed& seed :
       {Seed{"tea", "Earl Grey, 250 g", 450, 100}, Seed{"mug", "Stoneware mug", 1299, 40},
        Seed{"kettle", "Copper kettle", 8900, 2}}) {
    product_v1::CreateProductRequest request;
    request.set_product_id(seed.id);
    request.set_sku(absl::StrCat("SKU-", seed.id));
    request.set_name(seed.name);
    request.mutable_price()->set_minor_units(seed.price);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(seed.stock);
    product_v1::CreateProductResponse response;
    grpc::Status status =
        Call(*products, &product_v1::ProductService::Stub::CreateProduct, request, &response);
    if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::fprintf(stderr, "cannot create %s: %s\n", seed.id, status.error_message().c_str());
      return 1;
    }
    product_v1::GetStockRequest stock_request;
    stock_request.set_product_id(seed.id);
    product_v1::GetStockResponse stock;
    Call(*products, &product_v1::ProductService::Stub::GetStock, stock_request, &stock);
    std::printf("  %-7s %-18s %10s  available %3lld  reserved %3lld  sold %3lld%s\n", seed.id,
                seed.name, Money(seed.price, "EUR").c_str(),
                static_cast<long long>(stock.stock().available()),
                static_cast<long long>(stock.stock().reserved()),
                static_cast<long long>(stock.stock().sold()),
                status.ok() ? "" : "  (exists from an earlier run)");
  }

  // The random end of an id (a version 7 UUID begins with the time).
  const std::string run = shop::events::NewUuid().substr(28);
  // A first-come campaign, and a coupon for this run's coupon customer
  // (one per customer per campaign), decided asynchronously.
  const std::string coupon_customer = "coupon-customer-" + run;
  std::string coupon_code;
  {
    coupon_v1::CreateCampaignRequest request;
    request.set_campaign_id("demo-10-percent");
    request.set_name("10% off, first 1000 customers");
    request.set_total_coupons(1000);
    request.mutable_discount()->set_percent_off(10);
    request.mutable_valid_from()->set_seconds(1'767'225'600);   // 2026-01-01
    request.mutable_valid_until()->set_seconds(4'102'444'800);  // 2100-01-01
    coupon_v1::CreateCampaignResponse campaign;
    grpc::Status status =
        Call(*coupons, &coupon_v1::CouponService::Stub::CreateCampaign, request, &campaign);
    if (!status.ok()) {
      std::fprintf(stderr, "cannot create the campaign: %s\n", status.error_message().c_str());
      return 1;
    }
    coupon_v1::IssueCouponRequest issue;
    issue.set_campaign_id("demo-10-percent");
    issue.set_customer_id(coupon_customer);
    issue.set_idempotency_key("demo");
    coupon_v1::IssueCouponResponse requested;
    status = Call(*coupons, &coupon_v1::CouponService::Stub::IssueCoupon, issue, &requested);
    if (!status.ok()) {
      std::fprintf(stderr, "IssueCoupon failed: %s\n", status.error_message().c_str());
      return 1;
    }
    coupon_v1::CouponIssue decided = requested.issue();
    for (int i = 0; i < 300 && decided.state() == coupon_v1::ISSUE_STATE_REQUESTED; ++i) {
      absl::SleepFor(absl::Milliseconds(100));  // polling the request, with a bound
      coupon_v1::GetIssueRequest get;
      get.set_request_id(requested.issue().request_id());
      coupon_v1::GetIssueResponse got;
      Call(*coupons, &coupon_v1::CouponService::Stub::GetIssue, get, &got);
      if (got.has_issue()) decided = got.issue();
    }
    coupon_v1::GetCampaignRequest get_campaign;
    get_campaign.set_campaign_id("demo-10-percent");
    coupon_v1::GetCampaignResponse counts;
    Call(*coupons, &coupon_v1::CouponService::Stub::GetCampaign, get_campaign, &counts);
    std::printf(
        "  campaign demo-10-percent: %lld issued, %lld left; IssueCoupon -> %s, then %s %s\n",
        static_cast<long long>(counts.campaign().issued_coupons()),
        static_cast<long long>(counts.remaining_coupons()),
        coupon_v1::IssueState_Name(requested.issue().state()).c_str(),
        coupon_v1::IssueState_Name(decided.state()).c_str(), decided.coupon_code().c_str());
    coupon_code = decided.coupon_code();
    if (coupon_code.empty()) {
      std::fprintf(stderr, "the coupon was not issued\n");
      return 1;
    }
  }

  auto kafka_settings =
      shop::kafka::LoadClientConfig(absl::GetFlag(FLAGS_kafka_config_file), /*list=*/"");
  if (!kafka_settings.ok()) {
    std::fprintf(stderr, "shop_demo: %s\n", kafka_settings.status().ToString().c_str());
    return 1;
  }
  Journal journal(
      {topic("shop.order.events"), topic("shop.product.events"), topic("shop.delivery.events"),
       topic("shop.settlement.events"), topic("shop.coupon.events")},
      *kafka_settings);
  journal.WaitUntilListening();
  auto place = [&](const std::string& label, std::vector<std::pair<std::string, int64_t>> lines,
                   const std::string& coupon = "") -> std::string {
    order_v1::PlaceOrderRequest request;
    request.set_customer_id(coupon.empty() ? "demo-customer" : coupon_customer);
    request.set_coupon_code(coupon);
    request.set_idempotency_key(absl::StrCat("demo-", run, "-", label));
    request.set_currency_code("EUR");
    auto* address = request.mutable_shipping_address();
    address->set_recipient("Ada Lovelace");
    address->add_lines("12 St James Square");
    address->set_city("London");
    address->set_country_code("GB");
    const std::map<std::string, int64_t> prices = {{"tea", 450}, {"mug", 1299}, {"kettle", 8900}};
    for (const auto& [product, quantity] : lines) {
      auto* line = request.add_lines();
      line->set_product_id(product);
      line->set_quantity(quantity);
      line->set_unit_price_minor(prices.at(product));
    }
    order_v1::PlaceOrderResponse response;
    absl::Time start = absl::Now();
    grpc::Status status =
        Call(*orders, &order_v1::OrderService::Stub::PlaceOrder, request, &response);
    // The order service prices from its own replica of the catalog, fed by
    // the ProductChanged events the seeding just published; until they
    // arrive it does not know the products. Retrying with the same key is safe.
    for (int attempt = 0;
         attempt < 150 && status.error_code() == grpc::StatusCode::INVALID_ARGUMENT &&
         absl::StrContains(status.error_message(), "is not in the catalog");
         ++attempt) {
      if (attempt == 0) std::printf("  (waiting for the order service to learn the catalog)\n");
      absl::SleepFor(absl::Milliseconds(200));
      start = absl::Now();
      status = Call(*orders, &order_v1::OrderService::Stub::PlaceOrder, request, &response);
    }
    if (!status.ok()) {
      std::fprintf(stderr, "PlaceOrder failed: %s\n", status.error_message().c_str());
      std::exit(1);
    }
    journal.Follow(response.order().order_id(), label);
    std::printf("  PlaceOrder %-18s -> %s in %.1f ms (order %s)\n", label.c_str(),
                order_v1::OrderStatus_Name(response.order().status()).c_str(),
                absl::ToDoubleMilliseconds(absl::Now() - start),
                response.order().order_id().c_str());
    return response.order().order_id();
  };

  std::printf("\n== Placing orders; each line below is an event as it arrives on Kafka\n");
  const std::string happy = place("completes+ships", {{"tea", 2}, {"mug", 1}});
  const std::string cancelled = place("cancelled-later", {{"mug", 1}});
  product_v1::GetStockRequest kettle_request;
  kettle_request.set_product_id("kettle");
  product_v1::GetStockResponse kettle;
  Call(*products, &product_v1::ProductService::Stub::GetStock, kettle_request, &kettle);
  const std::string rejected = place("out-of-stock", {{"kettle", kettle.stock().available() + 1}});

  // A coupon redeemed by one order, then offered again by a second: the
  // second is cancelled and the stock it had reserved is released.
  const std::string with_coupon = place("with-coupon", {{"tea", 4}}, coupon_code);
  bool ok = journal.WaitFor(with_coupon, "shop.coupon.v1.CouponRedeemed");
  const std::string coupon_used = place("coupon-used", {{"mug", 1}}, coupon_code);
  ok = ok && journal.WaitFor(with_coupon, "shop.settlement.v1.SettlementRecorded") &&
       journal.WaitFor(coupon_used, "shop.order.v1.OrderCancelled") &&
       journal.WaitFor(coupon_used, "shop.product.v1.StockReleased");
  ok = ok && journal.WaitFor(happy, "shop.delivery.v1.DeliveryCreated") &&
       journal.WaitFor(happy, "shop.settlement.v1.SettlementRecorded") &&
       journal.WaitFor(rejected, "shop.order.v1.OrderCancelled") &&
       journal.WaitFor(cancelled, "shop.settlement.v1.SettlementRecorded") &&
       journal.WaitFor(cancelled, "shop.delivery.v1.DeliveryCreated");
  // CancelOrder on a completed order is a request that delivery decides;
  // the answer comes at once with the request's state.
  auto cancel = [&](const std::string& label, const std::string& id) {
    order_v1::CancelOrderRequest request;
    request.set_order_id(id);
    request.set_reason(label == "cancelled-later" ? "customer changed their mind"
                                                  : "too late, surely?");
    order_v1::CancelOrderResponse response;
    grpc::Status status =
        Call(*orders, &order_v1::OrderService::Stub::CancelOrder, request, &response);
    std::printf("  CancelOrder %-17s -> %s\n", label.c_str(),
                status.ok() ? absl::StrCat(order_v1::OrderStatus_Name(response.order().status()),
                                           ", cancellation ",
                                           order_v1::CancellationRequestState_Name(
                                               response.order().cancellation_request().state()))
                                  .c_str()
                            : absl::StrCat("refused at once: ", status.error_message()).c_str());
    return status.ok();
  };
  cancel("cancelled-later", cancelled);
  {
    delivery_v1::UpdateDeliveryStatusRequest request;
    request.set_order_id(happy);
    request.set_status(delivery_v1::DELIVERY_STATUS_SHIPPED);
    delivery_v1::UpdateDeliveryStatusResponse response;
    grpc::Status status = Call(
        *deliveries, &delivery_v1::DeliveryService::Stub::UpdateDeliveryStatus, request, &response);
    std::printf("  UpdateDeliveryStatus %-8s -> %s\n", "completes+ships",
                status.ok() ? delivery_v1::DeliveryStatus_Name(response.delivery().status()).c_str()
                            : status.error_message().c_str());
  }
  // A late cancellation: the parcel has just left, and the order service may
  // not know yet; delivery, which owns shipping, refuses.
  const bool late_requested = cancel("completes+ships", happy);
  ok = ok && (!late_requested || journal.WaitFor(happy, "shop.delivery.v1.CancellationRefused"));
  ok = ok && journal.WaitFor(cancelled, "shop.delivery.v1.CancellationAccepted") &&
       journal.WaitFor(cancelled, "shop.order.v1.OrderCancelled") &&
       journal.WaitFor(cancelled, "shop.settlement.v1.SettlementReversed") &&
       journal.WaitFor(cancelled, "shop.product.v1.StockReleased") &&
       journal.WaitFor(cancelled, "shop.delivery.v1.DeliveryStatusChanged") &&
       journal.WaitFor(happy, "shop.delivery.v1.DeliveryStatusChanged");

  // The order records delivery's answer once it consumes it.
  for (int i = 0; ok && late_requested && i < 300; ++i) {
    order_v1::GetOrderRequest get;
    get.set_order_id(happy);
    order_v1::GetOrderResponse order;
    Call(*orders, &order_v1::OrderService::Stub::GetOrder, get, &order);
    if (order.order().cancellation_request().state() !=
        order_v1::CANCELLATION_REQUEST_STATE_REQUESTED) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(100));  // polling the order, with a bound
  }

  std::printf("\n== Final state, read back from each service\n");
  for (const auto& [label, id] :
       std::vector<std::pair<std::string, std::string>>{{"completes+ships", happy},
                                                        {"out-of-stock", rejected},
                                                        {"cancelled-later", cancelled},
                                                        {"with-coupon", with_coupon},
                                                        {"coupon-used", coupon_used}}) {
    order_v1::GetOrderRequest get;
    get.set_order_id(id);
    order_v1::GetOrderResponse order;
    Call(*orders, &order_v1::OrderService::Stub::GetOrder, get, &order);
    delivery_v1::GetDeliveryRequest get_delivery;
    get_delivery.set_order_id(id);
    delivery_v1::GetDeliveryResponse delivery;
    grpc::Status has_delivery = Call(*deliveries, &delivery_v1::DeliveryService::Stub::GetDelivery,
                                     get_delivery, &delivery);
    settlement_v1::ListLedgerEntriesRequest list;
    list.set_order_id(id);
    settlement_v1::ListLedgerEntriesResponse ledger;
    Call(*settlement, &settlement_v1::SettlementService::Stub::ListLedgerEntries, list, &ledger);
    std::vector<std::string> entries;
    for (const auto& entry : ledger.entries()) {
      entries.push_back(Money(entry.amount().minor_units(), entry.amount().currency_code()));
    }
    const auto& request = order.order().cancellation_request();
    const auto& coupon = order.order().coupon();
    std::printf(
        "  %-16s order %-22s total %-10s delivery %-26s ledger [%s]%s%s\n", label.c_str(),
        order_v1::OrderStatus_Name(order.order().status()).c_str(),
        Money(order.order().total().minor_units(), order.order().total().currency_code()).c_str(),
        has_delivery.ok() ? delivery_v1::DeliveryStatus_Name(delivery.delivery().status()).c_str()
                          : "(none)",
        absl::StrJoin(entries, ", ").c_str(),
        request.state() == order_v1::CANCELLATION_REQUEST_STATE_UNSPECIFIED
            ? ""
            : absl::StrCat("  cancellation ",
                           order_v1::CancellationRequestState_Name(request.state()),
                           request.refusal_detail().empty() ? "" : ": ", request.refusal_detail())
                  .c_str(),
        coupon.coupon_code().empty()
            ? ""
            : absl::StrCat("  coupon ", order_v1::CouponRedemptionState_Name(coupon.state()),
                           coupon.has_discount()
                               ? absl::StrCat(" -", Money(coupon.discount().minor_units(),
                                                          coupon.discount().currency_code()))
                               : "",
                           order.order().cancellation_detail().empty()
                               ? ""
                               : absl::StrCat(" (", order.order().cancellation_detail(), ")"))
                  .c_str());
  }
  for (const char* id : {"tea", "mug", "kettle"}) {
    product_v1::GetStockRequest request;
    request.set_product_id(id);
    product_v1::GetStockResponse stock;
    Call(*products, &product_v1::ProductService::Stub::GetStock, request, &stock);
    std::printf("  stock %-7s available %3lld  reserved %3lld  sold %3lld\n", id,
                static_cast<long long>(stock.stock().available()),
                static_cast<long long>(stock.stock().reserved()),
                static_cast<long long>(stock.stock().sold()));
  }
  settlement_v1::GetDailyTotalsRequest totals_request;
  settlement_v1::GetDailyTotalsResponse totals;
  Call(*settlement, &settlement_v1::SettlementService::Stub::GetDailyTotals, totals_request,
       &totals);
  for (const auto& total : totals.totals()) {
    const std::string& currency = total.currency_code();
    std::printf("  settlement %s: revenue %s, reversals %s, net %s (%lld entries)\n",
                total.business_date().c_str(),
                Money(total.revenue().minor_units(), currency).c_str(),
                Money(total.reversals().minor_units(), currency).c_str(),
                Money(total.net().minor_units(), currency).c_str(),
                static_cast<long long>(total.entry_count()));
  }
  if (!ok) {
    std::fprintf(stderr, "\nsome events did not arrive within 30 s; see .data/logs/\n");
    return 1;
  }
  return 0;
}
