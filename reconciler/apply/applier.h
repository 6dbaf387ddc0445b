#ifndef PODFORM_RECONCILER_APPLY_APPLIER_H_
#define PODFORM_RECONCILER_APPLY_APPLIER_H_

// Executes a Plan against a Provider: walks the changes' dependency graph,
// runs independent steps concurrently, and records every outcome in the
// state (and through the StateStore, in podform.lock) as it happens.

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "reconciler/apply/pod_wait.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/provider.h"
#include "reconciler/core/secret_values.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/steps.h"
#include "reconciler/state/state.h"

namespace podform {

class ConcurrencyLimit;
class StateStore;

enum class StepOutcome { kSucceeded, kFailed, kSkipped };

struct StepEvent {
  // kProgress: a step still waiting for its pod to run; `detail` says how
  // long and in which status.
  enum class Type { kStarted, kFinished, kProgress };
  Type type = Type::kStarted;
  Address address;
  Action action = Action::kNoOp;
  Phase phase = Phase::kCreate;
  StepOutcome outcome = StepOutcome::kSucceeded;  // kFinished only
  std::string detail;     // id on success, error or skip reason otherwise
  absl::Duration elapsed;  // kFinished only
};

// One phase of one change (plan/steps.h): a replace has two.
struct StepResult {
  Address address;
  Action action = Action::kNoOp;
  Phase phase = Phase::kCreate;
  StepOutcome outcome = StepOutcome::kSucceeded;
  std::string detail;  // id on success, error or skip reason otherwise
  absl::Duration elapsed;
};

struct ApplyOptions {
  int parallelism = 8;  // steps in flight at most; >= 1
  // When set, also bounds the steps in flight, adapting to rate limits; its
  // max() should equal `parallelism`.
  ConcurrencyLimit* limit = nullptr;
  // Called from worker threads, one call at a time.
  std::function<void(const StepEvent&)> on_event;
  // When it becomes true no new step starts; steps in flight finish.
  const std::atomic<bool>* interrupt = nullptr;
  // When enabled, a step that creates a running pod or starts one finishes
  // only once RunPod reports the pod RUNNING (pod_wait.h); the wait holds
  // no parallel slot, and the steps that depend on it start after it.
  PodWaitOptions wait;
};

struct ApplyResult {
  std::vector<StepResult> steps;  // in the order they finished
  bool interrupted = false;       // steps were left unstarted by `interrupt`
  // The plan's steps could not be ordered (a damaged plan: nothing ran), or
  // the lock file could not be written.
  absl::Status error;
  // The store does not hold every step that happened (the last write
  // failed): the caller must save `*state` elsewhere (SaveUnrecorded).
  bool unrecorded = false;

  bool ok() const;  // everything succeeded, nothing interrupted
  int Count(StepOutcome outcome) const;
};

// Executes `plan` (made from `state` and `config`).
//
// `secrets` supplies the raw values of `config`'s secret env (the plan only
// marks those keys); a secret the plan sends that `config` no longer
// declares, or `secrets` lacks, fails that step (SecretValuesToSend).
// `state` is updated as steps finish and persisted through `store` (if not
// null): first, in one write, an intent for every create the plan holds
// (so each is on disk before its request is sent; the write happens even
// without a create, and when it fails nothing is sent); then, as steps
// finish,
// their outcomes, written in the background a little after each step
// (StateRecorder, RecorderOptions), and all of them before Apply returns.
// A run killed midway leaves intents for the creates it had not recorded;
// the next run adopts what they made or plans them again (recover.h).
//
// Once a write of the state fails, no new step starts (steps in flight
// finish and are recorded if a later write can); when the last write fails
// too, result.unrecorded is set and `*state` holds what the store lacks.
//
// A failed step's dependents are skipped; independent steps go on. A create
// whose outcome is unknown (DeadlineExceeded) is never resent blindly: the
// applier re-reads live state and adopts the resource if it was created.
//
// REQUIRES: plan.changes is in dependency order; state->lineage is set.
ApplyResult Apply(const Plan& plan, const Desired& config,
                  const SecretValues& secrets, State* state, StateStore* store,
                  Provider* provider, const ApplyOptions& options);

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_APPLIER_H_
