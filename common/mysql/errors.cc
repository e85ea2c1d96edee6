#include "common/mysql/errors.h"

#include "absl/strings/str_cat.h"
#include "common/errors/taxonomy.h"

namespace shop::mysql {

bool IsConnectionLost(int error_number) { return errors::IsMysqlConnectionLost(error_number); }

absl::StatusCode CodeForMysqlError(int error_number) {
  return errors::MysqlErrorCode(error_number);
}

absl::Status FromSqlException(const sql::SQLException& error, absl::string_view what) {
  return absl::Status(CodeForMysqlError(error.getErrorCode()),
                      absl::StrCat(what, ": MySQL error ", error.getErrorCode(), " (",
                                   std::string(error.getSQLState()), "): ", error.what()));
}

}  // namespace shop::mysql
