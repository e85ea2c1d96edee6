// The MySQL runtime against the real MariaDB: bounded pool, transaction
// scope, migrations, per-service grants, and recovery from a restart.
#include <cppconn/resultset.h>

#include "common/mysql/connection_pool.h"
#include "common/mysql/migrations.h"
#include "common/mysql/provision.h"
#include "common/mysql/transaction.h"
#include "common/testing/infra.h"
#include "gtest/gtest.h"

namespace shop::mysql {
namespace {

using shop::testing::TestDatabase;

int64_t CountRows(ConnectionPool& pool, const std::string& table) {
  auto connection = pool.Acquire();
  EXPECT_TRUE(connection.ok()) << connection.status();
  if (!connection.ok()) return -1;
  std::unique_ptr<sql::ResultSet> rows(
      connection->Prepare("SELECT COUNT(*) FROM " + table).executeQuery());
  rows->next();
  return rows->getInt64(1);
}

class MysqlTest : public ::testing::Test {
 protected:
  MysqlTest() : database_("mysql_test") {}
  void SetUp() override { ASSERT_TRUE(database_.status().ok()) << database_.status(); }

  TestDatabase database_;
};

TEST_F(MysqlTest, PoolIsBoundedAndCallersBeyondItGetUnavailableAtTheirDeadline) {
  MysqlOptions options = database_.options();
  options.pool_size = 2;
  ConnectionPool pool(options);
  auto first = pool.Acquire();
  auto second = pool.Acquire();
  ASSERT_TRUE(first.ok() && second.ok());
  const absl::Time start = absl::Now();
  auto third = pool.Acquire(absl::Now() + absl::Milliseconds(300));
  EXPECT_EQ(third.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));
  EXPECT_EQ(pool.open_connections(), 2);
  { PooledConnection released = *std::move(first); }
  EXPECT_TRUE(pool.Acquire(absl::Now() + absl::Milliseconds(300)).ok());
}

TEST_F(MysqlTest, ConnectsThroughTheServersUnixSocket) {
  const std::string socket = shop::testing::Mysql().socket;
  if (socket.empty()) GTEST_SKIP() << "SHOP_MYSQL_SOCKET is not set (tools/dev env sets it)";
  MysqlOptions options = database_.options();
  options.socket = socket;
  options.port = shop::testing::FreePort();  // ignored: nothing listens there
  ConnectionPool pool(options);
  auto connection = pool.Acquire();
  ASSERT_TRUE(connection.ok()) << connection.status();
  std::unique_ptr<sql::ResultSet> row(
      connection->Prepare("SELECT @@socket, USER(), DATABASE()").executeQuery());
  ASSERT_TRUE(row->next());
  EXPECT_EQ(row->getString(1), socket);
  EXPECT_EQ(row->getString(2), options.user + "@localhost") << "a socket client is localhost";
  EXPECT_EQ(row->getString(3), options.database);

  options.socket = socket + ".missing";
  auto refused = Connect(options);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable) << refused.status();
  EXPECT_NE(refused.status().message().find(options.socket), std::string::npos);
}

TEST_F(MysqlTest, TransactionCommitsOrRollsBackWhenItGoesOutOfScope) {
  ConnectionPool pool(database_.options());
  {
    auto connection = pool.Acquire();
    ASSERT_TRUE(connection.ok());
    connection->Execute("CREATE TABLE items (id INT PRIMARY KEY) ENGINE=InnoDB");
  }
  bool after_commit_ran = false;
  {
    auto transaction = Transaction::Begin(pool, absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(transaction.ok());
    sql::PreparedStatement& insert = (*transaction)->Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 1);
    insert.executeUpdate();
    (*transaction)->AfterCommit([&] { after_commit_ran = true; });
    // No Commit(): rolled back here.
  }
  EXPECT_FALSE(after_commit_ran);
  EXPECT_EQ(CountRows(pool, "items"), 0);

  absl::Status status = RunInTransaction(pool, absl::Now() + absl::Seconds(5), [](Transaction& tx) {
    sql::PreparedStatement& insert = tx.Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 2);
    insert.executeUpdate();
    tx.AfterCommit([] {});
    return absl::OkStatus();
  });
  EXPECT_TRUE(status.ok()) << status;
  EXPECT_EQ(CountRows(pool, "items"), 1);

  // A duplicate key inside the unit surfaces as ALREADY_EXISTS and rolls back.
  status = RunInTransaction(pool, absl::Now() + absl::Seconds(5), [](Transaction& tx) {
    sql::PreparedStatement& insert = tx.Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 3);
    insert.executeUpdate();
    insert.setInt(1, 2);
    insert.executeUpdate();
    return absl::OkStatus();
  });
  EXPECT_EQ(status.code(), absl::StatusCode::kAlreadyExists) << status;
  EXPECT_EQ(CountRows(pool, "items"), 1);
}

int64_t SessionStatus(PooledConnection& connection, const std::string& name) {
  std::unique_ptr<sql::ResultSet> row(
      connection
          .Prepare("SELECT VARIABLE_VALUE FROM information_schema.SESSION_STATUS"
                   " WHERE VARIABLE_NAME = '" +
                   name + "'")
          .executeQuery());
  return row->next() ? row->getInt64(1) : -1;
}

TEST_F(MysqlTest, ATransactionNeedsNoBeginAndNoConnectionIsLentInTheWrongMode) {
  MysqlOptions options = database_.options();
  options.pool_size = 1;  // every borrower gets the same session
  ConnectionPool pool(options);
  ConnectionPool observer(database_.options());
  {
    auto connection = pool.Acquire();
    ASSERT_TRUE(connection.ok());
    connection->Execute("CREATE TABLE items (id INT PRIMARY KEY) ENGINE=InnoDB");
  }
  int64_t begins = 0;
  {
    auto transaction = Transaction::Begin(pool, absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(transaction.ok()) << transaction.status();
    begins = SessionStatus((*transaction)->connection(), "COM_BEGIN");
    sql::PreparedStatement& insert = (*transaction)->Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 1);
    insert.executeUpdate();
    insert.setInt(1, 2);
    insert.executeUpdate();
    EXPECT_EQ(CountRows(observer, "items"), 0) << "nothing visible before COMMIT";
    ASSERT_TRUE((*transaction)->Commit().ok());
  }
  EXPECT_EQ(CountRows(observer, "items"), 2);
  {
    auto transaction = Transaction::Begin(pool, absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(transaction.ok());
    EXPECT_EQ(SessionStatus((*transaction)->connection(), "COM_BEGIN"), begins)
        << "no START TRANSACTION was sent";
    sql::PreparedStatement& insert = (*transaction)->Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 3);
    insert.executeUpdate();
    // Destroyed without Commit(): rolled back.
  }
  EXPECT_EQ(CountRows(observer, "items"), 2);
  {
    // The same session lent for autocommit work: each statement commits at
    // once, whatever the transactions before left the session in.
    auto connection = pool.Acquire();
    ASSERT_TRUE(connection.ok());
    sql::PreparedStatement& insert = connection->Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 4);
    insert.executeUpdate();
    EXPECT_EQ(CountRows(observer, "items"), 3) << "committed without a COMMIT";
    std::unique_ptr<sql::ResultSet> row(
        connection->Prepare("SELECT @@autocommit, @@in_transaction").executeQuery());
    ASSERT_TRUE(row->next());
    EXPECT_EQ(row->getInt(1), 1);
    EXPECT_EQ(row->getInt(2), 0);
  }
  {
    // And back: a transaction on it again sees autocommit off.
    auto transaction = Transaction::Begin(pool, absl::Now() + absl::Seconds(5));
    ASSERT_TRUE(transaction.ok());
    sql::PreparedStatement& insert = (*transaction)->Prepare("INSERT INTO items VALUES (?)");
    insert.setInt(1, 5);
    insert.executeUpdate();
    EXPECT_EQ(CountRows(observer, "items"), 3);
    ASSERT_TRUE((*transaction)->Commit().ok());
  }
  EXPECT_EQ(CountRows(observer, "items"), 4);
  EXPECT_EQ(pool.open_connections(), 1);
}

TEST_F(MysqlTest, MigrationsApplyOnceAndRefuseAnEditedMigration) {
  ConnectionPool pool(database_.options());
  std::vector<Migration> migrations = {
      {2, "add_index", "CREATE INDEX widgets_by_name ON widgets (name);"},
      {1, "create_widgets",
       "-- two statements in one file\n"
       "CREATE TABLE widgets (\n  id INT PRIMARY KEY,\n  name VARCHAR(20)\n) ENGINE=InnoDB;\n"
       "INSERT INTO widgets VALUES (1, 'a;b');\n"},
  };
  auto applied = ApplyMigrations(pool, "widgets", migrations);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 2);
  EXPECT_EQ(CountRows(pool, "widgets"), 1);
  applied = ApplyMigrations(pool, "widgets", migrations);
  ASSERT_TRUE(applied.ok()) << applied.status();
  EXPECT_EQ(*applied, 0);
  EXPECT_EQ(CountRows(pool, "schema_migrations"), 2);

  migrations[1].sql += "INSERT INTO widgets VALUES (2, 'c');\n";
  applied = ApplyMigrations(pool, "widgets", migrations);
  EXPECT_EQ(applied.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CountRows(pool, "widgets"), 1);
}

TEST(SplitStatementsTest, SplitsOnSemicolonsAtLineEndsAndSkipsComments) {
  EXPECT_EQ(SplitStatements("-- c\nA;\nB\n  C;\n\nD"),
            (std::vector<std::string>{"A", "B\n  C", "D"}));
}

TEST(SplitStatementsTest, ADelimiterLineKeepsAProcedureBodyWhole) {
  EXPECT_EQ(SplitStatements("A;\nDELIMITER //\nCREATE PROCEDURE p()\nBEGIN\n  X;\n  Y;\nEND //\n"
                            "DELIMITER ;\nB;\n"),
            (std::vector<std::string>{"A", "CREATE PROCEDURE p()\nBEGIN\n  X;\n  Y;\nEND", "B"}));
}

TEST_F(MysqlTest, ServiceUserSeesItsOwnDatabaseOnly) {
  TestDatabase other("mysql_test_other");
  ASSERT_TRUE(other.status().ok());
  MysqlOptions intruder = database_.options();
  intruder.database = other.options().database;
  auto connection = Connect(intruder);
  EXPECT_EQ(connection.status().code(), absl::StatusCode::kPermissionDenied) << connection.status();
}

TEST(MysqlRestartTest, PoolReturnsUnavailableWhileDatabaseIsDownAndRecoversWithoutRestart) {
  shop::testing::ScratchMariaDb server;
  {
    absl::Status started = server.Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  MysqlOptions admin = server.AdminOptions();
  ASSERT_TRUE(ProvisionDatabase(admin, "restart_db", "restart_user", "pw").ok());
  MysqlOptions options = admin;
  options.database = "restart_db";
  options.user = "restart_user";
  options.password = "pw";
  ConnectionPool pool(options);
  auto query = [&pool]() -> absl::Status {
    return RunInTransaction(pool, absl::Now() + absl::Seconds(3), [](Transaction& tx) {
      std::unique_ptr<sql::ResultSet>(tx.Prepare("SELECT 1").executeQuery());
      return absl::OkStatus();
    });
  };
  ASSERT_TRUE(query().ok());

  ASSERT_TRUE(server.Stop().ok());
  const absl::Time start = absl::Now();
  absl::Status down = query();
  EXPECT_EQ(down.code(), absl::StatusCode::kUnavailable) << down;
  EXPECT_LT(absl::Now() - start, absl::Seconds(10)) << "a dead database must not hang callers";

  {
    absl::Status started = server.Start();
    ASSERT_TRUE(started.ok()) << started;
  }
  absl::Status recovered = query();
  // The broken connection was replaced: the same pool works again.
  EXPECT_TRUE(recovered.ok()) << recovered;
}

}  // namespace
}  // namespace shop::mysql
