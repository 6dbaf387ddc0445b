#ifndef PODFORM_CMD_PLANNING_H_
#define PODFORM_CMD_PLANNING_H_

// The part of plan, apply and destroy that is the same: read the lock file,
// read RunPod once, settle interrupted creates, plan.

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "cmd/workspace.h"
#include "reconciler/apply/recover.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/planner.h"

namespace podform {

// --allow-destroy and --target as given on the command line.
struct PlanFlags {
  std::vector<std::string> allow_destroy;
  std::vector<std::string> targets;
  bool strict = false;  // --strict (plan, apply)
};

// Declares --allow-destroy (and, if `with_target`, --target) on `command`.
void AddPlanFlags(CLI::App* command, PlanFlags* flags, bool with_target);

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

// Reads the lock file and RunPod (one request), checks that the state
// belongs where this run acts (Workspace::AdoptTarget), applies moved:
// (ApplyMoves, plan/moves.h), settles intents, plans.
absl::StatusOr<Planned> RefreshAndPlan(Workspace& workspace,
                                       const Config& config,
                                       const PlanOptions& options,
                                       LockCheck lock = LockCheck::kHeld);

// FailedPrecondition naming what `plan` asks of RunPod that `api` cannot
// do (over GraphQL, choose a volume's type), before anything is done: a
// replacement would otherwise delete the volume and then fail to create it.
absl::Status CheckApiCanCarryOut(const Plan& plan, Api api);

// The config for destroy: --file if it exists (it must then be valid), else
// an empty one. Null after printing errors.
const Config* ConfigForDestroy(Workspace& workspace, Config* empty);

}  // namespace podform

#endif  // PODFORM_CMD_PLANNING_H_
