#include "common/errors/taxonomy.h"

#include <librdkafka/rdkafka.h>

#include "gtest/gtest.h"

namespace shop::errors {
namespace {

TEST(TaxonomyTest, MysqlDataAndConstraintErrorsArePermanent) {
  for (int error : {1048, 1264, 1265, 1292, 1366, 1406, 1690, 1062, 1452, 4025}) {
    EXPECT_TRUE(IsPermanent(absl::Status(MysqlErrorCode(error), "x"))) << error;
  }
  EXPECT_EQ(MysqlErrorCode(1062), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(MysqlErrorCode(1406), absl::StatusCode::kInvalidArgument);
}

TEST(TaxonomyTest, EveryOtherMysqlErrorIsRetried) {
  // lock wait, deadlock, KILL QUERY, statement timeout, disk full, table full,
  // lost connection, gone away, refused, too many connections, read-only,
  // unknown table, syntax (a deploy mismatch), access denied, a number never seen.
  for (int error : {1205, 1213, 1317, 1969, 1021, 1114, 2013, 2006, 2003, 1040, 1290, 1146, 1064,
                    1045, 1044, 1142, 9999}) {
    EXPECT_FALSE(IsPermanent(absl::Status(MysqlErrorCode(error), "x"))) << error;
  }
  EXPECT_EQ(MysqlErrorCode(1205), absl::StatusCode::kAborted);
  EXPECT_EQ(MysqlErrorCode(1213), absl::StatusCode::kAborted);
  EXPECT_EQ(MysqlErrorCode(1969), absl::StatusCode::kUnavailable);
}

TEST(TaxonomyTest, KafkaRecordErrorsArePermanentForAPublisherAndTheRestTransient) {
  for (int error : {RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE, RD_KAFKA_RESP_ERR_INVALID_RECORD,
                    RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED,
                    RD_KAFKA_RESP_ERR__INVALID_ARG}) {
    EXPECT_TRUE(IsPermanentPublishFailure(absl::Status(KafkaErrorCode(error), "x"))) << error;
  }
  for (int error : {RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT,
                    RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION, RD_KAFKA_RESP_ERR__QUEUE_FULL,
                    RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN,
                    RD_KAFKA_RESP_ERR_KAFKA_STORAGE_ERROR, RD_KAFKA_RESP_ERR_UNKNOWN}) {
    EXPECT_EQ(KafkaErrorCode(error), absl::StatusCode::kUnavailable) << error;
  }
  EXPECT_TRUE(IsKafkaFatal(RD_KAFKA_RESP_ERR__FATAL));
  EXPECT_FALSE(IsKafkaFatal(RD_KAFKA_RESP_ERR__TRANSPORT));
}

TEST(TaxonomyTest, HandlerStatusesOutsideTheListAreTransient) {
  EXPECT_TRUE(IsPermanent(absl::InvalidArgumentError("undecodable")));
  EXPECT_TRUE(IsPermanent(absl::FailedPreconditionError("invariant")));
  EXPECT_FALSE(IsPermanent(absl::InternalError("a bug, or a database error never seen")));
  EXPECT_FALSE(IsPermanent(absl::UnknownError("x")));
  EXPECT_FALSE(IsPermanent(absl::PermissionDeniedError("a revoked grant")));
  EXPECT_FALSE(IsPermanent(absl::DeadlineExceededError("x")));
  EXPECT_TRUE(IsPermanentPublishFailure(absl::PermissionDeniedError("topic authorization")));
}

}  // namespace
}  // namespace shop::errors
