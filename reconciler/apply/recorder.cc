#include "reconciler/apply/recorder.h"

#include "reconciler/state/store.h"

namespace podform {

StateRecorder::StateRecorder(State* state, StateStore* store)
    : state_(state), store_(store) {}

absl::Status StateRecorder::Commit(const std::function<void(State&)>& mutate) {
  std::unique_lock<std::mutex> lock(mu_);
  mutate(*state_);
  const uint64_t mine = ++changed_;
  if (store_ == nullptr) {
    durable_ = mine;
    return absl::OkStatus();
  }
  while (durable_ < mine) {
    if (writing_) {
      written_.wait(lock);
      continue;
    }
    // This thread writes everything changed so far, its own change included.
    writing_ = true;
    const uint64_t target = changed_;
    State snapshot = *state_;
    lock.unlock();
    absl::Status status = store_->Write(&snapshot);
    lock.lock();
    // The store numbers each write; keep the in-memory serial in step.
    if (status.ok()) state_->serial = snapshot.serial;
    writing_ = false;
    durable_ = target;
    last_write_ = status;
    if (!status.ok() && first_error_.ok()) first_error_ = status;
    written_.notify_all();
  }
  return last_write_;
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
