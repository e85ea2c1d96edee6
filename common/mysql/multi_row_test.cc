#include "common/mysql/multi_row.h"

#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::mysql {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

std::vector<std::pair<size_t, size_t>> Chunks(size_t n) {
  std::vector<std::pair<size_t, size_t>> chunks;
  ForEachChunk(n, [&](size_t begin, size_t size) { chunks.emplace_back(begin, size); });
  return chunks;
}

TEST(ForEachChunkTest, CoversEveryRowOnceInOrderWithPowersOfTwo) {
  for (size_t n = 0; n < 300; ++n) {
    size_t next = 0;
    for (const auto& [begin, size] : Chunks(n)) {
      EXPECT_EQ(begin, next) << n;
      EXPECT_TRUE(size <= 64 && (size & (size - 1)) == 0) << size;
      next = begin + size;
    }
    EXPECT_EQ(next, n);
    if (n < 64) {
      EXPECT_EQ(Chunks(n).size(), static_cast<size_t>(__builtin_popcountll(n))) << n;
    }
  }
}

TEST(ForEachChunkTest, UsesTheLargestChunksFirst) {
  EXPECT_THAT(Chunks(0), ElementsAre());
  EXPECT_THAT(Chunks(87),
              ElementsAre(Pair(0, 64), Pair(64, 16), Pair(80, 4), Pair(84, 2), Pair(86, 1)));
}

struct Padded {
  size_t begin, size, shape;
  bool operator==(const Padded& o) const {
    return begin == o.begin && size == o.size && shape == o.shape;
  }
};

std::vector<Padded> PaddedChunks(size_t n) {
  std::vector<Padded> chunks;
  ForEachPaddedChunk(n, [&](size_t begin, size_t size, size_t shape) {
    chunks.push_back({begin, size, shape});
  });
  return chunks;
}

TEST(ForEachPaddedChunkTest, OneStatementPer64KeysPaddedToFourShapes) {
  for (size_t n = 0; n < 300; ++n) {
    size_t next = 0;
    const std::vector<Padded> chunks = PaddedChunks(n);
    EXPECT_EQ(chunks.size(), (n + 63) / 64) << n;
    for (const Padded& chunk : chunks) {
      EXPECT_EQ(chunk.begin, next) << n;
      EXPECT_TRUE(chunk.shape == 64 || chunk.shape == 16 || chunk.shape == 4 || chunk.shape == 1);
      EXPECT_GE(chunk.shape, chunk.size);
      next = chunk.begin + chunk.size;
    }
    EXPECT_EQ(next, n);
  }
  EXPECT_TRUE(PaddedChunks(70) == (std::vector<Padded>{{0, 64, 64}, {64, 6, 16}}));
  // Slot i of a chunk: its key, the chunk's last key repeated past its size.
  EXPECT_EQ(mysql::Padded(64, 6, 0), 64u);
  EXPECT_EQ(mysql::Padded(64, 6, 5), 69u);
  EXPECT_EQ(mysql::Padded(64, 6, 15), 69u);
}

TEST(PlaceholdersTest, Shapes) {
  EXPECT_EQ(Placeholders(1), "?");
  EXPECT_EQ(Placeholders(3), "?, ?, ?");
  EXPECT_EQ(RowPlaceholders(2, 3), "(?, ?, ?), (?, ?, ?)");
}

}  // namespace
}  // namespace shop::mysql
