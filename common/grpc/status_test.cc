#include "common/grpc/status.h"

#include "gtest/gtest.h"

namespace shop::grpc_util {
namespace {

TEST(StatusTest, FieldViolationsTravelAsBadRequestDetails) {
  const absl::Status status = errors::InvalidArgument(
      {{"customer_id", "is required"}, {"lines[1].quantity", "must be positive"}});
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "customer_id: is required; lines[1].quantity: must be positive");
  const grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<errors::FieldViolation> violations = ViolationsOf(wire);
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations[1].field, "lines[1].quantity");
  EXPECT_EQ(violations[1].description, "must be positive");
  EXPECT_EQ(errors::ViolationsOf(status).size(), 2u);
}

TEST(StatusTest, FailedPreconditionsTravelAsPreconditionFailureDetails) {
  const absl::Status status =
      errors::FailedPrecondition("the price changed", {{"PRICE_CHANGED", "lines[0]", "450 EUR"}});
  const grpc::Status wire = ToGrpcStatus(status);
  EXPECT_EQ(wire.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  const std::vector<errors::PreconditionViolation> violations = PreconditionViolationsOf(wire);
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].type, "PRICE_CHANGED");
  EXPECT_EQ(violations[0].subject, "lines[0]");
  EXPECT_EQ(violations[0].description, "450 EUR");
  EXPECT_TRUE(ViolationsOf(wire).empty());
}

TEST(StatusTest, CodesMapOneToOne) {
  EXPECT_EQ(ToGrpcStatus(absl::UnavailableError("db")).error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(ToGrpcStatus(absl::FailedPreconditionError("x")).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(FromGrpcStatus(grpc::Status(grpc::StatusCode::NOT_FOUND, "x")).code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace shop::grpc_util
