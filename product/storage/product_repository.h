// Products, stock and reservations in the product service's own database.
// Every call runs in the caller's transaction.
#ifndef SHOP_PRODUCT_STORAGE_PRODUCT_REPOSITORY_H_
#define SHOP_PRODUCT_STORAGE_PRODUCT_REPOSITORY_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "product/domain/reservations.h"
#include "proto/shop/product/v1/product.pb.h"

namespace shop::product::storage {

using shop::product::v1::Product;
using shop::product::v1::Stock;

using ReservationState = domain::ReservationState;
using Reservation = domain::Reservation;

struct ProductRecord {
  Product product;
  Stock stock;
};

struct ProductPage {
  std::vector<Product> products;
  std::string next_page_token;
};

class ProductRepository {
 public:
  // ALREADY_EXISTS when the id or the SKU is taken.
  absl::Status Insert(mysql::Transaction& tx, const Product& product, int64_t initial_stock);
  // Name, price and discontinued of a locked product, with its update time.
  absl::Status UpdateCatalogData(mysql::Transaction& tx, const Product& product);
  // NOT_FOUND when unknown.
  absl::StatusOr<ProductRecord> Get(mysql::Transaction& tx, const std::string& product_id,
                                    bool for_update);
  absl::StatusOr<ProductPage> List(mysql::Transaction& tx, int page_size,
                                   const std::string& page_token);

  // Locks the rows of `product_ids` in id order and returns their available
  // stock; unknown ids are absent.
  absl::StatusOr<std::map<std::string, int64_t>> LockAvailable(
      mysql::Transaction& tx, const std::vector<std::string>& product_ids);

  // What a transaction moves between a product's stock columns.
  struct StockDelta {
    int64_t available = 0;
    int64_t reserved = 0;
    int64_t sold = 0;
  };
  // Adds the deltas to the products' columns, a chunk of products per
  // statement, in id order. NOT_FOUND when a product is unknown; a column
  // going negative breaks the stock_never_negative constraint.
  absl::Status ApplyStockDeltas(mysql::Transaction& tx,
                                const std::map<std::string, StockDelta>& deltas);
  // available += delta, recorded with its reason; FAILED_PRECONDITION when
  // it would go negative.
  absl::Status Adjust(mysql::Transaction& tx, const std::string& product_id, int64_t delta,
                      const std::string& reason);

  // The reservations of each of `order_ids` (locked), in product id order;
  // orders without any are absent.
  absl::StatusOr<std::map<std::string, std::vector<Reservation>>> ReservationsOf(
      mysql::Transaction& tx, const std::vector<std::string>& order_ids);
  absl::StatusOr<std::vector<Reservation>> Reservations(mysql::Transaction& tx,
                                                        const std::string& order_id);
  // Inserts or updates (order id, reservation) rows, a chunk per statement.
  absl::Status SaveReservations(
      mysql::Transaction& tx,
      const std::map<std::pair<std::string, std::string>, Reservation>& reservations);
};

std::vector<mysql::Migration> ProductMigrations();

}  // namespace shop::product::storage

#endif  // SHOP_PRODUCT_STORAGE_PRODUCT_REPOSITORY_H_
