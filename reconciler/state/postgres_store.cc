#include "reconciler/state/postgres_store.h"

#include <libpq-fe.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <limits>
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
#include "nlohmann/json.hpp"
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

// A seq above every stored one.
constexpr int64_t kNewest = std::numeric_limits<int64_t>::max();

// The entries of `after` that are new or differ from `before` go to
// `upserts`; the addresses of `before` missing from `after` to `removed`.
template <typename Value>
void Diff(const std::map<Address, Value>& before,
          const std::map<Address, Value>& after,
          std::map<Address, Value>* upserts, std::vector<Address>* removed) {
  auto a = before.begin();
  auto b = after.begin();
  while (a != before.end() || b != after.end()) {
    if (b == after.end() || (a != before.end() && a->first < b->first)) {
      removed->push_back(a->first);
      ++a;
    } else if (a == before.end() || b->first < a->first) {
      upserts->emplace_hint(upserts->end(), *b);
      ++b;
    } else {
      if (!(a->second == b->second)) upserts->emplace_hint(upserts->end(), *b);
      ++a;
      ++b;
    }
  }
}

// A version stored as a change to the one before it: the lock file of a
// state holding only the resources and intents that are new or changed
// (with the version's lineage, serial and target), and what was removed.
struct Delta {
  State changed;
  std::vector<Address> removed_resources;
  std::vector<Address> removed_intents;
  std::vector<Address> removed_deposed;
};

Delta MakeDelta(const State& before, const State& after, int64_t serial) {
  Delta delta;
  delta.changed.lineage = after.lineage;
  delta.changed.serial = serial;
  delta.changed.target = after.target;
  Diff(before.resources, after.resources, &delta.changed.resources,
       &delta.removed_resources);
  Diff(before.intents, after.intents, &delta.changed.intents,
       &delta.removed_intents);
  Diff(before.deposed, after.deposed, &delta.changed.deposed,
       &delta.removed_deposed);
  return delta;
}

// The `removed` column of a delta: {"intents": [...], "resources": [...]}.
std::string RemovedJson(const Delta& delta) {
  nlohmann::json removed = nlohmann::json::object();
  removed["resources"] = nlohmann::json::array();
  removed["intents"] = nlohmann::json::array();
  for (const Address& a : delta.removed_resources) {
    removed["resources"].push_back(a.ToString());
  }
  for (const Address& a : delta.removed_intents) {
    removed["intents"].push_back(a.ToString());
  }
  // Only when something was: rows written before pods could be deposed
  // have no "deposed".
  if (!delta.removed_deposed.empty()) {
    removed["deposed"] = nlohmann::json::array();
    for (const Address& a : delta.removed_deposed) {
      removed["deposed"].push_back(a.ToString());
    }
  }
  return removed.dump();
}

// Applies a stored delta (its body and `removed` column) to `state`.
absl::Status ApplyDelta(const std::string& body, const std::string& removed,
                        const std::string& name, State* state) {
  ASSIGN_OR_RETURN(State changed, ParseState(body, name));
  nlohmann::json gone = nlohmann::json::parse(removed, nullptr, false);
  auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        name, ": version ", changed.serial, " lists what it removed as ",
        removed, ", not {\"intents\": [ADDRESS...], \"resources\": "
        "[ADDRESS...]} (and optionally \"deposed\": [ADDRESS...])"));
  };
  if (!gone.is_object()) return bad();
  std::vector<Address> removed_of[3];
  const char* const kFields[3] = {"resources", "intents", "deposed"};
  for (int i = 0; i < 3; ++i) {
    auto it = gone.find(kFields[i]);
    if (i == 2 && it == gone.end()) continue;  // optional, see RemovedJson
    if (it == gone.end() || !it->is_array()) return bad();
    for (const nlohmann::json& item : *it) {
      if (!item.is_string()) return bad();
      absl::StatusOr<Address> address =
          Address::Parse(item.get_ref<const std::string&>());
      if (!address.ok()) return bad();
      removed_of[i].push_back(*address);
    }
  }
  state->lineage = std::move(changed.lineage);
  state->serial = changed.serial;
  state->target = std::move(changed.target);
  for (auto& [address, resource] : changed.resources) {
    state->resources.insert_or_assign(address, std::move(resource));
  }
  for (auto& [address, intent] : changed.intents) {
    state->intents.insert_or_assign(address, std::move(intent));
  }
  for (const Address& a : removed_of[0]) state->resources.erase(a);
  for (auto& [address, pods] : changed.deposed) {
    state->deposed.insert_or_assign(address, std::move(pods));
  }
  for (const Address& a : removed_of[1]) state->intents.erase(a);
  for (const Address& a : removed_of[2]) state->deposed.erase(a);
  return absl::OkStatus();
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

  // The version in podform_schema (0: none yet); FailedPrecondition when it
  // is newer than this podform's.
  absl::StatusOr<int64_t> SchemaVersion() {
    ASSIGN_OR_RETURN(Result r, Exec("SELECT max(version) FROM podform_schema"));
    if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return 0;
    int64_t version = 0;
    if (!absl::SimpleAtoi(PQgetvalue(r.get(), 0, 0), &version) ||
        version > kPostgresSchemaVersion) {
      return absl::FailedPreconditionError(absl::StrCat(
          name_, ": the database's podform tables are schema version ",
          PQgetvalue(r.get(), 0, 0), ", made by a newer podform; this podform "
          "uses version ", kPostgresSchemaVersion, ": upgrade podform"));
    }
    return version;
  }

  absl::Status EnsureSchema() {
    ASSIGN_OR_RETURN(Result exists,
                     Exec("SELECT to_regclass('podform_schema') IS NOT NULL"));
    if (std::string_view(PQgetvalue(exists.get(), 0, 0)) == "t") {
      ASSIGN_OR_RETURN(int64_t version, SchemaVersion());
      if (version == kPostgresSchemaVersion) return absl::OkStatus();
    }
    // First use, or the tables of an older podform: create or upgrade them,
    // one run at a time.
    RETURN_IF_ERROR(Exec("BEGIN").status());
    absl::Status status = [&]() -> absl::Status {
      RETURN_IF_ERROR(
          Exec("SELECT pg_advisory_xact_lock(hashtextextended("
               "'podform:schema', 0))")
              .status());
      RETURN_IF_ERROR(Exec("CREATE TABLE IF NOT EXISTS podform_schema ("
                           "version integer NOT NULL)")
                          .status());
      ASSIGN_OR_RETURN(int64_t version, SchemaVersion());
      if (version == kPostgresSchemaVersion) return absl::OkStatus();
      if (version == 1) {
        // Version 1 kept every version whole; version 2 may keep a version
        // as its change to the one before (delta, removed).
        RETURN_IF_ERROR(
            Exec("ALTER TABLE podform_state_versions ADD COLUMN delta "
                 "boolean NOT NULL DEFAULT false, ADD COLUMN removed text")
                .status());
        return Exec(absl::StrCat("UPDATE podform_schema SET version = ",
                                 kPostgresSchemaVersion))
            .status();
      }
      RETURN_IF_ERROR(
          Exec("CREATE TABLE IF NOT EXISTS podform_state_versions ("
               "key text NOT NULL, seq bigint NOT NULL, serial bigint, "
               "lineage text, body text NOT NULL, "
               "written_at timestamptz NOT NULL DEFAULT now(), "
               "host text NOT NULL DEFAULT '', os_user text NOT NULL "
               "DEFAULT '', pid bigint NOT NULL DEFAULT 0, command text NOT "
               "NULL DEFAULT '', changes bigint, delta boolean NOT NULL "
               "DEFAULT false, removed text, PRIMARY KEY (key, seq))")
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

// A version rebuilt from the newest whole version at or before it and the
// deltas after that.
struct Chain {
  int64_t seq = 0;
  State state;
  size_t whole_bytes = 0;  // of the whole version the chain starts from
  size_t delta_bytes = 0;  // of the deltas after it
};

// The version with the highest seq <= `upto_seq` of `key`. NotFound when
// there is none; InvalidArgument when what is stored cannot be read.
absl::StatusOr<Chain> ReadChain(PostgresStateStore::Connection* c,
                                const std::string& key, int64_t upto_seq,
                                const std::string& name) {
  ASSIGN_OR_RETURN(
      Result r,
      c->Exec("SELECT seq, delta, body, removed FROM podform_state_versions "
              "WHERE key = $1 AND seq <= $2 AND seq >= coalesce((SELECT "
              "max(seq) FROM podform_state_versions WHERE key = $1 AND seq "
              "<= $2 AND NOT delta), 0) ORDER BY seq",
              {key, absl::StrCat(upto_seq)}));
  const int rows = PQntuples(r.get());
  if (rows == 0) {
    return absl::NotFoundError(absl::StrCat(name, " holds no state yet"));
  }
  Chain chain;
  for (int i = 0; i < rows; ++i) {
    const bool delta = std::string_view(PQgetvalue(r.get(), i, 1)) == "t";
    const std::string body(PQgetvalue(r.get(), i, 2),
                           PQgetlength(r.get(), i, 2));
    if (i == 0 && delta) {
      return absl::InvalidArgumentError(absl::StrCat(
          name, ": version ", PQgetvalue(r.get(), i, 0),
          " is kept as a change to an earlier version that is no longer "
          "kept"));
    }
    if (!delta) {
      ASSIGN_OR_RETURN(chain.state, ParseState(body, name));
      chain.whole_bytes = body.size();
    } else {
      const std::string removed(PQgetvalue(r.get(), i, 3));
      RETURN_IF_ERROR(ApplyDelta(body, removed, name, &chain.state));
      chain.delta_bytes += body.size() + removed.size();
    }
  }
  (void)absl::SimpleAtoi(PQgetvalue(r.get(), rows - 1, 0), &chain.seq);
  return chain;
}

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
  // A version is never changed once stored: when the newest is the one
  // this store read or wrote last, it is known without reading it again.
  ASSIGN_OR_RETURN(Result head,
                   c->Exec("SELECT max(seq) FROM podform_state_versions "
                           "WHERE key = $1",
                           {location_.key}));
  int64_t seq = -1;
  if (!PQgetisnull(head.get(), 0, 0) &&
      absl::SimpleAtoi(PQgetvalue(head.get(), 0, 0), &seq)) {
    if (seq == own_seq_) return own_state_;
    if (seq == read_seq_) return read_state_;
  }
  ASSIGN_OR_RETURN(Chain chain, ReadChain(c, location_.key, kNewest, name_));
  read_seq_ = chain.seq;
  read_state_ = chain.state;
  read_whole_bytes_ = chain.whole_bytes;
  read_delta_bytes_ = chain.delta_bytes;
  return std::move(chain.state);
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
                   c->Exec("SELECT seq FROM podform_state_versions WHERE key "
                           "= $1 ORDER BY seq DESC LIMIT 1",
                           {location_.key}));
  int64_t seq = 0;
  absl::StatusOr<State> stored = absl::NotFoundError("nothing stored");
  const State* base = nullptr;  // what is stored, whole, when known
  State read;
  if (PQntuples(head.get()) > 0) {
    if (!absl::SimpleAtoi(PQgetvalue(head.get(), 0, 0), &seq)) {
      return absl::InternalError(absl::StrCat(name_, ": bad seq"));
    }
    if (seq == own_seq_) {
      // The version this store wrote last: known without reading it.
      State known;
      known.lineage = own_state_.lineage;
      known.serial = own_state_.serial;
      stored = std::move(known);
      base = &own_state_;
    } else if (seq == read_seq_) {
      // The version Read returned last (apply reads, then writes).
      stored = read_state_;
      base = &read_state_;
      chain_whole_bytes_ = read_whole_bytes_;
      chain_delta_bytes_ = read_delta_bytes_;
    } else {
      absl::StatusOr<Chain> chain = ReadChain(c, location_.key, seq, name_);
      if (chain.ok() && chain->seq == seq) {
        read = std::move(chain->state);
        stored = read;
        base = &read;
        chain_whole_bytes_ = chain->whole_bytes;
        chain_delta_bytes_ = chain->delta_bytes;
      } else if (chain.ok() || absl::IsNotFound(chain.status())) {
        *lost_race = true;  // pruned meanwhile: look again
        return absl::AbortedError(absl::StrCat(name_, " changed meanwhile"));
      } else {
        stored = chain.status();
      }
    }
  }
  ASSIGN_OR_RETURN(const int64_t serial,
                   CheckWrite(stored, *state, name_, own_serial_));
  // The new version is kept as its change to the stored one while the
  // changes kept since the last whole version stay under a quarter of it:
  // a write costs what it changes, and a read at most 1.25 whole versions.
  std::string body;
  std::optional<std::string> removed;
  int64_t changes = static_cast<int64_t>(state->resources.size());
  if (base != nullptr) {
    Delta delta = MakeDelta(*base, *state, serial);
    changes = static_cast<int64_t>(delta.changed.resources.size() +
                                   delta.removed_resources.size());
    body = SerializeState(delta.changed);
    removed = RemovedJson(delta);
    if (chain_delta_bytes_ + body.size() + removed->size() >
        chain_whole_bytes_ / 4) {
      removed.reset();
    }
  }
  if (!removed.has_value()) body = serializer_.Serialize(*state, serial);
  const int64_t previous_own_serial = own_serial_;
  own_serial_ = serial;
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  std::string sqlstate;
  absl::StatusOr<Result> inserted = c->Exec(
      "INSERT INTO podform_state_versions (key, seq, serial, lineage, body, "
      "host, os_user, pid, command, changes, delta, removed) VALUES ($1, $2, "
      "$3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {location_.key, absl::StrCat(seq + 1), absl::StrCat(serial),
       state->lineage, body, std::string(host), OsUser(),
       absl::StrCat(::getpid()), lock_conn_.expired() ? "" : command_,
       absl::StrCat(changes),
       removed.has_value() ? "true" : "false", removed},
      &sqlstate);
  if (!inserted.ok()) {
    // The server answered with an error: nothing was stored. (Without an
    // answer, e.g. a lost connection, it may have been: own_serial_ stays.)
    if (!sqlstate.empty()) own_serial_ = previous_own_serial;
    if (sqlstate == kUniqueViolation) *lost_race = true;
    return inserted.status();
  }
  own_seq_ = seq + 1;
  state->serial = serial;
  own_state_ = *state;
  if (removed.has_value()) {
    chain_delta_bytes_ += body.size() + removed->size();
  } else {
    chain_whole_bytes_ = body.size();
    chain_delta_bytes_ = 0;
  }
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
                   c->Exec("SELECT seq FROM podform_state_versions WHERE "
                           "key = $1 AND serial = $2 ORDER BY seq DESC LIMIT 1",
                           {location_.key, absl::StrCat(serial)}));
  int64_t seq = 0;
  if (PQntuples(r.get()) == 0 ||
      !absl::SimpleAtoi(PQgetvalue(r.get(), 0, 0), &seq)) {
    return absl::NotFoundError(
        absl::StrCat(name_, " keeps no version with serial ", serial));
  }
  ASSIGN_OR_RETURN(Chain chain,
                   ReadChain(c, location_.key, seq,
                             absl::StrCat(name_, " (serial ", serial, ")")));
  return std::move(chain.state);
}

absl::StatusOr<int64_t> PostgresStateStore::Prune(int64_t keep) {
  if (keep < 1) {
    return absl::InvalidArgumentError(
        "prune keeps at least one version (the current state)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  ASSIGN_OR_RETURN(Connection * c, Connected());
  RETURN_IF_ERROR(c->Exec("BEGIN").status());
  absl::StatusOr<int64_t> deleted = [&]() -> absl::StatusOr<int64_t> {
    // One prune of a key at a time.
    RETURN_IF_ERROR(c->Exec("SELECT pg_advisory_xact_lock(hashtextextended("
                            "$1, 0))",
                            {absl::StrCat("podform:prune:", location_.key)})
                        .status());
    ASSIGN_OR_RETURN(
        Result oldest,
        c->Exec("SELECT seq, delta FROM podform_state_versions WHERE key = $1 "
                "ORDER BY seq DESC LIMIT 1 OFFSET $2",
                {location_.key, absl::StrCat(keep - 1)}));
    if (PQntuples(oldest.get()) == 0) return 0;  // keeps them all
    int64_t first_kept = 0;
    (void)absl::SimpleAtoi(PQgetvalue(oldest.get(), 0, 0), &first_kept);
    if (std::string_view(PQgetvalue(oldest.get(), 0, 1)) == "t") {
      // The oldest version kept is a change to versions about to go: keep
      // it whole instead.
      ASSIGN_OR_RETURN(Chain chain,
                       ReadChain(c, location_.key, first_kept, name_));
      RETURN_IF_ERROR(
          c->Exec("UPDATE podform_state_versions SET body = $3, delta = "
                  "false, removed = NULL WHERE key = $1 AND seq = $2",
                  {location_.key, absl::StrCat(first_kept),
                   SerializeState(chain.state)})
              .status());
    }
    ASSIGN_OR_RETURN(Result r,
                     c->Exec("DELETE FROM podform_state_versions WHERE key = "
                             "$1 AND seq < $2",
                             {location_.key, absl::StrCat(first_kept)}));
    int64_t count = 0;
    (void)absl::SimpleAtoi(PQcmdTuples(r.get()), &count);
    return count;
  }();
  if (!deleted.ok()) {
    (void)c->Exec("ROLLBACK");
    return deleted.status();
  }
  RETURN_IF_ERROR(c->Exec("COMMIT").status());
  return deleted;
}

}  // namespace podform
