// First-come issuance under a spike, end to end: the real coupon service,
// broker and database. 16 clients send 3,000 IssueCoupon calls (1,500
// customers asking twice) for a campaign of 100 coupons, and the service is
// SIGKILLed and restarted in the middle.
#include <cppconn/resultset.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/events/event_metadata.h"
#include "common/events/event_route.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/service_process.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "proto/shop/coupon/v1/coupon_service.grpc.pb.h"
#include "proto/shop/coupon/v1/events.pb.h"

namespace shop::testing {
namespace {

using google::protobuf::util::TimeUtil;
namespace v1 = shop::coupon::v1;

constexpr int kCustomers = 1500;
constexpr int kClients = 16;
constexpr int kCoupons = 100;

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

int64_t CountWhere(mysql::ConnectionPool& pool, const std::string& sql) {
  auto connection = pool.Acquire();
  if (!connection.ok()) return -1;
  std::unique_ptr<sql::ResultSet> rows(connection->Prepare(sql).executeQuery());
  return rows->next() ? rows->getInt64(1) : -1;
}

TEST(CouponIssuanceTest, ASpikeThroughAKillIssuesExactlyTheLimitOnePerCustomerFirstCome) {
  TestDatabase database("coupon_spike");
  ASSERT_TRUE(database.status().ok()) << database.status();
  mysql::ConnectionPool pool(database.options());
  const std::string topic_namespace = UniqueName("spike");
  const std::string address = absl::StrCat("127.0.0.1:", FreePort());
  ServiceProcess coupon("coupon/coupon", database.options(), topic_namespace,
                        {"--grpc_address=" + address});
  ASSERT_TRUE(coupon.Start().ok());

  auto admin_channel = grpc::CreateChannel(address, grpc::InsecureChannelCredentials());
  auto admin = v1::CouponService::NewStub(admin_channel);
  {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::CreateCampaignRequest request;
    request.set_campaign_id("spike-100");
    request.set_name("The first hundred");
    request.set_total_coupons(kCoupons);
    request.mutable_discount()->set_percent_off(10);
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    *request.mutable_valid_from() = TimeUtil::SecondsToTimestamp(now - 3600);
    *request.mutable_valid_until() = TimeUtil::SecondsToTimestamp(now + 3600);
    v1::CreateCampaignResponse response;
    grpc::Status status = admin->CreateCampaign(&context, request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Every customer asks twice, with two idempotency keys, in a random order.
  std::vector<std::pair<int, int>> calls;
  for (int customer = 0; customer < kCustomers; ++customer) {
    calls.push_back({customer, 1});
    calls.push_back({customer, 2});
  }
  std::shuffle(calls.begin(), calls.end(), std::mt19937(42));
  std::vector<std::string> request_ids(calls.size());
  std::atomic<size_t> next{0};
  std::atomic<int> answered{0}, retried{0}, failed{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("client", c);  // a connection per client
      auto stub = v1::CouponService::NewStub(
          grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
      const absl::Time give_up = absl::Now() + absl::Seconds(180);
      for (size_t i = next++; i < calls.size(); i = next++) {
        v1::IssueCouponRequest request;
        request.set_campaign_id("spike-100");
        request.set_customer_id(absl::StrCat("customer-", calls[i].first));
        request.set_idempotency_key(absl::StrCat("ask-", calls[i].second));
        while (true) {
          grpc::ClientContext context;
          context.set_deadline(In(5));
          v1::IssueCouponResponse response;
          grpc::Status status = stub->IssueCoupon(&context, request, &response);
          if (status.ok()) {
            EXPECT_EQ(response.issue().state(), v1::ISSUE_STATE_REQUESTED);
            request_ids[i] = response.issue().request_id();
            ++answered;
            break;
          }
          // The service is down (killed on purpose): retry the same call,
          // with the same key, as a real client would.
          if ((status.error_code() != grpc::StatusCode::UNAVAILABLE &&
               status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) ||
              absl::Now() > give_up) {
            ADD_FAILURE() << "call " << i << ": " << status.error_message();
            ++failed;
            break;
          }
          ++retried;
          absl::SleepFor(absl::Milliseconds(50));
        }
      }
    });
  }
  // Mid-way: SIGKILL, with requests still arriving and being decided.
  ASSERT_TRUE(WaitFor([&] { return answered >= 1000 || failed > 0; }, absl::Seconds(120)));
  coupon.Kill();
  const int64_t undecided_at_kill =
      CountWhere(pool, "SELECT COUNT(*) FROM issue_requests WHERE state = 1");
  ASSERT_TRUE(coupon.Start().ok());
  for (auto& client : clients) client.join();
  ASSERT_EQ(failed, 0);
  ASSERT_EQ(answered, static_cast<int>(calls.size()));
  std::cout << "3000 calls answered; " << retried << " retries while the service was down; "
            << undecided_at_kill << " requests undecided at the kill\n";

  // Every request is decided, once.
  ASSERT_TRUE(WaitFor(
      [&] { return CountWhere(pool, "SELECT COUNT(*) FROM issue_requests WHERE state = 1") == 0; },
      absl::Seconds(120)));
  EXPECT_EQ(std::set<std::string>(request_ids.begin(), request_ids.end()).size(), calls.size())
      << "a retried call must return its request, not make another";

  std::map<std::string, std::vector<v1::CouponIssue>> by_customer;
  int issued = 0, sold_out = 0, already = 0;
  int64_t last_issued_micros = 0, first_sold_out_micros = INT64_MAX;
  for (const std::string& request_id : request_ids) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::GetIssueRequest request;
    request.set_request_id(request_id);
    v1::GetIssueResponse response;
    ASSERT_TRUE(admin->GetIssue(&context, request, &response).ok());
    const v1::CouponIssue& issue = response.issue();
    by_customer[issue.customer_id()].push_back(issue);
    const int64_t decided = TimeUtil::TimestampToMicroseconds(issue.decide_time());
    if (issue.state() == v1::ISSUE_STATE_ISSUED) {
      ++issued;
      EXPECT_EQ(issue.coupon_code().size(), 16u);
      last_issued_micros = std::max(last_issued_micros, decided);
    } else {
      ASSERT_EQ(issue.state(), v1::ISSUE_STATE_REJECTED);
      if (issue.rejection() == v1::ISSUE_REJECTION_SOLD_OUT) {
        ++sold_out;
        first_sold_out_micros = std::min(first_sold_out_micros, decided);
      } else {
        ASSERT_EQ(issue.rejection(), v1::ISSUE_REJECTION_ALREADY_ISSUED);
        ++already;
      }
    }
  }
  std::cout << issued << " issued, " << already << " ALREADY_ISSUED, " << sold_out << " SOLD_OUT\n";
  EXPECT_EQ(issued, kCoupons);
  EXPECT_EQ(issued + already + sold_out, 2 * kCustomers);
  ASSERT_EQ(by_customer.size(), static_cast<size_t>(kCustomers));
  for (const auto& [customer, issues] : by_customer) {
    ASSERT_EQ(issues.size(), 2u) << customer;
    const int got = (issues[0].state() == v1::ISSUE_STATE_ISSUED) +
                    (issues[1].state() == v1::ISSUE_STATE_ISSUED);
    EXPECT_LE(got, 1) << customer << " got two coupons";
    for (const auto& issue : issues) {
      if (issue.state() != v1::ISSUE_STATE_REJECTED) continue;
      // A customer's second ask is ALREADY_ISSUED only if the first got one.
      EXPECT_EQ(issue.rejection() == v1::ISSUE_REJECTION_ALREADY_ISSUED, got == 1) << customer;
    }
  }
  // First come: no request was turned away as sold out before the last coupon went.
  EXPECT_GE(first_sold_out_micros, last_issued_micros);

  grpc::ClientContext context;
  context.set_deadline(In(10));
  v1::GetCampaignRequest get;
  get.set_campaign_id("spike-100");
  v1::GetCampaignResponse campaign;
  ASSERT_TRUE(admin->GetCampaign(&context, get, &campaign).ok());
  EXPECT_EQ(campaign.campaign().issued_coupons(), kCoupons);
  EXPECT_EQ(campaign.remaining_coupons(), 0);
  EXPECT_EQ(CountWhere(pool, "SELECT COUNT(*) FROM coupons"), kCoupons);

  // The events tell the same story: 100 distinct requests issued, however
  // often the relay had to publish again after the kill.
  const std::string topic = events::QualifiedTopic(topic_namespace, "shop.coupon.events");
  std::set<std::string> issued_requests, issued_customers, decided_requests;
  ReadTopic(
      topic,
      [&](const std::vector<ConsumedRecord>& records) {
        issued_requests.clear();
        issued_customers.clear();
        decided_requests.clear();
        for (const auto& record : records) {
          const std::string type = events::HeaderValue(record.headers, "ce_type");
          if (type == v1::CouponIssued::descriptor()->full_name()) {
            v1::CouponIssued event;
            EXPECT_TRUE(event.ParseFromString(record.value));
            issued_requests.insert(event.request_id());
            issued_customers.insert(event.customer_id());
            decided_requests.insert(event.request_id());
          } else if (type == v1::CouponIssueRejected::descriptor()->full_name()) {
            v1::CouponIssueRejected event;
            EXPECT_TRUE(event.ParseFromString(record.value));
            decided_requests.insert(event.request_id());
          }
        }
        return decided_requests.size() == calls.size();
      },
      absl::Seconds(60));
  EXPECT_EQ(decided_requests.size(), calls.size());
  EXPECT_EQ(issued_requests.size(), static_cast<size_t>(kCoupons));
  EXPECT_EQ(issued_customers.size(), static_cast<size_t>(kCoupons));
  EXPECT_TRUE(coupon.Stop().ok());
}

}  // namespace
}  // namespace shop::testing
