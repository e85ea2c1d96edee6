#include "order/domain/new_order.h"

#include <openssl/sha.h>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/money/currency.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/time_util.h"

namespace shop::order::domain {
namespace {

using shop::order::v1::Order;
using shop::order::v1::PlaceOrderRequest;

// The total, or nullopt when some product or the sum does not fit in int64.
std::optional<int64_t> Total(const PlaceOrderRequest& request,
                             std::vector<errors::FieldViolation>* violations) {
  int64_t total = 0;
  bool fits = true;
  for (int i = 0; i < request.lines_size(); ++i) {
    const auto& line = request.lines(i);
    if (line.quantity() <= 0 || line.unit_price_minor() <= 0) continue;
    auto amount = money::CheckedMultiply(line.quantity(), line.unit_price_minor());
    if (!amount.has_value()) {
      if (violations != nullptr) {
        violations->push_back({absl::StrCat("lines[", i, "]"),
                               "quantity x unit_price_minor does not fit in a 64-bit amount"});
      }
      fits = false;
      continue;
    }
    auto sum = money::CheckedAdd(total, *amount);
    if (!sum.has_value()) {
      if (violations != nullptr) {
        violations->push_back({"lines", "the order total does not fit in a 64-bit amount"});
      }
      return std::nullopt;
    }
    total = *sum;
  }
  if (!fits) return std::nullopt;
  return total;
}

}  // namespace

std::vector<errors::FieldViolation> Validate(const PlaceOrderRequest& request) {
  std::vector<errors::FieldViolation> violations;
  errors::RequireId(request.customer_id(), "customer_id", violations);
  errors::RequireId(request.idempotency_key(), "idempotency_key", violations);
  if (!money::IsKnownCurrency(request.currency_code())) {
    violations.push_back({"currency_code", request.currency_code().empty()
                                               ? "is required"
                                               : "is not a known ISO 4217 currency code"});
  }
  if (!request.has_shipping_address()) {
    violations.push_back({"shipping_address", "is required"});
  } else {
    const auto& address = request.shipping_address();
    errors::RequireText(address.recipient(), "shipping_address.recipient", kMaxRecipientBytes,
                        violations);
    if (address.lines_size() == 0) violations.push_back({"shipping_address.lines", "is required"});
    errors::LimitCount(address.lines_size(), "shipping_address.lines", kMaxAddressLines,
                       violations);
    for (int i = 0; i < address.lines_size() && i < kMaxAddressLines; ++i) {
      errors::LimitText(address.lines(i), absl::StrCat("shipping_address.lines[", i, "]"),
                        kMaxAddressLineBytes, violations);
    }
    errors::RequireText(address.city(), "shipping_address.city", kMaxCityBytes, violations);
    errors::LimitText(address.postal_code(), "shipping_address.postal_code", kMaxPostalCodeBytes,
                      violations);
    if (address.country_code().size() != 2) {
      violations.push_back({"shipping_address.country_code", "must be an ISO 3166-1 alpha-2 code"});
    }
  }
  if (request.lines_size() == 0) {
    violations.push_back({"lines", "at least one line is required"});
  } else if (request.lines_size() > kMaxLines) {
    violations.push_back({"lines", absl::StrCat("at most ", kMaxLines, " lines are allowed")});
  }
  for (int i = 0; i < request.lines_size() && i < kMaxLines; ++i) {
    const auto& line = request.lines(i);
    const std::string path = absl::StrCat("lines[", i, "]");
    errors::RequireId(line.product_id(), path + ".product_id", violations);
    if (line.quantity() <= 0) violations.push_back({path + ".quantity", "must be positive"});
    if (line.quantity() > kMaxQuantity) {
      violations.push_back({path + ".quantity", absl::StrCat("must be at most ", kMaxQuantity)});
    }
    if (line.unit_price_minor() < 0) {
      violations.push_back(
          {path + ".unit_price_minor", "must not be negative (0: no expected price)"});
    }
  }
  if (!request.coupon_code().empty()) {
    bool well_formed = request.coupon_code().size() <= kMaxCouponCodeBytes;
    for (char c : request.coupon_code()) {
      well_formed = well_formed && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-');
    }
    if (!well_formed) {
      violations.push_back({"coupon_code", "must be 1-32 bytes of letters, digits and -"});
    }
  }
  Total(request, &violations);
  return violations;
}

absl::StatusOr<Order> NewOrder(const PlaceOrderRequest& request, const std::string& order_id,
                               absl::Time now) {
  std::vector<errors::FieldViolation> violations = Validate(request);
  if (!violations.empty()) return errors::InvalidArgument(violations);
  Order order;
  order.set_order_id(order_id);
  order.set_customer_id(request.customer_id());
  order.set_status(shop::order::v1::ORDER_STATUS_PENDING);
  *order.mutable_lines() = request.lines();
  order.set_currency_code(request.currency_code());
  order.mutable_total()->set_minor_units(*Total(request, nullptr));
  order.mutable_total()->set_currency_code(request.currency_code());
  *order.mutable_subtotal() = order.total();
  if (!request.coupon_code().empty()) {
    order.mutable_coupon()->set_coupon_code(request.coupon_code());
    order.mutable_coupon()->set_state(shop::order::v1::COUPON_REDEMPTION_STATE_REQUESTED);
  }
  *order.mutable_shipping_address() = request.shipping_address();
  const auto timestamp =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  *order.mutable_create_time() = timestamp;
  *order.mutable_update_time() = timestamp;
  order.set_idempotency_key(request.idempotency_key());
  return order;
}

std::string RequestFingerprint(const PlaceOrderRequest& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace shop::order::domain
