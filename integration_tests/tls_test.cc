// TLS on every hop, against the real binaries: the services' gRPC with
// mutual TLS, the gateway's HTTPS and its TLS upstream, and MySQL over TLS.
// A client without a certificate signed by the services' CA gets nothing
// from a service, and neither does a gateway holding such a certificate.
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <grpcpp/grpcpp.h>
#include <httplib.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/grpc/credentials.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/provision.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/process.h"
#include "common/testing/service_process.h"
#include "common/testing/test_certs.h"
#include "gateway/partner/partners.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "proto/shop/order/v1/order_service.grpc.pb.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"

namespace shop {
namespace {

using ::nlohmann::json;
using order::v1::OrderService;
using product::v1::ProductService;
using testing::ChildProcess;
using testing::FreePort;
using testing::ServiceProcess;
using testing::TestCerts;
using testing::TestDatabase;
using testing::UniqueName;
using testing::WaitFor;

constexpr char kKey[] = "tls-partner-key";

class TlsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // The system's CA, and a rogue one whose certificates look alike.
    certs_ = new TestCerts("certs", {"order", "product", "gateway", "client"});
    rogue_ = new TestCerts("rogue", {"client"});
    ASSERT_TRUE(certs_->status().ok()) << certs_->status();
    ASSERT_TRUE(rogue_->status().ok()) << rogue_->status();
    order_db_ = new TestDatabase("tls_order");
    product_db_ = new TestDatabase("tls_product");
    ASSERT_TRUE(order_db_->status().ok());
    ASSERT_TRUE(product_db_->status().ok());
    ns_ = new std::string(UniqueName("tls_it"));
    const std::string& ns = *ns_;
    order_ = new ServiceProcess("order/order", order_db_->options(), ns, certs_->Flags("order"));
    // The product service reaches Kafka on the broker's mutual-TLS listener
    // (with the dev CA's certificate that `tools/dev` made for it).
    std::vector<std::string> product_args = certs_->Flags("product");
    product_args.push_back("--brokers=" + testing::KafkaTlsBrokers());
    product_args.push_back("--kafka_config=" + testing::KafkaTlsConfig("product"));
    product_ = new ServiceProcess("product/product", product_db_->options(), ns, product_args);
    ASSERT_TRUE(order_->Start().ok());
    ASSERT_TRUE(product_->Start().ok());
    auto channel = grpc_util::Channel(product_->address(), certs_->Files("client"));
    ASSERT_TRUE(channel.ok()) << channel.status();
    grpc::ClientContext context;
    product::v1::CreateProductRequest request;
    request.set_product_id("tls-tea");
    request.set_sku("tls-tea");
    request.set_name("Tea over TLS");
    request.mutable_price()->set_minor_units(450);
    request.mutable_price()->set_currency_code("EUR");
    request.set_initial_stock(5);
    product::v1::CreateProductResponse response;
    ASSERT_TRUE(
        ProductService::NewStub(*channel)->CreateProduct(&context, request, &response).ok());
  }
  static void TearDownTestSuite() {
    EXPECT_TRUE(order_->Stop().ok());
    EXPECT_TRUE(product_->Stop().ok());
    delete order_;
    delete product_;
    delete order_db_;
    delete product_db_;
    delete certs_;
    delete rogue_;
    delete ns_;
  }

  // ListOrders on the order service through `credentials`.
  static grpc::Status ListOrders(std::shared_ptr<grpc::ChannelCredentials> credentials) {
    auto stub = OrderService::NewStub(grpc::CreateChannel(order_->address(), credentials));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    order::v1::ListOrdersRequest request;
    request.set_customer_id("tls-customer");
    order::v1::ListOrdersResponse response;
    return stub->ListOrders(&context, request, &response);
  }
  static std::shared_ptr<grpc::ChannelCredentials> Credentials(const tls::TlsFiles& files) {
    auto credentials = grpc_util::ChannelCredentials(files);
    EXPECT_TRUE(credentials.ok()) << credentials.status();
    return credentials.ok() ? *credentials : nullptr;
  }
  static int CallsServed(const std::string& method) {
    // The order service logs one "rpc" line per call that reached it.
    std::ifstream log(order_->log_path());
    std::string line;
    int served = 0;
    while (std::getline(log, line)) {
      if (line.find("\"rpc\"") != std::string::npos && line.find(method) != std::string::npos) {
        ++served;
      }
    }
    return served;
  }

  static std::string* ns_;
  static TestCerts* certs_;
  static TestCerts* rogue_;
  static TestDatabase* order_db_;
  static TestDatabase* product_db_;
  static ServiceProcess* order_;
  static ServiceProcess* product_;
};
std::string* TlsTest::ns_ = nullptr;
TestCerts* TlsTest::certs_ = nullptr;
TestCerts* TlsTest::rogue_ = nullptr;
TestDatabase* TlsTest::order_db_ = nullptr;
TestDatabase* TlsTest::product_db_ = nullptr;
ServiceProcess* TlsTest::order_ = nullptr;
ServiceProcess* TlsTest::product_ = nullptr;

TEST_F(TlsTest, MutualTlsServiceServesOnlyClientsWithACertificateFromItsCa) {
  const int served_before = CallsServed("ListOrders");
  ASSERT_TRUE(ListOrders(Credentials(certs_->Files("client"))).ok());
  EXPECT_EQ(CallsServed("ListOrders"), served_before + 1);

  // No certificate at all, though the client trusts the server.
  grpc::Status no_cert = ListOrders(Credentials({"", "", certs_->ca()}));
  EXPECT_EQ(no_cert.error_code(), grpc::StatusCode::UNAVAILABLE) << no_cert.error_message();
  // A certificate from another CA, with the same names.
  grpc::Status rogue =
      ListOrders(Credentials({rogue_->cert("client"), rogue_->key("client"), certs_->ca()}));
  EXPECT_EQ(rogue.error_code(), grpc::StatusCode::UNAVAILABLE) << rogue.error_message();
  // Plaintext.
  grpc::Status plain = ListOrders(grpc::InsecureChannelCredentials());
  EXPECT_EQ(plain.error_code(), grpc::StatusCode::UNAVAILABLE) << plain.error_message();
  // And the client's side: a server whose certificate its CA did not sign.
  grpc::Status unknown_server =
      ListOrders(Credentials({certs_->cert("client"), certs_->key("client"), rogue_->ca()}));
  EXPECT_EQ(unknown_server.error_code(), grpc::StatusCode::UNAVAILABLE);
  // None of them reached a handler.
  EXPECT_EQ(CallsServed("ListOrders"), served_before + 1);
}

TEST_F(TlsTest, ServicePublishesOverKafkaTlsAndAnUnknownClientCannotConnect) {
  // The product created in SetUp went out through the relay over TLS.
  auto records = testing::ReadTopic(
      *ns_ + ".shop.product.events",
      [](const std::vector<testing::ConsumedRecord>& so_far) {
        for (const auto& record : so_far) {
          if (record.key == "tls-tea") return true;
        }
        return false;
      },
      absl::Seconds(30));
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().key, "tls-tea");

  // A certificate from another CA gets no connection to the broker: the
  // service cannot create its topics and gives up at start.
  TestDatabase database("tls_rogue_kafka");
  ASSERT_TRUE(database.status().ok());
  ServiceProcess rogue(
      "product/product", database.options(), *ns_,
      {"--brokers=" + testing::KafkaTlsBrokers(),
       absl::StrCat("--kafka_config=security.protocol=SSL,ssl.ca.location=",
                    std::getenv("SHOP_TLS_DIR") != nullptr ? std::getenv("SHOP_TLS_DIR") : "",
                    "/ca.pem,ssl.certificate.location=", rogue_->cert("client"),
                    ",ssl.key.location=", rogue_->key("client")),
       "--startup_timeout_seconds=5"});
  absl::Status started = rogue.Start();
  EXPECT_FALSE(started.ok());
  std::ifstream log(rogue.log_path());
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("creating Kafka topics"), std::string::npos) << text.substr(0, 2000);
}

class GatewayTlsTest : public TlsTest {
 protected:
  // A gateway serving HTTPS whose upstream identity is `upstream`.
  struct Gateway {
    std::unique_ptr<ChildProcess> process;
    int port = 0;
  };
  static Gateway StartGateway(const std::string& name, const tls::TlsFiles& upstream) {
    const std::string dir = std::getenv("TEST_TMPDIR");
    const std::string partners = dir + "/" + name + "_partners.json";
    std::ofstream(partners) << json{{"partners",
                                     {{{"id", "tls-partner"},
                                       {"apiKeySha256", gateway::Sha256Hex(kKey)},
                                       {"ratePerSecond", 1000},
                                       {"burst", 1000},
                                       {"skus", {{"TLS-TEA", "tls-tea"}}}}}}}
                                   .dump();
    const std::string port_file = dir + "/" + name + ".port";
    Gateway gateway;
    gateway.process = std::make_unique<ChildProcess>(
        "gateway/gateway",
        std::vector<std::string>{
            "--http_address=127.0.0.1:0", "--port_file=" + port_file,
            "--order_address=" + order_->address(), "--product_address=" + product_->address(),
            // No Redis: catalog reads go to ProductService every time.
            absl::StrCat("--redis_address=127.0.0.1:", FreePort()), "--partners_file=" + partners,
            "--https_cert=" + certs_->cert("gateway"), "--https_key=" + certs_->key("gateway"),
            "--tls_cert=" + upstream.cert, "--tls_key=" + upstream.key, "--tls_ca=" + upstream.ca});
    EXPECT_TRUE(WaitFor(
        [&] {
          std::ifstream in(port_file);
          return static_cast<bool>(in >> gateway.port);
        },
        absl::Seconds(30)));
    return gateway;
  }
  struct Answer {
    int status = 0;  // 0: no HTTP answer at all
    json body;
  };
  static Answer GetHttps(int port, const std::string& path, const std::string& ca) {
    httplib::SSLClient client("127.0.0.1", port);
    client.set_ca_cert_path(ca.c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    auto result = client.Get(path.c_str(), {{"X-Api-Key", kKey}});
    if (!result) return {};
    return {result->status, json::parse(result->body, nullptr, false)};
  }
};

TEST_F(GatewayTlsTest, ServesHttpsAndReachesServicesOnlyWithItsCertificate) {
  Gateway gateway = StartGateway("good_gateway", certs_->Files("gateway"));
  ASSERT_GT(gateway.port, 0);
  // HTTPS, the server verified against the CA: the catalog (ProductService)
  // and an order lookup (OrderService: unknown ref, so 404) both answer.
  Answer item = GetHttps(gateway.port, "/partner/v1/catalog/TLS-TEA", certs_->ca());
  EXPECT_EQ(item.status, 200) << item.body.dump();
  EXPECT_EQ(item.body.value("price", ""), "4.50");
  Answer missing = GetHttps(gateway.port, "/partner/v1/orders/PO-none", certs_->ca());
  EXPECT_EQ(missing.status, 404) << missing.body.dump();

  // Plain HTTP to the HTTPS port gets no HTTP answer.
  httplib::Client plain("127.0.0.1", gateway.port);
  plain.set_connection_timeout(5);
  plain.set_read_timeout(5);
  EXPECT_FALSE(plain.Get("/partner/v1/catalog/TLS-TEA", {{"X-Api-Key", kKey}}));
  // A client that does not trust the certificate hangs up itself.
  EXPECT_EQ(GetHttps(gateway.port, "/partner/v1/catalog/TLS-TEA", rogue_->ca()).status, 0);
}

TEST_F(GatewayTlsTest, GatewayWithoutAValidCertificateIsRefusedUpstream) {
  const int served_before = CallsServed("GetOrder");
  for (const auto& [name, upstream] : std::vector<std::pair<std::string, tls::TlsFiles>>{
           {"rogue_gateway", {rogue_->cert("client"), rogue_->key("client"), certs_->ca()}},
           {"certless_gateway", {"", "", certs_->ca()}}}) {
    SCOPED_TRACE(name);
    Gateway gateway = StartGateway(name, upstream);
    ASSERT_GT(gateway.port, 0);
    Answer item = GetHttps(gateway.port, "/partner/v1/catalog/TLS-TEA", certs_->ca());
    EXPECT_EQ(item.status, 503) << item.body.dump();
    Answer order = GetHttps(gateway.port, "/partner/v1/orders/PO-none", certs_->ca());
    EXPECT_EQ(order.status, 503) << order.body.dump();
  }
  EXPECT_EQ(CallsServed("GetOrder"), served_before);
}

// MySQL over TLS on a private MariaDB, so the shared one stays as it is.
TEST(MysqlTlsTest, RequiresTlsAndVerifiesTheServer) {
  TestCerts certs("mysql_certs", {"mariadb"});
  TestCerts rogue("mysql_rogue", {"mariadb"});
  ASSERT_TRUE(certs.status().ok());
  ASSERT_TRUE(rogue.status().ok());
  testing::ScratchMariaDb server;
  server.SetTls(certs.cert("mariadb"), certs.key("mariadb"), certs.ca());
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(mysql::ProvisionDatabase(server.AdminOptions(), "tls_db", "tls_only", "pw",
                                       /*require_tls=*/true)
                  .ok());
  mysql::MysqlOptions options = server.AdminOptions();
  options.user = "tls_only";
  options.password = "pw";
  options.database = "tls_db";
  // Without TLS the account is refused.
  EXPECT_EQ(mysql::Connect(options).status().code(), absl::StatusCode::kPermissionDenied);

  options.tls_ca = certs.ca();
  auto connection = mysql::Connect(options);
  ASSERT_TRUE(connection.ok()) << connection.status();
  std::unique_ptr<sql::Statement> statement((*connection)->createStatement());
  std::unique_ptr<sql::ResultSet> cipher(
      statement->executeQuery("SHOW SESSION STATUS LIKE 'Ssl_version'"));
  ASSERT_TRUE(cipher->next());
  EXPECT_EQ(cipher->getString(2).asStdString().rfind("TLSv1.", 0), 0u)
      << cipher->getString(2).asStdString();

  // A server whose certificate the client's CA did not sign is refused.
  mysql::MysqlOptions wrong_ca = options;
  wrong_ca.tls_ca = rogue.ca();
  EXPECT_FALSE(mysql::Connect(wrong_ca).ok());

  // And a server without TLS: the client insists, no plaintext fallback.
  ASSERT_TRUE(server.Stop().ok());
  server.SetTls("", "", "");
  ASSERT_TRUE(server.Start().ok());
  mysql::MysqlOptions admin_tls = server.AdminOptions();
  admin_tls.tls_ca = certs.ca();
  EXPECT_FALSE(mysql::Connect(admin_tls).ok());
  EXPECT_TRUE(mysql::Connect(server.AdminOptions()).ok());
}

}  // namespace
}  // namespace shop
