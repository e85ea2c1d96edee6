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

TEST(ForEachChunkTest, CoversEveryRowOnceInOrderWithFourShapes) {
  for (size_t n = 0; n < 300; ++n) {
    size_t next = 0;
    for (const auto& [begin, size] : Chunks(n)) {
      EXPECT_EQ(begin, next) << n;
      EXPECT_TRUE(size == 64 || size == 16 || size == 4 || size == 1) << size;
      next = begin + size;
    }
    EXPECT_EQ(next, n);
  }
}

TEST(ForEachChunkTest, UsesTheLargestChunksFirst) {
  EXPECT_THAT(Chunks(0), ElementsAre());
  EXPECT_THAT(Chunks(86),
              ElementsAre(Pair(0, 64), Pair(64, 16), Pair(80, 4), Pair(84, 1), Pair(85, 1)));
}

TEST(PlaceholdersTest, Shapes) {
  EXPECT_EQ(Placeholders(1), "?");
  EXPECT_EQ(Placeholders(3), "?, ?, ?");
  EXPECT_EQ(RowPlaceholders(2, 3), "(?, ?, ?), (?, ?, ?)");
}

}  // namespace
}  // namespace shop::mysql
