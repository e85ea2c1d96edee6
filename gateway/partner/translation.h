// The anti-corruption layer: the partner's model <-> the internal gRPC API.
// Only this file knows both: field names, SKUs, decimal prices, status
// words and error shapes.
#ifndef SHOP_GATEWAY_PARTNER_TRANSLATION_H_
#define SHOP_GATEWAY_PARTNER_TRANSLATION_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/errors/bad_request.h"
#include "proto/shop/order/v1/order_service.pb.h"
#include "proto/shop/partner/v1/partner.pb.h"
#include "proto/shop/product/v1/product_service.pb.h"

namespace shop::gateway {

// The internal customer a partner's orders belong to.
std::string CustomerOf(const std::string& partner_id);

// Decodes a partner's JSON order: INVALID_ARGUMENT naming each bad field in
// the partner's terms (malformed JSON, wrong types, missing fields).
absl::StatusOr<shop::partner::v1::PartnerOrderRequest> DecodeOrderJson(const std::string& body);

// orderRef: 1 to 100 characters of A-Z a-z 0-9 . _ : - , starting with a
// letter or digit. Compared exactly everywhere: no trimming, no case folding.
inline constexpr char kOrderRefRule[] =
    "must be 1 to 100 of A-Z a-z 0-9 . _ : - and start with a letter or digit";
bool IsValidOrderRef(const std::string& order_ref);

// A PlaceOrder request for `partner_id`, with SKUs mapped through `sku_map`
// and prices converted exactly; INVALID_ARGUMENT in the partner's terms.
absl::StatusOr<shop::order::v1::PlaceOrderRequest> ToPlaceOrder(
    const shop::partner::v1::PartnerOrderRequest& request, const std::string& partner_id,
    const std::map<std::string, std::string>& sku_map);

// An internal order in the partner's words.
shop::partner::v1::PartnerOrder ToPartnerOrder(const shop::order::v1::Order& order);

// A cancelled order in the partner's words: "rejected" (the shop refused
// it: stock or coupon) or "cancelled" (on request), and the reason shown.
std::pair<std::string, std::string> PartnerCancellation(shop::order::v1::CancellationReason reason);

// received | confirmed | shipped | rejected | cancelled, and back (a status
// filter from the partner); nullopt for a word partners do not use.
std::string PartnerStatus(const shop::order::v1::Order& order);
std::optional<shop::order::v1::OrderStatus> InternalStatus(const std::string& partner_status);

// A product under the partner's SKU: price as a decimal string, stock as
// in_stock / out_of_stock / discontinued.
shop::partner::v1::PartnerCatalogItem ToPartnerCatalogItem(
    const std::string& sku, const shop::product::v1::GetProductResponse& product);

// The partner's name for an internal field path ("lines[2].quantity" ->
// "items[2].qty"); "" when it has none (it is not shown then).
std::string PartnerField(const std::string& internal_field);

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_PARTNER_TRANSLATION_H_
