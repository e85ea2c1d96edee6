#include "gateway/catalog/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace shop::gateway {
namespace {

// Copies a hiredis reply; an error reply anywhere becomes a status.
absl::Status Convert(const redisReply* reply, RedisReply& out) {
  switch (reply->type) {
    case REDIS_REPLY_ERROR:
      return absl::FailedPreconditionError(
          absl::StrCat("redis: ", std::string(reply->str, reply->len)));
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = reply->integer;
      return absl::OkStatus();
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kString;
      out.string.assign(reply->str, reply->len);
      return absl::OkStatus();
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.resize(reply->elements);
      for (size_t i = 0; i < reply->elements; ++i) {
        if (absl::Status status = Convert(reply->element[i], out.elements[i]); !status.ok()) {
          return status;
        }
      }
      return absl::OkStatus();
    default:
      out.type = RedisReply::Type::kNil;
      return absl::OkStatus();
  }
}

}  // namespace

absl::StatusOr<RedisOptions> ParseRedisAddress(const std::string& address) {
  std::vector<std::string> parts = absl::StrSplit(address, ':');
  RedisOptions options;
  if (parts.size() != 2 || parts[0].empty() || !absl::SimpleAtoi(parts[1], &options.port) ||
      options.port <= 0 || options.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis address must be host:port, got \"", address, "\""));
  }
  options.host = parts[0];
  return options;
}

RedisClient::~RedisClient() {
  absl::MutexLock lock(&mu_);
  for (redisContext* context : idle_) redisFree(context);
}

absl::StatusOr<redisContext*> RedisClient::Acquire() {
  {
    absl::MutexLock lock(&mu_);
    if (!idle_.empty()) {
      redisContext* context = idle_.back();
      idle_.pop_back();
      return context;
    }
    if (absl::Now() < down_until_) {
      return absl::UnavailableError("redis is unreachable (waiting before the next attempt)");
    }
  }
  redisContext* context = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                                  absl::ToTimeval(options_.connect_timeout));
  if (context == nullptr || context->err != 0) {
    std::string error = context == nullptr ? "out of memory" : context->errstr;
    if (context != nullptr) redisFree(context);
    absl::MutexLock lock(&mu_);
    down_until_ = absl::Now() + options_.retry_interval;
    return absl::UnavailableError(
        absl::StrCat("redis ", options_.host, ":", options_.port, ": ", error));
  }
  redisSetTimeout(context, absl::ToTimeval(options_.command_timeout));
  return context;
}

void RedisClient::Release(redisContext* context, bool healthy) {
  absl::MutexLock lock(&mu_);
  if (!healthy) {
    redisFree(context);
    // Idle connections to a server that just failed are likely dead too.
    for (redisContext* idle : idle_) redisFree(idle);
    idle_.clear();
    down_until_ = absl::Now() + options_.retry_interval;
    return;
  }
  if (static_cast<int>(idle_.size()) < options_.max_idle_connections) {
    idle_.push_back(context);
  } else {
    redisFree(context);
  }
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  auto context = Acquire();
  if (!context.ok()) return context.status();
  for (const auto& command : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& arg : command) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(*context, static_cast<int>(argv.size()), argv.data(),
                               lengths.data()) != REDIS_OK) {
      Release(*context, /*healthy=*/false);
      return absl::InternalError("redis: cannot encode a command");
    }
  }
  std::vector<RedisReply> replies(commands.size());
  absl::Status result;
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(*context, &raw) != REDIS_OK || raw == nullptr) {
      const std::string error = (*context)->errstr;
      Release(*context, /*healthy=*/false);
      return absl::UnavailableError(absl::StrCat("redis: ", error));
    }
    redisReply* reply = static_cast<redisReply*>(raw);
    if (absl::Status converted = Convert(reply, replies[i]); !converted.ok() && result.ok()) {
      result = converted;  // every reply is still read, so the connection stays in step
    }
    freeReplyObject(reply);
  }
  Release(*context, /*healthy=*/true);
  if (!result.ok()) return result;
  return replies;
}

}  // namespace shop::gateway
