#include "accounts/accounts.h"

#include <openssl/evp.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <utility>

#include "sqlite/sqlite.h"

namespace sb::accounts {
namespace {

// Version 1: users, sessions, api_keys, login_failures, audit. Stored in PRAGMA user_version.
constexpr int kSchemaVersion = 2;

constexpr const char* kInvalidCredentials = "invalid username or password";
constexpr std::string_view kApiKeyPrefix = "sbk_";
constexpr std::size_t kSecretBytes = 32;  // session tokens, CSRF tokens, API keys
constexpr std::size_t kMaxUsername = 64;
constexpr std::size_t kMinPassword = 10;
constexpr std::size_t kMinSipPassword = 8;
constexpr std::size_t kMaxPassword = 1024;  // Argon2id takes any length; this bounds the work
constexpr std::size_t kMaxDisplayName = 200;
constexpr std::size_t kMaxKeyName = 100;
constexpr std::size_t kMaxPageLimit = 500;
constexpr std::size_t kMaxTokenLength = 128;  // longer "tokens" are refused before hashing
// Sliding expiry and last_used_at are written at most once a minute per session/key, so that
// authenticating every request does not mean a database write (and fsync) per request. A session
// TTL under four minutes slides every quarter TTL instead: with a whole minute, a session used
// all the time would still expire.
constexpr Millis kTouchGranularity = kMillisPerMinute;

constexpr const char* kUserColumns =
    "id, username, display_name, role, agent_id, disabled, created_at";
constexpr const char* kApiKeyColumns = "id, user_id, name, prefix, created_at, last_used_at";

// ---------------------------------------------------------------------------------------------
// libsodium helpers

bool sodium_ready() {
  static std::once_flag once;
  static bool ready = false;
  std::call_once(once, [] { ready = sodium_init() >= 0; });
  return ready;
}

std::string base64url(const unsigned char* bytes, std::size_t n) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(n, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, kVariant);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string random_secret(std::size_t bytes) {
  std::array<unsigned char, 64> buf{};
  randombytes_buf(buf.data(), bytes);
  std::string out = base64url(buf.data(), bytes);
  sodium_memzero(buf.data(), buf.size());
  return out;
}

std::string sha256_hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(data.data()),
                     data.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data());
}

struct HashCost {
  unsigned long long ops;
  std::size_t mem;
};

HashCost hash_cost(bool fast) {
  if (fast) return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE, crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

Result<std::string> hash_password(std::string_view password, bool fast) {
  const HashCost cost = hash_cost(fast);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), cost.ops, cost.mem,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Status::resource_exhausted("cannot hash the password: out of memory");
  return std::string(out.data());
}

bool verify_password(const std::string& hash, std::string_view password) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

// ---------------------------------------------------------------------------------------------
// Validation and formatting

Status validate_username(std::string_view u) {
  if (u.empty() || u.size() > kMaxUsername)
    return Status::invalid_argument("username: must be 1 to 64 characters");
  for (char c : u) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return Status::invalid_argument("username: only letters, digits and ._@- allowed");
  }
  return {};
}

Status validate_password(std::string_view p) {
  if (p.size() < kMinPassword)
    return Status::invalid_argument("password: must be at least 10 characters");
  if (p.size() > kMaxPassword)
    return Status::invalid_argument("password: must be at most 1024 characters");
  return {};
}

Status validate_display_name(std::string_view d) {
  if (d.size() > kMaxDisplayName)
    return Status::invalid_argument("display_name: must be at most 200 characters");
  return {};
}

Status validate_page(const Page& page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit)
    return Status::invalid_argument("limit: must be between 1 and 500");
  if (page.after_id < 0) return Status::invalid_argument("cursor: must not be negative");
  return {};
}

// "2026-11-30T22:45:41Z"
std::string iso_time(Millis t) {
  namespace chr = std::chrono;
  const chr::sys_time<chr::milliseconds> tp{chr::milliseconds{t}};
  const auto day = chr::floor<chr::days>(tp);
  const chr::year_month_day ymd{day};
  const chr::hh_mm_ss hms{chr::floor<chr::seconds>(tp - day)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

// An attempted username, made safe to quote in an audit entry (it is attacker-controlled).
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, kMaxUsername)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u >= 0x7f || c == '\'') ? '?' : c;
  }
  if (s.size() > kMaxUsername) out += "...";
  return out;
}

std::string user_target(UserId id) { return "user:" + std::to_string(id); }

using Stmt = sqlite::Statement;

// Reads the columns of kUserColumns starting at `c`.
User read_user(const Stmt& s, int c = 0) {
  User u;
  u.id = s.i64(c);
  u.username = s.text(c + 1);
  u.display_name = s.text(c + 2);
  auto role = parse_role(s.text(c + 3));
  u.role = role.ok() ? *role : Role::kAgent;  // the CHECK constraint admits only valid names
  if (auto a = s.opt_i64(c + 4)) u.agent_id = static_cast<std::uint32_t>(*a);
  u.disabled = s.i64(c + 5) != 0;
  u.created_at = s.i64(c + 6);
  return u;
}

ApiKeyInfo read_api_key(const Stmt& s) {
  ApiKeyInfo k;
  k.id = s.i64(0);
  k.user_id = s.i64(1);
  k.name = s.text(2);
  k.prefix = s.text(3);
  k.created_at = s.i64(4);
  k.last_used_at = s.opt_i64(5);
  return k;
}

constexpr const char* kCreateSchema = R"sql(
CREATE TABLE users(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL UNIQUE COLLATE NOCASE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL CHECK(role IN ('admin', 'supervisor', 'agent', 'analyst')),
  agent_id INTEGER,
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE TABLE sessions(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL DEFAULT 0,
  remote TEXT NOT NULL DEFAULT '');
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE api_keys(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  name TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked INTEGER NOT NULL DEFAULT 0);
CREATE INDEX api_keys_user ON api_keys(user_id);
CREATE TABLE login_failures(
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  failures INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0,
  last_failure_at INTEGER NOT NULL);
CREATE TABLE audit(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  user_id INTEGER,
  username TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail TEXT NOT NULL,
  remote TEXT NOT NULL);
CREATE TABLE sip_credentials(
  user_id INTEGER PRIMARY KEY REFERENCES users(id),
  ha1 TEXT NOT NULL,
  updated_at INTEGER NOT NULL);
PRAGMA user_version = 2;
)sql";

// ---------------------------------------------------------------------------------------------

class SqliteAccounts final : public Accounts {
 public:
  SqliteAccounts(std::string path, const Clock& clock, AccountsOptions options)
      : path_(std::move(path)), clock_(clock), options_(options) {}

  Status init();

  bool has_users() override;
  Result<User> create_user(const NewUser& u) override;
  Result<User> get_user(UserId id) override;
  Result<User> find_user(std::string_view username) override;
  Result<User> update_user(UserId id, const UserPatch& patch) override;
  Result<std::vector<User>> list_users(const Page& page) override;
  Result<Session> login(std::string_view username, std::string_view password,
                        std::string_view remote) override;
  Status logout(std::string_view session_token, std::string_view remote) override;
  Result<Principal> authenticate_session(std::string_view session_token) override;
  Result<Principal> authenticate_api_key(std::string_view key) override;
  Result<NewApiKey> create_api_key(UserId user, std::string_view name) override;
  Result<std::vector<ApiKeyInfo>> list_api_keys(UserId user) override;
  Result<ApiKeyInfo> get_api_key(std::int64_t key_id) override;
  Status revoke_api_key(std::int64_t key_id) override;
  std::uint64_t add_revocation_listener(RevocationListener listener) override;
  void remove_revocation_listener(std::uint64_t id) override;
  Status check_principal(const Principal& p) override;
  Result<Millis> session_expiry(std::int64_t session_id) override;
  Status audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> list_audit(const Page& page) override;
  Status set_sip_password(UserId user, std::string_view password) override;
  Result<std::string> sip_ha1(std::string_view username) override;

 private:
  // What login reads about a user before the (slow, unlocked) password check.
  struct Credentials {
    User user;
    std::string password_hash;
  };
  struct Lockout {
    std::int64_t failures = 0;
    Millis locked_until = 0;
  };

  Status exec(const char* sql) { return db_->exec(sql); }
  Stmt stmt(const char* sql) { return db_->prepare(sql); }
  // Runs a "last used" / sliding-expiry update without its own fsync (synchronous=NORMAL in WAL
  // mode: durable at the next FULL commit or checkpoint). Losing one in a power cut only makes a
  // session expire up to a minute early or a key's last use look older; paying an fsync for each
  // would make authenticating thousands of agents a disk-bound job.
  Status touch(Stmt& update);

  // A transaction that rolls back unless committed. REQUIRES: mu_ held.
  struct Tx : sqlite::Transaction {
    explicit Tx(SqliteAccounts& a) : sqlite::Transaction(*a.db_) {}
  };

  // All below: REQUIRES mu_ held.
  Result<User> get_user_locked(UserId id);
  Result<std::optional<Credentials>> credentials_locked(std::string_view username);
  Result<Lockout> lockout_locked(UserId id);
  Status write_audit_locked(const AuditEntry& e, Millis now);
  Status audit_login_failed_locked(const std::optional<User>& user, std::string_view username,
                                   std::string detail, std::string_view remote, Millis now);
  Status revoke_sessions_locked(UserId id);
  // logout without the listeners: takes mu_, sets the id of the session it revoked.
  Status end_session(std::string_view session_token, std::string_view remote,
                     std::int64_t& session_id);
  Result<std::int64_t> other_enabled_admins_locked(UserId id);
  // Appends to `ended` what the change revokes; the caller tells the listeners once it committed.
  Result<User> update_user_locked(UserId id, const UserPatch& patch,
                                  const std::optional<std::string>& new_hash,
                                  std::vector<Revocation>& ended);

  // Tells the listeners; REQUIRES mu_ not held (a listener may call back in).
  void notify(const std::vector<Revocation>& ended);

  // Tokens that authenticated, by their hash: every API request authenticates, and an SQLite
  // join under mu_ per request was a large share of the server's CPU under load. Only this
  // process writes accounts.db, so the cache stays true if every write that can end a token's
  // validity (revocation, logout, any user change) forgets the tokens it may affect; expiry is
  // checked against the cached time. REQUIRES mu_ held.
  struct CachedToken {
    Principal principal;
    Millis expires_at = 0;  // sessions: sliding expiry as stored
    Millis touched_at = 0;  // API keys: last_used_at as stored (0: never)
  };
  void remember_token_locked(std::unordered_map<std::string, CachedToken>& cache,
                             const std::string& token_hash, CachedToken token);
  void forget_tokens_locked() {
    session_cache_.clear();
    key_cache_.clear();
  }

  // A hash to verify against when the username is unknown, so that an unknown user costs the
  // same Argon2id work as a wrong password and timing does not reveal which usernames exist.
  const std::string& dummy_hash();

  const std::string path_;
  const Clock& clock_;
  const AccountsOptions options_;
  std::mutex mu_;
  std::unique_ptr<sqlite::Database> db_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  std::unordered_map<std::string, CachedToken> session_cache_;
  std::unordered_map<std::string, CachedToken> key_cache_;

  // Held while listeners run, so that removing one waits for a call in progress. Never taken
  // under mu_, and mu_ is never held while a listener runs.
  std::mutex listeners_mu_;
  std::uint64_t next_listener_ = 1;
  std::map<std::uint64_t, RevocationListener> listeners_;
};

// Bounded: a flood of distinct valid tokens must not grow memory without limit; dropping the
// whole map is rare and only costs the next requests a database read.
constexpr std::size_t kMaxCachedTokens = 65536;

void SqliteAccounts::remember_token_locked(std::unordered_map<std::string, CachedToken>& cache,
                                           const std::string& token_hash, CachedToken token) {
  if (cache.size() >= kMaxCachedTokens) cache.clear();
  cache.insert_or_assign(token_hash, std::move(token));
}

const std::string& SqliteAccounts::dummy_hash() {
  std::call_once(dummy_once_, [this] {
    auto h = hash_password(random_secret(16), options_.fast_hashing_for_tests);
    // Without memory for the dummy, verify against an invalid string: it fails fast, which only
    // weakens the timing defence, never the check itself.
    dummy_hash_ = h.ok() ? *h : std::string("$argon2id$invalid");
  });
  return dummy_hash_;
}

Status SqliteAccounts::touch(Stmt& update) {
  SB_RETURN_IF_ERROR(db_->set_synchronous(sqlite::Synchronous::kNormal));
  Status ran = update.run();
  // Back to FULL whatever happened: every other write must stay durable once acknowledged.
  Status restored = db_->set_synchronous(sqlite::Synchronous::kFull);
  if (!ran.ok()) return ran;
  return restored;
}

Status SqliteAccounts::init() {
  // FULL synchronous: audit entries, lockouts and revocations survive a power cut once
  // acknowledged; the file is private because hashes are still worth protecting.
  auto db =
      sqlite::Database::open(path_.empty() ? ":memory:" : path_,
                             {.label = "accounts", .foreign_keys = true, .private_file = true});
  if (!db.ok()) return db.status();
  db_ = std::move(*db);

  Tx tx(*this);
  SB_RETURN_IF_ERROR(tx.begin());
  std::int64_t version = 0;
  {
    Stmt s = stmt("PRAGMA user_version");
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (*row) version = s.i64(0);
  }
  std::int64_t tables = 0;
  {
    Stmt s = stmt("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'");
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (*row) tables = s.i64(0);
  }
  if (version == 0) {
    if (tables != 0)
      return Status::failed_precondition("'" + path_ +
                                         "' is an SQLite database but not a Switchboard accounts "
                                         "database (it has tables and no schema version)");
    SB_RETURN_IF_ERROR(exec(kCreateSchema));
  } else if (version > kSchemaVersion) {
    return Status::failed_precondition(
        "accounts database '" + path_ + "' has schema version " + std::to_string(version) +
        ", this build reads versions up to " + std::to_string(kSchemaVersion));
  }
  // Migrations from older versions go here, one step at a time, inside this transaction.
  if (version == 1) {
    // Version 2: SIP phone credentials (digest HA1 per user).
    SB_RETURN_IF_ERROR(
        exec("CREATE TABLE sip_credentials(user_id INTEGER PRIMARY KEY REFERENCES users(id), "
             "ha1 TEXT NOT NULL, updated_at INTEGER NOT NULL); PRAGMA user_version = 2;"));
  }
  return tx.commit();
}

// ---------------------------------------------------------------------------------------------
// Users

bool SqliteAccounts::has_users() {
  std::lock_guard lock(mu_);
  Stmt s = stmt("SELECT EXISTS(SELECT 1 FROM users)");
  auto row = s.step();
  return row.ok() && *row && s.i64(0) != 0;
}

Result<User> SqliteAccounts::get_user_locked(UserId id) {
  Stmt s = stmt(
      "SELECT id, username, display_name, role, agent_id, disabled, created_at "
      "FROM users WHERE id = ?1");
  s.bind_int(1, id);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("user " + std::to_string(id) + " does not exist");
  return read_user(s);
}

Result<User> SqliteAccounts::create_user(const NewUser& u) {
  SB_RETURN_IF_ERROR(validate_username(u.username));
  SB_RETURN_IF_ERROR(validate_password(u.password));
  SB_RETURN_IF_ERROR(validate_display_name(u.display_name));
  {
    // Cheap early answer before spending Argon2id work; the UNIQUE constraint decides below.
    std::lock_guard lock(mu_);
    Stmt s = stmt("SELECT 1 FROM users WHERE username = ?1");
    s.bind_text(1, u.username);
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (*row) return Status::already_exists("username '" + u.username + "' is taken");
  }
  auto hash = hash_password(u.password, options_.fast_hashing_for_tests);
  if (!hash.ok()) return hash.status();

  std::lock_guard lock(mu_);
  const Millis now = clock_.now();
  Stmt s = stmt(
      "INSERT INTO users(username, display_name, role, agent_id, password_hash, disabled,"
      " created_at, updated_at) VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)");
  s.bind_text(1, u.username)
      .bind_text(2, u.display_name)
      .bind_text(3, role_name(u.role))
      .bind_opt(4, u.agent_id ? std::optional<std::int64_t>(*u.agent_id) : std::nullopt)
      .bind_text(5, *hash)
      .bind_int(6, now);
  if (Status st = s.run(); !st.ok()) {
    if (sqlite3_extended_errcode(db_->handle()) == SQLITE_CONSTRAINT_UNIQUE)
      return Status::already_exists("username '" + u.username + "' is taken");
    return st;
  }
  return get_user_locked(db_->last_insert_rowid());
}

Result<User> SqliteAccounts::get_user(UserId id) {
  std::lock_guard lock(mu_);
  return get_user_locked(id);
}

Result<User> SqliteAccounts::find_user(std::string_view username) {
  std::lock_guard lock(mu_);
  Stmt s = stmt(
      "SELECT id, username, display_name, role, agent_id, disabled, created_at "
      "FROM users WHERE username = ?1");
  s.bind_text(1, username);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("user '" + printable(username) + "' does not exist");
  return read_user(s);
}

Status SqliteAccounts::revoke_sessions_locked(UserId id) {
  forget_tokens_locked();
  Stmt s = stmt("UPDATE sessions SET revoked = 1 WHERE user_id = ?1 AND revoked = 0");
  s.bind_int(1, id);
  return s.run();
}

Result<std::int64_t> SqliteAccounts::other_enabled_admins_locked(UserId id) {
  Stmt s = stmt("SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND id <> ?1");
  s.bind_int(1, id);
  auto row = s.step();
  if (!row.ok()) return row.status();
  return *row ? s.i64(0) : 0;
}

Result<User> SqliteAccounts::update_user(UserId id, const UserPatch& patch) {
  if (patch.display_name) SB_RETURN_IF_ERROR(validate_display_name(*patch.display_name));
  std::optional<std::string> new_hash;
  if (patch.password) {
    SB_RETURN_IF_ERROR(validate_password(*patch.password));
    {
      std::lock_guard lock(mu_);  // don't spend Argon2id work on an unknown user
      SB_RETURN_IF_ERROR(get_user_locked(id).status());
    }
    auto hash = hash_password(*patch.password, options_.fast_hashing_for_tests);
    if (!hash.ok()) return hash.status();
    new_hash = std::move(*hash);
  }
  std::vector<Revocation> ended;
  Result<User> updated = [&] {
    std::lock_guard lock(mu_);
    return update_user_locked(id, patch, new_hash, ended);
  }();
  if (updated.ok()) notify(ended);
  return updated;
}

Result<User> SqliteAccounts::update_user_locked(UserId id, const UserPatch& patch,
                                                const std::optional<std::string>& new_hash,
                                                std::vector<Revocation>& ended) {
  Tx tx(*this);
  SB_RETURN_IF_ERROR(tx.begin());
  auto current = get_user_locked(id);
  if (!current.ok()) return current.status();
  User u = *current;
  if (patch.display_name) u.display_name = *patch.display_name;
  if (patch.role) u.role = *patch.role;
  if (patch.agent_id) u.agent_id = *patch.agent_id;
  if (patch.disabled) u.disabled = *patch.disabled;

  const bool was_active_admin = current->role == Role::kAdmin && !current->disabled;
  const bool is_active_admin = u.role == Role::kAdmin && !u.disabled;
  if (was_active_admin && !is_active_admin) {
    auto others = other_enabled_admins_locked(id);
    if (!others.ok()) return others.status();
    if (*others == 0)
      return Status::failed_precondition("cannot disable or demote the last enabled admin");
  }

  const Millis now = clock_.now();
  forget_tokens_locked();  // cached principals carry the user's role, agent and name
  {
    Stmt s = stmt(
        "UPDATE users SET display_name = ?2, role = ?3, agent_id = ?4, disabled = ?5,"
        " updated_at = ?6 WHERE id = ?1");
    s.bind_int(1, id)
        .bind_text(2, u.display_name)
        .bind_text(3, role_name(u.role))
        .bind_opt(4, u.agent_id ? std::optional<std::int64_t>(*u.agent_id) : std::nullopt)
        .bind_int(5, u.disabled ? 1 : 0)
        .bind_int(6, now);
    SB_RETURN_IF_ERROR(s.run());
  }
  if (new_hash) {
    Stmt s = stmt("UPDATE users SET password_hash = ?2 WHERE id = ?1");
    s.bind_int(1, id).bind_text(2, *new_hash);
    SB_RETURN_IF_ERROR(s.run());
    Stmt clear = stmt("DELETE FROM login_failures WHERE user_id = ?1");
    clear.bind_int(1, id);
    SB_RETURN_IF_ERROR(clear.run());
    SB_RETURN_IF_ERROR(revoke_sessions_locked(id));
    ended.push_back({Revocation::Scope::kUserSessions, id, "password changed"});
  }
  if (u.disabled && !current->disabled) {
    SB_RETURN_IF_ERROR(revoke_sessions_locked(id));
    Stmt s = stmt("UPDATE api_keys SET revoked = 1 WHERE user_id = ?1 AND revoked = 0");
    s.bind_int(1, id);
    SB_RETURN_IF_ERROR(s.run());
    ended.push_back({Revocation::Scope::kUser, id, "user disabled"});
  }
  // The credentials stay valid, but a connection acts with the role and agent it was opened
  // with: it must reconnect to act as the user is now.
  if (u.role != current->role)
    ended.push_back({Revocation::Scope::kUser, id, "role changed"});
  else if (u.agent_id != current->agent_id)
    ended.push_back({Revocation::Scope::kUser, id, "agent link changed"});
  SB_RETURN_IF_ERROR(tx.commit());
  return u;
}

void SqliteAccounts::notify(const std::vector<Revocation>& ended) {
  if (ended.empty()) return;
  std::lock_guard lock(listeners_mu_);
  for (const auto& r : ended)
    for (const auto& [id, listener] : listeners_) listener(r);
}

std::uint64_t SqliteAccounts::add_revocation_listener(RevocationListener listener) {
  std::lock_guard lock(listeners_mu_);
  const std::uint64_t id = next_listener_++;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void SqliteAccounts::remove_revocation_listener(std::uint64_t id) {
  std::lock_guard lock(listeners_mu_);
  listeners_.erase(id);
}

Result<std::vector<User>> SqliteAccounts::list_users(const Page& page) {
  SB_RETURN_IF_ERROR(validate_page(page));
  std::lock_guard lock(mu_);
  Stmt s = stmt(
      "SELECT id, username, display_name, role, agent_id, disabled, created_at "
      "FROM users WHERE id > ?1 ORDER BY id LIMIT ?2");
  s.bind_int(1, page.after_id).bind_int(2, static_cast<std::int64_t>(page.limit));
  std::vector<User> out;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read_user(s));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Login, sessions

Result<std::optional<SqliteAccounts::Credentials>> SqliteAccounts::credentials_locked(
    std::string_view username) {
  Stmt s = stmt(
      "SELECT id, username, display_name, role, agent_id, disabled, created_at,"
      " password_hash FROM users WHERE username = ?1");
  s.bind_text(1, username);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<Credentials>();
  return std::optional<Credentials>(Credentials{read_user(s), s.text(7)});
}

Result<SqliteAccounts::Lockout> SqliteAccounts::lockout_locked(UserId id) {
  Stmt s = stmt("SELECT failures, locked_until FROM login_failures WHERE user_id = ?1");
  s.bind_int(1, id);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Lockout{};
  return Lockout{s.i64(0), s.i64(1)};
}

Status SqliteAccounts::write_audit_locked(const AuditEntry& e, Millis now) {
  Stmt s = stmt(
      "INSERT INTO audit(at, user_id, username, action, target, detail, remote)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
  s.bind_int(1, now)
      .bind_opt(2, e.user_id)
      .bind_text(3, e.username)
      .bind_text(4, e.action)
      .bind_text(5, e.target)
      .bind_text(6, e.detail)
      .bind_text(7, e.remote);
  return s.run();
}

Status SqliteAccounts::audit_login_failed_locked(const std::optional<User>& user,
                                                 std::string_view username, std::string detail,
                                                 std::string_view remote, Millis now) {
  AuditEntry e;
  e.action = "login_failed";
  e.remote = std::string(remote);
  e.detail = std::move(detail);
  if (user) {
    e.user_id = user->id;
    e.username = user->username;
    e.target = user_target(user->id);
  } else {
    e.detail += " '" + printable(username) + "'";
  }
  return write_audit_locked(e, now);
}

Result<Session> SqliteAccounts::login(std::string_view username, std::string_view password,
                                      std::string_view remote) {
  // 1. Who is it, and are they locked out? (Locked accounts cost no Argon2id work.)
  std::optional<Credentials> creds;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now();
    auto c = credentials_locked(username);
    if (!c.ok()) return c.status();
    creds = std::move(*c);
    if (creds) {
      auto lo = lockout_locked(creds->user.id);
      if (!lo.ok()) return lo.status();
      if (lo->locked_until > now) {
        SB_RETURN_IF_ERROR(
            audit_login_failed_locked(creds->user, username, "account locked", remote, now));
        return Status::failed_precondition("account locked until " + iso_time(lo->locked_until));
      }
    }
  }

  // 2. The password check, unlocked. Unknown users verify against a dummy hash: same cost.
  const bool password_ok = password.size() <= kMaxPassword &&
                           verify_password(creds ? creds->password_hash : dummy_hash(), password) &&
                           creds.has_value();

  // 3. Record the outcome.
  std::optional<Session> session;
  bool rehash = false;
  {
    std::lock_guard lock(mu_);
    const Millis now = clock_.now();
    Tx tx(*this);
    SB_RETURN_IF_ERROR(tx.begin());
    if (!creds) {
      SB_RETURN_IF_ERROR(
          audit_login_failed_locked(std::nullopt, username, "unknown user", remote, now));
      SB_RETURN_IF_ERROR(tx.commit());
      return Status::invalid_argument(kInvalidCredentials);
    }
    // The user may have changed while we were hashing: judge against the current row.
    auto c = credentials_locked(username);
    if (!c.ok()) return c.status();
    if (!*c || (*c)->user.id != creds->user.id) {
      SB_RETURN_IF_ERROR(
          audit_login_failed_locked(std::nullopt, username, "unknown user", remote, now));
      SB_RETURN_IF_ERROR(tx.commit());
      return Status::invalid_argument(kInvalidCredentials);
    }
    const User user = (*c)->user;
    const bool same_hash = (*c)->password_hash == creds->password_hash;
    auto lo = lockout_locked(user.id);
    if (!lo.ok()) return lo.status();
    if (lo->locked_until > now) {  // locked by concurrent failures meanwhile
      SB_RETURN_IF_ERROR(audit_login_failed_locked(user, username, "account locked", remote, now));
      SB_RETURN_IF_ERROR(tx.commit());
      return Status::failed_precondition("account locked until " + iso_time(lo->locked_until));
    }
    if (user.disabled) {
      // Not counted towards a lockout: the account cannot be used either way.
      SB_RETURN_IF_ERROR(audit_login_failed_locked(user, username, "user disabled", remote, now));
      SB_RETURN_IF_ERROR(tx.commit());
      return Status::invalid_argument(kInvalidCredentials);
    }
    if (!password_ok || !same_hash) {
      // A lock that has run out starts the count afresh.
      const std::int64_t before = lo->locked_until != 0 ? 0 : lo->failures;
      const std::int64_t failures = before + 1;
      const bool lock_now = options_.max_failed_logins > 0 &&
                            failures >= static_cast<std::int64_t>(options_.max_failed_logins);
      const Millis locked_until = lock_now ? now + options_.lockout : 0;
      Stmt s = stmt(
          "INSERT INTO login_failures(user_id, failures, locked_until, last_failure_at)"
          " VALUES(?1, ?2, ?3, ?4) ON CONFLICT(user_id) DO UPDATE SET failures = ?2,"
          " locked_until = ?3, last_failure_at = ?4");
      s.bind_int(1, user.id).bind_int(2, failures).bind_int(3, locked_until).bind_int(4, now);
      SB_RETURN_IF_ERROR(s.run());
      SB_RETURN_IF_ERROR(audit_login_failed_locked(
          user, username, same_hash ? "wrong password" : "password changed during login", remote,
          now));
      if (lock_now) {
        AuditEntry e;
        e.user_id = user.id;
        e.username = user.username;
        e.action = "lockout";
        e.target = user_target(user.id);
        e.detail = "locked until " + iso_time(locked_until) + " after " + std::to_string(failures) +
                   " failed logins";
        e.remote = std::string(remote);
        SB_RETURN_IF_ERROR(write_audit_locked(e, now));
      }
      SB_RETURN_IF_ERROR(tx.commit());
      return Status::invalid_argument(kInvalidCredentials);
    }

    // Success.
    {
      Stmt s = stmt("DELETE FROM login_failures WHERE user_id = ?1");
      s.bind_int(1, user.id);
      SB_RETURN_IF_ERROR(s.run());
    }
    {
      // Housekeeping: sessions that can no longer authenticate are of no use.
      Stmt s = stmt("DELETE FROM sessions WHERE revoked = 1 OR expires_at <= ?1");
      s.bind_int(1, now);
      SB_RETURN_IF_ERROR(s.run());
    }
    Session out;
    out.token = random_secret(kSecretBytes);
    out.csrf_token = random_secret(kSecretBytes);
    out.user = user;
    out.expires_at = now + options_.session_ttl;
    std::int64_t session_id = 0;
    {
      Stmt s = stmt(
          "INSERT INTO sessions(token_hash, csrf_token, user_id, created_at, expires_at, revoked,"
          " remote) VALUES(?1, ?2, ?3, ?4, ?5, 0, ?6)");
      s.bind_text(1, sha256_hex(out.token))
          .bind_text(2, out.csrf_token)
          .bind_int(3, user.id)
          .bind_int(4, now)
          .bind_int(5, out.expires_at)
          .bind_text(6, remote);
      SB_RETURN_IF_ERROR(s.run());
      session_id = db_->last_insert_rowid();
    }
    AuditEntry e;
    e.user_id = user.id;
    e.username = user.username;
    e.action = "login";
    e.target = user_target(user.id);
    e.detail = "session " + std::to_string(session_id);
    e.remote = std::string(remote);
    SB_RETURN_IF_ERROR(write_audit_locked(e, now));
    SB_RETURN_IF_ERROR(tx.commit());
    session = std::move(out);
    // Upgrade hashes made with other parameters; never downgrade to the test cost.
    rehash = !options_.fast_hashing_for_tests &&
             crypto_pwhash_argon2id_str_needs_rehash(
                 creds->password_hash.c_str(), hash_cost(false).ops, hash_cost(false).mem) != 0;
  }

  // 4. Rehash with the current cost, unlocked; store it unless the password changed meanwhile.
  if (rehash) {
    auto fresh = hash_password(password, false);
    if (fresh.ok()) {
      std::lock_guard lock(mu_);
      Stmt s = stmt("UPDATE users SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2");
      s.bind_int(1, session->user.id).bind_text(2, creds->password_hash).bind_text(3, *fresh);
      (void)s.run();  // the login succeeded; a failed upgrade is retried at the next one
    }
  }
  return std::move(*session);
}

Status SqliteAccounts::logout(std::string_view session_token, std::string_view remote) {
  if (session_token.empty() || session_token.size() > kMaxTokenLength)
    return Status::not_found("no such session");
  std::int64_t session_id = 0;
  Status done = end_session(session_token, remote, session_id);
  if (done.ok()) notify({{Revocation::Scope::kSession, session_id, "logged out"}});
  return done;
}

Status SqliteAccounts::end_session(std::string_view session_token, std::string_view remote,
                                   std::int64_t& session_id) {
  const std::string hash = sha256_hex(session_token);
  std::lock_guard lock(mu_);
  const Millis now = clock_.now();
  Tx tx(*this);
  SB_RETURN_IF_ERROR(tx.begin());
  Stmt s = stmt(
      "SELECT s.id, u.id, u.username FROM sessions s JOIN users u ON u.id = s.user_id"
      " WHERE s.token_hash = ?1 AND s.revoked = 0 AND s.expires_at > ?2");
  s.bind_text(1, hash).bind_int(2, now);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("no such session");
  session_id = s.i64(0);
  AuditEntry e;
  e.user_id = s.i64(1);
  e.username = s.text(2);
  e.action = "logout";
  e.target = user_target(*e.user_id);
  e.detail = "session " + std::to_string(session_id);
  e.remote = std::string(remote);
  session_cache_.erase(hash);
  Stmt r = stmt("UPDATE sessions SET revoked = 1 WHERE id = ?1");
  r.bind_int(1, session_id);
  SB_RETURN_IF_ERROR(r.run());
  SB_RETURN_IF_ERROR(write_audit_locked(e, now));
  return tx.commit();
}

Result<Principal> SqliteAccounts::authenticate_session(std::string_view session_token) {
  if (session_token.empty() || session_token.size() > kMaxTokenLength)
    return Status::not_found("no such session");
  const std::string hash = sha256_hex(session_token);
  std::lock_guard lock(mu_);
  const Millis now = clock_.now();
  CachedToken token;
  bool store = true;
  if (auto it = session_cache_.find(hash);
      it != session_cache_.end() && it->second.expires_at > now) {
    token = it->second;
    store = false;
  } else {
    if (it != session_cache_.end()) session_cache_.erase(it);
    Stmt s = stmt(
        "SELECT s.id, s.csrf_token, s.expires_at, u.id, u.username, u.display_name, u.role,"
        " u.agent_id, u.disabled, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = ?1 AND s.revoked = 0 AND s.expires_at > ?2 AND u.disabled = 0");
    s.bind_text(1, hash).bind_int(2, now);
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::not_found("no such session");
    token.principal.via = Principal::Via::kSession;
    token.principal.session_or_key_id = s.i64(0);
    token.principal.csrf_token = s.text(1);
    token.expires_at = s.i64(2);
    token.principal.user = read_user(s, 3);
  }
  const Millis slid = now + options_.session_ttl;
  if (slid - token.expires_at >= std::min(kTouchGranularity, options_.session_ttl / 4)) {
    Stmt u = stmt("UPDATE sessions SET expires_at = ?2 WHERE id = ?1");
    u.bind_int(1, token.principal.session_or_key_id).bind_int(2, slid);
    SB_RETURN_IF_ERROR(touch(u));
    token.expires_at = slid;
    store = true;
  }
  if (store) remember_token_locked(session_cache_, hash, token);
  token.principal.session_expires_at = token.expires_at;
  return std::move(token.principal);
}

// ---------------------------------------------------------------------------------------------
// API keys

Result<Principal> SqliteAccounts::authenticate_api_key(std::string_view key) {
  if (!key.starts_with(kApiKeyPrefix) || key.size() > kMaxTokenLength)
    return Status::not_found("no such API key");
  const std::string hash = sha256_hex(key);
  std::lock_guard lock(mu_);
  const Millis now = clock_.now();
  CachedToken token;
  bool store = true;
  if (auto it = key_cache_.find(hash); it != key_cache_.end()) {
    token = it->second;
    store = false;
  } else {
    Stmt s = stmt(
        "SELECT k.id, k.last_used_at, u.id, u.username, u.display_name, u.role, u.agent_id,"
        " u.disabled, u.created_at FROM api_keys k JOIN users u ON u.id = k.user_id"
        " WHERE k.key_hash = ?1 AND k.revoked = 0 AND u.disabled = 0");
    s.bind_text(1, hash);
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::not_found("no such API key");
    token.principal.via = Principal::Via::kApiKey;
    token.principal.session_or_key_id = s.i64(0);
    token.touched_at = s.opt_i64(1).value_or(0);
    token.principal.user = read_user(s, 2);
  }
  if (token.touched_at == 0 || now - token.touched_at >= kTouchGranularity) {
    Stmt u = stmt("UPDATE api_keys SET last_used_at = ?2 WHERE id = ?1");
    u.bind_int(1, token.principal.session_or_key_id).bind_int(2, now);
    SB_RETURN_IF_ERROR(touch(u));
    token.touched_at = now;
    store = true;
  }
  if (store) remember_token_locked(key_cache_, hash, token);
  return std::move(token.principal);
}

Result<NewApiKey> SqliteAccounts::create_api_key(UserId user, std::string_view name) {
  if (name.empty() || name.size() > kMaxKeyName)
    return Status::invalid_argument("name: must be 1 to 100 characters");
  std::lock_guard lock(mu_);
  auto u = get_user_locked(user);
  if (!u.ok()) return u.status();
  if (u->disabled)
    return Status::failed_precondition("user " + std::to_string(user) + " is disabled");
  const Millis now = clock_.now();
  NewApiKey out;
  out.key = std::string(kApiKeyPrefix) + random_secret(kSecretBytes);
  out.info.user_id = user;
  out.info.name = std::string(name);
  out.info.prefix = out.key.substr(0, 8);
  out.info.created_at = now;
  Stmt s = stmt(
      "INSERT INTO api_keys(key_hash, prefix, name, user_id, created_at, last_used_at, revoked)"
      " VALUES(?1, ?2, ?3, ?4, ?5, NULL, 0)");
  s.bind_text(1, sha256_hex(out.key))
      .bind_text(2, out.info.prefix)
      .bind_text(3, out.info.name)
      .bind_int(4, user)
      .bind_int(5, now);
  SB_RETURN_IF_ERROR(s.run());
  out.info.id = db_->last_insert_rowid();
  return out;
}

Result<std::vector<ApiKeyInfo>> SqliteAccounts::list_api_keys(UserId user) {
  std::lock_guard lock(mu_);
  SB_RETURN_IF_ERROR(get_user_locked(user).status());
  Stmt s = stmt(
      "SELECT id, user_id, name, prefix, created_at, last_used_at FROM api_keys"
      " WHERE user_id = ?1 AND revoked = 0 ORDER BY id");
  s.bind_int(1, user);
  std::vector<ApiKeyInfo> out;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.push_back(read_api_key(s));
  }
  return out;
}

Result<ApiKeyInfo> SqliteAccounts::get_api_key(std::int64_t key_id) {
  std::lock_guard lock(mu_);
  Stmt s = stmt(
      "SELECT id, user_id, name, prefix, created_at, last_used_at FROM api_keys"
      " WHERE id = ?1");
  s.bind_int(1, key_id);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("API key " + std::to_string(key_id) + " does not exist");
  return read_api_key(s);
}

Status SqliteAccounts::revoke_api_key(std::int64_t key_id) {
  {
    std::lock_guard lock(mu_);
    std::erase_if(key_cache_, [key_id](const auto& e) {
      return e.second.principal.session_or_key_id == key_id;
    });
    Stmt s = stmt("UPDATE api_keys SET revoked = 1 WHERE id = ?1 AND revoked = 0");
    s.bind_int(1, key_id);
    SB_RETURN_IF_ERROR(s.run());
    if (db_->changes() == 0)
      return Status::not_found("API key " + std::to_string(key_id) + " does not exist");
  }
  notify({{Revocation::Scope::kApiKey, key_id, "API key revoked"}});
  return {};
}

Status SqliteAccounts::check_principal(const Principal& p) {
  const bool session = p.via == Principal::Via::kSession;
  std::lock_guard lock(mu_);
  Stmt s = stmt(session ? "SELECT u.role, u.agent_id FROM sessions s JOIN users u"
                          " ON u.id = s.user_id WHERE s.id = ?1 AND s.user_id = ?2"
                          " AND s.revoked = 0 AND s.expires_at > ?3 AND u.disabled = 0"
                        : "SELECT u.role, u.agent_id FROM api_keys k JOIN users u"
                          " ON u.id = k.user_id WHERE k.id = ?1 AND k.user_id = ?2"
                          " AND k.revoked = 0 AND u.disabled = 0");
  s.bind_int(1, p.session_or_key_id).bind_int(2, p.user.id);
  if (session) s.bind_int(3, clock_.now());
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found(session ? "the session ended" : "the API key was revoked");
  auto role = parse_role(s.text(0));
  std::optional<std::uint32_t> agent;
  if (auto a = s.opt_i64(1)) agent = static_cast<std::uint32_t>(*a);
  if (!role.ok() || *role != p.user.role) return Status::not_found("role changed");
  if (agent != p.user.agent_id) return Status::not_found("agent link changed");
  return {};
}

// ---------------------------------------------------------------------------------------------
// Audit

Status SqliteAccounts::audit(const AuditEntry& entry) {
  if (entry.action.empty()) return Status::invalid_argument("audit: action is empty");
  std::lock_guard lock(mu_);
  return write_audit_locked(entry, clock_.now());
}

Result<std::vector<AuditEntry>> SqliteAccounts::list_audit(const Page& page) {
  SB_RETURN_IF_ERROR(validate_page(page));
  std::lock_guard lock(mu_);
  Stmt s = stmt(
      "SELECT id, at, user_id, username, action, target, detail, remote FROM audit"
      " WHERE ?1 = 0 OR id < ?1 ORDER BY id DESC LIMIT ?2");
  s.bind_int(1, page.after_id).bind_int(2, static_cast<std::int64_t>(page.limit));
  std::vector<AuditEntry> out;
  for (;;) {
    auto row = s.step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    AuditEntry e;
    e.id = s.i64(0);
    e.at = s.i64(1);
    e.user_id = s.opt_i64(2);
    e.username = s.text(3);
    e.action = s.text(4);
    e.target = s.text(5);
    e.detail = s.text(6);
    e.remote = s.text(7);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<Millis> SqliteAccounts::session_expiry(std::int64_t session_id) {
  std::lock_guard lock(mu_);
  Stmt s = stmt("SELECT expires_at FROM sessions WHERE id = ?1 AND revoked = 0");
  s.bind_int(1, session_id);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("the session ended");
  return s.i64(0);
}

// ---------------------------------------------------------------------------------------------

bool Revocation::covers(const Principal& p) const {
  const bool session = p.via == Principal::Via::kSession;
  switch (scope) {
    case Scope::kSession:
      return session && p.session_or_key_id == id;
    case Scope::kApiKey:
      return !session && p.session_or_key_id == id;
    case Scope::kUserSessions:
      return session && p.user.id == id;
    case Scope::kUser:
      return p.user.id == id;
  }
  return false;
}

std::string_view role_name(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kSupervisor:
      return "supervisor";
    case Role::kAgent:
      return "agent";
    case Role::kAnalyst:
      return "analyst";
  }
  return "agent";
}

Result<Role> parse_role(std::string_view name) {
  for (Role r : {Role::kAdmin, Role::kSupervisor, Role::kAgent, Role::kAnalyst})
    if (role_name(r) == name) return r;
  return Status::invalid_argument("role: must be admin, supervisor, agent or analyst");
}

Result<std::unique_ptr<Accounts>> Accounts::open(const std::string& path, const Clock& clock,
                                                 AccountsOptions options) {
  if (!sodium_ready()) return Status::internal("libsodium failed to initialise");
  if (path.empty()) return Status::invalid_argument("accounts database path is empty");
  if (options.session_ttl <= 0) return Status::invalid_argument("session_ttl must be positive");
  if (options.lockout < 0) return Status::invalid_argument("lockout must not be negative");
  auto accounts = std::make_unique<SqliteAccounts>(path, clock, options);
  SB_RETURN_IF_ERROR(accounts->init());
  return std::unique_ptr<Accounts>(std::move(accounts));
}

std::string Accounts::generate_password() {
  if (!sodium_ready()) std::abort();  // no randomness: nothing safe to return
  return random_secret(15);           // 15 bytes: exactly 20 base64url characters
}

bool equal_secrets(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty() || a.size() != b.size()) return false;
  if (!sodium_ready()) std::abort();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

// ---------------------------------------------------------------------------------------------
// SIP phone credentials

namespace {
std::string md5_hex(std::string_view in) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(in.data(), in.size(), digest, &len, EVP_md5(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}
}  // namespace

Status SqliteAccounts::set_sip_password(UserId user, std::string_view password) {
  if (!password.empty() && (password.size() < kMinSipPassword || password.size() > 128))
    return Status::invalid_argument("SIP password must be " + std::to_string(kMinSipPassword) +
                                    "..128 bytes");
  std::lock_guard lock(mu_);
  auto u = get_user_locked(user);
  if (!u.ok()) return u.status();
  if (password.empty()) {
    Stmt s = stmt("DELETE FROM sip_credentials WHERE user_id = ?1");
    s.bind_int(1, user);
    return s.run();
  }
  // Digest authentication (RFC 2617/3261) checks against HA1; a phone's password is never kept.
  const std::string ha1 =
      md5_hex(u->username + ":" + options_.sip_realm + ":" + std::string(password));
  if (ha1.empty()) return Status::internal("MD5 is not available in this OpenSSL");
  Stmt s = stmt(
      "INSERT INTO sip_credentials(user_id, ha1, updated_at) VALUES(?1, ?2, ?3) "
      "ON CONFLICT(user_id) DO UPDATE SET ha1 = excluded.ha1, updated_at = excluded.updated_at");
  s.bind_int(1, user).bind_text(2, ha1).bind_int(3, clock_.now());
  return s.run();
}

Result<std::string> SqliteAccounts::sip_ha1(std::string_view username) {
  std::lock_guard lock(mu_);
  Stmt s = stmt(
      "SELECT c.ha1 FROM sip_credentials c JOIN users u ON u.id = c.user_id "
      "WHERE u.username = ?1 AND u.disabled = 0");
  s.bind_text(1, username);
  auto row = s.step();
  if (!row.ok()) return row.status();
  if (!*row) return Status::not_found("no SIP password for '" + printable(username) + "'");
  return s.text(0);
}

}  // namespace sb::accounts
