// Stock rules of the product service, as pure functions: reserving every
// line of an order or none, and validating catalog input.
#ifndef SHOP_PRODUCT_DOMAIN_STOCK_H_
#define SHOP_PRODUCT_DOMAIN_STOCK_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/errors/bad_request.h"
#include "proto/shop/order/v1/order.pb.h"
#include "proto/shop/product/v1/events.pb.h"
#include "proto/shop/product/v1/product_service.pb.h"

namespace shop::product::domain {

// Quantity per product over an order's lines (a product may appear on
// several lines). Ordered by product id, which is also the lock order.
std::map<std::string, int64_t> RequestedQuantities(
    const google::protobuf::RepeatedPtrField<shop::order::v1::OrderLine>& lines);

// What reserving `requested` against `available` (absent: unknown product)
// gives: no shortfalls means every line can be reserved.
std::vector<shop::product::v1::StockShortfall> Shortfalls(
    const std::map<std::string, int64_t>& requested,
    const std::map<std::string, int64_t>& available);

// Bounds of the product API (also in product_service.proto): a stock
// adjustment or initial stock, and an adjustment's reason.
inline constexpr int64_t kMaxStockDelta = 1'000'000'000;
inline constexpr size_t kMaxAdjustReasonBytes = 255;

// UpdateProduct's request: product_id, and the fields it sets.
std::vector<errors::FieldViolation> ValidateUpdate(
    const shop::product::v1::UpdateProductRequest& request);

// `product` with the fields `request` sets; `changed` says whether any
// value differs (an update that changes nothing publishes nothing).
struct CatalogUpdate {
  shop::product::v1::Product product;
  bool changed = false;
};
CatalogUpdate ApplyUpdate(const shop::product::v1::Product& product,
                          const shop::product::v1::UpdateProductRequest& request);

std::vector<errors::FieldViolation> ValidateCreate(
    const shop::product::v1::CreateProductRequest& request);

}  // namespace shop::product::domain

#endif  // SHOP_PRODUCT_DOMAIN_STOCK_H_
