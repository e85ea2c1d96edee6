// tools/chaos_run/chaos_load: the chaos run's client. Seeds products (and a
// coupon campaign), then for a fixed time places orders from many customers
// (some with a coupon, some of several lines), cancels some, ships some,
// retrying every call with the same idempotency key through failures, like a
// careful client. It writes what the verdict needs to know:
//   <out_dir>/accepted.txt  every order id a PlaceOrder answered OK
//   <out_dir>/stock.txt     "product_id quantity": the stock put in
//   <out_dir>/load.json     counts of what it did and what failed
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <queue>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "common/grpc/credentials.h"
#include "common/tls/tls.h"
#include "nlohmann/json.hpp"
#include "proto/shop/coupon/v1/coupon_service.grpc.pb.h"
#include "proto/shop/delivery/v1/delivery_service.grpc.pb.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"

ABSL_FLAG(std::string, order, "127.0.0.1:50051", "OrderService (ipv4:a:1,b:2 for several)");
ABSL_FLAG(std::string, product, "127.0.0.1:50052", "ProductService");
ABSL_FLAG(std::string, delivery, "127.0.0.1:50053", "DeliveryService");
ABSL_FLAG(std::string, coupon, "127.0.0.1:50055", "CouponService (empty: no coupons)");
ABSL_FLAG(int, seconds, 60, "how long to place orders");
ABSL_FLAG(double, rate, 40, "orders per second to aim at, over all workers");
ABSL_FLAG(int, workers, 8, "concurrent clients");
ABSL_FLAG(int, products, 40, "products in the catalog");
ABSL_FLAG(int, stock, 3000,
          "initial stock of each product (enough for most orders: some are still refused)");
ABSL_FLAG(int, coupons, 200, "the campaign's coupons (first come)");
ABSL_FLAG(int, customers_with_coupons, 300, "customers asking for a coupon (more than coupons)");
ABSL_FLAG(double, cancel_share, 0.1, "share of accepted orders cancelled afterwards");
ABSL_FLAG(double, ship_share, 0.2, "share of accepted orders shipped once they complete");
ABSL_FLAG(double, cancel_after_ship_share, 0.3,
          "share of shipped orders the customer then tries to cancel (delivery must refuse)");
ABSL_FLAG(int, shippers, 4, "concurrent clients shipping completed orders");
ABSL_FLAG(int, ship_patience_seconds, 300,
          "how long after its placing an order may still be waited for to ship it");
ABSL_FLAG(std::string, run_id, "", "prefix of ids (default: from the clock)");
ABSL_FLAG(std::string, out_dir, ".", "where accepted.txt, stock.txt and load.json go");

namespace shop::chaos {
namespace {

using Clock = std::chrono::system_clock;

bool Retryable(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
      return true;
    default:
      return false;
  }
}

// Calls `call` (a fresh context each time) until it is not retryable or
// `patience` is spent; the last status.
template <typename Call>
grpc::Status WithRetries(Call call, absl::Duration patience = absl::Minutes(3)) {
  const absl::Time until = absl::Now() + patience;
  absl::Duration backoff = absl::Milliseconds(100);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(Clock::now() + std::chrono::seconds(5));
    grpc::Status status = call(context);
    if (!Retryable(status) || absl::Now() + backoff > until) return status;
    absl::SleepFor(backoff);
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

struct Counts {
  std::atomic<int64_t> placed{0}, place_failed{0}, refused{0}, with_coupon{0}, cancel_asked{0},
      cancel_failed{0}, shipped{0}, ship_failed{0}, ship_not_completed{0}, ship_gave_up{0},
      cancel_after_ship{0}, coupons_issued{0};
};

class Load {
 public:
  Load()
      : run_(absl::GetFlag(FLAGS_run_id).empty()
                 ? absl::StrCat("c", absl::ToUnixSeconds(absl::Now()))
                 : absl::GetFlag(FLAGS_run_id)) {}

  bool Connect() {
    auto channel = [](const std::string& target) {
      auto made = grpc_util::Channel(target, tls::FromFlags());
      if (!made.ok()) std::fprintf(stderr, "chaos_load: %s\n", made.status().ToString().c_str());
      return made.ok() ? *made : nullptr;
    };
    auto order = channel(absl::GetFlag(FLAGS_order));
    auto product = channel(absl::GetFlag(FLAGS_product));
    auto delivery = channel(absl::GetFlag(FLAGS_delivery));
    if (!order || !product || !delivery) return false;
    orders_ = order::v1::OrderService::NewStub(order);
    products_ = product::v1::ProductService::NewStub(product);
    deliveries_ = delivery::v1::DeliveryService::NewStub(delivery);
    if (!absl::GetFlag(FLAGS_coupon).empty()) {
      auto coupon = channel(absl::GetFlag(FLAGS_coupon));
      if (!coupon) return false;
      coupons_ = coupon::v1::CouponService::NewStub(coupon);
    }
    return true;
  }

  bool Seed() {
    std::ofstream stock(absl::GetFlag(FLAGS_out_dir) + "/stock.txt");
    for (int i = 0; i < absl::GetFlag(FLAGS_products); ++i) {
      product::v1::CreateProductRequest request;
      request.set_product_id(absl::StrCat(run_, "-p", i));
      request.set_sku(request.product_id());
      request.set_name(absl::StrCat("chaos product ", i));
      request.mutable_price()->set_minor_units(100 + 37 * i);
      request.mutable_price()->set_currency_code("EUR");
      request.set_initial_stock(absl::GetFlag(FLAGS_stock));
      grpc::Status status = WithRetries([&](grpc::ClientContext& context) {
        product::v1::CreateProductResponse response;
        return products_->CreateProduct(&context, request, &response);
      });
      if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
        std::fprintf(stderr, "chaos_load: creating %s: %s\n", request.product_id().c_str(),
                     status.error_message().c_str());
        return false;
      }
      products_ids_.push_back(request.product_id());
      stock << request.product_id() << " " << request.initial_stock() << "\n";
    }
    // Orders are priced from the order service's catalog replica, fed by
    // events: one order of each product, retried until the replica has it.
    for (const std::string& product : products_ids_) {
      order::v1::PlaceOrderRequest probe = Request(run_ + "-probe", run_ + "-probe-" + product);
      auto* line = probe.add_lines();
      line->set_product_id(product);
      line->set_quantity(1);
      const absl::Time until = absl::Now() + absl::Seconds(120);
      grpc::Status status;
      order::v1::PlaceOrderResponse response;
      do {
        status = WithRetries([&](grpc::ClientContext& context) {
          return orders_->PlaceOrder(&context, probe, &response);
        });
        if (!status.ok()) absl::SleepFor(absl::Milliseconds(250));
      } while (!status.ok() && absl::Now() < until);
      if (!status.ok()) {
        std::fprintf(stderr, "chaos_load: the order service never priced %s: %s\n", product.c_str(),
                     status.error_message().c_str());
        return false;
      }
      ++counts_.placed;
      absl::MutexLock lock(&mu_);
      accepted_.push_back(response.order().order_id());
    }
    if (coupons_ != nullptr) SeedCoupons();
    return true;
  }

  static order::v1::PlaceOrderRequest Request(const std::string& customer, const std::string& key) {
    order::v1::PlaceOrderRequest request;
    request.set_customer_id(customer);
    request.set_idempotency_key(key);
    request.set_currency_code("EUR");
    auto* address = request.mutable_shipping_address();
    address->set_recipient("Chaos");
    address->add_lines("1 Fault St");
    address->set_city("Berlin");
    address->set_country_code("DE");
    return request;
  }

  void Run() {
    const absl::Time until = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_seconds));
    std::vector<std::thread> shippers;
    for (int s = 0; s < std::max(1, absl::GetFlag(FLAGS_shippers)); ++s) {
      shippers.emplace_back([this] { ShipWhenDue(); });
    }
    std::vector<std::thread> workers;
    const int count = std::max(1, absl::GetFlag(FLAGS_workers));
    const absl::Duration interval = absl::Seconds(count / std::max(0.1, absl::GetFlag(FLAGS_rate)));
    for (int w = 0; w < count; ++w) {
      workers.emplace_back([this, w, until, interval] {
        std::mt19937_64 random(w * 7919 + absl::ToUnixNanos(absl::Now()));
        absl::Time next = absl::Now();
        for (int n = 0; absl::Now() < until; ++n) {
          Order(absl::StrCat(run_, "-w", w, "-", n), random);
          next += interval;
          absl::SleepFor(std::max(absl::ZeroDuration(), next - absl::Now()));
        }
      });
    }
    for (auto& worker : workers) worker.join();
    {
      absl::MutexLock lock(&mu_);
      placing_done_ = true;
    }
    for (auto& shipper : shippers) shipper.join();
  }

  void Write() {
    absl::MutexLock lock(&mu_);
    std::ofstream accepted(absl::GetFlag(FLAGS_out_dir) + "/accepted.txt");
    for (const std::string& id : accepted_) accepted << id << "\n";
    nlohmann::json summary = {{"run", run_},
                              {"orders_accepted", counts_.placed.load()},
                              {"orders_with_coupon", counts_.with_coupon.load()},
                              {"orders_refused", counts_.refused.load()},
                              {"orders_unanswered", counts_.place_failed.load()},
                              {"cancels_asked", counts_.cancel_asked.load()},
                              {"cancels_failed", counts_.cancel_failed.load()},
                              {"shipped", counts_.shipped.load()},
                              {"ships_failed", counts_.ship_failed.load()},
                              {"ships_skipped_not_completed", counts_.ship_not_completed.load()},
                              {"ships_given_up_waiting", counts_.ship_gave_up.load()},
                              {"cancels_asked_after_ship", counts_.cancel_after_ship.load()},
                              {"coupons_issued", counts_.coupons_issued.load()}};
    std::ofstream(absl::GetFlag(FLAGS_out_dir) + "/load.json") << summary.dump(2) << "\n";
    std::printf("%s\n", summary.dump().c_str());
  }

 private:
  void SeedCoupons() {
    coupon::v1::CreateCampaignRequest campaign;
    campaign.set_campaign_id(run_ + "-campaign");
    campaign.set_name("chaos campaign");
    campaign.set_total_coupons(absl::GetFlag(FLAGS_coupons));
    campaign.mutable_discount()->set_percent_off(10);
    campaign.mutable_valid_from()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
    campaign.mutable_valid_until()->set_seconds(absl::ToUnixSeconds(absl::Now()) + 86400);
    grpc::Status created = WithRetries([&](grpc::ClientContext& context) {
      coupon::v1::CreateCampaignResponse response;
      return coupons_->CreateCampaign(&context, campaign, &response);
    });
    if (!created.ok() && created.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      std::fprintf(stderr, "chaos_load: campaign: %s\n", created.error_message().c_str());
      return;
    }
    // More customers than coupons ask; those who get one may use it (once;
    // some try twice).
    std::vector<std::thread> askers;
    const int customers = absl::GetFlag(FLAGS_customers_with_coupons);
    for (int t = 0; t < 4; ++t) {
      askers.emplace_back([this, t, customers] {
        for (int c = t; c < customers; c += 4) AskForCoupon(absl::StrCat(run_, "-cc", c));
      });
    }
    for (auto& asker : askers) asker.join();
  }

  void AskForCoupon(const std::string& customer) {
    coupon::v1::IssueCouponRequest request;
    request.set_campaign_id(run_ + "-campaign");
    request.set_customer_id(customer);
    request.set_idempotency_key("ask");
    coupon::v1::IssueCouponResponse issued;
    if (!WithRetries([&](grpc::ClientContext& context) {
           return coupons_->IssueCoupon(&context, request, &issued);
         }).ok()) {
      return;
    }
    // Decided through Kafka; ask until it is.
    for (int i = 0; i < 100; ++i) {
      coupon::v1::GetIssueRequest get;
      get.set_request_id(issued.issue().request_id());
      coupon::v1::GetIssueResponse response;
      grpc::Status status = WithRetries([&](grpc::ClientContext& context) {
        return coupons_->GetIssue(&context, get, &response);
      });
      if (status.ok() && response.issue().state() == coupon::v1::ISSUE_STATE_ISSUED) {
        absl::MutexLock lock(&mu_);
        coupon_holders_.push_back({customer, response.issue().coupon_code()});
        ++counts_.coupons_issued;
        return;
      }
      if (status.ok() && response.issue().state() != coupon::v1::ISSUE_STATE_REQUESTED) return;
      absl::SleepFor(absl::Milliseconds(200));
    }
  }

  void Order(const std::string& key, std::mt19937_64& random) {
    std::string customer = absl::StrCat(run_, "-cust", random() % 500);
    std::string coupon_code;
    {
      // One in ten orders spends a coupon (a holder may try a second time).
      absl::MutexLock lock(&mu_);
      if (!coupon_holders_.empty() && random() % 10 == 0) {
        const auto& [holder, code] = coupon_holders_[random() % coupon_holders_.size()];
        customer = holder;
        coupon_code = code;
      }
    }
    order::v1::PlaceOrderRequest request = Request(customer, key);
    request.set_coupon_code(coupon_code);
    const int lines = 1 + static_cast<int>(random() % 3);
    std::set<std::string> used;
    for (int l = 0; l < lines; ++l) {
      const std::string& product = products_ids_[random() % products_ids_.size()];
      if (!used.insert(product).second) continue;
      auto* line = request.add_lines();
      line->set_product_id(product);
      line->set_quantity(1 + static_cast<int64_t>(random() % 3));
    }
    order::v1::PlaceOrderResponse response;
    grpc::Status status = WithRetries([&](grpc::ClientContext& context) {
      return orders_->PlaceOrder(&context, request, &response);
    });
    if (!status.ok()) {
      (Retryable(status) ? counts_.place_failed : counts_.refused)++;
      if (!Retryable(status) && counts_.refused.load() <= 5) {
        std::fprintf(stderr, "chaos_load: PlaceOrder refused: %d %s\n", status.error_code(),
                     status.error_message().c_str());
      }
      return;
    }
    ++counts_.placed;
    if (!request.coupon_code().empty()) ++counts_.with_coupon;
    const std::string id = response.order().order_id();
    {
      absl::MutexLock lock(&mu_);
      accepted_.push_back(id);
    }
    const double dice = std::uniform_real_distribution<double>(0, 1)(random);
    if (dice < absl::GetFlag(FLAGS_cancel_share)) {
      Cancel(id);
    } else if (dice < absl::GetFlag(FLAGS_cancel_share) + absl::GetFlag(FLAGS_ship_share)) {
      const absl::Time now = absl::Now();
      absl::MutexLock lock(&mu_);
      to_ship_.push({id, now + absl::Seconds(1),
                     now + absl::Seconds(absl::GetFlag(FLAGS_ship_patience_seconds))});
    }
  }

  void Cancel(const std::string& id) {
    order::v1::CancelOrderRequest request;
    request.set_order_id(id);
    request.set_reason("chaos");
    ++counts_.cancel_asked;
    grpc::Status status = WithRetries([&](grpc::ClientContext& context) {
      order::v1::CancelOrderResponse response;
      return orders_->CancelOrder(&context, request, &response);
    });
    if (!status.ok() && ++counts_.cancel_failed <= 5) {
      std::fprintf(stderr, "chaos_load: cancelling %s: %d %s\n", id.c_str(), status.error_code(),
                   status.error_message().c_str());
    }
  }

  // An order to ship: tried when due, until it completes (then shipped), is
  // found cancelled or rejected (not shipped), or the deadline passes.
  struct ToShip {
    std::string order_id;
    absl::Time due;
    absl::Time deadline;
    int tries = 0;
    bool operator>(const ToShip& other) const { return due > other.due; }
  };

  // A shipper: takes the order due first, waits for its time, asks. Returns
  // once placing is over and nothing is left to ship.
  void ShipWhenDue() {
    while (true) {
      ToShip next;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return to_ship_.empty() ? placing_done_ : to_ship_.top().due <= absl::Now();
        };
        // Woken when placing ends; otherwise looks again every 100 ms.
        mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(100));
        if (to_ship_.empty()) {
          if (placing_done_) return;
          continue;
        }
        if (to_ship_.top().due > absl::Now()) continue;
        next = to_ship_.top();
        to_ship_.pop();
      }
      if (!TryShip(next.order_id)) continue;
      // Not yet: again after 1, 2, 4, then every 5 seconds.
      next.due =
          absl::Now() + std::min(absl::Seconds(1 << std::min(next.tries++, 3)), absl::Seconds(5));
      if (next.due > next.deadline) {
        ++counts_.ship_gave_up;
        continue;
      }
      absl::MutexLock lock(&mu_);
      to_ship_.push(std::move(next));
    }
  }

  // One try at shipping `id`: false when done with it (shipped, not to be
  // shipped, or failed for good), true to try again later.
  bool TryShip(const std::string& id) {
    order::v1::GetOrderRequest get;
    get.set_order_id(id);
    order::v1::GetOrderResponse order;
    grpc::Status status = WithRetries(
        [&](grpc::ClientContext& context) { return orders_->GetOrder(&context, get, &order); });
    if (!status.ok()) {
      ++counts_.ship_failed;
      return false;
    }
    switch (order.order().status()) {
      case order::v1::ORDER_STATUS_PENDING:
        return true;
      case order::v1::ORDER_STATUS_COMPLETED:
        break;
      default:  // rejected (or cancelled): nothing to ship
        ++counts_.ship_not_completed;
        return false;
    }
    delivery::v1::UpdateDeliveryStatusRequest request;
    request.set_order_id(id);
    request.set_status(delivery::v1::DELIVERY_STATUS_SHIPPED);
    status = WithRetries([&](grpc::ClientContext& context) {
      delivery::v1::UpdateDeliveryStatusResponse response;
      return deliveries_->UpdateDeliveryStatus(&context, request, &response);
    });
    if (status.ok()) {
      ++counts_.shipped;
      // Too late: the parcel has left, so delivery refuses and the order
      // stays completed (the verdict checks a cancelled order has no live
      // delivery).
      thread_local std::mt19937_64 random(std::hash<std::string>()(id));
      if (std::uniform_real_distribution<double>(0, 1)(random) <
          absl::GetFlag(FLAGS_cancel_after_ship_share)) {
        ++counts_.cancel_after_ship;
        Cancel(id);
      }
      return false;
    }
    // Completed, but the delivery service has not read it yet.
    if (status.error_code() == grpc::StatusCode::NOT_FOUND) return true;
    ++counts_.ship_failed;
    if (counts_.ship_failed.load() <= 5) {
      std::fprintf(stderr, "chaos_load: shipping %s: %d %s\n", id.c_str(), status.error_code(),
                   status.error_message().c_str());
    }
    return false;
  }

  const std::string run_;
  std::unique_ptr<order::v1::OrderService::Stub> orders_;
  std::unique_ptr<product::v1::ProductService::Stub> products_;
  std::unique_ptr<delivery::v1::DeliveryService::Stub> deliveries_;
  std::unique_ptr<coupon::v1::CouponService::Stub> coupons_;
  std::vector<std::string> products_ids_;
  Counts counts_;
  absl::Mutex mu_;
  std::vector<std::string> accepted_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<std::string, std::string>> coupon_holders_ ABSL_GUARDED_BY(mu_);
  std::priority_queue<ToShip, std::vector<ToShip>, std::greater<>> to_ship_ ABSL_GUARDED_BY(mu_);
  bool placing_done_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace
}  // namespace shop::chaos

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  shop::chaos::Load load;
  if (!load.Connect() || !load.Seed()) return 2;
  load.Run();
  load.Write();
  return 0;
}
