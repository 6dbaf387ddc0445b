#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "cmd/command.h"
#include "cmd/planning.h"
#include "cmd/vars.h"
#include "reconciler/config/config.h"
#include "reconciler/util/embedded.h"

namespace podform {

// `podform validate`: loads --file and reports every problem, with no
// network access (no provider is constructed). Diagnostics go to stderr;
// on success "FILE: valid (N volumes, M pods)" goes to stdout. Exit 1 on any
// error, 0 otherwise (warnings do not fail). `--print-schema` prints the
// JSON Schema of podform.yaml instead. `--strict` makes several read-write
// mounters of a volume an error (as guards.strict).
CommandRun SetupValidate(CLI::App* command, const CommandContext& context) {
  auto print_schema = std::make_shared<bool>(false);
  auto strict = std::make_shared<bool>(false);
  command->add_flag("--print-schema", *print_schema,
                    "Print the JSON Schema of podform.yaml (for editors) and "
                    "exit");
  AddStrictFlag(command, strict.get());
  return [context, print_schema, strict]() {
    if (*print_schema) {
      *context.out << EmbeddedFile("schema/podform.schema.json");
      return 0;
    }
    const std::string& path = context.global->file;
    absl::StatusOr<EnvLookup> vars = VarLookup(*context.global);
    if (!vars.ok()) {
      *context.err << "podform: " << vars.status().message() << "\n";
      return 1;
    }
    LoadResult result = LoadConfigFile(path, ProcessEnv(), *vars, *strict);
    for (const Diagnostic& diagnostic : result.diagnostics) {
      *context.err << diagnostic.ToString() << "\n";
    }
    if (!result.config.has_value()) return 1;
    // Endpoints are counted only when declared: the line of configs
    // without them is as it was.
    const size_t endpoints = result.config->endpoints.size();
    *context.out << absl::StrCat(
        path, ": valid (", result.config->volumes.size(), " volumes, ",
        result.config->pods.size(), " pods",
        endpoints > 0 ? absl::StrCat(", ", endpoints, " endpoints") : "",
        ")\n");
    return 0;
  };
}

}  // namespace podform
