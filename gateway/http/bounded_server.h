// cpp-httplib's server with the bounds an edge server needs against slow or
// hostile clients, which httplib 0.11 does not have by itself:
//  - a total time per request (request line, headers and body), not only per
//    read, so a client sending a byte a second cannot hold a worker;
//  - a byte budget per request, counted while reading, so no body (chunked,
//    or without a length) and no pile of headers can grow memory unbounded;
//  - at most `max_connections` connections served or waiting, and at most
//    `max_connections_per_client` from one client address; beyond either a
//    connection is closed at once.
// A handler that answers without reading the request body (a refusal before
// authentication, a body over the limit) calls CloseAfterResponse(): the
// connection is closed after the response instead of reading on.
#ifndef SHOP_GATEWAY_HTTP_BOUNDED_SERVER_H_
#define SHOP_GATEWAY_HTTP_BOUNDED_SERVER_H_

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <cstddef>
#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace shop::gateway {

struct ServerLimits {
  int threads = 16;
  int max_connections = 256;
  int max_connections_per_client = 8;
  // From a request's first byte to the end of its body.
  absl::Duration request_timeout = absl::Seconds(10);
  // How long a kept-alive connection may wait for its next request.
  absl::Duration idle_timeout = absl::Seconds(5);
  // Request line and headers, and the body: each request may read at most
  // their sum (plus chunk framing) from the socket.
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024;
  int max_requests_per_connection = 100;
};

struct ServerCounters {
  int64_t connections = 0;
  int64_t refused_connections = 0;     // over a connection limit
  int64_t timed_out_requests = 0;      // over request_timeout
  int64_t oversized_requests = 0;      // over the byte budget
  int64_t tls_handshake_failures = 0;  // not TLS, a bad handshake, or none within request_timeout
};

class BoundedServer : public httplib::Server {
 public:
  explicit BoundedServer(ServerLimits limits);
  ~BoundedServer() override;

  // Serve HTTPS (TLS 1.2 or later) with this certificate chain and private
  // key (PEM), before listening. The handshake is bounded by
  // request_timeout like a request; a client speaking plain HTTP fails it.
  absl::Status EnableTls(const std::string& cert_chain_pem, const std::string& key_pem);
  bool tls() const { return ssl_ctx_ != nullptr; }

  // From a handler: close this request's connection after its response.
  static void CloseAfterResponse();

  ServerCounters counters() const;
  const ServerLimits& limits() const { return limits_; }

 private:
  bool process_and_close_socket(socket_t sock) override;
  bool Admit(const std::string& client);
  void Leave(const std::string& client);

  const ServerLimits limits_;
  SSL_CTX* ssl_ctx_ = nullptr;
  mutable absl::Mutex mu_;
  std::map<std::string, int> per_client_ ABSL_GUARDED_BY(mu_);
  ServerCounters counters_ ABSL_GUARDED_BY(mu_);
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_HTTP_BOUNDED_SERVER_H_
