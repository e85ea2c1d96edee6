// The event messages of the contract, found by walking its descriptors.
#ifndef SHOP_PROTO_GOLDEN_CATALOG_H_
#define SHOP_PROTO_GOLDEN_CATALOG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "google/protobuf/descriptor.h"

namespace shop::contract {

// Every message of the contract that carries a shop.common.v1.event_route
// option, resolved in the generated pool (so its C++ code is linked in).
// `descriptor_set_path` is a FileDescriptorSet of the whole contract.
absl::StatusOr<std::vector<const google::protobuf::Descriptor*>> EventTypes(
    const std::string& descriptor_set_path);

}  // namespace shop::contract

#endif  // SHOP_PROTO_GOLDEN_CATALOG_H_
