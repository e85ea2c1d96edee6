#include "common/testing/metrics_scrape.h"

#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace shop::testing {

std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(10);
  auto result = client.Get("/metrics");
  return result && result->status == 200 ? result->body : "";
}

std::string Promtool(const std::string& text) {
  const char* tmp = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(tmp != nullptr ? tmp : "/tmp") + "/scrape." + std::to_string(getpid()) + ".txt";
  std::ofstream(path) << text;
  FILE* pipe =
      popen(("/usr/bin/promtool check metrics < " + path + " 2>&1; echo exit=$?").c_str(), "r");
  std::string output;
  char buffer[512];
  while (pipe != nullptr && fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  if (pipe != nullptr) pclose(pipe);
  return output;
}

}  // namespace shop::testing
