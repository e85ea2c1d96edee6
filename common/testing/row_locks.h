// Probes for tests of units of work on the real database: whether another
// connection can lock a row right now, and how many prepared statements a
// transaction's connection has executed.
#ifndef SHOP_COMMON_TESTING_ROW_LOCKS_H_
#define SHOP_COMMON_TESTING_ROW_LOCKS_H_

#include <cstdint>
#include <string>

#include "common/mysql/connection_pool.h"
#include "common/mysql/transaction.h"

namespace shop::testing {

// Whether another connection of `pool` can lock the row `select` (a
// "SELECT ... WHERE key = ?" without FOR UPDATE) finds for `key`, at once.
bool Lockable(mysql::ConnectionPool& pool, const std::string& select, const std::string& key);

// Com_stmt_execute of the transaction's session (this probe counts as one).
int64_t StatementsExecuted(mysql::Transaction& tx);

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_ROW_LOCKS_H_
