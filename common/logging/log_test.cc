#include "common/logging/log.h"

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace shop::log {
namespace {

TEST(LogTest, FormatsOneJsonObjectWithServiceLevelMessageAndFields) {
  SetService("order");
  const std::string line = Format(Level::kWarning, "order \"placed\"\n",
                                  {{"correlation_id", std::string("c-1")}, {"lines", int64_t{3}}});
  EXPECT_EQ(line.find('\n'), std::string::npos);
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["service"], "order");
  EXPECT_EQ(json["level"], "warning");
  EXPECT_EQ(json["msg"], "order \"placed\"\n");
  EXPECT_EQ(json["correlation_id"], "c-1");
  EXPECT_EQ(json["lines"], 3);
  EXPECT_TRUE(json.contains("ts"));
}

TEST(LogTest, InvalidUtf8IsReplacedNotThrown) {
  const std::string line = Format(Level::kInfo, std::string("bad \xff byte"), {});
  EXPECT_NO_THROW(nlohmann::json::parse(line));
}

}  // namespace
}  // namespace shop::log
