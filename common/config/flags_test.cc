#include "common/config/flags.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "gtest/gtest.h"

ABSL_FLAG(int, config_test_port, 1, "test flag");
ABSL_FLAG(std::string, config_test_name, "default", "test flag");

namespace shop::config {
namespace {

TEST(FlagsTest, EnvironmentNameIsPrefixedUpperCase) {
  EXPECT_EQ(EnvironmentName("mysql_port"), "SHOP_MYSQL_PORT");
}

TEST(FlagsTest, EnvironmentOverridesDefaultAndCommandLineOverridesEnvironment) {
  setenv("SHOP_CONFIG_TEST_PORT", "4242", 1);
  setenv("SHOP_CONFIG_TEST_NAME", "from-env", 1);
  char arg0[] = "prog";
  char arg1[] = "--config_test_name=from-flag";
  char* argv[] = {arg0, arg1};
  ParseFlags(2, argv);
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_port), 4242);
  EXPECT_EQ(absl::GetFlag(FLAGS_config_test_name), "from-flag");
}

TEST(FlagsTest, BadEnvironmentValueIsAnErrorNamingTheVariable) {
  setenv("SHOP_CONFIG_TEST_PORT", "not-a-number", 1);
  const absl::Status status = ApplyEnvironment();
  unsetenv("SHOP_CONFIG_TEST_PORT");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("SHOP_CONFIG_TEST_PORT"), std::string::npos);
}

TEST(SecretFileTest, ReadsTheFirstLineOfAnOwnerOnlyFileAndRefusesOthers) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string secret = dir + "/secret", open = dir + "/open";
  std::ofstream(secret) << "s3cret\nsecond line\n";
  std::ofstream(open) << "s3cret\n";
  chmod(secret.c_str(), 0600);
  chmod(open.c_str(), 0644);
  auto read = ReadSecretFile(secret);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(*read, "s3cret");
  EXPECT_EQ(ReadSecretFile(open).status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReadSecretFile(dir + "/missing").status().code(), absl::StatusCode::kNotFound);
  auto whole = ReadPrivateFile(secret);
  ASSERT_TRUE(whole.ok()) << whole.status();
  EXPECT_EQ(*whole, "s3cret\nsecond line\n");
  EXPECT_EQ(ReadPrivateFile(open).status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace shop::config
