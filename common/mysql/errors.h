// Maps Connector/C++ exceptions to absl::Status codes that say what a caller
// should do, by the project's one taxonomy (common/errors/taxonomy.h):
// ABORTED (deadlock or lock wait: retry now), ALREADY_EXISTS (duplicate key),
// INVALID_ARGUMENT or FAILED_PRECONDITION (data and constraint errors:
// permanent), UNAVAILABLE (everything else: retry later).
#ifndef SHOP_COMMON_MYSQL_ERRORS_H_
#define SHOP_COMMON_MYSQL_ERRORS_H_

#include <cppconn/exception.h>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace shop::mysql {

// MariaDB/MySQL error numbers the code reacts to.
inline constexpr int kErrDuplicateKey = 1062;
inline constexpr int kErrLockWaitTimeout = 1205;
inline constexpr int kErrDeadlock = 1213;

absl::StatusCode CodeForMysqlError(int error_number);

// True when the connection that raised the error cannot be used again.
bool IsConnectionLost(int error_number);

// A status for `error` raised while doing `what`.
absl::Status FromSqlException(const sql::SQLException& error, absl::string_view what);

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_ERRORS_H_
