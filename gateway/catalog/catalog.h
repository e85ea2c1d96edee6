// The catalog as the gateway reads it: ProductService over gRPC, through
// the Redis cache (catalog_cache.h). Redis down or failing means the answer
// comes from ProductService directly: logged (at most every 10 s) and
// counted, never an error.
#ifndef SHOP_GATEWAY_CATALOG_CATALOG_H_
#define SHOP_GATEWAY_CATALOG_CATALOG_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "gateway/catalog/catalog_cache.h"
#include "proto/shop/product/v1/product_service.grpc.pb.h"

namespace shop::gateway {

// How a read was answered: every product from the cache, some from
// ProductService (and stored), or the cache bypassed because it failed.
enum class CacheOutcome { kHit, kMiss, kBypass };
const char* CacheOutcomeName(CacheOutcome outcome);

struct CatalogRead {
  std::map<std::string, shop::product::v1::GetProductResponse> products;
  std::set<std::string> not_found;
  CacheOutcome outcome = CacheOutcome::kHit;
};

struct CatalogStats {
  int64_t hits = 0;      // products served from the cache
  int64_t misses = 0;    // products fetched from ProductService
  int64_t stored = 0;    // misses stored in the cache
  int64_t bypassed = 0;  // reads answered without the cache (it failed)
};

class Catalog {
 public:
  Catalog(CatalogCache& cache, shop::product::v1::ProductService::StubInterface& products,
          absl::Duration deadline = absl::Seconds(5))
      : cache_(cache), products_(products), deadline_(deadline) {}

  // The products with these ids; unknown ids in not_found. An error only
  // when ProductService fails (its gRPC status).
  absl::StatusOr<CatalogRead> Read(const std::vector<std::string>& ids,
                                   const std::string& correlation_id);

  CatalogStats stats() const;

 private:
  absl::Status Fetch(const std::string& id, const std::string& correlation_id, CatalogRead& read,
                     std::map<std::string, std::string>* encoded);
  void NoteBypass(const absl::Status& error);

  CatalogCache& cache_;
  shop::product::v1::ProductService::StubInterface& products_;
  absl::Duration deadline_;
  mutable absl::Mutex mu_;
  CatalogStats stats_ ABSL_GUARDED_BY(mu_);
  absl::Time last_bypass_log_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  int64_t bypassed_since_log_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace shop::gateway

#endif  // SHOP_GATEWAY_CATALOG_CATALOG_H_
