#include "coupon/domain/coupon_code.h"

#include <openssl/rand.h>

#include <cstdint>
#include <cstdlib>

#include "absl/strings/ascii.h"

namespace shop::coupon::domain {

std::string NewCouponCode() {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  unsigned char bytes[10];                                  // 80 bits: 16 symbols of 5 bits
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) std::abort();  // no entropy: never guess
  std::string code;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      code.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  return code;
}

bool WellFormedCouponCode(absl::string_view code) {
  if (code.empty() || code.size() > 32) return false;
  for (char c : code) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

}  // namespace shop::coupon::domain
