// Smoke test of the stack against the real MariaDB: a row written and read
// back through Connector/C++ with prepared statements, in a database of its own.
#include <cppconn/exception.h>
#include <cppconn/prepared_statement.h>
#include <cppconn/resultset.h>
#include <cppconn/statement.h>
#include <mysql_connection.h>
#include <mysql_driver.h>

#include <memory>
#include <string>

#include "common/testing/infra.h"
#include "gtest/gtest.h"

namespace shop::testing {
namespace {

std::unique_ptr<sql::Connection> Connect(const MysqlEndpoint& endpoint) {
  sql::ConnectOptionsMap options;
  options["hostName"] = sql::SQLString(endpoint.Url());
  options["userName"] = sql::SQLString(endpoint.user);
  options["password"] = sql::SQLString(endpoint.password);
  options["OPT_CONNECT_TIMEOUT"] = 3;
  options["OPT_READ_TIMEOUT"] = 10;
  options["OPT_WRITE_TIMEOUT"] = 10;
  return std::unique_ptr<sql::Connection>(
      sql::mysql::get_mysql_driver_instance()->connect(options));
}

class MysqlSmokeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const MysqlEndpoint endpoint = Mysql();
    try {
      connection_ = Connect(endpoint);
    } catch (const sql::SQLException& e) {
      FAIL() << "MariaDB is not reachable at " << endpoint.Url() << " as " << endpoint.user << " ("
             << e.what() << "); start it with `tools/dev up`";
    }
    database_ = UniqueName("smoke_db");
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute("CREATE DATABASE `" + database_ + "`");
    connection_->setSchema(database_);
  }

  void TearDown() override {
    if (connection_ == nullptr) return;
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute("DROP DATABASE IF EXISTS `" + database_ + "`");
  }

  std::unique_ptr<sql::Connection> connection_;
  std::string database_;
};

TEST_F(MysqlSmokeTest, RowWrittenWithPreparedStatementReadsBack) {
  {
    std::unique_ptr<sql::Statement> statement(connection_->createStatement());
    statement->execute(
        "CREATE TABLE orders (order_id VARCHAR(64) PRIMARY KEY, total_minor BIGINT NOT NULL, "
        "currency CHAR(3) NOT NULL) ENGINE=InnoDB");
  }
  {
    std::unique_ptr<sql::PreparedStatement> insert(connection_->prepareStatement(
        "INSERT INTO orders (order_id, total_minor, currency) VALUES (?, ?, ?)"));
    insert->setString(1, "order-42");
    insert->setInt64(2, 9007199254740993LL);  // above 2^53: must not pass through a double
    insert->setString(3, "EUR");
    EXPECT_EQ(insert->executeUpdate(), 1);
  }
  std::unique_ptr<sql::PreparedStatement> select(
      connection_->prepareStatement("SELECT total_minor, currency FROM orders WHERE order_id = ?"));
  select->setString(1, "order-42");
  std::unique_ptr<sql::ResultSet> rows(select->executeQuery());
  ASSERT_TRUE(rows->next());
  EXPECT_EQ(rows->getInt64("total_minor"), 9007199254740993LL);
  EXPECT_EQ(std::string(rows->getString("currency")), "EUR");
  EXPECT_FALSE(rows->next());

  select->setString(1, "no-such-order");
  std::unique_ptr<sql::ResultSet> none(select->executeQuery());
  EXPECT_FALSE(none->next());
}

}  // namespace
}  // namespace shop::testing
