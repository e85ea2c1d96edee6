#include "common/mysql/provision.h"

#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <regex>

#include "absl/strings/str_cat.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/errors.h"

namespace shop::mysql {
namespace {

// Identifiers cannot be bound as statement parameters; they are checked instead.
bool IsIdentifier(const std::string& name) {
  static const std::regex kPattern("[a-z0-9_]{1,64}");
  return std::regex_match(name, kPattern);
}

// MariaDB takes no parameter for a password in CREATE USER, so it is
// restricted to characters that need no quoting.
bool IsSafePassword(const std::string& password) {
  static const std::regex kPattern("[A-Za-z0-9_.:+=-]{1,128}");
  return std::regex_match(password, kPattern);
}

}  // namespace

absl::Status ProvisionDatabase(const MysqlOptions& admin, const std::string& database,
                               const std::string& user, const std::string& password) {
  if (!IsIdentifier(database) || !IsIdentifier(user)) {
    return absl::InvalidArgumentError("database and user must match [a-z0-9_]{1,64}");
  }
  if (!IsSafePassword(password)) {
    return absl::InvalidArgumentError("the password must match [A-Za-z0-9_.:+=-]{1,128}");
  }
  auto connection = Connect(admin);
  if (!connection.ok()) return connection.status();
  try {
    std::unique_ptr<sql::Statement> statement((*connection)->createStatement());
    statement->execute(absl::StrCat("CREATE DATABASE IF NOT EXISTS `", database,
                                    "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"));
    for (const char* host : {"127.0.0.1", "localhost"}) {
      const std::string account = absl::StrCat("'", user, "'@'", host, "'");
      statement->execute(
          absl::StrCat("CREATE USER IF NOT EXISTS ", account, " IDENTIFIED BY '", password, "'"));
      statement->execute(absl::StrCat("ALTER USER ", account, " IDENTIFIED BY '", password, "'"));
      statement->execute(
          absl::StrCat("GRANT ALL PRIVILEGES ON `", database, "`.* TO '", user, "'@'", host, "'"));
    }
  } catch (const sql::SQLException& error) {
    return FromSqlException(error, absl::StrCat("provisioning database ", database));
  }
  return absl::OkStatus();
}

absl::Status DropDatabase(const MysqlOptions& admin, const std::string& database,
                          const std::string& user) {
  if (!IsIdentifier(database) || !IsIdentifier(user)) {
    return absl::InvalidArgumentError("database and user must match [a-z0-9_]{1,64}");
  }
  auto connection = Connect(admin);
  if (!connection.ok()) return connection.status();
  try {
    std::unique_ptr<sql::Statement> statement((*connection)->createStatement());
    statement->execute(absl::StrCat("DROP DATABASE IF EXISTS `", database, "`"));
    for (const char* host : {"127.0.0.1", "localhost"}) {
      statement->execute(absl::StrCat("DROP USER IF EXISTS '", user, "'@'", host, "'"));
    }
  } catch (const sql::SQLException& error) {
    return FromSqlException(error, absl::StrCat("dropping database ", database));
  }
  return absl::OkStatus();
}

}  // namespace shop::mysql
