#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "CLI/CLI.hpp"
#include "cmd/command.h"

namespace podform {

std::span<const CommandSpec> Commands() {
  static constexpr CommandSpec kCommands[] = {
      {"validate", "Check podform.yaml without contacting RunPod",
       SetupValidate},
      {"plan", "Show what apply would change", SetupPlan},
      {"apply", "Create, update and delete resources to match the config",
       SetupApply},
      {"destroy", "Delete every resource in the lock file", SetupDestroy},
      {"import", "Adopt an existing volume or pod: import ADDR ID",
       SetupImport},
      {"state", "Inspect or edit the lock file: list | show ADDR | rm ADDR",
       SetupState},
      {"graph", "Print the dependency graph as Graphviz DOT", SetupGraph},
      {"sandbox", "Run the RunPod emulator: sandbox serve", SetupSandbox},
      {"version", "Print podform's version", SetupVersion},
  };
  return kCommands;
}

std::string StatePath(const GlobalOptions& global) {
  if (!global.state.empty()) return global.state;
  std::filesystem::path dir = std::filesystem::path(global.file).parent_path();
  return (dir / "podform.lock").string();
}

int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err) {
  GlobalOptions global;
  CommandContext context{&global, &out, &err};
  CLI::App app{
      "podform: declarative RunPod network volumes and the pods that mount "
      "them",
      "podform"};
  app.require_subcommand(1);
  // Global flags may also follow the command: `podform plan --no-color`.
  app.fallthrough();
  app.add_option("--file", global.file, "Config file")
      ->capture_default_str();
  app.add_option("--state", global.state,
                 "Lock file, or a postgres:// URI (default: podform.lock "
                 "beside --file)")
      ->envname("PODFORM_STATE");
  app.add_option("--endpoint", global.endpoint,
                 "RunPod GraphQL URL (default: $RUNPOD_GRAPHQL_URL, else "
                 "https://api.runpod.io/graphql)");
  app.add_option("--sandbox", global.sandbox,
                 "Use the built-in RunPod emulator, persisted to FILE "
                 "(default .podform/sandbox.json beside the config)")
      ->expected(0, 1)
      ->default_str("");
  app.add_flag("--no-color", global.no_color, "Never colour the output");

  std::map<const CLI::App*, CommandRun> runs;
  for (const CommandSpec& spec : Commands()) {
    CLI::App* command =
        app.add_subcommand(std::string(spec.name), std::string(spec.description));
    runs[command] = spec.setup(command, context);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream help_out, help_err;
    int code = app.exit(e, help_out, help_err);
    out << help_out.str();
    err << help_err.str();
    return code == 0 ? 0 : 1;
  }
  // The deepest chosen subcommand that has a run function.
  for (CLI::App* command : app.get_subcommands()) {
    auto it = runs.find(command);
    if (it != runs.end()) return it->second();
  }
  err << "podform: no command given (see podform --help)\n";
  return 1;
}

}  // namespace podform
