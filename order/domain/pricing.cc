#include "order/domain/pricing.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "common/errors/bad_request.h"

namespace shop::order::domain {

absl::StatusOr<shop::order::v1::PlaceOrderRequest> PriceFromCatalog(
    const shop::order::v1::PlaceOrderRequest& request, const Catalog& catalog) {
  shop::order::v1::PlaceOrderRequest priced = request;
  std::vector<errors::FieldViolation> invalid;
  std::vector<errors::PreconditionViolation> changed;
  for (int i = 0; i < priced.lines_size(); ++i) {
    auto* line = priced.mutable_lines(i);
    const std::string path = absl::StrCat("lines[", i, "]");
    auto it = catalog.find(line->product_id());
    if (it == catalog.end()) {
      invalid.push_back({path + ".product_id", "is not in the catalog"});
      continue;
    }
    const CatalogEntry& entry = it->second;
    if (entry.discontinued) {
      invalid.push_back({path + ".product_id", "is discontinued"});
      continue;
    }
    if (entry.currency_code != request.currency_code()) {
      invalid.push_back({"currency_code", absl::StrCat("product ", entry.product_id,
                                                       " is priced in ", entry.currency_code)});
      continue;
    }
    if (line->unit_price_minor() != 0 && line->unit_price_minor() != entry.price_minor) {
      changed.push_back(
          {kPriceChanged, path, absl::StrCat(entry.price_minor, " ", entry.currency_code)});
    }
    line->set_unit_price_minor(entry.price_minor);
  }
  if (!invalid.empty()) return errors::InvalidArgument(invalid);
  if (!changed.empty()) {
    std::string message = "the catalog price differs from the expected price:";
    for (const auto& violation : changed) {
      absl::StrAppend(&message, " ", violation.subject, " now costs ", violation.description, ";");
    }
    return errors::FailedPrecondition(message, changed);
  }
  return priced;
}

}  // namespace shop::order::domain
