#include "common/mysql/multi_row.h"

#include "absl/strings/str_cat.h"

namespace shop::mysql {

void ForEachChunk(size_t n, absl::FunctionRef<void(size_t begin, size_t size)> chunk) {
  size_t begin = 0;
  for (size_t size : {64, 16, 4, 1}) {
    for (; n - begin >= size; begin += size) chunk(begin, size);
  }
}

std::string Placeholders(size_t count) {
  std::string text;
  for (size_t i = 0; i < count; ++i) absl::StrAppend(&text, i == 0 ? "?" : ", ?");
  return text;
}

std::string RowPlaceholders(size_t rows, size_t columns) {
  const std::string row = absl::StrCat("(", Placeholders(columns), ")");
  std::string text;
  for (size_t i = 0; i < rows; ++i) absl::StrAppend(&text, i == 0 ? "" : ", ", row);
  return text;
}

}  // namespace shop::mysql
