// Certificates for a test, from the development CA script
// (tools/tls/make_certs.sh): a CA of the test's own and certificates it
// signed, in a directory under TEST_TMPDIR.
#ifndef SHOP_COMMON_TESTING_TEST_CERTS_H_
#define SHOP_COMMON_TESTING_TEST_CERTS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/tls/tls.h"

namespace shop::testing {

class TestCerts {
 public:
  // A new CA in TEST_TMPDIR/<dir_name>, and a certificate for each name
  // (SAN localhost, the name and 127.0.0.1; server and client use).
  TestCerts(const std::string& dir_name, const std::vector<std::string>& names);

  const absl::Status& status() const { return status_; }
  std::string ca() const { return dir_ + "/ca.pem"; }
  std::string cert(const std::string& name) const { return dir_ + "/" + name + ".pem"; }
  std::string key(const std::string& name) const { return dir_ + "/" + name + ".key"; }
  // `name`'s certificate and key with this CA: mTLS either way.
  tls::TlsFiles Files(const std::string& name) const { return {cert(name), key(name), ca()}; }
  // The --tls_* flags for a process presenting `name`.
  std::vector<std::string> Flags(const std::string& name) const;

 private:
  std::string dir_;
  absl::Status status_;
};

}  // namespace shop::testing

#endif  // SHOP_COMMON_TESTING_TEST_CERTS_H_
