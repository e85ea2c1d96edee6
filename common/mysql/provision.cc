#include "common/mysql/provision.h"

#include <cppconn/exception.h>
#include <cppconn/statement.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/errors.h"

namespace shop::mysql {
namespace {

// Identifiers cannot be bound as statement parameters; they are checked instead.
bool AllOf(const std::string& text, size_t max_length, absl::string_view allowed_punctuation) {
  if (text.empty() || text.size() > max_length) return false;
  for (char c : text) {
    if (!absl::ascii_isdigit(c) && !absl::ascii_isalpha(c) &&
        allowed_punctuation.find(c) == absl::string_view::npos) {
      return false;
    }
  }
  return true;
}

bool IsIdentifier(const std::string& name) {
  return AllOf(name, 64, "_") && !std::any_of(name.begin(), name.end(), absl::ascii_isupper);
}

// MariaDB takes no parameter for a password in CREATE USER, so it is
// restricted to characters that need no quoting.
bool IsSafePassword(const std::string& password) { return AllOf(password, 128, "_.:+=-"); }

}  // namespace

absl::Status ProvisionDatabase(const MysqlOptions& admin, const std::string& database,
                               const std::string& user, const std::string& password,
                               bool require_tls) {
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
                                    "` CHARACTER SET utf8mb4 COLLATE utf8mb4_nopad_bin"));
    for (const char* host : {"127.0.0.1", "localhost"}) {
      const std::string account = absl::StrCat("'", user, "'@'", host, "'");
      statement->execute(
          absl::StrCat("CREATE USER IF NOT EXISTS ", account, " IDENTIFIED BY '", password, "'"));
      statement->execute(absl::StrCat("ALTER USER ", account, " IDENTIFIED BY '", password, "'",
                                      require_tls ? " REQUIRE SSL" : " REQUIRE NONE"));
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
