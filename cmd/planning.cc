#include "cmd/planning.h"

#include <filesystem>

#include "CLI/CLI.hpp"
#include "reconciler/util/status_macros.h"

namespace podform {

void AddPlanFlags(CLI::App* command, PlanFlags* flags, bool with_target) {
  command->add_option("--allow-destroy", flags->allow_destroy,
                      "Allow deleting or replacing this protected volume "
                      "(volume.NAME); repeatable");
  if (with_target) {
    command->add_option("--target", flags->targets,
                        "Limit the plan to ADDR and what it depends on; "
                        "repeatable");
  }
}

absl::StatusOr<PlanOptions> ToPlanOptions(const PlanFlags& flags,
                                          bool destroy) {
  PlanOptions options;
  options.destroy = destroy;
  for (const std::string& text : flags.allow_destroy) {
    ASSIGN_OR_RETURN(Address address, Address::Parse(text));
    options.allow_destroy.insert(address);
  }
  for (const std::string& text : flags.targets) {
    ASSIGN_OR_RETURN(Address address, Address::Parse(text));
    options.targets.insert(address);
  }
  return options;
}

absl::StatusOr<Planned> RefreshAndPlan(Workspace& workspace,
                                       const Config& config,
                                       const PlanOptions& options) {
  Planned planned;
  ASSIGN_OR_RETURN(planned.state, workspace.ReadState());
  ASSIGN_OR_RETURN(Provider * provider, workspace.OpenProvider());
  ASSIGN_OR_RETURN(planned.live, provider->Refresh());
  ASSIGN_OR_RETURN(planned.intents,
                   ResolveIntents(config, planned.live, &planned.state));
  ASSIGN_OR_RETURN(planned.plan, MakePlan(config, planned.state, planned.live,
                                          options));
  return planned;
}

const Config* ConfigForDestroy(Workspace& workspace, Config* empty) {
  std::error_code ec;
  if (!std::filesystem::exists(workspace.global().file, ec)) {
    empty->path = workspace.global().file;
    return empty;
  }
  return workspace.LoadConfig();
}

}  // namespace podform
