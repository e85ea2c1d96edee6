// What travels beside an event payload on Kafka: the CloudEvents attributes
// (Kafka protocol binding, binary mode) plus correlation and causation ids.
//
//   ce_specversion  1.0
//   ce_id           event id (UUID)
//   ce_type         full proto message name, e.g. shop.order.v1.OrderPlaced
//   ce_source       the producing service, e.g. /shop/order
//   ce_time         RFC 3339 time of the event
//   ce_correlationid  id of the request that started the chain
//   ce_causationid    id of the event or request that caused this one
//   content-type    application/x-protobuf
#ifndef SHOP_COMMON_EVENTS_EVENT_METADATA_H_
#define SHOP_COMMON_EVENTS_EVENT_METADATA_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace shop::events {

using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr char kSpecVersionHeader[] = "ce_specversion";
inline constexpr char kIdHeader[] = "ce_id";
inline constexpr char kTypeHeader[] = "ce_type";
inline constexpr char kSourceHeader[] = "ce_source";
inline constexpr char kTimeHeader[] = "ce_time";
inline constexpr char kCorrelationHeader[] = "ce_correlationid";
inline constexpr char kCausationHeader[] = "ce_causationid";
inline constexpr char kContentTypeHeader[] = "content-type";
inline constexpr char kProtobufContentType[] = "application/x-protobuf";

struct EventMetadata {
  std::string id;
  std::string type;
  std::string source;
  absl::Time time;
  std::string correlation_id;
  std::string causation_id;
};

// The chain an event belongs to: the correlation id of the original request
// and the id of what caused it.
struct EventCause {
  std::string correlation_id;
  std::string causation_id;
};

// A time-ordered (version 7, RFC 9562) UUID, lower case: the Unix time in
// milliseconds in its first 48 bits, then 74 random bits (libuuid's). Ids of
// later milliseconds sort after earlier ones, as text too, so rows keyed by
// them (orders, events, processed_events, deliveries, ledger entries) are
// appended at the end of their index instead of at random places in it.
// Its first characters change once a minute: a short unique tag is its end,
// never its start.
std::string NewUuid();
// The same for `now` (tests).
std::string NewUuidAt(absl::Time now);

Headers ToHeaders(const EventMetadata& metadata);

// Reads the CloudEvents headers; INVALID_ARGUMENT naming the first missing
// or malformed one (ce_id, ce_type and ce_specversion are required).
absl::StatusOr<EventMetadata> FromHeaders(const Headers& headers);

// The value of header `name`, or empty.
std::string HeaderValue(const Headers& headers, absl::string_view name);

}  // namespace shop::events

#endif  // SHOP_COMMON_EVENTS_EVENT_METADATA_H_
