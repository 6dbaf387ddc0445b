#include "cmd/import.h"

#include <memory>
#include <ostream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cmd/command.h"
#include "cmd/execute.h"
#include "cmd/planning.h"
#include "cmd/workspace.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

// The keys of the volumes `state` records with the ids in `ids`, in that
// order; ids it does not record are left out.
std::vector<std::string> VolumeKeysOf(const State& state,
                                      const std::vector<std::string>& ids) {
  std::vector<std::string> keys;
  for (const std::string& id : ids) {
    for (const auto& [other, resource] : state.resources) {
      if (other.kind == Kind::kVolume && !id.empty() && resource.id == id) {
        keys.push_back(other.name);
      }
    }
  }
  return keys;
}

// The recorded form of the live resource `id` at `address`: what RunPod
// reports, completed from the config where RunPod reports nothing (a pod's
// data center and cloud type, a mount path where no volume is mounted, a
// volume's protection).
absl::StatusOr<Resource> Adopt(const Config& config, const State& state,
                               const LiveState& live, const Address& address,
                               const std::string& id) {
  Resource r;
  r.address = address;
  if (address.kind == Kind::kVolume) {
    const LiveVolume* volume = live.FindVolume(id);
    if (volume == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("RunPod has no network volume with id ", id));
    }
    const DesiredVolume& desired = config.volumes.at(address.name);
    r.volume = volume->spec;
    // As apply records it: the tier only when the config declares one.
    if (desired.spec.type.empty()) r.volume.type.clear();
    r.protect = desired.protect;
    return r;
  }
  if (address.kind == Kind::kEndpoint) {
    const LiveEndpoint* endpoint = live.FindEndpoint(id);
    if (endpoint == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("RunPod has no serverless endpoint with id ", id));
    }
    const DesiredEndpoint& desired = config.endpoints.at(address.name);
    r.endpoint = endpoint->spec;
    r.volume_keys = VolumeKeysOf(state, endpoint->spec.network_volume_ids);
    r.read_only = desired.read_only && !r.volume_keys.empty();
    for (const std::string& key : desired.secret_env) {
      if (r.endpoint.env.erase(key) > 0) r.secret_env.insert(key);
    }
    return r;
  }
  const LivePod* pod = live.FindPod(id);
  if (pod == nullptr) {
    return absl::NotFoundError(absl::StrCat("RunPod has no pod with id ", id));
  }
  const DesiredPod& desired = config.pods.at(address.name);
  r.pod = pod->spec;
  r.pod.running = pod->Running();
  r.pod.data_center = desired.spec.data_center;
  r.pod.cloud_type = desired.spec.cloud_type;
  // Without a volume RunPod may report no mount path at all.
  if (r.pod.mount_path.empty()) r.pod.mount_path = desired.spec.mount_path;
  for (const auto& [other, resource] : state.resources) {
    if (other.kind == Kind::kVolume && !pod->spec.network_volume_id.empty() &&
        resource.id == pod->spec.network_volume_id) {
      r.volume_key = other.name;
    }
  }
  // A secret is only marked; its live value stays on RunPod's side.
  for (const std::string& key : desired.secret_env) {
    if (r.pod.env.erase(key) > 0) r.secret_env.insert(key);
  }
  return r;
}

}  // namespace

absl::Status RecordImport(const Config& config, const LiveState& live,
                          const Address& address, const std::string& id,
                          State* state) {
  ASSIGN_OR_RETURN(Resource resource, Adopt(config, *state, live, address, id));
  state->intents.erase(address);
  if (address.kind == Kind::kVolume) {
    // Pods imported before the volume they mount now know its address.
    for (auto& [other, recorded] : state->resources) {
      if (other.kind == Kind::kPod &&
          recorded.resource.pod.network_volume_id == id) {
        recorded.resource.volume_key = address.name;
      }
    }
  }
  state->resources[address] = ResourceState{id, resource};
  if (address.kind == Kind::kVolume) {
    // The same for endpoints, whose volume keys follow their ids' order.
    for (auto& [other, recorded] : state->resources) {
      if (other.kind != Kind::kEndpoint) continue;
      Resource& e = recorded.resource;
      e.volume_keys = VolumeKeysOf(*state, e.endpoint.network_volume_ids);
      if (e.volume_keys.empty()) e.read_only = false;
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status Import(Workspace& workspace, const std::string& address_text,
                    const std::string& id) {
  ASSIGN_OR_RETURN(Address address, Address::Parse(address_text));
  const Config* config = workspace.LoadConfig();
  if (config == nullptr) {
    return absl::InvalidArgumentError("the config has errors");
  }
  RETURN_IF_ERROR(RefuseEndpoints(*config, workspace));
  bool declared = address.kind == Kind::kVolume
                      ? config->volumes.count(address.name) > 0
                  : address.kind == Kind::kEndpoint
                      ? config->endpoints.count(address.name) > 0
                      : config->pods.count(address.name) > 0;
  if (!declared) {
    return absl::FailedPreconditionError(absl::StrCat(
        address.ToString(), " is not declared in ", workspace.global().file,
        "; declare it first, then import"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<StateLock> lock,
                   TakeLock(workspace, "podform import"));
  ASSIGN_OR_RETURN(State state, workspace.ReadState());
  if (const ResourceState* existing = state.Find(address)) {
    return absl::FailedPreconditionError(absl::StrCat(
        address.ToString(), " is already managed (id ", existing->id,
        "); `podform state rm ", address.ToString(), "` first"));
  }
  if (const Address* owner = state.DeposedOwner(id)) {
    return absl::FailedPreconditionError(absl::StrCat(
        id, " is a deposed pod of ", owner->ToString(),
        ", replaced and not yet terminated; the next apply terminates it"));
  }
  for (const auto& [other, resource] : state.resources) {
    if (resource.id == id) {
      return absl::FailedPreconditionError(
          absl::StrCat(id, " is already managed as ", other.ToString()));
    }
  }
  ASSIGN_OR_RETURN(Provider * provider, workspace.OpenProvider());
  ASSIGN_OR_RETURN(LiveState live, provider->Refresh());
  RETURN_IF_ERROR(workspace.AdoptTarget(&state, live));
  RETURN_IF_ERROR(RecordImport(*config, live, address, id, &state));
  RETURN_IF_ERROR(workspace.store().Write(&state));
  workspace.out() << "Imported " << address.ToString() << " (id " << id
                  << "). Run podform plan to compare it with the config.\n";
  const Resource& resource = state.resources.at(address).resource;
  if (address.kind == Kind::kPod && resource.volume_key.empty() &&
      !resource.pod.network_volume_id.empty()) {
    // Its volume is not managed yet: the next plan would replace the pod.
    const std::string& key = config->pods.at(address.name).volume;
    workspace.out() << address.ToString() << " mounts network volume "
                    << resource.pod.network_volume_id
                    << ", which is not in the state yet: import it too "
                       "before the next plan (podform import volume."
                    << (key.empty() ? "NAME" : key) << " "
                    << resource.pod.network_volume_id << ").\n";
  }
  if (address.kind == Kind::kEndpoint &&
      resource.volume_keys.size() <
          resource.endpoint.network_volume_ids.size()) {
    workspace.out() << address.ToString()
                    << " mounts network volumes that are not in the state "
                       "yet: import them too before the next plan (podform "
                       "import volume.NAME ID for each of "
                    << absl::StrJoin(resource.endpoint.network_volume_ids,
                                     ", ")
                    << " not managed yet).\n";
  }
  return absl::OkStatus();
}

}  // namespace

CommandRun SetupImport(CLI::App* command, const CommandContext& context) {
  auto address = std::make_shared<std::string>();
  auto id = std::make_shared<std::string>();
  auto all = std::make_shared<bool>(false);
  auto flags = std::make_shared<ImportAllFlags>();
  command->add_option("ADDR", *address,
                      "volume.NAME, pod.NAME or endpoint.NAME");
  command->add_option("ID", *id, "The RunPod id to adopt");
  command->add_flag("--all", *all,
                    "Declare and adopt every volume, pod and endpoint the "
                    "state does not manage");
  command
      ->add_option("--only", flags->only, "With --all: volume, pod or endpoint")
      ->check(CLI::IsMember({"volume", "pod", "endpoint"}));
  command->add_option("--data-center", flags->data_center,
                      "With --all: only resources in this data center");
  command->add_option("--name-regex", flags->name_regex,
                      "With --all: only resources whose RunPod name matches "
                      "(ECMAScript regular expression, searched)");
  command->add_option("--out", flags->out,
                      "With --all: write the entries to FILE (a config to "
                      "merge into --file) and record nothing");
  command->add_flag("--dry-run", flags->dry_run,
                    "With --all: print the entries; write nothing");
  return [context, address, id, all, flags]() {
    Workspace workspace(context);
    bool all_flags = !flags->only.empty() || !flags->data_center.empty() ||
                     !flags->name_regex.empty() || !flags->out.empty() ||
                     flags->dry_run;
    if (*all && (!address->empty() || !id->empty())) {
      return workspace.Fail(absl::InvalidArgumentError(
          "import takes either ADDR ID or --all, not both"));
    }
    if (!*all && all_flags) {
      return workspace.Fail(absl::InvalidArgumentError(
          "--only, --data-center, --name-regex, --out and --dry-run go with "
          "--all"));
    }
    if (!*all && (address->empty() || id->empty())) {
      return workspace.Fail(absl::InvalidArgumentError(
          "import needs ADDR and ID (podform import pod.trainer ID), or "
          "--all"));
    }
    absl::Status status =
        *all ? ImportAll(workspace, *flags) : Import(workspace, *address, *id);
    return status.ok() ? 0 : workspace.Fail(status);
  };
}

}  // namespace podform
