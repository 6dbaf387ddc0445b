// podform show PLANFILE [--json | --markdown]: renders a plan saved by
// `plan --out` again, from the file alone: no config, no state, no request
// to RunPod.

#include <ostream>

#include "CLI/CLI.hpp"
#include "cmd/command.h"
#include "cmd/workspace.h"
#include "reconciler/plan/plan_file.h"
#include "reconciler/plan/render.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

struct ShowFlags {
  std::string plan_file;
  bool json = false;
  bool markdown = false;
};

int Show(const CommandContext& context, const ShowFlags& flags) {
  Workspace workspace(context);
  workspace.set_json_output(flags.json);
  absl::StatusOr<std::string> text = ReadFile(flags.plan_file);
  if (!text.ok()) return workspace.Fail(text.status());
  absl::StatusOr<Plan> plan = ParsePlanFile(*text);
  if (!plan.ok()) {
    return workspace.Fail(Annotate(plan.status(), flags.plan_file));
  }
  if (flags.json) {
    workspace.out() << RenderJsonText(*plan);
  } else if (flags.markdown) {
    workspace.out() << RenderMarkdown(*plan);
  } else {
    workspace.out() << RenderText(*plan, workspace.color());
  }
  return 0;
}

}  // namespace

CommandRun SetupShow(CLI::App* command, const CommandContext& context) {
  auto flags = std::make_shared<ShowFlags>();
  command
      ->add_option("PLANFILE", flags->plan_file,
                   "A plan saved by `podform plan --out`")
      ->required();
  auto* json = command->add_flag(
      "--json", flags->json, "Print the plan as JSON (docs/PLAN_FORMAT.md)");
  command
      ->add_flag("--markdown", flags->markdown,
                 "Print the plan as Markdown for a pull-request comment")
      ->excludes(json);
  return [context, flags]() { return Show(context, *flags); };
}

}  // namespace podform
