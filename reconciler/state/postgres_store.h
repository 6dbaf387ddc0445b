#ifndef PODFORM_RECONCILER_STATE_POSTGRES_STORE_H_
#define PODFORM_RECONCILER_STATE_POSTGRES_STORE_H_

// The state in a PostgreSQL database (libpq), for a team: one state per
// project key, every version kept, a lock that the server frees when its
// holder's connection dies. docs/STATE.md describes the tables.

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/state/serialize.h"
#include "reconciler/state/store.h"

namespace podform {

// True when `location` (--state, PODFORM_STATE) is a libpq connection URI:
// it starts with "postgres://" or "postgresql://".
bool IsPostgresUri(std::string_view location);

// A --state URI taken apart.
struct PostgresLocation {
  std::string conninfo;  // the URI for libpq, without the `key` parameter
  std::string key;       // the project's state within the database
  std::string display;   // the URI without key or password, for messages
  std::string password;  // from the URI (userinfo or `password=`), if any
};

// Splits `uri`: the project key is its `key` query parameter, else
// `env_key` (PODFORM_STATE_KEY) when not empty, else `default_key` (the
// config directory's name). Percent-escapes in the key are decoded.
PostgresLocation ParsePostgresUri(const std::string& uri,
                                  const std::string& env_key,
                                  const std::string& default_key);

// `text` with every occurrence of each non-empty `secrets` entry replaced
// by "***".
std::string RedactSecrets(std::string text,
                          const std::vector<std::string>& secrets);

// The schema version this podform creates and reads.
inline constexpr int kPostgresSchemaVersion = 1;

// Tables (created on first use, under a transaction-level advisory lock so
// that two first runs do not race):
//   podform_schema(version)          one row: the schema version; a higher
//                                    version than kPostgresSchemaVersion is
//                                    refused (FailedPrecondition).
//   podform_state_versions(key, seq, serial, lineage, body, written_at,
//                          host, os_user, pid, command, changes)
//                                    every version of every key; PRIMARY KEY
//                                    (key, seq); the newest is the highest
//                                    seq; body is the lock-file JSON.
//   podform_locks(key, backend_pid, pid, host, command, since)
//                                    who holds a key's lock.
// Read: the newest version's body, parsed (NotFound when the key has none).
// Write: one transaction: reads the newest version (or, when it is the very
// version this store wrote last, knows it without parsing), applies the
// StateStore checks (PrepareWrite), and inserts seq + 1; a concurrent writer
// that inserted that seq first makes the insert fail on the primary key, and
// the write is then checked again against what that writer stored (Aborted
// when it holds a higher serial). Every version is kept.
// Lock: pg_try_advisory_lock(hashtextextended("podform:" + key)) on a
// connection of its own, held for the life of the returned lock, plus a
// podform_locks row naming the holder. A loser reads the row (ignoring a
// row whose backend no longer holds an advisory lock) to name the holder.
// The server releases the lock when that connection ends. While a lock
// from this store is held, Write first checks that its connection is still
// alive (SELECT 1) and fails with Unavailable, writing nothing, once it is
// not: another run may hold the lock by then.
// No error message holds the password (the URI's, or the one libpq used).
// Connects on first use; calls from several threads are serialized.
class PostgresStateStore : public StateStore {
 public:
  explicit PostgresStateStore(PostgresLocation location,
                              Clock now = absl::Now);
  ~PostgresStateStore() override;

  absl::StatusOr<State> Read() override;
  absl::Status Write(State* state) override;
  absl::StatusOr<std::unique_ptr<StateLock>> Lock(
      const std::string& command) override;

  // How the store names itself: `state "KEY" in DISPLAY-URI`.
  const std::string& name() const { return name_; }
  const PostgresLocation& location() const { return location_; }

  // One row of podform_state_versions, without the body.
  struct Version {
    int64_t seq = 0;
    std::optional<int64_t> serial;
    std::string written_at;  // RFC 3339 UTC
    std::string host;
    std::string os_user;
    int64_t pid = 0;
    std::string command;
    std::optional<int64_t> changes;
  };
  // Every version of this key, oldest first.
  absl::StatusOr<std::vector<Version>> History();

  // The kept version of this key with `serial` (the newest such, should
  // there be several), parsed as Read does. NotFound when none is kept.
  absl::StatusOr<State> ReadSerial(int64_t serial);

  // Deletes every version of this key but the `keep` newest, in one
  // statement: the newest version (the current state) is never deleted,
  // even by a write racing with it. Returns how many were deleted.
  // InvalidArgument when keep < 1.
  absl::StatusOr<int64_t> Prune(int64_t keep);

  class Connection;

 private:
  absl::StatusOr<Connection*> Connected();
  absl::Status TryWrite(State* state, bool* lost_race);

  const PostgresLocation location_;
  const std::string name_;
  const Clock now_;
  std::mutex mu_;
  std::unique_ptr<Connection> conn_;  // guarded by mu_
  // The connection of the last Lock() while that lock is held (guarded by
  // mu_).
  std::weak_ptr<Connection> lock_conn_;
  // What this store wrote last (guarded by mu_).
  int64_t own_serial_ = -1;
  int64_t own_seq_ = -1;
  State own_state_;
  std::string command_;  // of the last Lock(), recorded with each version
  StateSerializer serializer_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_POSTGRES_STORE_H_
