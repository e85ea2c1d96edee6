#include "common/tls/tls.h"

#include <fstream>
#include <sstream>

#include "absl/flags/flag.h"
#include "absl/strings/match.h"
#include "common/config/flags.h"

ABSL_FLAG(std::string, tls_cert, "",
          "this process's certificate chain (PEM); with --tls_key, its gRPC server (and the"
          " gateway's HTTP listener) speaks TLS and its gRPC clients present it");
ABSL_FLAG(std::string, tls_key, "", "the private key (PEM) of --tls_cert, an owner-only file");
ABSL_FLAG(std::string, tls_ca, "",
          "CA bundle (PEM) that peers' certificates must chain to; on a gRPC server it requires"
          " client certificates (mutual TLS)");

namespace shop::tls {
namespace {

absl::StatusOr<std::string> ReadPublicFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError("cannot read " + path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::Status Expect(const std::string& pem, const char* marker, const std::string& path) {
  if (absl::StrContains(pem, marker)) return absl::OkStatus();
  return absl::InvalidArgumentError(path + " holds no PEM " + std::string(marker));
}

}  // namespace

TlsFiles FromFlags() {
  return {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key), absl::GetFlag(FLAGS_tls_ca)};
}

absl::StatusOr<TlsMaterial> Load(const TlsFiles& files) {
  if (files.cert.empty() != files.key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  TlsMaterial material;
  if (!files.cert.empty()) {
    auto cert = ReadPublicFile(files.cert);
    if (!cert.ok()) return cert.status();
    if (auto ok = Expect(*cert, "CERTIFICATE", files.cert); !ok.ok()) return ok;
    auto key = config::ReadPrivateFile(files.key);
    if (!key.ok()) return key.status();
    if (auto ok = Expect(*key, "PRIVATE KEY", files.key); !ok.ok()) return ok;
    material.cert_pem = *std::move(cert);
    material.key_pem = *std::move(key);
  }
  if (!files.ca.empty()) {
    auto ca = ReadPublicFile(files.ca);
    if (!ca.ok()) return ca.status();
    if (auto ok = Expect(*ca, "CERTIFICATE", files.ca); !ok.ok()) return ok;
    material.ca_pem = *std::move(ca);
  }
  return material;
}

absl::StatusOr<TlsMaterial> LoadForServer(const TlsFiles& files) {
  if (files.cert.empty()) {
    return absl::InvalidArgumentError("a TLS server needs --tls_cert and --tls_key");
  }
  return Load(files);
}

}  // namespace shop::tls
