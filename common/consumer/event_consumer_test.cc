// The idempotent consumer against the real broker and database: dead
// letters, unknown types, redelivery, a crash mid-batch, a database outage,
// and partitions moving between two instances.
#include "common/consumer/event_consumer.h"

#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <signal.h>

#include <atomic>
#include <iostream>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/time/clock.h"
#include "common/events/event_route.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "common/mysql/provision.h"
#include "common/testing/event_fixture.h"
#include "common/testing/fixture_args.h"
#include "common/testing/infra.h"
#include "common/testing/kafka_reader.h"
#include "common/testing/process.h"
#include "gtest/gtest.h"
#include "proto/shop/order/v1/events.pb.h"

namespace shop::consumer {
namespace {

using shop::testing::ChildProcess;
using shop::testing::WaitFor;

// A consumer running on a thread of its own until the object goes away.
class RunningConsumer {
 public:
  RunningConsumer(ConsumerOptions options, mysql::ConnectionPool& pool)
      : consumer_(std::move(options), pool, nullptr) {
    shop::testing::RegisterEffectHandler(consumer_);
    thread_ = std::thread([this] { consumer_.Run().IgnoreError(); });
  }
  ~RunningConsumer() { Stop(); }
  void Stop() {
    consumer_.Stop();
    if (thread_.joinable()) thread_.join();
  }
  ConsumerStats stats() const { return consumer_.stats(); }

 private:
  EventConsumer consumer_;
  std::thread thread_;
};

class EventConsumerTest : public ::testing::Test {
 protected:
  EventConsumerTest()
      : database_("consumer_test"),
        topic_(shop::testing::UniqueName("consumer_test")),
        group_(shop::testing::UniqueName("group")) {}

  void SetUp() override {
    ASSERT_TRUE(database_.status().ok()) << database_.status();
    pool_ = std::make_unique<mysql::ConnectionPool>(database_.options());
    ASSERT_TRUE(shop::testing::MigrateFixture(*pool_).ok());
    ASSERT_TRUE(kafka::EnsureTopics(shop::testing::KafkaBrokers(), {{topic_, 4}}).ok());
    auto producer = kafka::Producer::Create(shop::testing::KafkaBrokers());
    ASSERT_TRUE(producer.ok());
    producer_ = *std::move(producer);
  }

  ConsumerOptions Options() const {
    ConsumerOptions options;
    options.brokers = shop::testing::KafkaBrokers();
    options.group = group_;
    options.topics = {topic_};
    options.max_batch = 25;
    return options;
  }

  kafka::Record Placed(const std::string& seq, const std::string& event_id = "") {
    shop::order::v1::OrderPlaced placed;
    placed.set_order_id("order-" + seq);
    placed.set_customer_id(seq);
    events::EventMetadata metadata{event_id.empty() ? events::NewUuid() : event_id,
                                   "shop.order.v1.OrderPlaced",
                                   "/test",
                                   absl::Now(),
                                   "c",
                                   ""};
    return {topic_, placed.order_id(), placed.SerializeAsString(), events::ToHeaders(metadata)};
  }

  void Send(const std::vector<kafka::Record>& records) {
    for (const auto& report : producer_->ProduceAndWait(records, absl::Seconds(30))) {
      ASSERT_TRUE(report.status.ok()) << report.status;
    }
  }

  void SendPlaced(int first, int count) {
    std::vector<kafka::Record> records;
    for (int i = first; i < first + count; ++i) records.push_back(Placed(std::to_string(i)));
    Send(records);
  }

  shop::testing::Effects Effects(mysql::ConnectionPool& pool) {
    auto effects = shop::testing::CountEffects(pool);
    return effects.ok() ? *effects : shop::testing::Effects{-1, -1};
  }
  shop::testing::Effects Effects() { return Effects(*pool_); }

  shop::testing::TestDatabase database_;
  std::string topic_;
  std::string group_;
  std::unique_ptr<mysql::ConnectionPool> pool_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(EventConsumerTest, PoisonRecordsGoToTheDeadLetterTopicWithTheirOriginAndTheRestIsApplied) {
  kafka::Record garbage = Placed("garbage");
  garbage.value = "\xff\xff\xff";  // not an OrderPlaced
  kafka::Record headerless = Placed("headerless");
  headerless.headers.clear();
  kafka::Record rejected = Placed("poison");
  kafka::Record future = Placed("future");
  future.headers = events::ToHeaders(
      {events::NewUuid(), "shop.order.v9.OrderTeleported", "/future", absl::Now(), "", ""});
  // One key, so the order on the partition is the order sent.
  std::vector<kafka::Record> records = {Placed("1"), garbage, Placed("2"), headerless,
                                        rejected,    future,  Placed("3")};
  for (auto& record : records) record.key = "same-key";
  Send(records);

  RunningConsumer consumer(Options(), *pool_);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 3; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().dead_lettered == 3; }, absl::Seconds(10)));
  EXPECT_EQ(consumer.stats().unknown_types, 1);
  EXPECT_EQ(Effects().rows, 3);

  const std::string dlq = events::DeadLetterTopic(topic_, group_);
  std::vector<shop::testing::ConsumedRecord> dead = shop::testing::ReadAtLeast(dlq, 3);
  ASSERT_EQ(dead.size(), 3u);
  const std::vector<int64_t> expected_offsets = {1, 3, 4};
  std::vector<std::string> errors;
  for (size_t i = 0; i < dead.size(); ++i) {
    EXPECT_EQ(events::HeaderValue(dead[i].headers, "dlq_origin_topic"), topic_);
    EXPECT_EQ(events::HeaderValue(dead[i].headers, "dlq_consumer_group"), group_);
    int64_t offset = -1;
    EXPECT_TRUE(
        absl::SimpleAtoi(events::HeaderValue(dead[i].headers, "dlq_origin_offset"), &offset));
    EXPECT_EQ(offset, expected_offsets[i]);
    EXPECT_FALSE(events::HeaderValue(dead[i].headers, "dlq_origin_partition").empty());
    errors.push_back(events::HeaderValue(dead[i].headers, "dlq_error"));
  }
  EXPECT_NE(errors[0].find("does not decode"), std::string::npos) << errors[0];
  EXPECT_NE(errors[1].find("ce_specversion"), std::string::npos) << errors[1];
  EXPECT_NE(errors[2].find("poison"), std::string::npos) << errors[2];
  EXPECT_EQ(dead[0].value, "\xff\xff\xff") << "the original payload is kept";
}

// Without a database: a transient failure is retried from the record that
// failed, a permanent one is dead-lettered, and nothing is skipped. (After a
// crash the records since the last commit run again: hence idempotent.)
TEST_F(EventConsumerTest, WithoutADatabaseTransientFailuresAreRetriedAndPoisonIsDeadLettered) {
  kafka::Record garbage = Placed("garbage");
  garbage.value = "\xff\xff\xff";
  std::vector<kafka::Record> records = {Placed("1"), Placed("flaky"), garbage, Placed("poison"),
                                        Placed("2")};
  for (auto& record : records) record.key = "same-key";
  Send(records);

  absl::Mutex mu;
  std::vector<std::string> seen;
  int flaky_failures = 0;
  ConsumerOptions options = Options();
  options.initial_backoff = absl::Milliseconds(10);
  EventConsumer consumer(options);
  consumer.OnIdempotent(std::function<absl::Status(const shop::order::v1::OrderPlaced&,
                                                   const events::EventMetadata&)>(
      [&](const shop::order::v1::OrderPlaced& placed, const events::EventMetadata&) {
        absl::MutexLock lock(&mu);
        if (placed.customer_id() == "flaky" && flaky_failures < 3) {
          ++flaky_failures;
          return absl::UnavailableError("cache unreachable");
        }
        if (placed.customer_id() == "poison") return absl::InvalidArgumentError("poison");
        seen.push_back(placed.customer_id());
        return absl::OkStatus();
      }));
  std::thread thread([&] { consumer.Run().IgnoreError(); });
  const bool done = WaitFor(
      [&] {
        absl::MutexLock lock(&mu);
        return !seen.empty() && seen.back() == "2";
      },
      absl::Seconds(30));
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().dead_lettered == 2; }, absl::Seconds(10)));
  consumer.Stop();
  thread.join();
  ASSERT_TRUE(done);
  EXPECT_EQ(flaky_failures, 3);
  // Each applied once, in order: a retry resumes at the record that failed.
  EXPECT_EQ(seen, (std::vector<std::string>{"1", "flaky", "2"}));
  EXPECT_EQ(consumer.stats().transient_failures, 3);
  EXPECT_EQ(shop::testing::ReadAtLeast(events::DeadLetterTopic(topic_, group_), 2).size(), 2u);
}

TEST_F(EventConsumerTest,
       LockWaitAndStatementTimeoutInsideAHandlerAreRetriedAndAppliedNotDeadLettered) {
  // A row another transaction holds: the handler's reads of it fail with a
  // lock wait timeout (MySQL 1205) or hit max_statement_time (1969) until
  // that transaction ends.
  {
    auto connection = pool_->Acquire();
    ASSERT_TRUE(connection.ok());
    connection->Execute("CREATE TABLE contested (id INT PRIMARY KEY, n INT) ENGINE=InnoDB");
    connection->Execute("INSERT INTO contested VALUES (1, 0)");
  }
  auto holder = mysql::Connect(database_.options());
  ASSERT_TRUE(holder.ok()) << holder.status();
  std::unique_ptr<sql::Statement> hold((*holder)->createStatement());
  hold->execute("START TRANSACTION");
  hold->execute("UPDATE contested SET n = n + 1 WHERE id = 1");

  EventConsumer consumer(Options(), *pool_, nullptr);
  consumer.On<shop::order::v1::OrderPlaced>(
      [](const shop::order::v1::OrderPlaced& placed, EventContext& context) {
        const std::string sql = placed.customer_id() == "lock-wait"
                                    ? "SET STATEMENT innodb_lock_wait_timeout=1 FOR"
                                      " UPDATE contested SET n = n + 10 WHERE id = 1"
                                    : "SET STATEMENT max_statement_time=0.2 FOR"
                                      " UPDATE contested SET n = n + 100 WHERE id = 1";
        context.tx().Prepare(sql).executeUpdate();
        return absl::OkStatus();
      });
  std::thread runner([&consumer] { consumer.Run().IgnoreError(); });
  Send({Placed("lock-wait"), Placed("statement-timeout")});

  ASSERT_TRUE(WaitFor([&] { return consumer.stats().transient_failures >= 3; }, absl::Seconds(30)));
  EXPECT_EQ(consumer.stats().dead_lettered, 0);
  EXPECT_EQ(consumer.stats().applied, 0);
  hold->execute("COMMIT");  // the other transaction ends

  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 2; }, absl::Seconds(30)));
  consumer.Stop();
  runner.join();
  EXPECT_EQ(consumer.stats().dead_lettered, 0);
  auto connection = pool_->Acquire();
  ASSERT_TRUE(connection.ok());
  std::unique_ptr<sql::ResultSet> n(
      connection->Prepare("SELECT n FROM contested WHERE id = 1").executeQuery());
  ASSERT_TRUE(n->next());
  EXPECT_EQ(n->getInt(1), 111) << "both handlers applied once, after the holder's +1";
  std::cout << "retried " << consumer.stats().transient_failures
            << " times on lock wait and statement timeout, then applied both\n";
}

TEST_F(EventConsumerTest, ABatchThatKeepsHittingALockIsAppliedOneRecordPerTransaction) {
  // One batch: "free", "contested", "after". The contested record waits for
  // a row another transaction holds; once the whole batch aborted twice, it
  // is applied a record per transaction, so "free" commits meanwhile.
  {
    auto connection = pool_->Acquire();
    ASSERT_TRUE(connection.ok());
    connection->Execute("CREATE TABLE contested (id INT PRIMARY KEY, n INT) ENGINE=InnoDB");
    connection->Execute("INSERT INTO contested VALUES (1, 0)");
  }
  auto holder = mysql::Connect(database_.options());
  ASSERT_TRUE(holder.ok()) << holder.status();
  std::unique_ptr<sql::Statement> hold((*holder)->createStatement());
  hold->execute("START TRANSACTION");
  hold->execute("UPDATE contested SET n = n + 1 WHERE id = 1");

  std::vector<kafka::Record> records = {Placed("free"), Placed("contested"), Placed("after")};
  for (auto& record : records) record.key = "same-key";  // one partition, in this order
  Send(records);
  EventConsumer consumer(Options(), *pool_, nullptr);
  consumer.On<shop::order::v1::OrderPlaced>(
      [](const shop::order::v1::OrderPlaced& placed, EventContext& context) {
        if (placed.customer_id() == "contested") {
          context.tx()
              .Prepare(
                  "SET STATEMENT innodb_lock_wait_timeout=1 FOR"
                  " UPDATE contested SET n = n + 10 WHERE id = 1")
              .executeUpdate();
        }
        return shop::testing::RecordEffect(placed, context);
      });
  std::thread runner([&consumer] { consumer.Run().IgnoreError(); });

  ASSERT_TRUE(WaitFor([&] { return Effects().rows == 1; }, absl::Seconds(30)))
      << "the record before the contested one commits on its own";
  EXPECT_GE(consumer.stats().split_batches, 1);
  hold->execute("COMMIT");
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 3; }, absl::Seconds(30)));
  consumer.Stop();
  runner.join();
  EXPECT_EQ(consumer.stats().dead_lettered, 0);
  EXPECT_EQ(Effects().rows, 3);
  EXPECT_EQ(Effects().distinct, 3);
}

TEST_F(EventConsumerTest, APermanentFailureAtCommitDeadLettersOnlyTheRecordThatCausedIt) {
  // Work a handler defers to COMMIT (as the outbox does with its rows) fails
  // for good for one record: no handler reported it, so the batch is split
  // and only that record goes to the dead-letter topic.
  std::vector<kafka::Record> records = {Placed("1"), Placed("fails-at-commit"), Placed("3")};
  for (auto& record : records) record.key = "same-key";
  Send(records);
  EventConsumer consumer(Options(), *pool_, nullptr);
  consumer.On<shop::order::v1::OrderPlaced>(
      [](const shop::order::v1::OrderPlaced& placed, EventContext& context) {
        if (absl::Status recorded = shop::testing::RecordEffect(placed, context); !recorded.ok()) {
          return recorded;
        }
        if (placed.customer_id() == "fails-at-commit") {
          context.tx().BeforeCommit(
              [] { return absl::InvalidArgumentError("deferred write refused"); });
        }
        return absl::OkStatus();
      });
  std::thread runner([&consumer] { consumer.Run().IgnoreError(); });
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 2; }, absl::Seconds(30)));
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().dead_lettered == 1; }, absl::Seconds(10)));
  consumer.Stop();
  runner.join();
  EXPECT_EQ(Effects().rows, 2);
  std::vector<shop::testing::ConsumedRecord> dead =
      shop::testing::ReadAtLeast(events::DeadLetterTopic(topic_, group_), 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(events::HeaderValue(dead[0].headers, "dlq_origin_offset"), "1");
  EXPECT_NE(events::HeaderValue(dead[0].headers, "dlq_error").find("deferred write refused"),
            std::string::npos);
}

// A commit lost where CommitRetry cannot see it (the chaos run found a group
// left 9 applied records behind for good): once idle, the consumer commits
// the positions of what it applied.
TEST_F(EventConsumerTest, OffsetsWhoseCommitWasLostAreCommittedOnceTheConsumerIsIdle) {
  ConsumerOptions options = Options();
  options.unsafe_lose_batch_commits = true;
  options.reconcile_interval = absl::Milliseconds(200);
  SendPlaced(0, 20);
  RunningConsumer consumer(options, *pool_);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 20; }, absl::Seconds(30)));
  EXPECT_TRUE(
      WaitFor([&] { return shop::testing::GroupCaughtUp(group_, topic_); }, absl::Seconds(20)))
      << "the group's offsets stay behind what was applied";
  SendPlaced(20, 5);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied == 25; }, absl::Seconds(30)));
  EXPECT_TRUE(
      WaitFor([&] { return shop::testing::GroupCaughtUp(group_, topic_); }, absl::Seconds(20)));
  EXPECT_EQ(Effects().rows, 25);
}

TEST_F(EventConsumerTest, RedeliveredEventIsANoOp) {
  const std::string id = events::NewUuid();
  Send({Placed("1", id), Placed("1", id), Placed("2")});
  RunningConsumer consumer(Options(), *pool_);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().applied + consumer.stats().duplicates == 3; },
                      absl::Seconds(30)));
  EXPECT_EQ(consumer.stats().applied, 2);
  EXPECT_EQ(consumer.stats().duplicates, 1);
  EXPECT_EQ(Effects().rows, 2);
}

TEST_F(EventConsumerTest, KilledInTheMiddleOfABatchEveryEffectIsAppliedExactlyOnce) {
  SendPlaced(0, 60);
  {
    ChildProcess crashing(
        shop::testing::kEventFixture,
        shop::testing::FixtureArgs(database_.options(),
                                   {"--mode=consume", "--topic=" + topic_, "--group=" + group_,
                                    "--crash_after_handled=7"}));
    ASSERT_TRUE(crashing.Wait(absl::Seconds(60)));
    EXPECT_EQ(crashing.term_signal(), SIGKILL);
  }
  {
    ChildProcess resumed(
        shop::testing::kEventFixture,
        shop::testing::FixtureArgs(database_.options(),
                                   {"--mode=consume", "--topic=" + topic_, "--group=" + group_,
                                    "--exit_after_effects=60"}));
    ASSERT_TRUE(resumed.Wait(absl::Seconds(60)));
    EXPECT_EQ(resumed.exit_code(), 0);
  }
  // Give any stray duplicate the chance to show before counting.
  RunningConsumer after(Options(), *pool_);
  SendPlaced(60, 1);
  ASSERT_TRUE(WaitFor([&] { return Effects().rows >= 61; }, absl::Seconds(30)));
  after.Stop();
  EXPECT_EQ(Effects().rows, 61);
  EXPECT_EQ(Effects().distinct, 61);
}

TEST(EventConsumerOutageTest, DatabaseDownForTenSecondsIsRetriedAndNothingIsSkipped) {
  shop::testing::ScratchMariaDb server;
  ASSERT_TRUE(server.Start().ok());
  ASSERT_TRUE(mysql::ProvisionDatabase(server.AdminOptions(), "outage", "outage", "pw").ok());
  mysql::MysqlOptions options = server.AdminOptions();
  options.database = "outage";
  options.user = "outage";
  options.password = "pw";
  options.connect_timeout = absl::Seconds(1);
  options.io_timeout = absl::Seconds(2);
  mysql::ConnectionPool pool(options);
  ASSERT_TRUE(shop::testing::MigrateFixture(pool).ok());
  const std::string topic = shop::testing::UniqueName("outage");
  ASSERT_TRUE(kafka::EnsureTopics(shop::testing::KafkaBrokers(), {{topic, 2}}).ok());
  auto producer = kafka::Producer::Create(shop::testing::KafkaBrokers());
  ASSERT_TRUE(producer.ok());
  auto send = [&](int first, int count) {
    std::vector<kafka::Record> records;
    for (int i = first; i < first + count; ++i) {
      shop::order::v1::OrderPlaced placed;
      placed.set_order_id("o" + std::to_string(i));
      placed.set_customer_id(std::to_string(i));
      records.push_back({topic, placed.order_id(), placed.SerializeAsString(),
                         events::ToHeaders({events::NewUuid(), "shop.order.v1.OrderPlaced", "/t",
                                            absl::Now(), "", ""})});
    }
    for (const auto& report : (*producer)->ProduceAndWait(records, absl::Seconds(30))) {
      ASSERT_TRUE(report.status.ok());
    }
  };
  auto effects = [&pool]() {
    auto counted = shop::testing::CountEffects(pool);
    return counted.ok() ? counted->rows : -1;
  };

  ConsumerOptions consumer_options;
  consumer_options.brokers = shop::testing::KafkaBrokers();
  consumer_options.group = shop::testing::UniqueName("outage_group");
  consumer_options.topics = {topic};
  consumer_options.max_backoff = absl::Seconds(1);
  RunningConsumer consumer(consumer_options, pool);
  send(0, 20);
  ASSERT_TRUE(WaitFor([&] { return effects() == 20; }, absl::Seconds(30)));

  ASSERT_TRUE(server.Stop().ok());
  send(20, 20);
  // The outage lasts ten seconds: that is the scenario, not a wait for a result.
  const absl::Time outage_end = absl::Now() + absl::Seconds(10);
  ASSERT_TRUE(WaitFor([&] { return consumer.stats().transient_failures >= 3; }, absl::Seconds(10)))
      << "the consumer must keep retrying while the database is down";
  absl::SleepFor(outage_end - absl::Now());
  ASSERT_TRUE(server.Start().ok());

  ASSERT_TRUE(WaitFor([&] { return effects() == 40; }, absl::Seconds(30)));
  consumer.Stop();
  auto counted = shop::testing::CountEffects(pool);
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ(counted->rows, 40);
  EXPECT_EQ(counted->distinct, 40);
  EXPECT_EQ(consumer.stats().dead_lettered, 0) << "an outage is transient, never poison";
}

TEST_F(EventConsumerTest, PartitionsMovingBetweenTwoInstancesCauseNoDuplicateEffect) {
  auto first = std::make_unique<RunningConsumer>(Options(), *pool_);
  RunningConsumer second(Options(), *pool_);
  SendPlaced(0, 150);
  ASSERT_TRUE(WaitFor([&] { return Effects().rows >= 60; }, absl::Seconds(30)));
  first.reset();  // leaves the group mid-stream: its partitions move to the second
  SendPlaced(150, 150);
  ASSERT_TRUE(WaitFor([&] { return Effects().rows >= 300; }, absl::Seconds(60)));
  second.Stop();
  EXPECT_EQ(Effects().rows, 300);
  EXPECT_EQ(Effects().distinct, 300);
}

}  // namespace
}  // namespace shop::consumer

namespace shop::consumer {
namespace {

// A consumer pauses its partitions while it retries; a partition it loses to
// a rebalance meanwhile and gets back after the retry must be fetched again
// (librdkafka keeps the pause across the rebalance). The chaos run found
// this: a product instance retrying through a database outage, another
// instance restarting twice, and one partition never read again.
TEST_F(EventConsumerTest, APartitionPausedByARetryAndReassignedLaterIsFetchedAgain) {
  absl::Mutex mu;
  std::set<std::string> seen;
  std::atomic<bool> failing{true};
  auto handler = [&](bool fails_while_failing) {
    return std::function<absl::Status(const shop::order::v1::OrderPlaced&,
                                      const events::EventMetadata&)>(
        [&, fails_while_failing](const shop::order::v1::OrderPlaced& placed,
                                 const events::EventMetadata&) {
          if (fails_while_failing && failing) return absl::UnavailableError("database down");
          absl::MutexLock lock(&mu);
          seen.insert(placed.customer_id());
          return absl::OkStatus();
        });
  };
  auto seen_count = [&] {
    absl::MutexLock lock(&mu);
    return seen.size();
  };
  ConsumerOptions options = Options();
  options.initial_backoff = absl::Milliseconds(50);
  options.max_backoff = absl::Milliseconds(200);
  EventConsumer first(options);
  first.OnIdempotent(handler(/*fails_while_failing=*/true));
  std::thread first_thread([&] { first.Run().IgnoreError(); });
  SendPlaced(0, 40);  // over all four partitions
  // The first retries with its partitions paused.
  ASSERT_TRUE(WaitFor([&] { return first.stats().transient_failures >= 2; }, absl::Seconds(30)));

  // A second instance takes half of them; the first recovers meanwhile.
  auto second = std::make_unique<EventConsumer>(options);
  second->OnIdempotent(handler(/*fails_while_failing=*/false));
  std::thread second_thread([&] { second->Run().IgnoreError(); });
  ASSERT_TRUE(WaitFor([&] { return second->stats().applied > 0; }, absl::Seconds(30)));
  failing = false;
  ASSERT_TRUE(WaitFor([&] { return seen_count() == 40; }, absl::Seconds(30)));

  // The second leaves: every partition is the first's again, and new events
  // on each of them are applied.
  second->Stop();
  second_thread.join();
  second.reset();
  SendPlaced(40, 40);
  const bool all = WaitFor([&] { return seen_count() == 80; }, absl::Seconds(30));
  first.Stop();
  first_thread.join();
  EXPECT_TRUE(all) << "applied " << seen_count() << " of 80";
}

}  // namespace
}  // namespace shop::consumer
