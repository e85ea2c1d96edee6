#include "gateway/webhooks/signature.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace shop::gateway {
namespace {

absl::Status KeyOf(const std::string& secret, std::string* key) {
  if (!absl::StartsWith(secret, "whsec_") || !absl::Base64Unescape(secret.substr(6), key) ||
      key->empty()) {
    return absl::InvalidArgumentError("a webhook secret is whsec_ and base64");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SignWebhook(const std::string& secret, const std::string& id, int64_t timestamp,
                         const std::string& body, std::string* signature) {
  std::string key;
  if (absl::Status status = KeyOf(secret, &key); !status.ok()) return status;
  const std::string content = absl::StrCat(id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac,
           &length) == nullptr) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  *signature = absl::StrCat(
      "v1,", absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(mac), length)));
  return absl::OkStatus();
}

absl::Status SignatureHeader(const std::vector<std::string>& secrets, const std::string& id,
                             int64_t timestamp, const std::string& body, std::string* header) {
  header->clear();
  for (const std::string& secret : secrets) {
    std::string signature;
    if (absl::Status status = SignWebhook(secret, id, timestamp, body, &signature); !status.ok()) {
      return status;
    }
    absl::StrAppend(header, header->empty() ? "" : " ", signature);
  }
  return absl::OkStatus();
}

absl::Status VerifyWebhook(const std::string& secret, const std::string& id,
                           const std::string& timestamp, const std::string& signature_header,
                           const std::string& body, absl::Time now, absl::Duration tolerance) {
  int64_t seconds = 0;
  if (!absl::SimpleAtoi(timestamp, &seconds)) {
    return absl::InvalidArgumentError("webhook-timestamp is not a number");
  }
  if (absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) > tolerance) {
    return absl::PermissionDeniedError("webhook-timestamp is too old or too new");
  }
  std::string expected;
  if (absl::Status status = SignWebhook(secret, id, seconds, body, &expected); !status.ok()) {
    return status;
  }
  for (absl::string_view candidate : absl::StrSplit(signature_header, ' ', absl::SkipEmpty())) {
    if (candidate.size() == expected.size() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
      return absl::OkStatus();
    }
  }
  return absl::PermissionDeniedError("no webhook-signature matches");
}

}  // namespace shop::gateway
