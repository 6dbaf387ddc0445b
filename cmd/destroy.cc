#include "CLI/CLI.hpp"
#include "cmd/command.h"
#include "cmd/execute.h"
#include "cmd/planning.h"

namespace podform {

CommandRun SetupDestroy(CLI::App* command, const CommandContext& context) {
  auto plan = std::make_shared<PlanFlags>();
  auto execute = std::make_shared<ExecuteFlags>();
  AddPlanFlags(command, plan.get(), /*with_target=*/false);
  AddExecuteFlags(command, execute.get());
  return [context, plan, execute]() {
    return PlanAndApply(context, *plan, *execute, /*destroy=*/true);
  };
}

}  // namespace podform
