// The relay's rules against an in-memory outbox and a scripted producer:
// parking, per-key holding, the acknowledged prefix per partition, backoff
// that a wake-up does not cut short, and a fatal producer replaced or given
// up. The same relay runs on the real broker and database in relay_test.
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/outbox/relay.h"
#include "gtest/gtest.h"

namespace shop::outbox {
namespace {

struct FakeRow {
  OutboxRow row;
  bool hidden = false;  // not committed yet: its id is taken, the row not seen
  bool published = false;
  bool parked = false;
  std::string reason;
};

// OutboxStore in memory, with the same hold rule as the SQL.
class FakeStore : public OutboxStore {
 public:
  // Returns the row's id.
  int64_t Add(const std::string& key, std::string payload = "x", const std::string& topic = "t",
              bool hidden = false) {
    absl::MutexLock lock(&mu_);
    FakeRow row;
    row.hidden = hidden;
    row.row.id = static_cast<int64_t>(rows_.size()) + 1;
    row.row.record.topic = topic;
    row.row.record.key = key;
    row.row.record.value = std::move(payload);
    row.row.created_at = absl::Now();
    rows_.push_back(std::move(row));
    return static_cast<int64_t>(rows_.size());
  }
  // A transaction that took its id earlier commits now.
  void Commit(int64_t id) {
    absl::MutexLock lock(&mu_);
    rows_[id - 1].hidden = false;
  }
  absl::StatusOr<std::vector<OutboxRow>> FetchPublishable(
      int limit, const std::vector<IdRange>& skip) override {
    absl::MutexLock lock(&mu_);
    EXPECT_LE(skip.size(), static_cast<size_t>(kMaxSkipRanges));
    std::vector<OutboxRow> out;
    std::set<std::pair<std::string, std::string>> parked;
    for (const FakeRow& row : rows_) {
      if (row.published || row.hidden) continue;
      const auto key = std::make_pair(row.row.record.topic, row.row.record.key);
      if (row.parked) {
        parked.insert(key);
        continue;
      }
      if (parked.count(key)) continue;
      const bool skipped = std::any_of(skip.begin(), skip.end(), [&](const IdRange& range) {
        return range.first <= row.row.id && row.row.id <= range.last;
      });
      if (skipped) continue;
      if (static_cast<int>(out.size()) < limit) out.push_back(row.row);
    }
    rows_read_ += static_cast<int64_t>(out.size());
    return out;
  }
  // Rows returned by every read so far.
  int64_t rows_read() {
    absl::MutexLock lock(&mu_);
    return rows_read_;
  }
  absl::Status DeletePublished(const std::vector<int64_t>& ids) override {
    absl::MutexLock lock(&mu_);
    if (fail_marks_) return absl::UnavailableError("MySQL server has gone away");
    ++marks_;
    for (int64_t id : ids) rows_[id - 1].published = true;
    return absl::OkStatus();
  }
  int marks() {
    absl::MutexLock lock(&mu_);
    return marks_;
  }
  void SetFailMarks(bool fail) {
    absl::MutexLock lock(&mu_);
    fail_marks_ = fail;
  }
  int MarkedCount() {
    absl::MutexLock lock(&mu_);
    int n = 0;
    for (const FakeRow& row : rows_) n += row.published ? 1 : 0;
    return n;
  }
  absl::Status Park(int64_t id, const std::string& reason) override {
    absl::MutexLock lock(&mu_);
    rows_[id - 1].parked = true;
    rows_[id - 1].reason = reason;
    return absl::OkStatus();
  }
  void Release(int64_t id) {
    absl::MutexLock lock(&mu_);
    rows_[id - 1].parked = false;
  }
  absl::StatusOr<int64_t> CountUnpublished() override {
    absl::MutexLock lock(&mu_);
    int64_t n = 0;
    for (const FakeRow& row : rows_) n += row.published ? 0 : 1;
    return n;
  }
  absl::StatusOr<int64_t> CountParked() override {
    absl::MutexLock lock(&mu_);
    int64_t n = 0;
    for (const FakeRow& row : rows_) n += row.parked && !row.published ? 1 : 0;
    return n;
  }
  bool TryAcquireLock() override {
    absl::MutexLock lock(&mu_);
    return lock_available_;
  }
  bool HoldsLock() override {
    absl::MutexLock lock(&mu_);
    ++lock_checks_;
    return lock_available_;
  }
  int lock_checks() {
    absl::MutexLock lock(&mu_);
    return lock_checks_;
  }
  void SetLockAvailable(bool available) {
    absl::MutexLock lock(&mu_);
    lock_available_ = available;
  }
  void ReleaseLock() override {
    absl::MutexLock lock(&mu_);
    ++releases_;
  }

  FakeRow Get(int64_t id) {
    absl::MutexLock lock(&mu_);
    return rows_[id - 1];
  }
  int releases() {
    absl::MutexLock lock(&mu_);
    return releases_;
  }

 private:
  absl::Mutex mu_;
  std::vector<FakeRow> rows_;
  bool lock_available_ = true;
  int releases_ = 0;
  int lock_checks_ = 0;
  int marks_ = 0;
  int64_t rows_read_ = 0;
  bool fail_marks_ = false;
};

// A producer whose answer per record is scripted; keys map to partitions
// by their first character.
class ScriptedPublisher : public kafka::EventPublisher {
 public:
  using Script = std::function<kafka::DeliveryReport(const kafka::Record&, int call)>;
  explicit ScriptedPublisher(Script script) : script_(std::move(script)) {}

  std::vector<kafka::DeliveryReport> ProduceAndWait(const std::vector<kafka::Record>& records,
                                                    absl::Duration) override {
    absl::MutexLock lock(&mu_);
    std::vector<kafka::DeliveryReport> reports;
    for (const kafka::Record& record : records) {
      kafka::DeliveryReport report = script_(record, calls_);
      if (report.partition < 0 && !report.fatal) report.partition = record.key[0] % 2;
      reports.push_back(report);
      ++sends_[record.key + "/" + record.value];
      if (report.status.ok()) delivered_.push_back(record.key + "/" + record.value);
    }
    ++calls_;
    return reports;
  }
  int calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  std::map<std::string, int> sends() {
    absl::MutexLock lock(&mu_);
    return sends_;
  }
  std::vector<std::string> delivered() {
    absl::MutexLock lock(&mu_);
    return delivered_;
  }

 private:
  absl::Mutex mu_;
  Script script_;
  int calls_ = 0;
  std::map<std::string, int> sends_;
  std::vector<std::string> delivered_;
};

kafka::DeliveryReport Ok() { return {}; }
kafka::DeliveryReport Failed(absl::Status status) {
  kafka::DeliveryReport report;
  report.status = std::move(status);
  return report;
}

bool WaitUntil(const std::function<bool()>& condition, absl::Duration timeout = absl::Seconds(5)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(2));  // polling a condition, with a deadline
  }
  return condition();
}

RelayOptions FastOptions() {
  RelayOptions options;
  options.poll_interval = absl::Milliseconds(5);
  options.lock_retry = absl::Milliseconds(5);
  options.initial_backoff = absl::Milliseconds(5);
  options.max_backoff = absl::Milliseconds(20);
  options.stats_interval = absl::Hours(1);
  return options;
}

// FastOptions whose relay reads the outbox only when woken (or owed a read),
// never on its own poll.
RelayOptions WakeOnlyOptions() {
  RelayOptions options = FastOptions();
  options.poll_interval = absl::Hours(1);
  return options;
}

// The relay with one shared publisher that the factory hands out again.
struct Harness {
  explicit Harness(ScriptedPublisher::Script script, RelayOptions options = FastOptions())
      : publisher(std::make_shared<ScriptedPublisher>(std::move(script))),
        relay(
            store,
            [this]() -> absl::StatusOr<std::unique_ptr<kafka::EventPublisher>> {
              return std::unique_ptr<kafka::EventPublisher>(new Forwarder(publisher));
            },
            std::move(options)) {}

  class Forwarder : public kafka::EventPublisher {
   public:
    explicit Forwarder(std::shared_ptr<ScriptedPublisher> target) : target_(std::move(target)) {}
    std::vector<kafka::DeliveryReport> ProduceAndWait(const std::vector<kafka::Record>& records,
                                                      absl::Duration timeout) override {
      return target_->ProduceAndWait(records, timeout);
    }

   private:
    std::shared_ptr<ScriptedPublisher> target_;
  };

  FakeStore store;
  std::shared_ptr<ScriptedPublisher> publisher;
  OutboxRelay relay;
};

TEST(RelayRulesTest, TheLockIsCheckedOncePerIntervalNotOncePerBatchAndItsLossIsNoticed) {
  RelayOptions options = FastOptions();
  options.batch_size = 10;
  options.lock_check_interval = absl::Seconds(30);
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  for (int i = 0; i < 200; ++i) h.store.Add("k" + std::to_string(i), "x");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().published == 200; }));
  EXPECT_GE(h.publisher->calls(), 20) << "twenty batches at least";
  EXPECT_LE(h.store.lock_checks(), 1) << "not a statement per batch";
  h.relay.Stop();

  options.lock_check_interval = absl::Milliseconds(20);
  Harness lost([](const kafka::Record&, int) { return Ok(); }, options);
  lost.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return lost.relay.active(); }));
  lost.store.SetLockAvailable(false);  // its lock connection died; another relay may hold it
  ASSERT_TRUE(WaitUntil([&] { return !lost.relay.active(); }))
      << "the loss is noticed within the interval";
  lost.store.Add("late", "x");
  lost.relay.Wake();
  const int64_t polls = lost.relay.stats().polls;
  absl::SleepFor(absl::Milliseconds(100));  // a standby's lock retries (every 5 ms) would publish
  EXPECT_EQ(lost.relay.stats().polls, polls) << "a standby does not read the outbox";
  EXPECT_EQ(lost.relay.stats().published, 0);
  lost.store.SetLockAvailable(true);
  ASSERT_TRUE(WaitUntil([&] { return lost.relay.stats().published == 1; }))
      << "active again once it gets the lock";
  lost.relay.Stop();
}

TEST(RelayRulesTest, AcknowledgedRowsAreMarkedTogetherOncePerIntervalAndNeverSentTwice) {
  RelayOptions options = FastOptions();
  options.mark_interval = absl::Hours(1);
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  h.relay.Start();
  for (int i = 1; i <= 5; ++i) {
    h.store.Add("k", std::to_string(i));  // the same key: each waits for the one before
    h.relay.Wake();
    ASSERT_TRUE(
        WaitUntil([&] { return h.publisher->delivered().size() == static_cast<size_t>(i); }));
  }
  // Rounds go on (5 ms polls) and read the five unmarked rows each time.
  const int64_t polls = h.relay.stats().polls;
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().polls >= polls + 10; }));
  EXPECT_EQ(h.store.marks(), 0) << "no UPDATE per round";
  EXPECT_EQ(h.store.MarkedCount(), 0);
  EXPECT_EQ(h.relay.stats().published, 0) << "published counts marked rows";
  for (const auto& [record, sends] : h.publisher->sends()) EXPECT_EQ(sends, 1) << record;
  EXPECT_EQ(h.publisher->delivered(),
            (std::vector<std::string>{"k/1", "k/2", "k/3", "k/4", "k/5"}));
  h.relay.Stop();  // marks what it holds before it lets the lock go
  EXPECT_EQ(h.store.marks(), 1);
  EXPECT_EQ(h.store.MarkedCount(), 5);
  EXPECT_EQ(h.relay.stats().published, 5);
}

TEST(RelayRulesTest, AnIdleRelayMarksWhenTheIntervalIsUpNotAtItsNextPoll) {
  RelayOptions options = WakeOnlyOptions();
  options.mark_interval = absl::Milliseconds(20);
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.relay.active(); }));
  h.store.Add("k");
  h.relay.Wake();
  EXPECT_TRUE(WaitUntil([&] { return h.store.Get(1).published; }));
  EXPECT_EQ(h.store.marks(), 1);
  h.relay.Stop();
}

TEST(RelayRulesTest, ABatchsWorthOfAcknowledgedRowsIsMarkedWithoutWaitingForTheInterval) {
  RelayOptions options = FastOptions();
  options.batch_size = 10;
  options.mark_interval = absl::Hours(1);
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  for (int i = 0; i < 25; ++i) h.store.Add("k" + std::to_string(i));
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.publisher->delivered().size() == 25u; }));
  EXPECT_EQ(h.store.MarkedCount(), 20);
  EXPECT_EQ(h.store.marks(), 2);
  h.relay.Stop();
  EXPECT_EQ(h.store.MarkedCount(), 25);
}

TEST(RelayRulesTest, AFailedMarkIsRetriedAndItsRowsAreNotSentAgainMeanwhile) {
  RelayOptions options = FastOptions();
  options.mark_interval = absl::ZeroDuration();  // every round
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  h.store.SetFailMarks(true);
  h.store.Add("a");
  h.store.Add("b");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.publisher->delivered().size() == 2u; }));
  const int64_t polls = h.relay.stats().polls;
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().polls >= polls + 5; }))
      << "rounds go on, backing off";
  h.store.SetFailMarks(false);
  ASSERT_TRUE(WaitUntil([&] { return h.store.MarkedCount() == 2; }));
  EXPECT_EQ(h.publisher->sends()["a/x"], 1);
  EXPECT_EQ(h.publisher->sends()["b/x"], 1);
  h.relay.Stop();
}

TEST(RelayRulesTest, ARelayThatLosesItsLockMarksWhatItHoldsFirst) {
  RelayOptions options = FastOptions();
  options.mark_interval = absl::Hours(1);
  options.lock_check_interval = absl::Milliseconds(10);
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  h.store.Add("k");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.publisher->delivered().size() == 1u; }));
  EXPECT_FALSE(h.store.Get(1).published);
  h.store.SetLockAvailable(false);
  ASSERT_TRUE(WaitUntil([&] { return !h.relay.active(); }));
  EXPECT_TRUE(h.store.Get(1).published);
  h.relay.Stop();
}

TEST(RelayRulesTest, APermanentlyRefusedRowIsParkedItsKeyHeldAndOtherKeysFlow) {
  Harness h([](const kafka::Record& record, int) {
    return record.value == "poison"
               ? Failed(absl::InvalidArgumentError("Broker: Message size too large"))
               : Ok();
  });
  h.store.Add("a1", "1");
  h.store.Add("a1", "poison");  // id 2
  h.store.Add("a1", "3");       // held behind it
  for (int i = 0; i < 300; ++i) h.store.Add("b" + std::to_string(i), "x");
  h.relay.Start();
  // The poison goes out a round after "1" (one row per key in flight): wait
  // for both, or the count below races that round.
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().published == 301 && h.store.Get(2).parked; }));
  const int calls = h.publisher->calls();
  // Idle: nothing is sent again, however often the relay looks.
  const int64_t polls = h.relay.stats().polls;
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().polls >= polls + 20; }));
  EXPECT_EQ(h.publisher->calls(), calls);
  EXPECT_TRUE(h.store.Get(2).parked);
  EXPECT_NE(h.store.Get(2).reason.find("too large"), std::string::npos);
  EXPECT_FALSE(h.store.Get(3).published);
  EXPECT_EQ(h.publisher->sends()["a1/3"], 0) << "a later event of a parked key is never sent";
  EXPECT_EQ(h.relay.stats().parked, 1);
  h.relay.Stop();
}

TEST(RelayRulesTest, AReleasedRowIsRetriedAndTheRowsHeldBehindItFollowInOrder) {
  bool refuse = true;
  absl::Mutex mu;
  Harness h([&](const kafka::Record& record, int) {
    absl::MutexLock lock(&mu);
    return record.value == "2" && refuse ? Failed(absl::PermissionDeniedError("not authorised"))
                                         : Ok();
  });
  h.store.Add("k", "1");
  h.store.Add("k", "2");
  h.store.Add("k", "3");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.store.Get(2).parked; }));
  {
    absl::MutexLock lock(&mu);
    refuse = false;  // the operator fixed the ACL
  }
  h.store.Release(2);
  h.relay.Wake();
  ASSERT_TRUE(WaitUntil([&] { return h.store.Get(3).published; }));
  EXPECT_EQ(h.publisher->delivered(), (std::vector<std::string>{"k/1", "k/2", "k/3"}));
  h.relay.Stop();
}

TEST(RelayRulesTest, ARowOverMaxEventBytesIsParkedWithoutBeingSent) {
  RelayOptions options = FastOptions();
  options.max_event_bytes = 100;
  Harness h([](const kafka::Record&, int) { return Ok(); }, options);
  h.store.Add("k", std::string(200, 'x'));
  h.store.Add("k", "small but held");
  h.store.Add("other", "small");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.store.Get(3).published; }));
  EXPECT_TRUE(h.store.Get(1).parked);
  EXPECT_NE(h.store.Get(1).reason.find("max_event_bytes 100"), std::string::npos);
  EXPECT_FALSE(h.store.Get(2).published);
  EXPECT_EQ(h.publisher->sends().count("k/" + std::string(200, 'x')), 0u);
  h.relay.Stop();
}

TEST(RelayRulesTest, AfterATransientFailureOnlyThatPartitionsRestIsSentAgain) {
  // Keys starting with 'a' (97, odd) go to partition 1, 'b' (98) to 0. The
  // first attempt fails at a2 in partition 1, as the idempotent producer
  // would: a2 and every later record of partition 1 fail.
  Harness h([](const kafka::Record& record, int call) {
    if (call == 0 && record.key[0] == 'a' && record.key >= "a2") {
      return Failed(absl::UnavailableError("Local: Message timed out"));
    }
    return Ok();
  });
  for (int i = 0; i < 5; ++i) {
    h.store.Add("a" + std::to_string(i));
    h.store.Add("b" + std::to_string(i));
  }
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().published == 10; }));
  for (const auto& [record, sends] : h.publisher->sends()) {
    const bool retried = record[0] == 'a' && record >= "a2";
    EXPECT_EQ(sends, retried ? 2 : 1) << record;
  }
  h.relay.Stop();
}

TEST(RelayRulesTest, AcknowledgedRowsBehindAFailureInTheirPartitionAreNotMarked) {
  // a2 fails transiently on the first call but a3 (same partition) is
  // acknowledged anyway: a3 is not marked, so it cannot overtake a2.
  Harness h([](const kafka::Record& record, int call) {
    if (call == 0 && record.key == "a2") return Failed(absl::UnavailableError("timed out"));
    return Ok();
  });
  h.store.Add("a2");
  h.store.Add("a3");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().published == 2; }));
  EXPECT_EQ(h.relay.stats().held_back, 1);
  EXPECT_EQ(h.publisher->delivered(), (std::vector<std::string>{"a3/x", "a2/x", "a3/x"}));
  h.relay.Stop();
}

// A producer whose reports come only when the test releases them, round by
// round: the relay's rounds overlap against it as against a real broker.
class HeldPublisher : public kafka::EventPublisher {
 public:
  struct Round {
    std::vector<std::string> keys;
    std::vector<kafka::DeliveryReport> reports;
    bool released = false;
    std::function<void()> on_done;
  };
  class HeldDelivery : public kafka::Delivery {
   public:
    HeldDelivery(HeldPublisher* publisher, size_t round) : publisher_(publisher), round_(round) {}
    ~HeldDelivery() override {
      absl::MutexLock lock(&publisher_->mu_);
      publisher_->rounds_[round_].on_done = nullptr;
    }
    bool Done() override {
      absl::MutexLock lock(&publisher_->mu_);
      return publisher_->rounds_[round_].released;
    }
    std::vector<kafka::DeliveryReport> Wait() override {
      absl::MutexLock lock(&publisher_->mu_);
      const Round& round = publisher_->rounds_[round_];
      publisher_->mu_.Await(absl::Condition(&round.released));
      return round.reports;
    }

   private:
    HeldPublisher* publisher_;
    size_t round_;
  };

  std::vector<kafka::DeliveryReport> ProduceAndWait(const std::vector<kafka::Record>&,
                                                    absl::Duration) override {
    ADD_FAILURE() << "the relay waited for a round instead of starting it";
    return {};
  }
  std::unique_ptr<kafka::Delivery> Start(const std::vector<kafka::Record>& records, absl::Time,
                                         std::function<void()> on_done) override {
    absl::MutexLock lock(&mu_);
    Round round;
    for (const kafka::Record& record : records) round.keys.push_back(record.key);
    round.reports.resize(records.size());
    round.on_done = std::move(on_done);
    rounds_.push_back(std::move(round));
    return std::make_unique<HeldDelivery>(this, rounds_.size() - 1);
  }
  // Answers round `n`: every record acknowledged, except those `fail` names.
  void Release(size_t n, const std::function<kafka::DeliveryReport(const std::string&)>& answer) {
    absl::MutexLock lock(&mu_);
    Round& round = rounds_[n];
    for (size_t i = 0; i < round.keys.size(); ++i) {
      round.reports[i] = answer(round.keys[i]);
      if (round.reports[i].partition < 0) round.reports[i].partition = round.keys[i][0] % 2;
      if (round.reports[i].status.ok()) round.reports[i].offset = 0;
    }
    round.released = true;
    if (round.on_done) round.on_done();
  }
  // Acknowledges every round not yet answered (a test that failed early
  // must not leave the relay waiting for reports at Stop()).
  void ReleaseAll() {
    std::vector<size_t> open;
    {
      absl::MutexLock lock(&mu_);
      for (size_t n = 0; n < rounds_.size(); ++n) {
        if (!rounds_[n].released) open.push_back(n);
      }
    }
    for (size_t n : open) Release(n, [](const std::string&) { return Ok(); });
  }
  std::vector<std::vector<std::string>> Keys() {
    absl::MutexLock lock(&mu_);
    std::vector<std::vector<std::string>> keys;
    for (const Round& round : rounds_) keys.push_back(round.keys);
    return keys;
  }
  size_t rounds() {
    absl::MutexLock lock(&mu_);
    return rounds_.size();
  }

 private:
  absl::Mutex mu_;
  std::deque<Round> rounds_;  // a deque: HeldDelivery keeps indices, Wait a reference
};

struct HeldHarness {
  explicit HeldHarness(RelayOptions options = FastOptions())
      : relay(
            store,
            [this]() -> absl::StatusOr<std::unique_ptr<kafka::EventPublisher>> {
              return std::unique_ptr<kafka::EventPublisher>(new Forwarder(&publisher));
            },
            std::move(options)) {}
  ~HeldHarness() {
    publisher.ReleaseAll();
    relay.Stop();
  }
  // True once exactly `n` rounds were produced (within WaitUntil's deadline).
  bool AwaitRounds(size_t n) {
    return WaitUntil([&] { return publisher.rounds() == n; });
  }
  class Forwarder : public kafka::EventPublisher {
   public:
    explicit Forwarder(HeldPublisher* target) : target_(target) {}
    std::vector<kafka::DeliveryReport> ProduceAndWait(const std::vector<kafka::Record>& records,
                                                      absl::Duration timeout) override {
      return target_->ProduceAndWait(records, timeout);
    }
    std::unique_ptr<kafka::Delivery> Start(const std::vector<kafka::Record>& records,
                                           absl::Time deadline,
                                           std::function<void()> on_done) override {
      return target_->Start(records, deadline, std::move(on_done));
    }

   private:
    HeldPublisher* target_;
  };

  FakeStore store;
  HeldPublisher publisher;
  OutboxRelay relay;
};

kafka::DeliveryReport Acknowledged(const std::string&) { return Ok(); }

TEST(RelayRoundsTest, ACommitsRowsGoOutWhileTheRoundBeforeAwaitsItsAcknowledgement) {
  RelayOptions options = WakeOnlyOptions();
  options.mark_interval = absl::ZeroDuration();
  HeldHarness h(options);
  h.store.Add("a1");
  h.relay.Start();
  ASSERT_TRUE(h.AwaitRounds(1));
  h.store.Add("b1");
  h.relay.Wake();  // a commit, while a1 is unacknowledged
  ASSERT_TRUE(h.AwaitRounds(2));
  EXPECT_EQ(h.publisher.Keys(), (std::vector<std::vector<std::string>>{{"a1"}, {"b1"}}));
  EXPECT_EQ(h.store.MarkedCount(), 0);
  h.publisher.Release(1, Acknowledged);  // the later round first: it waits for the earlier
  h.publisher.Release(0, Acknowledged);
  ASSERT_TRUE(WaitUntil([&] { return h.store.MarkedCount() == 2; }));
  h.relay.Stop();
}

TEST(RelayRoundsTest, ALaterRowOfAKeyInFlightWaitsForItsRoundsAcknowledgement) {
  RelayOptions options = WakeOnlyOptions();
  HeldHarness h(options);
  h.store.Add("a1", "first");
  h.relay.Start();
  ASSERT_TRUE(h.AwaitRounds(1));
  h.store.Add("a1", "second");
  h.store.Add("b1");
  h.relay.Wake();
  ASSERT_TRUE(h.AwaitRounds(2));
  EXPECT_EQ(h.publisher.Keys()[1], std::vector<std::string>{"b1"});  // a1's second waits
  h.publisher.Release(0, Acknowledged);
  ASSERT_TRUE(h.AwaitRounds(3));
  EXPECT_EQ(h.publisher.Keys()[2], std::vector<std::string>{"a1"});
  h.publisher.Release(1, Acknowledged);
  h.publisher.Release(2, Acknowledged);
  ASSERT_TRUE(WaitUntil([&] { return h.store.MarkedCount() == 3; }));
  h.relay.Stop();
}

TEST(RelayRoundsTest, AnAcknowledgedRowOfALaterRoundBehindAFailureInItsPartitionIsNotMarked) {
  // a1 and a3 share a partition ('a' is odd); b2 is in the other. a1 fails
  // transiently after a3's round was produced and acknowledged: a3 is not
  // marked (it would overtake a1's retry), b2 is, and both a's go again.
  RelayOptions options = WakeOnlyOptions();
  options.mark_interval = absl::ZeroDuration();
  HeldHarness h(options);
  h.store.Add("a1");
  h.relay.Start();
  ASSERT_TRUE(h.AwaitRounds(1));
  h.store.Add("b2");
  h.store.Add("a3");
  h.relay.Wake();
  ASSERT_TRUE(h.AwaitRounds(2));
  h.publisher.Release(1, Acknowledged);
  h.publisher.Release(
      0, [](const std::string&) { return Failed(absl::UnavailableError("timed out")); });
  ASSERT_TRUE(h.AwaitRounds(3));  // after the backoff
  EXPECT_EQ(h.publisher.Keys()[2], (std::vector<std::string>{"a1", "a3"}));
  ASSERT_TRUE(WaitUntil([&] { return h.store.Get(2).published; }));  // b2
  EXPECT_FALSE(h.store.Get(3).published);                            // a3
  EXPECT_EQ(h.relay.stats().held_back, 1);
  h.publisher.Release(2, Acknowledged);
  ASSERT_TRUE(WaitUntil([&] { return h.store.MarkedCount() == 3; }));
  h.relay.Stop();
}

TEST(RelayRoundsTest,
     ARoundIsProducedOnlyWhileFewerThanTheMostAreInFlightAndAReadAskedMeanwhileIsKept) {
  RelayOptions options = WakeOnlyOptions();
  options.max_rounds_in_flight = 2;
  options.mark_interval = absl::ZeroDuration();  // no timer to wake it: only the owed read
  HeldHarness h(options);
  h.store.Add("a1");
  h.relay.Start();
  ASSERT_TRUE(h.AwaitRounds(1));
  h.store.Add("b1");
  h.relay.Wake();
  ASSERT_TRUE(h.AwaitRounds(2));
  h.store.Add("c1");
  h.relay.Wake();
  // Two in flight: c1 waits for one of them, however long.
  absl::SleepFor(absl::Milliseconds(50));  // a bounded look for a round that must not come
  EXPECT_EQ(h.publisher.rounds(), 2u);
  h.publisher.Release(0, Acknowledged);
  ASSERT_TRUE(h.AwaitRounds(3));
  EXPECT_EQ(h.publisher.Keys()[2], std::vector<std::string>{"c1"});
  h.publisher.Release(1, Acknowledged);
  h.publisher.Release(2, Acknowledged);
  h.relay.Stop();
}

TEST(RelayRulesTest, AWakeUpDoesNotCutATransientBackoffShort) {
  RelayOptions options = FastOptions();
  options.initial_backoff = absl::Seconds(2);
  Harness h([](const kafka::Record&, int) { return Failed(absl::UnavailableError("broker down")); },
            options);
  h.store.Add("k");
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.publisher->calls() == 1; }));
  // Commits keep waking the relay during its 2 s backoff: no new attempt.
  for (int i = 0; i < 50; ++i) {
    h.store.Add("k" + std::to_string(i));
    h.relay.Wake();
    absl::SleepFor(absl::Milliseconds(10));  // spacing the wake-ups, not waiting for a result
  }
  EXPECT_EQ(h.publisher->calls(), 1);
  h.relay.Stop();
}

TEST(RelayRulesTest, AFatalProducerIsReplacedAndNothingIsLost) {
  int fatal_reports = 0;
  Harness h([&](const kafka::Record& record, int call) {
    if (call == 0 && record.key == "k3") {
      kafka::DeliveryReport report = Failed(absl::InternalError("Local: Fatal error"));
      report.fatal = true;
      ++fatal_reports;
      return report;
    }
    return Ok();
  });
  for (int i = 0; i < 6; ++i) h.store.Add("k" + std::to_string(i));
  h.relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return h.relay.stats().published == 6; }));
  EXPECT_EQ(fatal_reports, 1);
  EXPECT_EQ(h.relay.stats().producers_created, 2);
  EXPECT_EQ(h.relay.stats().parked, 0) << "a fatal producer is not the row's fault";
  h.relay.Stop();
}

TEST(RelayRulesTest, WhenNoNewProducerCanBeMadeTheRelayGivesUpItsLockAndIsUnhealthy) {
  FakeStore store;
  int made = 0;
  std::vector<bool> health;
  absl::Mutex mu;
  RelayOptions options = FastOptions();
  options.on_health = [&](bool healthy) {
    absl::MutexLock lock(&mu);
    health.push_back(healthy);
  };
  auto publisher = std::make_shared<ScriptedPublisher>([](const kafka::Record&, int) {
    kafka::DeliveryReport report = Failed(absl::InternalError("fatal"));
    report.fatal = true;
    return report;
  });
  OutboxRelay relay(
      store,
      [&]() -> absl::StatusOr<std::unique_ptr<kafka::EventPublisher>> {
        absl::MutexLock lock(&mu);
        if (made++ > 0) return absl::UnavailableError("cannot create the Kafka producer");
        return std::unique_ptr<kafka::EventPublisher>(new Harness::Forwarder(publisher));
      },
      options);
  store.Add("k");
  relay.Start();
  ASSERT_TRUE(WaitUntil([&] { return store.releases() >= 1 && !relay.active(); }));
  {
    absl::MutexLock lock(&mu);
    EXPECT_EQ(health, std::vector<bool>{false});
  }
  EXPECT_FALSE(relay.stats().healthy);
  EXPECT_FALSE(store.Get(1).published);
  EXPECT_FALSE(store.Get(1).parked);
  relay.Stop();
}

TEST(LongestRunsTest, RunsOfConsecutiveIdsLongestFirstReturnedInIdOrder) {
  EXPECT_TRUE(LongestRuns({}, 4).empty());
  const auto ranges = [](const std::vector<IdRange>& runs) {
    std::vector<std::pair<int64_t, int64_t>> out;
    for (const IdRange& run : runs) out.emplace_back(run.first, run.last);
    return out;
  };
  using Pairs = std::vector<std::pair<int64_t, int64_t>>;
  // Runs: 1-3, 5-6, 9, 11-14, 20-21, 30.
  const std::vector<int64_t> ids = {1, 2, 3, 5, 6, 9, 11, 12, 13, 14, 20, 21, 30};
  EXPECT_EQ(ranges(LongestRuns(ids, 4)), (Pairs{{1, 3}, {5, 6}, {11, 14}, {20, 21}}));
  EXPECT_EQ(ranges(LongestRuns(ids, 2)), (Pairs{{1, 3}, {11, 14}}));
  EXPECT_EQ(ranges(LongestRuns(ids, 10)),
            (Pairs{{1, 3}, {5, 6}, {9, 9}, {11, 14}, {20, 21}, {30, 30}}));
  EXPECT_TRUE(LongestRuns(ids, 0).empty());
}

TEST(RelayRoundsTest, RowsInFlightOrAcknowledgedAreNotReadAgain) {
  RelayOptions options = WakeOnlyOptions();
  options.mark_interval = absl::Hours(1);  // acknowledged rows stay unmarked
  HeldHarness h(options);
  for (int i = 0; i < 10; ++i) h.store.Add("k" + std::to_string(i));
  h.relay.Start();
  ASSERT_TRUE(h.AwaitRounds(1));
  EXPECT_EQ(h.store.rows_read(), 10);
  h.store.Add("n1");
  h.relay.Wake();  // the ten in flight
  ASSERT_TRUE(h.AwaitRounds(2));
  EXPECT_EQ(h.store.rows_read(), 11);
  h.publisher.Release(0, Acknowledged);
  h.publisher.Release(1, Acknowledged);
  h.store.Add("n2");
  h.relay.Wake();  // the eleven acknowledged, not marked
  ASSERT_TRUE(h.AwaitRounds(3));
  EXPECT_EQ(h.store.rows_read(), 12);
  EXPECT_EQ(h.store.MarkedCount(), 0);
  h.publisher.Release(2, Acknowledged);
  h.relay.Stop();
  EXPECT_EQ(h.store.MarkedCount(), 12);  // marked when the relay stops
}

TEST(RelayRoundsTest, ARowCommittedLateAmongRowsInFlightIsPublishedWhileTheyAwaitTheirReports) {
  // Ids 1, 2, 4 and 5 are committed; 3 was taken by a transaction that
  // commits only after they were produced. It is not skipped with them.
  RelayOptions options = WakeOnlyOptions();
  HeldHarness h(options);
  h.store.Add("a");
  h.store.Add("b");
  const int64_t late = h.store.Add("c", "x", "t", /*hidden=*/true);
  h.store.Add("d");
  h.store.Add("e");
  h.relay.Start();
  ASSERT_TRUE(h.AwaitRounds(1));
  EXPECT_EQ(h.publisher.Keys()[0], (std::vector<std::string>{"a", "b", "d", "e"}));
  h.store.Commit(late);
  h.relay.Wake();
  ASSERT_TRUE(h.AwaitRounds(2));
  EXPECT_EQ(h.publisher.Keys()[1], std::vector<std::string>{"c"});
  h.publisher.Release(0, Acknowledged);
  h.publisher.Release(1, Acknowledged);
  ASSERT_TRUE(WaitUntil([&] { return h.store.MarkedCount() == 5; }));
  h.relay.Stop();
}

}  // namespace
}  // namespace shop::outbox
