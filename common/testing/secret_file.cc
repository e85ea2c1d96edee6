#include "common/testing/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace shop::testing {

std::string WriteSecretFile(const std::string& path, const std::string& secret) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const std::string content = secret + "\n";
  // An existing file keeps its mode through O_TRUNC: set it as well.
  if (fd < 0 || ::fchmod(fd, 0600) != 0 ||
      ::write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
    std::perror(("writing the secret file " + path).c_str());
    std::abort();
  }
  ::close(fd);
  return path;
}

}  // namespace shop::testing
