// Multi-row statements with few prepared shapes: n rows are written (or
// looked up) in chunks of 64, 16, 4 and 1, so a connection caches at most
// four statements per kind however the batch sizes vary, and a batch of n
// rows costs about log4(n) round trips instead of n.
#ifndef SHOP_COMMON_MYSQL_MULTI_ROW_H_
#define SHOP_COMMON_MYSQL_MULTI_ROW_H_

#include <cstddef>
#include <string>

#include "absl/functional/function_ref.h"

namespace shop::mysql {

// Calls `chunk(begin, size)` for consecutive chunks covering [0, n).
void ForEachChunk(size_t n, absl::FunctionRef<void(size_t begin, size_t size)> chunk);

// `rows` groups of `columns` placeholders: "(?, ?), (?, ?)".
std::string RowPlaceholders(size_t rows, size_t columns);

// `count` placeholders: "?, ?, ?" (for IN lists).
std::string Placeholders(size_t count);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_MULTI_ROW_H_
