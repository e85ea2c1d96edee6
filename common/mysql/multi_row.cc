#include "common/mysql/multi_row.h"

#include "absl/strings/str_cat.h"

namespace shop::mysql {

void ForEachChunk(size_t n, absl::FunctionRef<void(size_t begin, size_t size)> chunk) {
  size_t begin = 0;
  for (size_t size : {64, 32, 16, 8, 4, 2, 1}) {
    for (; n - begin >= size; begin += size) chunk(begin, size);
  }
}

void ForEachPaddedChunk(size_t n,
                        absl::FunctionRef<void(size_t begin, size_t size, size_t shape)> chunk) {
  size_t begin = 0;
  for (; n - begin >= 64; begin += 64) chunk(begin, 64, 64);
  const size_t rest = n - begin;
  if (rest == 0) return;
  for (size_t shape : {1, 4, 16, 64}) {
    if (shape >= rest) {
      chunk(begin, rest, shape);
      return;
    }
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
