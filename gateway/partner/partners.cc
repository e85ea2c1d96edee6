#include "gateway/partner/partners.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace shop::gateway {

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

absl::StatusOr<std::vector<PartnerConfig>> ParsePartners(const std::string& json) {
  const nlohmann::json document = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.contains("partners") ||
      !document["partners"].is_array()) {
    return absl::InvalidArgumentError("partners file: expected {\"partners\": [...]}");
  }
  std::vector<PartnerConfig> partners;
  for (const auto& entry : document["partners"]) {
    PartnerConfig partner;
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string() ||
        !entry.contains("apiKeySha256") || !entry["apiKeySha256"].is_string()) {
      return absl::InvalidArgumentError("partners file: each partner needs id and apiKeySha256");
    }
    partner.id = entry["id"];
    partner.api_key_sha256 = entry["apiKeySha256"];
    if (partner.api_key_sha256.size() != 64) {
      return absl::InvalidArgumentError(
          absl::StrCat("partners file: ", partner.id, ": apiKeySha256 must be 64 hex digits"));
    }
    if (entry.contains("ratePerSecond") && entry["ratePerSecond"].is_number()) {
      partner.rate_per_second = entry["ratePerSecond"];
    }
    if (entry.contains("burst") && entry["burst"].is_number_integer())
      partner.burst = entry["burst"];
    if (entry.contains("skus") && entry["skus"].is_object()) {
      for (const auto& [sku, product] : entry["skus"].items()) {
        if (product.is_string()) partner.sku_map[sku] = product;
      }
    }
    if (entry.contains("webhook")) {
      const auto& webhook = entry["webhook"];
      if (!webhook.is_object() || !webhook.contains("url") || !webhook["url"].is_string() ||
          !webhook.contains("secrets") || !webhook["secrets"].is_array() ||
          webhook["secrets"].empty()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "partners file: ", partner.id, ": webhook needs a url and a list of secrets"));
      }
      partner.webhook_url = webhook["url"];
      if (!absl::StartsWith(partner.webhook_url, "http://") &&
          !absl::StartsWith(partner.webhook_url, "https://")) {
        return absl::InvalidArgumentError(absl::StrCat(
            "partners file: ", partner.id, ": webhook url must be http:// or https://"));
      }
      for (const auto& secret : webhook["secrets"]) {
        std::string key;
        if (!secret.is_string() || !absl::StartsWith(secret.get<std::string>(), "whsec_") ||
            !absl::Base64Unescape(secret.get<std::string>().substr(6), &key) || key.size() < 24 ||
            key.size() > 64) {
          return absl::InvalidArgumentError(
              absl::StrCat("partners file: ", partner.id,
                           ": a webhook secret is whsec_ and the base64 of 24 to 64 bytes"));
        }
        partner.webhook_secrets.push_back(secret);
      }
    }
    partners.push_back(std::move(partner));
  }
  return partners;
}

const PartnerConfig* PartnerDirectory::Authenticate(const std::string& api_key) const {
  if (api_key.empty()) return nullptr;
  const std::string hash = Sha256Hex(api_key);
  const PartnerConfig* found = nullptr;
  for (const PartnerConfig& partner : partners_) {
    // Every entry is compared, in constant time, so timing tells nothing.
    if (partner.api_key_sha256.size() == hash.size() &&
        CRYPTO_memcmp(partner.api_key_sha256.data(), hash.data(), hash.size()) == 0) {
      found = &partner;
    }
  }
  return found;
}

std::optional<absl::Duration> RateLimiter::Take(const PartnerConfig& partner) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  // Keyed by client address too, so the map is bounded: when it is full,
  // everyone starts again with a full bucket (a burst, not a bypass).
  if (buckets_.size() >= kMaxBuckets && !buckets_.count(partner.id)) buckets_.clear();
  auto [it, inserted] = buckets_.try_emplace(partner.id, Bucket{double(partner.burst), now});
  Bucket& bucket = it->second;
  bucket.tokens =
      std::min<double>(partner.burst, bucket.tokens + absl::ToDoubleSeconds(now - bucket.refilled) *
                                                          partner.rate_per_second);
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  return absl::Seconds((1 - bucket.tokens) / partner.rate_per_second);
}

}  // namespace shop::gateway
