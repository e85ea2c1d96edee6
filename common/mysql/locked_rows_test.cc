// LockedRows against a fake table: what is read, in which order, and what
// is written at Flush. (The services' stores test the same on MariaDB.)
#include "common/mysql/locked_rows.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace shop::mysql {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

struct FakeTable {
  std::map<std::string, std::string> rows;
  std::vector<std::vector<std::string>> reads;  // the keys of each read, as asked
  std::vector<std::string> inserted, updated;
  absl::Status fail_insert = absl::OkStatus();

  LockedRows<std::string>::Access Access() {
    LockedRows<std::string>::Access access;
    access.noun = "thing";
    access.read_for_update = [this](const std::vector<std::string>& keys) {
      reads.push_back(keys);
      std::map<std::string, std::string> found;
      for (const std::string& key : keys) {
        if (rows.count(key)) found[key] = rows[key];
      }
      return found;
    };
    access.insert = [this](const std::vector<const std::string*>& written) {
      if (!fail_insert.ok()) return fail_insert;
      for (const std::string* row : written) inserted.push_back(*row);
      return absl::OkStatus();
    };
    access.update = [this](const std::vector<const std::string*>& written) {
      for (const std::string* row : written) updated.push_back(*row);
      return absl::OkStatus();
    };
    return access;
  }
};

TEST(LockedRowsTest, LoadReadsUnknownKeysOnceSortedAndDistinct) {
  FakeTable table;
  table.rows = {{"a", "A"}, {"c", "C"}};
  LockedRows<std::string> rows(table.Access());
  ASSERT_TRUE(rows.Load({"c", "a", "ghost", "c"}).ok());
  ASSERT_TRUE(rows.Load({"a", "c", "ghost", "b"}).ok());
  EXPECT_THAT(table.reads, ElementsAre(ElementsAre("a", "c", "ghost"), ElementsAre("b")));

  EXPECT_EQ(*rows.Find("a"), std::optional<std::string>("A"));
  EXPECT_EQ(*rows.Find("ghost"), std::nullopt);  // known absent: not read again
  EXPECT_EQ(table.reads.size(), 2u);
  EXPECT_EQ(*rows.Find("d"), std::nullopt);  // not loaded: read on demand
  EXPECT_THAT(table.reads.back(), ElementsAre("d"));
}

TEST(LockedRowsTest, ChangesAreSeenAtOnceAndWrittenOnlyAtFlush) {
  FakeTable table;
  table.rows = {{"a", "A"}};
  LockedRows<std::string> rows(table.Access());
  ASSERT_TRUE(rows.Load({"a", "b"}).ok());
  ASSERT_TRUE(rows.Update("a", "A2").ok());
  ASSERT_TRUE(rows.Insert("b", "B").ok());
  ASSERT_TRUE(rows.Update("b", "B2").ok());  // an inserted row changed again: one INSERT
  EXPECT_EQ(*rows.Find("a"), std::optional<std::string>("A2"));
  EXPECT_EQ(*rows.Find("b"), std::optional<std::string>("B2"));
  EXPECT_THAT(table.inserted, IsEmpty());
  EXPECT_THAT(table.updated, IsEmpty());

  ASSERT_TRUE(rows.Flush().ok());
  EXPECT_THAT(table.inserted, ElementsAre("B2"));
  EXPECT_THAT(table.updated, ElementsAre("A2"));
  ASSERT_TRUE(rows.Flush().ok());  // nothing twice
  EXPECT_EQ(table.inserted.size() + table.updated.size(), 2u);
}

TEST(LockedRowsTest, RefusesWhatTheDatabaseWouldRefuse) {
  FakeTable table;
  table.rows = {{"a", "A"}};
  LockedRows<std::string> rows(table.Access());
  absl::Status duplicate = rows.Insert("a", "again");
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(duplicate.message(), "thing a exists");
  EXPECT_EQ(rows.Update("never-read", "x").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(rows.Update("missing", "x").code(), absl::StatusCode::kNotFound);
  ASSERT_EQ(*rows.Find("missing"), std::nullopt);
  EXPECT_EQ(rows.Update("missing", "x").code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(rows.Flush().ok());
  EXPECT_THAT(table.inserted, IsEmpty());
  EXPECT_THAT(table.updated, IsEmpty());
}

TEST(LockedRowsTest, AFailedWriteIsReportedAndKeptForTheRetry) {
  FakeTable table;
  LockedRows<std::string> rows(table.Access());
  ASSERT_TRUE(rows.Insert("n", "N").ok());
  table.fail_insert = absl::AlreadyExistsError("duplicate entry");
  EXPECT_EQ(rows.Flush().code(), absl::StatusCode::kAlreadyExists);
  table.fail_insert = absl::OkStatus();
  ASSERT_TRUE(rows.Flush().ok());
  EXPECT_THAT(table.inserted, ElementsAre("N"));
}

}  // namespace
}  // namespace shop::mysql
