#include "reconciler/apply/recorder.h"

#include "reconciler/state/store.h"
#include "reconciler/util/group_commit.h"

namespace podform {
namespace {

// Makes `to`'s entry of `address` in `map` what `from`'s is.
template <typename Map>
void CopyEntry(const Address& address, const Map& from, Map& to) {
  auto it = from.find(address);
  if (it == from.end()) {
    to.erase(address);
  } else {
    to.insert_or_assign(address, it->second);
  }
}

}  // namespace

StateRecorder::StateRecorder(State* state, StateStore* store)
    : state_(state), store_(store) {
  if (store_ != nullptr) to_write_ = *state_;
}

absl::Status StateRecorder::Commit(const Address& address,
                                   const std::function<void(State&)>& mutate,
                                   Durability durability) {
  std::unique_lock<std::mutex> lock(mu_);
  mutate(*state_);
  const uint64_t mine = ++changed_;
  if (store_ == nullptr) return absl::OkStatus();
  dirty_.insert(address);
  if (durability == Durability::kLater) return absl::OkStatus();
  return WaitWritten(lock, mine, /*retry=*/false);
}

absl::Status StateRecorder::Flush() {
  std::unique_lock<std::mutex> lock(mu_);
  if (store_ == nullptr) return absl::OkStatus();
  return WaitWritten(lock, changed_, /*retry=*/true);
}

absl::Status StateRecorder::WaitWritten(std::unique_lock<std::mutex>& lock,
                                        uint64_t generation, bool retry) {
  while (stored_ < generation) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    if (tried_ >= generation) {  // a write that carried it failed
      if (!retry) return last_error_;
      retry = false;
    }
    // This thread writes everything changed so far, its own change included.
    const uint64_t target = changed_;
    for (const Address& address : dirty_) {
      CopyEntry(address, state_->resources, to_write_.resources);
      CopyEntry(address, state_->intents, to_write_.intents);
    }
    dirty_.clear();
    absl::Status status = WriteWithLockReleased(
        lock, writing_, written_, [&] { return store_->Write(&to_write_); });
    tried_ = target;
    if (status.ok()) {
      stored_ = target;
      // The store numbers each write; keep the in-memory serial in step.
      state_->serial = to_write_.serial;
    } else {
      last_error_ = status;
      if (first_error_.ok()) first_error_ = status;
    }
  }
  return absl::OkStatus();
}

void StateRecorder::Read(const std::function<void(const State&)>& read) const {
  std::lock_guard<std::mutex> lock(mu_);
  read(*state_);
}

absl::Status StateRecorder::write_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_error_;
}

}  // namespace podform
