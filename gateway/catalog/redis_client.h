// A small, thread-safe Redis client over hiredis (Debian's libhiredis): a
// pool of connections, connect and command timeouts, and a breaker. After a
// connection fails, every call fails at once (UNAVAILABLE) for
// `retry_interval` instead of waiting on a dead server each time, so a
// caller with a fallback (the catalog) loses no time while Redis is down.
#ifndef SHOP_GATEWAY_CATALOG_REDIS_CLIENT_H_
#define SHOP_GATEWAY_CATALOG_REDIS_CLIENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

struct redisContext;

namespace shop::gateway {

struct RedisOptions {
  std::string host = "127.0.0.1";
  int port = 6379;
  absl::Duration connect_timeout = absl::Milliseconds(200);
  absl::Duration command_timeout = absl::Milliseconds(200);
  absl::Duration retry_interval = absl::Seconds(1);
  int max_idle_connections = 16;
};

// "host:port" -> options; INVALID_ARGUMENT when malformed.
absl::StatusOr<RedisOptions> ParseRedisAddress(const std::string& address);

// A reply, flattened: nil, an integer, a string (bulk, status) or an array.
struct RedisReply {
  enum class Type { kNil, kInteger, kString, kArray };
  Type type = Type::kNil;
  int64_t integer = 0;
  std::string string;
  std::vector<RedisReply> elements;
};

// What the catalog cache needs of Redis; a seam for fakes in unit tests.
class KeyValueStore {
 public:
  virtual ~KeyValueStore() = default;
  // Runs each command (argv) in order on one connection, pipelined; the
  // replies in the same order. An error reply is FAILED_PRECONDITION; no
  // server is UNAVAILABLE.
  virtual absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands) = 0;
};

class RedisClient : public KeyValueStore {
 public:
  explicit RedisClient(RedisOptions options) : options_(std::move(options)) {}
  ~RedisClient() override;
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands) override;

 private:
  absl::StatusOr<redisContext*> Acquire();
  void Release(redisContext* context, bool healthy);

  RedisOptions options_;
  absl::Mutex mu_;
  std::vector<redisContext*> idle_ ABSL_GUARDED_BY(mu_);
  absl::Time down_until_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_CATALOG_REDIS_CLIENT_H_
