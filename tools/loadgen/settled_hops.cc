#include "tools/loadgen/settled_hops.h"

#include "absl/strings/str_cat.h"

namespace shop::loadgen {

std::vector<std::pair<std::string, std::vector<double>>> SettledHops(
    const Sightings& sightings, const absl::flat_hash_map<std::string, absl::Time>& accepted) {
  static const std::vector<std::pair<std::string, std::string>> kChain = {
      {"order", "shop.order.v1.OrderPlaced"},
      {"product", "shop.product.v1.StockReserved"},
      {"order", "shop.order.v1.OrderCompleted"},
      {"settlement", "shop.settlement.v1.SettlementRecorded"}};
  std::vector<std::pair<std::string, std::vector<double>>> hops;
  hops.push_back({"(not a hop) OrderPlaced written -> PlaceOrder's reply received", {}});
  for (size_t i = 0; i < kChain.size(); ++i) {
    if (i > 0)
      hops.push_back({absl::StrCat(kChain[i].first, " consumer -> ", kChain[i].second), {}});
    hops.push_back({absl::StrCat(kChain[i].first, " relay: ", kChain[i].second), {}});
  }
  hops.push_back({"seen: SettlementRecorded fetched by the load generator", {}});
  auto ms = [](absl::Time from, absl::Time to) { return absl::ToDoubleMilliseconds(to - from); };
  for (const auto& [order_id, seen] : sightings) {
    auto accepted_at = accepted.find(order_id);
    if (accepted_at == accepted.end()) continue;
    std::vector<const Sighting*> steps;
    for (const auto& [service, type] : kChain) {
      auto it = seen.find(type);
      if (it == seen.end()) break;
      steps.push_back(&it->second);
    }
    if (steps.size() != kChain.size()) continue;  // not settled
    size_t h = 0;
    hops[h++].second.push_back(ms(steps[0]->written, accepted_at->second));
    for (size_t i = 0; i < steps.size(); ++i) {
      if (i > 0) hops[h++].second.push_back(ms(steps[i - 1]->produced, steps[i]->written));
      hops[h++].second.push_back(ms(steps[i]->written, steps[i]->produced));
    }
    hops[h++].second.push_back(ms(steps.back()->produced, steps.back()->fetched));
  }
  return hops;
}

}  // namespace shop::loadgen
