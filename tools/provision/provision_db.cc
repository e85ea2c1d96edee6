// Creates a service's database and MySQL user (grants on that database only).
//
//   provision_db --database=order --user=order --password=...
//                [--admin_user=shop_admin --admin_password=... --host --port]
#include <cstdio>

#include "absl/flags/flag.h"
#include "common/config/flags.h"
#include "common/mysql/provision.h"

ABSL_FLAG(std::string, host, "127.0.0.1", "MySQL host");
ABSL_FLAG(int, port, 13306, "MySQL port");
ABSL_FLAG(std::string, admin_user, "shop_admin", "account allowed to create databases and users");
ABSL_FLAG(std::string, admin_password, "shop_admin", "its password");
ABSL_FLAG(std::string, database, "", "database to create");
ABSL_FLAG(std::string, user, "", "user to create, with grants on the database only");
ABSL_FLAG(std::string, password, "", "the user's password");
ABSL_FLAG(bool, require_tls, false, "the user may connect over TLS only (REQUIRE SSL)");
ABSL_FLAG(std::string, mysql_tls_ca, "",
          "connect as the admin over TLS, verifying the server against this CA");

int main(int argc, char** argv) {
  shop::config::ParseFlags(argc, argv);
  shop::mysql::MysqlOptions admin;
  admin.host = absl::GetFlag(FLAGS_host);
  admin.port = absl::GetFlag(FLAGS_port);
  admin.user = absl::GetFlag(FLAGS_admin_user);
  admin.password = absl::GetFlag(FLAGS_admin_password);
  admin.tls_ca = absl::GetFlag(FLAGS_mysql_tls_ca);
  const absl::Status status = shop::mysql::ProvisionDatabase(
      admin, absl::GetFlag(FLAGS_database), absl::GetFlag(FLAGS_user),
      absl::GetFlag(FLAGS_password), absl::GetFlag(FLAGS_require_tls));
  if (!status.ok()) {
    std::fprintf(stderr, "provision_db: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
