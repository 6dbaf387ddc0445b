#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "cmd/command.h"
#include "cmd/files.h"
#include "reconciler/config/suggest.h"
#include "reconciler/state/postgres_store.h"

namespace podform {

std::span<const CommandSpec> Commands() {
  static constexpr CommandSpec kCommands[] = {
      {"validate", "Check podform.yaml without contacting RunPod",
       SetupValidate},
      {"plan", "Show what apply would change", SetupPlan},
      {"apply", "Create, update and delete resources to match the config",
       SetupApply},
      {"destroy", "Delete every resource in the lock file", SetupDestroy},
      {"import",
       "Adopt an existing volume, pod or endpoint: import ADDR ID; every one "
       "podform does not manage: import --all",
       SetupImport},
      {"show",
       "Print a saved plan again (text, --json, --markdown) without "
       "contacting RunPod: show PLANFILE",
       SetupShow},
      {"state",
       "Inspect, edit or move the state: list | show | rm | mv | pull | "
       "history | migrate | prune",
       SetupState},
      {"graph", "Print the dependency graph as Graphviz DOT", SetupGraph},
      {"sandbox", "Run the RunPod emulator: sandbox serve", SetupSandbox},
      {"version", "Print podform's version", SetupVersion},
      {"completion", "Print a shell completion script: completion bash|zsh|fish",
       SetupCompletion},
      {"manpage", "", SetupManpage},  // hidden: writes podform.1 at build time
  };
  return kCommands;
}

std::string StatePath(const GlobalOptions& global) {
  if (!global.state.empty()) return global.state;
  if (global.sandbox.has_value()) {
    std::filesystem::path data(SandboxDataPath(global));
    if (data.extension() == ".lock") return data.string() + ".lock";
    return data.replace_extension(".lock").string();
  }
  std::filesystem::path dir = std::filesystem::path(global.file).parent_path();
  return (dir / "podform.lock").string();
}

std::string SandboxDataPath(const GlobalOptions& global) {
  if (!global.sandbox.has_value()) return "";
  if (!global.sandbox->empty()) return *global.sandbox;
  std::filesystem::path dir = std::filesystem::path(global.file).parent_path();
  return (dir / ".podform" / "sandbox.json").string();
}

namespace {

// After a failed parse: "unknown command \"plna\" (did you mean \"plan\"?)"
// when the first word that is not a flag names no command of the deepest
// command chosen (the top level, or e.g. `state`); nullopt otherwise.
std::optional<std::string> UnknownCommand(const CLI::App& app) {
  const CLI::App* parent = &app;
  std::string prefix;
  for (bool deeper = true; deeper;) {
    deeper = false;
    for (const CLI::App* sub : parent->get_subcommands()) {
      prefix += sub->get_name() + " ";
      parent = sub;
      deeper = true;
      break;
    }
  }
  std::vector<std::string> names;
  for (const CLI::App* sub : parent->get_subcommands(
           [](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
  }
  if (names.empty()) return std::nullopt;
  // A word a subcommand does not take falls through to the top level.
  std::vector<std::string> rest = app.remaining(/*recurse=*/true);
  if (rest.empty() || rest.front().empty() || rest.front()[0] == '-') {
    return std::nullopt;
  }
  const std::string& word = rest.front();
  std::vector<std::string_view> candidates(names.begin(), names.end());
  std::string message =
      absl::StrCat("unknown command \"", prefix, word, "\"");
  if (std::optional<std::string> suggestion =
          SuggestClosest(word, candidates)) {
    absl::StrAppend(&message, " (did you mean \"", prefix, *suggestion,
                    "\"?)");
  } else {
    absl::StrAppend(&message, " (see podform ", prefix, "--help)");
  }
  return message;
}

// Where requests go is one target, never an empty one: the problem with
// the flags given, or nullopt.
std::optional<std::string> ConflictingTarget(const CLI::App& app,
                                             const GlobalOptions& global) {
  const bool endpoint = app.get_option("--endpoint")->count() > 0;
  if (endpoint && global.endpoint.empty()) {
    return "--endpoint is empty; give a URL, or leave the flag out (then "
           "$RUNPOD_API_URL, else https://api.runpod.io/v2)";
  }
  if (endpoint && app.get_option("--sandbox")->count() > 0) {
    return "--sandbox and --endpoint cannot be used together: --sandbox is "
           "the built-in emulator, --endpoint a RunPod API";
  }
  return std::nullopt;
}

// `word` as one word for a POSIX shell.
std::string ShellQuote(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                (c >= '0' && c <= '9') ||
                std::string_view("-_./:=@%+,").find(c) != std::string::npos;
    plain = plain && safe;
  }
  if (plain) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

std::string GlobalFlagsToRepeat(const GlobalOptions& global) {
  std::string out;
  if (global.file != GlobalOptions().file) {
    out += " --file " + ShellQuote(global.file);
  }
  if (!global.state.empty()) {
    // A database URI is repeated without its password (libpq finds it in
    // PGPASSWORD or ~/.pgpass, as it did for this run's PODFORM_STATE).
    std::string state = global.state;
    if (IsPostgresUri(state)) {
      state = RedactSecrets(state, {ParsePostgresUri(state, "", "").password});
    }
    out += " --state " + ShellQuote(state);
  }
  if (!global.endpoint.empty()) {
    out += " --endpoint " + ShellQuote(global.endpoint);
  }
  if (!global.api.empty()) out += " --api " + ShellQuote(global.api);
  if (global.sandbox.has_value()) {
    out += global.sandbox->empty()
               ? " --sandbox"
               : " " + ShellQuote("--sandbox=" + *global.sandbox);
  }
  return out;
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
  // CLI11 ends the text with a newline of its own.
  app.set_version_flag("--version",
                       std::string(absl::StripSuffix(VersionText(), "\n")),
                       "Print podform's version and exit");
  app.add_option("--file", global.file, "Config file")
      ->capture_default_str();
  app.add_option("--state", global.state,
                 "Lock file, or a postgres:// URI (default: podform.lock "
                 "beside --file; with --sandbox, .lock beside the sandbox's "
                 "data file)")
      ->envname("PODFORM_STATE");
  app.add_option("--endpoint", global.endpoint,
                 "RunPod API base URL (default: $RUNPOD_API_URL, else "
                 "$RUNPOD_GRAPHQL_URL, else https://api.runpod.io/v2); a URL "
                 "ending in /graphql speaks GraphQL");
  app.add_option("--api", global.api,
                 "RunPod API to speak: rest (REST v2, the default) or "
                 "graphql (legacy, until RunPod retires it)");
  app.add_option("--sandbox", global.sandbox,
                 "Use the built-in RunPod emulator, persisted to FILE "
                 "(default .podform/sandbox.json beside the config)")
      ->expected(0, 1)
      ->default_str("");
  app.add_flag("--no-color", global.no_color, "Never colour the output");
  app.add_option("--var", global.vars,
                 "Set ${var:NAME} in podform.yaml: NAME=VALUE (repeatable; "
                 "wins over --var-file and PODFORM_VAR_NAME)")
      ->allow_extra_args(false);
  app.add_option("--var-file", global.var_files,
                 "A YAML mapping of ${var:NAME} names to values (repeatable; "
                 "a later file wins)")
      ->allow_extra_args(false);

  std::map<const CLI::App*, CommandRun> runs;
  for (const CommandSpec& spec : Commands()) {
    CLI::App* command =
        app.add_subcommand(std::string(spec.name), std::string(spec.description));
    runs[command] = spec.setup(command, context);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::optional<std::string> unknown;
    if (e.get_exit_code() != 0 && (unknown = UnknownCommand(app))) {
      err << "podform: " << *unknown << "\n";
      return 1;
    }
    std::ostringstream help_out, help_err;
    int code = app.exit(e, help_out, help_err);
    out << help_out.str();
    err << help_err.str();
    return code == 0 ? 0 : 1;
  }
  if (std::optional<std::string> target = ConflictingTarget(app, global)) {
    err << "podform: " << *target << "\n";
    return 1;
  }
  if (absl::Status files = CheckOwnFiles(global); !files.ok()) {
    err << "podform: " << files.message() << "\n";
    return 1;
  }
  // The deepest chosen subcommand that has a run function.
  for (CLI::App* command : app.get_subcommands()) {
    auto it = runs.find(command);
    if (it != runs.end()) {
      global.command = "podform " + command->get_name();
      return it->second();
    }
  }
  err << "podform: no command given (see podform --help)\n";
  return 1;
}

}  // namespace podform
