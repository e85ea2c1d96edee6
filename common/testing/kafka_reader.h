// Reads a topic back in tests: every record from the beginning, with key,
// value and headers, until a condition holds or a deadline passes.
#ifndef SHOP_COMMON_TESTING_KAFKA_READER_H_
#define SHOP_COMMON_TESTING_KAFKA_READER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/events/event_metadata.h"

namespace shop::testing {

struct ConsumedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::string key;
  std::string value;
  events::Headers headers;
};

// Reads `topic` from the earliest offset in a fresh consumer group until
// `done(records so far)` is true or `timeout` passes; returns what it read.
std::vector<ConsumedRecord> ReadTopic(
    const std::string& topic, const std::function<bool(const std::vector<ConsumedRecord>&)>& done,
    absl::Duration timeout = absl::Seconds(30));

// Reads until at least `count` records arrived (or `timeout`).
std::vector<ConsumedRecord> ReadAtLeast(const std::string& topic, size_t count,
                                        absl::Duration timeout = absl::Seconds(30));

// Everything on `topic` up to its end at the time of the call.
std::vector<ConsumedRecord> ReadToEnd(const std::string& topic,
                                      absl::Duration timeout = absl::Seconds(30));

// True when consumer group `group` has committed offsets at the end of every
// partition of `topic` (it has applied everything there is).
bool GroupCaughtUp(const std::string& group, const std::string& topic);

// Waits, polling every 50 ms, until `condition` is true; false on timeout.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout);

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_KAFKA_READER_H_
