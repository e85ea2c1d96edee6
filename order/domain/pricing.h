// Prices an order from the order service's own replica of the catalog (fed
// by ProductChanged): orders are priced by the shop, never by the client.
// A client may send the unit price it showed its customer; if the catalog's
// differs, the order is refused with the current price, so the client can
// show it and ask again.
#ifndef SHOP_ORDER_DOMAIN_PRICING_H_
#define SHOP_ORDER_DOMAIN_PRICING_H_

#include <cstdint>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "proto/shop/order/v1/order_service.pb.h"

namespace shop::order::domain {

// One product as the order service knows it.
struct CatalogEntry {
  std::string product_id;
  int64_t price_minor = 0;
  std::string currency_code;
  bool discontinued = false;
};

using Catalog = absl::flat_hash_map<std::string, CatalogEntry>;

// The PreconditionFailure type of a refused expected price.
inline constexpr char kPriceChanged[] = "PRICE_CHANGED";

// `request` with every line's unit price set from `catalog`.
//  - INVALID_ARGUMENT naming lines[i].product_id: unknown or discontinued;
//    naming currency_code: a product priced in another currency.
//  - FAILED_PRECONDITION: a line's unit_price_minor (the client's expected
//    price, 0 when it has none) differs from the catalog's; the details hold
//    a PreconditionFailure per such line: {PRICE_CHANGED, "lines[i]",
//    "<current minor units> <currency>"}.
absl::StatusOr<shop::order::v1::PlaceOrderRequest> PriceFromCatalog(
    const shop::order::v1::PlaceOrderRequest& request, const Catalog& catalog);

}  // namespace shop::order::domain

#endif  // SHOP_ORDER_DOMAIN_PRICING_H_
