// Command-line arguments that point the event fixture program at a database.
#ifndef SHOP_COMMON_TESTING_FIXTURE_ARGS_H_
#define SHOP_COMMON_TESTING_FIXTURE_ARGS_H_

#include <string>
#include <vector>

#include "common/mysql/options.h"
#include "common/testing/infra.h"

namespace shop::testing {

inline constexpr char kEventFixture[] = "common/testing/event_fixture_main";

inline std::vector<std::string> FixtureArgs(const mysql::MysqlOptions& options,
                                            std::vector<std::string> extra) {
  std::vector<std::string> args = {
      "--brokers=" + KafkaBrokers(),
      "--mysql_host=" + options.host,
      "--mysql_port=" + std::to_string(options.port),
      "--mysql_user=" + options.user,
      "--mysql_password=" + options.password,
      "--mysql_database=" + options.database,
  };
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_FIXTURE_ARGS_H_
