#include "reconciler/apply/recorder.h"

#include <algorithm>

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

class SteadyRecorderClock : public RecorderClock {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void WaitUntil(std::unique_lock<std::mutex>& lock,
                 std::condition_variable& cv, TimePoint deadline) override {
    cv.wait_until(lock, deadline);
  }
};

}  // namespace

RecorderClock* RecorderClock::Steady() {
  static SteadyRecorderClock* const clock = new SteadyRecorderClock;
  return clock;
}

StateRecorder::StateRecorder(State* state, StateStore* store,
                             RecorderOptions options)
    : state_(state),
      store_(store),
      options_(options),
      clock_(options.clock != nullptr ? options.clock
                                      : RecorderClock::Steady()),
      last_write_ended_(clock_->Now()) {
  if (store_ == nullptr) return;
  to_write_ = *state_;
  if (options_.write_in_background) {
    background_ = std::thread([this] { WriteInBackground(); });
  }
}

StateRecorder::~StateRecorder() {
  if (!background_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  background_.join();
}

absl::Status StateRecorder::Commit(const std::vector<Address>& addresses,
                                   const std::function<void(State&)>& mutate,
                                   Durability durability) {
  std::unique_lock<std::mutex> lock(mu_);
  mutate(*state_);
  const uint64_t mine = ++changed_;
  if (store_ == nullptr) return absl::OkStatus();
  dirty_.insert(addresses.begin(), addresses.end());
  if (durability == Durability::kLater) {
    cv_.notify_all();  // the background writer's turn may have come
    return absl::OkStatus();
  }
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
      cv_.wait(lock);
      continue;
    }
    if (tried_ >= generation) {  // a write that carried it failed
      if (!retry) return last_error_;
      retry = false;
    }
    // This thread writes everything changed so far, its own change included.
    WriteChanges(lock);
  }
  return absl::OkStatus();
}

void StateRecorder::WriteChanges(std::unique_lock<std::mutex>& lock) {
  const uint64_t target = changed_;
  for (const Address& address : dirty_) {
    CopyEntry(address, state_->resources, to_write_.resources);
    CopyEntry(address, state_->intents, to_write_.intents);
    CopyEntry(address, state_->deposed, to_write_.deposed);
  }
  dirty_.clear();
  const RecorderClock::TimePoint start = clock_->Now();
  absl::Status status = WriteWithLockReleased(
      lock, writing_, cv_, [&] { return store_->Write(&to_write_); });
  last_write_ended_ = clock_->Now();
  last_write_took_ = last_write_ended_ - start;
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

absl::Status StateRecorder::first_error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return first_error_;
}

void StateRecorder::WriteInBackground() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    // A change no write has tried yet. (One that a write failed to carry
    // is left to Flush, which tries it once more.)
    if (writing_ || tried_ >= changed_) {
      cv_.wait(lock);
      continue;
    }
    const RecorderClock::TimePoint due =
        last_write_ended_ +
        std::max<RecorderClock::TimePoint::duration>(
            absl::ToChronoNanoseconds(options_.min_interval),
            options_.spacing * last_write_took_);
    if (clock_->Now() < due) {
      // Woken by a change, a write's end or the destructor too.
      clock_->WaitUntil(lock, cv_, due);
      continue;
    }
    WriteChanges(lock);
  }
}

void StateRecorder::Read(const std::function<void(const State&)>& read) const {
  std::lock_guard<std::mutex> lock(mu_);
  read(*state_);
}

}  // namespace podform
