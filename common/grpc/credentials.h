// gRPC credentials from the TLS flags (common/tls): plaintext when none is
// given, TLS with a certificate, mutual TLS when the server has a CA.
#ifndef SHOP_COMMON_GRPC_CREDENTIALS_H_
#define SHOP_COMMON_GRPC_CREDENTIALS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "common/tls/tls.h"

namespace shop::grpc_util {

// Nothing given: insecure (plaintext). A certificate and key: TLS. Also a
// CA: every client must present a certificate signed by it, or its
// handshake fails before any call (mutual TLS).
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const tls::TlsFiles& files);

// Nothing given: insecure. Otherwise TLS, verifying the server against the
// CA (the system's roots without one), presenting the certificate when given.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const tls::TlsFiles& files);

// A channel to `target` with ChannelCredentials(files), balancing calls
// round robin over every address the target names (e.g.
// "ipv4:127.0.0.1:50051,127.0.0.1:50151": two instances of a service), and
// skipping the ones that are down.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(const std::string& target,
                                                       const tls::TlsFiles& files,
                                                       grpc::ChannelArguments args = {});

}  // namespace shop::grpc_util

#endif  // SHOP_COMMON_GRPC_CREDENTIALS_H_
