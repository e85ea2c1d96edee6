#include "common/mysql/flags.h"

#include "absl/flags/flag.h"
#include "common/config/flags.h"

ABSL_FLAG(std::string, mysql_host, "127.0.0.1", "MySQL host");
ABSL_FLAG(int, mysql_port, 13306, "MySQL port");
ABSL_FLAG(std::string, mysql_unix_socket, "",
          "a Unix socket of MySQL on this machine, used instead of host and port (no TLS)");
ABSL_FLAG(std::string, mysql_user, "", "MySQL user (each service has its own)");
ABSL_FLAG(
    std::string, mysql_password, "",
    "its password; better SHOP_MYSQL_PASSWORD or --mysql_password_file, which ps does not show");
ABSL_FLAG(std::string, mysql_password_file, "", "a file (mode 600) holding the password");
ABSL_FLAG(std::string, mysql_database, "", "the database");
ABSL_FLAG(std::string, mysql_tls_ca, "",
          "require TLS to MySQL and verify the server's certificate (and name) against this CA");
ABSL_FLAG(std::string, mysql_tls_cert, "",
          "a client certificate to present to MySQL (for users created REQUIRE X509)");
ABSL_FLAG(std::string, mysql_tls_key, "", "its private key");

namespace shop::mysql {

absl::StatusOr<MysqlOptions> MysqlOptionsFromFlags(const std::string& default_user) {
  MysqlOptions options;
  options.host = absl::GetFlag(FLAGS_mysql_host);
  options.port = absl::GetFlag(FLAGS_mysql_port);
  options.socket = absl::GetFlag(FLAGS_mysql_unix_socket);
  options.user = absl::GetFlag(FLAGS_mysql_user);
  if (options.user.empty()) options.user = default_user;
  options.password = absl::GetFlag(FLAGS_mysql_password);
  if (const std::string file = absl::GetFlag(FLAGS_mysql_password_file); !file.empty()) {
    auto password = config::ReadSecretFile(file);
    if (!password.ok()) return password.status();
    options.password = *std::move(password);
  }
  options.database = absl::GetFlag(FLAGS_mysql_database);
  options.tls_ca = absl::GetFlag(FLAGS_mysql_tls_ca);
  options.tls_cert = absl::GetFlag(FLAGS_mysql_tls_cert);
  options.tls_key = absl::GetFlag(FLAGS_mysql_tls_key);
  if (!options.socket.empty() && !options.tls_ca.empty()) {
    return absl::InvalidArgumentError(
        "--mysql_unix_socket and --mysql_tls_ca exclude each other: TLS to MySQL needs TCP");
  }
  return options;
}

}  // namespace shop::mysql
