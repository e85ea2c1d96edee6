// Command-line flags (absl flags) with environment overrides: a flag
// --mysql_port can also be set as SHOP_MYSQL_PORT. The command line wins
// over the environment, which wins over the default.
#ifndef SHOP_COMMON_CONFIG_FLAGS_H_
#define SHOP_COMMON_CONFIG_FLAGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace shop::config {

// "mysql_port" -> "SHOP_MYSQL_PORT".
std::string EnvironmentName(absl::string_view flag_name);

// Sets every registered flag that has an environment variable. A value that
// does not parse is an error naming the variable.
absl::Status ApplyEnvironment();

// ApplyEnvironment, then absl::ParseCommandLine. Exits with a message on a
// bad value. Returns the positional arguments.
std::vector<char*> ParseFlags(int argc, char** argv);

// A secret kept in a file (a password, a key): its first line, without the
// line end. Refused when the file can be read by anyone but its owner
// (mode & 077), like ssh does with a private key; NOT_FOUND when missing.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// The whole of such an owner-only file (a private key in PEM), same checks.
absl::StatusOr<std::string> ReadPrivateFile(const std::string& path);

}  // namespace shop::config

#endif  // SHOP_COMMON_CONFIG_FLAGS_H_
