#include "common/tls/tls.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "gtest/gtest.h"

namespace shop::tls {
namespace {

class TlsLoadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::string(std::getenv("TEST_TMPDIR")) + "/certs";
    const std::string command = "tools/tls/make_certs.sh " + dir_ + " svc";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  static std::string dir_;
};
std::string TlsLoadTest::dir_;

TEST_F(TlsLoadTest, ReadsCertificateKeyAndCa) {
  auto material = Load({dir_ + "/svc.pem", dir_ + "/svc.key", dir_ + "/ca.pem"});
  ASSERT_TRUE(material.ok()) << material.status();
  EXPECT_NE(material->cert_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  EXPECT_NE(material->key_pem.find("PRIVATE KEY"), std::string::npos);
  EXPECT_NE(material->ca_pem.find("BEGIN CERTIFICATE"), std::string::npos);
  // A client verifying the server only.
  auto ca_only = Load({"", "", dir_ + "/ca.pem"});
  ASSERT_TRUE(ca_only.ok()) << ca_only.status();
  EXPECT_EQ(ca_only->cert_pem, "");
}

TEST_F(TlsLoadTest, RefusesHalfAPairMissingFilesWrongContentsAndAnOpenKey) {
  EXPECT_EQ(Load({dir_ + "/svc.pem", "", ""}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Load({"", dir_ + "/svc.key", ""}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Load({dir_ + "/missing.pem", dir_ + "/svc.key", ""}).status().code(),
            absl::StatusCode::kNotFound);
  // The key where the certificate belongs, the certificate where the key does.
  const std::string swapped = dir_ + "/swapped.key";
  std::ofstream(swapped) << "-----BEGIN CERTIFICATE-----\n";
  chmod(swapped.c_str(), 0600);
  EXPECT_EQ(Load({dir_ + "/svc.pem", swapped, ""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Load({"", "", dir_ + "/svc.key"}).status().code(), absl::StatusCode::kInvalidArgument);
  const std::string open_key = dir_ + "/open.key";
  std::ifstream in(dir_ + "/svc.key");
  std::ofstream(open_key) << in.rdbuf();
  chmod(open_key.c_str(), 0644);
  EXPECT_EQ(Load({dir_ + "/svc.pem", open_key, ""}).status().code(),
            absl::StatusCode::kPermissionDenied);
  // A server needs a certificate of its own.
  EXPECT_EQ(LoadForServer({"", "", dir_ + "/ca.pem"}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace shop::tls
