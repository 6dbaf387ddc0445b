#include <ostream>

#include "CLI/CLI.hpp"
#include "cmd/command.h"

namespace podform {

// Placeholder until the command lands; replaced by its real implementation.
CommandRun SetupSandbox(CLI::App* command, const CommandContext& context) {
  return [context]() {
    *context.err << "podform: sandbox is not available yet\n";
    return 1;
  };
}

}  // namespace podform
