#include <ostream>

#include "CLI/CLI.hpp"
#include "cmd/command.h"
#include "cmd/files.h"
#include "cmd/planning.h"
#include "cmd/workspace.h"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/render.h"
#include "reconciler/util/file.h"

namespace podform {
namespace {

struct PlanCommandFlags {
  PlanFlags plan;
  std::string out;
  bool json = false;
  bool markdown = false;
  bool detailed_exitcode = false;
};

int RunPlan(const CommandContext& context, const PlanCommandFlags& flags) {
  Workspace workspace(context);
  workspace.set_json_output(flags.json);
  workspace.set_strict(flags.plan.strict);
  // Only a saved plan holds the config's digest.
  if (flags.out.empty()) workspace.set_config_digest(ConfigDigestMode::kSkip);
  if (!flags.out.empty()) {
    // Before anything is planned: the plan would be lost with the file.
    if (absl::Status out = CheckOwnFiles(workspace.global(), flags.out);
        !out.ok()) {
      return workspace.Fail(out);
    }
  }
  // The state and RunPod are read while podform.yaml loads, where they can
  // be (StartReadsBesideConfig); a config that does not load waits for them
  // and shows its errors alone.
  std::future<absl::StatusOr<PlanReads>> reads =
      StartReadsBesideConfig(workspace, LockCheck::kProbe);
  const Config* config = workspace.LoadConfig();
  if (config == nullptr) {
    workspace.AbandonReads();  // not waited for: their answers are unused
    return 1;
  }
  absl::StatusOr<PlanOptions> options = ToPlanOptions(flags.plan, false);
  if (!options.ok()) return workspace.Fail(options.status());
  absl::StatusOr<Planned> planned = RefreshAndPlan(
      workspace, *config, *options, LockCheck::kProbe, std::move(reads));
  if (!planned.ok()) return workspace.Fail(planned.status());
  Plan& plan = planned->plan;
  plan.config_warnings = workspace.config_warnings();
  const MinRunway min_runway = ChooseMinRunway(flags.plan, *config);
  AddRunway(workspace, min_runway, &plan);
  // A guard that fails is an error (exit 1) once the plan is shown; with
  // --json the failure document stands in for the plan, and a plan that
  // fails it is not saved.
  const absl::Status guard = CheckRunwayGuard(plan, min_runway);
  if (!guard.ok() && flags.json) return workspace.Fail(guard);
  if (!planned->in_progress.empty()) {
    workspace.err() << "podform: " << planned->in_progress
                    << "; this plan shows the state as it was before that "
                       "run finishes\n";
  }

  if (!flags.out.empty() && guard.ok()) {
    // Before the plan is printed, so that stdout holds one document either
    // way (the plan, or with --json the failure).
    absl::Status written =
        WriteFileAtomically(flags.out, SerializePlanFile(plan), 0600);
    if (!written.ok()) return workspace.Fail(written);
  }
  if (flags.json) {
    workspace.out() << RenderJsonText(plan);
  } else if (flags.markdown) {
    workspace.out() << RenderMarkdown(plan);
  } else {
    for (const IntentOutcome& outcome : planned->intents) {
      workspace.out() << outcome.message << "\n";
    }
    workspace.out() << RenderText(plan, workspace.color());
  }
  if (!guard.ok()) return workspace.Fail(guard);
  if (!flags.out.empty()) {
    if (!flags.json && !flags.markdown) {
      workspace.out() << "\nSaved the plan to " << flags.out
                      << ". To perform exactly these actions, run:\n"
                      << "  podform" << GlobalFlagsToRepeat(workspace.global())
                      << " apply " << flags.out << "\n";
    }
  }
  if (!flags.detailed_exitcode || !plan.HasChanges()) return 0;
  return plan.DestroysData() ? 3 : 2;
}

}  // namespace

CommandRun SetupPlan(CLI::App* command, const CommandContext& context) {
  auto flags = std::make_shared<PlanCommandFlags>();
  AddPlanFlags(command, &flags->plan, /*with_target=*/true);
  AddStrictFlag(command, &flags->plan.strict);
  command->add_option("--out", flags->out,
                      "Save the plan for `podform apply PLANFILE`");
  auto* json = command->add_flag("--json", flags->json,
                                 "Print the plan as JSON (docs/PLAN_FORMAT.md)");
  command->add_flag("--markdown", flags->markdown,
                    "Print the plan as Markdown for a pull-request comment")
      ->excludes(json);
  command->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                    "Exit 2 when there are changes, 3 when they destroy a "
                    "volume's data");
  return [context, flags]() { return RunPlan(context, *flags); };
}

}  // namespace podform
