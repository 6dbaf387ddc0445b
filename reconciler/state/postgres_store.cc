#include "reconciler/state/postgres_store.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <cstdlib>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "reconciler/util/percent.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

std::string OsUser() {
  if (const char* user = std::getenv("USER"); user != nullptr && *user) {
    return user;
  }
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr) {
    return pw->pw_name;
  }
  return absl::StrCat(::geteuid());
}

std::string Trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  // libpq reports several lines (one per address tried): keep them on one.
  std::string one_line;
  for (char c : text) {
    if (c == '\t' && !one_line.empty() && one_line.back() == ' ') continue;
    one_line.push_back(c == '\n' || c == '\t' ? ' ' : c);
  }
  return one_line;
}

void IgnoreNotice(void*, const char*) {}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

constexpr char kUniqueViolation[] = "23505";

// Counts the resources that differ between two states (added, removed or
// changed).
int64_t CountChanges(const std::map<Address, ResourceState>* before,
                     const std::map<Address, ResourceState>& after) {
  if (before == nullptr) return static_cast<int64_t>(after.size());
  int64_t changes = 0;
  auto a = before->begin();
  auto b = after.begin();
  while (a != before->end() || b != after.end()) {
    if (b == after.end() || (a != before->end() && a->first < b->first)) {
      ++changes;
      ++a;
    } else if (a == before->end() || b->first < a->first) {
      ++changes;
      ++b;
    } else {
      if (!(a->second == b->second)) ++changes;
      ++a;
      ++b;
    }
  }
  return changes;
}

}  // namespace

bool IsPostgresUri(std::string_view location) {
  return location.starts_with("postgres://") ||
         location.starts_with("postgresql://");
}

PostgresLocation ParsePostgresUri(const std::string& uri,
                                  const std::string& env_key,
                                  const std::string& default_key) {
  PostgresLocation out;
  std::string_view rest = uri;
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  // rest: scheme://[userinfo@]hosts[/db]
  size_t scheme_end = rest.find("://") + 3;
  std::string_view authority = rest.substr(scheme_end);
  std::string_view path;
  if (size_t slash = authority.find('/'); slash != std::string_view::npos) {
    path = authority.substr(slash);
    authority = authority.substr(0, slash);
  }
  std::string display_authority(authority);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      out.password = PercentDecode(userinfo.substr(colon + 1));
      display_authority = std::string(userinfo.substr(0, colon)) +
                          std::string(authority.substr(at));
    }
  }
  std::optional<std::string> key;
  std::vector<std::string> kept;
  std::vector<std::string> shown;
  std::vector<std::string> params =
      absl::StrSplit(std::string(query), '&', absl::SkipEmpty());
  for (const std::string& param : params) {
    const std::string name = param.substr(0, param.find('='));
    const std::string value =
        name.size() < param.size() ? param.substr(name.size() + 1) : "";
    if (name == "key") {
      key = PercentDecode(std::string_view(value));
      continue;
    }
    kept.emplace_back(param);
    if (name == "password") {
      out.password = PercentDecode(std::string_view(value));
    } else {
      shown.emplace_back(param);
    }
  }
  out.conninfo = std::string(rest) + (kept.empty() ? "" : "?") +
                 absl::StrJoin(kept, "&");
  out.display = std::string(rest.substr(0, scheme_end)) + display_authority +
                std::string(path) + (shown.empty() ? "" : "?") +
                absl::StrJoin(shown, "&");
  if (key.has_value() && !key->empty()) {
    out.key = *key;
  } else if (!env_key.empty()) {
    out.key = env_key;
  } else {
    out.key = default_key;
  }
  return out;
}

std::string RedactSecrets(std::string text,
                          const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos;
         at = text.find(secret, at + 3)) {
      text.replace(at, secret.size(), "***");
    }
  }
  return text;
}

// One libpq connection, with the tables checked (and created on first use).
class PostgresStateStore::Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Connection>> Open(
      const PostgresLocation& location, const std::string& name) {
    std::unique_ptr<Connection> c(new Connection(name, location.password));
    c->conn_ = PQconnectdb(location.conninfo.c_str());
    if (c->conn_ == nullptr) {
      return absl::ResourceExhaustedError(
          absl::StrCat("cannot connect to ", name, ": out of memory"));
    }
    if (PQstatus(c->conn_) != CONNECTION_OK) {
      return absl::UnavailableError(
          c->Redact(absl::StrCat("cannot connect to ", name, ": ",
                                 Trimmed(PQerrorMessage(c->conn_)))));
    }
    PQsetNoticeProcessor(c->conn_, IgnoreNotice, nullptr);
    RETURN_IF_ERROR(c->EnsureSchema());
    return c;
  }

  ~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
  }

  bool broken() const { return PQstatus(conn_) != CONNECTION_OK; }

  // Runs `sql` with text parameters (nullopt: NULL). `sqlstate`, when given,
  // receives the error's SQLSTATE.
  absl::StatusOr<Result> Exec(
      const std::string& sql,
      const std::vector<std::optional<std::string>>& params = {},
      std::string* sqlstate = nullptr) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    Result r(PQexecParams(conn_, sql.c_str(), static_cast<int>(values.size()),
                          nullptr, values.data(), nullptr, nullptr, 0));
    ExecStatusType status =
        r == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(r.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return r;
    if (sqlstate != nullptr && r != nullptr) {
      const char* state = PQresultErrorField(r.get(), PG_DIAG_SQLSTATE);
      *sqlstate = state == nullptr ? "" : state;
    }
    std::string message = r != nullptr ? Trimmed(PQresultErrorMessage(r.get()))
                                       : Trimmed(PQerrorMessage(conn_));
    return absl::UnavailableError(
        Redact(absl::StrCat(name_, ": ", message)));
  }

  std::string Redact(std::string text) const {
    std::vector<std::string> secrets = {uri_password_};
    if (conn_ != nullptr && PQpass(conn_) != nullptr) {
      secrets.emplace_back(PQpass(conn_));
    }
    return RedactSecrets(std::move(text), secrets);
  }

  PGconn* raw() { return conn_; }

 private:
  Connection(std::string name, std::string uri_password)
      : name_(std::move(name)), uri_password_(std::move(uri_password)) {}

  absl::Status CheckVersion(const PGresult* r) {
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0)) {
      return absl::OkStatus();
    }
    int64_t version = 0;
    if (!absl::SimpleAtoi(PQgetvalue(r, 0, 0), &version) ||
        version > kPostgresSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          name_, ": the database's podform tables are schema version ",
          PQgetvalue(r, 0, 0), ", made by a newer podform; this podform uses "
          "version ", kPostgresSchemaVersion, ": upgrade podform"));
    }
    return absl::OkStatus();
  }

  absl::Status EnsureSchema() {
    ASSIGN_OR_RETURN(Result exists,
                     Exec("SELECT to_regclass('podform_schema') IS NOT NULL"));
    if (std::string_view(PQgetvalue(exists.get(), 0, 0)) == "t") {
      ASSIGN_OR_RETURN(Result v, Exec("SELECT max(version) FROM podform_schema"));
      RETURN_IF_ERROR(CheckVersion(v.get()));
      if (!PQgetisnull(v.get(), 0, 0)) return absl::OkStatus();
    }
    // First use: create the tables, one run at a time.
    RETURN_IF_ERROR(Exec("BEGIN").status());
    absl::Status status = [&]() -> absl::Status {
      RETURN_IF_ERROR(
          Exec("SELECT pg_advisory_xact_lock(hashtextextended("
               "'podform:schema', 0))")
              .status());
      RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS podform_schema ("
                           "version integer NOT NULL)")
                          .status());
      ASSIGN_OR_RETURN(Result v, Exec("SELECT max(version) FROM podform_schema"));
      RETURN_IF_ERROR(CheckVersion(v.get()));
      if (!PQgetisnull(v.get(), 0, 0)) return absl::OkStatus();
      RETURN_IF_ERROR(
          Exec("CREATE TABLE IF NOT EXISTS podform_state_versions ("
               "key text NOT NULL, seq bigint NOT NULL, serial bigint, "
               "lineage text, body text NOT NULL, "
               "written_at timestamptz NOT NULL DEFAULT now(), "
               "host text NOT NULL DEFAULT '', os_user text NOT NULL "
               "DEFAULT '', pid bigint NOT NULL DEFAULT 0, command text NOT "
               "NULL DEFAULT '', changes bigint, PRIMARY KEY (key, seq))")
              .status());
      RETURN_IF_ERROR(
          Exec("CREATE TABLE IF NOT EXISTS podform_locks ("
               "key text PRIMARY KEY, backend_pid integer NOT NULL, "
               "pid bigint NOT NULL, host text NOT NULL, command text NOT "
               "NULL, since text NOT NULL)")
              .status());
      return Exec(absl::StrCat("INSERT INTO podform_schema VALUES (",
                               kPostgresSchemaVersion, ")"))
          .status();
    }();
    if (!status.ok()) {
      (void)Exec("ROLLBACK");
      return status;
    }
    return Exec("COMMIT").status();
  }

  const std::string name_;
  const std::string uri_password_;
  PGconn* conn_ = nullptr;
};

namespace {

// Holds the advisory lock through its own connection.
class PostgresLock : public StateLock {
 public:
  PostgresLock(std::shared_ptr<PostgresStateStore::Connection> conn,
               std::string key)
      : conn_(std::move(conn)), key_(std::move(key)) {}
  ~PostgresLock() override {
    // Remove the holder's row while still holding the lock; closing the
    // connection releases the lock itself.
    (void)conn_->Exec(
        "DELETE FROM podform_locks WHERE key = $1 AND backend_pid = "
        "pg_backend_pid()",
        {key_});
  }

 private:
  std::shared_ptr<PostgresStateStore::Connection> conn_;
  const std::string key_;
};

}  // namespace

PostgresStateStore::PostgresStateStore(PostgresLocation location, Clock now)
    : location_(std::move(location)),
      name_(absl::StrCat("state \"", location_.key, "\" in ",
                         location_.display)),
      now_(std::move(now)) {}

PostgresStateStore::~PostgresStateStore() = default;

absl::StatusOr<PostgresStateStore::Connection*>
PostgresStateStore::Connected() {
  if (conn_ != nullptr && conn_->broken()) conn_.reset();
  if (conn_ == nullptr) {
    ASSIGN_OR_RETURN(conn_, Connection::Open(location_, name_));
  }
  return conn_.get();
}

absl::StatusOr<State> PostgresStateStore::Read() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Connection * c, Connected());
  ASSIGN_OR_RETURN(Result r,
                   c->Exec("SELECT body FROM podform_state_versions WHERE "
                           "key = $1 ORDER BY seq DESC LIMIT 1",
                           {location_.key}));
  if (PQntuples(r.get()) == 0) {
    return absl::NotFoundError(absl::StrCat(name_, " holds no state yet"));
  }
  return ParseState(PQgetvalue(r.get(), 0, 0), name_);
}

absl::Status PostgresStateStore::TryWrite(State* state, bool* lost_race) {
  *lost_race = false;
  if (std::shared_ptr<Connection> held = lock_conn_.lock()) {
    // The server frees the lock with the connection that holds it: once that
    // connection has ended (a server restart, a lost network), another run
    // may hold the lock, and this run must not write as if it still did.
    if (held->broken() || !held->Exec("SELECT 1").ok()) {
      return absl::UnavailableError(absl::StrCat(
          name_, ": the connection holding this run's lock ended (the "
                 "server restarted or the network failed), so another run "
                 "may hold the lock now; refusing to write"));
    }
  }
  ASSIGN_OR_RETURN(Connection * c, Connected());
  ASSIGN_OR_RETURN(Result head,
                   c->Exec("SELECT seq, serial, lineage FROM "
                           "podform_state_versions WHERE key = $1 ORDER BY "
                           "seq DESC LIMIT 1",
                           {location_.key}));
  int64_t seq = 0;
  absl::StatusOr<State> stored = absl::NotFoundError("nothing stored");
  const std::map<Address, ResourceState>* before = nullptr;
  if (PQntuples(head.get()) > 0) {
    if (!absl::SimpleAtoi(PQgetvalue(head.get(), 0, 0), &seq)) {
      return absl::InternalError(absl::StrCat(name_, ": bad seq"));
    }
    if (seq == own_seq_) {
      // The version this store wrote last: known without parsing it.
      State known;
      known.lineage = own_state_.lineage;
      known.serial = own_state_.serial;
      stored = std::move(known);
      before = &own_state_.resources;
    } else {
      ASSIGN_OR_RETURN(
          Result body,
          c->Exec("SELECT body FROM podform_state_versions WHERE key = $1 "
                  "AND seq = $2",
                  {location_.key, absl::StrCat(seq)}));
      if (PQntuples(body.get()) == 0) {
        *lost_race = true;  // pruned meanwhile: look again
        return absl::AbortedError(absl::StrCat(name_, " changed meanwhile"));
      }
      stored = ParseState(PQgetvalue(body.get(), 0, 0), name_);
      if (stored.ok()) before = &stored->resources;
    }
  }
  ASSIGN_OR_RETURN(PreparedWrite write,
                   PrepareWrite(stored, *state, name_, own_serial_,
                                serializer_));
  const int64_t previous_own_serial = own_serial_;
  own_serial_ = write.serial;
  const int64_t changes = CountChanges(before, state->resources);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string sqlstate;
  absl::StatusOr<Result> inserted = c->Exec(
      "INSERT INTO podform_state_versions (key, seq, serial, lineage, body, "
      "host, os_user, pid, command, changes) VALUES ($1, $2, $3, $4, $5, $6, "
      "$7, $8, $9, $10)",
      {location_.key, absl::StrCat(seq + 1), absl::StrCat(write.serial),
       state->lineage, write.bytes, std::string(host), OsUser(),
       absl::StrCat(::getpid()), command_, absl::StrCat(changes)},
      &sqlstate);
  if (!inserted.ok()) {
    // The server answered with an error: nothing was stored. (Without an
    // answer, e.g. a lost connection, it may have been: own_serial_ stays.)
    if (!sqlstate.empty()) own_serial_ = previous_own_serial;
    if (sqlstate == kUniqueViolation) *lost_race = true;
    return inserted.status();
  }
  own_seq_ = seq + 1;
  state->serial = write.serial;
  own_state_ = *state;
  return absl::OkStatus();
}

absl::Status PostgresStateStore::Write(State* state) {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t serial = state->serial;
  absl::Status status;
  // A writer that loses the race for the next seq is checked again against
  // what the winner stored (normally: Aborted).
  for (int attempt = 0; attempt < 5; ++attempt) {
    bool lost_race = false;
    status = TryWrite(state, &lost_race);
    if (!lost_race) break;
  }
  if (!status.ok()) state->serial = serial;
  return status;
}

absl::StatusOr<std::unique_ptr<StateLock>> PostgresStateStore::Lock(
    const std::string& command) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    command_ = command;
  }
  ASSIGN_OR_RETURN(std::unique_ptr<Connection> c,
                   Connection::Open(location_, name_));
  const std::string lock_key = absl::StrCat("podform:", location_.key);
  constexpr int kAttempts = 50;
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(Result got,
                     c->Exec("SELECT pg_try_advisory_lock("
                             "hashtextextended($1, 0))",
                             {lock_key}));
    if (std::string_view(PQgetvalue(got.get(), 0, 0)) == "t") break;
    // The holder's row, unless it was left by a holder whose connection
    // ended (its backend holds no advisory lock any more).
    ASSIGN_OR_RETURN(
        Result holder,
        c->Exec("SELECT pid, host, command, since FROM podform_locks WHERE "
                "key = $1 AND backend_pid IN (SELECT pid FROM pg_locks WHERE "
                "locktype = 'advisory' AND granted)",
                {location_.key}));
    if (PQntuples(holder.get()) > 0) {
      LockInfo info;
      (void)absl::SimpleAtoi(PQgetvalue(holder.get(), 0, 0), &info.pid);
      info.host = PQgetvalue(holder.get(), 0, 1);
      info.command = PQgetvalue(holder.get(), 0, 2);
      info.since = PQgetvalue(holder.get(), 0, 3);
      return LockedError(name_, info);
    }
    if (attempt + 1 == kAttempts) {
      return absl::FailedPreconditionError(absl::StrCat(
          name_, " is locked by another process (podform_locks does not say "
                 "which)"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  LockInfo me = CurrentLockInfo(command, now_());
  RETURN_IF_ERROR(
      c->Exec("INSERT INTO podform_locks (key, backend_pid, pid, host, "
              "command, since) VALUES ($1, pg_backend_pid(), $2, $3, $4, $5) "
              "ON CONFLICT (key) DO UPDATE SET backend_pid = "
              "EXCLUDED.backend_pid, pid = EXCLUDED.pid, host = EXCLUDED.host, "
              "command = EXCLUDED.command, since = EXCLUDED.since",
              {location_.key, absl::StrCat(me.pid), me.host, me.command,
               me.since})
          .status());
  std::shared_ptr<Connection> held(std::move(c));
  {
    std::lock_guard<std::mutex> lock(mu_);
    lock_conn_ = held;
  }
  return std::unique_ptr<StateLock>(
      new PostgresLock(std::move(held), location_.key));
}

absl::StatusOr<std::vector<PostgresStateStore::Version>>
PostgresStateStore::History() {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Connection * c, Connected());
  ASSIGN_OR_RETURN(
      Result r,
      c->Exec("SELECT seq, serial, to_char(written_at AT TIME ZONE 'UTC', "
              "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), host, os_user, pid, command, "
              "changes FROM podform_state_versions WHERE key = $1 ORDER BY seq",
              {location_.key}));
  std::vector<Version> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    Version v;
    (void)absl::SimpleAtoi(PQgetvalue(r.get(), i, 0), &v.seq);
    if (!PQgetisnull(r.get(), i, 1)) {
      int64_t serial = 0;
      if (absl::SimpleAtoi(PQgetvalue(r.get(), i, 1), &serial)) v.serial = serial;
    }
    v.written_at = PQgetvalue(r.get(), i, 2);
    v.host = PQgetvalue(r.get(), i, 3);
    v.os_user = PQgetvalue(r.get(), i, 4);
    (void)absl::SimpleAtoi(PQgetvalue(r.get(), i, 5), &v.pid);
    v.command = PQgetvalue(r.get(), i, 6);
    if (!PQgetisnull(r.get(), i, 7)) {
      int64_t changes = 0;
      if (absl::SimpleAtoi(PQgetvalue(r.get(), i, 7), &changes)) {
        v.changes = changes;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

absl::StatusOr<State> PostgresStateStore::ReadSerial(int64_t serial) {
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Connection * c, Connected());
  ASSIGN_OR_RETURN(Result r,
                   c->Exec("SELECT body FROM podform_state_versions WHERE "
                           "key = $1 AND serial = $2 ORDER BY seq DESC LIMIT 1",
                           {location_.key, absl::StrCat(serial)}));
  if (PQntuples(r.get()) == 0) {
    return absl::NotFoundError(
        absl::StrCat(name_, " keeps no version with serial ", serial));
  }
  return ParseState(PQgetvalue(r.get(), 0, 0),
                    absl::StrCat(name_, " (serial ", serial, ")"));
}

absl::StatusOr<int64_t> PostgresStateStore::Prune(int64_t keep) {
  if (keep < 1) {
    return absl::InvalidArgumentError(
        "prune keeps at least one version (the current state)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Connection * c, Connected());
  ASSIGN_OR_RETURN(
      Result r,
      c->Exec("DELETE FROM podform_state_versions WHERE key = $1 AND seq < "
              "(SELECT min(seq) FROM (SELECT seq FROM podform_state_versions "
              "WHERE key = $1 ORDER BY seq DESC LIMIT $2) AS kept)",
              {location_.key, absl::StrCat(keep)}));
  int64_t deleted = 0;
  (void)absl::SimpleAtoi(PQcmdTuples(r.get()), &deleted);
  return deleted;
}

}  // namespace podform
