// The gateway binary over real HTTP, in front of the real order service,
// broker and database.
#include <httplib.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/event_metadata.h"
#include "common/events/event_route.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/process.h"
#include "common/testing/service_process.h"
#include "gateway/partner/partners.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace shop::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

constexpr char kAcmeKey[] = "acme-secret-key";
constexpr char kGlobexKey[] = "globex-secret-key";
constexpr char kTinyKey[] = "tiny-secret-key";

// The gateway binary against an order service, with three partners.
class Gateway {
 public:
  explicit Gateway(const std::string& order_address) {
    const std::string dir = std::getenv("TEST_TMPDIR");
    const std::string name = UniqueName("gateway");
    const std::string partners = dir + "/" + name + ".json";
    std::ofstream(partners) << json{
        {"partners",
         {{{"id", "acme"},
           {"apiKeySha256", gateway::Sha256Hex(kAcmeKey)},
           {"ratePerSecond", 100},
           {"burst", 100},
           {"skus", {{"ACME-TEA", "tea"}, {"ACME-MUG", "mug"}}}},
          {{"id", "globex"}, {"apiKeySha256", gateway::Sha256Hex(kGlobexKey)}},
          {{"id", "tiny"},
           {"apiKeySha256", gateway::Sha256Hex(kTinyKey)},
           {"ratePerSecond", 0.2},
           {"burst", 2}}}}}.dump();
    port_file_ = dir + "/" + name + ".port";
    process_ = std::make_unique<ChildProcess>(
        "gateway/gateway",
        std::vector<std::string>{"--http_address=127.0.0.1:0", "--port_file=" + port_file_,
                                 "--order_address=" + order_address, "--partners_file=" + partners,
                                 "--max_body_bytes=4096"});
  }
  bool WaitUntilServing() {
    return WaitFor(
        [&] {
          std::ifstream in(port_file_);
          return static_cast<bool>(in >> port_);
        },
        absl::Seconds(30));
  }
  httplib::Client Client() {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(15, 0);
    return client;
  }
  ~Gateway() {
    process_->Kill(SIGTERM);
    process_->Wait(absl::Seconds(10));
  }

 private:
  std::string port_file_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

std::string OrderJson(const std::string& ref, const std::string& qty = "2",
                      const std::string& price = "\"4.50\"") {
  return absl::StrCat(R"({"orderRef":")", ref, R"(","buyerId":"b-1","currency":"EUR",)",
                      R"("shipTo":{"name":"Ada","street":["1 Main St"],"city":"Berlin",)",
                      R"("zip":"10115","country":"DE"},)", R"("items":[{"sku":"ACME-TEA","qty":)",
                      qty, R"(,"unitPrice":)", price,
                      R"(},{"sku":"ACME-MUG","qty":1,"unitPrice":"1.50"}]})");
}

httplib::Headers As(const std::string& key, const std::string& correlation_id = "") {
  httplib::Headers headers = {{"X-Api-Key", key}};
  if (!correlation_id.empty()) headers.emplace("X-Correlation-Id", correlation_id);
  return headers;
}

std::vector<std::string> ProblemFields(const std::string& body) {
  std::vector<std::string> fields;
  const json problem = json::parse(body, nullptr, false);
  if (problem.contains("errors")) {
    for (const auto& error : problem["errors"]) fields.push_back(error["field"]);
  }
  return fields;
}

class GatewayTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase("gateway_it");
    ASSERT_TRUE(database_->status().ok());
    namespace_ = new std::string(UniqueName("gateway_it"));
    order_ = new ServiceProcess("order/order", database_->options(), *namespace_);
    ASSERT_TRUE(order_->Start().ok());
    gateway_ = new Gateway(order_->address());
    ASSERT_TRUE(gateway_->WaitUntilServing());
  }
  static void TearDownTestSuite() {
    delete gateway_;
    EXPECT_TRUE(order_->Stop().ok());
    delete order_;
    delete namespace_;
    delete database_;
  }
  void SetUp() override { ref_ = UniqueName("PO"); }

  static TestDatabase* database_;
  static std::string* namespace_;
  static ServiceProcess* order_;
  static Gateway* gateway_;
  std::string ref_;
};

TestDatabase* GatewayTest::database_ = nullptr;
std::string* GatewayTest::namespace_ = nullptr;
ServiceProcess* GatewayTest::order_ = nullptr;
Gateway* GatewayTest::gateway_ = nullptr;

TEST_F(GatewayTest, HappyPathPlacesTheOrderAndReadsItInPartnerTerms) {
  auto client = gateway_->Client();
  auto placed = client.Post("/partner/v1/orders", As(kAcmeKey, "corr-gw-1"), OrderJson(ref_),
                            "application/json");
  ASSERT_TRUE(placed);
  EXPECT_EQ(placed->status, 201) << placed->body;
  EXPECT_EQ(placed->get_header_value("X-Correlation-Id"), "corr-gw-1");
  const json order = json::parse(placed->body);
  EXPECT_EQ(order["orderRef"], ref_);
  EXPECT_EQ(order["status"], "received");
  EXPECT_EQ(order["total"], "10.50");
  EXPECT_EQ(order["currency"], "EUR");

  auto read = client.Get(("/partner/v1/orders/" + ref_).c_str(), As(kAcmeKey));
  ASSERT_TRUE(read);
  EXPECT_EQ(read->status, 200);
  EXPECT_EQ(json::parse(read->body)["status"], "received");
  EXPECT_FALSE(read->get_header_value("X-Correlation-Id").empty()) << "created when not sent";

  // The correlation id travelled through gRPC into the event.
  auto events =
      ReadTopic(events::QualifiedTopic(*namespace_, "shop.order.events"),
                [](const std::vector<ConsumedRecord>& records) {
                  for (const auto& record : records) {
                    if (events::HeaderValue(record.headers, "ce_correlationid") == "corr-gw-1")
                      return true;
                  }
                  return false;
                });
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events::HeaderValue(events.back().headers, "ce_correlationid"), "corr-gw-1");

  auto cancelled = client.Post(("/partner/v1/orders/" + ref_ + "/cancel").c_str(), As(kAcmeKey), "",
                               "application/json");
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->status, 200);
  EXPECT_EQ(json::parse(cancelled->body)["status"], "cancelled");
}

TEST_F(GatewayTest, RetryWithTheSameReferenceNeverCreatesTwoOrders) {
  auto client = gateway_->Client();
  auto first = client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(ref_), "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 201);
  auto retry = client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(ref_), "application/json");
  ASSERT_TRUE(retry);
  EXPECT_EQ(retry->status, 201) << "a replay is answered exactly like the first call";
  EXPECT_EQ(json::parse(retry->body), json::parse(first->body));
  auto listed = client.Get("/partner/v1/orders", As(kAcmeKey));
  ASSERT_TRUE(listed);
  int matching = 0;
  const json orders = json::parse(listed->body)["orders"];
  for (const auto& order : orders) matching += order["orderRef"] == ref_;
  EXPECT_EQ(matching, 1);
  auto different =
      client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(ref_, "5"), "application/json");
  ASSERT_TRUE(different);
  EXPECT_EQ(different->status, 409);
}

TEST_F(GatewayTest, MalformedJsonWrongTypesAndMissingFieldsAre400NamingTheField) {
  auto client = gateway_->Client();
  auto malformed =
      client.Post("/partner/v1/orders", As(kAcmeKey), "{\"orderRef\": ", "application/json");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 400);
  EXPECT_EQ(malformed->get_header_value("Content-Type"), "application/problem+json");
  EXPECT_THAT(ProblemFields(malformed->body), ::testing::ElementsAre("body"));
  const json problem = json::parse(malformed->body);
  EXPECT_EQ(problem["status"], 400);
  EXPECT_THAT(std::string(problem["type"]), HasSubstr("invalid-request"));

  auto wrong_type = client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(ref_, "\"two\""),
                                "application/json");
  ASSERT_TRUE(wrong_type);
  EXPECT_EQ(wrong_type->status, 400);
  EXPECT_THAT(ProblemFields(wrong_type->body), ::testing::ElementsAre("items[0].qty"));

  auto missing = client.Post(
      "/partner/v1/orders", As(kAcmeKey),
      R"({"currency":"EUR","shipTo":{"name":"A"},"items":[{"sku":"ACME-TEA","qty":1,"unitPrice":"1"}]})",
      "application/json");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 400);
  EXPECT_THAT(ProblemFields(missing->body), ::testing::Contains("orderRef"));

  auto rounded = client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(ref_, "1", "\"4.505\""),
                             "application/json");
  ASSERT_TRUE(rounded);
  EXPECT_EQ(rounded->status, 400);
  EXPECT_THAT(ProblemFields(rounded->body), ::testing::ElementsAre("items[0].unitPrice"));

  // A field only the internal API checks comes back in the partner's name.
  auto bad_country = client.Post(
      "/partner/v1/orders", As(kAcmeKey),
      R"({"orderRef":")" + ref_ +
          R"(","currency":"EUR","shipTo":{"name":"A","street":["s"],"city":"c","country":"Germany"},"items":[{"sku":"ACME-TEA","qty":1,"unitPrice":"1"}]})",
      "application/json");
  ASSERT_TRUE(bad_country);
  EXPECT_EQ(bad_country->status, 400);
  EXPECT_THAT(ProblemFields(bad_country->body), ::testing::ElementsAre("shipTo.country"));
  EXPECT_THAT(bad_country->body, ::testing::Not(HasSubstr("shipping_address")))
      << "no internal names leak";
}

TEST_F(GatewayTest, BadKeyIs401AndAnotherPartnersOrderIs404) {
  auto client = gateway_->Client();
  auto no_key = client.Post("/partner/v1/orders", OrderJson(ref_), "application/json");
  ASSERT_TRUE(no_key);
  EXPECT_EQ(no_key->status, 401);
  auto bad_key = client.Get("/partner/v1/orders/x", As("not-a-key"));
  ASSERT_TRUE(bad_key);
  EXPECT_EQ(bad_key->status, 401);

  auto placed =
      client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(ref_), "application/json");
  ASSERT_TRUE(placed && placed->status == 201);
  auto foreign = client.Get(("/partner/v1/orders/" + ref_).c_str(), As(kGlobexKey));
  ASSERT_TRUE(foreign);
  EXPECT_EQ(foreign->status, 404) << "globex must not see acme's order";
  auto foreign_cancel = client.Post(("/partner/v1/orders/" + ref_ + "/cancel").c_str(),
                                    As(kGlobexKey), "", "application/json");
  ASSERT_TRUE(foreign_cancel);
  EXPECT_EQ(foreign_cancel->status, 404);
}

TEST_F(GatewayTest, OversizedBodyIs413) {
  auto client = gateway_->Client();
  const std::string huge = OrderJson(ref_) + std::string(8192, ' ');
  auto response = client.Post("/partner/v1/orders", As(kAcmeKey), huge, "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
  EXPECT_EQ(json::parse(response->body)["status"], 413);
}

TEST_F(GatewayTest, RateLimitIs429WithRetryAfter) {
  auto client = gateway_->Client();
  int limited = 0;
  std::string retry_after;
  for (int i = 0; i < 3; ++i) {
    auto response = client.Get("/partner/v1/orders", As(kTinyKey));
    ASSERT_TRUE(response);
    if (response->status == 429) {
      ++limited;
      retry_after = response->get_header_value("Retry-After");
    }
  }
  EXPECT_EQ(limited, 1) << "a burst of 2, then limited";
  int seconds = 0;
  EXPECT_TRUE(absl::SimpleAtoi(retry_after, &seconds));
  EXPECT_GE(seconds, 1);
}

TEST(GatewayOutageTest, OrderServiceDownIs503NotAHang) {
  TestDatabase database("gateway_down");
  ASSERT_TRUE(database.status().ok());
  ServiceProcess order("order/order", database.options(), UniqueName("gateway_down"));
  ASSERT_TRUE(order.Start().ok());
  Gateway gateway(order.address());
  ASSERT_TRUE(gateway.WaitUntilServing());
  auto client = gateway.Client();
  auto up = client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(UniqueName("PO")),
                        "application/json");
  ASSERT_TRUE(up);
  EXPECT_EQ(up->status, 201);

  ASSERT_TRUE(order.Stop().ok());
  const absl::Time start = absl::Now();
  auto down = client.Post("/partner/v1/orders", As(kAcmeKey), OrderJson(UniqueName("PO")),
                          "application/json");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->status, 503);
  EXPECT_FALSE(down->get_header_value("Retry-After").empty());
  EXPECT_LT(absl::Now() - start, absl::Seconds(7));
  EXPECT_THAT(down->body, ::testing::Not(HasSubstr("127.0.0.1"))) << "no internal detail leaks";
}

}  // namespace
}  // namespace shop::testing
