#include "common/testing/redis_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "absl/time/clock.h"
#include "common/testing/infra.h"

namespace shop::testing {

RedisServer::RedisServer() : port_(FreePort()) {}

RedisServer::~RedisServer() { Kill(); }

absl::Status RedisServer::Start() {
  process_ = std::make_unique<ChildProcess>(
      "/usr/bin/redis-server",
      std::vector<std::string>{"--bind", "127.0.0.1", "--port", std::to_string(port_), "--save", "",
                               "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"});
  if (!process_->started()) return absl::InternalError("cannot start /usr/bin/redis-server");
  const absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (absl::Now() < deadline) {
    if (Answers()) return absl::OkStatus();
    if (process_->Wait(absl::Milliseconds(50))) {
      return absl::InternalError("redis-server exited during start");
    }
  }
  return absl::DeadlineExceededError("redis-server did not answer PING within 15 s");
}

void RedisServer::Kill() { process_.reset(); }

bool RedisServer::Answers() const {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port_));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  char reply[16] = {};
  const bool answered = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                        write(fd, "PING\r\n", 6) == 6 && read(fd, reply, sizeof(reply) - 1) >= 5 &&
                        std::strncmp(reply, "+PONG", 5) == 0;
  close(fd);
  return answered;
}

}  // namespace shop::testing
