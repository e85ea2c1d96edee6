#include "common/errors/taxonomy.h"

#include <librdkafka/rdkafka.h>

namespace shop::errors {

bool IsMysqlConnectionLost(int error_number) {
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

absl::StatusCode MysqlErrorCode(int error_number) {
  switch (error_number) {
    // Data errors: the value does not fit the column or does not parse.
    case 1048:  // ER_BAD_NULL_ERROR
    case 1264:  // ER_WARN_DATA_OUT_OF_RANGE
    case 1265:  // WARN_DATA_TRUNCATED
    case 1292:  // ER_TRUNCATED_WRONG_VALUE
    case 1364:  // ER_NO_DEFAULT_FOR_FIELD
    case 1365:  // ER_DIVISION_BY_ZERO
    case 1366:  // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD
    case 1367:  // ER_ILLEGAL_VALUE_FOR_TYPE
    case 1406:  // ER_DATA_TOO_LONG
    case 1411:  // ER_WRONG_VALUE_FOR_TYPE
    case 1690:  // ER_DATA_OUT_OF_RANGE
    case 4038:  // ER_JSON_SYNTAX
      return absl::StatusCode::kInvalidArgument;
    // Constraint errors.
    case 1022:  // ER_DUP_KEY
    case 1062:  // ER_DUP_ENTRY
    case 1586:  // ER_DUP_ENTRY_WITH_KEY_NAME
      return absl::StatusCode::kAlreadyExists;
    case 1216:  // ER_NO_REFERENCED_ROW
    case 1217:  // ER_ROW_IS_REFERENCED
    case 1451:  // ER_ROW_IS_REFERENCED_2
    case 1452:  // ER_NO_REFERENCED_ROW_2
    case 4025:  // ER_CONSTRAINT_FAILED (CHECK)
      return absl::StatusCode::kFailedPrecondition;
    // Retry at once: the other transaction has finished.
    case 1205:  // ER_LOCK_WAIT_TIMEOUT
    case 1213:  // ER_LOCK_DEADLOCK
      return absl::StatusCode::kAborted;
    // Transient for a running service (a grant may be restored), but worth
    // its own code at start-up.
    case 1044:  // ER_DBACCESS_DENIED_ERROR
    case 1045:  // ER_ACCESS_DENIED_ERROR
    case 1142:  // ER_TABLEACCESS_DENIED_ERROR
      return absl::StatusCode::kPermissionDenied;
    // Everything else: lost connections, KILL QUERY (1317), statement
    // timeouts (1969), disk full (1021), table full (1114), too many
    // connections (1040), read-only (1290), unknown table (1146), ...
    default:
      return absl::StatusCode::kUnavailable;
  }
}

absl::StatusCode KafkaErrorCode(int error) {
  switch (static_cast<rd_kafka_resp_err_t>(error)) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return absl::StatusCode::kOk;
    // The record itself: no broker will ever take it.
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_MSG:
    case RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_FOR_MESSAGE_FORMAT:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR__BAD_MSG:
      return absl::StatusCode::kInvalidArgument;
    case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
    case RD_KAFKA_RESP_ERR_TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
      return absl::StatusCode::kPermissionDenied;
    case RD_KAFKA_RESP_ERR__FATAL:
      return absl::StatusCode::kInternal;
    // Everything else: brokers down, timeouts, leader moves, full queues.
    default:
      return absl::StatusCode::kUnavailable;
  }
}

bool IsKafkaFatal(int error) { return error == RD_KAFKA_RESP_ERR__FATAL; }

bool IsPermanent(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kNotFound:
      return true;
    default:
      return false;
  }
}

bool IsPermanentPublishFailure(const absl::Status& status) {
  return IsPermanent(status) || status.code() == absl::StatusCode::kPermissionDenied;
}

}  // namespace shop::errors
