#include "common/logging/log.h"

#include <atomic>
#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"

namespace shop::log {
namespace {

absl::Mutex service_mutex;
std::string& ServiceName() {
  static auto* name = new std::string("unknown");
  return *name;
}
std::atomic<int> min_level{static_cast<int>(Level::kInfo)};

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetService(absl::string_view service) {
  absl::MutexLock lock(&service_mutex);
  ServiceName() = std::string(service);
}

void SetMinLevel(Level level) { min_level = static_cast<int>(level); }

std::string Format(Level level, absl::string_view message, Fields fields) {
  nlohmann::json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", absl::Now(), absl::UTCTimeZone());
  line["level"] = LevelName(level);
  {
    absl::MutexLock lock(&service_mutex);
    line["service"] = ServiceName();
  }
  line["msg"] = std::string(message);
  for (const auto& [key, value] : fields) {
    std::visit([&line, &key = key](const auto& v) { line[key] = v; }, value);
  }
  // Replace invalid UTF-8 rather than throw: logs must never crash the process.
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void Write(Level level, absl::string_view message, Fields fields) {
  if (static_cast<int>(level) < min_level.load(std::memory_order_relaxed)) return;
  std::string text = Format(level, message, fields);
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace shop::log
