#include "integration_tests/infra.h"

#include <cstdlib>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace shop::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

}  // namespace

std::string MysqlEndpoint::Url() const { return absl::StrCat("tcp://", host, ":", port); }

std::string KafkaBrokers() { return EnvOr("SHOP_KAFKA_BROKERS", "127.0.0.1:19092"); }

MysqlEndpoint Mysql() {
  MysqlEndpoint endpoint;
  endpoint.host = EnvOr("SHOP_MYSQL_HOST", "127.0.0.1");
  if (!absl::SimpleAtoi(EnvOr("SHOP_MYSQL_PORT", "13306"), &endpoint.port)) endpoint.port = 13306;
  endpoint.user = EnvOr("SHOP_MYSQL_USER", "shop_admin");
  endpoint.password = EnvOr("SHOP_MYSQL_PASSWORD", "shop_admin");
  return endpoint;
}

std::string UniqueName(const std::string& prefix) {
  static absl::BitGen bitgen;
  return absl::StrCat(prefix, "_", absl::ToUnixMillis(absl::Now()), "_",
                      absl::Uniform<uint32_t>(bitgen, 0, 1u << 30));
}

}  // namespace shop::testing
