// The outbox relay against the real broker and database: order and headers,
// crashes around the publish, and one active relay among two.
#include "common/outbox/relay.h"

#include <cppconn/resultset.h>
#include <signal.h>

#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "common/consumer/event_consumer.h"
#include "common/events/event_route.h"
#include "common/kafka/topics.h"
#include "common/mysql/migrations.h"
#include "common/mysql/transaction.h"
#include "common/outbox/outbox.h"
#include "common/outbox/outbox_store.h"
#include "common/testing/event_fixture.h"
#include "common/testing/fixture_args.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/process.h"
#include "gtest/gtest.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::outbox {
namespace {

using shop::testing::ChildProcess;
using shop::testing::ConsumedRecord;
using shop::testing::WaitFor;

class RelayTest : public ::testing::Test {
 protected:
  RelayTest()
      : database_("relay_test"),
        namespace_(shop::testing::UniqueName("relay")),
        topic_(events::QualifiedTopic(namespace_, "shop.order.events")),
        outbox_("/shop/relay-test", namespace_) {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(shop::testing::MigrateFixture(*pool_).ok());
    absl::Status topics = kafka::EnsureTopics(shop::testing::KafkaBrokers(), {{topic_, 3}});
    ASSERT_TRUE(topics.ok()) << topics;
  }

  void Append(int count, int keys, int first = 0) {
    for (int i = first; i < first + count; ++i) {
      ASSERT_TRUE(shop::testing::AppendPlaced(*pool_, outbox_, "key-" + std::to_string(i % keys),
                                              std::to_string(i))
                      .ok());
    }
  }

  int64_t Unpublished() {
    auto count = shop::testing::CountUnpublished(*pool_);
    EXPECT_TRUE(count.ok()) << count.status();
    return count.ok() ? *count : -1;
  }

  // Per key, the sequence numbers in the order the records were read,
  // counting each event (ce_id) once.
  static std::map<std::string, std::vector<int>> FirstSeenOrder(
      const std::vector<ConsumedRecord>& records) {
    std::map<std::string, std::vector<int>> order;
    std::set<std::string> seen;
    for (const ConsumedRecord& record : records) {
      if (!seen.insert(events::HeaderValue(record.headers, "ce_id")).second) continue;
      shop::order::v1::OrderPlaced placed;
      EXPECT_TRUE(placed.ParseFromString(record.value));
      int seq = -1;
      EXPECT_TRUE(absl::SimpleAtoi(placed.customer_id(), &seq));
      order[record.key].push_back(seq);
    }
    return order;
  }

  static void ExpectIncreasing(const std::map<std::string, std::vector<int>>& order) {
    for (const auto& [key, seqs] : order) {
      for (size_t i = 1; i < seqs.size(); ++i) {
        EXPECT_LT(seqs[i - 1], seqs[i]) << "events of " << key << " out of order";
      }
    }
  }

  static std::set<std::string> DistinctIds(const std::vector<ConsumedRecord>& records) {
    std::set<std::string> ids;
    for (const auto& record : records) ids.insert(events::HeaderValue(record.headers, "ce_id"));
    return ids;
  }

  shop::testing::TestDatabase database_;
  std::string namespace_;
  std::string topic_;
  Outbox outbox_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
};

TEST_F(RelayTest, PublishesInOrderPerKeyWithCloudEventsHeadersAndMarksSent) {
  Append(30, 3);
  RelayOptions options;
  options.poll_interval = absl::Seconds(30);  // only a wake-up can make it publish quickly
  MysqlOutboxStore store(*pool_);
  OutboxRelay relay(store, KafkaPublisherFactory(shop::testing::KafkaBrokers()), options);
  outbox_.SetCommitListener([&relay] { relay.Wake(); });
  relay.Start();

  std::vector<ConsumedRecord> records = shop::testing::ReadAtLeast(topic_, 30);
  ASSERT_EQ(records.size(), 30u);
  ExpectIncreasing(FirstSeenOrder(records));
  for (const ConsumedRecord& record : records) {
    EXPECT_EQ(events::HeaderValue(record.headers, "ce_specversion"), "1.0");
    EXPECT_EQ(events::HeaderValue(record.headers, "ce_type"), "shop.order.v1.OrderPlaced");
    EXPECT_EQ(events::HeaderValue(record.headers, "ce_source"), "/shop/relay-test");
    EXPECT_EQ(events::HeaderValue(record.headers, "content-type"), "application/x-protobuf");
    EXPECT_FALSE(events::HeaderValue(record.headers, "ce_time").empty());
    EXPECT_EQ(events::HeaderValue(record.headers, "ce_correlationid").substr(0, 5), "corr-");
    EXPECT_EQ(events::HeaderValue(record.headers, "ce_causationid").substr(0, 4), "req-");
  }
  EXPECT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(10)));

  // Woken by the commit, not by the (30 s) poll.
  const absl::Time appended = absl::Now();
  Append(1, 1, 30);
  EXPECT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(5)));
  EXPECT_LT(absl::Now() - appended, absl::Seconds(5));
  const RelayStats stats = relay.stats();
  EXPECT_TRUE(stats.active);
  EXPECT_EQ(stats.published, 31);
  EXPECT_GT(stats.latency_p99, absl::ZeroDuration());
  relay.Stop();
}

TEST_F(RelayTest, CrashBeforePublishAndCrashBeforeMarkLoseNothingAndDuplicatesAreHarmless) {
  Append(20, 4);
  {
    ChildProcess relay(
        shop::testing::kEventFixture,
        shop::testing::FixtureArgs(database_.options(), {"--mode=relay", "--crash_at=fetched"}));
    ASSERT_TRUE(relay.Wait(absl::Seconds(30)));
    EXPECT_EQ(relay.term_signal(), SIGKILL);
  }
  EXPECT_EQ(Unpublished(), 20);
  {
    ChildProcess relay(
        shop::testing::kEventFixture,
        shop::testing::FixtureArgs(database_.options(), {"--mode=relay", "--crash_at=published"}));
    ASSERT_TRUE(relay.Wait(absl::Seconds(60)));
    EXPECT_EQ(relay.term_signal(), SIGKILL);
  }
  EXPECT_EQ(Unpublished(), 20) << "killed before marking: nothing may count as sent";
  {
    ChildProcess relay(
        shop::testing::kEventFixture,
        shop::testing::FixtureArgs(database_.options(), {"--mode=relay", "--exit_when_drained"}));
    ASSERT_TRUE(relay.Wait(absl::Seconds(60)));
    EXPECT_EQ(relay.exit_code(), 0);
  }
  EXPECT_EQ(Unpublished(), 0);

  // The first round (one row per key in flight: 4 keys) was published before
  // the crash and again after it; every event is there, in order per key.
  std::vector<ConsumedRecord> records = shop::testing::ReadAtLeast(topic_, 24);
  EXPECT_EQ(records.size(), 24u);
  EXPECT_EQ(DistinctIds(records).size(), 20u);
  ExpectIncreasing(FirstSeenOrder(records));

  // Downstream, the duplicates change nothing.
  consumer::ConsumerOptions options;
  options.brokers = shop::testing::KafkaBrokers();
  options.group = shop::testing::UniqueName("dedupe");
  options.topics = {topic_};
  consumer::EventConsumer consumer(options, *pool_, nullptr);
  shop::testing::RegisterEffectHandler(consumer);
  std::thread runner([&consumer] { consumer.Run().IgnoreError(); });
  EXPECT_TRUE(WaitFor([&] { return consumer.stats().applied + consumer.stats().duplicates >= 24; },
                      absl::Seconds(30)));
  consumer.Stop();
  runner.join();
  EXPECT_EQ(consumer.stats().applied, 20);
  EXPECT_EQ(consumer.stats().duplicates, 4);
  auto effects = shop::testing::CountEffects(*pool_);
  ASSERT_TRUE(effects.ok());
  EXPECT_EQ(effects->rows, 20);
  EXPECT_EQ(effects->distinct, 20);
}

struct RelayStatus {
  bool active = false;
  int64_t published = 0;
};

RelayStatus ReadStatus(const std::string& file) {
  std::ifstream in(file);
  std::string state;
  RelayStatus status;
  in >> state >> status.published;
  status.active = state == "active";
  return status;
}

TEST_F(RelayTest, OnlyOneOfTwoRelaysPublishesAndTheOtherTakesOverWhenItDies) {
  const std::string dir = std::getenv("TEST_TMPDIR");
  const std::string file_a = dir + "/relay_a", file_b = dir + "/relay_b";
  auto a = std::make_unique<ChildProcess>(
      shop::testing::kEventFixture,
      shop::testing::FixtureArgs(database_.options(), {"--mode=relay", "--status_file=" + file_a}));
  auto b = std::make_unique<ChildProcess>(
      shop::testing::kEventFixture,
      shop::testing::FixtureArgs(database_.options(), {"--mode=relay", "--status_file=" + file_b}));
  ASSERT_TRUE(WaitFor([&] { return ReadStatus(file_a).active != ReadStatus(file_b).active; },
                      absl::Seconds(20)))
      << "exactly one relay must become active";
  Append(50, 5);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(30)));
  ASSERT_TRUE(
      WaitFor([&] { return ReadStatus(file_a).published + ReadStatus(file_b).published == 50; },
              absl::Seconds(5)));
  const bool a_active = ReadStatus(file_a).active;
  std::unique_ptr<ChildProcess>& active = a_active ? a : b;
  const std::string standby_file = a_active ? file_b : file_a;
  EXPECT_EQ(ReadStatus(a_active ? file_a : file_b).published, 50);
  EXPECT_EQ(ReadStatus(standby_file).published, 0) << "the standby must not publish";
  EXPECT_FALSE(ReadStatus(standby_file).active);

  active->Kill(SIGKILL);
  ASSERT_TRUE(active->Wait(absl::Seconds(10)));
  const absl::Time killed = absl::Now();
  Append(50, 5, 50);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(30)))
      << "the standby did not take over";
  const absl::Duration takeover = absl::Now() - killed;
  EXPECT_LT(takeover, absl::Seconds(10));
  EXPECT_TRUE(ReadStatus(standby_file).active);
  std::cout << "standby took over and drained 50 events " << absl::FormatDuration(takeover)
            << " after the active relay was killed\n";

  std::vector<ConsumedRecord> records = shop::testing::ReadAtLeast(topic_, 100);
  EXPECT_EQ(DistinctIds(records).size(), 100u);
  ExpectIncreasing(FirstSeenOrder(records));
}

// `size` bytes that no compression shrinks.
std::string Incompressible(size_t size) {
  std::mt19937 random(42);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>('a' + random() % 26);
  return bytes;
}

void InsertRaw(mysql::ConnectionPool& pool, const std::string& topic, const std::string& key,
               const std::string& payload) {
  absl::Status inserted = shop::testing::InsertRawOutboxRow(pool, topic, key, payload);
  ASSERT_TRUE(inserted.ok()) << inserted;
}

// A relay on this thread's pool and the real broker; the factory keeps the
// last producer it made so that a test can break it.
struct LiveRelay {
  LiveRelay(mysql::ConnectionPool& pool, RelayOptions options, int working_producers = 1000)
      : store(pool) {
    options.poll_interval = absl::Milliseconds(50);
    options.lock_retry = absl::Milliseconds(100);
    options.initial_backoff = absl::Milliseconds(50);
    options.max_backoff = absl::Milliseconds(500);
    relay = std::make_unique<OutboxRelay>(
        store,
        [this, working_producers]() -> absl::StatusOr<std::unique_ptr<kafka::EventPublisher>> {
          absl::MutexLock lock(&mu);
          if (made >= working_producers) return absl::UnavailableError("no producer for you");
          auto producer = kafka::Producer::Create(shop::testing::KafkaBrokers());
          if (!producer.ok()) return producer.status();
          ++made;
          last = producer->get();
          return std::unique_ptr<kafka::EventPublisher>(*std::move(producer));
        },
        std::move(options));
    relay->Start();
  }
  void BreakProducer() {
    absl::MutexLock lock(&mu);
    last->InjectFatalErrorForTesting();
  }

  MysqlOutboxStore store;
  absl::Mutex mu;
  int made = 0;
  kafka::Producer* last = nullptr;
  std::unique_ptr<OutboxRelay> relay;
};

TEST_F(RelayTest, AnUnpublishableRowIsParkedWhileOtherKeysFlowAndItsKeyWaitsForARelease) {
  // A topic that refuses anything over 2,000 bytes: the broker says "Message
  // size too large" for the 5,000-byte row, for good.
  const std::string strict = events::QualifiedTopic(namespace_, "strict");
  ASSERT_TRUE(kafka::EnsureTopics(shop::testing::KafkaBrokers(),
                                  {{strict, 1, 1, {{"max.message.bytes", "2000"}}}})
                  .ok());
  InsertRaw(*pool_, strict, "poisoned-key", Incompressible(5000));
  InsertRaw(*pool_, strict, "poisoned-key", "a later event of the same key");
  Append(300, 300);  // 300 other keys, on the order topic
  LiveRelay live(*pool_, RelayOptions{});
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 2; }, absl::Seconds(30)))
      << "the other keys must keep flowing";
  EXPECT_EQ(shop::testing::ReadAtLeast(topic_, 300).size(), 300u);

  auto parked = live.store.ListParked(10);
  ASSERT_TRUE(parked.ok()) << parked.status();
  ASSERT_EQ(parked->size(), 1u);
  EXPECT_EQ((*parked)[0].key, "poisoned-key");
  EXPECT_EQ((*parked)[0].held_behind, 1);
  EXPECT_NE((*parked)[0].reason.find("too large"), std::string::npos) << (*parked)[0].reason;
  std::cout << "parked: id " << (*parked)[0].id << ", reason: " << (*parked)[0].reason << "\n";

  // Idle: the relay keeps looking, and publishes nothing again.
  const RelayStats before = live.relay->stats();
  ASSERT_TRUE(
      WaitFor([&] { return live.relay->stats().polls >= before.polls + 10; }, absl::Seconds(10)));
  EXPECT_EQ(live.relay->stats().publish_attempts, before.publish_attempts);
  EXPECT_EQ(shop::testing::ReadToEnd(strict).size(), 0u);
  EXPECT_EQ(live.relay->stats().parked, 1);

  // The operator raises the topic's limit and releases the row: it goes out,
  // then the event held behind it, in order.
  ASSERT_TRUE(kafka::SetTopicConfig(shop::testing::KafkaBrokers(), strict,
                                    {{"max.message.bytes", "1048588"}})
                  .ok());
  ASSERT_TRUE(live.store.Release((*parked)[0].id).ok());
  EXPECT_EQ(live.store.Release((*parked)[0].id).code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(30)));
  std::vector<ConsumedRecord> released = shop::testing::ReadAtLeast(strict, 2);
  ASSERT_EQ(released.size(), 2u);
  EXPECT_EQ(released[0].value.size(), 5000u);
  EXPECT_EQ(released[1].value, "a later event of the same key");
  live.relay->Stop();
}

TEST_F(RelayTest, ADiscardedRowLetsTheRowsHeldBehindItFlow) {
  RelayOptions options;
  options.max_event_bytes = 1000;  // parked by the relay itself, never sent
  InsertRaw(*pool_, topic_, "k", std::string(4000, 'x'));
  InsertRaw(*pool_, topic_, "k", "held");
  LiveRelay live(*pool_, options);
  ASSERT_TRUE(WaitFor([&] { return live.relay->stats().parked == 1; }, absl::Seconds(10)));
  auto parked = live.store.ListParked(10);
  ASSERT_TRUE(parked.ok() && parked->size() == 1u);
  EXPECT_NE((*parked)[0].reason.find("over max_event_bytes 1000"), std::string::npos);
  ASSERT_TRUE(live.store.Discard((*parked)[0].id).ok());
  live.relay->Wake();
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(10)));
  std::vector<ConsumedRecord> records = shop::testing::ReadAtLeast(topic_, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value, "held");
  live.relay->Stop();
}

TEST_F(RelayTest, AProducerInAFatalStateIsReplacedAndNothingIsLost) {
  LiveRelay live(*pool_, RelayOptions{});
  Append(20, 4);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(20)));
  live.BreakProducer();  // as a fatal idempotence error would
  Append(20, 4, 20);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(30)));
  EXPECT_EQ(live.relay->stats().producers_created, 2);
  EXPECT_EQ(live.relay->stats().parked, 0);
  std::vector<ConsumedRecord> records = shop::testing::ReadAtLeast(topic_, 40);
  EXPECT_EQ(DistinctIds(records).size(), 40u);
  ExpectIncreasing(FirstSeenOrder(records));
  live.relay->Stop();
}

TEST_F(RelayTest, ARelayThatCannotReplaceItsFatalProducerHandsOverToTheStandby) {
  bool healthy = true;
  absl::Mutex health_mu;
  RelayOptions first_options;
  first_options.on_health = [&](bool now) {
    absl::MutexLock lock(&health_mu);
    healthy = now;
  };
  LiveRelay first(*pool_, first_options, /*working_producers=*/1);
  ASSERT_TRUE(WaitFor([&] { return first.relay->active(); }, absl::Seconds(10)));
  LiveRelay standby(*pool_, RelayOptions{});
  Append(10, 2);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(20)));
  EXPECT_FALSE(standby.relay->active());

  first.BreakProducer();
  Append(10, 2, 10);
  ASSERT_TRUE(WaitFor([&] { return Unpublished() == 0; }, absl::Seconds(30)))
      << "the standby did not take over";
  EXPECT_TRUE(standby.relay->active());
  EXPECT_FALSE(first.relay->active());
  EXPECT_FALSE(first.relay->stats().healthy);
  {
    absl::MutexLock lock(&health_mu);
    EXPECT_FALSE(healthy) << "health must report NOT_SERVING";
  }
  std::vector<ConsumedRecord> records = shop::testing::ReadAtLeast(topic_, 20);
  EXPECT_EQ(DistinctIds(records).size(), 20u);
  first.relay->Stop();
  standby.relay->Stop();
}

TEST_F(RelayTest, AReadLeavesOutTheIdRangesItIsToSkipAndNothingElse) {
  Append(6, 6);
  MysqlOutboxStore store(*pool_);
  auto all = store.FetchPublishable(10, {});
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 6u);
  std::vector<int64_t> id;
  for (const OutboxRow& row : *all) id.push_back(row.id);
  const auto ids = [](const absl::StatusOr<std::vector<OutboxRow>>& rows) {
    std::vector<int64_t> out;
    if (rows.ok()) {
      for (const OutboxRow& row : *rows) out.push_back(row.id);
    }
    return out;
  };
  EXPECT_EQ(ids(store.FetchPublishable(10, {{id[1], id[2]}, {id[4], id[4]}})),
            (std::vector<int64_t>{id[0], id[3], id[5]}));
  EXPECT_EQ(ids(store.FetchPublishable(1, {{id[0], id[0]}})), std::vector<int64_t>{id[1]})
      << "the limit counts the rows returned";
  EXPECT_EQ(ids(store.FetchPublishable(10, {{id[0], id[5]}})), std::vector<int64_t>{});
  std::vector<IdRange> too_many(OutboxStore::kMaxSkipRanges + 1, IdRange{id[0], id[0]});
  EXPECT_EQ(store.FetchPublishable(10, too_many).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// InnoDB shows a commit before its log is flushed, so a read that returns
// rows commits a write of its own (the durability barrier) before the rows
// go to the broker; a read that finds nothing writes nothing.
TEST_F(RelayTest, AReadThatReturnsRowsCommitsABarrierAfterItAndAnEmptyReadDoesNot) {
  const auto barrier_reads = [&]() -> int64_t {
    auto connection = pool_->Acquire();
    EXPECT_TRUE(connection.ok()) << connection.status();
    if (!connection.ok()) return -1;
    std::unique_ptr<sql::ResultSet> result(
        connection->Prepare("SELECT COALESCE(MAX(passes), 0) FROM outbox_barrier").executeQuery());
    return result->next() ? result->getInt64(1) : -1;
  };
  MysqlOutboxStore store(*pool_);
  const int64_t before = barrier_reads();
  auto empty = store.FetchPublishable(10, {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  ASSERT_TRUE(empty->empty());
  EXPECT_EQ(barrier_reads(), before) << "an empty read needs no barrier";
  Append(3, 3);
  auto rows = store.FetchPublishable(10, {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(rows->size(), 3u);
  EXPECT_EQ(barrier_reads(), before + 1);
  ASSERT_TRUE(store.FetchPublishable(10, {}).ok());
  EXPECT_EQ(barrier_reads(), before + 2);
}

// An outbox as the relay before migration 0003 left it (published rows kept
// with published_at, a parked row, rows still waiting) comes out holding only
// what is still to publish, in the same order, with the same parked row, and
// the published_at column and its two extra indexes gone.
TEST(OutboxMigrationTest, MarkedRowsAreDeletedAndWhatIsStillToPublishKeepsItsOrder) {
  shop::testing::TestDatabase database("outbox_migration");
  ASSERT_TRUE(database.status().ok()) << database.status();
  mysql::ConnectionPool pool(database.options());
  const std::vector<mysql::Migration> all = OutboxMigrations();
  ASSERT_GE(all.size(), 3u);
  ASSERT_EQ(all[2].version, 3);
  ASSERT_TRUE(mysql::ApplyMigrations(pool, "outbox", {all[0], all[1]}).ok());
  // As the relay before 0003 left them: id 1 published, 2 waiting (key a),
  // 3 published, 4 parked (key b), 5 waiting behind it, 6 waiting (key a).
  const std::string old_rows =
      "INSERT INTO outbox (event_id, topic, record_key, event_type, payload, source,"
      " correlation_id, causation_id, created_at, published_at, parked_at) VALUES"
      " (UUID(), 't', 'a', 'e', 'p1', 's', 'c', '', NOW(6), NOW(6), NULL),"
      " (UUID(), 't', 'a', 'e', 'p2', 's', 'c', '', NOW(6), NULL, NULL),"
      " (UUID(), 't', 'b', 'e', 'p3', 's', 'c', '', NOW(6), NOW(6), NULL),"
      " (UUID(), 't', 'b', 'e', 'p4', 's', 'c', '', NOW(6), NULL, NOW(6)),"
      " (UUID(), 't', 'b', 'e', 'p5', 's', 'c', '', NOW(6), NULL, NULL),"
      " (UUID(), 't', 'a', 'e', 'p6', 's', 'c', '', NOW(6), NULL, NULL)";
  ASSERT_TRUE(
      mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(10), [&](mysql::Transaction& tx) {
        tx.Prepare(old_rows).executeUpdate();
        return absl::OkStatus();
      }).ok());
  auto applied = mysql::ApplyMigrations(pool, "outbox", all);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, static_cast<int>(all.size()) - 2);

  MysqlOutboxStore store(pool);
  auto rows = store.FetchPublishable(10, {});
  ASSERT_TRUE(rows.ok()) << rows.status();
  std::vector<std::string> payloads;
  for (const OutboxRow& row : *rows) payloads.push_back(row.record.value);
  EXPECT_EQ(payloads, (std::vector<std::string>{"p2", "p6"})) << "p5 waits behind parked p4";
  EXPECT_EQ(*store.CountUnpublished(), 4);
  EXPECT_EQ(*store.CountParked(), 1);
  auto parked = store.ListParked(10);
  ASSERT_TRUE(parked.ok()) << parked.status();
  ASSERT_EQ(parked->size(), 1u);
  EXPECT_EQ((*parked)[0].held_behind, 1);

  // Marking rows published deletes them, and nothing else.
  ASSERT_TRUE(store.DeletePublished({(*rows)[0].id, (*rows)[1].id}).ok());
  EXPECT_EQ(*store.CountUnpublished(), 2);
  ASSERT_TRUE(store.Discard((*parked)[0].id).ok());
  rows = store.FetchPublishable(10, {});
  ASSERT_TRUE(rows.ok() && rows->size() == 1u);
  EXPECT_EQ((*rows)[0].record.value, "p5");

  std::set<std::string> indexes, columns;
  ASSERT_TRUE(
      mysql::RunInTransaction(pool, absl::Now() + absl::Seconds(10), [&](mysql::Transaction& tx) {
        std::unique_ptr<sql::ResultSet> found(
            tx.Prepare("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS"
                       " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'outbox'")
                .executeQuery());
        while (found->next()) indexes.insert(found->getString(1));
        found.reset(tx.Prepare("SELECT COLUMN_NAME FROM information_schema.COLUMNS"
                               " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'outbox'")
                        .executeQuery());
        while (found->next()) columns.insert(found->getString(1));
        return absl::OkStatus();
      }).ok());
  EXPECT_EQ(indexes, (std::set<std::string>{"PRIMARY", "outbox_parked"}));
  EXPECT_EQ(columns.count("published_at"), 0u);
  EXPECT_EQ(columns.count("event_id"), 1u);
}

}  // namespace
}  // namespace shop::outbox
