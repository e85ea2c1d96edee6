// Who may call the partner API: each partner's id, the SHA-256 of its API
// key (keys themselves are never stored), its rate limit and its SKU
// mapping, loaded from a JSON configuration file:
//
//   {"partners": [{"id": "acme", "apiKeySha256": "<hex>", "ratePerSecond": 20,
//                  "burst": 40, "skus": {"ACME-TEA-250": "tea"},
//                  "webhook": {"url": "https://acme.example/hooks",
//                              "secrets": ["whsec_<base64 of 24 to 64 random bytes>"]}}]}
//
// A webhook is optional. Its first secret signs; every secret listed signs
// too (one signature each), so a partner can rotate without a gap.
#ifndef SHOP_GATEWAY_PARTNER_PARTNERS_H_
#define SHOP_GATEWAY_PARTNER_PARTNERS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace shop::gateway {

struct PartnerConfig {
  std::string id;
  std::string api_key_sha256;  // lower-case hex
  double rate_per_second = 10;
  int burst = 20;
  std::map<std::string, std::string> sku_map;  // partner SKU -> product id
  std::string webhook_url;                     // empty: no webhooks
  std::vector<std::string> webhook_secrets;    // whsec_...
};

std::string Sha256Hex(const std::string& text);

absl::StatusOr<std::vector<PartnerConfig>> ParsePartners(const std::string& json);

class PartnerDirectory {
 public:
  explicit PartnerDirectory(std::vector<PartnerConfig> partners) : partners_(std::move(partners)) {}

  // The partner whose key this is, or null. Compares hashes in constant time.
  const PartnerConfig* Authenticate(const std::string& api_key) const;

 private:
  std::vector<PartnerConfig> partners_;
};

// A token bucket per partner: `burst` calls at once, refilled at
// `rate_per_second`.
class RateLimiter {
 public:
  explicit RateLimiter(std::function<absl::Time()> clock = absl::Now) : clock_(std::move(clock)) {}

  // nullopt when the call may go ahead; otherwise how long to wait.
  std::optional<absl::Duration> Take(const PartnerConfig& partner);

  static constexpr size_t kMaxBuckets = 100000;

 private:
  struct Bucket {
    double tokens = 0;
    absl::Time refilled;
  };
  std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_PARTNER_PARTNERS_H_
