// A private Redis (Debian's redis-server) for one test, on a free port,
// that the test may stop and start again on the same port.
#ifndef SHOP_COMMON_TESTING_REDIS_SERVER_H_
#define SHOP_COMMON_TESTING_REDIS_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/testing/process.h"

namespace shop::testing {

class RedisServer {
 public:
  RedisServer();
  ~RedisServer();

  // Starts it and waits (up to 15 s) until it answers PING.
  absl::Status Start();
  // SIGKILL: a crash, its data gone (it keeps none).
  void Kill();

  int port() const { return port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  bool Answers() const;

 private:
  int port_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_REDIS_SERVER_H_
