#include "common/testing/test_certs.h"

#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace shop::testing {

TestCerts::TestCerts(const std::string& dir_name, const std::vector<std::string>& names) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  dir_ = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/", dir_name);
  const std::string command =
      absl::StrCat("tools/tls/make_certs.sh ", dir_, " ", absl::StrJoin(names, " "), " >&2");
  if (std::system(command.c_str()) != 0) status_ = absl::InternalError("failed: " + command);
}

std::vector<std::string> TestCerts::Flags(const std::string& name) const {
  return {"--tls_cert=" + cert(name), "--tls_key=" + key(name), "--tls_ca=" + ca()};
}

}  // namespace shop::testing
