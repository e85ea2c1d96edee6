#include "integration_tests/catalog_feed.h"

#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>

#include "common/events/event_metadata.h"
#include "common/events/event_route.h"
#include "common/kafka/producer.h"
#include "common/mysql/connection_pool.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "google/protobuf/util/time_util.h"
#include "gtest/gtest.h"
#include "proto/shop/product/v1/events.pb.h"

namespace shop::testing {

void PublishProductChanged(const std::string& topic_namespace, const std::string& product_id,
                           int64_t price_minor, const std::string& currency, bool discontinued,
                           absl::Time change_time) {
  shop::product::v1::ProductChanged changed;
  changed.set_product_id(product_id);
  changed.mutable_product()->set_product_id(product_id);
  changed.mutable_product()->set_name(product_id);
  changed.mutable_product()->mutable_price()->set_minor_units(price_minor);
  changed.mutable_product()->mutable_price()->set_currency_code(currency);
  changed.mutable_product()->set_discontinued(discontinued);
  *changed.mutable_change_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(change_time));
  auto producer = kafka::Producer::Create(KafkaBrokers());
  ASSERT_TRUE(producer.ok());
  events::EventMetadata metadata{events::NewUuid(), "shop.product.v1.ProductChanged",
                                 "/test",           absl::Now(),
                                 "corr-catalog",    ""};
  auto reports = (*producer)->ProduceAndWait(
      {{events::QualifiedTopic(topic_namespace, "shop.product.events"), product_id,
        changed.SerializeAsString(), events::ToHeaders(metadata)}},
      absl::Seconds(10));
  ASSERT_TRUE(reports[0].status.ok()) << reports[0].status;
}

// Publishes ProductChanged for `product_id` as the product service would,
// and waits until the order service behind `database` has it in its
// catalog replica: orders are priced from there.
void TeachCatalog(const std::string& topic_namespace, const mysql::MysqlOptions& database,
                  const std::string& product_id, int64_t price_minor, const std::string& currency,
                  bool discontinued, absl::Time change_time) {
  PublishProductChanged(topic_namespace, product_id, price_minor, currency, discontinued,
                        change_time);
  WaitForCatalog(database, product_id, price_minor, currency, discontinued);
}

void WaitForCatalog(const mysql::MysqlOptions& database, const std::string& product_id,
                    int64_t price_minor, const std::string& currency, bool discontinued) {
  mysql::ConnectionPool pool(database);
  ASSERT_TRUE(WaitFor(
      [&] {
        auto connection = pool.Acquire();
        if (!connection.ok()) return false;
        sql::PreparedStatement& select = connection->Prepare(
            "SELECT price_minor, currency_code, discontinued FROM catalog WHERE product_id = ?");
        select.setString(1, product_id);
        std::unique_ptr<sql::ResultSet> row(select.executeQuery());
        return row->next() && row->getInt64(1) == price_minor && row->getString(2) == currency &&
               row->getBoolean(3) == discontinued;
      },
      absl::Seconds(30)))
      << "the order service did not learn " << product_id << " at " << price_minor;
}

shop::order::v1::PlaceOrderRequest OneLineOrder(const std::string& customer, const std::string& key,
                                                const std::string& product_id, int64_t quantity) {
  shop::order::v1::PlaceOrderRequest request;
  request.set_customer_id(customer);
  request.set_idempotency_key(key);
  request.set_currency_code("EUR");
  auto* address = request.mutable_shipping_address();
  address->set_recipient("Ada");
  address->add_lines("1 Main St");
  address->set_city("Berlin");
  address->set_country_code("DE");
  auto* line = request.add_lines();
  line->set_product_id(product_id);
  line->set_quantity(quantity);
  return request;
}

}  // namespace shop::testing
