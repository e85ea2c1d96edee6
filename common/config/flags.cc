#include "common/config/flags.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace shop::config {

std::string EnvironmentName(absl::string_view flag_name) {
  return absl::StrCat("SHOP_", absl::AsciiStrToUpper(flag_name));
}

absl::Status ApplyEnvironment() {
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    const std::string variable = EnvironmentName(name);
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) continue;
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(
          absl::StrCat(variable, "=", value, " is not a valid value for --", name, ": ", error));
    }
  }
  return absl::OkStatus();
}

std::vector<char*> ParseFlags(int argc, char** argv) {
  if (absl::Status status = ApplyEnvironment(); !status.ok()) {
    std::fprintf(stderr, "%s\n", std::string(status.message()).c_str());
    std::exit(2);
  }
  return absl::ParseCommandLine(argc, argv);
}

absl::StatusOr<std::string> ReadPrivateFile(const std::string& path) {
  struct stat info;
  if (stat(path.c_str(), &info) != 0) return absl::NotFoundError("no secret file " + path);
  if ((info.st_mode & 077) != 0) {
    return absl::PermissionDeniedError(path + " can be read by others: chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in) return absl::NotFoundError("cannot read " + path);
  return contents.str();
}

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  auto contents = ReadPrivateFile(path);
  if (!contents.ok()) return contents.status();
  std::string secret = contents->substr(0, contents->find('\n'));
  if (!secret.empty() && secret.back() == '\r') secret.pop_back();
  if (secret.empty()) return absl::NotFoundError(path + " is empty");
  return secret;
}

}  // namespace shop::config
