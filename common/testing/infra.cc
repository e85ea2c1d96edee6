#include "common/testing/infra.h"

#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include "absl/random/random.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/mysql/connection_pool.h"
#include "common/mysql/provision.h"

extern char** environ;

namespace shop::testing {
namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

absl::Status RunAndWait(const std::vector<std::string>& args, const std::string& log) {
  std::string command;
  for (const auto& arg : args) absl::StrAppend(&command, "'", arg, "' ");
  absl::StrAppend(&command, "> '", log, "' 2>&1");
  if (std::system(command.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("failed: ", command));
  }
  return absl::OkStatus();
}

}  // namespace

std::string MysqlEndpoint::Url() const { return absl::StrCat("tcp://", host, ":", port); }

std::string KafkaBrokers() { return EnvOr("SHOP_KAFKA_BROKERS", "127.0.0.1:19092"); }

std::string KafkaTlsBrokers() { return EnvOr("SHOP_KAFKA_TLS_BROKERS", "127.0.0.1:19094"); }

std::string KafkaTlsConfig(const std::string& name) {
  const std::string dir = EnvOr("SHOP_TLS_DIR", "");
  return absl::StrCat("security.protocol=SSL,ssl.ca.location=", dir, "/ca.pem,",
                      "ssl.certificate.location=", dir, "/", name, ".pem,",
                      "ssl.key.location=", dir, "/", name, ".key");
}

MysqlEndpoint Mysql() {
  MysqlEndpoint endpoint;
  endpoint.host = EnvOr("SHOP_MYSQL_HOST", "127.0.0.1");
  if (!absl::SimpleAtoi(EnvOr("SHOP_MYSQL_PORT", "13306"), &endpoint.port)) endpoint.port = 13306;
  endpoint.user = EnvOr("SHOP_MYSQL_USER", "shop_admin");
  endpoint.password = EnvOr("SHOP_MYSQL_PASSWORD", "shop_admin");
  endpoint.socket = EnvOr("SHOP_MYSQL_SOCKET", "");
  return endpoint;
}

mysql::MysqlOptions AdminOptions() {
  const MysqlEndpoint endpoint = Mysql();
  mysql::MysqlOptions options;
  options.host = endpoint.host;
  options.port = endpoint.port;
  options.user = endpoint.user;
  options.password = endpoint.password;
  options.connect_timeout = absl::Seconds(3);
  return options;
}

std::string UniqueName(const std::string& prefix) {
  static absl::BitGen bitgen;
  return absl::StrCat(prefix, "_", absl::ToUnixMillis(absl::Now()) % 100000000, "_",
                      absl::Uniform<uint32_t>(bitgen, 0, 1u << 30));
}

bool IsUniquelyNamedTopic(const std::string& topic) {
  static const std::regex kPattern("[a-z][a-z0-9_]*_[0-9]{1,8}_[0-9]{1,10}(\\..*)?");
  return std::regex_match(topic, kPattern);
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TestDatabase::TestDatabase(const std::string& prefix) {
  const std::string name = UniqueName(prefix);
  options_ = AdminOptions();
  options_.database = name;
  options_.user = name.substr(0, 32);  // MariaDB user names: at most 80, keep short
  options_.password = absl::StrCat("pw_", name);
  status_ =
      mysql::ProvisionDatabase(AdminOptions(), options_.database, options_.user, options_.password);
  if (!status_.ok()) {
    status_ = absl::Status(
        status_.code(), absl::StrCat("cannot provision a test database on ", Mysql().Url(),
                                     " (start MariaDB with `tools/dev up`): ", status_.message()));
  }
}

TestDatabase::~TestDatabase() {
  if (status_.ok())
    mysql::DropDatabase(AdminOptions(), options_.database, options_.user).IgnoreError();
}

ScratchMariaDb::ScratchMariaDb() {
  const char* tmp = std::getenv("TEST_TMPDIR");
  dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", UniqueName("scratch_mariadb"));
  // Unix socket paths are limited to 108 bytes; keep it short.
  socket_ = absl::StrCat("/tmp/", UniqueName("mdb"), ".sock");
  port_ = FreePort();
}

ScratchMariaDb::~ScratchMariaDb() {
  Stop().IgnoreError();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

mysql::MysqlOptions ScratchMariaDb::AdminOptions() const {
  mysql::MysqlOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.user = "root";
  options.password = "";
  options.connect_timeout = absl::Seconds(2);
  options.io_timeout = absl::Seconds(5);
  return options;
}

absl::Status ScratchMariaDb::Start() {
  if (pid_ > 0) return absl::OkStatus();
  if (!std::filesystem::exists(dir_ + "/data/mysql")) {
    std::filesystem::create_directories(dir_);
    absl::Status installed = RunAndWait(
        {"/usr/bin/mariadb-install-db", "--no-defaults", absl::StrCat("--datadir=", dir_, "/data"),
         "--auth-root-authentication-method=normal", "--skip-test-db",
         absl::StrCat("--user=", EnvOr("USER", "root"))},
        dir_ + "/install.log");
    if (!installed.ok()) return installed;
  }
  std::vector<std::string> args = {"mariadbd",
                                   "--no-defaults",
                                   absl::StrCat("--datadir=", dir_, "/data"),
                                   absl::StrCat("--port=", port_),
                                   "--bind-address=127.0.0.1",
                                   absl::StrCat("--socket=", socket_),
                                   absl::StrCat("--log-error=", dir_, "/error.log"),
                                   absl::StrCat("--pid-file=", dir_, "/mariadbd.pid"),
                                   "--skip-name-resolve",
                                   "--innodb-buffer-pool-size=64M",
                                   "--user=root"};
  if (!tls_cert_.empty()) {
    args.push_back("--ssl-cert=" + tls_cert_);
    args.push_back("--ssl-key=" + tls_key_);
    args.push_back("--ssl-ca=" + tls_ca_);
  }
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, "/usr/sbin/mariadbd", nullptr, nullptr, argv.data(), environ) != 0) {
    pid_ = -1;
    return absl::InternalError("cannot start mariadbd");
  }
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    if (mysql::Connect(AdminOptions()).ok()) return absl::OkStatus();
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError(absl::StrCat("mariadbd exited; see ", dir_, "/error.log"));
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::DeadlineExceededError("scratch MariaDB did not answer within 30 s");
}

absl::Status ScratchMariaDb::Stop() {
  if (pid_ <= 0) return absl::OkStatus();
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return absl::OkStatus();
}

}  // namespace shop::testing
