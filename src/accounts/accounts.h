#pragma once
// Accounts: users and roles, password hashing (Argon2id, libsodium), login sessions with CSRF
// tokens, API keys, lockout after repeated failures, and the audit log. Stored in SQLite
// (`<data-dir>/accounts.db`), separate from the event log: none of this is routing state.
//
// Secrets (passwords, session tokens, API keys) are never stored in clear: passwords as Argon2id
// strings, tokens and keys as SHA-256 (crypto_hash_sha256) hex digests. Time comes from an
// injected Clock so lockout and expiry are testable.
//
// Thread safety: every method may be called from any thread (one internal mutex). Argon2id work
// (hashing, verifying) runs outside the mutex so a login does not stall other requests.
//
// Error codes, for the API's mapping: InvalidArgument (bad input, wrong credentials), NotFound
// (unknown id, unknown/expired/revoked token or key), AlreadyExists (duplicate username),
// FailedPrecondition (locked account, acting on a disabled user, demoting/disabling the last
// enabled admin), ResourceExhausted (disk full, no memory for Argon2id),
// IoError/Corruption/Unavailable/Internal (the database failed).
// See docs/accounts.md.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "base/time.h"

namespace sb::accounts {

enum class Role : std::uint8_t { kAdmin = 0, kSupervisor, kAgent, kAnalyst };
std::string_view role_name(Role r);              // "admin", "supervisor", "agent", "analyst"
Result<Role> parse_role(std::string_view name);  // InvalidArgument for anything else

using UserId = std::int64_t;

struct User {
  UserId id = 0;
  std::string username;
  std::string display_name;
  Role role = Role::kAgent;
  std::optional<std::uint32_t> agent_id;  // the routing agent this user acts as
  bool disabled = false;
  Millis created_at = 0;
};

struct NewUser {
  // 1..64 chars of [A-Za-z0-9._@-]; unique ignoring ASCII case (AlreadyExists otherwise).
  std::string username;
  std::string password;      // 10..1024 bytes (InvalidArgument otherwise)
  std::string display_name;  // <= 200 bytes
  Role role = Role::kAgent;
  std::optional<std::uint32_t> agent_id;
};

struct UserPatch {
  std::optional<std::string> display_name;
  std::optional<Role> role;
  std::optional<std::optional<std::uint32_t>> agent_id;  // set to nullopt-inside to unlink
  std::optional<std::string> password;  // revokes the user's sessions and clears a lockout
  std::optional<bool> disabled;         // disabling revokes sessions and keys
};
// update_user refuses (FailedPrecondition) to disable or demote the last enabled admin.

// Who is making a request, after authentication.
struct Principal {
  User user;
  enum class Via : std::uint8_t { kSession, kApiKey } via = Via::kSession;
  std::string csrf_token;  // sessions only
  std::int64_t session_or_key_id = 0;
  // Sessions: when the session expires as of this authentication (each use slides it, so a
  // holder of a long-lived connection asks session_expiry once this time has passed).
  Millis session_expires_at = 0;
};

// What a write ended, told to whoever holds long-lived connections opened with a principal (the
// live hub's WebSockets), so that such a connection does not outlive its credentials.
struct Revocation {
  enum class Scope : std::uint8_t {
    kSession,       // one session: logout
    kApiKey,        // one API key: revoked
    kUserSessions,  // every session of a user, not its keys: password changed
    kUser,          // everything of a user: disabled, role or agent link changed
  };
  Scope scope = Scope::kSession;
  std::int64_t id = 0;  // the session, key or user id, by scope
  std::string reason;   // for people: "logged out", "API key revoked", "user disabled", ...

  // Whether a connection opened with `p` must close.
  bool covers(const Principal& p) const;
};
using RevocationListener = std::function<void(const Revocation&)>;

struct Session {
  std::string token;  // goes into the sb_session cookie; only its hash is stored
  std::string csrf_token;
  User user;
  Millis expires_at = 0;
};

struct ApiKeyInfo {
  std::int64_t id = 0;
  UserId user_id = 0;
  std::string name;
  std::string prefix;  // first 8 characters of the key ("sbk_" + 4), to recognise it in lists
  Millis created_at = 0;
  std::optional<Millis> last_used_at;
};

struct NewApiKey {
  ApiKeyInfo info;
  std::string key;  // "sbk_" + 43 url-safe base64 chars; shown once
};

struct AuditEntry {
  std::int64_t id = 0;
  Millis at = 0;
  std::optional<UserId> user_id;
  std::string username;  // who (empty for anonymous, e.g. a failed login of an unknown user)
  std::string action;    // "login", "login_failed", "lockout", "logout", "user.create", ...
  std::string target;    // what: "user:12", "queue:3", ...
  std::string detail;    // free text or JSON
  std::string remote;    // client address
};

struct Page {
  std::size_t limit = 100;  // 1..500 (InvalidArgument otherwise)
  // Cursor: ids greater than this (users) / smaller (audit, newest first; 0 = from the newest).
  std::int64_t after_id = 0;
};

struct AccountsOptions {
  // Sliding: each use extends it (written at most once a minute, or once a quarter of the TTL
  // when that is shorter, so that a session in use never expires between two writes).
  Millis session_ttl = 12 * kMillisPerHour;
  std::uint32_t max_failed_logins = 5;  // consecutive failures before lockout; 0: never
  Millis lockout = 15 * kMillisPerMinute;
  // libsodium Argon2id cost. Tests and the demo may lower it (INTERACTIVE is the production floor).
  bool fast_hashing_for_tests = false;
  // Digest realm of SIP phone credentials (the HA1 depends on it: changing it invalidates every
  // SIP password). Must match the voice gateway's realm.
  std::string sip_realm = "switchboard";
};

class Accounts {
 public:
  // Opens or creates the database at `path` (":memory:" for tests). `clock` must outlive this.
  // A new file is created with mode 0600. FailedPrecondition for a foreign database or a schema
  // version newer than this build reads.
  static Result<std::unique_ptr<Accounts>> open(const std::string& path, const Clock& clock,
                                                AccountsOptions options = {});
  virtual ~Accounts() = default;

  virtual bool has_users() = 0;

  // Users.
  virtual Result<User> create_user(const NewUser& u) = 0;
  virtual Result<User> get_user(UserId id) = 0;
  virtual Result<User> find_user(std::string_view username) = 0;
  virtual Result<User> update_user(UserId id, const UserPatch& patch) = 0;
  virtual Result<std::vector<User>> list_users(const Page& page) = 0;  // by id ascending

  // Login. Unknown user or wrong password: Status code kNotFound is never revealed — both are
  // InvalidArgument("invalid username or password"). A locked account: FailedPrecondition with a
  // message that says until when (the API maps it to 423). Disabled: InvalidArgument as above.
  // Every attempt is audited (login / login_failed / lockout) with `remote`.
  virtual Result<Session> login(std::string_view username, std::string_view password,
                                std::string_view remote) = 0;
  // Revokes the session and audits "logout". NotFound for an unknown, expired or revoked token.
  // (`remote` was added after the first draft; the default keeps one-argument calls compiling.)
  virtual Status logout(std::string_view session_token, std::string_view remote = {}) = 0;
  // NotFound for an unknown, expired or revoked token, or a disabled user (the API maps it to
  // 401). Success slides the session's expiry to now + session_ttl.
  virtual Result<Principal> authenticate_session(std::string_view session_token) = 0;
  // NotFound for an unknown or revoked key, or a disabled user. Records last_used_at.
  virtual Result<Principal> authenticate_api_key(std::string_view key) = 0;

  // Revocation listeners are called after the write that ended the credentials has committed,
  // on the writer's thread and outside the accounts lock (a listener may call into Accounts, but
  // must not add or remove listeners). Removal waits for a call in progress, so after it returns
  // the listener's captures may die.
  virtual std::uint64_t add_revocation_listener(RevocationListener listener) = 0;
  virtual void remove_revocation_listener(std::uint64_t id) = 0;
  // OK while `p` still holds: its session (unexpired) or key is not revoked, its user is enabled,
  // and the user's role and agent link are those in `p`. NotFound, saying why, otherwise. A holder
  // registers a connection first and checks it after, so that a revocation between the
  // authentication and the registration is not missed (the listener sees the registered one).
  virtual Status check_principal(const Principal& p) = 0;
  // When session `session_id` expires as stored now (a time in the past once it has expired);
  // NotFound for an unknown or revoked session. An expiry writes nothing, so no listener hears
  // of it: a holder of a connection asks this when the expiry it knew has passed.
  virtual Result<Millis> session_expiry(std::int64_t session_id) = 0;

  // API keys. create: NotFound for an unknown user, FailedPrecondition for a disabled one,
  // InvalidArgument for a name that is empty or longer than 100 bytes.
  virtual Result<NewApiKey> create_api_key(UserId user, std::string_view name) = 0;
  // The user's keys that are not revoked, by id ascending; never the secret. NotFound: no user.
  virtual Result<std::vector<ApiKeyInfo>> list_api_keys(UserId user) = 0;
  // Any key, revoked or not (to audit a revocation with its owner). NotFound: no such key.
  virtual Result<ApiKeyInfo> get_api_key(std::int64_t key_id) = 0;
  // NotFound for an unknown or already revoked key.
  virtual Status revoke_api_key(std::int64_t key_id) = 0;

  // SIP phone credentials (docs/voice.md). Phones authenticate with HTTP digest, which needs a
  // secret the server can recompute; the Argon2id login hash cannot serve, so a user may have a
  // separate SIP password, stored only as HA1 = MD5(username ":" realm ":" password).
  // set: 8..128 bytes (InvalidArgument); an empty password removes it; NotFound: no such user.
  virtual Status set_sip_password(UserId user, std::string_view password) = 0;
  // The HA1 (32 lowercase hex) of an enabled user's SIP password; NotFound when there is none.
  virtual Result<std::string> sip_ha1(std::string_view username) = 0;

  // Audit log, newest first.
  virtual Status audit(const AuditEntry& entry) = 0;  // id and `at` are assigned here
  virtual Result<std::vector<AuditEntry>> list_audit(const Page& page) = 0;

  // Generates a random password (20 url-safe chars) for the first admin.
  static std::string generate_password();
};

// Constant-time comparison for tokens (CSRF). Different lengths, or an empty secret on either
// side, never match.
bool equal_secrets(std::string_view a, std::string_view b);

}  // namespace sb::accounts
