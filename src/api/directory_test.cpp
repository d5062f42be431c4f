#include "api/directory.h"

#include <gtest/gtest.h>

#include <future>

#include "../../tests/store/temp_dir.h"
#include "sqlite/sqlite.h"

namespace sb::api {
namespace {

class DirectoryTest : public ::testing::Test {
 protected:
  std::string path() const { return dir_.file("directory.db"); }

  store_testing::TempDir dir_;
};

TEST_F(DirectoryTest, WritesAreReadBackAfterCommitAndAfterReopen) {
  {
    auto d = Directory::open(path());
    ASSERT_TRUE(d.ok()) << d.status().to_string();
    ASSERT_TRUE((*d)->put("team", 2, {{"name", "B"}}).ok());
    ASSERT_TRUE((*d)->put("team", 1, {{"name", "A"}}).ok());
    ASSERT_TRUE((*d)->set_contact_attributes(7, {{"account", "123"}}).ok());

    auto one = (*d)->get("team", 1);
    ASSERT_TRUE(one.ok());
    EXPECT_EQ((*one)["name"], "A");
    EXPECT_EQ((*one)["id"], 1);
    auto all = (*d)->list("team");
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all->size(), 2u);
    EXPECT_EQ((*all)[0]["name"], "A");
    EXPECT_EQ((*all)[1]["name"], "B");
    EXPECT_EQ((*d)->get("team", 3).status().code(), StatusCode::kNotFound);
    auto next = (*d)->next_id("team", 1);
    ASSERT_TRUE(next.ok());
    EXPECT_EQ(*next, 3);
  }
  auto d = Directory::open(path());
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  // Nothing cached after a reopen: these come from the read-only connection.
  auto two = (*d)->get("team", 2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)["name"], "B");
  auto attrs = (*d)->find_contact_attributes(7);
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ((*attrs)["account"], "123");
  auto none = (*d)->find_contact_attributes(8);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(DirectoryTest, ACachedDocumentIsReplacedByALaterWrite) {
  auto d = Directory::open(path());
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->put("reason_code", 5, {{"name", "Lunch"}}).ok());
  ASSERT_EQ((*(*d)->get("reason_code", 5))["name"], "Lunch");  // now cached
  ASSERT_TRUE((*d)->put("reason_code", 5, {{"name", "Break"}}).ok());
  EXPECT_EQ((*(*d)->get("reason_code", 5))["name"], "Break");
}

TEST_F(DirectoryTest, NoAttributesIsRememberedUntilAttributesAreWritten) {
  auto d = Directory::open(path());
  ASSERT_TRUE(d.ok());
  (*d)->remember_no_attributes(11);
  EXPECT_TRUE((*d)->contact_attributes(11).empty());
  ASSERT_TRUE((*d)->set_contact_attributes(11, {{"vip", true}}).ok());
  EXPECT_EQ((*d)->contact_attributes(11)["vip"], true);
  // Remembering "none" after attributes were written does not hide them.
  (*d)->remember_no_attributes(11);
  EXPECT_EQ((*d)->contact_attributes(11)["vip"], true);
}

TEST_F(DirectoryTest, ReadsDoNotWaitForTheWriter) {
  auto d = Directory::open(path());
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE((*d)->put("disposition", 1, {{"name", "Sold"}}).ok());
  ASSERT_TRUE((*d)->set_contact_attributes(3, {{"lang", "fr"}}).ok());

  auto reopened = Directory::open(path());  // empty caches: every read goes to the database
  ASSERT_TRUE(reopened.ok());

  // Another process holds the write lock, so the directory's writer waits (inside its busy
  // timeout, holding its connection) with a write queued.
  auto other = sqlite::Database::open(path(), {.label = "other"});
  ASSERT_TRUE(other.ok());
  sqlite::Transaction tx(**other);
  ASSERT_TRUE(tx.begin().ok());
  std::promise<Status> written;
  (*d)->put_async("disposition", 2, {{"name", "Lost"}},
                  [&written](Status s) { written.set_value(std::move(s)); });

  // Served by the read-only connection while the writer is stuck: a read that waited for the
  // writer's connection would only return after the writer gave up (and then the write would
  // have failed, checked below).
  EXPECT_EQ((*(*d)->get("disposition", 1))["name"], "Sold");
  EXPECT_EQ((*d)->list("disposition")->size(), 1u);
  auto attrs = (*reopened)->find_contact_attributes(3);
  ASSERT_TRUE(attrs.ok());
  EXPECT_EQ((*attrs)["lang"], "fr");

  ASSERT_TRUE(tx.commit().ok());
  EXPECT_TRUE(written.get_future().get().ok());
  EXPECT_EQ((*(*d)->get("disposition", 2))["name"], "Lost");
}

TEST_F(DirectoryTest, StagedAttributesAreReadableBeforeTheyAreDurable) {
  auto d = Directory::open(path());
  ASSERT_TRUE(d.ok());
  // Another connection holds the write lock: the staged write waits in the writer's queue.
  auto other = sqlite::Database::open(path(), {.label = "other"});
  ASSERT_TRUE(other.ok());
  sqlite::Transaction tx(**other);
  ASSERT_TRUE(tx.begin().ok());
  std::promise<Status> written;
  (*d)->stage_new_contact_attributes_async(
      21, {{"account", "42"}}, [&written](Status s) { written.set_value(std::move(s)); });

  EXPECT_EQ((*d)->contact_attributes(21)["account"], "42");
  auto fresh = Directory::open(path());  // its reads go to the database: nothing there yet
  ASSERT_TRUE(fresh.ok());
  auto before = (*fresh)->find_contact_attributes(21);
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());

  ASSERT_TRUE(tx.commit().ok());
  EXPECT_TRUE(written.get_future().get().ok());
  auto after = (*fresh)->find_contact_attributes(21);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)["account"], "42");
}

TEST_F(DirectoryTest, StagedAttributesWhoseWriteFailsAreForgotten) {
  auto d = Directory::open(path());
  ASSERT_TRUE(d.ok());
  auto other = sqlite::Database::open(path(), {.label = "other"});
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)
                  ->exec("CREATE TRIGGER refuse BEFORE INSERT ON contact_attributes "
                         "WHEN NEW.contact = 22 BEGIN SELECT RAISE(ABORT, 'refused'); END;")
                  .ok());
  std::promise<Status> written;
  (*d)->stage_new_contact_attributes_async(
      22, {{"account", "43"}}, [&written](Status s) { written.set_value(std::move(s)); });
  const Status s = written.get_future().get();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.to_string().find("refused"), std::string::npos) << s.to_string();
  // What a restart would find: no attributes.
  auto found = (*d)->find_contact_attributes(22);
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->empty());
}

TEST_F(DirectoryTest, AnInMemoryDirectoryReadsOnItsOnlyConnection) {
  auto d = Directory::open(":memory:");
  ASSERT_TRUE(d.ok()) << d.status().to_string();
  ASSERT_TRUE((*d)->put("team", 1, {{"name", "A"}}).ok());
  (*d)->flush();
  auto all = (*d)->list("team");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 1u);
}

}  // namespace
}  // namespace sb::api
