// Structured logs: one JSON object per line on stderr, with the service
// name, a timestamp, the level, the message and any context fields
// (correlation_id, event_id, ...). Safe to call from any thread.
#ifndef SHOP_COMMON_LOGGING_LOG_H_
#define SHOP_COMMON_LOGGING_LOG_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <variant>

#include "absl/strings/string_view.h"

namespace shop::log {

// A field value: text, a whole number or a real number.
using Value = std::variant<std::string, int64_t, double>;
using Field = std::pair<std::string, Value>;
using Fields = std::initializer_list<Field>;

enum class Level { kDebug, kInfo, kWarning, kError };

// Names the process in every line; call once from main.
void SetService(absl::string_view service);

// Lines below `level` are dropped (default: info).
void SetMinLevel(Level level);

void Write(Level level, absl::string_view message, Fields fields = {});

inline void Debug(absl::string_view message, Fields fields = {}) {
  Write(Level::kDebug, message, fields);
}
inline void Info(absl::string_view message, Fields fields = {}) {
  Write(Level::kInfo, message, fields);
}
inline void Warning(absl::string_view message, Fields fields = {}) {
  Write(Level::kWarning, message, fields);
}
inline void Error(absl::string_view message, Fields fields = {}) {
  Write(Level::kError, message, fields);
}

// The line Write would print, without the trailing newline (for tests).
std::string Format(Level level, absl::string_view message, Fields fields);

}  // namespace shop::log

#endif  // SHOP_COMMON_LOGGING_LOG_H_
