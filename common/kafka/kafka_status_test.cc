#include "common/kafka/kafka_status.h"

#include "gtest/gtest.h"

namespace shop::kafka {
namespace {

TEST(KafkaStatusTest, TransientBrokerTroubleIsRetryable) {
  EXPECT_EQ(KafkaStatus(RdKafka::ERR__TRANSPORT, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(KafkaStatus(RdKafka::ERR__MSG_TIMED_OUT, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(KafkaStatus(RdKafka::ERR_NOT_LEADER_FOR_PARTITION, "x").code(),
            absl::StatusCode::kUnavailable);
}

TEST(KafkaStatusTest, WhatARetryCannotFixIsNot) {
  EXPECT_EQ(KafkaStatus(RdKafka::ERR_MSG_SIZE_TOO_LARGE, "x").code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(KafkaStatus(RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED, "x").code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_FALSE(IsRetryable(RdKafka::ERR__FATAL));
  EXPECT_TRUE(KafkaStatus(RdKafka::ERR_NO_ERROR, "x").ok());
}

}  // namespace
}  // namespace shop::kafka
