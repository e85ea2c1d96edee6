// Coupon codes: 16 characters of Crockford's base32 (no I, L, O or U, so a
// code read aloud or typed survives), 80 bits from OpenSSL's CSPRNG, so a
// code cannot be guessed from others.
#ifndef SHOP_COUPON_DOMAIN_COUPON_CODE_H_
#define SHOP_COUPON_DOMAIN_COUPON_CODE_H_

#include <string>

#include "absl/strings/string_view.h"

namespace shop::coupon::domain {

inline constexpr size_t kCouponCodeLength = 16;

std::string NewCouponCode();

// What a coupon code may look like where one is accepted (PlaceOrder): 1-32
// bytes of [A-Za-z0-9-]. Unknown codes are the coupon service's to refuse.
bool WellFormedCouponCode(absl::string_view code);

}  // namespace shop::coupon::domain

#endif  // SHOP_COUPON_DOMAIN_COUPON_CODE_H_
