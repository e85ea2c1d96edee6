#include "common/mysql/errors.h"

#include "absl/strings/str_cat.h"

namespace shop::mysql {

bool IsConnectionLost(int error_number) {
  switch (error_number) {
    case 1053:  // ER_SERVER_SHUTDOWN
    case 1927:  // ER_CONNECTION_KILLED
    case 2002:  // CR_CONNECTION_ERROR
    case 2003:  // CR_CONN_HOST_ERROR
    case 2006:  // CR_SERVER_GONE_ERROR
    case 2013:  // CR_SERVER_LOST
    case 2026:  // CR_SSL_CONNECTION_ERROR
    case 2055:  // CR_SERVER_LOST_EXTENDED
    case 0:     // the connector's own "connection closed" errors carry no number
      return true;
    default:
      return false;
  }
}

absl::StatusCode CodeForMysqlError(int error_number) {
  if (IsConnectionLost(error_number)) return absl::StatusCode::kUnavailable;
  switch (error_number) {
    case kErrDeadlock:
    case kErrLockWaitTimeout:
      return absl::StatusCode::kAborted;
    case kErrDuplicateKey:
      return absl::StatusCode::kAlreadyExists;
    case 1040:  // ER_CON_COUNT_ERROR: too many connections
    case 1203:  // ER_TOO_MANY_USER_CONNECTIONS
      return absl::StatusCode::kUnavailable;
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
      return absl::StatusCode::kPermissionDenied;
    case 1049:  // ER_BAD_DB_ERROR
    case 1146:  // ER_NO_SUCH_TABLE
      return absl::StatusCode::kFailedPrecondition;
    default:
      return absl::StatusCode::kInternal;
  }
}

absl::Status FromSqlException(const sql::SQLException& error, absl::string_view what) {
  return absl::Status(CodeForMysqlError(error.getErrorCode()),
                      absl::StrCat(what, ": MySQL error ", error.getErrorCode(), " (",
                                   std::string(error.getSQLState()), "): ", error.what()));
}

}  // namespace shop::mysql
