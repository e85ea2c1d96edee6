// The partner catalog end to end: the gateway reading ProductService through
// a private Redis, the invalidator consuming the real product events. A TTL
// of ten minutes, so only invalidation can make a change visible in time.
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/metrics_scrape.h"
#include "common/testing/process.h"
#include "common/testing/redis_server.h"
#include "common/testing/service_process.h"
#include "gateway/partner/partners.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/shop/product/v1/product_service.grpc.pb.h"

namespace shop::testing {
namespace {

using nlohmann::json;
using shop::product::v1::ProductService;

constexpr char kKey[] = "catalog-partner-key";

class PartnerCatalogTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = new TestDatabase("catalog_it");
    ASSERT_TRUE(database_->status().ok());
    const std::string ns = UniqueName("catalog_it");
    product_ = new ServiceProcess("product/product", database_->options(), ns);
    ASSERT_TRUE(product_->Start().ok());
    products_ = ProductService::NewStub(
                    grpc::CreateChannel(product_->address(), grpc::InsecureChannelCredentials()))
                    .release();
    redis_ = new RedisServer();
    ASSERT_TRUE(redis_->Start().ok());

    const std::string dir = std::getenv("TEST_TMPDIR");
    const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
    const std::string logs = outputs != nullptr ? outputs : dir;
    invalidator_ = new ChildProcess(
        "gateway/catalog/invalidator",
        {"--brokers=" + KafkaBrokers(), "--topic_namespace=" + ns,
         "--consumer_group=" + UniqueName("catalog"), "--redis_address=" + redis_->address(),
         "--catalog_ttl_seconds=600", "--log_file=" + logs + "/invalidator.log"});
    const std::string partners = dir + "/catalog_partners.json";
    std::ofstream(partners) << json{{"partners",
                                     {{{"id", "acme"},
                                       {"apiKeySha256", gateway::Sha256Hex(kKey)},
                                       {"ratePerSecond", 10000},
                                       {"burst", 10000},
                                       {"skus",
                                        {{"ACME-TEA", "cat-tea"},
                                         {"ACME-MUG", "cat-mug"},
                                         {"ACME-KETTLE", "cat-kettle"},
                                         {"ACME-GHOST", "cat-no-such-product"},
                                         {"ACME-WARMUP", "cat-warmup"}}}}}}}
                                   .dump();
    port_file_ = new std::string(dir + "/catalog_gateway.port");
    metrics_port_ = FreePort();
    gateway_ = new ChildProcess(
        "gateway/gateway",
        {"--http_address=127.0.0.1:0", "--port_file=" + *port_file_, "--order_address=127.0.0.1:1",
         "--product_address=" + product_->address(), "--redis_address=" + redis_->address(),
         "--catalog_ttl_seconds=600", "--partners_file=" + partners,
         absl::StrCat("--metrics_address=127.0.0.1:", metrics_port_)});
    ASSERT_TRUE(WaitFor(
        [&] {
          std::ifstream in(*port_file_);
          return static_cast<bool>(in >> port_);
        },
        absl::Seconds(30)));
    Create("cat-tea", "Green tea", 450, 10);
    Create("cat-mug", "Mug", 150, 0);
    Create("cat-kettle", "Kettle", 2999, 3);
    Create("cat-warmup", "Warm-up", 100, 1);
    // The invalidator has joined its group and invalidates: from here on, the
    // time to see a change is the pipeline's, not start-up's.
    ASSERT_EQ(Get("/partner/v1/catalog/ACME-WARMUP").body.value("availableQty", -1), 1);
    AdjustStock("cat-warmup", 1);
    ASSERT_TRUE(WaitFor(
        [&] { return Get("/partner/v1/catalog/ACME-WARMUP").body.value("availableQty", -1) == 2; },
        absl::Seconds(30)));
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete invalidator_;
    delete redis_;
    delete products_;
    EXPECT_TRUE(product_->Stop().ok());
    delete product_;
    delete database_;
  }

  static void Create(const std::string& id, const std::string& name, int64_t price, int64_t stock) {
    grpc::ClientContext context;
    shop::product::v1::CreateProductRequest request;
    request.set_product_id(id);
    request.set_sku(id);
    request.set_name(name);
    request.mutable_price()->set_minor_units(price);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(stock);
    shop::product::v1::CreateProductResponse response;
    ASSERT_TRUE(products_->CreateProduct(&context, request, &response).ok());
  }
  static void AdjustStock(const std::string& id, int64_t delta) {
    grpc::ClientContext context;
    shop::product::v1::AdjustStockRequest request;
    request.set_product_id(id);
    request.set_delta(delta);
    request.set_reason("restock");
    shop::product::v1::AdjustStockResponse response;
    ASSERT_TRUE(products_->AdjustStock(&context, request, &response).ok());
  }
  static void SetPrice(const std::string& id, int64_t price) {
    grpc::ClientContext context;
    shop::product::v1::UpdateProductRequest request;
    request.set_product_id(id);
    request.mutable_price()->set_minor_units(price);
    request.mutable_price()->set_currency_code("EUR");
    shop::product::v1::UpdateProductResponse response;
    ASSERT_TRUE(products_->UpdateProduct(&context, request, &response).ok());
  }

  struct Answer {
    int status = 0;
    std::string cache;
    json body;
  };
  static Answer Get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    auto result = client.Get(path.c_str(), {{"X-Api-Key", kKey}});
    if (!result) return {};
    return {result->status, result->get_header_value("X-Cache"),
            json::parse(result->body, nullptr, false)};
  }
  // Polls until the SKU shows `price`; how long that took, or nullopt.
  static std::optional<absl::Duration> TimeUntilPrice(const std::string& sku,
                                                      const std::string& price) {
    const absl::Time start = absl::Now();
    const bool seen =
        WaitFor([&] { return Get("/partner/v1/catalog/" + sku).body.value("price", "") == price; },
                absl::Seconds(10));
    if (!seen) return std::nullopt;
    return absl::Now() - start;
  }

  static TestDatabase* database_;
  static ServiceProcess* product_;
  static ProductService::Stub* products_;
  static RedisServer* redis_;
  static ChildProcess* invalidator_;
  static ChildProcess* gateway_;
  static std::string* port_file_;
  static int port_;
  static int metrics_port_;
};

TestDatabase* PartnerCatalogTest::database_ = nullptr;
ServiceProcess* PartnerCatalogTest::product_ = nullptr;
ProductService::Stub* PartnerCatalogTest::products_ = nullptr;
RedisServer* PartnerCatalogTest::redis_ = nullptr;
ChildProcess* PartnerCatalogTest::invalidator_ = nullptr;
ChildProcess* PartnerCatalogTest::gateway_ = nullptr;
std::string* PartnerCatalogTest::port_file_ = nullptr;
int PartnerCatalogTest::port_ = 0;
int PartnerCatalogTest::metrics_port_ = 0;

TEST_F(PartnerCatalogTest, AnItemIsShownInPartnerTermsAndCachedAfterTheFirstRead) {
  Answer first = Get("/partner/v1/catalog/ACME-KETTLE");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.body, (json{{"sku", "ACME-KETTLE"},
                              {"name", "Kettle"},
                              {"price", "29.99"},
                              {"currency", "EUR"},
                              {"availability", "in_stock"},
                              {"availableQty", 3}}));
  Answer second = Get("/partner/v1/catalog/ACME-KETTLE");
  EXPECT_EQ(second.cache, "HIT");
  EXPECT_EQ(second.body, first.body);
  EXPECT_EQ(Get("/partner/v1/catalog/ACME-MUG").body.value("availability", ""), "out_of_stock");
  EXPECT_EQ(Get("/partner/v1/catalog/ACME-NOPE").status, 404) << "not this partner's SKU";
  EXPECT_EQ(Get("/partner/v1/catalog/ACME-GHOST").status, 404) << "mapped, but no such product";
}

TEST_F(PartnerCatalogTest, APriceChangeReachesThePartnerWithinASecondLongBeforeTheTtl) {
  ASSERT_EQ(Get("/partner/v1/catalog/ACME-TEA").status, 200);
  ASSERT_EQ(Get("/partner/v1/catalog/ACME-TEA").cache, "HIT") << "cached before the change";
  for (const auto& [minor, decimal] :
       std::vector<std::pair<int64_t, std::string>>{{475, "4.75"}, {499, "4.99"}}) {
    SetPrice("cat-tea", minor);
    auto took = TimeUntilPrice("ACME-TEA", decimal);
    ASSERT_TRUE(took.has_value()) << "never visible";
    std::cout << "price " << decimal << " visible after " << absl::FormatDuration(*took) << "\n";
    EXPECT_LE(*took, absl::Seconds(1));
    EXPECT_EQ(Get("/partner/v1/catalog/ACME-TEA").cache, "HIT") << "cached again";
  }
}

TEST_F(PartnerCatalogTest, AStockChangeReachesThePartnerToo) {
  ASSERT_EQ(Get("/partner/v1/catalog/ACME-MUG").body.value("availableQty", -1), 0);
  AdjustStock("cat-mug", 7);
  EXPECT_TRUE(WaitFor(
      [&] {
        Answer answer = Get("/partner/v1/catalog/ACME-MUG");
        return answer.body.value("availableQty", -1) == 7 &&
               answer.body.value("availability", "") == "in_stock";
      },
      absl::Seconds(1)));
}

TEST_F(PartnerCatalogTest, TheListIsPagedBySkuAndLeavesOutSkusWithoutAProduct) {
  Answer first = Get("/partner/v1/catalog?limit=2");
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(first.body["items"].size(), 1u) << first.body.dump() << " (ACME-GHOST left out)";
  EXPECT_EQ(first.body["items"][0]["sku"], "ACME-KETTLE");
  const std::string token = first.body.value("nextPageToken", "");
  ASSERT_FALSE(token.empty());
  Answer second = Get("/partner/v1/catalog?limit=2&pageToken=" + token);
  ASSERT_EQ(second.status, 200);
  ASSERT_EQ(second.body["items"].size(), 2u);
  EXPECT_EQ(second.body["items"][0]["sku"], "ACME-MUG");
  EXPECT_EQ(second.body["items"][1]["sku"], "ACME-TEA");
  Answer last =
      Get("/partner/v1/catalog?limit=2&pageToken=" + second.body.value("nextPageToken", "none"));
  ASSERT_EQ(last.status, 200);
  ASSERT_EQ(last.body["items"].size(), 1u);
  EXPECT_EQ(last.body["items"][0]["sku"], "ACME-WARMUP");
  EXPECT_EQ(last.body.value("nextPageToken", ""), "") << "the last page";
  EXPECT_EQ(Get("/partner/v1/catalog?limit=0").status, 400);
  EXPECT_EQ(Get("/partner/v1/catalog?limit=201").status, 400);
  EXPECT_EQ(Get("/partner/v1/catalog?pageToken=%25%25").status, 400);
}

// Readers hammering the item while the price changes again and again: the
// last price wins within a second and stays; no stale read lands in the
// cache after its invalidation.
TEST_F(PartnerCatalogTest, ConcurrentReadersNeverLeaveAStalePriceBehind) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      while (!stop) Get("/partner/v1/catalog/ACME-KETTLE");
    });
  }
  for (int price = 3000; price < 3020; ++price) SetPrice("cat-kettle", price);
  auto took = TimeUntilPrice("ACME-KETTLE", "30.19");
  absl::SleepFor(absl::Milliseconds(500));  // the readers keep reading and filling
  stop = true;
  for (auto& reader : readers) reader.join();
  ASSERT_TRUE(took.has_value());
  EXPECT_LE(*took, absl::Seconds(1));
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(Get("/partner/v1/catalog/ACME-KETTLE").body.value("price", ""), "30.19");
  }
}

// Redis stopped: the catalog is still served, from ProductService, and
// changes are visible at once; Redis back: cached again.
TEST_F(PartnerCatalogTest, RedisDownTheCatalogIsStillServedThenCachedAgainWhenItIsBack) {
  ASSERT_EQ(Get("/partner/v1/catalog/ACME-TEA").status, 200);
  redis_->Kill();
  Answer down = Get("/partner/v1/catalog/ACME-TEA");
  EXPECT_EQ(down.status, 200);
  EXPECT_EQ(down.cache, "BYPASS");
  EXPECT_EQ(Get("/partner/v1/catalog?limit=10").status, 200);
  SetPrice("cat-tea", 555);
  EXPECT_EQ(Get("/partner/v1/catalog/ACME-TEA").body.value("price", ""), "5.55");

  ASSERT_TRUE(redis_->Start().ok());
  EXPECT_TRUE(WaitFor([&] { return Get("/partner/v1/catalog/ACME-TEA").cache == "HIT"; },
                      absl::Seconds(10)));
  EXPECT_EQ(Get("/partner/v1/catalog/ACME-TEA").body.value("price", ""), "5.55");
  // The invalidator recovered too: a change is visible within a second again.
  SetPrice("cat-tea", 560);
  auto took = TimeUntilPrice("ACME-TEA", "5.60");
  ASSERT_TRUE(took.has_value());
  EXPECT_LE(*took, absl::Seconds(1));
}

// After the tests above (Redis was down in one): the degraded path and the
// requests are counted, by route, in a valid exposition.
TEST_F(PartnerCatalogTest, TheGatewayCountsRequestsByRouteAndTheDegradedPath) {
  httplib::Client client("127.0.0.1", metrics_port_);
  auto scraped = client.Get("/metrics");
  ASSERT_TRUE(scraped && scraped->status == 200);
  const std::string& text = scraped->body;
  auto sample = [&](const std::string& series) {
    const size_t at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + series.size() + 2));
  };
  EXPECT_GE(sample("shop_catalog_cache_bypassed_reads_total"), 3) << text;
  EXPECT_GT(sample("shop_catalog_cache_products_total{result=\"hit\"}"), 0);
  EXPECT_GT(sample("shop_http_requests_total{method=\"GET\",route=\"/partner/v1/catalog/{sku}\","
                   "code=\"200\"}"),
            10);
  EXPECT_GE(sample("shop_http_requests_total{method=\"GET\",route=\"/partner/v1/catalog\","
                   "code=\"400\"}"),
            3);
  EXPECT_EQ(text.find("ACME-TEA"), std::string::npos) << "raw paths are never labels";
  EXPECT_EQ(Promtool(text), "exit=0\n") << "valid and lint-clean for promtool";
}

}  // namespace
}  // namespace shop::testing
