#include "common/testing/service_process.h"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/testing/infra.h"
#include "common/testing/secret_file.h"

namespace shop::testing {

ServiceProcess::ServiceProcess(std::string binary, mysql::MysqlOptions database,
                               std::string topic_namespace, std::vector<std::string> extra_args)
    : binary_(std::move(binary)),
      database_(std::move(database)),
      topic_namespace_(std::move(topic_namespace)),
      extra_args_(std::move(extra_args)) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string name = UniqueName(std::filesystem::path(binary_).filename().string());
  port_file_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name, ".port");
  password_file_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", name, ".password");
  // Service logs go to the test's undeclared outputs, kept by Bazel.
  const char* outputs = std::getenv("TEST_UNDECLARED_OUTPUTS_DIR");
  log_path_ = absl::StrCat(outputs != nullptr ? outputs : (tmp != nullptr ? tmp : "/tmp"), "/",
                           name, ".log");
}

ServiceProcess::~ServiceProcess() { Kill(); }

absl::Status ServiceProcess::Start() {
  std::filesystem::remove(port_file_);
  WriteSecretFile(password_file_, database_.password);
  std::vector<std::string> args = {
      "--grpc_address=127.0.0.1:0",
      "--port_file=" + port_file_,
      "--brokers=" + KafkaBrokers(),
      "--topic_namespace=" + topic_namespace_,
      "--mysql_host=" + database_.host,
      "--mysql_port=" + std::to_string(database_.port),
      "--mysql_user=" + database_.user,
      // In a file, never on the command line (ps shows command lines).
      "--mysql_password_file=" + password_file_,
      "--mysql_database=" + database_.database,
      "--log_file=" + log_path_,
  };
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  process_ = std::make_unique<ChildProcess>(binary_, args);
  if (!process_->started()) return absl::InternalError("cannot start " + binary_);
  const absl::Time deadline = absl::Now() + absl::Seconds(60);
  while (absl::Now() < deadline) {
    std::ifstream in(port_file_);
    if (in >> port_ && port_ > 0) return absl::OkStatus();
    if (process_->Wait(absl::Milliseconds(50))) {
      return absl::InternalError(absl::StrCat(binary_, " exited with code ", process_->exit_code(),
                                              " during start; log: ", log_path_));
    }
  }
  return absl::DeadlineExceededError(binary_ + " did not serve within 60 s; log: " + log_path_);
}

absl::Status ServiceProcess::Stop() {
  if (process_ == nullptr) return absl::OkStatus();
  process_->Kill(SIGTERM);
  if (!process_->Wait(absl::Seconds(30))) {
    process_.reset();
    return absl::DeadlineExceededError(binary_ + " ignored SIGTERM for 30 s");
  }
  const int code = process_->exit_code();
  process_.reset();
  if (code != 0) return absl::InternalError(absl::StrCat(binary_, " exited with code ", code));
  return absl::OkStatus();
}

void ServiceProcess::Kill() { process_.reset(); }

bool ServiceProcess::running() {
  return process_ != nullptr && !process_->Wait(absl::ZeroDuration());
}

}  // namespace shop::testing
