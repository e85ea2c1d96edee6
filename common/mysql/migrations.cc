#include "common/mysql/migrations.h"

#include <cppconn/exception.h>
#include <cppconn/resultset.h>
#include <zlib.h>

#include <algorithm>
#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/logging/log.h"
#include "common/mysql/errors.h"

namespace shop::mysql {
namespace {

int64_t Checksum(absl::string_view text) {
  return static_cast<int64_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size())));
}

}  // namespace

std::vector<std::string> SplitStatements(absl::string_view sql) {
  std::vector<std::string> statements;
  std::string current;
  std::string delimiter = ";";
  for (absl::string_view line : absl::StrSplit(sql, '\n')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(line);
    if (trimmed.empty() || absl::StartsWith(trimmed, "--")) continue;
    if (absl::StartsWith(trimmed, "DELIMITER ") && absl::StripAsciiWhitespace(current).empty()) {
      delimiter = std::string(absl::StripAsciiWhitespace(trimmed.substr(10)));
      continue;
    }
    absl::StrAppend(&current, line, "\n");
    if (absl::EndsWith(trimmed, delimiter)) {
      current = std::string(absl::StripAsciiWhitespace(current));
      current.resize(current.size() - delimiter.size());
      statements.push_back(std::string(absl::StripAsciiWhitespace(current)));
      current.clear();
    }
  }
  if (!absl::StripAsciiWhitespace(current).empty()) {
    statements.push_back(std::string(absl::StripAsciiWhitespace(current)));
  }
  return statements;
}

absl::StatusOr<int> ApplyMigrations(ConnectionPool& pool, absl::string_view component,
                                    const std::vector<Migration>& migrations) {
  auto connection = pool.Acquire();
  if (!connection.ok()) return connection.status();
  PooledConnection& db = *connection;
  const std::string lock_name = absl::StrCat("migrations:", pool.options().database);
  int applied = 0;
  try {
    db.Execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " component VARCHAR(64) NOT NULL,"
        " version INT NOT NULL,"
        " name VARCHAR(255) NOT NULL,"
        " checksum BIGINT NOT NULL,"
        " applied_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
        " PRIMARY KEY (component, version)) ENGINE=InnoDB");
    {
      sql::PreparedStatement& lock = db.Prepare("SELECT GET_LOCK(?, 60)");
      lock.setString(1, lock_name);
      std::unique_ptr<sql::ResultSet> result(lock.executeQuery());
      if (!result->next() || result->getInt(1) != 1) {
        return absl::UnavailableError("timed out waiting for the migrations lock");
      }
    }
    std::map<int, int64_t> recorded;
    {
      sql::PreparedStatement& select =
          db.Prepare("SELECT version, checksum FROM schema_migrations WHERE component = ?");
      select.setString(1, std::string(component));
      std::unique_ptr<sql::ResultSet> rows(select.executeQuery());
      while (rows->next()) recorded[rows->getInt(1)] = rows->getInt64(2);
    }
    std::vector<const Migration*> ordered;
    for (const Migration& migration : migrations) ordered.push_back(&migration);
    std::sort(ordered.begin(), ordered.end(),
              [](const Migration* a, const Migration* b) { return a->version < b->version; });
    absl::Status status;
    for (const Migration* migration : ordered) {
      const int64_t checksum = Checksum(migration->sql);
      if (auto it = recorded.find(migration->version); it != recorded.end()) {
        if (it->second != checksum) {
          status = absl::FailedPreconditionError(
              absl::StrCat(component, " migration ", migration->version, " (", migration->name,
                           ") was changed after it was applied; add a new migration instead"));
          break;
        }
        continue;
      }
      for (const std::string& statement : SplitStatements(migration->sql)) db.Execute(statement);
      sql::PreparedStatement& record = db.Prepare(
          "INSERT INTO schema_migrations (component, version, name, checksum) VALUES (?, ?, ?, ?)");
      record.setString(1, std::string(component));
      record.setInt(2, migration->version);
      record.setString(3, migration->name);
      record.setInt64(4, checksum);
      record.executeUpdate();
      ++applied;
      log::Info("applied migration", {{"component", std::string(component)},
                                      {"version", int64_t{migration->version}},
                                      {"name", migration->name}});
    }
    sql::PreparedStatement& unlock = db.Prepare("SELECT RELEASE_LOCK(?)");
    unlock.setString(1, lock_name);
    std::unique_ptr<sql::ResultSet>(unlock.executeQuery());
    if (!status.ok()) return status;
  } catch (const sql::SQLException& error) {
    if (IsConnectionLost(error.getErrorCode())) db.MarkBroken();
    return FromSqlException(error, absl::StrCat("applying ", component, " migrations"));
  }
  return applied;
}

}  // namespace shop::mysql
