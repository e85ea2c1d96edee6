// The webhook dispatcher end to end: real orders through the five services,
// the dispatcher on its own database and group, and receivers of the test's
// own: a flaky one, a healthy one, a hanging one, and the data platform.
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/metrics_scrape.h"
#include "common/testing/process.h"
#include "common/testing/secret_file.h"
#include "common/testing/service_process.h"
#include "gateway/partner/partners.h"
#include "gateway/webhooks/signature.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "integration_tests/catalog_feed.h"
#include "integration_tests/shop_system.h"
#include "nlohmann/json.hpp"

namespace shop::testing {
namespace {

using nlohmann::json;

struct Received {
  std::string id;
  std::string subject;  // orderRef
  std::string status;
  absl::Time event_time;
  absl::Time received;
  bool signed_ok = false;
};

// A partner's webhook endpoint: verifies each call as a partner would,
// answers 503 to its first `fail_first` calls, or hangs while `hang`.
class Receiver {
 public:
  Receiver(std::string secret, bool batches = false)
      : secret_(std::move(secret)), batches_(batches) {
    server_.Post("/hooks", [this](const httplib::Request& request, httplib::Response& response) {
      Handle(request, response);
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~Receiver() {
    SetHang(false);
    server_.stop();
    thread_.join();
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", port_, "/hooks"); }
  void FailFirst(int calls) {
    absl::MutexLock lock(&mu_);
    fail_remaining_ = calls;
  }
  void SetDelay(absl::Duration delay) {
    absl::MutexLock lock(&mu_);
    delay_ = delay;
  }
  void SetHang(bool hang) {
    absl::MutexLock lock(&mu_);
    hang_ = hang;
  }
  absl::Duration delay() {
    absl::MutexLock lock(&mu_);
    return delay_;
  }
  std::vector<Received> received() {
    absl::MutexLock lock(&mu_);
    return received_;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  int batches() {
    absl::MutexLock lock(&mu_);
    return batch_count_;
  }
  std::vector<json> platform_events() {
    absl::MutexLock lock(&mu_);
    return platform_events_;
  }

 private:
  void Handle(const httplib::Request& request, httplib::Response& response) {
    {
      absl::MutexLock lock(&mu_);
      ++calls_;
      // A hanging receiver: holds the call until the dispatcher gives up
      // (and fails it even when it is fixed meanwhile).
      const bool hanging = hang_;
      if (hanging) {
        mu_.AwaitWithTimeout(absl::Condition(
                                 +[](bool* hang) { return !*hang; }, &hang_),
                             absl::Seconds(3));
      }
      if (hanging || fail_remaining_ > 0) {
        --fail_remaining_;
        response.status = 503;
        return;
      }
    }
    absl::SleepFor(delay());
    const std::string id = request.get_header_value("webhook-id");
    const bool signed_ok =
        secret_.empty() ||
        gateway::VerifyWebhook(secret_, id, request.get_header_value("webhook-timestamp"),
                               request.get_header_value("webhook-signature"), request.body,
                               absl::Now())
            .ok();
    const json body = json::parse(request.body, nullptr, false);
    if (batches_ && !signed_ok) {
      response.status = 401;  // the platform takes signed batches only
      return;
    }
    absl::MutexLock lock(&mu_);
    if (batches_) {
      ++batch_count_;
      for (const json& event : body) platform_events_.push_back(event);
    } else {
      absl::Time event_time;
      absl::ParseTime("%Y-%m-%d%ET%H:%M:%E*SZ", body.value("time", ""), &event_time, nullptr);
      received_.push_back(
          {id, body.value("subject", ""),
           body.contains("data") ? body["data"].value("status", "") : "", event_time, absl::Now(),
           signed_ok && body.value("id", "") == id &&
               request.get_header_value("Content-Type") == "application/cloudevents+json"});
    }
    response.status = 204;
  }

  std::string secret_;
  bool batches_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  absl::Mutex mu_;
  bool hang_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration delay_ ABSL_GUARDED_BY(mu_) = absl::ZeroDuration();
  int fail_remaining_ ABSL_GUARDED_BY(mu_) = 0;
  int calls_ ABSL_GUARDED_BY(mu_) = 0;
  int batch_count_ ABSL_GUARDED_BY(mu_) = 0;
  std::vector<Received> received_ ABSL_GUARDED_BY(mu_);
  std::vector<json> platform_events_ ABSL_GUARDED_BY(mu_);
};

const std::string kAcmeSecret = "whsec_" + std::string("YWNtZS1zaWduaW5nLXNlY3JldC0xMjM0NTY3OA==");
const std::string kGlobexSecret = "whsec_Z2xvYmV4LXNpZ25pbmctc2VjcmV0LTEyMzQ1Njc4";
const std::string kInitechSecret = "whsec_aW5pdGVjaC1zaWduaW5nLXNlY3JldC0xMjM0NTY3";
// Given to the dispatcher in a file (--platform_secret_file).
const std::string kPlatformSecret = "whsec_cGxhdGZvcm0tc2lnbmluZy1zZWNyZXQtMTIzNA==";

// The statuses each receiver saw, per orderRef, in arrival order.
std::map<std::string, std::vector<std::string>> ByOrder(const std::vector<Received>& received) {
  std::map<std::string, std::vector<std::string>> sequences;
  for (const Received& r : received) sequences[r.subject].push_back(r.status);
  return sequences;
}

class WebhookDispatchTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    system_ = new ShopSystem();
    ASSERT_TRUE(system_->Start().ok());
    acme_ = new Receiver(kAcmeSecret);
    globex_ = new Receiver(kGlobexSecret);
    initech_ = new Receiver(kInitechSecret);
    platform_ = new Receiver(kPlatformSecret, /*batches=*/true);
    acme_->FailFirst(4);
    initech_->SetHang(true);
    const std::string dir = std::getenv("TEST_TMPDIR");
    const std::string partners = dir + "/webhook_partners.json";
    auto partner = [](const std::string& id, const Receiver& receiver, const std::string& secret) {
      return json{{"id", id},
                  {"apiKeySha256", gateway::Sha256Hex(id + "-key")},
                  {"webhook", {{"url", receiver.url()}, {"secrets", {secret}}}}};
    };
    std::ofstream(partners) << json{{"partners",
                                     {partner("acme", *acme_, kAcmeSecret),
                                      partner("globex", *globex_, kGlobexSecret),
                                      partner("initech", *initech_, kInitechSecret),
                                      {{"id", "quiet"}, {"apiKeySha256", std::string(64, '0')}}}}}
                                   .dump();
    database_ = new TestDatabase("webhooks_it");
    ASSERT_TRUE(database_->status().ok());
    dispatcher_metrics_port_ = FreePort();
    const std::string platform_secret = WriteSecretFile(dir + "/platform.secret", kPlatformSecret);
    dispatcher_ = new ServiceProcess(
        "gateway/webhooks/webhooks", database_->options(), system_->topic_namespace(),
        {"--partners_file=" + partners, "--platform_url=" + platform_->url(),
         "--platform_secret_file=" + platform_secret, "--platform_batch=50",
         absl::StrCat("--metrics_address=127.0.0.1:", dispatcher_metrics_port_),
         "--webhook_retry_schedule=100ms,200ms,300ms,400ms,500ms,600ms",
         "--webhook_timeout_ms=1000", "--consumer_threads=1"});
    ASSERT_TRUE(dispatcher_->Start().ok());

    tea_ = Product("tea", 100);
    const std::string mug = Product("mug", 0);
    // The dispatcher has joined its group and sends: the platform got the
    // products' events. From here on, delays are the dispatcher's own.
    ASSERT_TRUE(
        WaitFor([&] { return platform_->platform_events().size() >= 2; }, absl::Seconds(60)));
    // acme: one shipped, one rejected, one cancelled after completion.
    Place("partner:acme", "A1", tea_);
    Place("partner:acme", "A2", mug);
    const std::string a3 = Place("partner:acme", "A3", tea_);
    Place("partner:globex", "G1", tea_);
    Place("partner:globex", "G2", tea_);
    Place("partner:initech", "I1", tea_);
    Place("partner:quiet", "Q1", tea_);  // a partner without a webhook
    Place("shop-customer-1", "S1", tea_);
    ASSERT_TRUE(system_->WaitForQuiet());
    a1_ = order_ids_["A1"];
    ASSERT_TRUE(Ship(a1_).ok());
    grpc::ClientContext context;
    shop::order::v1::CancelOrderRequest cancel;
    cancel.set_order_id(a3);
    cancel.set_reason("changed my mind");
    shop::order::v1::CancelOrderResponse cancelled;
    ASSERT_TRUE(system_->orders().CancelOrder(&context, cancel, &cancelled).ok());
    ASSERT_TRUE(system_->WaitForQuiet());
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(dispatcher_->Stop().ok());
    delete dispatcher_;
    delete acme_;
    delete globex_;
    delete initech_;
    delete platform_;
    EXPECT_TRUE(system_->Stop().ok());
    delete system_;
    delete database_;
  }

  static std::string Product(const std::string& name, int64_t stock) {
    grpc::ClientContext context;
    shop::product::v1::CreateProductRequest request;
    request.set_product_id(UniqueName(name));
    request.set_sku(request.product_id());
    request.set_name(name);
    request.mutable_price()->set_minor_units(500);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(stock);
    shop::product::v1::CreateProductResponse response;
    EXPECT_TRUE(system_->products().CreateProduct(&context, request, &response).ok());
    WaitForCatalog(system_->database("order"), request.product_id(), 500);
    return request.product_id();
  }
  static std::string Place(const std::string& customer, const std::string& ref,
                           const std::string& product) {
    grpc::ClientContext context;
    const auto request = OneLineOrder(customer, ref, product, 1);
    shop::order::v1::PlaceOrderResponse response;
    grpc::Status status = system_->orders().PlaceOrder(&context, request, &response);
    EXPECT_TRUE(status.ok()) << ref << ": " << status.error_message();
    order_ids_[ref] = response.order().order_id();
    return response.order().order_id();
  }
  static grpc::Status Ship(const std::string& order_id) {
    grpc::ClientContext context;
    shop::delivery::v1::UpdateDeliveryStatusRequest request;
    request.set_order_id(order_id);
    request.set_status(shop::delivery::v1::DELIVERY_STATUS_SHIPPED);
    shop::delivery::v1::UpdateDeliveryStatusResponse response;
    return system_->deliveries().UpdateDeliveryStatus(&context, request, &response);
  }
  static int64_t Count(const std::string& subscriber, const std::string& state) {
    static mysql::ConnectionPool* pool = new mysql::ConnectionPool(database_->options());
    auto connection = pool->Acquire();
    if (!connection.ok()) return -1;
    sql::PreparedStatement& select = connection->Prepare(
        "SELECT COUNT(*) FROM webhook_deliveries WHERE subscriber = ? AND state = ?");
    select.setString(1, subscriber);
    select.setString(2, state);
    std::unique_ptr<sql::ResultSet> row(select.executeQuery());
    return row->next() ? row->getInt64(1) : -1;
  }
  static int Shopctl(const std::vector<std::string>& args) {
    const mysql::MysqlOptions& db = database_->options();
    const std::string password_file =
        WriteSecretFile(std::string(std::getenv("TEST_TMPDIR")) + "/webhooks.pw", db.password);
    std::vector<std::string> all = args;
    for (const std::string& flag :
         {"--mysql_host=" + db.host, "--mysql_port=" + std::to_string(db.port),
          "--mysql_user=" + db.user, "--mysql_database=" + db.database,
          "--mysql_password_file=" + password_file}) {
      all.push_back(flag);
    }
    ChildProcess shopctl("tools/shopctl/shopctl", all);
    if (!shopctl.Wait(absl::Seconds(30))) return -1;
    return shopctl.exit_code();
  }

  static ShopSystem* system_;
  static TestDatabase* database_;
  static ServiceProcess* dispatcher_;
  static int dispatcher_metrics_port_;
  static Receiver* acme_;
  static Receiver* globex_;
  static Receiver* initech_;
  static Receiver* platform_;
  static std::string tea_;
  static std::string a1_;
  static std::map<std::string, std::string> order_ids_;
};

ShopSystem* WebhookDispatchTest::system_ = nullptr;
TestDatabase* WebhookDispatchTest::database_ = nullptr;
ServiceProcess* WebhookDispatchTest::dispatcher_ = nullptr;
int WebhookDispatchTest::dispatcher_metrics_port_ = 0;
Receiver* WebhookDispatchTest::acme_ = nullptr;
Receiver* WebhookDispatchTest::globex_ = nullptr;
Receiver* WebhookDispatchTest::initech_ = nullptr;
Receiver* WebhookDispatchTest::platform_ = nullptr;
std::string WebhookDispatchTest::tea_;
std::string WebhookDispatchTest::a1_;
std::map<std::string, std::string> WebhookDispatchTest::order_ids_;

TEST_F(WebhookDispatchTest, AReceiverFailingItsFirstCallsEndsWithEveryEventOnceInOrderSigned) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"A1", {"received", "confirmed", "shipped"}},
      {"A2", {"received", "rejected"}},
      {"A3", {"received", "confirmed", "cancelled"}}};
  ASSERT_TRUE(WaitFor([&] { return ByOrder(acme_->received()) == expected; }, absl::Seconds(30)))
      << json(ByOrder(acme_->received())).dump();
  EXPECT_GE(acme_->calls(), 8 + 4) << "its first 4 calls were refused and retried";
  std::set<std::string> ids;
  for (const Received& received : acme_->received()) {
    EXPECT_TRUE(received.signed_ok) << received.id;
    EXPECT_TRUE(ids.insert(received.id).second) << "twice: " << received.id;
  }
  // Nothing more comes (no duplicate after a while).
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(acme_->received().size(), 8u);
}

TEST_F(WebhookDispatchTest, OneDeadReceiverDoesNotDelayAnotherPartner) {
  const std::map<std::string, std::vector<std::string>> expected = {
      {"G1", {"received", "confirmed"}}, {"G2", {"received", "confirmed"}}};
  ASSERT_TRUE(WaitFor([&] { return ByOrder(globex_->received()) == expected; }, absl::Seconds(10)));
  for (const Received& received : globex_->received()) {
    // From the event's own time to its arrival: no waiting behind initech.
    EXPECT_LE(received.received - received.event_time, absl::Seconds(2)) << received.id;
    EXPECT_TRUE(received.signed_ok);
  }
  EXPECT_TRUE(initech_->received().empty()) << "initech's receiver hangs";
  EXPECT_GE(initech_->calls(), 1);
}

TEST_F(WebhookDispatchTest, NoPartnerReceivesAnotherPartnersOrTheShopsOrders) {
  ASSERT_TRUE(WaitFor([&] { return globex_->received().size() == 4; }, absl::Seconds(10)));
  for (const Received& r : acme_->received()) EXPECT_EQ(r.subject[0], 'A') << r.subject;
  for (const Received& r : globex_->received()) EXPECT_EQ(r.subject[0], 'G') << r.subject;
  for (const Received& r : initech_->received()) EXPECT_EQ(r.subject[0], 'I') << r.subject;
}

TEST_F(WebhookDispatchTest, DeadDeliveriesAreRedeliveredByTheOperatorInOrderAndOnlyOnce) {
  // Seven attempts of up to a second each, then dead.
  ASSERT_TRUE(WaitFor([&] { return Count("initech", "dead") == 1; }, absl::Seconds(40)));
  EXPECT_EQ(Count("initech", "pending"), 1) << "confirmed, held behind the dead one";
  EXPECT_EQ(Shopctl({"webhooks", "list", "--subscriber=initech", "--state=dead"}), 0);
  // Only the head is dead; "confirmed" waits behind it, never attempted.
  EXPECT_EQ(initech_->calls(), 7);
  initech_->SetHang(false);  // the partner fixed its endpoint
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_TRUE(initech_->received().empty()) << "nothing goes out before the operator says so";
  ASSERT_EQ(Shopctl({"webhooks", "redeliver", "--subscriber=initech", "--all"}), 0);
  const std::map<std::string, std::vector<std::string>> expected = {
      {"I1", {"received", "confirmed"}}};
  ASSERT_TRUE(
      WaitFor([&] { return ByOrder(initech_->received()) == expected; }, absl::Seconds(10)));
  ASSERT_EQ(Shopctl({"webhooks", "redeliver", "--subscriber=initech", "--all"}), 0);
  absl::SleepFor(absl::Milliseconds(500));
  EXPECT_EQ(initech_->received().size(), 2u) << "a second redelivery changes nothing";
}

// Passwords reach the services through files (or the environment), never
// their command lines, which any local user can read with ps.
TEST_F(WebhookDispatchTest, NoPasswordAppearsInThePsOutputOfTheRunningSystem) {
  FILE* pipe = popen("ps -eo args", "r");
  ASSERT_NE(pipe, nullptr);
  std::string ps;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) ps += buffer;
  pclose(pipe);
  int services = 0;
  for (const char* name : {"order", "product", "delivery", "settlement", "coupon"}) {
    const std::string& password = system_->database(name).password;
    ASSERT_FALSE(password.empty());
    EXPECT_EQ(ps.find(password), std::string::npos) << name << "'s password is in ps";
    services += ps.find("--mysql_database=" + system_->database(name).database) != std::string::npos
                    ? 1
                    : 0;
  }
  EXPECT_EQ(ps.find(database_->options().password), std::string::npos) << "the dispatcher's";
  for (const std::string& secret : {kPlatformSecret, kAcmeSecret, kGlobexSecret, kInitechSecret}) {
    EXPECT_EQ(ps.find(secret), std::string::npos) << "a signing secret is in ps";
  }
  EXPECT_NE(ps.find("--platform_secret_file="), std::string::npos);
  EXPECT_EQ(services, 5) << "the services are running, and ps shows them";
  EXPECT_NE(ps.find("--mysql_password_file="), std::string::npos);
}

// SIGKILL between sending and recording: whatever was sent but not recorded
// is sent again, with the same webhook-id; nothing is lost and each order's
// messages keep their order.
TEST_F(WebhookDispatchTest, ADispatcherKilledMidwayLosesNothingAndKeepsTheOrder) {
  globex_->SetDelay(absl::Milliseconds(40));
  std::set<std::string> refs;
  for (int i = 0; i < 15; ++i) {
    const std::string ref = absl::StrCat("K", i);
    Place("partner:globex", ref, tea_);
    refs.insert(ref);
  }
  auto delivered = [&] {
    size_t count = 0;
    for (const Received& r : globex_->received()) count += refs.count(r.subject);
    return count;
  };
  ASSERT_TRUE(WaitFor([&] { return delivered() >= 4; }, absl::Seconds(20)));
  dispatcher_->Kill();
  const size_t before = delivered();
  ASSERT_TRUE(dispatcher_->Start().ok());
  globex_->SetDelay(absl::ZeroDuration());
  // Each order: received then confirmed, counting each webhook-id once.
  auto sequences = [&] {
    std::map<std::string, std::vector<std::string>> by_order;
    std::set<std::string> ids;
    for (const Received& r : globex_->received()) {
      if (refs.count(r.subject) && ids.insert(r.id).second) by_order[r.subject].push_back(r.status);
    }
    return by_order;
  };
  std::map<std::string, std::vector<std::string>> expected;
  for (const std::string& ref : refs) expected[ref] = {"received", "confirmed"};
  ASSERT_TRUE(WaitFor([&] { return sequences() == expected; }, absl::Seconds(30)))
      << json(sequences()).dump();
  std::cout << before << " of 30 delivered before the SIGKILL; " << delivered() - 30
            << " sent again after it\n";
}

TEST_F(WebhookDispatchTest, ThePlatformGetsEveryDomainEventBatchedInTheInternalModel) {
  // Every order's OrderPlaced, the shop's own and those of partners without a webhook too.
  const std::set<std::string> kEveryOrder = {"A1", "A2", "A3", "G1", "G2", "I1", "Q1", "S1"};
  ASSERT_TRUE(WaitFor(
      [&] {
        std::set<std::string> placed;
        for (const json& event : platform_->platform_events()) {
          if (event.value("type", "") == "shop.order.v1.OrderPlaced") {
            placed.insert(event["data"].value("idempotencyKey", ""));
          }
        }
        return std::includes(placed.begin(), placed.end(), kEveryOrder.begin(), kEveryOrder.end());
      },
      absl::Seconds(30)));
  const std::vector<json> events = platform_->platform_events();
  EXPECT_LT(platform_->batches(), static_cast<int>(events.size())) << "batched";
  std::set<std::string> types;
  for (const json& event : events) {
    EXPECT_EQ(event.value("specversion", ""), "1.0");
    EXPECT_FALSE(event.value("id", "").empty());
    types.insert(event.value("type", ""));
  }
  EXPECT_THAT(types, ::testing::IsSupersetOf(
                         {"shop.product.v1.ProductChanged", "shop.order.v1.OrderCompleted",
                          "shop.product.v1.StockReserved", "shop.delivery.v1.DeliveryCreated"}));
}

}  // namespace
}  // namespace shop::testing

namespace shop::testing {
namespace {

// Every service of the running system, and the dispatcher, after real work:
// /metrics valid and lint-clean for promtool, with its outbox and consumer
// series.
TEST_F(WebhookDispatchTest, EveryServicesMetricsPassPromtool) {
  std::map<std::string, int> ports = {{"webhooks", dispatcher_metrics_port_}};
  for (const char* name : {"order", "product", "delivery", "settlement", "coupon"}) {
    ports[name] = system_->metrics_port(name);
  }
  for (const auto& [name, port] : ports) {
    SCOPED_TRACE(name);
    // A consumer's lag is known once it has its partitions: a process that
    // an earlier test restarted may still be joining its group.
    std::string text;
    WaitFor(
        [&] {
          text = Scrape(port);
          return text.find("\nshop_consumer_lag_records{") != std::string::npos;
        },
        absl::Seconds(60));
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(Promtool(text), "exit=0\n");
    EXPECT_THAT(text, ::testing::HasSubstr("\nshop_outbox_backlog_events "));
    EXPECT_THAT(text, ::testing::HasSubstr("\nshop_consumer_events_applied_total{"));
    EXPECT_THAT(text, ::testing::HasSubstr("\nshop_consumer_lag_records{"));
    EXPECT_THAT(text, ::testing::HasSubstr("\nshop_db_pool_in_use_connections "));
  }
}

}  // namespace
}  // namespace shop::testing
