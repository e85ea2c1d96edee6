#include "common/testing/row_locks.h"

#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include <memory>

namespace shop::testing {

bool Lockable(mysql::ConnectionPool& pool, const std::string& select, const std::string& key) {
  auto other = pool.Acquire();
  if (!other.ok()) return false;
  sql::PreparedStatement& probe = other->Prepare(select + " FOR UPDATE NOWAIT");
  probe.setString(1, key);
  try {
    std::unique_ptr<sql::ResultSet>(probe.executeQuery());
    return true;
  } catch (const sql::SQLException&) {
    return false;
  }
}

int64_t StatementsExecuted(mysql::Transaction& tx) {
  sql::PreparedStatement& show = tx.Prepare("SHOW SESSION STATUS LIKE 'Com_stmt_execute'");
  std::unique_ptr<sql::ResultSet> row(show.executeQuery());
  return row->next() ? row->getInt64(2) : -1;
}

}  // namespace shop::testing
