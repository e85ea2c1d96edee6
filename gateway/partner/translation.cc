#include "gateway/partner/translation.h"

#include <regex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/money/currency.h"
#include "common/money/decimal.h"
#include "google/protobuf/util/json_util.h"

namespace shop::gateway {
namespace {

using errors::FieldViolation;
using shop::order::v1::Order;
using shop::order::v1::OrderStatus;

// "INVALID_ARGUMENT:(items[0].unit_price): invalid value ..." -> the
// partner's path, in JSON names: "items[0].unitPrice".
std::string FieldFromJsonError(const std::string& message) {
  static const std::regex kField(R"(\(([A-Za-z0-9_.\[\]]+)\))");
  std::smatch match;
  if (!std::regex_search(message, match, kField)) return "";
  const google::protobuf::Descriptor* type = shop::partner::v1::PartnerOrderRequest::descriptor();
  std::vector<std::string> parts;
  for (absl::string_view segment : absl::StrSplit(std::string(match[1]), '.')) {
    const size_t bracket = segment.find('[');
    const std::string name(segment.substr(0, bracket));
    const google::protobuf::FieldDescriptor* field =
        type == nullptr ? nullptr : type->FindFieldByName(name);
    for (int i = 0; field == nullptr && type != nullptr && i < type->field_count(); ++i) {
      if (type->field(i)->json_name() == name) field = type->field(i);
    }
    if (field == nullptr) return "";
    parts.push_back(absl::StrCat(
        field->json_name(), bracket == absl::string_view::npos ? "" : segment.substr(bracket)));
    type = field->message_type();
  }
  return absl::StrJoin(parts, ".");
}

}  // namespace

std::string CustomerOf(const std::string& partner_id) { return "partner:" + partner_id; }

absl::StatusOr<shop::partner::v1::PartnerOrderRequest> DecodeOrderJson(const std::string& body) {
  shop::partner::v1::PartnerOrderRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // partners may send more than we read
  auto status = google::protobuf::util::JsonStringToMessage(body, &request, options);
  if (!status.ok()) {
    const std::string message(status.message());
    const std::string field = FieldFromJsonError(message);
    if (field.empty()) {
      return errors::InvalidArgument({{"body", "is not a JSON object of the partner order shape"}});
    }
    return errors::InvalidArgument({{field, "has the wrong type or an invalid value"}});
  }
  std::vector<FieldViolation> violations;
  if (request.order_ref().empty()) {
    violations.push_back({"orderRef", "is required"});
  } else if (!IsValidOrderRef(request.order_ref())) {
    violations.push_back({"orderRef", kOrderRefRule});
  }
  if (request.currency().empty()) violations.push_back({"currency", "is required"});
  if (!request.has_ship_to()) violations.push_back({"shipTo", "is required"});
  if (request.items_size() == 0) violations.push_back({"items", "is required"});
  for (int i = 0; i < request.items_size(); ++i) {
    const auto& item = request.items(i);
    const std::string path = absl::StrCat("items[", i, "]");
    if (item.sku().empty()) violations.push_back({path + ".sku", "is required"});
    if (item.qty() <= 0) violations.push_back({path + ".qty", "must be a positive integer"});
    if (item.unit_price().empty()) violations.push_back({path + ".unitPrice", "is required"});
  }
  if (!violations.empty()) return errors::InvalidArgument(violations);
  return request;
}

absl::StatusOr<shop::order::v1::PlaceOrderRequest> ToPlaceOrder(
    const shop::partner::v1::PartnerOrderRequest& request, const std::string& partner_id,
    const std::map<std::string, std::string>& sku_map) {
  std::vector<FieldViolation> violations;
  const std::optional<int> digits = money::MinorUnitDigits(request.currency());
  if (!digits.has_value()) {
    violations.push_back({"currency", "is not a currency we accept"});
  }
  shop::order::v1::PlaceOrderRequest place;
  place.set_customer_id(CustomerOf(partner_id));
  place.set_idempotency_key(request.order_ref());
  place.set_currency_code(request.currency());
  auto* address = place.mutable_shipping_address();
  address->set_recipient(request.ship_to().name());
  *address->mutable_lines() = request.ship_to().street();
  address->set_city(request.ship_to().city());
  address->set_postal_code(request.ship_to().zip());
  address->set_country_code(request.ship_to().country());
  for (int i = 0; i < request.items_size(); ++i) {
    const auto& item = request.items(i);
    const std::string path = absl::StrCat("items[", i, "]");
    auto* line = place.add_lines();
    auto product = sku_map.find(item.sku());
    if (product == sku_map.end()) {
      violations.push_back({path + ".sku", "is not a SKU of your catalog"});
    } else {
      line->set_product_id(product->second);
    }
    line->set_quantity(item.qty());
    if (digits.has_value()) {
      auto price = money::DecimalToMinor(item.unit_price(), *digits);
      if (!price.ok()) {
        violations.push_back({path + ".unitPrice", std::string(price.status().message())});
      } else {
        line->set_unit_price_minor(*price);
      }
    }
  }
  if (!violations.empty()) return errors::InvalidArgument(violations);
  return place;
}

std::pair<std::string, std::string> PartnerCancellation(
    shop::order::v1::CancellationReason reason) {
  switch (reason) {
    case shop::order::v1::CancellationReason::CANCELLATION_REASON_OUT_OF_STOCK:
      return {"rejected", "not enough stock"};
    case shop::order::v1::CancellationReason::CANCELLATION_REASON_COUPON_REJECTED:
      return {"rejected", "coupon refused"};
    default:
      return {"cancelled", "cancelled on request"};
  }
}

std::string PartnerStatus(const Order& order) {
  switch (order.status()) {
    case OrderStatus::ORDER_STATUS_PENDING:
      return "received";
    case OrderStatus::ORDER_STATUS_COMPLETED:
      return order.has_ship_time() ? "shipped" : "confirmed";
    case OrderStatus::ORDER_STATUS_CANCELLED:
      return PartnerCancellation(order.cancellation_reason()).first;
    default:
      return "unknown";
  }
}

std::optional<OrderStatus> InternalStatus(const std::string& partner_status) {
  if (partner_status == "received") return OrderStatus::ORDER_STATUS_PENDING;
  if (partner_status == "confirmed" || partner_status == "shipped") {
    return OrderStatus::ORDER_STATUS_COMPLETED;
  }
  if (partner_status == "rejected" || partner_status == "cancelled") {
    return OrderStatus::ORDER_STATUS_CANCELLED;
  }
  return std::nullopt;
}

shop::partner::v1::PartnerOrder ToPartnerOrder(const Order& order) {
  shop::partner::v1::PartnerOrder partner;
  partner.set_order_ref(order.idempotency_key());
  partner.set_status(PartnerStatus(order));
  partner.set_total(money::MinorToDecimal(
      order.total().minor_units(), money::MinorUnitDigits(order.currency_code()).value_or(2)));
  partner.set_currency(order.currency_code());
  if (order.status() == OrderStatus::ORDER_STATUS_CANCELLED) {
    partner.set_status_reason(PartnerCancellation(order.cancellation_reason()).second);
  }
  return partner;
}

shop::partner::v1::PartnerCatalogItem ToPartnerCatalogItem(
    const std::string& sku, const shop::product::v1::GetProductResponse& product) {
  shop::partner::v1::PartnerCatalogItem item;
  item.set_sku(sku);
  item.set_name(product.product().name());
  const std::string& currency = product.product().price().currency_code();
  item.set_price(money::MinorToDecimal(product.product().price().minor_units(),
                                       money::MinorUnitDigits(currency).value_or(2)));
  item.set_currency(currency);
  const int64_t available = std::max<int64_t>(0, product.stock().available());
  item.set_available_qty(static_cast<int32_t>(std::min<int64_t>(available, INT32_MAX)));
  item.set_availability(product.product().discontinued() ? "discontinued"
                        : available > 0                  ? "in_stock"
                                                         : "out_of_stock");
  return item;
}

std::string PartnerField(const std::string& internal_field) {
  static const std::vector<std::pair<std::regex, std::string>> kRules = {
      {std::regex(R"(^lines\[(\d+)\]\.quantity$)"), "items[$1].qty"},
      {std::regex(R"(^lines\[(\d+)\]\.unit_price_minor$)"), "items[$1].unitPrice"},
      {std::regex(R"(^lines\[(\d+)\]\.product_id$)"), "items[$1].sku"},
      {std::regex(R"(^lines\[(\d+)\]$)"), "items[$1]"},
      {std::regex(R"(^lines$)"), "items"},
      {std::regex(R"(^currency_code$)"), "currency"},
      {std::regex(R"(^idempotency_key$)"), "orderRef"},
      {std::regex(R"(^shipping_address$)"), "shipTo"},
      {std::regex(R"(^shipping_address\.recipient$)"), "shipTo.name"},
      {std::regex(R"(^shipping_address\.lines$)"), "shipTo.street"},
      {std::regex(R"(^shipping_address\.lines\[(\d+)\]$)"), "shipTo.street[$1]"},
      {std::regex(R"(^shipping_address\.postal_code$)"), "shipTo.zip"},
      {std::regex(R"(^shipping_address\.city$)"), "shipTo.city"},
      {std::regex(R"(^shipping_address\.country_code$)"), "shipTo.country"},
  };
  for (const auto& [pattern, replacement] : kRules) {
    if (std::regex_match(internal_field, pattern)) {
      return std::regex_replace(internal_field, pattern, replacement);
    }
  }
  return "";
}

bool IsValidOrderRef(const std::string& order_ref) {
  if (order_ref.empty() || order_ref.size() > 100 || !absl::ascii_isalnum(order_ref[0])) {
    return false;
  }
  for (char c : order_ref) {
    if (!absl::ascii_isalnum(c) && c != '.' && c != '_' && c != ':' && c != '-') return false;
  }
  return true;
}

}  // namespace shop::gateway
