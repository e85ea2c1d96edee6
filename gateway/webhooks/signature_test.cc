#include "gateway/webhooks/signature.h"

#include "gtest/gtest.h"

namespace shop::gateway {
namespace {

// The reference example of the Standard Webhooks specification.
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kTimestamp = 1614265330;
constexpr char kBody[] = R"({"test": 2432232314})";
constexpr char kSignature[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignatureTest, MatchesTheSpecificationsExample) {
  std::string signature;
  ASSERT_TRUE(SignWebhook(kSecret, kId, kTimestamp, kBody, &signature).ok());
  EXPECT_EQ(signature, kSignature);
}

TEST(SignatureTest, OneSignaturePerSecretForRotation) {
  std::string header;
  const std::string other = "whsec_" + std::string(32, 'A');
  ASSERT_TRUE(SignatureHeader({other, kSecret}, kId, kTimestamp, kBody, &header).ok());
  EXPECT_EQ(header.substr(header.find(' ') + 1), kSignature);
  EXPECT_TRUE(VerifyWebhook(kSecret, kId, std::to_string(kTimestamp), header, kBody,
                            absl::FromUnixSeconds(kTimestamp))
                  .ok());
}

TEST(SignatureTest, VerificationRefusesATamperedBodyIdOrOldTimestamp) {
  const absl::Time now = absl::FromUnixSeconds(kTimestamp);
  const std::string ts = std::to_string(kTimestamp);
  EXPECT_TRUE(VerifyWebhook(kSecret, kId, ts, kSignature, kBody, now).ok());
  EXPECT_FALSE(VerifyWebhook(kSecret, kId, ts, kSignature, R"({"test": 2432232315})", now).ok());
  EXPECT_FALSE(VerifyWebhook(kSecret, "msg_other", ts, kSignature, kBody, now).ok());
  EXPECT_FALSE(VerifyWebhook(kSecret, kId, ts, kSignature, kBody, now + absl::Minutes(6)).ok());
  EXPECT_FALSE(VerifyWebhook(kSecret, kId, "soon", kSignature, kBody, now).ok());
  EXPECT_FALSE(
      VerifyWebhook("whsec_" + std::string(32, 'B'), kId, ts, kSignature, kBody, now).ok());
  std::string ignored;
  EXPECT_FALSE(SignWebhook("not-a-secret", kId, kTimestamp, kBody, &ignored).ok());
}

}  // namespace
}  // namespace shop::gateway
