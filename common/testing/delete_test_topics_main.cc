// Deletes the topics tests left on the developer's broker (every topic named
// by testing::UniqueName or in a namespace it named). Each test run leaves a
// few hundred; a broker holding tens of thousands of partitions runs out of
// file descriptors. `tools/dev test` runs this before the tests, when none run.
#include <cstdio>
#include <string>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "common/kafka/topics.h"
#include "common/testing/infra.h"

ABSL_FLAG(std::string, brokers, "127.0.0.1:19092", "Kafka bootstrap servers");

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  auto deleted = shop::kafka::DeleteTopicsMatching(
      absl::GetFlag(FLAGS_brokers), shop::testing::IsUniquelyNamedTopic, absl::Minutes(2));
  if (!deleted.ok()) {
    std::fprintf(stderr, "deleting test topics: %s\n", deleted.status().ToString().c_str());
    return 1;
  }
  std::printf("deleted %d topics left by earlier test runs\n", *deleted);
  return 0;
}
