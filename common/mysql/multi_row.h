// Multi-row statements with few prepared shapes, so a connection caches a
// handful of statements per kind however the batch sizes vary, and a batch
// of n rows costs a few round trips instead of n:
//  - ForEachChunk: rows written (INSERT) in chunks of 64, 32, 16, 8, 4, 2
//    and 1 (a batch of 7 is 4 + 2 + 1);
//  - ForEachPaddedChunk: for statements where a repeated key changes
//    nothing (IN lists, CASE lookups, INSERT IGNORE), n keys in one statement
//    per 64, the last one padded up to 1, 4, 16 or 64 slots by repeating its
//    last key (a batch of 7 is one statement of 16 slots).
#ifndef SHOP_COMMON_MYSQL_MULTI_ROW_H_
#define SHOP_COMMON_MYSQL_MULTI_ROW_H_

#include <cstddef>
#include <string>

#include "absl/functional/function_ref.h"

namespace shop::mysql {

// Calls `chunk(begin, size)` for consecutive chunks covering [0, n).
void ForEachChunk(size_t n, absl::FunctionRef<void(size_t begin, size_t size)> chunk);

// Calls `chunk(begin, size, shape)` for consecutive chunks covering [0, n);
// the statement has `shape` >= `size` slots, slot i holding key
// Padded(begin, size, i).
void ForEachPaddedChunk(size_t n,
                        absl::FunctionRef<void(size_t begin, size_t size, size_t shape)> chunk);
inline size_t Padded(size_t begin, size_t size, size_t slot) {
  return begin + (slot < size ? slot : size - 1);
}

// `rows` groups of `columns` placeholders: "(?, ?), (?, ?)".
std::string RowPlaceholders(size_t rows, size_t columns);

// `count` placeholders: "?, ?, ?" (for IN lists).
std::string Placeholders(size_t count);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_MULTI_ROW_H_
