#include "common/kafka/client_config.h"

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace shop::kafka {
namespace {

absl::Status AddSetting(absl::string_view entry, absl::string_view where, ClientConfig& config) {
  const size_t equals = entry.find('=');
  if (equals == absl::string_view::npos || equals == 0) {
    return absl::InvalidArgumentError(absl::StrCat(where, ": expected key=value"));
  }
  config[std::string(absl::StripAsciiWhitespace(entry.substr(0, equals)))] =
      std::string(absl::StripAsciiWhitespace(entry.substr(equals + 1)));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ClientConfig> ParseInlineConfig(const std::string& list) {
  ClientConfig config;
  int index = 0;
  for (absl::string_view entry : absl::StrSplit(list, ',', absl::SkipWhitespace())) {
    absl::Status added = AddSetting(entry, absl::StrCat("--kafka_config entry ", index++), config);
    if (!added.ok()) return added;
  }
  return config;
}

absl::StatusOr<ClientConfig> ParsePropertiesText(const std::string& text) {
  ClientConfig config;
  int number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#' || line[0] == '!') continue;
    absl::Status added = AddSetting(line, absl::StrCat("line ", number), config);
    if (!added.ok()) return added;
  }
  return config;
}

absl::StatusOr<ClientConfig> LoadClientConfig(const std::string& file, const std::string& list) {
  ClientConfig config;
  if (!file.empty()) {
    std::ifstream in(file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", file));
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = ParsePropertiesText(text.str());
    if (!parsed.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(file, ": ", parsed.status().message()));
    }
    config = *std::move(parsed);
  }
  auto inline_config = ParseInlineConfig(list);
  if (!inline_config.ok()) return inline_config.status();
  for (auto& [key, value] : *inline_config) config[key] = value;
  return config;
}

}  // namespace shop::kafka
