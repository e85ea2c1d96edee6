// Coupon issuance under a spike: how fast IssueCoupon requests are accepted
// (closed loop, --concurrency in flight, every call a new customer) and how
// fast the coupon service's consumer decides them, one campaign's requests
// one after another. The campaign has room for every request, so each
// request is issued and the campaign's issued count says how many are
// decided. Prints the figures and writes them as JSON.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/config/flags.h"
#include "nlohmann/json.hpp"
#include "proto/shop/coupon/v1/coupon_service.grpc.pb.h"

ABSL_FLAG(std::string, coupon, "127.0.0.1:25055", "coupon service");
ABSL_FLAG(int, concurrency, 16, "IssueCoupon calls in flight");
ABSL_FLAG(int, seconds, 10, "how long to send requests");
ABSL_FLAG(int, decide_timeout_seconds, 300, "how long to wait for the decisions");
ABSL_FLAG(std::string, json_out, "", "write the figures here");

namespace v1 = shop::coupon::v1;

namespace {

double Percentile(std::vector<double>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(p * values.size()))];
}

std::chrono::system_clock::time_point In(int seconds) {
  return std::chrono::system_clock::now() + std::chrono::seconds(seconds);
}

}  // namespace

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  const std::string campaign_id = absl::StrCat("bench-", absl::ToUnixMicros(absl::Now()));
  auto admin = v1::CouponService::NewStub(
      grpc::CreateChannel(absl::GetFlag(FLAGS_coupon), grpc::InsecureChannelCredentials()));
  {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::CreateCampaignRequest request;
    request.set_campaign_id(campaign_id);
    request.set_name("bench");
    request.set_total_coupons(10'000'000);
    request.mutable_discount()->set_percent_off(5);
    const int64_t now = absl::ToUnixSeconds(absl::Now());
    request.mutable_valid_from()->set_seconds(now - 60);
    request.mutable_valid_until()->set_seconds(now + 86400);
    v1::CreateCampaignResponse response;
    grpc::Status status = admin->CreateCampaign(&context, request, &response);
    if (!status.ok()) {
      std::fprintf(stderr, "CreateCampaign: %s\n", status.error_message().c_str());
      return 1;
    }
  }
  std::atomic<int64_t> next{0}, accepted{0}, failed{0};
  std::mutex mu;
  std::vector<double> latencies_ms;
  const absl::Time start = absl::Now();
  const absl::Time stop = start + absl::Seconds(absl::GetFlag(FLAGS_seconds));
  std::vector<std::thread> clients;
  for (int c = 0; c < absl::GetFlag(FLAGS_concurrency); ++c) {
    clients.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("client", c % 4);  // four connections, as a few frontends would
      auto stub = v1::CouponService::NewStub(grpc::CreateCustomChannel(
          absl::GetFlag(FLAGS_coupon), grpc::InsecureChannelCredentials(), args));
      std::vector<double> mine;
      while (absl::Now() < stop) {
        v1::IssueCouponRequest request;
        request.set_campaign_id(campaign_id);
        request.set_customer_id(absl::StrCat("customer-", next++));
        request.set_idempotency_key("k");
        grpc::ClientContext context;
        context.set_deadline(In(10));
        v1::IssueCouponResponse response;
        const absl::Time sent = absl::Now();
        grpc::Status status = stub->IssueCoupon(&context, request, &response);
        if (!status.ok()) {
          ++failed;
          continue;
        }
        mine.push_back(absl::ToDoubleMilliseconds(absl::Now() - sent));
        ++accepted;
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& client : clients) client.join();
  const double send_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // Decided: the campaign's issued count reaches the accepted requests.
  int64_t issued = 0;
  const absl::Time give_up =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_decide_timeout_seconds));
  while (absl::Now() < give_up) {
    grpc::ClientContext context;
    context.set_deadline(In(10));
    v1::GetCampaignRequest request;
    request.set_campaign_id(campaign_id);
    v1::GetCampaignResponse response;
    if (admin->GetCampaign(&context, request, &response).ok()) {
      issued = response.campaign().issued_coupons();
      if (issued >= accepted) break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  const double decide_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  nlohmann::json out = {
      {"accepted", accepted.load()},
      {"failed", failed.load()},
      {"accepted_per_s", accepted / send_seconds},
      {"accept_p50_ms", Percentile(latencies_ms, 0.5)},
      {"accept_p99_ms", Percentile(latencies_ms, 0.99)},
      {"decided", issued},
      {"all_decided", issued >= accepted},
      {"decided_per_s", issued / decide_seconds},
      {"decided_after_s", decide_seconds},
  };
  std::printf(
      "coupons: %lld accepted at %.0f/s (p50 %.1f ms, p99 %.1f ms), %lld failed; "
      "%lld decided in %.1f s from the first request = %.0f/s\n",
      static_cast<long long>(accepted.load()), accepted / send_seconds,
      out["accept_p50_ms"].get<double>(), out["accept_p99_ms"].get<double>(),
      static_cast<long long>(failed.load()), static_cast<long long>(issued), decide_seconds,
      issued / decide_seconds);
  if (!absl::GetFlag(FLAGS_json_out).empty()) {
    std::ofstream(absl::GetFlag(FLAGS_json_out)) << out.dump(2) << "\n";
  }
  return issued >= accepted && failed == 0 ? 0 : 1;
}
