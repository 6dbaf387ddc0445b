#ifndef PODFORM_RECONCILER_SANDBOX_STORE_H_
#define PODFORM_RECONCILER_SANDBOX_STORE_H_

// The sandbox's Account together with its data file (format:
// account_json.h) and the one mutex that guards both. A mutation changes the
// Account and then calls Commit, which returns once the files hold the
// change; only then is the mutation answered.
//
// What a commit writes is small: one line, appended to a journal beside the
// data file (PATH.journal), with the volumes and pods the commit changed.
// Once the journal has grown as large as the data file, the data file is
// written whole (replaced atomically) and the journal emptied, so a commit
// costs what it changed, plus an amortized share of the whole file, not a
// rewrite of the whole account. Opening the store replays the journal over
// the data file and folds them into one data file again; so does closing
// it. Neither file is fsynced: together they survive the sandbox being
// killed at any moment (a line cut short by the kill was never answered
// and is dropped), not an OS crash.
//
// Commits are grouped: the files are written without the mutex held, and
// the mutations that arrive meanwhile go out together in the next write, so
// concurrent mutations do not queue behind one write each. While a write is
// under way, other requests see the account with the changes it carries (as
// they would on RunPod, which answers a read during another request's
// commit); if the write fails, those changes are undone.

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reconciler/sandbox/account.h"
#include "reconciler/util/holder_lock.h"

namespace podform::sandbox {

struct StoreOptions {
  // The data file; "" keeps the state in memory only (nothing persisted).
  std::string path;
  // Seed for a new data file (ignored when the file exists: its generator
  // state continues).
  uint64_t seed = 0;
  Clock clock;  // null: absl::Now
  // For tests: runs before each write of the data file, without the lock.
  std::function<void()> before_write;
  // Who owns the data file, for the holder record of its lock (below).
  std::string owner = "podform sandbox";
  // `sandbox serve --balance`: the account's balance (clientBalance, USD)
  // from now on, saved in the data file; nullopt keeps the file's.
  std::optional<double> client_balance;
};

class SandboxStore {
 public:
  // Loads options.path if it exists and continues from it; otherwise creates
  // its missing directories (mode 0700; one that exists is left exactly as
  // it is) and writes a new, empty account there.
  // First takes an exclusive lock on the data file, held until the store is
  // destroyed: flock on PATH.flock (created beside it, mode 0600) holding a
  // record of this process (pid, host, options.owner, since), so that two
  // processes never share one account (util/holder_lock.h).
  // Errors:
  //   FailedPrecondition  another process holds the data file: "PATH is
  //                       locked by pid P on host "H" running "C" since S".
  //   FailedPrecondition  the file exists but is not a valid data file; the
  //                       message names the file and the problem. The file is
  //                       left untouched (never silently reset).
  //   Internal            the file or its directory cannot be read/written.
  static absl::StatusOr<std::unique_ptr<SandboxStore>> Open(
      StoreOptions options);

  // Folds the journal into the data file (errors go to stderr).
  ~SandboxStore();

  // The state that the data file at `path` and its journal hold together,
  // as Open would load it, in the data file's form (AccountToJsonText).
  // Changes neither file. Errors as Open's.
  static absl::StatusOr<std::string> StateOnDisk(const std::string& path);

  // The lock to hold while using account() or calling Commit().
  std::unique_lock<std::mutex> Lock() {
    return std::unique_lock<std::mutex>(mutex_);
  }

  // REQUIRES: Lock() held.
  Account& account() { return account_; }

  // Persists the account after a mutation. REQUIRES: Lock() held by the
  // calling thread. Commit lets go of the mutex while the file is written
  // and holds it again when it returns.
  // On a write failure the account is restored to its last committed state
  // (which the file still holds: the replacement is atomic), so memory and
  // file never disagree, and SomethingWentWrongError() (Internal) is
  // returned to every mutation the failed write undid.
  absl::Status Commit();

  // Successful Commit()s since Open. REQUIRES: Lock() held.
  uint64_t commits() const { return commits_; }
  // Writes since Open (each may carry several commits).
  // REQUIRES: Lock() held.
  uint64_t writes() const { return writes_; }
  // Of those, the writes of the whole data file. REQUIRES: Lock() held.
  uint64_t data_file_writes() const { return data_file_writes_; }

  const std::string& path() const { return options_.path; }
  std::string journal_path() const;  // path() + ".journal"
  std::string lock_path() const;     // path() + ".flock"

 private:
  SandboxStore(StoreOptions options, Account account, std::string text)
      : options_(std::move(options)),
        account_(std::move(account)),
        committed_text_(std::move(text)) {}

  // Whether change `generation` was undone by a failed write.
  bool Undone(uint64_t generation) const;
  // Appends `line` to the journal, whole or (after a failure) not at all.
  absl::Status Append(const std::string& line);
  // Writes `text` as the data file and empties the journal.
  absl::Status WriteDataFile(const std::string& text);

  StoreOptions options_;
  // The data file's lock; released after the destructor's last write.
  std::unique_ptr<HolderLock> lock_;
  std::mutex mutex_;
  std::condition_variable written_cv_;
  Account account_;
  std::string committed_text_;     // the data file's contents
  std::string committed_journal_;  // the journal's contents
  int journal_fd_ = -1;            // opened for appending on first use
  // An append failed and could not be taken back: the journal may end in a
  // part of a line, so the next write is a whole data file.
  bool journal_damaged_ = false;
  uint64_t data_file_writes_ = 0;
  uint64_t commits_ = 0;
  uint64_t writes_ = 0;
  uint64_t changed_ = 0;   // generation of the last change
  uint64_t written_ = 0;   // generation the data file holds
  bool writing_ = false;
  // Generations [first, last] undone by failed writes (one range per run
  // of consecutive failures).
  std::vector<std::pair<uint64_t, uint64_t>> undone_;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_STORE_H_
