// TLS material of one process, named by three flags that every service, the
// gateway and the tools share:
//   --tls_cert  its certificate chain (PEM), presented to peers;
//   --tls_key   that certificate's private key (PEM, an owner-only file);
//   --tls_ca    the CA bundle (PEM) its peers' certificates must chain to.
// On a server, a CA means clients must present a certificate it signed
// (mutual TLS). On a client, it verifies the server; the certificate and
// key, when given, are the client's identity for mTLS.
// Like every flag, each can come from the environment (SHOP_TLS_CERT, ...).
#ifndef SHOP_COMMON_TLS_TLS_H_
#define SHOP_COMMON_TLS_TLS_H_

#include <string>

#include "absl/status/statusor.h"

namespace shop::tls {

struct TlsFiles {
  std::string cert;
  std::string key;
  std::string ca;

  // Any of the three given: the connection is TLS.
  bool enabled() const { return !cert.empty() || !key.empty() || !ca.empty(); }
};

struct TlsMaterial {
  std::string cert_pem;  // empty: no certificate of its own (a client without mTLS)
  std::string key_pem;
  std::string ca_pem;  // empty: the system's roots (client) / no client certificates (server)
};

// What the flags say.
TlsFiles FromFlags();

// Reads and checks the files. INVALID_ARGUMENT when a certificate comes
// without its key (or the reverse) or a file holds no PEM of its kind;
// NOT_FOUND / PERMISSION_DENIED from reading (a key readable by others is
// refused, like ssh refuses one).
absl::StatusOr<TlsMaterial> Load(const TlsFiles& files);

// For a server: Load, and a certificate is required.
absl::StatusOr<TlsMaterial> LoadForServer(const TlsFiles& files);

}  // namespace shop::tls

#endif  // SHOP_COMMON_TLS_TLS_H_
