// The one error taxonomy of the project: which failures of MySQL, Kafka and
// event handlers are worth retrying.
//
// Permanent is an explicit list: data errors (a value that does not fit or
// does not parse), constraint errors (duplicate key, foreign key, CHECK) and
// decode errors. A retry cannot fix them, so a consumer dead-letters the
// record and a relay parks the row. Everything else is transient and is
// retried with backoff, never skipped: lost connections, lock waits and
// deadlocks, KILL QUERY, statement timeouts, a full disk or table, a broker
// that is down, and whatever this list has not met yet. A Kafka client in a
// fatal state (for example a fatal idempotence error) is neither: it must be
// replaced.
//
// The codes: permanent data errors are INVALID_ARGUMENT, constraint errors
// ALREADY_EXISTS or FAILED_PRECONDITION; deadlocks and lock waits ABORTED
// (retry at once); the rest UNAVAILABLE (retry later).
#ifndef SHOP_COMMON_ERRORS_TAXONOMY_H_
#define SHOP_COMMON_ERRORS_TAXONOMY_H_

#include "absl/status/status.h"

namespace shop::errors {

// The status code for MariaDB/MySQL error number `error_number` (server
// errors 1000-1999 and 3000+, client errors 2000-2999).
absl::StatusCode MysqlErrorCode(int error_number);

// True when the connection that raised `error_number` cannot be used again.
bool IsMysqlConnectionLost(int error_number);

// The status code for librdkafka error `error` (an rd_kafka_resp_err_t).
// Authorization failures are PERMISSION_DENIED: permanent for a publisher.
absl::StatusCode KafkaErrorCode(int error);

// True for librdkafka's fatal error (the client must be replaced).
bool IsKafkaFatal(int error);

// True when retrying `status` cannot help: the explicit list of data,
// constraint and decode codes (INVALID_ARGUMENT, FAILED_PRECONDITION,
// ALREADY_EXISTS, OUT_OF_RANGE, NOT_FOUND). Everything else is transient.
bool IsPermanent(const absl::Status& status);

// For a publisher: IsPermanent, or an authorization failure (a record the
// broker will never accept from this client).
bool IsPermanentPublishFailure(const absl::Status& status);

}  // namespace shop::errors

#endif  // SHOP_COMMON_ERRORS_TAXONOMY_H_
