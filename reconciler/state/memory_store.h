#ifndef PODFORM_RECONCILER_STATE_MEMORY_STORE_H_
#define PODFORM_RECONCILER_STATE_MEMORY_STORE_H_

// A StateStore in memory, for tests of plan, apply and the commands. It keeps
// the very bytes FileStateStore would write, so tests can assert the exact
// lock file and plant unreadable ones. Thread-safe.

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "reconciler/state/store.h"

namespace podform {

class MemoryStateStore : public StateStore {
 public:
  // `name` stands for the file name in messages.
  explicit MemoryStateStore(std::string name = "podform.lock",
                            Clock now = absl::Now);

  absl::StatusOr<State> Read() override;
  absl::Status Write(State* state) override;
  // One holder at a time per store object; the holder is this process.
  absl::StatusOr<std::unique_ptr<StateLock>> Lock(
      const std::string& command) override;

  // The stored bytes; nullopt when nothing is stored.
  std::optional<std::string> contents() const;
  // Replaces the stored bytes as if someone edited the file.
  void set_contents(std::optional<std::string> contents);
  // The number of successful writes.
  int writes() const;

 private:
  struct Shared {
    std::mutex mu;
    std::optional<std::string> contents;
    std::optional<LockInfo> holder;
    int64_t own_serial = -1;
    int writes = 0;
    StateSerializer serializer;
  };
  class Held;

  const std::string name_;
  const Clock now_;
  const std::shared_ptr<Shared> shared_;  // shared with outstanding locks
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_STATE_MEMORY_STORE_H_
