// Runs a service binary (order, product, ...) as a child process against a
// test database and a topic namespace of the test's own, and waits until it
// serves gRPC.
#ifndef SHOP_COMMON_TESTING_SERVICE_PROCESS_H_
#define SHOP_COMMON_TESTING_SERVICE_PROCESS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/mysql/options.h"
#include "common/testing/process.h"

namespace shop::testing {

class ServiceProcess {
 public:
  // `binary` is a runfiles path, e.g. "order/order".
  ServiceProcess(std::string binary, mysql::MysqlOptions database, std::string topic_namespace,
                 std::vector<std::string> extra_args = {});
  ~ServiceProcess();

  // Starts and waits (up to 60 s) for the gRPC port.
  absl::Status Start();
  // SIGTERM and wait; the exit code must be 0 for a graceful stop.
  absl::Status Stop();
  void Kill();

  bool running();
  int port() const { return port_; }
  pid_t pid() const { return process_ != nullptr ? process_->pid() : -1; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& log_path() const { return log_path_; }

 private:
  std::string binary_;
  mysql::MysqlOptions database_;
  std::string topic_namespace_;
  std::vector<std::string> extra_args_;
  std::string log_path_;
  std::string port_file_;
  std::string password_file_;
  int port_ = 0;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_SERVICE_PROCESS_H_
