#include <ostream>

#include "CLI/CLI.hpp"
#include "cmd/command.h"

namespace podform {

CommandRun SetupVersion(CLI::App* command, const CommandContext& context) {
  return [context]() {
    *context.out << "podform " << PODFORM_VERSION << "\n";
    return 0;
  };
}

}  // namespace podform
