#include "common/kafka/client_config.h"

#include <fstream>

#include "gtest/gtest.h"

namespace shop::kafka {
namespace {

TEST(ClientConfigTest, InlineListOverlaysThePropertiesFile) {
  const std::string file = std::string(std::getenv("TEST_TMPDIR")) + "/kafka.properties";
  std::ofstream(file) << "# secrets live here\nsecurity.protocol = SASL_SSL\n"
                         "sasl.password=s3cr=t\n\nlinger.ms=5\n";
  auto config = LoadClientConfig(file, "linger.ms=20, client.rack=a");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(*config, (ClientConfig{{"security.protocol", "SASL_SSL"},
                                   {"sasl.password", "s3cr=t"},
                                   {"linger.ms", "20"},
                                   {"client.rack", "a"}}));
}

TEST(ClientConfigTest, BadEntriesAreNamed) {
  EXPECT_NE(ParseInlineConfig("a=1,oops").status().message().find("entry 1"), std::string::npos);
  EXPECT_NE(ParsePropertiesText("a=1\n=2\n").status().message().find("line 2"), std::string::npos);
  EXPECT_FALSE(LoadClientConfig("/nonexistent/kafka.properties", "").ok());
  EXPECT_TRUE(ParseInlineConfig("").value().empty());
}

}  // namespace
}  // namespace shop::kafka
