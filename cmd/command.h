#ifndef PODFORM_CMD_COMMAND_H_
#define PODFORM_CMD_COMMAND_H_

// The command table: every podform command in one place (commands.cc), each
// implemented in its own file as a setup function that declares the
// command's flags on a CLI11 subcommand and returns what runs it.

#include <functional>
#include <iosfwd>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace podform {

// Flags that come before the command.
struct GlobalOptions {
  std::string file = "podform.yaml";  // --file
  std::string state;                  // --state; default: podform.lock beside --file
  std::string endpoint;               // --endpoint
  std::string api;                    // --api rest|graphql; "" = not given
  std::optional<std::string> sandbox;  // --sandbox[=FILE]; "" = default file
  bool no_color = false;              // --no-color
  std::vector<std::string> vars;      // --var NAME=VALUE, in order
  std::vector<std::string> var_files;  // --var-file FILE, in order
  // Not a flag: "podform COMMAND", set once the command is known (names the
  // holder of a lock this run takes).
  std::string command = "podform";
};

struct CommandContext {
  const GlobalOptions* global;
  std::ostream* out;
  std::ostream* err;
};

// Runs a command after flags are parsed; returns the process exit code.
using CommandRun = std::function<int()>;

struct CommandSpec {
  std::string_view name;
  std::string_view description;
  // Declares flags on `command` (bound to storage the function owns) and
  // returns the run function. `context` outlives the returned function.
  CommandRun (*setup)(CLI::App* command, const CommandContext& context);
};

std::span<const CommandSpec> Commands();

// The lock file: --state; else, with --sandbox, the sandbox's own lock file
// beside its data file (SandboxDataPath with its extension replaced by
// ".lock": .podform/sandbox.lock), so that trying things on the sandbox
// never touches the real one; else podform.lock in the config file's
// directory.
std::string StatePath(const GlobalOptions& global);

// The in-process sandbox's data file: --sandbox=FILE, else
// .podform/sandbox.json in the config file's directory. "" without
// --sandbox.
std::string SandboxDataPath(const GlobalOptions& global);

// The global flags a later command needs to act where this one did
// (--file, --state, --endpoint, --sandbox), as given, each quoted for a
// POSIX shell where needed, with a leading space each; "" when none was
// given.
std::string GlobalFlagsToRepeat(const GlobalOptions& global);

// The whole CLI: parses argv, runs the chosen command, returns the exit code.
// Errors are printed to `err` as "podform: <message>".
int RunCli(int argc, const char* const* argv, std::ostream& out,
           std::ostream& err);

// One setup function per command (cmd/<command>.cc).
CommandRun SetupValidate(CLI::App* command, const CommandContext& context);
CommandRun SetupPlan(CLI::App* command, const CommandContext& context);
CommandRun SetupApply(CLI::App* command, const CommandContext& context);
CommandRun SetupDestroy(CLI::App* command, const CommandContext& context);
CommandRun SetupImport(CLI::App* command, const CommandContext& context);
CommandRun SetupShow(CLI::App* command, const CommandContext& context);
CommandRun SetupState(CLI::App* command, const CommandContext& context);
CommandRun SetupGraph(CLI::App* command, const CommandContext& context);
CommandRun SetupSandbox(CLI::App* command, const CommandContext& context);
CommandRun SetupVersion(CLI::App* command, const CommandContext& context);
CommandRun SetupCompletion(CLI::App* command, const CommandContext& context);
// Hidden: prints the man page (roff), generated from the commands' flags.
CommandRun SetupManpage(CLI::App* command, const CommandContext& context);
// What `podform version` and `podform --version` print: the version, the
// git commit podform was built from ("unknown" when not built from a git
// checkout) and the RunPod API spoken by default, each line ending in a
// newline.
std::string VersionText();

}  // namespace podform

#endif  // PODFORM_CMD_COMMAND_H_
