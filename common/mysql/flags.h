// The --mysql_* flags every program that talks to MariaDB takes, defined once:
// where the server is, who connects (the password from SHOP_MYSQL_PASSWORD or
// --mysql_password_file, which `ps` does not show), which database, and TLS.
#ifndef SHOP_COMMON_MYSQL_FLAGS_H_
#define SHOP_COMMON_MYSQL_FLAGS_H_

#include <string>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "common/mysql/options.h"

ABSL_DECLARE_FLAG(std::string, mysql_host);
ABSL_DECLARE_FLAG(int, mysql_port);
ABSL_DECLARE_FLAG(std::string, mysql_unix_socket);
ABSL_DECLARE_FLAG(std::string, mysql_user);
ABSL_DECLARE_FLAG(std::string, mysql_password);
ABSL_DECLARE_FLAG(std::string, mysql_password_file);
ABSL_DECLARE_FLAG(std::string, mysql_database);
ABSL_DECLARE_FLAG(std::string, mysql_tls_ca);
ABSL_DECLARE_FLAG(std::string, mysql_tls_cert);
ABSL_DECLARE_FLAG(std::string, mysql_tls_key);

namespace shop::mysql {

// Options from the flags. The password file wins over --mysql_password and
// must be owner-only (config::ReadSecretFile); an empty --mysql_user becomes
// `default_user`. Pool size and timeouts keep MysqlOptions' defaults.
absl::StatusOr<MysqlOptions> MysqlOptionsFromFlags(const std::string& default_user = "");

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_FLAGS_H_
