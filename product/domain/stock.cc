#include "product/domain/stock.h"

#include "absl/strings/str_cat.h"
#include "common/errors/field_limits.h"
#include "common/money/currency.h"

namespace shop::product::domain {

std::map<std::string, int64_t> RequestedQuantities(
    const google::protobuf::RepeatedPtrField<shop::order::v1::OrderLine>& lines) {
  std::map<std::string, int64_t> requested;
  for (const auto& line : lines) requested[line.product_id()] += line.quantity();
  return requested;
}

std::vector<shop::product::v1::StockShortfall> Shortfalls(
    const std::map<std::string, int64_t>& requested,
    const std::map<std::string, int64_t>& available) {
  std::vector<shop::product::v1::StockShortfall> shortfalls;
  for (const auto& [product_id, quantity] : requested) {
    auto it = available.find(product_id);
    const bool unknown = it == available.end();
    if (!unknown && quantity > 0 && it->second >= quantity) continue;
    shop::product::v1::StockShortfall shortfall;
    shortfall.set_product_id(product_id);
    shortfall.set_requested(quantity);
    shortfall.set_available(unknown ? 0 : it->second);
    shortfall.set_unknown_product(unknown);
    shortfalls.push_back(std::move(shortfall));
  }
  return shortfalls;
}

std::vector<errors::FieldViolation> ValidateCreate(
    const shop::product::v1::CreateProductRequest& request) {
  std::vector<errors::FieldViolation> violations;
  if (request.product_id().size() > 128) {
    violations.push_back({"product_id", "must be at most 128 characters"});
  }
  if (request.sku().empty()) violations.push_back({"sku", "is required"});
  if (request.sku().size() > 128) violations.push_back({"sku", "must be at most 128 characters"});
  if (request.name().empty()) violations.push_back({"name", "is required"});
  if (request.name().size() > 255) violations.push_back({"name", "must be at most 255 characters"});
  if (!request.has_price()) {
    violations.push_back({"price", "is required"});
  } else {
    if (request.price().minor_units() <= 0) {
      violations.push_back({"price.minor_units", "must be above zero"});
    }
    if (!money::IsKnownCurrency(request.price().currency_code())) {
      violations.push_back({"price.currency_code", "is not a known ISO 4217 currency code"});
    }
  }
  if (request.initial_stock() < 0) violations.push_back({"initial_stock", "must not be negative"});
  if (request.initial_stock() > kMaxStockDelta) {
    violations.push_back({"initial_stock", absl::StrCat("must be at most ", kMaxStockDelta)});
  }
  return violations;
}

std::vector<errors::FieldViolation> ValidateUpdate(
    const shop::product::v1::UpdateProductRequest& request) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(request.product_id(), "product_id", violations);
  if (request.has_name()) errors::RequireText(request.name(), "name", 255, violations);
  if (request.has_price()) {
    if (request.price().minor_units() <= 0) {
      violations.push_back({"price.minor_units", "must be above zero"});
    }
    if (!money::IsKnownCurrency(request.price().currency_code())) {
      violations.push_back({"price.currency_code", "is not a known ISO 4217 currency code"});
    }
  }
  if (!request.has_name() && !request.has_price() && !request.has_discontinued()) {
    violations.push_back({"name", "set at least one of name, price and discontinued"});
  }
  return violations;
}

CatalogUpdate ApplyUpdate(const shop::product::v1::Product& product,
                          const shop::product::v1::UpdateProductRequest& request) {
  CatalogUpdate update{product, false};
  shop::product::v1::Product& next = update.product;
  if (request.has_name() && request.name() != product.name()) {
    next.set_name(request.name());
    update.changed = true;
  }
  if (request.has_price() && (request.price().minor_units() != product.price().minor_units() ||
                              request.price().currency_code() != product.price().currency_code())) {
    *next.mutable_price() = request.price();
    update.changed = true;
  }
  if (request.has_discontinued() && request.discontinued() != product.discontinued()) {
    next.set_discontinued(request.discontinued());
    update.changed = true;
  }
  return update;
}

}  // namespace shop::product::domain
