// Where a settled order's time goes, hop by hop, from what the load
// generator saw of its events on Kafka.
//
// The saga's chain is OrderPlaced (order) -> StockReserved (product) ->
// OrderCompleted (order) -> SettlementRecorded (settlement). An event's
// ce_time is when its service wrote it to its outbox (before COMMIT); its
// record's timestamp is when a relay handed it to the producer. So a
// "relay" hop is the COMMIT plus the relay, and a "consumer" hop is the
// broker, the fetch, the batch and the handler. The first entry is not a
// hop: it runs beside the order relay's (the client hears back while the
// relay reads the row), and accepted->settled is the sum of the others less
// that one.
#ifndef SHOP_TOOLS_LOADGEN_SETTLED_HOPS_H_
#define SHOP_TOOLS_LOADGEN_SETTLED_HOPS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"

namespace shop::loadgen {

// One event of an order as seen on Kafka: when it was written to its
// outbox (ce_time), handed to the producer (the record's timestamp) and
// fetched by the load generator (meaningful for SettlementRecorded only,
// the one event read live).
struct Sighting {
  absl::Time written, produced, fetched;
};

// Every order's sightings, by order id, then by event type (the first
// sighting of a type is kept).
using Sightings = absl::flat_hash_map<std::string, absl::flat_hash_map<std::string, Sighting>>;

// The hops of every order that was accepted (`accepted`: when its
// PlaceOrder reply came) and settled, in ms: {name, one value per order}.
// Orders with a step of the chain missing are left out.
std::vector<std::pair<std::string, std::vector<double>>> SettledHops(
    const Sightings& sightings, const absl::flat_hash_map<std::string, absl::Time>& accepted);

}  // namespace shop::loadgen

#endif  // SHOP_TOOLS_LOADGEN_SETTLED_HOPS_H_
