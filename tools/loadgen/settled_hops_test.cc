#include "tools/loadgen/settled_hops.h"

#include <numeric>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::loadgen {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

absl::Time At(double ms) { return absl::UnixEpoch() + absl::Microseconds(ms * 1000); }

// An order's four events, each written, produced and fetched at the given ms.
absl::flat_hash_map<std::string, Sighting> Chain(double placed_written, double placed_produced,
                                                 double reserved_written, double reserved_produced,
                                                 double completed_written,
                                                 double completed_produced, double settled_written,
                                                 double settled_produced, double settled_fetched) {
  return {
      {"shop.order.v1.OrderPlaced", {At(placed_written), At(placed_produced), At(placed_produced)}},
      {"shop.product.v1.StockReserved",
       {At(reserved_written), At(reserved_produced), At(reserved_produced)}},
      {"shop.order.v1.OrderCompleted",
       {At(completed_written), At(completed_produced), At(completed_produced)}},
      {"shop.settlement.v1.SettlementRecorded",
       {At(settled_written), At(settled_produced), At(settled_fetched)}},
  };
}

TEST(SettledHopsTest, EachHopIsTheGapBetweenTwoTimesOfTheChain) {
  Sightings sightings;
  sightings["o1"] = Chain(100, 103, 110, 115, 121, 128, 136, 145, 155);
  const auto hops = SettledHops(sightings, {{"o1", At(102)}});
  std::vector<std::string> names;
  std::vector<double> values;
  for (const auto& [name, ms] : hops) {
    names.push_back(name);
    ASSERT_EQ(ms.size(), 1u) << name;
    values.push_back(ms[0]);
  }
  EXPECT_THAT(names, ElementsAre("(not a hop) OrderPlaced written -> PlaceOrder's reply received",
                                 "order relay: shop.order.v1.OrderPlaced",
                                 "product consumer -> shop.product.v1.StockReserved",
                                 "product relay: shop.product.v1.StockReserved",
                                 "order consumer -> shop.order.v1.OrderCompleted",
                                 "order relay: shop.order.v1.OrderCompleted",
                                 "settlement consumer -> shop.settlement.v1.SettlementRecorded",
                                 "settlement relay: shop.settlement.v1.SettlementRecorded",
                                 "seen: SettlementRecorded fetched by the load generator"));
  EXPECT_THAT(values, ElementsAre(2, 3, 7, 5, 6, 7, 8, 9, 10));
}

TEST(SettledHopsTest, TheHopsLessTheFirstLineAddUpToAcceptedToSettled) {
  Sightings sightings;
  sightings["o1"] = Chain(1000, 1004.5, 1012, 1013, 1030.25, 1031, 1040, 1047, 1049.5);
  const absl::Time accepted = At(1006);
  const auto hops = SettledHops(sightings, {{"o1", accepted}});
  double sum = 0;
  for (size_t i = 1; i < hops.size(); ++i) sum += hops[i].second.at(0);
  EXPECT_DOUBLE_EQ(sum - hops[0].second.at(0), absl::ToDoubleMilliseconds(At(1049.5) - accepted));
}

TEST(SettledHopsTest, OrdersNotSettledOrNotAcceptedAreLeftOut) {
  Sightings sightings;
  sightings["settled"] = Chain(0, 1, 2, 3, 4, 5, 6, 7, 8);
  sightings["not accepted here"] = Chain(0, 1, 2, 3, 4, 5, 6, 7, 8);
  sightings["no settlement yet"] = Chain(0, 1, 2, 3, 4, 5, 6, 7, 8);
  sightings["no settlement yet"].erase("shop.settlement.v1.SettlementRecorded");
  sightings["stock event missing"] = Chain(0, 1, 2, 3, 4, 5, 6, 7, 8);
  sightings["stock event missing"].erase("shop.product.v1.StockReserved");
  const auto hops = SettledHops(
      sightings,
      {{"settled", At(1)}, {"no settlement yet", At(1)}, {"stock event missing", At(1)}});
  for (const auto& [name, ms] : hops) EXPECT_EQ(ms.size(), 1u) << name;
}

TEST(SettledHopsTest, NothingSeenMeansEmptyHops) {
  const auto hops = SettledHops({}, {{"o1", At(1)}});
  ASSERT_EQ(hops.size(), 9u);
  for (const auto& [name, ms] : hops) EXPECT_THAT(ms, IsEmpty()) << name;
}

}  // namespace
}  // namespace shop::loadgen
