// Opaque page tokens for keyset pagination over (time, id), newest first:
// the token names the last row of a page; the next page starts after it.
#ifndef SHOP_COMMON_MYSQL_PAGE_TOKEN_H_
#define SHOP_COMMON_MYSQL_PAGE_TOKEN_H_

#include <cstdint>
#include <limits>
#include <string>

#include "absl/status/statusor.h"

namespace shop::mysql {

struct PageCursor {
  // Rows strictly before (micros, id) in (time, id) order come next. The
  // default (no token) is after every row.
  int64_t micros = std::numeric_limits<int64_t>::max();
  std::string id = "\xff";
};

std::string EncodePageToken(int64_t micros, const std::string& id);

// The cursor of `token`; the default cursor for an empty token;
// INVALID_ARGUMENT for a token this code did not make.
// Tokens this service returns are far shorter; a longer one is refused
// before it is decoded.
inline constexpr size_t kMaxPageTokenBytes = 512;

absl::StatusOr<PageCursor> DecodePageToken(const std::string& token);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_PAGE_TOKEN_H_
