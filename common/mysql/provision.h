// Creates a service's database and its own MySQL user, with grants on that
// database alone (run with an administrative account; idempotent).
#ifndef SHOP_COMMON_MYSQL_PROVISION_H_
#define SHOP_COMMON_MYSQL_PROVISION_H_

#include "absl/status/status.h"
#include "common/mysql/options.h"

namespace shop::mysql {

// `database` and `user` must match [a-z0-9_]{1,64}. With `require_tls`
// the user may only connect over TLS (REQUIRE SSL); without, it may connect
// either way. Running it again sets the password and that rule again.
absl::Status ProvisionDatabase(const MysqlOptions& admin, const std::string& database,
                               const std::string& user, const std::string& password,
                               bool require_tls = false);

// Drops the database and the user (for tests).
absl::Status DropDatabase(const MysqlOptions& admin, const std::string& database,
                          const std::string& user);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_PROVISION_H_
