// Where tests find the real broker and database, and hermetic pieces of them.
//
// tools/dev exports SHOP_KAFKA_BROKERS and SHOP_MYSQL_* (see `tools/dev env`);
// unset, the defaults match what `tools/dev up` starts.
#ifndef SHOP_COMMON_TESTING_INFRA_H_
#define SHOP_COMMON_TESTING_INFRA_H_

#include <sys/types.h>

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "common/mysql/options.h"

namespace shop::testing {

struct MysqlEndpoint {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;
  // The server's Unix socket (SHOP_MYSQL_SOCKET); empty when not known.
  std::string socket;

  // "tcp://host:port", the form Connector/C++ takes.
  std::string Url() const;
};

std::string KafkaBrokers();
// The broker's mutual-TLS listener, and the librdkafka settings (for
// --kafka_config) to reach it as `name`, with the certificates `tools/dev`
// made in SHOP_TLS_DIR (`tools/dev env` exports both).
std::string KafkaTlsBrokers();
std::string KafkaTlsConfig(const std::string& name);
MysqlEndpoint Mysql();

// The administrative account of the shared test database.
mysql::MysqlOptions AdminOptions();

// A name no other test run uses: prefix + time + random suffix, made of
// [a-z0-9_] so it is valid as a topic, group or database name.
std::string UniqueName(const std::string& prefix);

// Whether `topic` is named by UniqueName or lives in a namespace it named
// ("order_it_123_456.shop.order.events"): what tests leave on the broker.
bool IsUniquelyNamedTopic(const std::string& topic);

// A port nobody listens on right now.
int FreePort();

// A database and a user of its own, with grants on it alone, on the shared
// test server; dropped when the object goes away.
class TestDatabase {
 public:
  explicit TestDatabase(const std::string& prefix);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // Provisioning status; tests ASSERT on it.
  const absl::Status& status() const { return status_; }
  // Options for the service's own user on its own database.
  const mysql::MysqlOptions& options() const { return options_; }

 private:
  absl::Status status_;
  mysql::MysqlOptions options_;
};

// A private MariaDB server (own data directory, free loopback port) that a
// test may stop and start, e.g. to prove recovery from a database outage
// without disturbing other tests. Its root account has no password.
class ScratchMariaDb {
 public:
  ScratchMariaDb();
  ~ScratchMariaDb();

  // Serve TLS (from the next Start()) with this certificate, key and CA
  // (PEM files); empty strings: plain connections only again.
  void SetTls(std::string cert, std::string key, std::string ca) {
    tls_cert_ = std::move(cert);
    tls_key_ = std::move(key);
    tls_ca_ = std::move(ca);
  }

  absl::Status Start();
  // SIGTERM, and wait until the process is gone.
  absl::Status Stop();

  int port() const { return port_; }
  mysql::MysqlOptions AdminOptions() const;

 private:
  std::string dir_;
  std::string socket_;
  int port_ = 0;
  pid_t pid_ = -1;
  std::string tls_cert_, tls_key_, tls_ca_;
};

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_INFRA_H_
