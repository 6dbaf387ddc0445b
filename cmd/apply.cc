#include <algorithm>
#include <iterator>
#include <ostream>
#include <set>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/command.h"
#include "cmd/execute.h"
#include "cmd/planning.h"
#include "cmd/workspace.h"
#include "reconciler/apply/steps.h"
#include "reconciler/plan/moves.h"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/render.h"
#include "reconciler/plan/saved_plan.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

struct ApplyFlags {
  std::string plan_file;
  PlanFlags plan;
  ExecuteFlags execute;
};

// Checks that `plan` belongs where this run acts (the endpoint and
// account it was made against) and that this API can carry it out, then
// that what it was made from has not moved (CheckSavedPlan). Returns the
// state to apply to.
absl::StatusOr<State> CheckSavedPlanHere(Workspace& workspace,
                                         const Config& config,
                                         const Plan& plan,
                                         const std::string& plan_file) {
  ASSIGN_OR_RETURN(Provider * provider, workspace.OpenProvider());
  ASSIGN_OR_RETURN(LiveState live, provider->Refresh());
  RETURN_IF_ERROR(CheckSameTarget(plan.target, workspace.CurrentTarget(live),
                                  absl::StrCat("the saved plan ", plan_file)));
  // What this API cannot do is said first: planning again here would not
  // make the same plan.
  RETURN_IF_ERROR(CheckApiCanCarryOut(plan, workspace.api()));
  ASSIGN_OR_RETURN(
      State state,
      CheckSavedPlan(plan, config, workspace.store().Read(), live,
                     {workspace.global().file, workspace.state_path()}));
  RETURN_IF_ERROR(workspace.AdoptTarget(&state, live));
  return state;
}

int ApplySavedPlan(Workspace& workspace, const ApplyFlags& flags) {
  workspace.set_strict(flags.plan.strict);
  absl::StatusOr<std::string> text = ReadFile(flags.plan_file);
  if (!text.ok()) return workspace.Fail(text.status());
  absl::StatusOr<Plan> plan = ParsePlanFile(*text);
  if (!plan.ok()) {
    return workspace.Fail(Annotate(plan.status(), flags.plan_file));
  }
  Config empty;
  const Config* config = plan->destroy ? ConfigForDestroy(workspace, &empty)
                                       : workspace.LoadConfig();
  if (config == nullptr) return 1;
  absl::Status endpoints = RefuseEndpoints(*config, workspace);
  if (!endpoints.ok()) return workspace.Fail(endpoints);
  absl::StatusOr<std::unique_ptr<StateLock>> lock =
      TakeLock(workspace, "podform apply");
  if (!lock.ok()) return workspace.Fail(lock.status());
  absl::StatusOr<State> state =
      CheckSavedPlanHere(workspace, *config, *plan, flags.plan_file);
  if (!state.ok()) return workspace.Fail(state.status());
  absl::StatusOr<std::vector<Move>> moves = ApplyMoves(*config, &*state);
  if (!moves.ok()) return workspace.Fail(moves.status());
  if (*moves != plan->moves) {
    return workspace.Fail(
        StalePlan(absl::StrCat("the renames of moved: in ", workspace.global().file,
                           " are not what they were when the plan was made")));
  }
  if (!plan->HasChanges()) {
    workspace.out() << "No changes in the saved plan.\n";
    return 0;
  }
  // The guard is checked again against the balance of now (a plan file
  // keeps no runway); without one, the account is not read.
  const MinRunway min_runway =
      plan->destroy ? MinRunway{} : ChooseMinRunway(flags.plan, *config);
  if (min_runway.days.has_value()) {
    plan->runway = ReadRunway(workspace, *plan);
    absl::Status guard = CheckRunwayGuard(*plan, min_runway);
    if (!guard.ok()) {
      workspace.out() << RunwayLine(*plan->runway) << "\n";
      return workspace.Fail(guard);
    }
  }
  return ExecutePlan(workspace, *config, *std::move(state), *plan,
                     flags.execute, /*confirm=*/false);
}

// The first flag given that a saved plan cannot honour (it applies exactly
// the changes it holds, which `plan` chose), or nullptr. A flag that changes
// what is planned belongs here; one that changes how steps run does not.
const char* FlagASavedPlanCannotHonour(const ApplyFlags& flags) {
  if (!flags.plan.targets.empty()) return "--target";
  if (!flags.plan.allow_destroy.empty()) return "--allow-destroy";
  return nullptr;
}

}  // namespace

int PlanAndApply(const CommandContext& context, const PlanFlags& plan_flags,
                 const ExecuteFlags& execute, bool destroy) {
  Workspace workspace(context);
  workspace.set_strict(plan_flags.strict);
  Config empty;
  const Config* config =
      destroy ? ConfigForDestroy(workspace, &empty) : workspace.LoadConfig();
  if (config == nullptr) return 1;
  // Before the lock is taken: nothing is touched.
  absl::Status endpoints = RefuseEndpoints(*config, workspace);
  if (!endpoints.ok()) return workspace.Fail(endpoints);
  absl::StatusOr<PlanOptions> options = ToPlanOptions(plan_flags, destroy);
  if (!options.ok()) return workspace.Fail(options.status());
  absl::StatusOr<std::unique_ptr<StateLock>> lock =
      TakeLock(workspace, destroy ? "podform destroy" : "podform apply");
  if (!lock.ok()) return workspace.Fail(lock.status());
  absl::StatusOr<Planned> planned =
      RefreshAndPlan(workspace, *config, *options);
  if (!planned.ok()) return workspace.Fail(planned.status());
  for (const IntentOutcome& outcome : planned->intents) {
    workspace.out() << outcome.message << "\n";
  }
  // destroy only lowers the spend: its runway is shown, never guarded.
  const MinRunway min_runway =
      destroy ? MinRunway{} : ChooseMinRunway(plan_flags, *config);
  AddRunway(workspace, min_runway, &planned->plan);
  const bool bookkeeping =
      !planned->intents.empty() ||
      !RecordUnchangedResources(planned->plan, &planned->state).empty();
  // With moves, the state is written only once the plan is approved.
  if (bookkeeping && planned->plan.moves.empty()) {
    absl::Status written = workspace.store().Write(&planned->state);
    if (!written.ok()) return workspace.Fail(written);
    planned->plan.serial = planned->state.serial;
  }
  workspace.out() << RenderText(planned->plan, workspace.color());
  // Before anything is sent to RunPod.
  absl::Status guard = CheckRunwayGuard(planned->plan, min_runway);
  if (!guard.ok()) return workspace.Fail(guard);
  return ExecutePlan(workspace, *config, std::move(planned->state),
                     planned->plan, execute, /*confirm=*/true);
}

CommandRun SetupApply(CLI::App* command, const CommandContext& context) {
  auto flags = std::make_shared<ApplyFlags>();
  command->add_option("PLANFILE", flags->plan_file,
                      "A plan saved by `podform plan --out`: apply exactly it");
  AddPlanFlags(command, &flags->plan, /*with_target=*/true);
  AddStrictFlag(command, &flags->plan.strict);
  AddExecuteFlags(command, &flags->execute);
  command->add_flag("--detailed-exitcode", flags->execute.detailed_exitcode,
                    "Exit 0 when there was nothing to do, 2 when changes "
                    "were applied");
  return [context, flags]() {
    if (!flags->plan_file.empty()) {
      Workspace workspace(context);
      if (const char* flag = FlagASavedPlanCannotHonour(*flags)) {
        return workspace.Fail(absl::InvalidArgumentError(absl::StrCat(
            "apply ", flags->plan_file, ": ", flag,
            " cannot be used with a saved plan, which applies exactly the "
            "changes it holds; give ",
            flag, " to `podform plan --out` instead")));
      }
      return ApplySavedPlan(workspace, *flags);
    }
    return PlanAndApply(context, flags->plan, flags->execute, false);
  };
}

}  // namespace podform
