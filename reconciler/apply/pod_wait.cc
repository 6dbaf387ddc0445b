#include "reconciler/apply/pod_wait.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace podform {
namespace {

std::string Seconds(absl::Duration d) {
  return absl::StrCat(absl::ToInt64Seconds(d), "s");
}

}  // namespace

PodWaiter::PodWaiter(Provider* provider, PodWaitOptions options)
    : provider_(provider), options_(std::move(options)) {}

absl::Time PodWaiter::Now() const {
  return options_.now ? options_.now() : absl::Now();
}

void PodWaiter::Sleep(absl::Duration d) const {
  if (d <= absl::ZeroDuration()) return;
  if (options_.sleep) {
    options_.sleep(d);
  } else {
    absl::SleepFor(d);
  }
}

void PodWaiter::Add(Waiting waiting) {
  absl::Time now = Now();
  std::lock_guard<std::mutex> lock(mutex_);
  entries_.emplace(next_key_++,
                   Entry{std::move(waiting), now,
                         now + options_.progress_every, ""});
  changed_.notify_all();
}

void PodWaiter::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

void PodWaiter::Run() {
  absl::Duration interval = options_.first_poll;
  for (;;) {
    absl::Time next_due;
    int added_before = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return closed_ || !entries_.empty(); });
      if (entries_.empty()) return;  // closed, nothing waits
      next_due = absl::InfiniteFuture();
      for (const auto& [key, entry] : entries_) {
        next_due = std::min({next_due, entry.progress_due,
                             entry.since + options_.timeout});
      }
      added_before = next_key_;
    }
    // Poll after the backoff interval, or sooner when a progress line or a
    // timeout is due.
    Sleep(std::min(interval, next_due - Now()));
    Poll();
    // A pod that started waiting since the last sleep began is polled
    // first_poll after this poll, not after the others' backoff: the
    // backoff restarts.
    bool added;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      added = next_key_ != added_before;
    }
    interval = added ? options_.first_poll
                     : std::min(interval * 2, options_.max_poll);
  }
}

void PodWaiter::Poll() {
  if (options_.interrupt != nullptr && options_.interrupt->load()) {
    std::map<int, Entry> left;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      left.swap(entries_);
    }
    for (auto& [key, entry] : left) entry.waiting.done(absl::OkStatus());
    return;
  }
  // A pod added while the listing is under way may have been created
  // after the listing was taken: this poll leaves it for the next.
  int listed_before;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    listed_before = next_key_;
  }
  absl::StatusOr<LiveState> live = provider_->Refresh();
  const absl::Time now = Now();
  std::vector<std::pair<Waiting, absl::Status>> settled;
  std::vector<std::pair<Waiting, std::string>> progress;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = entries_.begin();
         it != entries_.end() && it->first < listed_before;) {
      Entry& entry = it->second;
      const std::string& id = entry.waiting.pod_id;
      absl::Duration waited = now - entry.since;
      std::optional<absl::Status> outcome;
      if (live.ok()) {
        const LivePod* pod = live->FindPod(id);
        if (pod == nullptr || pod->Gone()) {
          outcome = absl::FailedPreconditionError(absl::StrCat(
              "pod ", id, " disappeared before it reached RUNNING"));
        } else if (pod->phase == PodPhase::kUnknown ||
                   pod->phase == PodPhase::kRunning) {
          outcome = absl::OkStatus();
        } else if (pod->phase == PodPhase::kError) {
          outcome = absl::FailedPreconditionError(absl::StrCat(
              "pod ", id, " reached ERROR after ", Seconds(waited),
              " instead of RUNNING (RunPod: the container is in an "
              "unrecoverable error state; see the pod's logs)"));
        } else if (pod->phase == PodPhase::kExited) {
          outcome = absl::FailedPreconditionError(absl::StrCat(
              "pod ", id, " stopped (EXITED) before it reached RUNNING"));
        } else {
          entry.last_phase = std::string(PodPhaseWord(pod->phase));
        }
      }
      if (!outcome.has_value() && waited >= options_.timeout) {
        outcome = absl::DeadlineExceededError(absl::StrCat(
            "pod ", id, " did not reach RUNNING within ",
            absl::FormatDuration(options_.timeout), " (last ",
            entry.last_phase.empty() ? std::string("status unknown")
                                     : "seen " + entry.last_phase,
            live.ok() ? "" : absl::StrCat("; last poll: ",
                                          live.status().message()),
            "); raise --wait-timeout, or use --no-wait"));
      }
      if (outcome.has_value()) {
        settled.emplace_back(std::move(entry.waiting), std::move(*outcome));
        it = entries_.erase(it);
        continue;
      }
      if (now >= entry.progress_due) {
        entry.progress_due = now + options_.progress_every;
        progress.emplace_back(
            entry.waiting,
            absl::StrCat("waiting for RUNNING: ",
                         entry.last_phase.empty() ? std::string("no answer")
                                                  : entry.last_phase,
                         " after ", Seconds(waited)));
      }
      ++it;
    }
  }
  for (auto& [waiting, line] : progress) {
    if (waiting.progress) waiting.progress(line);
  }
  for (auto& [waiting, status] : settled) waiting.done(status);
}

}  // namespace podform
