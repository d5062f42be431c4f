#include "api/directory.h"

#include <future>

#include "sqlite/sqlite.h"

namespace sb::api {

namespace {
Result<nlohmann::json> parse_body(const std::string& body, const std::string& kind) {
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return Status::corruption("directory: unreadable " + kind);
  return doc;
}
}  // namespace

Result<std::unique_ptr<Directory>> Directory::open(const std::string& path) {
  auto db = sqlite::Database::open(path, {.label = "directory"});
  if (!db.ok()) return db.status();
  SB_RETURN_IF_ERROR(
      (*db)->exec("CREATE TABLE IF NOT EXISTS documents (kind TEXT NOT NULL, id INTEGER NOT NULL,"
                  " body TEXT NOT NULL, PRIMARY KEY (kind, id));"
                  "CREATE TABLE IF NOT EXISTS contact_attributes (contact INTEGER PRIMARY KEY,"
                  " body TEXT NOT NULL);"));
  std::unique_ptr<sqlite::Database> reader;
  if (!path.empty() && path != ":memory:") {
    auto opened = sqlite::Database::open(path, {.label = "directory", .read_only = true});
    if (!opened.ok()) return opened.status();
    reader = std::move(*opened);
  }
  return std::unique_ptr<Directory>(new Directory(std::move(*db), std::move(reader)));
}

Directory::Directory(std::unique_ptr<sqlite::Database> db, std::unique_ptr<sqlite::Database> reader)
    : db_(std::move(db)), reader_(std::move(reader)) {
  writer_ = std::thread([this] { writer_loop(); });
}

Directory::~Directory() {
  {
    std::lock_guard lock(queue_mu_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  if (writer_.joinable()) writer_.join();
}

void Directory::enqueue(Write w) {
  {
    std::lock_guard lock(queue_mu_);
    if (!stopping_) {
      queue_.push_back(std::move(w));
      wake_writer_.notify_one();
      return;
    }
  }
  if (w.done) w.done(Status::unavailable("directory is closing"));
}

Status Directory::wait_for(Write w) {
  if (std::this_thread::get_id() == writer_.get_id())
    return Status::failed_precondition(
        "a directory write from a directory callback would deadlock");
  std::promise<Status> result;
  auto future = result.get_future();
  w.done = [&result](Status s) { result.set_value(std::move(s)); };
  enqueue(std::move(w));
  return future.get();
}

void Directory::writer_loop() {
  for (;;) {
    std::deque<Write> group;
    {
      std::unique_lock lock(queue_mu_);
      wake_writer_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything queued is written
      // Group commit: everything that queued up while the previous transaction was committing.
      group.swap(queue_);
      writing_ = true;
    }
    std::vector<Status> results(group.size());
    {
      std::lock_guard lock(mu_);
      Status s = write_group(group);
      if (s.ok()) {
        for (Write& w : group) written(w);
      } else if (group.size() == 1) {
        results[0] = s;
      } else {
        // Nothing of the group was stored; give every write its own outcome.
        for (std::size_t i = 0; i < group.size(); ++i) {
          results[i] = write_one(group[i]);
          if (results[i].ok()) written(group[i]);
        }
      }
    }
    for (std::size_t i = 0; i < group.size(); ++i) {
      if (group[i].staged && !results[i].ok()) {
        std::lock_guard lock(cache_mu_);
        attribute_cache_.erase(static_cast<std::uint64_t>(group[i].id));
      }
      if (group[i].done) group[i].done(results[i]);
    }
    {
      std::lock_guard lock(queue_mu_);
      writing_ = false;
    }
    idle_.notify_all();
  }
}

void Directory::flush() {
  if (std::this_thread::get_id() == writer_.get_id()) return;
  std::unique_lock lock(queue_mu_);
  idle_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

Status Directory::write_one(const Write& w) {
  if (w.attributes)
    return db_->prepare("INSERT OR REPLACE INTO contact_attributes (contact, body) VALUES (?1, ?2)")
        .bind_int(1, w.id)
        .bind_text(2, w.body)
        .run();
  return db_->prepare("INSERT OR REPLACE INTO documents (kind, id, body) VALUES (?1, ?2, ?3)")
      .bind_text(1, w.kind)
      .bind_int(2, w.id)
      .bind_text(3, w.body)
      .run();
}

Status Directory::write_group(std::deque<Write>& group) {
  if (group.size() == 1) return write_one(group.front());
  sqlite::Transaction tx(*db_);
  SB_RETURN_IF_ERROR(tx.begin());
  auto attrs =
      db_->prepare("INSERT OR REPLACE INTO contact_attributes (contact, body) VALUES (?1, ?2)");
  auto docs = db_->prepare("INSERT OR REPLACE INTO documents (kind, id, body) VALUES (?1, ?2, ?3)");
  for (const Write& w : group) {
    if (w.attributes) {
      SB_RETURN_IF_ERROR(attrs.reset().bind_int(1, w.id).bind_text(2, w.body).run());
    } else {
      SB_RETURN_IF_ERROR(
          docs.reset().bind_text(1, w.kind).bind_int(2, w.id).bind_text(3, w.body).run());
    }
  }
  return tx.commit();
}

void Directory::written(Write& w) {
  std::lock_guard lock(cache_mu_);
  if (w.attributes) {
    cache_attributes(static_cast<std::uint64_t>(w.id), std::move(w.value));
  } else {
    // The next get() reads it back (documents written in bulk, such as wrap-up records, are not
    // kept in memory unless read).
    document_cache_.erase({w.kind, w.id});
    ++document_writes_;
  }
}

void Directory::cache_attributes(std::uint64_t contact, nlohmann::json value) {
  auto [it, inserted] = attribute_cache_.insert_or_assign(contact, std::move(value));
  if (inserted) {
    attribute_order_.push_back(contact);
    if (attribute_order_.size() > kAttributeCache) {
      attribute_cache_.erase(attribute_order_.front());
      attribute_order_.pop_front();
    }
  }
}

void Directory::remember_no_attributes(std::uint64_t contact) {
  std::lock_guard lock(cache_mu_);
  // Attributes written meanwhile (by a flow, say) win over "none".
  if (attribute_cache_.contains(contact)) return;
  cache_attributes(contact, nlohmann::json::object());
}

template <typename F>
auto Directory::with_reader(F&& read) {
  if (reader_ == nullptr) {
    std::lock_guard lock(mu_);
    return read(*db_);
  }
  std::lock_guard lock(read_mu_);
  return read(*reader_);
}

Result<std::vector<nlohmann::json>> Directory::list(const std::string& kind) {
  return with_reader([&](sqlite::Database& db) -> Result<std::vector<nlohmann::json>> {
    auto st = db.prepare("SELECT body FROM documents WHERE kind = ?1 ORDER BY id");
    st.bind_text(1, kind);
    std::vector<nlohmann::json> out;
    for (;;) {
      auto row = st.step();
      if (!row.ok()) return row.status();
      if (!*row) return out;
      auto doc = parse_body(st.text(0), kind);
      if (!doc.ok()) return doc.status();
      out.push_back(std::move(*doc));
    }
  });
}

Result<nlohmann::json> Directory::get(const std::string& kind, std::int64_t id) {
  std::uint64_t writes_before = 0;
  {
    std::lock_guard lock(cache_mu_);
    auto it = document_cache_.find({kind, id});
    if (it != document_cache_.end()) return it->second;
    writes_before = document_writes_;
  }
  auto doc = with_reader([&](sqlite::Database& db) -> Result<nlohmann::json> {
    auto st = db.prepare("SELECT body FROM documents WHERE kind = ?1 AND id = ?2");
    st.bind_text(1, kind).bind_int(2, id);
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::not_found(kind + " " + std::to_string(id) + " not found");
    return parse_body(st.text(0), kind);
  });
  if (doc.ok()) {
    std::lock_guard cache(cache_mu_);
    // A write committed while we read may be newer than what we read: leave it to the next get().
    if (document_writes_ == writes_before) document_cache_.insert_or_assign({kind, id}, *doc);
  }
  return doc;
}

Status Directory::put(const std::string& kind, std::int64_t id, nlohmann::json doc) {
  doc["id"] = id;
  Write w;
  w.kind = kind;
  w.id = id;
  w.body = doc.dump();
  return wait_for(std::move(w));
}

void Directory::put_async(const std::string& kind, std::int64_t id, nlohmann::json doc,
                          WriteCallback done) {
  doc["id"] = id;
  Write w;
  w.kind = kind;
  w.id = id;
  w.body = doc.dump();
  w.done = std::move(done);
  enqueue(std::move(w));
}

Result<std::int64_t> Directory::next_id(const std::string& kind, std::int64_t floor) {
  std::lock_guard lock(mu_);
  auto st = db_->prepare("SELECT MAX(id) FROM documents WHERE kind = ?1");
  st.bind_text(1, kind);
  auto row = st.step();
  if (!row.ok()) return row.status();
  const std::int64_t next = st.is_null(0) ? floor : st.i64(0) + 1;
  return next < floor ? floor : next;
}

Directory::Write Directory::attribute_write(std::uint64_t contact, const nlohmann::json& attributes,
                                            WriteCallback done) {
  Write w;
  w.attributes = true;
  w.id = static_cast<std::int64_t>(contact);
  w.body = attributes.dump();
  w.value = attributes;
  w.done = std::move(done);
  return w;
}

Status Directory::set_contact_attributes(std::uint64_t contact, const nlohmann::json& attributes) {
  return wait_for(attribute_write(contact, attributes, nullptr));
}

void Directory::set_contact_attributes_async(std::uint64_t contact,
                                             const nlohmann::json& attributes, WriteCallback done) {
  enqueue(attribute_write(contact, attributes, std::move(done)));
}

void Directory::stage_new_contact_attributes_async(std::uint64_t contact,
                                                   const nlohmann::json& attributes,
                                                   WriteCallback done) {
  {
    std::lock_guard lock(cache_mu_);
    cache_attributes(contact, attributes);
  }
  Write w = attribute_write(contact, attributes, std::move(done));
  w.staged = true;
  enqueue(std::move(w));
}

Result<nlohmann::json> Directory::find_contact_attributes(std::uint64_t contact) {
  {
    std::lock_guard lock(cache_mu_);
    auto it = attribute_cache_.find(contact);
    if (it != attribute_cache_.end()) return it->second;
  }
  return with_reader([&](sqlite::Database& db) -> Result<nlohmann::json> {
    auto st = db.prepare("SELECT body FROM contact_attributes WHERE contact = ?1");
    st.bind_int(1, static_cast<std::int64_t>(contact));
    auto row = st.step();
    if (!row.ok()) return row.status();
    if (!*row) return nlohmann::json::object();
    return parse_body(st.text(0), "contact attributes");
  });
}

nlohmann::json Directory::contact_attributes(std::uint64_t contact) {
  auto found = find_contact_attributes(contact);
  return found.ok() ? std::move(*found) : nlohmann::json::object();
}

}  // namespace sb::api
