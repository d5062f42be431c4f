#include "sqlite/sqlite.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace sb::sqlite {
namespace {

class SqliteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sb_sqlite_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_F(SqliteTest, StatementsBindStepAndReadEveryColumnType) {
  auto db = Database::open(path("a.db"), {.label = "test"});
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  Database& d = **db;
  ASSERT_TRUE(d.exec("CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n INTEGER)").ok());
  const std::uint8_t bytes[] = {0, 1, 2, 255};
  ASSERT_TRUE(d.prepare("INSERT INTO t VALUES(?1, ?2, ?3, ?4, ?5)")
                  .bind_int(1, -42)
                  .bind_double(2, 2.5)
                  .bind_text(3, std::string_view("h\0i", 3))
                  .bind_blob(4, bytes)
                  .bind_opt(5, std::nullopt)
                  .run()
                  .ok());
  EXPECT_EQ(d.changes(), 1);
  EXPECT_EQ(d.last_insert_rowid(), 1);

  Statement s = d.prepare("SELECT i, r, s, b, n FROM t");
  auto row = s.step();
  ASSERT_TRUE(row.ok() && *row);
  EXPECT_EQ(s.i64(0), -42);
  EXPECT_DOUBLE_EQ(s.dbl(1), 2.5);
  EXPECT_EQ(s.text(2), std::string("h\0i", 3));
  ASSERT_EQ(s.blob(3).size(), 4u);
  EXPECT_EQ(s.blob(3)[3], 255);
  EXPECT_TRUE(s.is_null(4));
  EXPECT_EQ(s.opt_i64(4), std::nullopt);
  row = s.step();
  ASSERT_TRUE(row.ok());
  EXPECT_FALSE(*row);
}

TEST_F(SqliteTest, ResetReusesAStatement) {
  auto db = Database::open(":memory:", {});
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE((*db)->exec("CREATE TABLE t(v INTEGER)").ok());
  Statement insert = (*db)->prepare("INSERT INTO t VALUES(?1)");
  for (int v = 1; v <= 3; ++v) ASSERT_TRUE(insert.reset().bind_int(1, v).run().ok());
  Statement sum = (*db)->prepare("SELECT SUM(v) FROM t");
  ASSERT_TRUE(*sum.step());
  EXPECT_EQ(sum.i64(0), 6);
}

TEST_F(SqliteTest, ErrorsNameTheDatabaseAndMapToStatusCodes) {
  auto db = Database::open(path("e.db"), {.label = "accounts"});
  ASSERT_TRUE(db.ok());
  Database& d = **db;
  // A syntax error surfaces at step/run, with the statement and the database in the message.
  Status bad = d.prepare("SELEC 1").bind_int(1, 1).run();
  EXPECT_FALSE(bad.ok());
  EXPECT_NE(bad.message().find("accounts database '" + path("e.db") + "'"), std::string::npos)
      << bad.message();
  EXPECT_NE(bad.message().find("SELEC 1"), std::string::npos);

  ASSERT_TRUE(d.exec("CREATE TABLE u(name TEXT PRIMARY KEY)").ok());
  ASSERT_TRUE(d.prepare("INSERT INTO u VALUES('a')").run().ok());
  EXPECT_EQ(d.prepare("INSERT INTO u VALUES('a')").run().code(), StatusCode::kAlreadyExists);
}

TEST_F(SqliteTest, AFileThatIsNotADatabaseIsCorruption) {
  std::ofstream(path("junk.db")) << "this is not an SQLite database, just some text......";
  auto db = Database::open(path("junk.db"), {.label = "service"});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kCorruption) << db.status().to_string();
}

TEST_F(SqliteTest, AMissingDirectoryIsAnIoError) {
  auto db = Database::open(path("no/such/dir/x.db"), {});
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), StatusCode::kIoError);
}

TEST_F(SqliteTest, TransactionsRollBackUnlessCommitted) {
  auto db = Database::open(path("t.db"), {});
  ASSERT_TRUE(db.ok());
  Database& d = **db;
  ASSERT_TRUE(d.exec("CREATE TABLE t(v INTEGER)").ok());
  {
    Transaction tx(d);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(d.exec("INSERT INTO t VALUES(1)").ok());
  }  // no commit: rolled back
  {
    Transaction tx(d);
    ASSERT_TRUE(tx.begin().ok());
    ASSERT_TRUE(d.exec("INSERT INTO t VALUES(2)").ok());
    ASSERT_TRUE(tx.commit().ok());
  }
  Statement s = d.prepare("SELECT COUNT(*), SUM(v) FROM t");
  ASSERT_TRUE(*s.step());
  EXPECT_EQ(s.i64(0), 1);
  EXPECT_EQ(s.i64(1), 2);
}

TEST_F(SqliteTest, WalUserVersionPrivateFilesAndReadOnly) {
  {
    auto db = Database::open(path("v.db"), {.private_file = true});
    ASSERT_TRUE(db.ok());
    auto mode = (*db)->prepare("PRAGMA journal_mode");
    ASSERT_TRUE(*mode.step());
    EXPECT_EQ(mode.text(0), "wal");
    EXPECT_EQ(*(*db)->user_version(), 0);
    ASSERT_TRUE((*db)->set_user_version(3).ok());
  }
  struct stat st {};
  ASSERT_EQ(::stat(path("v.db").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto ro = Database::open(path("v.db"), {.read_only = true});
  ASSERT_TRUE(ro.ok()) << ro.status().to_string();
  EXPECT_EQ(*(*ro)->user_version(), 3);
  EXPECT_EQ((*ro)->exec("CREATE TABLE x(v)").code(), StatusCode::kIoError);
}

TEST_F(SqliteTest, SynchronousCanBeLoweredForOneWriteAndRestored) {
  auto db = Database::open(path("s.db"), {.label = "test"});
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  auto level = [&] {
    auto s = (*db)->prepare("PRAGMA synchronous");
    auto row = s.step();
    return row.ok() && *row ? s.i64(0) : -1;
  };
  EXPECT_EQ(level(), 2);  // FULL, the default
  ASSERT_TRUE((*db)->set_synchronous(Synchronous::kNormal).ok());
  EXPECT_EQ(level(), 1);
  EXPECT_EQ((*db)->synchronous(), Synchronous::kNormal);
  ASSERT_TRUE((*db)->exec("CREATE TABLE t(x INTEGER); INSERT INTO t VALUES(1)").ok());
  ASSERT_TRUE((*db)->set_synchronous(Synchronous::kFull).ok());
  EXPECT_EQ(level(), 2);
  EXPECT_EQ((*db)->synchronous(), Synchronous::kFull);
}

}  // namespace
}  // namespace sb::sqlite
