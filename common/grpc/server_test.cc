// grpc_util::Server's threading: under many calls in flight at once it keeps
// the threads that serve them, instead of starting one for most calls.
#include "common/grpc/server.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <set>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "proto/shop/order/v1/order_service.grpc.pb.h"

namespace shop::grpc_util {
namespace {

// Records the kernel thread id (never reused soon, unlike pthread_t) of every
// thread that serves a call.
class RecordingService : public shop::order::v1::OrderService::Service {
 public:
  grpc::Status GetOrder(grpc::ServerContext*, const shop::order::v1::GetOrderRequest*,
                        shop::order::v1::GetOrderResponse*) override {
    const auto tid = static_cast<long>(syscall(SYS_gettid));
    absl::MutexLock lock(&mu_);
    threads_.insert(tid);
    return grpc::Status::OK;
  }
  size_t threads() {
    absl::MutexLock lock(&mu_);
    return threads_.size();
  }

 private:
  absl::Mutex mu_;
  std::set<long> threads_;
};

TEST(ServerTest, ManyCallsInFlightAreServedByTheSameThreadsNotANewOneEach) {
  RecordingService service;
  Server server("server_test", "127.0.0.1:0");
  server.AddService(&service);
  ASSERT_TRUE(server.Start().ok());
  auto channel = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server.port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = shop::order::v1::OrderService::NewStub(channel);
  constexpr int kClients = 16;
  constexpr int kCallsEach = 150;
  std::vector<std::thread> clients;
  std::atomic<int> failed{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&] {
      for (int i = 0; i < kCallsEach; ++i) {
        grpc::ClientContext context;
        shop::order::v1::GetOrderRequest request;
        shop::order::v1::GetOrderResponse response;
        if (!stub->GetOrder(&context, request, &response).ok()) ++failed;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(failed.load(), 0);
  // gRPC's own default keeps 2 threads waiting: a thread that finishes a
  // call while more wait exits, and one starts when none waits, so 2,400
  // calls from 16 clients were served by hundreds of threads.
  EXPECT_LE(service.threads(), 2u * kClients)
      << "threads that served " << kClients * kCallsEach << " calls";
  server.Shutdown(absl::Seconds(1));
}

}  // namespace
}  // namespace shop::grpc_util
