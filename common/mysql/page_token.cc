#include "common/mysql/page_token.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace shop::mysql {

std::string EncodePageToken(int64_t micros, const std::string& id) {
  return absl::WebSafeBase64Escape(absl::StrCat(micros, "|", id));
}

absl::StatusOr<PageCursor> DecodePageToken(const std::string& token) {
  PageCursor cursor;
  if (token.empty()) return cursor;
  if (token.size() > kMaxPageTokenBytes) {
    return absl::InvalidArgumentError("page token is longer than any this service returns");
  }
  std::string decoded;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(token, &decoded)) {
    parts = absl::StrSplit(decoded, absl::MaxSplits('|', 1));
  }
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &cursor.micros)) {
    return absl::InvalidArgumentError("page_token: is not a token this service returned");
  }
  cursor.id = parts[1];
  return cursor;
}

}  // namespace shop::mysql
