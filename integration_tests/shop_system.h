// The whole system for end-to-end tests: the five service binaries, each
// with its own database and user, sharing a topic namespace of the test's
// own on the real broker, with gRPC stubs to each.
#ifndef SHOP_INTEGRATION_TESTS_SHOP_SYSTEM_H_
#define SHOP_INTEGRATION_TESTS_SHOP_SYSTEM_H_

#include <map>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/service_process.h"
#include "proto/shop/coupon/v1/coupon_service.grpc.pb.h"
#include "proto/shop/delivery/v1/delivery_service.grpc.pb.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"
#include "proto/shop/settlement/v1/settlement_service.grpc.pb.h"

namespace shop::testing {

class ShopSystem {
 public:
  ShopSystem();
  ~ShopSystem();

  absl::Status Start();
  // SIGTERM to all at once, then wait.
  absl::Status Stop();

  ServiceProcess& service(const std::string& name) { return *services_.at(name); }
  const mysql::MysqlOptions& database(const std::string& name) {
    return databases_.at(name)->options();
  }
  const std::string& topic_namespace() const { return namespace_; }
  // Where the service serves Prometheus metrics (127.0.0.1:<port>/metrics).
  int metrics_port(const std::string& name) const { return metrics_ports_.at(name); }
  // "<namespace>.shop.order.events" for "shop.order.events".
  std::string Topic(const std::string& topic) const;

  // Restarts a stopped service on a new port and refreshes its stub.
  absl::Status Restart(const std::string& name);

  shop::order::v1::OrderService::Stub& orders() { return *orders_; }
  shop::product::v1::ProductService::Stub& products() { return *products_; }
  shop::delivery::v1::DeliveryService::Stub& deliveries() { return *deliveries_; }
  shop::settlement::v1::SettlementService::Stub& settlement() { return *settlement_; }
  shop::coupon::v1::CouponService::Stub& coupons() { return *coupons_; }

  // True when no outbox holds an unpublished event and every consumer group
  // has applied everything on the topics it reads: nothing is in flight.
  bool Quiet();
  // Waits until Quiet() holds on three polls in a row.
  bool WaitForQuiet(absl::Duration timeout = absl::Seconds(60));

 private:
  void Connect(const std::string& name);

  std::string namespace_;
  std::unique_ptr<mysql::ConnectionPool> admin_;
  std::map<std::string, std::unique_ptr<TestDatabase>> databases_;
  std::map<std::string, std::unique_ptr<ServiceProcess>> services_;
  std::map<std::string, int> metrics_ports_;
  std::unique_ptr<shop::order::v1::OrderService::Stub> orders_;
  std::unique_ptr<shop::product::v1::ProductService::Stub> products_;
  std::unique_ptr<shop::delivery::v1::DeliveryService::Stub> deliveries_;
  std::unique_ptr<shop::settlement::v1::SettlementService::Stub> settlement_;
  std::unique_ptr<shop::coupon::v1::CouponService::Stub> coupons_;
};

}  // namespace shop::testing

#endif  // SHOP_INTEGRATION_TESTS_SHOP_SYSTEM_H_
