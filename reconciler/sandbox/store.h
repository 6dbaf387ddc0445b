#ifndef PODFORM_RECONCILER_SANDBOX_STORE_H_
#define PODFORM_RECONCILER_SANDBOX_STORE_H_

// The sandbox's Account together with its data file (format:
// account_json.h) and the one mutex that guards both. A mutation changes the
// Account and then calls Commit, which replaces the file atomically
// (WriteFileAtomically) before the mutation's answer is sent; concurrent
// requests are serialized by the mutex, so the file always holds a whole,
// consistent state.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reconciler/sandbox/account.h"

namespace podform::sandbox {

struct StoreOptions {
  // The data file; "" keeps the state in memory only (nothing persisted).
  std::string path;
  // Seed for a new data file (ignored when the file exists: its generator
  // state continues).
  uint64_t seed = 0;
  Clock clock;  // null: absl::Now
};

class SandboxStore {
 public:
  // Loads options.path if it exists and continues from it; otherwise creates
  // its directory (mode 0700) and writes a new, empty account there.
  // Errors:
  //   FailedPrecondition  the file exists but is not a valid data file; the
  //                       message names the file and the problem. The file is
  //                       left untouched (never silently reset).
  //   Internal            the file or its directory cannot be read/written.
  static absl::StatusOr<std::unique_ptr<SandboxStore>> Open(
      StoreOptions options);

  // The lock to hold while using account() or calling Commit().
  std::unique_lock<std::mutex> Lock() {
    return std::unique_lock<std::mutex>(mutex_);
  }

  // REQUIRES: Lock() held.
  Account& account() { return account_; }

  // Persists the account after a mutation. REQUIRES: Lock() held.
  // On a write failure the account is restored to its last committed state
  // (which the file still holds: the replacement is atomic), so memory and
  // file never disagree, and SomethingWentWrongError() (Internal) is
  // returned.
  absl::Status Commit();

  // Successful Commit()s since Open. REQUIRES: Lock() held.
  uint64_t commits() const { return commits_; }

  const std::string& path() const { return options_.path; }

 private:
  SandboxStore(StoreOptions options, Account account, std::string text)
      : options_(std::move(options)),
        account_(std::move(account)),
        committed_text_(std::move(text)) {}

  StoreOptions options_;
  std::mutex mutex_;
  Account account_;
  std::string committed_text_;  // the data file's contents
  uint64_t commits_ = 0;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_STORE_H_
