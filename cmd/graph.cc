#include <ostream>
#include <set>

#include "CLI/CLI.hpp"
#include "cmd/command.h"
#include "cmd/workspace.h"

namespace podform {
namespace {

// The dependency graph of the config and the lock file as Graphviz DOT: an
// edge pod -> volume or endpoint -> volume for each mount; endpoints are
// hexagons. Resources only in the lock file (to be
// deleted) are dashed.
int Graph(Workspace& workspace) {
  const Config* config = workspace.LoadConfig();
  if (config == nullptr) return 1;
  absl::StatusOr<State> state = workspace.ReadState();
  if (!state.ok()) return workspace.Fail(state.status());
  std::ostream& out = workspace.out();
  out << "digraph podform {\n  rankdir=LR;\n";
  std::set<std::string> declared;
  for (const auto& [key, volume] : config->volumes) {
    declared.insert("volume." + key);
    out << "  \"volume." << key << "\" [shape=cylinder];\n";
  }
  for (const auto& [key, pod] : config->pods) {
    declared.insert("pod." + key);
    out << "  \"pod." << key << "\" [shape=box];\n";
  }
  for (const auto& [key, endpoint] : config->endpoints) {
    declared.insert("endpoint." + key);
    out << "  \"endpoint." << key << "\" [shape=hexagon];\n";
  }
  for (const auto& [address, resource] : state->resources) {
    std::string name = address.ToString();
    if (declared.count(name)) continue;
    out << "  \"" << name << "\" [shape="
        << (address.kind == Kind::kVolume ? "cylinder"
            : address.kind == Kind::kEndpoint ? "hexagon"
                                               : "box")
        << ", style=dashed];\n";
  }
  for (const auto& [key, pod] : config->pods) {
    if (!pod.volume.empty()) {
      out << "  \"pod." << key << "\" -> \"volume." << pod.volume << "\";\n";
    }
  }
  for (const auto& [key, endpoint] : config->endpoints) {
    for (const std::string& volume : endpoint.volumes) {
      out << "  \"endpoint." << key << "\" -> \"volume." << volume << "\";\n";
    }
  }
  for (const auto& [address, resource] : state->resources) {
    if (address.kind == Kind::kEndpoint && !declared.count(address.ToString())) {
      for (const std::string& volume : resource.resource.volume_keys) {
        out << "  \"" << address.ToString() << "\" -> \"volume." << volume
            << "\" [style=dashed];\n";
      }
    }
    if (address.kind != Kind::kPod || declared.count(address.ToString()) ||
        resource.resource.volume_key.empty()) {
      continue;
    }
    out << "  \"" << address.ToString() << "\" -> \"volume."
        << resource.resource.volume_key << "\" [style=dashed];\n";
  }
  out << "}\n";
  return 0;
}

}  // namespace

CommandRun SetupGraph(CLI::App* command, const CommandContext& context) {
  return [context]() {
    Workspace workspace(context);
    return Graph(workspace);
  };
}

}  // namespace podform
