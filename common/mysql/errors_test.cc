#include "common/mysql/errors.h"

#include "gtest/gtest.h"

namespace shop::mysql {
namespace {

TEST(ErrorsTest, CodesSayWhatTheCallerShouldDo) {
  EXPECT_EQ(CodeForMysqlError(2013), absl::StatusCode::kUnavailable);  // lost connection
  EXPECT_EQ(CodeForMysqlError(2006), absl::StatusCode::kUnavailable);  // server gone
  EXPECT_EQ(CodeForMysqlError(2003), absl::StatusCode::kUnavailable);  // refused
  EXPECT_EQ(CodeForMysqlError(1040), absl::StatusCode::kUnavailable);  // too many connections
  EXPECT_EQ(CodeForMysqlError(kErrDeadlock), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForMysqlError(kErrLockWaitTimeout), absl::StatusCode::kAborted);
  EXPECT_EQ(CodeForMysqlError(kErrDuplicateKey), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(CodeForMysqlError(1045), absl::StatusCode::kPermissionDenied);
  // Not in the permanent list, so retried: an unknown table or a syntax error
  // means a deploy mismatch that an operator fixes; skipping would lose data.
  EXPECT_EQ(CodeForMysqlError(1146), absl::StatusCode::kUnavailable);
  EXPECT_EQ(CodeForMysqlError(1064), absl::StatusCode::kUnavailable);
}

TEST(ErrorsTest, OnlyConnectionErrorsMakeAConnectionUnusable) {
  EXPECT_TRUE(IsConnectionLost(2013));
  EXPECT_FALSE(IsConnectionLost(kErrDeadlock));
  EXPECT_FALSE(IsConnectionLost(kErrDuplicateKey));
}

TEST(ErrorsTest, StatusNamesWhatFailedAndTheMysqlError) {
  const absl::Status status = FromSqlException(
      sql::SQLException("Duplicate entry", "23000", kErrDuplicateKey), "inserting");
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_NE(status.message().find("inserting"), std::string::npos);
  EXPECT_NE(status.message().find("1062"), std::string::npos);
}

}  // namespace
}  // namespace shop::mysql
