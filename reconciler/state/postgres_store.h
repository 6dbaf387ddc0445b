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
inline constexpr int kPostgresSchemaVersion = 2;

// Tables (created on first use, under a transaction-level advisory lock so
// that two first runs do not race; the tables of schema version 1 are
// upgraded in place the same way):
//   podform_schema(version)          one row: the schema version; a higher
//                                    version than kPostgresSchemaVersion is
//                                    refused (FailedPrecondition).
//   podform_state_versions(key, seq, serial, lineage, body, written_at,
//                          host, os_user, pid, command, changes, delta,
//                          removed)
//                                    every version of every key; PRIMARY KEY
//                                    (key, seq); the newest is the highest
//                                    seq. A whole version (delta false) has
//                                    the lock-file JSON as its body; a delta
//                                    (delta true) is a change to version
//                                    seq - 1: its body is the lock-file JSON
//                                    of a state holding only the resources
//                                    and intents that are new or changed,
//                                    and `removed` lists the addresses that
//                                    went ({"intents": [...], "resources":
//                                    [...]}).
//   podform_locks(key, backend_pid, pid, host, command, since)
//                                    who holds a key's lock.
// Read: the newest whole version and the deltas after it, parsed (NotFound
// when the key has none); a store that read or wrote the newest version
// itself knows it without reading it again (a stored version never
// changes).
// Write: one transaction: reads the newest version (or, when it is the very
// version this store wrote or read last, knows it without reading), applies
// the StateStore checks (CheckWrite), and inserts seq + 1, as a delta while the
// deltas since the newest whole version stay under a quarter of its size,
// else whole: a write of a few changes costs what they change, not the size
// of the state, and a read costs at most 1.25 whole versions. A concurrent
// writer that inserted that seq first makes the insert fail on the primary
// key, and the write is then checked again against what that writer stored
// (Aborted when it holds a higher serial). Every version is kept.
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
  // transaction: the newest version (the current state) is never deleted,
  // even by a write racing with it, and the oldest version kept is stored
  // whole if it was a delta. Returns how many were deleted. InvalidArgument
  // when keep < 1.
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
  // What Read returned last, its seq and the sizes of the chain it was
  // read from, as chain_*_bytes_ below (guarded by mu_).
  int64_t read_seq_ = -1;
  State read_state_;
  size_t read_whole_bytes_ = 0;
  size_t read_delta_bytes_ = 0;
  // Sizes of the newest whole version at or before own_seq_, and of the
  // deltas after it (guarded by mu_).
  size_t chain_whole_bytes_ = 0;
  size_t chain_delta_bytes_ = 0;
  // Of the last Lock(), recorded with each version written while that lock
  // is held (guarded by mu_).
  std::string command_;
  StateSerializer serializer_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_POSTGRES_STORE_H_
