#include "common/mysql/flags.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "gtest/gtest.h"

namespace shop::mysql {
namespace {

class MysqlFlagsTest : public testing::Test {
 protected:
  absl::FlagSaver saver_;  // every test starts from the defaults
  const std::string dir_ = std::getenv("TEST_TMPDIR");
};

TEST_F(MysqlFlagsTest, EveryFlagReachesTheOptions) {
  absl::SetFlag(&FLAGS_mysql_host, "db.internal");
  absl::SetFlag(&FLAGS_mysql_port, 3307);
  absl::SetFlag(&FLAGS_mysql_user, "shop_order");
  absl::SetFlag(&FLAGS_mysql_password, "on-the-line");
  absl::SetFlag(&FLAGS_mysql_database, "shop_order");
  absl::SetFlag(&FLAGS_mysql_tls_ca, "/ca.pem");
  absl::SetFlag(&FLAGS_mysql_tls_cert, "/cert.pem");
  absl::SetFlag(&FLAGS_mysql_tls_key, "/key.pem");
  auto options = MysqlOptionsFromFlags("ignored");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->host, "db.internal");
  EXPECT_EQ(options->port, 3307);
  EXPECT_EQ(options->user, "shop_order");
  EXPECT_EQ(options->password, "on-the-line");
  EXPECT_EQ(options->database, "shop_order");
  EXPECT_EQ(options->tls_ca, "/ca.pem");
  EXPECT_EQ(options->tls_cert, "/cert.pem");
  EXPECT_EQ(options->tls_key, "/key.pem");
}

TEST_F(MysqlFlagsTest, ASocketIsTakenAndRefusedWithTls) {
  absl::SetFlag(&FLAGS_mysql_unix_socket, "/run/mysqld/mysqld.sock");
  auto options = MysqlOptionsFromFlags("shop_admin");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->socket, "/run/mysqld/mysqld.sock");
  absl::SetFlag(&FLAGS_mysql_tls_ca, "/ca.pem");
  auto refused = MysqlOptionsFromFlags("shop_admin");
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--mysql_unix_socket"), std::string::npos);
}

TEST_F(MysqlFlagsTest, AnEmptyUserTakesTheProgramsDefault) {
  auto options = MysqlOptionsFromFlags("shop_admin");
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->user, "shop_admin");
  EXPECT_EQ(options->port, 13306);
}

TEST_F(MysqlFlagsTest, ThePasswordFileWinsAndMustBeOwnerOnly) {
  const std::string secret = dir_ + "/password", open = dir_ + "/open";
  std::ofstream(secret) << "from-file\n";
  std::ofstream(open) << "from-file\n";
  chmod(secret.c_str(), 0600);
  chmod(open.c_str(), 0644);
  absl::SetFlag(&FLAGS_mysql_password, "on-the-line");
  absl::SetFlag(&FLAGS_mysql_password_file, secret);
  auto options = MysqlOptionsFromFlags();
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->password, "from-file");

  absl::SetFlag(&FLAGS_mysql_password_file, open);
  EXPECT_EQ(MysqlOptionsFromFlags().status().code(), absl::StatusCode::kPermissionDenied);
  absl::SetFlag(&FLAGS_mysql_password_file, dir_ + "/missing");
  EXPECT_EQ(MysqlOptionsFromFlags().status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace shop::mysql
