#include "common/grpc/credentials.h"

#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace shop::grpc_util {

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentials(
    const tls::TlsFiles& files) {
  if (!files.enabled()) return grpc::InsecureServerCredentials();
  auto material = tls::LoadForServer(files);
  if (!material.ok()) return material.status();
  grpc::SslServerCredentialsOptions options(
      material->ca_pem.empty() ? GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE
                               : GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = material->ca_pem;
  options.pem_key_cert_pairs.push_back({material->key_pem, material->cert_pem});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentials(
    const tls::TlsFiles& files) {
  if (!files.enabled()) return grpc::InsecureChannelCredentials();
  auto material = tls::Load(files);
  if (!material.ok()) return material.status();
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = material->ca_pem;
  options.pem_private_key = material->key_pem;
  options.pem_cert_chain = material->cert_pem;
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Channel(const std::string& target,
                                                       const tls::TlsFiles& files,
                                                       grpc::ChannelArguments args) {
  auto credentials = ChannelCredentials(files);
  if (!credentials.ok()) return credentials.status();
  args.SetLoadBalancingPolicyName("round_robin");
  // "ipv4:a:1,b:2" would be checked against the certificate as a name as a
  // whole: the first address's host is the name to verify (every instance's
  // certificate carries it).
  for (absl::string_view scheme : {"ipv4:", "ipv6:"}) {
    absl::string_view rest = target;
    if (!absl::ConsumePrefix(&rest, scheme)) continue;
    absl::string_view first = rest.substr(0, rest.find(','));
    const size_t colon = first.rfind(':');
    std::string host(first.substr(0, colon));
    if (!host.empty() && host.front() == '[') host = host.substr(1, host.size() - 2);
    args.SetString(GRPC_ARG_DEFAULT_AUTHORITY, host);
  }
  return grpc::CreateCustomChannel(target, *credentials, args);
}

}  // namespace shop::grpc_util
