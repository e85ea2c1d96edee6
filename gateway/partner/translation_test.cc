// Every mapping of the anti-corruption layer, both ways.
#include "gateway/partner/translation.h"

#include "gateway/partner/partners.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::gateway {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> Fields(const absl::Status& status) {
  std::vector<std::string> fields;
  for (const auto& violation : errors::ViolationsOf(status)) fields.push_back(violation.field);
  return fields;
}

const char kValidJson[] = R"({
  "orderRef": "PO-1001", "buyerId": "b-7", "currency": "EUR",
  "shipTo": {"name": "Ada", "street": ["1 Main St"], "city": "Berlin", "zip": "10115",
             "country": "DE"},
  "items": [{"sku": "ACME-TEA", "qty": 2, "unitPrice": "4.5"},
            {"sku": "ACME-MUG", "qty": 1, "unitPrice": "12.99"}],
  "partnerExtra": {"ignored": true}
})";

const std::map<std::string, std::string> kSkus = {{"ACME-TEA", "tea"}, {"ACME-MUG", "mug"}};

TEST(TranslationTest, PartnerOrderBecomesAPlaceOrderRequest) {
  auto decoded = DecodeOrderJson(kValidJson);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  auto place = ToPlaceOrder(*decoded, "acme", kSkus);
  ASSERT_TRUE(place.ok()) << place.status();
  EXPECT_EQ(place->customer_id(), "partner:acme");
  EXPECT_EQ(place->idempotency_key(), "PO-1001");
  EXPECT_EQ(place->currency_code(), "EUR");
  ASSERT_EQ(place->lines_size(), 2);
  EXPECT_EQ(place->lines(0).product_id(), "tea");
  EXPECT_EQ(place->lines(0).quantity(), 2);
  EXPECT_EQ(place->lines(0).unit_price_minor(), 450);
  EXPECT_EQ(place->lines(1).unit_price_minor(), 1299);
  EXPECT_EQ(place->shipping_address().recipient(), "Ada");
  EXPECT_EQ(place->shipping_address().postal_code(), "10115");
  EXPECT_EQ(place->shipping_address().country_code(), "DE");
}

TEST(TranslationTest, MalformedJsonWrongTypesAndMissingFieldsAreNamed) {
  EXPECT_THAT(Fields(DecodeOrderJson("{not json").status()), ElementsAre("body"));
  EXPECT_THAT(Fields(DecodeOrderJson("[1,2]").status()), ElementsAre("body"));
  EXPECT_THAT(Fields(DecodeOrderJson(R"({"orderRef":"x","currency":"EUR","shipTo":{},
                                 "items":[{"sku":"A","qty":"two","unitPrice":"1"}]})")
                         .status()),
              ElementsAre("items[0].qty"));
  EXPECT_THAT(Fields(DecodeOrderJson(R"({"orderRef": 5})").status()), ElementsAre("orderRef"));
  EXPECT_THAT(Fields(DecodeOrderJson(R"({"currency":"EUR","shipTo":{},
                                         "items":[{"sku":"A","qty":1}]})")
                         .status()),
              ElementsAre("orderRef", "items[0].unitPrice"));
  EXPECT_THAT(Fields(DecodeOrderJson("{}").status()),
              ElementsAre("orderRef", "currency", "shipTo", "items"));
}

TEST(TranslationTest, UnknownSkusAndInexactPricesAreRejectedNotGuessed) {
  auto decoded = DecodeOrderJson(kValidJson);
  ASSERT_TRUE(decoded.ok());
  decoded->mutable_items(0)->set_sku("NOPE");
  decoded->mutable_items(1)->set_unit_price("12.999");
  EXPECT_THAT(Fields(ToPlaceOrder(*decoded, "acme", kSkus).status()),
              ElementsAre("items[0].sku", "items[1].unitPrice"));
  decoded = DecodeOrderJson(kValidJson);
  decoded->set_currency("XXX");
  EXPECT_THAT(Fields(ToPlaceOrder(*decoded, "acme", kSkus).status()), ElementsAre("currency"));
}

TEST(TranslationTest, StatusesMapBothWays) {
  shop::order::v1::Order order;
  order.set_status(shop::order::v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(PartnerStatus(order), "received");
  order.set_status(shop::order::v1::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(PartnerStatus(order), "confirmed");
  order.mutable_ship_time()->set_seconds(1);
  EXPECT_EQ(PartnerStatus(order), "shipped");
  order.set_status(shop::order::v1::ORDER_STATUS_CANCELLED);
  order.set_cancellation_reason(shop::order::v1::CANCELLATION_REASON_OUT_OF_STOCK);
  EXPECT_EQ(PartnerStatus(order), "rejected");
  order.set_cancellation_reason(shop::order::v1::CANCELLATION_REASON_CUSTOMER_REQUEST);
  EXPECT_EQ(PartnerStatus(order), "cancelled");

  EXPECT_EQ(InternalStatus("received"), shop::order::v1::ORDER_STATUS_PENDING);
  EXPECT_EQ(InternalStatus("confirmed"), shop::order::v1::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(InternalStatus("shipped"), shop::order::v1::ORDER_STATUS_COMPLETED);
  EXPECT_EQ(InternalStatus("rejected"), shop::order::v1::ORDER_STATUS_CANCELLED);
  EXPECT_EQ(InternalStatus("cancelled"), shop::order::v1::ORDER_STATUS_CANCELLED);
  EXPECT_FALSE(InternalStatus("PENDING").has_value());
}

TEST(TranslationTest, InternalOrderIsShownInPartnerTerms) {
  shop::order::v1::Order order;
  order.set_idempotency_key("PO-1001");
  order.set_status(shop::order::v1::ORDER_STATUS_CANCELLED);
  order.set_cancellation_reason(shop::order::v1::CANCELLATION_REASON_OUT_OF_STOCK);
  order.set_cancellation_detail("internal detail: tea short by 3");
  order.set_currency_code("JPY");
  order.mutable_total()->set_minor_units(1500);
  const auto partner = ToPartnerOrder(order);
  EXPECT_EQ(partner.order_ref(), "PO-1001");
  EXPECT_EQ(partner.total(), "1500");
  EXPECT_EQ(partner.status(), "rejected");
  EXPECT_EQ(partner.status_reason(), "not enough stock") << "no internal detail leaks";
}

TEST(TranslationTest, InternalFieldNamesBecomePartnerNamesOrNothing) {
  EXPECT_EQ(PartnerField("lines[3].quantity"), "items[3].qty");
  EXPECT_EQ(PartnerField("lines[0].unit_price_minor"), "items[0].unitPrice");
  EXPECT_EQ(PartnerField("lines[1].product_id"), "items[1].sku");
  EXPECT_EQ(PartnerField("currency_code"), "currency");
  EXPECT_EQ(PartnerField("shipping_address.country_code"), "shipTo.country");
  EXPECT_EQ(PartnerField("customer_id"), "") << "an internal-only field is not shown";
}

TEST(PartnersTest, KeysAreCheckedByHashAndEachPartnerHasItsOwnBucket) {
  auto partners = ParsePartners(R"({"partners": [
      {"id": "acme", "apiKeySha256": ")" +
                                Sha256Hex("acme-key") + R"(", "ratePerSecond": 1,
       "burst": 2, "skus": {"ACME-TEA": "tea"}},
      {"id": "globex", "apiKeySha256": ")" +
                                Sha256Hex("globex-key") + R"("}]})");
  ASSERT_TRUE(partners.ok()) << partners.status();
  PartnerDirectory directory(*partners);
  ASSERT_NE(directory.Authenticate("acme-key"), nullptr);
  EXPECT_EQ(directory.Authenticate("acme-key")->id, "acme");
  EXPECT_EQ(directory.Authenticate("globex-key")->id, "globex");
  EXPECT_EQ(directory.Authenticate("wrong"), nullptr);
  EXPECT_EQ(directory.Authenticate(""), nullptr);
  EXPECT_EQ(directory.Authenticate("acme-key")->sku_map.at("ACME-TEA"), "tea");

  absl::Time now = absl::FromUnixSeconds(1000);
  RateLimiter limiter([&now] { return now; });
  const PartnerConfig& acme = *directory.Authenticate("acme-key");
  EXPECT_FALSE(limiter.Take(acme).has_value());
  EXPECT_FALSE(limiter.Take(acme).has_value());
  auto wait = limiter.Take(acme);
  ASSERT_TRUE(wait.has_value()) << "a burst of 2 is used up";
  EXPECT_EQ(*wait, absl::Seconds(1));
  EXPECT_FALSE(limiter.Take(*directory.Authenticate("globex-key")).has_value());
  now += absl::Seconds(1);
  EXPECT_FALSE(limiter.Take(acme).has_value()) << "refilled at 1 per second";
  EXPECT_FALSE(ParsePartners("{}").ok());
  EXPECT_FALSE(ParsePartners(R"({"partners":[{"id":"x","apiKeySha256":"short"}]})").ok());
}

}  // namespace
}  // namespace shop::gateway
