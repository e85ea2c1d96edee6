// Where the integration tests find the real broker and database.
//
// tools/dev exports SHOP_KAFKA_BROKERS and SHOP_MYSQL_* (see `tools/dev env`);
// unset, the defaults match what `tools/dev up` starts.
#ifndef SHOP_INTEGRATION_TESTS_INFRA_H_
#define SHOP_INTEGRATION_TESTS_INFRA_H_

#include <string>

namespace shop::testing {

struct MysqlEndpoint {
  std::string host;
  int port = 0;
  std::string user;
  std::string password;

  // "tcp://host:port", the form Connector/C++ takes.
  std::string Url() const;
};

std::string KafkaBrokers();
MysqlEndpoint Mysql();

// A name no other test run uses: prefix + time + random suffix, made of
// [a-z0-9_] so it is valid as a topic, group or database name.
std::string UniqueName(const std::string& prefix);

}  // namespace shop::testing

#endif  // SHOP_INTEGRATION_TESTS_INFRA_H_
