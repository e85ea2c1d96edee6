// Freezes the current event samples as a released version's golden fixtures.
//
//   golden_tool <samples dir> <release dir>
//
// For every <full.MessageName>.txtpb in the samples directory, writes
// <full.MessageName>.binpb (the bytes the current code produces) and a copy of
// the .txtpb (the field values a later decoder must see) to the release
// directory. Run through `tools/dev release-contract <release>`.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"

namespace fs = std::filesystem;
using google::protobuf::DescriptorPool;
using google::protobuf::MessageFactory;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: golden_tool <samples dir> <release dir>\n";
    return 2;
  }
  const fs::path samples = argv[1];
  const fs::path release = argv[2];
  fs::create_directories(release);
  int written = 0;
  for (const auto& entry : fs::directory_iterator(samples)) {
    if (entry.path().extension() != ".txtpb") continue;
    const std::string type = entry.path().stem().string();
    const auto* descriptor = DescriptorPool::generated_pool()->FindMessageTypeByName(type);
    if (descriptor == nullptr) {
      std::cerr << entry.path() << ": unknown message type " << type << "\n";
      return 1;
    }
    std::unique_ptr<google::protobuf::Message> message(
        MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    if (!google::protobuf::TextFormat::ParseFromString(text.str(), message.get())) {
      std::cerr << entry.path() << ": does not parse as " << type << "\n";
      return 1;
    }
    std::string bytes;
    message->SerializeToString(&bytes);
    std::ofstream(release / (type + ".binpb"), std::ios::binary) << bytes;
    fs::copy_file(entry.path(), release / entry.path().filename(),
                  fs::copy_options::overwrite_existing);
    ++written;
  }
  std::cout << "wrote " << written << " golden fixtures to " << release << "\n";
  return written > 0 ? 0 : 1;
}
