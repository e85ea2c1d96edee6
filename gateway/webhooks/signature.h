// Standard Webhooks signatures (https://www.standardwebhooks.com): the
// headers webhook-id, webhook-timestamp (Unix seconds) and
// webhook-signature ("v1,<base64 HMAC-SHA256>" per secret, space-separated)
// over "<id>.<timestamp>.<body>", keyed by the bytes that follow "whsec_"
// in the secret, base64-decoded.
#ifndef SHOP_GATEWAY_WEBHOOKS_SIGNATURE_H_
#define SHOP_GATEWAY_WEBHOOKS_SIGNATURE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace shop::gateway {

// "v1,<base64>" for one secret; INVALID_ARGUMENT for a malformed secret.
absl::Status SignWebhook(const std::string& secret, const std::string& id, int64_t timestamp,
                         const std::string& body, std::string* signature);

// The webhook-signature header: one "v1,..." per secret, space-separated.
absl::Status SignatureHeader(const std::vector<std::string>& secrets, const std::string& id,
                             int64_t timestamp, const std::string& body, std::string* header);

// What a receiver does: OK when one of the header's v1 signatures matches
// (compared in constant time) and the timestamp is within `tolerance` of
// `now` (replays of old messages are refused).
absl::Status VerifyWebhook(const std::string& secret, const std::string& id,
                           const std::string& timestamp, const std::string& signature_header,
                           const std::string& body, absl::Time now,
                           absl::Duration tolerance = absl::Minutes(5));

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_WEBHOOKS_SIGNATURE_H_
