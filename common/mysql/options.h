// How to reach one MariaDB/MySQL database.
#ifndef SHOP_COMMON_MYSQL_OPTIONS_H_
#define SHOP_COMMON_MYSQL_OPTIONS_H_

#include <string>

#include "absl/time/time.h"

namespace shop::mysql {

struct MysqlOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  // A Unix socket path: used instead of host and port when set. For a
  // server on the same machine, a round trip through a socket costs the
  // kernel less than one through loopback TCP. (No TLS over it.)
  std::string socket;
  std::string user;
  std::string password;
  // Empty: no default schema (administrative connections).
  std::string database;
  // TLS: a CA requires TLS and verifies the server's certificate and name
  // against it (a server without TLS, or another certificate, is refused).
  // A certificate and key are presented for users created REQUIRE X509.
  std::string tls_ca;
  std::string tls_cert;
  std::string tls_key;
  // Most connections open at once; callers beyond it wait.
  int pool_size = 16;
  absl::Duration connect_timeout = absl::Seconds(3);
  // Read and write timeout of one round trip: a stalled server surfaces as
  // UNAVAILABLE instead of a hang.
  absl::Duration io_timeout = absl::Seconds(10);
};

}  // namespace shop::mysql

#endif  // SHOP_COMMON_MYSQL_OPTIONS_H_
