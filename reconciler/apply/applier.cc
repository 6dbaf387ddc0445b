#include "reconciler/apply/applier.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "reconciler/apply/concurrency.h"
#include "reconciler/apply/kind_steps.h"
#include "reconciler/apply/recorder.h"
#include "reconciler/apply/steps.h"
#include "reconciler/plan/steps.h"

namespace podform {

bool ApplyResult::ok() const {
  return !interrupted && error.ok() &&
         Count(StepOutcome::kSucceeded) == static_cast<int>(steps.size());
}

int ApplyResult::Count(StepOutcome outcome) const {
  return static_cast<int>(
      std::count_if(steps.begin(), steps.end(),
                    [&](const StepResult& s) { return s.outcome == outcome; }));
}

namespace {

// The plan's changes as a dependency graph, handed out to workers as their
// dependencies finish.
class Scheduler {
 public:
  // `halt` returns why no new step may start ("" while they may).
  Scheduler(const Plan& plan, const std::vector<Step>& steps,
            const ApplyOptions& options, std::function<std::string()> halt)
      : options_(options), halt_(std::move(halt)) {
    nodes_.reserve(steps.size());
    for (size_t i = 0; i < steps.size(); ++i) {
      nodes_.push_back(
          Node{&plan.changes[steps[i].change], steps[i].phase, {}});
      for (size_t before : steps[i].after) {
        nodes_[before].dependents.push_back(static_cast<int>(i));
        ++nodes_[i].waiting_on;
      }
    }
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (nodes_[i].waiting_on == 0) ready_.push_back(static_cast<int>(i));
    }
  }

  // The next step to run, or null when there is nothing left to start.
  const Change* Next(int* node, Phase* phase) {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      if (Interrupted()) {
        SkipUnstarted("interrupted before it started");
        return nullptr;
      }
      if (std::string why = halt_(); !why.empty()) {
        halted_ = true;
        SkipUnstarted(why);
        return nullptr;
      }
      if (!ready_.empty()) {
        *node = ready_.front();
        ready_.pop_front();
        nodes_[*node].started = true;
        const Change* change = nodes_[*node].change;
        *phase = nodes_[*node].phase;
        if (options_.on_event) {
          options_.on_event(StepEvent{
              StepEvent::Type::kStarted, change->address, change->action,
              *phase, StepOutcome::kSucceeded, "", absl::ZeroDuration()});
        }
        return change;
      }
      if (finished_ == nodes_.size()) return nullptr;
      changed_.wait(lock);
    }
  }

  void Finish(int node, StepResult result) {
    std::lock_guard<std::mutex> lock(mu_);
    bool succeeded = result.outcome == StepOutcome::kSucceeded;
    Complete(node, std::move(result));
    for (int dependent : nodes_[node].dependents) {
      if (succeeded) {
        if (--nodes_[dependent].waiting_on == 0) ready_.push_back(dependent);
      } else {
        Skip(dependent, absl::StrCat("skipped: depends on ",
                                     nodes_[node].change->address.ToString(),
                                     ", which did not succeed"));
      }
    }
    changed_.notify_all();
  }

  // Emits a kProgress event for `node`, under the same lock as the others.
  void Progress(int node, const std::string& line) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!options_.on_event) return;
    const Change& change = *nodes_[node].change;
    options_.on_event(StepEvent{StepEvent::Type::kProgress, change.address,
                                change.action, nodes_[node].phase,
                                StepOutcome::kSucceeded, line,
                                absl::ZeroDuration()});
  }

  std::vector<StepResult> TakeResults() { return std::move(results_); }
  bool interrupted() const { return interrupted_; }
  bool halted() const { return halted_; }

 private:
  struct Node {
    const Change* change;
    Phase phase;
    std::vector<int> dependents;
    int waiting_on = 0;
    bool started = false;
    bool done = false;
  };

  bool Interrupted() {
    if (options_.interrupt != nullptr && options_.interrupt->load()) {
      interrupted_ = true;
    }
    return interrupted_;
  }

  void Complete(int node, StepResult result) {
    nodes_[node].done = true;
    ++finished_;
    if (options_.on_event) {
      options_.on_event(StepEvent{StepEvent::Type::kFinished, result.address,
                                  result.action, result.phase, result.outcome,
                                  result.detail, result.elapsed});
    }
    results_.push_back(std::move(result));
  }

  void Skip(int node, const std::string& why) {
    if (nodes_[node].done || nodes_[node].started) return;
    const Change& change = *nodes_[node].change;
    Complete(node,
             StepResult{change.address, change.action, nodes_[node].phase,
                        StepOutcome::kSkipped, why, absl::ZeroDuration()});
    for (int dependent : nodes_[node].dependents) {
      Skip(dependent,
           absl::StrCat("skipped: depends on ", change.address.ToString(),
                        ", which did not succeed"));
    }
  }

  void SkipUnstarted(const std::string& why) {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (!nodes_[i].started && !nodes_[i].done) {
        const Change& change = *nodes_[i].change;
        Complete(static_cast<int>(i),
                 StepResult{change.address, change.action, nodes_[i].phase,
                            StepOutcome::kSkipped, why, absl::ZeroDuration()});
      }
    }
    ready_.clear();
    changed_.notify_all();
  }

  const ApplyOptions& options_;
  const std::function<std::string()> halt_;
  bool halted_ = false;
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<Node> nodes_;
  std::deque<int> ready_;
  size_t finished_ = 0;
  bool interrupted_ = false;
  std::vector<StepResult> results_;
};

}  // namespace

ApplyResult Apply(const Plan& plan, const Desired& config,
                  const SecretValues& secrets, State* state, StateStore* store,
                  Provider* provider, const ApplyOptions& options) {
  StateRecorder recorder(state, store);
  StepRunner runner(config, secrets, provider, &recorder);
  ApplyResult result;
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  if (!steps.ok()) {
    result.error = steps.status();
    return result;
  }
  if (absl::Status declared = runner.DeclareCreates(plan, *steps);
      !declared.ok()) {
    // The write may have reached the file all the same (an fsync that failed
    // after the rename): write the intents' withdrawal too, if it can be.
    recorder.Flush().IgnoreError();
    result.error = absl::Status(
        declared.code(), absl::StrCat(declared.message(),
                                      "; nothing was applied"));
    return result;
  }
  // Events are emitted under the scheduler's lock, one at a time. Once a
  // write of the state has failed, the store may lack what happened: no
  // new step starts.
  Scheduler scheduler(plan, *steps, options, [&recorder]() -> std::string {
    absl::Status failed = recorder.first_error();
    if (failed.ok()) return "";
    return absl::StrCat("not started: the state could not be written (",
                        failed.message(), ")");
  });

  PodWaitOptions wait = options.wait;
  if (wait.interrupt == nullptr) wait.interrupt = options.interrupt;
  PodWaiter waiter(provider, wait);
  std::thread waiter_thread;
  if (options.wait.enabled) waiter_thread = std::thread([&] { waiter.Run(); });

  auto worker = [&]() {
    int node = 0;
    Phase phase = Phase::kCreate;
    while (const Change* change = scheduler.Next(&node, &phase)) {
      if (options.limit != nullptr) options.limit->Acquire();
      absl::Time start = absl::Now();
      absl::StatusOr<std::string> id = runner.Run(*change, phase);
      if (options.limit != nullptr) options.limit->Release(id.ok());
      if (id.ok() && options.wait.enabled &&
          apply_internal::StepsFor(change->address.kind)
              .StartsPod(*change, phase)) {
        // The slot is free again; the step finishes when the pod runs.
        StepResult pending{change->address, change->action, phase,
                           StepOutcome::kSucceeded, *id, absl::ZeroDuration()};
        const bool create_first =
            change->action == Action::kReplace &&
            change->replace_order == ReplaceOrder::kCreateFirst;
        waiter.Add(PodWaiter::Waiting{
            *id,
            [&scheduler, &runner, change, create_first, node, start,
             pending](const absl::Status& status) mutable {
              if (!status.ok()) {
                const std::string new_id = pending.detail;
                pending.outcome = StepOutcome::kFailed;
                pending.detail = std::string(status.message());
                if (create_first) {
                  // The old pod, still running, is the address's pod
                  // again; the new one is deposed for the next apply.
                  absl::Status restored =
                      runner.RestoreReplaced(*change, new_id);
                  absl::StrAppend(
                      &pending.detail, "; ", change->id,
                      " keeps running and stays recorded; the new pod ",
                      new_id, " is deposed: the next apply terminates it");
                  if (!restored.ok()) {
                    absl::StrAppend(&pending.detail, " (recording that: ",
                                    restored.message(), ")");
                  }
                }
              }
              pending.elapsed = absl::Now() - start;
              scheduler.Finish(node, std::move(pending));
            },
            [&scheduler, node](const std::string& line) {
              scheduler.Progress(node, line);
            }});
        continue;
      }
      StepResult result{
          change->address,
          change->action,
          phase,
          id.ok() ? StepOutcome::kSucceeded : StepOutcome::kFailed,
          id.ok() ? *id : std::string(id.status().message()),
          absl::Now() - start};
      scheduler.Finish(node, std::move(result));
    }
  };
  const int workers = std::max(1, options.parallelism);
  std::vector<std::thread> threads;
  threads.reserve(workers);
  for (int i = 0; i < workers; ++i) threads.emplace_back(worker);
  for (std::thread& t : threads) t.join();
  waiter.Close();
  if (waiter_thread.joinable()) waiter_thread.join();

  // What the last steps recorded may not be on disk yet. A background write
  // that failed does not matter once a later one carried its changes: the
  // error is Flush's, whether everything is on disk at the end.
  runner.WithdrawUnsent().IgnoreError();
  result.error = recorder.Flush();
  result.unrecorded = !result.error.ok();
  if (result.error.ok() && scheduler.halted()) {
    absl::Status failed = recorder.first_error();
    result.error = absl::Status(
        failed.code(),
        absl::StrCat(failed.message(),
                     "; no step started after that (a later write recorded "
                     "every step that happened)"));
  }
  result.steps = scheduler.TakeResults();
  result.interrupted = scheduler.interrupted();
  return result;
}

}  // namespace podform
