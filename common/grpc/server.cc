#include "common/grpc/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/support/server_interceptor.h>
#include <signal.h>

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/events/event_metadata.h"
#include "common/logging/log.h"
#include "common/metrics/metrics.h"

namespace shop::grpc_util {
namespace {

const char* CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int index = static_cast<int>(code);
  return index >= 0 && index < 17 ? kNames[index] : "UNKNOWN";
}

absl::Mutex registry_mutex;
absl::flat_hash_map<const grpc::ServerContextBase*, std::string>& Registry() {
  static auto* registry = new absl::flat_hash_map<const grpc::ServerContextBase*, std::string>();
  return *registry;
}

// Accepts what a client sends if it looks like an id, so logs stay clean.
bool IsUsableId(const std::string& id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':')) {
      return false;
    }
  }
  return true;
}

class CorrelationInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit CorrelationInterceptor(grpc::experimental::ServerRpcInfo* info) : info_(info) {}

  ~CorrelationInterceptor() override {
    absl::MutexLock lock(&registry_mutex);
    Registry().erase(info_->server_context());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      auto it = metadata->find(kCorrelationIdHeader);
      if (it != metadata->end()) id_.assign(it->second.data(), it->second.size());
      if (!IsUsableId(id_)) id_ = events::NewUuid();
      start_ = absl::Now();
      absl::MutexLock lock(&registry_mutex);
      Registry()[info_->server_context()] = id_;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({kCorrelationIdHeader, id_});
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      static auto& handled = metrics::Registry::Default().Counter(
          "shop_grpc_server_handled_total", "gRPC calls completed, by method and status code.",
          {"method", "code"});
      static auto& latency = metrics::Registry::Default().Histogram(
          "shop_grpc_server_handling_seconds", "gRPC call latency, by method.", {"method"});
      handled.With({info_->method(), CodeName(status.error_code())}).Increment();
      latency.With({info_->method()}).Observe(absl::ToDoubleSeconds(absl::Now() - start_));
      log::Info("rpc", {{"method", std::string(info_->method())},
                        {"code", int64_t{status.error_code()}},
                        {"correlation_id", id_},
                        {"latency_ms", absl::ToDoubleMilliseconds(absl::Now() - start_)}});
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;
  std::string id_;
  absl::Time start_ = absl::Now();
};

class CorrelationInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CorrelationInterceptor(info);
  }
};

}  // namespace

std::string CorrelationId(const grpc::ServerContextBase* context) {
  absl::MutexLock lock(&registry_mutex);
  auto it = Registry().find(context);
  return it == Registry().end() ? "" : it->second;
}

absl::Time CallDeadline(const grpc::ServerContextBase* context, absl::Duration cap) {
  return std::min(absl::FromChrono(context->deadline()), absl::Now() + cap);
}

Server::Server(std::string name, std::string address, int max_message_bytes)
    : name_(std::move(name)), address_(std::move(address)), max_message_bytes_(max_message_bytes) {}

void Server::SetServing(bool serving) {
  absl::MutexLock lock(&mu_);
  serving_ = serving;
  if (server_ != nullptr) server_->GetHealthCheckService()->SetServingStatus(serving);
}

Server::~Server() { Shutdown(absl::Seconds(1)); }

void Server::AddService(grpc::Service* service) { services_.push_back(service); }

absl::Status Server::Start() {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(address_, credentials_, &port_);
  // gRPC sets SO_REUSEPORT by default: a second process on the same port
  // would silently take half the calls. A port in use must fail the start.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(max_message_bytes_);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(1, max_idle_threads_));
  for (grpc::Service* service : services_) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<CorrelationInterceptorFactory>());
  builder.experimental().SetInterceptorCreators(std::move(factories));
  absl::MutexLock lock(&mu_);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || port_ == 0) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", address_));
  }
  server_->GetHealthCheckService()->SetServingStatus(serving_);
  log::Info("grpc server listening", {{"address", address_}, {"port", int64_t{port_}}});
  return absl::OkStatus();
}

void Server::Shutdown(absl::Duration grace) {
  std::unique_ptr<grpc::Server> server;
  {
    absl::MutexLock lock(&mu_);
    if (server_ == nullptr) return;
    server_->GetHealthCheckService()->SetServingStatus(false);
    server = std::move(server_);
  }
  server->Shutdown(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(absl::ToInt64Milliseconds(grace)));
  server->Wait();
}

void BlockShutdownSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int WaitForShutdownSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int signal = 0;
  sigwait(&signals, &signal);
  log::Info("shutting down", {{"signal", int64_t{signal}}});
  return signal;
}

}  // namespace shop::grpc_util
