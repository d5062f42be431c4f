#include "accounts/accounts.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <thread>

namespace sb::accounts {
namespace {

namespace fs = std::filesystem;

constexpr Millis kStart = 1'764'547'200'000;  // 2025-12-01T00:00:00Z
constexpr const char* kPassword = "correct horse battery";

AccountsOptions fast_options() {
  AccountsOptions o;
  o.fast_hashing_for_tests = true;
  return o;
}

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "sb_accounts_test.XXXXXX").string();
    const char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  fs::path path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::string sha256_hex(std::string_view s) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> d{};
  crypto_hash_sha256(d.data(), reinterpret_cast<const unsigned char*>(s.data()), s.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), d.data(), d.size());
  return hex.data();
}

// Every byte of every file in `dir` (the database, its WAL and shared memory).
std::string all_bytes(const fs::path& dir) {
  std::string out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    std::ifstream in(entry.path(), std::ios::binary);
    out.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return out;
}

// Runs a query on the database file directly and returns the rows, columns joined by '|'.
std::vector<std::string> query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  std::vector<std::string> rows;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (s != nullptr && sqlite3_step(s) == SQLITE_ROW) {
    std::string row;
    for (int c = 0; c < sqlite3_column_count(s); ++c) {
      if (c > 0) row += '|';
      const auto* t = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
      row += t != nullptr ? t : "NULL";
    }
    rows.push_back(row);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
  return rows;
}

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override { reopen(":memory:"); }

  void reopen(const std::string& path, AccountsOptions options = fast_options()) {
    accounts_.reset();
    auto a = Accounts::open(path, clock_, options);
    ASSERT_TRUE(a.ok()) << a.status().to_string();
    accounts_ = std::move(*a);
  }

  User make_user(const std::string& name, Role role = Role::kAgent,
                 const std::string& password = kPassword) {
    NewUser n;
    n.username = name;
    n.password = password;
    n.display_name = "The " + name;
    n.role = role;
    auto u = accounts_->create_user(n);
    EXPECT_TRUE(u.ok()) << u.status().to_string();
    return u.ok() ? *u : User{};
  }

  std::vector<AuditEntry> audit_log(std::size_t limit = 500) {
    auto a = accounts_->list_audit(Page{limit, 0});
    EXPECT_TRUE(a.ok()) << a.status().to_string();
    return a.ok() ? *a : std::vector<AuditEntry>{};
  }

  std::vector<std::string> actions() {
    std::vector<std::string> out;
    for (const auto& e : audit_log()) out.push_back(e.action);
    return out;
  }

  ManualClock clock_{kStart};
  std::unique_ptr<Accounts> accounts_;
};

// ---------------------------------------------------------------------------------------------
// Roles, helpers

TEST(RoleTest, NamesRoundTrip) {
  for (Role r : {Role::kAdmin, Role::kSupervisor, Role::kAgent, Role::kAnalyst}) {
    auto parsed = parse_role(role_name(r));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, r);
  }
  EXPECT_EQ(role_name(Role::kAdmin), "admin");
  EXPECT_EQ(role_name(Role::kAnalyst), "analyst");
  EXPECT_EQ(parse_role("Admin").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_role("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(parse_role("root").status().code(), StatusCode::kInvalidArgument);
}

TEST(SecretsTest, EqualSecrets) {
  EXPECT_TRUE(equal_secrets("abcdef", "abcdef"));
  EXPECT_FALSE(equal_secrets("abcdef", "abcdeg"));
  EXPECT_FALSE(equal_secrets("abcdef", "abcde"));
  EXPECT_FALSE(equal_secrets("abcde", "abcdef"));
  EXPECT_FALSE(equal_secrets("", ""));
  EXPECT_FALSE(equal_secrets("", "a"));
  const std::string with_nul("ab\0cd", 5);
  EXPECT_TRUE(equal_secrets(with_nul, std::string("ab\0cd", 5)));
  EXPECT_FALSE(equal_secrets(with_nul, std::string("ab\0ce", 5)));
}

TEST(SecretsTest, GeneratedPasswords) {
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const std::string p = Accounts::generate_password();
    EXPECT_EQ(p.size(), 20u);
    for (char c : p)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
    seen.insert(p);
  }
  EXPECT_EQ(seen.size(), 50u);
}

TEST(OpenTest, RejectsBadOptionsAndForeignDatabases) {
  ManualClock clock(kStart);
  EXPECT_EQ(Accounts::open("", clock, fast_options()).status().code(),
            StatusCode::kInvalidArgument);
  AccountsOptions bad = fast_options();
  bad.session_ttl = 0;
  EXPECT_EQ(Accounts::open(":memory:", clock, bad).status().code(), StatusCode::kInvalidArgument);

  TempDir dir;
  const std::string foreign = dir.file("foreign.db");
  query(foreign, "CREATE TABLE t(x)");
  EXPECT_EQ(Accounts::open(foreign, clock, fast_options()).status().code(),
            StatusCode::kFailedPrecondition);

  const std::string newer = dir.file("newer.db");
  ASSERT_TRUE(Accounts::open(newer, clock, fast_options()).ok());
  query(newer, "PRAGMA user_version = 99");
  auto r = Accounts::open(newer, clock, fast_options());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("schema version 99"), std::string::npos);

  const std::string garbage = dir.file("garbage.db");
  std::ofstream(garbage) << std::string(4096, 'x');
  EXPECT_FALSE(Accounts::open(garbage, clock, fast_options()).ok());
}

// ---------------------------------------------------------------------------------------------
// Users

TEST_F(AccountsTest, CreateFindGetList) {
  EXPECT_FALSE(accounts_->has_users());
  NewUser n;
  n.username = "alice";
  n.password = kPassword;
  n.display_name = "Alice Liddell";
  n.role = Role::kSupervisor;
  n.agent_id = 7;
  auto alice = accounts_->create_user(n);
  ASSERT_TRUE(alice.ok()) << alice.status().to_string();
  EXPECT_TRUE(accounts_->has_users());
  EXPECT_GT(alice->id, 0);
  EXPECT_EQ(alice->username, "alice");
  EXPECT_EQ(alice->display_name, "Alice Liddell");
  EXPECT_EQ(alice->role, Role::kSupervisor);
  EXPECT_EQ(alice->agent_id, std::optional<std::uint32_t>(7));
  EXPECT_FALSE(alice->disabled);
  EXPECT_EQ(alice->created_at, kStart);

  auto got = accounts_->get_user(alice->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->username, "alice");
  EXPECT_EQ(got->agent_id, std::optional<std::uint32_t>(7));
  auto found = accounts_->find_user("alice");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, alice->id);
  auto found_ci = accounts_->find_user("ALICE");  // usernames are unique ignoring case
  ASSERT_TRUE(found_ci.ok());
  EXPECT_EQ(found_ci->id, alice->id);
  EXPECT_EQ(accounts_->get_user(999).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->find_user("nobody").status().code(), StatusCode::kNotFound);

  const User bob = make_user("bob");
  const User carol = make_user("carol.c@example-1_x");
  EXPECT_FALSE(bob.agent_id.has_value());

  auto page1 = accounts_->list_users(Page{2, 0});
  ASSERT_TRUE(page1.ok());
  ASSERT_EQ(page1->size(), 2u);
  EXPECT_EQ((*page1)[0].id, alice->id);
  EXPECT_EQ((*page1)[1].id, bob.id);
  auto page2 = accounts_->list_users(Page{2, (*page1)[1].id});
  ASSERT_TRUE(page2.ok());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ((*page2)[0].id, carol.id);
  auto page3 = accounts_->list_users(Page{2, carol.id});
  ASSERT_TRUE(page3.ok());
  EXPECT_TRUE(page3->empty());

  EXPECT_EQ(accounts_->list_users(Page{0, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->list_users(Page{501, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(accounts_->list_users(Page{500, 0}).ok());
}

TEST_F(AccountsTest, CreateValidation) {
  auto create = [&](std::string username, std::string password, std::string display = "") {
    NewUser n;
    n.username = std::move(username);
    n.password = std::move(password);
    n.display_name = std::move(display);
    return accounts_->create_user(n).status();
  };
  EXPECT_EQ(create("", kPassword).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create(std::string(65, 'a'), kPassword).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(create(std::string(64, 'a'), kPassword).ok());
  for (const char* bad : {"has space", "slash/", "quote'", "semi;colon", "ümlaut", "tab\t"})
    EXPECT_EQ(create(bad, kPassword).code(), StatusCode::kInvalidArgument) << bad;
  EXPECT_TRUE(create("A.b_c@d-9", kPassword).ok());

  EXPECT_EQ(create("shortpw", "123456789").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(create("longpw", std::string(1025, 'p')).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(create("tenpw", "1234567890").ok());
  EXPECT_EQ(create("longname", kPassword, std::string(201, 'n')).code(),
            StatusCode::kInvalidArgument);

  EXPECT_TRUE(create("dave", kPassword).ok());
  EXPECT_EQ(create("dave", kPassword).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(create("DAVE", kPassword).code(), StatusCode::kAlreadyExists);
}

TEST_F(AccountsTest, UpdateUser) {
  const User admin = make_user("root", Role::kAdmin);
  User u = make_user("erin");

  UserPatch p;
  p.display_name = "Erin E.";
  p.role = Role::kAnalyst;
  p.agent_id = std::optional<std::uint32_t>(12);
  auto r = accounts_->update_user(u.id, p);
  ASSERT_TRUE(r.ok()) << r.status().to_string();
  EXPECT_EQ(r->display_name, "Erin E.");
  EXPECT_EQ(r->role, Role::kAnalyst);
  EXPECT_EQ(r->agent_id, std::optional<std::uint32_t>(12));
  auto stored = accounts_->get_user(u.id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->display_name, "Erin E.");
  EXPECT_EQ(stored->role, Role::kAnalyst);
  EXPECT_EQ(stored->agent_id, std::optional<std::uint32_t>(12));

  // Unlink the agent; other fields stay.
  UserPatch unlink;
  unlink.agent_id = std::optional<std::uint32_t>();
  r = accounts_->update_user(u.id, unlink);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->agent_id.has_value());
  EXPECT_EQ(r->role, Role::kAnalyst);
  EXPECT_FALSE(accounts_->get_user(u.id)->agent_id.has_value());

  // An empty patch changes nothing.
  r = accounts_->update_user(u.id, UserPatch{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->display_name, "Erin E.");

  EXPECT_EQ(accounts_->update_user(999, p).status().code(), StatusCode::kNotFound);
  UserPatch shortpw;
  shortpw.password = "short";
  EXPECT_EQ(accounts_->update_user(u.id, shortpw).status().code(), StatusCode::kInvalidArgument);
  UserPatch longname;
  longname.display_name = std::string(201, 'x');
  EXPECT_EQ(accounts_->update_user(u.id, longname).status().code(), StatusCode::kInvalidArgument);

  // The last enabled admin can be neither demoted nor disabled.
  UserPatch demote;
  demote.role = Role::kAgent;
  EXPECT_EQ(accounts_->update_user(admin.id, demote).status().code(),
            StatusCode::kFailedPrecondition);
  UserPatch disable;
  disable.disabled = true;
  EXPECT_EQ(accounts_->update_user(admin.id, disable).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(accounts_->get_user(admin.id)->role, Role::kAdmin);
  // With a second admin it can.
  const User admin2 = make_user("root2", Role::kAdmin);
  EXPECT_TRUE(accounts_->update_user(admin.id, disable).ok());
  EXPECT_EQ(accounts_->update_user(admin2.id, demote).status().code(),
            StatusCode::kFailedPrecondition);
}

// ---------------------------------------------------------------------------------------------
// Login, lockout, sessions

TEST_F(AccountsTest, LoginSuccess) {
  const User u = make_user("frank", Role::kSupervisor);
  auto s = accounts_->login("frank", kPassword, "10.0.0.1");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(s->token.size(), 43u);
  EXPECT_EQ(s->csrf_token.size(), 43u);
  EXPECT_NE(s->token, s->csrf_token);
  EXPECT_EQ(s->user.id, u.id);
  EXPECT_EQ(s->expires_at, kStart + 12 * kMillisPerHour);

  auto p = accounts_->authenticate_session(s->token);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->via, Principal::Via::kSession);
  EXPECT_EQ(p->user.id, u.id);
  EXPECT_EQ(p->user.role, Role::kSupervisor);
  EXPECT_EQ(p->csrf_token, s->csrf_token);
  EXPECT_GT(p->session_or_key_id, 0);

  auto log = audit_log();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0].action, "login");
  EXPECT_EQ(log[0].user_id, std::optional<UserId>(u.id));
  EXPECT_EQ(log[0].username, "frank");
  EXPECT_EQ(log[0].target, "user:" + std::to_string(u.id));
  EXPECT_EQ(log[0].remote, "10.0.0.1");
  EXPECT_EQ(log[0].at, kStart);

  // Two logins are two sessions.
  auto s2 = accounts_->login("FRANK", kPassword, "10.0.0.2");
  ASSERT_TRUE(s2.ok());
  EXPECT_NE(s2->token, s->token);
  EXPECT_TRUE(accounts_->authenticate_session(s->token).ok());
  EXPECT_TRUE(accounts_->authenticate_session(s2->token).ok());

  EXPECT_EQ(accounts_->authenticate_session("").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->authenticate_session("nonsense").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->authenticate_session(std::string(10000, 'a')).status().code(),
            StatusCode::kNotFound);
}

TEST_F(AccountsTest, UnknownUserAndWrongPasswordLookTheSame) {
  const User u = make_user("grace");
  auto unknown = accounts_->login("nobody", kPassword, "1.2.3.4");
  auto wrong = accounts_->login("grace", "wrong password!", "1.2.3.5");
  ASSERT_FALSE(unknown.ok());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(wrong.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status().message(), wrong.status().message());
  EXPECT_EQ(unknown.status().message(), "invalid username or password");
  EXPECT_EQ(accounts_->login("", "", "").status().message(), "invalid username or password");

  auto log = audit_log();
  ASSERT_EQ(log.size(), 3u);
  // Newest first: the empty attempt, the wrong password, the unknown user.
  EXPECT_EQ(log[1].action, "login_failed");
  EXPECT_EQ(log[1].user_id, std::optional<UserId>(u.id));
  EXPECT_EQ(log[1].username, "grace");
  EXPECT_EQ(log[1].remote, "1.2.3.5");
  EXPECT_EQ(log[2].action, "login_failed");
  EXPECT_FALSE(log[2].user_id.has_value());
  EXPECT_EQ(log[2].username, "");
  EXPECT_NE(log[2].detail.find("nobody"), std::string::npos);
  EXPECT_EQ(log[2].remote, "1.2.3.4");
  // Nothing of the attempted password is kept.
  for (const auto& e : log) EXPECT_EQ(e.detail.find("wrong password!"), std::string::npos);
}

TEST_F(AccountsTest, LockoutAndItsExpiry) {
  make_user("heidi");
  for (int i = 0; i < 4; ++i)
    EXPECT_EQ(accounts_->login("heidi", "not the password", "r").status().code(),
              StatusCode::kInvalidArgument);
  const auto before = actions();
  EXPECT_EQ(std::count(before.begin(), before.end(), "lockout"), 0);
  // The fifth failure locks; it still answers as a wrong password.
  EXPECT_EQ(accounts_->login("heidi", "not the password", "r").status().code(),
            StatusCode::kInvalidArgument);
  auto log = audit_log();
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[0].action, "lockout");
  EXPECT_EQ(log[1].action, "login_failed");

  // During the lock even the right password fails, saying until when.
  auto locked = accounts_->login("heidi", kPassword, "r");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(locked.status().message(), "account locked until 2025-12-01T00:15:00Z");
  EXPECT_EQ(audit_log()[0].action, "login_failed");
  EXPECT_EQ(audit_log()[0].detail, "account locked");

  clock_.advance(15 * kMillisPerMinute - 1);
  EXPECT_EQ(accounts_->login("heidi", kPassword, "r").status().code(),
            StatusCode::kFailedPrecondition);
  clock_.advance(1);
  // After the lock a single failure does not lock again: the count starts afresh.
  EXPECT_EQ(accounts_->login("heidi", "not the password", "r").status().code(),
            StatusCode::kInvalidArgument);
  auto s = accounts_->login("heidi", kPassword, "r");
  ASSERT_TRUE(s.ok()) << s.status().to_string();
  EXPECT_EQ(audit_log()[0].action, "login");
}

TEST_F(AccountsTest, SuccessResetsTheFailureCount) {
  make_user("ivan");
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 4; ++i) ASSERT_FALSE(accounts_->login("ivan", "nope nope nope", "").ok());
    ASSERT_TRUE(accounts_->login("ivan", kPassword, "").ok()) << "round " << round;
  }
  const auto a = actions();
  EXPECT_EQ(std::count(a.begin(), a.end(), "lockout"), 0);
  EXPECT_EQ(std::count(a.begin(), a.end(), "login"), 3);
  EXPECT_EQ(std::count(a.begin(), a.end(), "login_failed"), 12);
}

TEST_F(AccountsTest, LockoutSettingsAreHonoured) {
  AccountsOptions o = fast_options();
  o.max_failed_logins = 2;
  o.lockout = kMillisPerMinute;
  reopen(":memory:", o);
  make_user("judy");
  ASSERT_FALSE(accounts_->login("judy", "nope nope nope", "").ok());
  ASSERT_FALSE(accounts_->login("judy", "nope nope nope", "").ok());
  EXPECT_EQ(accounts_->login("judy", kPassword, "").status().code(),
            StatusCode::kFailedPrecondition);
  clock_.advance(kMillisPerMinute);
  EXPECT_TRUE(accounts_->login("judy", kPassword, "").ok());

  o.max_failed_logins = 0;  // never locks
  reopen(":memory:", o);
  make_user("judy");
  for (int i = 0; i < 10; ++i) ASSERT_FALSE(accounts_->login("judy", "nope nope nope", "").ok());
  EXPECT_TRUE(accounts_->login("judy", kPassword, "").ok());
}

TEST_F(AccountsTest, PasswordResetClearsLockout) {
  const User u = make_user("kim");
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(accounts_->login("kim", "nope nope nope", "").ok());
  ASSERT_EQ(accounts_->login("kim", kPassword, "").status().code(),
            StatusCode::kFailedPrecondition);
  UserPatch p;
  p.password = "a brand new password";
  ASSERT_TRUE(accounts_->update_user(u.id, p).ok());
  EXPECT_TRUE(accounts_->login("kim", "a brand new password", "").ok());
}

TEST_F(AccountsTest, SessionExpiryAndSliding) {
  make_user("leo");
  auto s = accounts_->login("leo", kPassword, "");
  ASSERT_TRUE(s.ok());
  // Used within the TTL, the session keeps sliding.
  for (int i = 0; i < 5; ++i) {
    clock_.advance(11 * kMillisPerHour);
    ASSERT_TRUE(accounts_->authenticate_session(s->token).ok()) << "use " << i;
  }
  clock_.advance(12 * kMillisPerHour - 1);
  EXPECT_TRUE(accounts_->authenticate_session(s->token).ok());
  clock_.advance(12 * kMillisPerHour);  // exactly at expiry: gone
  EXPECT_EQ(accounts_->authenticate_session(s->token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->logout(s->token).code(), StatusCode::kNotFound);

  // An unused session expires after exactly one TTL.
  auto s2 = accounts_->login("leo", kPassword, "");
  ASSERT_TRUE(s2.ok());
  clock_.advance(12 * kMillisPerHour);
  EXPECT_EQ(accounts_->authenticate_session(s2->token).status().code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, CustomSessionTtl) {
  AccountsOptions o = fast_options();
  o.session_ttl = 30 * kMillisPerMinute;
  reopen(":memory:", o);
  make_user("mia");
  auto s = accounts_->login("mia", kPassword, "");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->expires_at, kStart + 30 * kMillisPerMinute);
  clock_.advance(29 * kMillisPerMinute);
  ASSERT_TRUE(accounts_->authenticate_session(s->token).ok());
  clock_.advance(29 * kMillisPerMinute);
  ASSERT_TRUE(accounts_->authenticate_session(s->token).ok());
  clock_.advance(30 * kMillisPerMinute);
  EXPECT_FALSE(accounts_->authenticate_session(s->token).ok());
}

// A TTL under four minutes slides every quarter TTL (a whole minute would let a session in use
// expire), the principal carries the expiry, and session_expiry reads it as stored now.
TEST_F(AccountsTest, ShortSessionTtlSlidesAndTellsItsExpiry) {
  AccountsOptions o = fast_options();
  o.session_ttl = 2000;
  reopen(":memory:", o);
  make_user("mia");
  auto s = accounts_->login("mia", kPassword, "");
  ASSERT_TRUE(s.ok());
  auto p = accounts_->authenticate_session(s->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->session_expires_at, kStart + 2000);
  const std::int64_t id = p->session_or_key_id;
  auto stored_expiry = [&] {
    auto e = accounts_->session_expiry(id);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? *e : Millis{-1};
  };
  EXPECT_EQ(stored_expiry(), kStart + 2000);

  clock_.advance(400);  // under a quarter TTL: nothing written
  ASSERT_TRUE(accounts_->authenticate_session(s->token).ok());
  EXPECT_EQ(stored_expiry(), kStart + 2000);
  for (int i = 0; i < 5; ++i) {  // 3 s of use, more than the TTL
    clock_.advance(600);
    p = accounts_->authenticate_session(s->token);
    ASSERT_TRUE(p.ok()) << "a session in use does not expire (use " << i << ")";
    EXPECT_EQ(p->session_expires_at, clock_.now() + 2000);
    EXPECT_EQ(stored_expiry(), clock_.now() + 2000);
  }

  const Millis last = clock_.now() + 2000;
  clock_.advance(2000);
  EXPECT_FALSE(accounts_->authenticate_session(s->token).ok());
  EXPECT_EQ(stored_expiry(), last) << "an expired session tells its past";
  EXPECT_EQ(accounts_->session_expiry(id + 100).status().code(), StatusCode::kNotFound);
  auto again = accounts_->login("mia", kPassword, "");
  ASSERT_TRUE(again.ok());
  auto by_again = accounts_->authenticate_session(again->token);
  ASSERT_TRUE(by_again.ok());
  ASSERT_TRUE(accounts_->logout(again->token).ok());
  EXPECT_EQ(accounts_->session_expiry(by_again->session_or_key_id).status().code(),
            StatusCode::kNotFound)
      << "a revoked session has no expiry";
}

TEST_F(AccountsTest, Logout) {
  const User u = make_user("nina");
  auto s = accounts_->login("nina", kPassword, "");
  auto other = accounts_->login("nina", kPassword, "");
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(accounts_->logout(s->token, "192.0.2.1").ok());
  EXPECT_EQ(accounts_->authenticate_session(s->token).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->authenticate_session(other->token).ok());  // only that session
  EXPECT_EQ(accounts_->logout(s->token).code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->logout("").code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->logout("unknown").code(), StatusCode::kNotFound);
  auto log = audit_log();
  EXPECT_EQ(log[0].action, "logout");
  EXPECT_EQ(log[0].user_id, std::optional<UserId>(u.id));
  EXPECT_EQ(log[0].username, "nina");
  EXPECT_EQ(log[0].remote, "192.0.2.1");
}

TEST_F(AccountsTest, PasswordChangeRevokesSessions) {
  const User u = make_user("oscar");
  auto s1 = accounts_->login("oscar", kPassword, "");
  auto s2 = accounts_->login("oscar", kPassword, "");
  ASSERT_TRUE(s1.ok() && s2.ok());
  auto key = accounts_->create_api_key(u.id, "ci");
  ASSERT_TRUE(key.ok());
  const User bystander = make_user("pat");
  auto s3 = accounts_->login("pat", kPassword, "");
  ASSERT_TRUE(s3.ok());

  UserPatch p;
  p.password = "another password 2";
  ASSERT_TRUE(accounts_->update_user(u.id, p).ok());
  EXPECT_EQ(accounts_->authenticate_session(s1->token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->authenticate_session(s2->token).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->authenticate_session(s3->token).ok());  // other users unaffected
  EXPECT_TRUE(accounts_->authenticate_api_key(key->key).ok());   // keys survive a new password
  EXPECT_EQ(accounts_->login("oscar", kPassword, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(accounts_->login("oscar", "another password 2", "").ok());
  (void)bystander;
}

TEST_F(AccountsTest, DisableRevokesSessionsAndKeys) {
  const User u = make_user("quinn");
  auto s = accounts_->login("quinn", kPassword, "");
  ASSERT_TRUE(s.ok());
  auto key = accounts_->create_api_key(u.id, "ci");
  ASSERT_TRUE(key.ok());

  UserPatch off;
  off.disabled = true;
  auto r = accounts_->update_user(u.id, off);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->disabled);
  EXPECT_EQ(accounts_->authenticate_session(s->token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->authenticate_api_key(key->key).status().code(), StatusCode::kNotFound);
  auto denied = accounts_->login("quinn", kPassword, "");
  EXPECT_EQ(denied.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(denied.status().message(), "invalid username or password");
  EXPECT_EQ(audit_log()[0].detail, "user disabled");
  EXPECT_EQ(accounts_->create_api_key(u.id, "new").status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(accounts_->list_api_keys(u.id)->empty());

  // Enabled again: it can log in, but what was revoked stays revoked.
  UserPatch on;
  on.disabled = false;
  ASSERT_TRUE(accounts_->update_user(u.id, on).ok());
  EXPECT_TRUE(accounts_->login("quinn", kPassword, "").ok());
  EXPECT_FALSE(accounts_->authenticate_session(s->token).ok());
  EXPECT_FALSE(accounts_->authenticate_api_key(key->key).ok());
}

// Tokens that authenticated once are answered from memory afterwards; every change that can end
// or alter a token's validity must still be seen at once.
TEST_F(AccountsTest, RememberedTokensFollowEveryChange) {
  const User u = make_user("ruth");
  auto s = accounts_->login("ruth", kPassword, "");
  auto other = accounts_->login("ruth", kPassword, "");
  auto key = accounts_->create_api_key(u.id, "ci");
  ASSERT_TRUE(s.ok() && other.ok() && key.ok());
  ASSERT_TRUE(accounts_->authenticate_session(s->token).ok());
  ASSERT_TRUE(accounts_->authenticate_session(other->token).ok());
  ASSERT_TRUE(accounts_->authenticate_api_key(key->key).ok());

  UserPatch promote;
  promote.role = Role::kSupervisor;
  promote.display_name = "Ruth S.";
  ASSERT_TRUE(accounts_->update_user(u.id, promote).ok());
  auto by_session = accounts_->authenticate_session(s->token);
  auto by_key = accounts_->authenticate_api_key(key->key);
  ASSERT_TRUE(by_session.ok() && by_key.ok());
  EXPECT_EQ(by_session->user.role, Role::kSupervisor);
  EXPECT_EQ(by_key->user.display_name, "Ruth S.");

  ASSERT_TRUE(accounts_->logout(s->token).ok());
  EXPECT_EQ(accounts_->authenticate_session(s->token).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->authenticate_session(other->token).ok());

  // The last use of a key is still recorded (at most once a minute) while it is remembered.
  clock_.advance(2 * kMillisPerMinute);
  ASSERT_TRUE(accounts_->authenticate_api_key(key->key).ok());
  auto info = accounts_->get_api_key(key->info.id);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->last_used_at, std::optional<Millis>(clock_.now()));
  ASSERT_TRUE(accounts_->authenticate_session(other->token).ok());  // slides to now + 12 h

  // A remembered session still expires on time, and sliding is still written to the database.
  clock_.advance(12 * kMillisPerHour - 1);
  ASSERT_TRUE(accounts_->authenticate_session(other->token).ok());
  clock_.advance(12 * kMillisPerHour);
  EXPECT_EQ(accounts_->authenticate_session(other->token).status().code(), StatusCode::kNotFound);

  auto fresh = accounts_->login("ruth", kPassword, "");
  ASSERT_TRUE(fresh.ok());
  ASSERT_TRUE(accounts_->authenticate_session(fresh->token).ok());
  UserPatch off;
  off.disabled = true;
  ASSERT_TRUE(accounts_->update_user(u.id, off).ok());
  EXPECT_EQ(accounts_->authenticate_session(fresh->token).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->authenticate_api_key(key->key).status().code(), StatusCode::kNotFound);
}

// Every write that ends credentials tells the listeners what it ended, after it committed, and
// check_principal agrees with them; a failed write and a harmless change tell nothing.
TEST_F(AccountsTest, RevocationsAreToldToListeners) {
  std::vector<Revocation> told;
  const std::uint64_t listener =
      accounts_->add_revocation_listener([&](const Revocation& r) { told.push_back(r); });
  const User u = make_user("rita");
  const User other = make_user("otto");
  auto s1 = accounts_->login("rita", kPassword, "");
  auto s2 = accounts_->login("rita", kPassword, "");
  auto key = accounts_->create_api_key(u.id, "ci");
  auto other_key = accounts_->create_api_key(other.id, "ci");
  ASSERT_TRUE(s1.ok() && s2.ok() && key.ok() && other_key.ok());
  auto by_s1 = accounts_->authenticate_session(s1->token);
  auto by_s2 = accounts_->authenticate_session(s2->token);
  auto by_key = accounts_->authenticate_api_key(key->key);
  auto by_other = accounts_->authenticate_api_key(other_key->key);
  ASSERT_TRUE(by_s1.ok() && by_s2.ok() && by_key.ok() && by_other.ok());
  EXPECT_TRUE(accounts_->check_principal(*by_s1).ok());
  EXPECT_TRUE(accounts_->check_principal(*by_key).ok());
  EXPECT_TRUE(told.empty());

  ASSERT_TRUE(accounts_->logout(s1->token).ok());
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].scope, Revocation::Scope::kSession);
  EXPECT_EQ(told[0].reason, "logged out");
  EXPECT_TRUE(told[0].covers(*by_s1));
  EXPECT_FALSE(told[0].covers(*by_s2));
  EXPECT_FALSE(told[0].covers(*by_key));
  EXPECT_EQ(accounts_->check_principal(*by_s1).code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->check_principal(*by_s2).ok());
  EXPECT_EQ(accounts_->logout(s1->token).code(), StatusCode::kNotFound);
  EXPECT_EQ(told.size(), 1u) << "a logout that failed revoked nothing";

  UserPatch rename;
  rename.display_name = "Rita R.";
  ASSERT_TRUE(accounts_->update_user(u.id, rename).ok());
  EXPECT_EQ(told.size(), 1u) << "a new display name leaves connections as they are";

  UserPatch password;
  password.password = "another long password";
  ASSERT_TRUE(accounts_->update_user(u.id, password).ok());
  ASSERT_EQ(told.size(), 2u);
  EXPECT_EQ(told[1].reason, "password changed");
  EXPECT_TRUE(told[1].covers(*by_s2));
  EXPECT_FALSE(told[1].covers(*by_key)) << "a password change leaves the user's keys valid";
  EXPECT_EQ(accounts_->check_principal(*by_s2).code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->check_principal(*by_key).ok());

  UserPatch promote;
  promote.role = Role::kSupervisor;
  ASSERT_TRUE(accounts_->update_user(u.id, promote).ok());
  ASSERT_EQ(told.size(), 3u);
  EXPECT_EQ(told[2].reason, "role changed");
  EXPECT_TRUE(told[2].covers(*by_key));
  EXPECT_FALSE(told[2].covers(*by_other));
  EXPECT_EQ(accounts_->check_principal(*by_key).message(), "role changed");
  auto promoted = accounts_->authenticate_api_key(key->key);
  ASSERT_TRUE(promoted.ok());
  EXPECT_TRUE(accounts_->check_principal(*promoted).ok());

  UserPatch link;
  link.agent_id = std::optional<std::uint32_t>(7);
  ASSERT_TRUE(accounts_->update_user(u.id, link).ok());
  ASSERT_EQ(told.size(), 4u);
  EXPECT_EQ(told[3].reason, "agent link changed");
  EXPECT_EQ(accounts_->check_principal(*promoted).message(), "agent link changed");

  ASSERT_TRUE(accounts_->revoke_api_key(other_key->info.id).ok());
  ASSERT_EQ(told.size(), 5u);
  EXPECT_EQ(told[4].scope, Revocation::Scope::kApiKey);
  EXPECT_TRUE(told[4].covers(*by_other));
  EXPECT_FALSE(told[4].covers(*promoted));
  EXPECT_EQ(accounts_->check_principal(*by_other).code(), StatusCode::kNotFound);

  auto s3 = accounts_->login("rita", "another long password", "");
  ASSERT_TRUE(s3.ok());
  auto by_s3 = accounts_->authenticate_session(s3->token);
  auto relinked = accounts_->authenticate_api_key(key->key);
  ASSERT_TRUE(by_s3.ok() && relinked.ok());
  UserPatch off;
  off.disabled = true;
  ASSERT_TRUE(accounts_->update_user(u.id, off).ok());
  ASSERT_EQ(told.size(), 6u);
  EXPECT_EQ(told[5].reason, "user disabled");
  EXPECT_TRUE(told[5].covers(*by_s3));
  EXPECT_TRUE(told[5].covers(*relinked));
  EXPECT_EQ(accounts_->check_principal(*by_s3).code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->check_principal(*relinked).code(), StatusCode::kNotFound);

  // A refused change (the last admin) commits nothing and tells nothing.
  const User admin = make_user("ann", Role::kAdmin);
  UserPatch demote;
  demote.role = Role::kAgent;
  EXPECT_EQ(accounts_->update_user(admin.id, demote).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(told.size(), 6u);

  // An expired session fails the check as it fails authentication.
  auto s4 = accounts_->login("otto", kPassword, "");
  ASSERT_TRUE(s4.ok());
  auto by_s4 = accounts_->authenticate_session(s4->token);
  ASSERT_TRUE(by_s4.ok());
  clock_.advance(12 * kMillisPerHour + 1);
  EXPECT_EQ(accounts_->check_principal(*by_s4).code(), StatusCode::kNotFound);

  accounts_->remove_revocation_listener(listener);
  auto k2 = accounts_->create_api_key(other.id, "again");
  ASSERT_TRUE(k2.ok());
  ASSERT_TRUE(accounts_->revoke_api_key(k2->info.id).ok());
  EXPECT_EQ(told.size(), 6u) << "a removed listener is not called";
}

// ---------------------------------------------------------------------------------------------
// API keys

TEST_F(AccountsTest, ApiKeys) {
  const User u = make_user("rita", Role::kAnalyst);
  const User other = make_user("sam");
  auto k1 = accounts_->create_api_key(u.id, "reporting");
  ASSERT_TRUE(k1.ok()) << k1.status().to_string();
  EXPECT_EQ(k1->key.size(), 47u);
  EXPECT_EQ(k1->key.substr(0, 4), "sbk_");
  EXPECT_EQ(k1->info.prefix, k1->key.substr(0, 8));
  EXPECT_EQ(k1->info.name, "reporting");
  EXPECT_EQ(k1->info.user_id, u.id);
  EXPECT_EQ(k1->info.created_at, kStart);
  EXPECT_FALSE(k1->info.last_used_at.has_value());
  auto k2 = accounts_->create_api_key(u.id, "backup");
  ASSERT_TRUE(k2.ok());
  EXPECT_NE(k1->key, k2->key);
  ASSERT_TRUE(accounts_->create_api_key(other.id, "theirs").ok());

  clock_.advance(kMillisPerHour);
  auto p = accounts_->authenticate_api_key(k1->key);
  ASSERT_TRUE(p.ok()) << p.status().to_string();
  EXPECT_EQ(p->via, Principal::Via::kApiKey);
  EXPECT_EQ(p->user.id, u.id);
  EXPECT_EQ(p->user.role, Role::kAnalyst);
  EXPECT_EQ(p->session_or_key_id, k1->info.id);
  EXPECT_TRUE(p->csrf_token.empty());

  auto list = accounts_->list_api_keys(u.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, k1->info.id);
  EXPECT_EQ((*list)[0].name, "reporting");
  EXPECT_EQ((*list)[0].prefix, k1->info.prefix);
  EXPECT_EQ((*list)[0].last_used_at, std::optional<Millis>(kStart + kMillisPerHour));
  EXPECT_EQ((*list)[1].id, k2->info.id);
  EXPECT_FALSE((*list)[1].last_used_at.has_value());
  for (const auto& info : *list) {
    EXPECT_EQ(info.name.find(k1->key.substr(8)), std::string::npos);
    EXPECT_EQ(info.prefix.size(), 8u);
  }

  ASSERT_TRUE(accounts_->revoke_api_key(k1->info.id).ok());
  EXPECT_EQ(accounts_->authenticate_api_key(k1->key).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(accounts_->authenticate_api_key(k2->key).ok());
  EXPECT_EQ(accounts_->revoke_api_key(k1->info.id).code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->revoke_api_key(9999).code(), StatusCode::kNotFound);
  list = accounts_->list_api_keys(u.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, k2->info.id);
  auto got = accounts_->get_api_key(k1->info.id);  // revoked keys can still be looked up
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->user_id, u.id);
  EXPECT_EQ(accounts_->get_api_key(9999).status().code(), StatusCode::kNotFound);

  // Malformed and unknown keys.
  for (const std::string& bad : {std::string(), std::string("sbk_"), std::string("nope"),
                                 k2->key.substr(4), k2->key + "x", std::string(500, 's')})
    EXPECT_EQ(accounts_->authenticate_api_key(bad).status().code(), StatusCode::kNotFound);

  // Validation.
  EXPECT_EQ(accounts_->create_api_key(u.id, "").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->create_api_key(u.id, std::string(101, 'n')).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->create_api_key(999, "x").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->list_api_keys(999).status().code(), StatusCode::kNotFound);
}

// ---------------------------------------------------------------------------------------------
// Audit

TEST_F(AccountsTest, AuditEntriesAndPaging) {
  EXPECT_TRUE(audit_log().empty());
  for (int i = 1; i <= 5; ++i) {
    AuditEntry e;
    e.id = 1000;   // ignored
    e.at = 12345;  // ignored
    e.user_id = i == 3 ? std::nullopt : std::optional<UserId>(i);
    e.username = "user" + std::to_string(i);
    e.action = "queue.update";
    e.target = "queue:" + std::to_string(i);
    e.detail = R"({"max_wait": 30})";
    e.remote = "203.0.113." + std::to_string(i);
    ASSERT_TRUE(accounts_->audit(e).ok());
    clock_.advance(kMillisPerSecond);
  }
  auto all = audit_log();
  ASSERT_EQ(all.size(), 5u);
  for (std::size_t i = 0; i < all.size(); ++i) {
    const int n = static_cast<int>(5 - i);  // newest first
    EXPECT_EQ(all[i].id, n);
    EXPECT_EQ(all[i].at, kStart + (n - 1) * kMillisPerSecond);
    EXPECT_EQ(all[i].target, "queue:" + std::to_string(n));
    EXPECT_EQ(all[i].username, "user" + std::to_string(n));
    EXPECT_EQ(all[i].detail, R"({"max_wait": 30})");
    EXPECT_EQ(all[i].remote, "203.0.113." + std::to_string(n));
  }
  EXPECT_FALSE(all[2].user_id.has_value());
  EXPECT_EQ(all[0].user_id, std::optional<UserId>(5));

  std::vector<std::int64_t> ids;
  std::int64_t cursor = 0;
  for (;;) {
    auto page = accounts_->list_audit(Page{2, cursor});
    ASSERT_TRUE(page.ok());
    if (page->empty()) break;
    EXPECT_LE(page->size(), 2u);
    for (const auto& e : *page) ids.push_back(e.id);
    cursor = page->back().id;
  }
  EXPECT_EQ(ids, (std::vector<std::int64_t>{5, 4, 3, 2, 1}));

  EXPECT_EQ(accounts_->list_audit(Page{0, 0}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->list_audit(Page{501, 0}).status().code(), StatusCode::kInvalidArgument);
  AuditEntry empty;
  EXPECT_EQ(accounts_->audit(empty).code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// Storage

TEST_F(AccountsTest, PersistsAcrossReopen) {
  TempDir dir;
  const std::string path = dir.file("accounts.db");
  reopen(path);
  const User u = make_user("tess", Role::kAdmin);
  auto s = accounts_->login("tess", kPassword, "");
  ASSERT_TRUE(s.ok());
  auto key = accounts_->create_api_key(u.id, "ci");
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(accounts_->login("tess", "nope nope nope", "").ok());
  AuditEntry e;
  e.action = "config.update";
  ASSERT_TRUE(accounts_->audit(e).ok());
  const auto before = audit_log();

  reopen(path);
  EXPECT_TRUE(accounts_->has_users());
  auto found = accounts_->find_user("tess");
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->id, u.id);
  EXPECT_EQ(found->role, Role::kAdmin);
  auto p = accounts_->authenticate_session(s->token);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->csrf_token, s->csrf_token);
  EXPECT_TRUE(accounts_->authenticate_api_key(key->key).ok());
  const auto after = audit_log();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].id, before[i].id);
    EXPECT_EQ(after[i].action, before[i].action);
  }
  // The failure count survived too: one more failure locks.
  ASSERT_FALSE(accounts_->login("tess", "nope nope nope", "").ok());
  EXPECT_EQ(accounts_->login("tess", kPassword, "").status().code(),
            StatusCode::kFailedPrecondition);
  // New ids continue after the old ones.
  const User v = make_user("uma");
  EXPECT_GT(v.id, u.id);

  accounts_.reset();
  EXPECT_EQ(query(path, "PRAGMA user_version"), std::vector<std::string>{"2"});
  EXPECT_EQ(query(path, "PRAGMA journal_mode"), std::vector<std::string>{"wal"});
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(AccountsTest, SipPasswordIsStoredAsDigestHa1) {
  const User u = make_user("agent7");
  EXPECT_EQ(accounts_->sip_ha1("agent7").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(accounts_->set_sip_password(u.id, "short").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(accounts_->set_sip_password(999, "long enough").code(), StatusCode::kNotFound);
  ASSERT_TRUE(accounts_->set_sip_password(u.id, "Circle Of Life").ok());
  // MD5("agent7:switchboard:Circle Of Life"), as `printf %s ... | md5sum` computes it.
  auto ha1 = accounts_->sip_ha1("agent7");
  ASSERT_TRUE(ha1.ok());
  EXPECT_EQ(*ha1, "2cda1a4231389107b94f217dec9590da");
  UserPatch off;
  off.disabled = true;
  ASSERT_TRUE(accounts_->update_user(u.id, off).ok());
  EXPECT_EQ(accounts_->sip_ha1("agent7").status().code(), StatusCode::kNotFound);
  UserPatch on;
  on.disabled = false;
  ASSERT_TRUE(accounts_->update_user(u.id, on).ok());
  EXPECT_TRUE(accounts_->sip_ha1("agent7").ok());
  ASSERT_TRUE(accounts_->set_sip_password(u.id, "").ok());
  EXPECT_EQ(accounts_->sip_ha1("agent7").status().code(), StatusCode::kNotFound);
}

TEST_F(AccountsTest, SchemaVersion1IsMigrated) {
  TempDir dir;
  const std::string path = dir.file("accounts.db");
  reopen(path);
  const User u = make_user("vic");
  accounts_.reset();
  query(path, "DROP TABLE sip_credentials");
  query(path, "PRAGMA user_version = 1");
  reopen(path);
  ASSERT_TRUE(accounts_->set_sip_password(u.id, "a sip secret").ok());
  EXPECT_TRUE(accounts_->sip_ha1("vic").ok());
  accounts_.reset();
  EXPECT_EQ(query(path, "PRAGMA user_version"), std::vector<std::string>{"2"});
}

TEST_F(AccountsTest, StoresHashesNotSecrets) {
  TempDir dir;
  const std::string path = dir.file("accounts.db");
  reopen(path);
  const std::string password = "pw-" + Accounts::generate_password();
  const User u = make_user("victor", Role::kAgent, password);
  auto s = accounts_->login("victor", password, "");
  ASSERT_TRUE(s.ok());
  auto key = accounts_->create_api_key(u.id, "ci");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(accounts_->authenticate_api_key(key->key).ok());

  auto check_files = [&] {
    const std::string bytes = all_bytes(dir.path());
    ASSERT_FALSE(bytes.empty());
    EXPECT_EQ(bytes.find(password), std::string::npos);
    EXPECT_EQ(bytes.find(s->token), std::string::npos);
    EXPECT_EQ(bytes.find(key->key), std::string::npos);
    EXPECT_EQ(bytes.find(key->key.substr(8)), std::string::npos);  // not even the secret part
    EXPECT_NE(bytes.find(sha256_hex(s->token)), std::string::npos);
    EXPECT_NE(bytes.find("victor"), std::string::npos);  // sanity: we are reading the data
  };
  check_files();  // while open: the WAL holds the recent writes

  EXPECT_EQ(query(path, "SELECT token_hash FROM sessions"),
            std::vector<std::string>{sha256_hex(s->token)});
  EXPECT_EQ(query(path, "SELECT key_hash, prefix FROM api_keys"),
            std::vector<std::string>{sha256_hex(key->key) + "|" + key->key.substr(0, 8)});
  auto hashes = query(path, "SELECT password_hash FROM users");
  ASSERT_EQ(hashes.size(), 1u);
  EXPECT_EQ(hashes[0].rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(crypto_pwhash_str_verify(hashes[0].c_str(), password.data(), password.size()), 0);
  // Every column of every table, as text.
  for (const char* table : {"users", "sessions", "api_keys", "login_failures", "audit"}) {
    for (const auto& row : query(path, std::string("SELECT * FROM ") + table)) {
      EXPECT_EQ(row.find(password), std::string::npos) << table;
      EXPECT_EQ(row.find(s->token), std::string::npos) << table;
      EXPECT_EQ(row.find(key->key), std::string::npos) << table;
    }
  }

  accounts_.reset();  // checkpoints the WAL into the main file
  check_files();
}

TEST_F(AccountsTest, ProductionCostAndRehash) {
  TempDir dir;
  const std::string path = dir.file("accounts.db");
  reopen(path);  // test cost
  make_user("wendy");
  auto cheap = query(path, "SELECT password_hash FROM users");
  ASSERT_EQ(cheap.size(), 1u);
  EXPECT_NE(cheap[0].find("m=8,"), std::string::npos) << cheap[0];

  reopen(path, AccountsOptions{});  // production cost: a login upgrades the hash
  ASSERT_TRUE(accounts_->login("wendy", kPassword, "").ok());
  auto strong = query(path, "SELECT password_hash FROM users");
  ASSERT_EQ(strong.size(), 1u);
  EXPECT_EQ(strong[0].rfind("$argon2id$", 0), 0u);
  EXPECT_NE(strong[0].find("m=65536,t=2,"), std::string::npos) << strong[0];
  ASSERT_TRUE(accounts_->login("wendy", kPassword, "").ok());
  EXPECT_EQ(query(path, "SELECT password_hash FROM users"), strong);  // no further rehash

  reopen(path);  // test cost again: never downgrades
  ASSERT_TRUE(accounts_->login("wendy", kPassword, "").ok());
  EXPECT_EQ(query(path, "SELECT password_hash FROM users"), strong);
}

TEST_F(AccountsTest, ConcurrentUse) {
  for (int i = 0; i < 4; ++i) make_user("t" + std::to_string(i));
  std::vector<std::thread> threads;
  std::array<int, 4> failures{};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      const std::string name = "t" + std::to_string(t);
      for (int i = 0; i < 10; ++i) {
        auto s = accounts_->login(name, kPassword, "");
        if (!s.ok() || !accounts_->authenticate_session(s->token).ok() ||
            !accounts_->logout(s->token).ok())
          ++failures[t];
        AuditEntry e;
        e.action = "test";
        if (!accounts_->audit(e).ok()) ++failures[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  const auto a = actions();
  EXPECT_EQ(std::count(a.begin(), a.end(), "login"), 40);
  EXPECT_EQ(std::count(a.begin(), a.end(), "logout"), 40);
  EXPECT_EQ(std::count(a.begin(), a.end(), "test"), 40);
}

}  // namespace
}  // namespace sb::accounts
