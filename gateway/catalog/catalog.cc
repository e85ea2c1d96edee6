#include "gateway/catalog/catalog.h"

#include <grpcpp/grpcpp.h>

#include "absl/time/clock.h"
#include "common/grpc/status.h"
#include "common/logging/log.h"

namespace shop::gateway {

const char* CacheOutcomeName(CacheOutcome outcome) {
  switch (outcome) {
    case CacheOutcome::kHit:
      return "HIT";
    case CacheOutcome::kMiss:
      return "MISS";
    case CacheOutcome::kBypass:
      return "BYPASS";
  }
  return "BYPASS";
}

CatalogStats Catalog::stats() const {
  absl::MutexLock lock(&mu_);
  return stats_;
}

void Catalog::NoteBypass(const absl::Status& error) {
  absl::MutexLock lock(&mu_);
  ++stats_.bypassed;
  ++bypassed_since_log_;
  const absl::Time now = absl::Now();
  if (now - last_bypass_log_ < absl::Seconds(10)) return;
  log::Warning("catalog cache unavailable; serving from ProductService",
               {{"error", std::string(error.message())},
                {"reads_bypassed", bypassed_since_log_},
                {"reads_bypassed_total", stats_.bypassed}});
  last_bypass_log_ = now;
  bypassed_since_log_ = 0;
}

absl::Status Catalog::Fetch(const std::string& id, const std::string& correlation_id,
                            CatalogRead& read, std::map<std::string, std::string>* encoded) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(absl::ToInt64Milliseconds(deadline_)));
  if (!correlation_id.empty()) context.AddMetadata("x-correlation-id", correlation_id);
  shop::product::v1::GetProductRequest request;
  request.set_product_id(id);
  shop::product::v1::GetProductResponse response;
  grpc::Status status = products_.GetProduct(&context, request, &response);
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) {
    read.not_found.insert(id);
    return absl::OkStatus();
  }
  if (!status.ok()) return grpc_util::FromGrpcStatus(status);
  if (encoded != nullptr) (*encoded)[id] = response.SerializeAsString();
  read.products[id] = std::move(response);
  return absl::OkStatus();
}

absl::StatusOr<CatalogRead> Catalog::Read(const std::vector<std::string>& ids,
                                          const std::string& correlation_id) {
  CatalogRead read;
  auto lookup = cache_.Get(ids);
  if (!lookup.ok()) {
    NoteBypass(lookup.status());
    read.outcome = CacheOutcome::kBypass;
    for (const std::string& id : ids) {
      if (absl::Status fetched = Fetch(id, correlation_id, read, nullptr); !fetched.ok()) {
        return fetched;
      }
    }
    return read;
  }
  std::vector<std::string> misses;
  for (const std::string& id : ids) {
    auto hit = lookup->hits.find(id);
    // An entry that does not decode (written by a newer gateway?) is a miss.
    if (hit == lookup->hits.end() || !read.products[id].ParseFromString(hit->second)) {
      read.products.erase(id);
      misses.push_back(id);
    }
  }
  std::map<std::string, std::string> encoded;
  for (const std::string& id : misses) {
    if (absl::Status fetched = Fetch(id, correlation_id, read, &encoded); !fetched.ok()) {
      return fetched;
    }
  }
  int stored = 0;
  if (!encoded.empty()) {
    auto filled = cache_.Fill(encoded, lookup->generations);
    if (filled.ok()) {
      stored = *filled;
    } else {
      NoteBypass(filled.status());
    }
  }
  absl::MutexLock lock(&mu_);
  stats_.hits += static_cast<int64_t>(ids.size() - misses.size());
  stats_.misses += static_cast<int64_t>(misses.size());
  stats_.stored += stored;
  read.outcome = misses.empty() ? CacheOutcome::kHit : CacheOutcome::kMiss;
  return read;
}

}  // namespace shop::gateway
