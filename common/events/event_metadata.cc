#include "common/events/event_metadata.h"

#include <uuid/uuid.h>

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"

namespace shop::events {
namespace {

constexpr char kTimeFormat[] = "%Y-%m-%d%ET%H:%M:%E6SZ";

}  // namespace

std::string NewUuidAt(absl::Time now) {
  uuid_t uuid;
  uuid_generate_random(uuid);  // version 4: the random bits
  const uint64_t millis = static_cast<uint64_t>(std::max<int64_t>(0, absl::ToUnixMillis(now)));
  for (int i = 0; i < 6; ++i) uuid[i] = static_cast<unsigned char>(millis >> (8 * (5 - i)));
  uuid[6] = static_cast<unsigned char>(0x70 | (uuid[6] & 0x0f));  // version 7
  uuid[8] = static_cast<unsigned char>(0x80 | (uuid[8] & 0x3f));  // RFC 9562 variant
  char text[37];
  uuid_unparse_lower(uuid, text);
  return text;
}

std::string NewUuid() { return NewUuidAt(absl::Now()); }

Headers ToHeaders(const EventMetadata& metadata) {
  Headers headers = {
      {kSpecVersionHeader, "1.0"},
      {kIdHeader, metadata.id},
      {kTypeHeader, metadata.type},
      {kSourceHeader, metadata.source},
      {kTimeHeader, absl::FormatTime(kTimeFormat, metadata.time, absl::UTCTimeZone())},
      {kContentTypeHeader, kProtobufContentType},
  };
  if (!metadata.correlation_id.empty()) {
    headers.emplace_back(kCorrelationHeader, metadata.correlation_id);
  }
  if (!metadata.causation_id.empty()) headers.emplace_back(kCausationHeader, metadata.causation_id);
  return headers;
}

std::string HeaderValue(const Headers& headers, absl::string_view name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

absl::StatusOr<EventMetadata> FromHeaders(const Headers& headers) {
  EventMetadata metadata;
  const std::string version = HeaderValue(headers, kSpecVersionHeader);
  if (version != "1.0") {
    return absl::InvalidArgumentError(
        absl::StrCat("header ", kSpecVersionHeader, " must be 1.0, got '", version, "'"));
  }
  metadata.id = HeaderValue(headers, kIdHeader);
  if (metadata.id.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("header ", kIdHeader, " is missing"));
  }
  metadata.type = HeaderValue(headers, kTypeHeader);
  if (metadata.type.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("header ", kTypeHeader, " is missing"));
  }
  metadata.source = HeaderValue(headers, kSourceHeader);
  const std::string time = HeaderValue(headers, kTimeHeader);
  std::string error;
  if (!time.empty() && !absl::ParseTime(absl::RFC3339_full, time, &metadata.time, &error)) {
    return absl::InvalidArgumentError(
        absl::StrCat("header ", kTimeHeader, " '", time, "' is not RFC 3339: ", error));
  }
  metadata.correlation_id = HeaderValue(headers, kCorrelationHeader);
  metadata.causation_id = HeaderValue(headers, kCausationHeader);
  return metadata;
}

}  // namespace shop::events
