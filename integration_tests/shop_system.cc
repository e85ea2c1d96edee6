#include "integration_tests/shop_system.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>

#include <mutex>
#include <thread>

#include "absl/time/clock.h"
#include "common/events/event_route.h"
#include "common/testing/kafka_reader.h"

namespace shop::testing {
namespace {

const char* const kServices[] = {"order", "product", "delivery", "settlement", "coupon"};

}  // namespace

ShopSystem::ShopSystem()
    : namespace_(UniqueName("system")),
      admin_(std::make_unique<mysql::ConnectionPool>(AdminOptions())) {
  for (const char* name : kServices) {
    databases_[name] = std::make_unique<TestDatabase>(std::string("sys_") + name);
    metrics_ports_[name] = FreePort();
    services_[name] = std::make_unique<ServiceProcess>(
        std::string(name) + "/" + name, databases_[name]->options(), namespace_,
        std::vector<std::string>{"--metrics_address=127.0.0.1:" +
                                 std::to_string(metrics_ports_[name])});
  }
}

ShopSystem::~ShopSystem() { Stop().IgnoreError(); }

std::string ShopSystem::Topic(const std::string& topic) const {
  return events::QualifiedTopic(namespace_, topic);
}

void ShopSystem::Connect(const std::string& name) {
  auto channel =
      grpc::CreateChannel(services_[name]->address(), grpc::InsecureChannelCredentials());
  if (name == "order") orders_ = shop::order::v1::OrderService::NewStub(channel);
  if (name == "product") products_ = shop::product::v1::ProductService::NewStub(channel);
  if (name == "delivery") deliveries_ = shop::delivery::v1::DeliveryService::NewStub(channel);
  if (name == "settlement") settlement_ = shop::settlement::v1::SettlementService::NewStub(channel);
  if (name == "coupon") coupons_ = shop::coupon::v1::CouponService::NewStub(channel);
}

absl::Status ShopSystem::Start() {
  for (const char* name : kServices) {
    if (!databases_[name]->status().ok()) return databases_[name]->status();
    if (absl::Status started = services_[name]->Start(); !started.ok()) return started;
    Connect(name);
  }
  return absl::OkStatus();
}

absl::Status ShopSystem::Restart(const std::string& name) {
  if (absl::Status started = services_.at(name)->Start(); !started.ok()) return started;
  Connect(name);
  return absl::OkStatus();
}

absl::Status ShopSystem::Stop() {
  absl::Status result;
  std::vector<std::thread> stoppers;
  std::mutex mu;
  for (auto& [name, service] : services_) {
    stoppers.emplace_back([&, service = service.get()] {
      absl::Status stopped = service->Stop();
      std::lock_guard<std::mutex> lock(mu);
      result.Update(stopped);
    });
  }
  for (auto& stopper : stoppers) stopper.join();
  return result;
}

bool ShopSystem::Quiet() {
  auto connection = admin_->Acquire();
  if (!connection.ok()) return false;
  try {
    for (const auto& [name, database] : databases_) {
      std::unique_ptr<sql::ResultSet> rows(
          connection->Prepare("SELECT COUNT(*) FROM `" + database->options().database + "`.outbox")
              .executeQuery());
      if (!rows->next() || rows->getInt64(1) != 0) return false;
    }
  } catch (const sql::SQLException&) {
    return false;
  }
  return GroupCaughtUp("product", Topic("shop.order.events")) &&
         GroupCaughtUp("delivery", Topic("shop.order.events")) &&
         GroupCaughtUp("settlement", Topic("shop.order.events")) &&
         GroupCaughtUp("coupon", Topic("shop.order.events")) &&
         GroupCaughtUp("coupon", Topic("shop.coupon.requests")) &&
         GroupCaughtUp("order", Topic("shop.coupon.events")) &&
         GroupCaughtUp("order", Topic("shop.product.events")) &&
         GroupCaughtUp("order", Topic("shop.delivery.events"));
}

bool ShopSystem::WaitForQuiet(absl::Duration timeout) {
  int quiet_polls = 0;
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    quiet_polls = Quiet() ? quiet_polls + 1 : 0;
    if (quiet_polls == 3) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return false;
}

}  // namespace shop::testing
