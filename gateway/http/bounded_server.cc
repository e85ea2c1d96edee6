#include "gateway/http/bounded_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <memory>

#include "absl/time/clock.h"
#include "common/logging/log.h"

namespace shop::gateway {
namespace {

// Set on the acceptor thread for a connection that is refused before any
// worker takes it, and by handlers for the request in hand.
thread_local bool refuse_connection = false;
thread_local bool close_after_response = false;

std::string PeerAddress(int sock) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getpeername(sock, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr, text, sizeof(text));
  }
  return text;
}

void AddressOf(int sock, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  int rc = peer ? getpeername(sock, reinterpret_cast<sockaddr*>(&address), &length)
                : getsockname(sock, reinterpret_cast<sockaddr*>(&address), &length);
  if (rc != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof(text));
    port = ntohs(in->sin_port);
  } else if (address.ss_family == AF_INET6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof(text));
    port = ntohs(in6->sin6_port);
  }
  ip = text;
}

// True when `sock` has `events` before `deadline`.
bool WaitFor(int sock, short events, absl::Time deadline) {
  while (true) {
    const int64_t ms = absl::ToInt64Milliseconds(deadline - absl::Now());
    if (ms <= 0) return false;
    pollfd fd{sock, events, 0};
    const int ready = poll(&fd, 1, static_cast<int>(std::min<int64_t>(ms, 1000)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

// Waits for what a non-blocking TLS call asked for; false at the deadline.
bool WaitForTls(SSL* ssl, int sock, int result, absl::Time deadline) {
  switch (SSL_get_error(ssl, result)) {
    case SSL_ERROR_WANT_READ:
      return WaitFor(sock, POLLIN, deadline);
    case SSL_ERROR_WANT_WRITE:
      return WaitFor(sock, POLLOUT, deadline);
    default:
      return false;
  }
}

std::string TlsErrors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text.empty() ? "unknown TLS error" : text;
}

// A TLS session on an accepted socket, the socket made non-blocking; null
// when the handshake fails or does not finish by `deadline`.
SSL* AcceptTls(SSL_CTX* ctx, int sock, absl::Time deadline) {
  SSL* ssl = SSL_new(ctx);
  if (ssl == nullptr) return nullptr;
  fcntl(sock, F_SETFL, fcntl(sock, F_GETFL) | O_NONBLOCK);
  SSL_set_fd(ssl, sock);
  while (true) {
    const int result = SSL_accept(ssl);
    if (result == 1) return ssl;
    if (!WaitForTls(ssl, sock, result, deadline)) {
      ERR_clear_error();
      SSL_free(ssl);
      return nullptr;
    }
  }
}

// A socket stream, plain or TLS, whose reads stop at a deadline and a byte
// budget.
class LimitedStream : public httplib::Stream {
 public:
  LimitedStream(int sock, SSL* ssl) : sock_(sock), ssl_(ssl) {}

  void StartRequest(absl::Time deadline, size_t budget) {
    deadline_ = deadline;
    budget_ = budget;
  }
  bool timed_out() const { return timed_out_; }
  bool over_budget() const { return over_budget_; }
  bool has_buffered() const { return begin_ < end_ || (ssl_ != nullptr && SSL_pending(ssl_) > 0); }

  bool is_readable() const override { return has_buffered() || WaitFor(sock_, POLLIN, deadline_); }
  bool is_writable() const override {
    return WaitFor(sock_, POLLOUT, absl::Now() + absl::Seconds(5));
  }

  ssize_t read(char* ptr, size_t size) override {
    if (budget_ == 0) {
      over_budget_ = true;
      return -1;
    }
    size = std::min(size, budget_);
    if (begin_ == end_) {
      const ssize_t n = Fill();
      if (n <= 0) {
        timed_out_ = n < 0 && absl::Now() >= deadline_;
        return n;
      }
      begin_ = 0;
      end_ = static_cast<size_t>(n);
    }
    const size_t n = std::min(size, end_ - begin_);
    std::copy(buffer_ + begin_, buffer_ + begin_ + n, ptr);
    begin_ += n;
    budget_ -= n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (ssl_ == nullptr) {
      if (!is_writable()) return -1;
      return send(sock_, ptr, size, MSG_NOSIGNAL);
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (true) {
      size_t written = 0;
      const int result = SSL_write_ex(ssl_, ptr, size, &written);
      if (result == 1) return static_cast<ssize_t>(written);
      if (!WaitForTls(ssl_, sock_, result, deadline)) return -1;
    }
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(sock_, true, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    AddressOf(sock_, false, ip, port);
  }
  socket_t socket() const override { return sock_; }

  // Waits for the first byte of the next request.
  bool WaitForRequest(absl::Duration timeout) const {
    return has_buffered() || WaitFor(sock_, POLLIN, absl::Now() + timeout);
  }

 private:
  // Up to a buffer of bytes from the connection by deadline_: > 0 bytes,
  // 0 at its end, -1 on an error or at the deadline.
  ssize_t Fill() {
    if (ssl_ == nullptr) {
      if (!WaitFor(sock_, POLLIN, deadline_)) return -1;
      const ssize_t n = recv(sock_, buffer_, sizeof(buffer_), 0);
      return n < 0 ? -1 : n;
    }
    while (true) {
      size_t n = 0;
      const int result = SSL_read_ex(ssl_, buffer_, sizeof(buffer_), &n);
      if (result == 1) return static_cast<ssize_t>(n);
      if (SSL_get_error(ssl_, result) == SSL_ERROR_ZERO_RETURN) return 0;
      if (!WaitForTls(ssl_, sock_, result, deadline_)) {
        ERR_clear_error();
        return -1;
      }
    }
  }

  int sock_;
  SSL* ssl_;
  char buffer_[4096];
  size_t begin_ = 0, end_ = 0;
  absl::Time deadline_ = absl::InfiniteFuture();
  size_t budget_ = 0;
  bool timed_out_ = false;
  bool over_budget_ = false;
};

// A pool of worker threads that refuses connections beyond `max_waiting`
// (served or queued) instead of queuing without bound.
class BoundedPool : public httplib::TaskQueue {
 public:
  BoundedPool(int threads, int max_waiting) : pool_(threads), max_waiting_(max_waiting) {}
  void enqueue(std::function<void()> fn) override {
    if (waiting_.load() >= max_waiting_) {
      refuse_connection = true;  // process_and_close_socket closes it at once
      fn();
      refuse_connection = false;
      return;
    }
    ++waiting_;
    pool_.enqueue([this, fn = std::move(fn)] {
      fn();
      --waiting_;
    });
  }
  void shutdown() override { pool_.shutdown(); }

 private:
  httplib::ThreadPool pool_;
  const int max_waiting_;
  std::atomic<int> waiting_{0};
};

// After a refusal whose request body was not read: send the response's
// end, then read and drop a little of what the client is still sending, so
// that it sees the response rather than a reset.
void LingeringClose(int sock) {
  shutdown(sock, SHUT_WR);
  const absl::Time until = absl::Now() + absl::Milliseconds(500);
  char sink[16384];
  size_t drained = 0;
  while (drained < 1024 * 1024 && WaitFor(sock, POLLIN, until)) {
    const ssize_t n = recv(sock, sink, sizeof(sink), 0);
    if (n <= 0) break;
    drained += static_cast<size_t>(n);
  }
}

}  // namespace

BoundedServer::BoundedServer(ServerLimits limits) : limits_(limits) {
  const int threads = limits_.threads, max_connections = limits_.max_connections;
  new_task_queue = [threads, max_connections] { return new BoundedPool(threads, max_connections); };
  set_payload_max_length(limits_.max_body_bytes);
}

BoundedServer::~BoundedServer() {
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
}

absl::Status BoundedServer::EnableTls(const std::string& cert_chain_pem,
                                      const std::string& key_pem) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return absl::InternalError(TlsErrors());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  std::unique_ptr<BIO, decltype(&BIO_free)> certs(
      BIO_new_mem_buf(cert_chain_pem.data(), static_cast<int>(cert_chain_pem.size())), BIO_free);
  std::unique_ptr<BIO, decltype(&BIO_free)> key(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())), BIO_free);
  bool ok = true;
  // The leaf, then any intermediates.
  if (X509* leaf = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr)) {
    ok = SSL_CTX_use_certificate(ctx, leaf) == 1;
    X509_free(leaf);
    while (ok) {
      X509* intermediate = PEM_read_bio_X509(certs.get(), nullptr, nullptr, nullptr);
      if (intermediate == nullptr) break;
      ok = SSL_CTX_add0_chain_cert(ctx, intermediate) == 1;
    }
    ERR_clear_error();  // the end of the chain reads as an error
  } else {
    ok = false;
  }
  if (ok) {
    EVP_PKEY* private_key = PEM_read_bio_PrivateKey(key.get(), nullptr, nullptr, nullptr);
    ok = private_key != nullptr && SSL_CTX_use_PrivateKey(ctx, private_key) == 1 &&
         SSL_CTX_check_private_key(ctx) == 1;
    EVP_PKEY_free(private_key);
  }
  if (!ok) {
    const std::string errors = TlsErrors();
    SSL_CTX_free(ctx);
    return absl::InvalidArgumentError("TLS certificate or key unusable: " + errors);
  }
  // A peer closing mid-write must not kill the process (OpenSSL writes with
  // write(2), not send(MSG_NOSIGNAL)).
  std::signal(SIGPIPE, SIG_IGN);
  if (ssl_ctx_ != nullptr) SSL_CTX_free(ssl_ctx_);
  ssl_ctx_ = ctx;
  return absl::OkStatus();
}

void BoundedServer::CloseAfterResponse() { close_after_response = true; }

ServerCounters BoundedServer::counters() const {
  absl::MutexLock lock(&mu_);
  return counters_;
}

bool BoundedServer::Admit(const std::string& client) {
  absl::MutexLock lock(&mu_);
  int& open = per_client_[client];
  if (open >= limits_.max_connections_per_client) {
    if (open == 0) per_client_.erase(client);
    ++counters_.refused_connections;
    return false;
  }
  ++open;
  ++counters_.connections;
  return true;
}

void BoundedServer::Leave(const std::string& client) {
  absl::MutexLock lock(&mu_);
  if (--per_client_[client] <= 0) per_client_.erase(client);
}

bool BoundedServer::process_and_close_socket(socket_t sock) {
  const std::string client = PeerAddress(sock);
  if (refuse_connection || !Admit(client)) {
    if (refuse_connection) {
      absl::MutexLock lock(&mu_);
      ++counters_.refused_connections;
    }
    shutdown(sock, SHUT_RDWR);
    close(sock);
    return false;
  }
  std::unique_ptr<SSL, decltype(&SSL_free)> ssl(nullptr, SSL_free);
  if (ssl_ctx_ != nullptr) {
    ssl.reset(AcceptTls(ssl_ctx_, sock, absl::Now() + limits_.request_timeout));
    if (ssl == nullptr) {
      {
        absl::MutexLock lock(&mu_);
        ++counters_.tls_handshake_failures;
      }
      shutdown(sock, SHUT_RDWR);
      close(sock);
      Leave(client);
      return false;
    }
  }
  LimitedStream stream(sock, ssl.get());
  // Request line, headers and body, plus room for chunk framing.
  const size_t budget =
      limits_.max_header_bytes + limits_.max_body_bytes + limits_.max_body_bytes / 8 + 1024;
  bool linger = false;
  for (int served = 0; served < limits_.max_requests_per_connection; ++served) {
    if (!stream.WaitForRequest(served == 0 ? limits_.request_timeout : limits_.idle_timeout)) {
      break;
    }
    stream.StartRequest(absl::Now() + limits_.request_timeout, budget);
    close_after_response = false;
    bool connection_closed = false;
    const bool ok = process_request(stream, served + 1 == limits_.max_requests_per_connection,
                                    connection_closed, nullptr);
    if (stream.timed_out() || stream.over_budget()) {
      absl::MutexLock lock(&mu_);
      if (stream.timed_out()) ++counters_.timed_out_requests;
      if (stream.over_budget()) ++counters_.oversized_requests;
      log::Warning("http connection closed: request over its bounds",
                   {{"client", client},
                    {"timed_out", stream.timed_out()},
                    {"over_budget", stream.over_budget()}});
      break;
    }
    if (close_after_response) {
      linger = true;
      break;
    }
    if (!ok || connection_closed) break;
  }
  close_after_response = false;
  if (ssl != nullptr) SSL_shutdown(ssl.get());  // our close_notify; not waiting for theirs
  if (linger) LingeringClose(sock);
  shutdown(sock, SHUT_RDWR);
  close(sock);
  Leave(client);
  return true;
}

}  // namespace shop::gateway
