// A secret (password, signing key) handed to a process under test the way
// production hands it: in a file only its owner can read.
#ifndef SHOP_COMMON_TESTING_SECRET_FILE_H_
#define SHOP_COMMON_TESTING_SECRET_FILE_H_

#include <string>

namespace shop::testing {

// Writes `secret` and a line end to `path`, created (or truncated) with mode
// 0600 so that no other user can read it even for a moment; returns `path`.
// Aborts the test program when the file cannot be written.
std::string WriteSecretFile(const std::string& path, const std::string& secret);

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_SECRET_FILE_H_
