// Teaching an order service its catalog in tests, as the product service
// would: a ProductChanged on the product topic, then a wait until the order
// service's replica (which prices every order) has it.
#ifndef SHOP_INTEGRATION_TESTS_CATALOG_FEED_H_
#define SHOP_INTEGRATION_TESTS_CATALOG_FEED_H_

#include <cstdint>
#include <string>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/mysql/options.h"
#include "proto/shop/order/v1/order_service.pb.h"

namespace shop::testing {

// Publishes ProductChanged for `product_id` in `topic_namespace`, as the
// product service would (gtest assertions).
void PublishProductChanged(const std::string& topic_namespace, const std::string& product_id,
                           int64_t price_minor, const std::string& currency = "EUR",
                           bool discontinued = false, absl::Time change_time = absl::Now());

// Publishes ProductChanged for `product_id` in `topic_namespace` and waits
// (gtest assertions) until the order service behind `database` has it.
void TeachCatalog(const std::string& topic_namespace, const mysql::MysqlOptions& database,
                  const std::string& product_id, int64_t price_minor,
                  const std::string& currency = "EUR", bool discontinued = false,
                  absl::Time change_time = absl::Now());

// Waits (gtest assertion) until the order service behind `database` has
// `product_id` at this price and state in its catalog replica.
void WaitForCatalog(const mysql::MysqlOptions& database, const std::string& product_id,
                    int64_t price_minor, const std::string& currency = "EUR",
                    bool discontinued = false);

// A PlaceOrder request for one line, shipped to a fixed address.
shop::order::v1::PlaceOrderRequest OneLineOrder(const std::string& customer, const std::string& key,
                                                const std::string& product_id, int64_t quantity);

}  // namespace shop::testing

#endif  // SHOP_INTEGRATION_TESTS_CATALOG_FEED_H_
