#pragma once
// The directory: configuration that is not routing state — not-ready reason codes, disposition
// (wrap-up) codes, teams — and the attributes attached to contacts (what an IVR or CRM dip learned,
// shown to the agent). Kept in SQLite (`<data-dir>/directory.db`) as JSON documents per kind.
//
// Thread safety: all methods may be called from any thread.
//
// Writes are durable (synchronous=FULL) before they are acknowledged, and they are group-committed:
// a writer thread takes every write queued while its previous transaction was committing and
// commits them together, so concurrent writers share one fsync. The *_async forms never block the
// caller (HTTP I/O threads use them); the plain forms wait for the acknowledgement. Reads of
// contact attributes and of documents are served from memory when possible (the attributes of the
// most recently written contacts, and documents read before); the rest go to a second, read-only
// connection (WAL lets it read beside the writer), so a read never waits behind a commit and its
// fsync.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"

namespace sb::sqlite {
class Database;
}

namespace sb::api {

class Directory {
 public:
  static Result<std::unique_ptr<Directory>> open(const std::string& path);
  ~Directory();  // writes everything queued, then closes

  // Called once the write is durable (or failed), on the directory's writer thread: it must not
  // block, nor wait for another directory write.
  using WriteCallback = std::function<void(Status)>;
  // Waits until every write queued so far is done and its callback has returned (at shutdown,
  // before what the callbacks use goes away). Not from a callback.
  void flush();

  // Documents of one kind ("reason_code", "disposition", "team"), ascending by id.
  Result<std::vector<nlohmann::json>> list(const std::string& kind);
  Result<nlohmann::json> get(const std::string& kind, std::int64_t id);
  // Inserts or replaces; the document's "id" is set to `id`.
  Status put(const std::string& kind, std::int64_t id, nlohmann::json doc);
  void put_async(const std::string& kind, std::int64_t id, nlohmann::json doc, WriteCallback done);
  // max(existing ids of the kind) + 1, but at least `floor`.
  Result<std::int64_t> next_id(const std::string& kind, std::int64_t floor);

  Status set_contact_attributes(std::uint64_t contact, const nlohmann::json& attributes);
  void set_contact_attributes_async(std::uint64_t contact, const nlohmann::json& attributes,
                                    WriteCallback done);
  // For a contact being created, its first attributes: unlike set_contact_attributes_async they
  // are readable at once, before they are durable, so that the contact's arrival can be made
  // durable in the event log side by side with them and its offer (pushed once the arrival is
  // durable) still shows them. `done` follows when they are durable; if the write fails they are
  // forgotten again (what a restart would find).
  void stage_new_contact_attributes_async(std::uint64_t contact, const nlohmann::json& attributes,
                                          WriteCallback done);
  // An empty object when the contact has none; an error status when the database cannot answer.
  Result<nlohmann::json> find_contact_attributes(std::uint64_t contact);
  // For display paths (agent pushes) that show what is known and carry on: an empty object when
  // the contact has none or the database cannot answer.
  nlohmann::json contact_attributes(std::uint64_t contact);
  // Records that a contact created just now has no attributes, so that the reads for its offer
  // and assignment pushes are answered from memory instead of the database. A later
  // set_contact_attributes() replaces it.
  void remember_no_attributes(std::uint64_t contact);

 private:
  struct Write {
    bool attributes = false;  // contact_attributes row; otherwise a document
    bool staged = false;      // attributes cached before the write (forgotten if it fails)
    std::string kind;
    std::int64_t id = 0;
    std::string body;
    nlohmann::json value;  // attributes: the object, for the cache
    WriteCallback done;
  };
  Directory(std::unique_ptr<sqlite::Database> db, std::unique_ptr<sqlite::Database> reader);
  static Write attribute_write(std::uint64_t contact, const nlohmann::json& attributes,
                               WriteCallback done);
  void enqueue(Write w);
  Status wait_for(Write w);
  void writer_loop();
  // REQUIRES: mu_ held. One transaction for the whole group.
  Status write_group(std::deque<Write>& group);
  Status write_one(const Write& w);
  // REQUIRES: mu_ held; after `w` was committed.
  void written(Write& w);
  // REQUIRES: cache_mu_ held.
  void cache_attributes(std::uint64_t contact, nlohmann::json value);
  // Runs `read` on the read-only connection (or, for an in-memory database, which a second
  // connection cannot see, on the writer's connection).
  template <typename F>
  auto with_reader(F&& read);

  std::mutex mu_;  // the writer's connection (db_)
  std::unique_ptr<sqlite::Database> db_;
  std::mutex read_mu_;                        // the reader's connection (reader_)
  std::unique_ptr<sqlite::Database> reader_;  // null for an in-memory database

  std::mutex queue_mu_;
  std::condition_variable wake_writer_;
  std::deque<Write> queue_;  // guarded by queue_mu_
  bool stopping_ = false;    // guarded by queue_mu_
  bool writing_ = false;     // guarded by queue_mu_: a group is being written or called back
  std::condition_variable idle_;
  std::thread writer_;

  // Caches, guarded by cache_mu_ (never held across I/O). Attributes of the most recently written
  // contacts (at most kAttributeCache, oldest dropped first); documents read or written since
  // start.
  static constexpr std::size_t kAttributeCache = 1 << 16;
  std::mutex cache_mu_;
  std::unordered_map<std::uint64_t, nlohmann::json> attribute_cache_;
  std::deque<std::uint64_t> attribute_order_;
  std::map<std::pair<std::string, std::int64_t>, nlohmann::json> document_cache_;
  // Counts committed document writes: a document read on the reader connection is cached only if
  // no write committed while it was being read (it might be older than that write).
  std::uint64_t document_writes_ = 0;
};

}  // namespace sb::api
