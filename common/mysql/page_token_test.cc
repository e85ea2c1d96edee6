#include "common/mysql/page_token.h"

#include "gtest/gtest.h"

namespace shop::mysql {
namespace {

TEST(PageTokenTest, RoundTripsAndDefaultsToTheStart) {
  auto cursor = DecodePageToken(EncodePageToken(1795300000123456, "order|with|bars"));
  ASSERT_TRUE(cursor.ok());
  EXPECT_EQ(cursor->micros, 1795300000123456);
  EXPECT_EQ(cursor->id, "order|with|bars");
  auto start = DecodePageToken("");
  ASSERT_TRUE(start.ok());
  EXPECT_EQ(start->micros, std::numeric_limits<int64_t>::max());
}

TEST(PageTokenTest, ForeignTokensAreRejected) {
  EXPECT_EQ(DecodePageToken("not-a-token").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(DecodePageToken("bm9waXBl").ok());  // "nopipe"
}

}  // namespace
}  // namespace shop::mysql
