// Versioned schema migrations, applied once each and recorded.
//
// Each component (a service, or a common library such as the outbox) has
// numbered SQL files, compiled into the binary with the sql_migrations()
// macro (//tools/build:sql.bzl). Apply() runs the ones not yet recorded in
// schema_migrations, in order, under a named lock so that concurrent starts
// do not race; it is safe to call at every start. An applied migration whose
// text has changed is an error: add a new one instead.
#ifndef SHOP_COMMON_MYSQL_MIGRATIONS_H_
#define SHOP_COMMON_MYSQL_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/mysql/connection_pool.h"

namespace shop::mysql {

struct Migration {
  int version = 0;
  std::string name;
  std::string sql;  // one or more statements separated by ";" at line ends
};

// Splits a migration into statements: on ";" at the end of a line, or on
// the delimiter a "DELIMITER //" line sets, as the mysql client does (a
// stored procedure's body holds statements of its own).
std::vector<std::string> SplitStatements(absl::string_view sql);

// Applies the pending migrations of `component`; returns how many ran.
absl::StatusOr<int> ApplyMigrations(ConnectionPool& pool, absl::string_view component,
                                    const std::vector<Migration>& migrations);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_MIGRATIONS_H_
