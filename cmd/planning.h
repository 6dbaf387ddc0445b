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
};

// Declares --allow-destroy (and, if `with_target`, --target) on `command`.
void AddPlanFlags(CLI::App* command, PlanFlags* flags, bool with_target);

// The flags as PlanOptions; InvalidArgument for an address that does not
// parse.
absl::StatusOr<PlanOptions> ToPlanOptions(const PlanFlags& flags,
                                          bool destroy);

struct Planned {
  State state;  // as stored, with interrupted creates settled (in memory)
  LiveState live;
  std::vector<IntentOutcome> intents;  // what settling found
  Plan plan;
};

// Reads the lock file and RunPod (one request), settles intents, plans.
absl::StatusOr<Planned> RefreshAndPlan(Workspace& workspace,
                                       const Config& config,
                                       const PlanOptions& options);

// The config for destroy: --file if it exists (it must then be valid), else
// an empty one. Null after printing errors.
const Config* ConfigForDestroy(Workspace& workspace, Config* empty);

}  // namespace podform

#endif  // PODFORM_CMD_PLANNING_H_
