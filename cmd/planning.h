#ifndef PODFORM_CMD_PLANNING_H_
#define PODFORM_CMD_PLANNING_H_

// The part of plan, apply and destroy that is the same: read the lock file,
// read RunPod once, settle interrupted creates, plan.

#include <future>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cmd/workspace.h"
#include "reconciler/apply/recover.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/planner.h"

namespace podform {

// --allow-destroy, --target, --min-runway and --strict as given on the
// command line.
struct PlanFlags {
  std::vector<std::string> allow_destroy;
  std::vector<std::string> targets;
  std::optional<double> min_runway;  // days
  bool strict = false;  // --strict (plan, apply)
};

// Declares --allow-destroy (and, if `with_target`, --target and
// --min-runway: plan and apply) on `command`.
void AddPlanFlags(CLI::App* command, PlanFlags* flags, bool with_target);

// The --min-runway guard in force (docs/GUARDS.md): the flag if given, else
// guards.minRunwayDays of the config; `source` names which, for messages.
struct MinRunway {
  std::optional<double> days;
  std::string source;
};
MinRunway ChooseMinRunway(const PlanFlags& flags, const Config& config);

// Reads the account (Workspace::ReadAccount: one request) and returns its
// runway before and after `plan` (its cost, and in unpriced_changes what
// it creates or changes that has no published price); a failed read gives
// an unknown runway with the reason, never an error.
Runway ReadRunway(Workspace& workspace, const Plan& plan);

// Sets plan->runway (ReadRunway) and adds its warnings (RunwayWarnings; the
// short-runway one only when `min` holds no guard) to plan->warnings.
void AddRunway(Workspace& workspace, const MinRunway& min, Plan* plan);

// CheckMinRunway of plan.runway against `min` (OK without a guard).
// REQUIRES: plan.runway is set, or `min` holds no guard.
absl::Status CheckRunwayGuard(const Plan& plan, const MinRunway& min);

// Declares --strict on `command` (validate, plan, apply): several
// read-write mounters of a volume is an error (docs/GUARDS.md).
void AddStrictFlag(CLI::App* command, bool* strict);

// The flags as PlanOptions; InvalidArgument for an address that does not
// parse.
absl::StatusOr<PlanOptions> ToPlanOptions(const PlanFlags& flags,
                                          bool destroy);

struct Planned {
  // As stored, with the config's moved: applied and interrupted creates
  // settled (in memory).
  State state;
  LiveState live;
  std::vector<IntentOutcome> intents;  // what settling found
  Plan plan;
  // With LockCheck::kProbe: why the intents were left unsettled (another
  // run holds the lock, named), "" when they were settled.
  std::string in_progress;
};

// Whether the caller of RefreshAndPlan holds the state's lock.
enum class LockCheck {
  kHeld,  // it does (apply, destroy): intents are an interrupted run's
  // It does not (plan): when a lock file exists, its lock is tried without
  // waiting and held while the state is read. Taken, the intents are an
  // interrupted run's. Held by another run, Planned::in_progress names it,
  // and the intents are that run's creates in flight: reported as such, not
  // settled, planned as creates. When the lock cannot be tried at all, the
  // intents (if any) are treated the same way.
  kProbe,
};

// What a plan reads before it needs the config: the state (with
// LockCheck::kProbe, whether another run holds its lock) and RunPod.
struct PlanReads {
  State state;
  std::optional<LiveState> live;  // unset until RunPod is read
  std::string in_progress;        // as Planned::in_progress
};

// Reads the lock file and, if `refresh`, RunPod (ReadLiveState) on a
// second thread at the same time. An error reading the lock file is
// returned before one reading RunPod.
absl::StatusOr<PlanReads> ReadStateAndLive(Workspace& workspace,
                                           LockCheck lock, bool refresh);

// Reads RunPod (one refresh), and starts the account read for the runway
// (Workspace::StartAccountRead).
absl::StatusOr<LiveState> ReadLiveState(Workspace& workspace);

// Whether the text of a podform.yaml may declare serverless endpoints:
// whether "endpoints" or a backslash (a double-quoted scalar's escape) is in
// it. False only when no key of it can be "endpoints".
bool MayDeclareEndpoints(std::string_view config_text);

// ReadStateAndLive on another thread, so that it runs while the caller
// loads podform.yaml. RunPod is read there too over REST v2; over GraphQL,
// where a config with endpoints is refused before RunPod is read, only when
// the config file's text cannot declare endpoints (MayDeclareEndpoints),
// else only the state is. An invalid future (RefreshAndPlan then reads everything after
// the config) when the API cannot be chosen (RefreshAndPlan reports why),
// or with an in-process sandbox whose data file does not exist yet
// (opening it makes the file, and a config that does not load must leave
// nothing behind).
// The caller keeps `workspace` alive until the future is done (its
// destructor waits), and touches nothing but the config meanwhile.
std::future<absl::StatusOr<PlanReads>> StartReadsBesideConfig(
    Workspace& workspace, LockCheck lock);

// Reads the lock file and RunPod (ReadStateAndLive, or the reads `started`
// when valid, with RunPod read now if they did not), checks that the state belongs where this run acts
// (Workspace::AdoptTarget), applies moved: (ApplyMoves, plan/moves.h),
// settles intents, plans.
absl::StatusOr<Planned> RefreshAndPlan(
    Workspace& workspace, const Config& config, const PlanOptions& options,
    LockCheck lock = LockCheck::kHeld,
    std::future<absl::StatusOr<PlanReads>> started = {});

// FailedPrecondition naming what `plan` asks of RunPod that `api` cannot
// do (over GraphQL: choose a volume's type, change a serverless endpoint;
// over REST v2: resume a pod with another GPU count, Change::
// gpu_count_by_resume of a saved plan made over GraphQL), before anything is
// done: a replacement would otherwise delete the volume and then fail to
// create it, and a pod would be stopped and then resumed with its old count.
absl::Status CheckApiCanCarryOut(const Plan& plan, Api api);

// Over GraphQL, FailedPrecondition naming every endpoint `config`
// declares, before anything is read or changed (RunPod manages endpoints
// over REST v2 only; a config with endpoints is never planned as if they
// were absent). OK over REST v2, or when it declares none. The API is the
// one `workspace` would choose (Workspace::ChosenApi).
absl::Status RefuseEndpoints(const Config& config, const Workspace& workspace);

// The config for destroy: --file if it exists (it must then be valid), else
// an empty one. Null after printing errors.
const Config* ConfigForDestroy(Workspace& workspace, Config* empty);

}  // namespace podform

#endif  // PODFORM_CMD_PLANNING_H_
