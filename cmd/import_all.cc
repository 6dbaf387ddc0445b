// `podform import --all`: selects what the state lacks, writes its entries
// as text (cmd/adopt.h) and records them (RecordImport).

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <regex>
#include <set>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/types/span.h"
#include "cmd/adopt.h"
#include "cmd/execute.h"
#include "cmd/import.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/config/env_reference.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

// The live resources import --all declares, with what it says about those
// it leaves out.
struct Selection {
  std::vector<AdoptedVolume> volumes;
  std::vector<AdoptedPod> pods;
  std::vector<AdoptedEndpoint> endpoints;
  std::vector<std::string> notes;  // one line each, for err()
  // ${env:NAME} references made: NAME -> where its value is on RunPod
  // (every env variable that holds it, in the order they were read).
  std::map<std::string, std::vector<std::string>> exports;
  // NAME -> the value, kept in memory only to check the config reads back.
  std::map<std::string, std::string> secret_values;
};

std::string Quoted(const std::string& name) {
  return absl::StrCat("\"", name, "\"");
}

// The unmanaged live resources the flags select, keyed, with the volumes
// the selected pods and endpoints mount.
Selection Select(const ImportAllFlags& flags,
                 const std::optional<std::regex>& pattern, const Config* config,
                 const State& state, const LiveState& live) {
  auto name_matches = [&](const std::string& name) {
    return !pattern.has_value() || std::regex_search(name, *pattern);
  };
  std::map<std::string, Address> managed;  // id -> address
  for (const auto& [address, resource] : state.resources) {
    managed.emplace(resource.id, address);
  }
  // A deposed pod is managed too: the next apply terminates it.
  for (const auto& [address, pods] : state.deposed) {
    for (const ResourceState& pod : pods) managed.emplace(pod.id, address);
  }
  std::set<std::string> volume_keys, pod_keys, endpoint_keys;
  // name -> who
  std::map<std::string, std::string> volume_names, pod_names, endpoint_names;
  for (const auto& [address, resource] : state.resources) {
    (address.kind == Kind::kVolume ? volume_keys
     : address.kind == Kind::kPod  ? pod_keys
                                   : endpoint_keys)
        .insert(address.name);
  }
  if (config != nullptr) {
    for (const auto& [key, volume] : config->volumes) {
      volume_keys.insert(key);
      volume_names.emplace(volume.spec.name, "volumes." + key);
    }
    for (const auto& [key, pod] : config->pods) {
      pod_keys.insert(key);
      pod_names.emplace(pod.spec.name, "pods." + key);
    }
    for (const auto& [key, endpoint] : config->endpoints) {
      endpoint_keys.insert(key);
      endpoint_names.emplace(endpoint.spec.name, "endpoints." + key);
    }
  }

  Selection selection;
  // Volumes: those selected, then those selected pods mount.
  std::map<std::string, std::string> volume_key_of;  // id -> new key
  // Why `volume` cannot be adopted; "" when it can (or already is).
  auto volume_refusal = [&](const LiveVolume& volume) -> std::string {
    if (volume_key_of.count(volume.id) > 0) return "";
    if (volume.spec.name.empty()) {
      return absl::StrCat(
          "skipped volume ", volume.id,
          ": it has no name, and podform.yaml gives every volume one");
    }
    auto used = volume_names.find(volume.spec.name);
    if (used != volume_names.end()) {
      return absl::StrCat(
          "skipped volume ", volume.id, " ", Quoted(volume.spec.name),
          ": its name is already used by ", used->second,
          " (RunPod names are unique in podform.yaml); rename one, or import "
          "it by hand");
    }
    return "";
  };
  auto adopt_volume = [&](const LiveVolume& volume,
                          const std::string& why) -> bool {
    if (volume_key_of.count(volume.id) > 0) return true;
    if (std::string refusal = volume_refusal(volume); !refusal.empty()) {
      selection.notes.push_back(std::move(refusal));
      return false;
    }
    std::string key =
        UniqueKey(KeyFromName(volume.spec.name, "volume"), volume_keys);
    volume_keys.insert(key);
    volume_names.emplace(volume.spec.name, "volumes." + key);
    volume_key_of[volume.id] = key;
    selection.volumes.push_back({key, volume});
    if (!why.empty()) {
      selection.notes.push_back(absl::StrCat(
          "also importing volume ", volume.id, " as volume.", key, ": ", why));
    }
    return true;
  };
  if (flags.only.empty() || flags.only == "volume") {
    for (const LiveVolume& volume : live.volumes) {
      if (managed.count(volume.id) > 0) continue;
      if (!flags.data_center.empty() &&
          volume.spec.data_center != flags.data_center) {
        continue;
      }
      if (!name_matches(volume.spec.name)) continue;
      adopt_volume(volume, "");
    }
  }
  // NAME -> the value ${env:NAME} stands for: those made here, else what
  // the environment holds (the file may already reference it).
  std::map<std::string, std::string> secret_owner;
  const EnvLookup process_env = ProcessEnv();
  auto owner_of = [&](const std::string& name) -> std::optional<std::string> {
    auto it = secret_owner.find(name);
    if (it != secret_owner.end()) return it->second;
    return process_env(name);
  };
  // The ${env:NAME} references for the secret-looking values of `env`,
  // declared at KIND.KEY: variable -> NAME.
  auto secret_refs = [&](const std::string& kind, const std::string& key,
                         const std::map<std::string, std::string>& env) {
    std::map<std::string, std::string> refs;
    for (const auto& [name, value] : env) {
      if (!LooksSecret(name, value)) continue;
      std::string reference = name;
      std::optional<std::string> owner = owner_of(reference);
      if (owner.has_value() && *owner != value) {
        // KEY_NAME, then KEY_NAME_2, ...: a name of its own.
        std::string prefix = absl::AsciiStrToUpper(key);
        std::replace(prefix.begin(), prefix.end(), '-', '_');
        if (absl::ascii_isdigit(static_cast<unsigned char>(prefix[0]))) {
          prefix = "_" + prefix;
        }
        std::string base = absl::StrCat(prefix, "_", name);
        reference = base;
        for (int n = 2;; ++n) {
          owner = owner_of(reference);
          if (!owner.has_value() || *owner == value) break;
          reference = absl::StrCat(base, "_", n);
        }
      }
      secret_owner[reference] = value;
      refs[name] = reference;
      selection.secret_values[reference] = value;
      selection.exports[reference].push_back(
          absl::StrCat("env ", name, " of ", kind, ".", key));
    }
    return refs;
  };
  auto wanted = [&](const char* kind) {
    return flags.only.empty() || flags.only == kind;
  };
  for (const LivePod& live_pod : wanted("pod") ? absl::MakeConstSpan(live.pods)
                                               : absl::Span<const LivePod>()) {
    if (managed.count(live_pod.id) > 0 || live_pod.Gone()) continue;
    const PodSpec& spec = live_pod.spec;
    const LiveVolume* volume = spec.network_volume_id.empty()
                                   ? nullptr
                                   : live.FindVolume(spec.network_volume_id);
    std::string data_center = spec.data_center;
    if (volume != nullptr) data_center = volume->spec.data_center;
    if (!flags.data_center.empty() && data_center != flags.data_center) {
      continue;
    }
    if (!name_matches(spec.name)) continue;
    std::string what =
        absl::StrCat("pod ", live_pod.id, " ", Quoted(spec.name));
    if (spec.name.empty()) {
      selection.notes.push_back(absl::StrCat(
          "skipped pod ", live_pod.id,
          ": it has no name, and podform.yaml gives every pod one"));
      continue;
    }
    auto used = pod_names.find(spec.name);
    if (used != pod_names.end()) {
      selection.notes.push_back(absl::StrCat(
          "skipped ", what, ": its name is already used by ", used->second,
          " (RunPod names are unique in podform.yaml); rename one, or import "
          "it by hand"));
      continue;
    }
    std::string bad_env;
    for (const auto& [name, value] : spec.env) {
      if (!IsEnvVariableName(name)) bad_env = name;
    }
    if (!bad_env.empty()) {
      selection.notes.push_back(absl::StrCat(
          "skipped ", what, ": its env variable ", Quoted(bad_env),
          " is not a name podform.yaml accepts ([A-Za-z_][A-Za-z0-9_]*)"));
      continue;
    }
    AdoptedPod pod;
    pod.live = live_pod;
    if (!spec.network_volume_id.empty()) {
      auto recorded = managed.find(spec.network_volume_id);
      if (recorded != managed.end()) {
        pod.volume_key = recorded->second.name;
      } else if (volume == nullptr) {
        selection.notes.push_back(absl::StrCat(
            "skipped ", what, ": it mounts network volume ",
            spec.network_volume_id, ", which RunPod does not list"));
        continue;
      } else if (!adopt_volume(*volume,
                               absl::StrCat("pod ", live_pod.id, " ",
                                            Quoted(spec.name), " mounts it"))) {
        selection.notes.push_back(absl::StrCat("skipped ", what,
                                               ": the volume it mounts is not "
                                               "imported"));
        continue;
      } else {
        pod.volume_key = volume_key_of[volume->id];
      }
    }
    pod.key = UniqueKey(KeyFromName(spec.name, "pod"), pod_keys);
    pod_keys.insert(pod.key);
    pod_names.emplace(spec.name, "pods." + pod.key);
    pod.secret_refs = secret_refs("pod", pod.key, spec.env);
    selection.pods.push_back(std::move(pod));
  }

  for (const LiveEndpoint& live_endpoint :
       wanted("endpoint") ? absl::MakeConstSpan(live.endpoints)
                          : absl::Span<const LiveEndpoint>()) {
    if (managed.count(live_endpoint.id) > 0) continue;
    const EndpointSpec& spec = live_endpoint.spec;
    // Its data centers: its volumes' (as RunPod reports them), or those it
    // was given, or none (anywhere).
    if (!flags.data_center.empty() &&
        !absl::c_linear_search(spec.data_centers, flags.data_center)) {
      continue;
    }
    if (!name_matches(spec.name)) continue;
    std::string what = spec.name.empty()
                           ? absl::StrCat("endpoint ", live_endpoint.id)
                           : absl::StrCat("endpoint ", live_endpoint.id, " ",
                                          Quoted(spec.name));
    if (std::string why = WhyNotDeclarable(live_endpoint); !why.empty()) {
      selection.notes.push_back(absl::StrCat("skipped ", what, ": ", why));
      continue;
    }
    auto used = endpoint_names.find(spec.name);
    if (used != endpoint_names.end()) {
      selection.notes.push_back(absl::StrCat(
          "skipped ", what, ": its name is already used by ", used->second,
          " (RunPod names are unique in podform.yaml); rename one, or import "
          "it by hand"));
      continue;
    }
    // Its volumes, each managed or adoptable, at most one per data center
    // and in the data centers RunPod reports (unless one is gone: the plan
    // creates it again): what the config can say.
    std::string refusal;
    std::vector<const LiveVolume*> to_adopt;
    std::vector<std::string> volume_data_centers;
    for (const std::string& id : spec.network_volume_ids) {
      const LiveVolume* volume = live.FindVolume(id);
      auto recorded = managed.find(id);
      if (volume == nullptr && (recorded == managed.end() ||
                                recorded->second.kind != Kind::kVolume)) {
        refusal = absl::StrCat("it mounts network volume ", id,
                               ", which RunPod does not list");
        break;
      }
      if (volume == nullptr) continue;  // managed, deleted outside podform
      volume_data_centers.push_back(volume->spec.data_center);
      if (recorded != managed.end()) continue;
      if (std::string volume_refused = volume_refusal(*volume);
          !volume_refused.empty()) {
        selection.notes.push_back(std::move(volume_refused));
        refusal = "a volume it mounts is not imported";
        break;
      }
      to_adopt.push_back(volume);
    }
    if (refusal.empty() &&
        volume_data_centers.size() == spec.network_volume_ids.size()) {
      refusal = WhyVolumesNotDeclarable(live_endpoint, volume_data_centers);
    }
    if (!refusal.empty()) {
      selection.notes.push_back(absl::StrCat("skipped ", what, ": ", refusal));
      continue;
    }
    AdoptedEndpoint endpoint;
    endpoint.live = live_endpoint;
    for (const LiveVolume* volume : to_adopt) {
      adopt_volume(*volume, absl::StrCat(what, " mounts it"));
    }
    for (const std::string& id : spec.network_volume_ids) {
      auto recorded = managed.find(id);
      endpoint.volume_keys.push_back(recorded != managed.end()
                                         ? recorded->second.name
                                         : volume_key_of.at(id));
    }
    endpoint.key = UniqueKey(KeyFromName(spec.name, "endpoint"), endpoint_keys);
    endpoint_keys.insert(endpoint.key);
    endpoint_names.emplace(spec.name, "endpoints." + endpoint.key);
    endpoint.secret_refs = secret_refs("endpoint", endpoint.key, spec.env);
    selection.endpoints.push_back(std::move(endpoint));
  }
  return selection;
}

// The entries alone, under their section headers: what --dry-run prints.
std::string Blocks(const Selection& selection,
                   const std::string& default_data_center) {
  std::string out;
  if (!selection.volumes.empty()) {
    absl::StrAppend(&out, "volumes:\n",
                    VolumeEntries(selection.volumes, default_data_center, 2));
  }
  if (!selection.pods.empty()) {
    absl::StrAppend(&out, "pods:\n", PodEntries(selection.pods, 2));
  }
  if (!selection.endpoints.empty()) {
    absl::StrAppend(&out, "endpoints:\n",
                    EndpointEntries(selection.endpoints, 2));
  }
  return out;
}

// Whether the raw secret env values `loaded` gives the resource at
// `address` differ from the ones the workspace's config gave it (compared
// in memory only).
bool SecretsChanged(const Workspace& workspace, const LoadResult& loaded,
                    const Address& address) {
  return loaded.secret_values.EnvAt(address) !=
         workspace.secret_values().EnvAt(address);
}

}  // namespace

absl::Status ImportAll(Workspace& workspace, const ImportAllFlags& flags) {
  const std::string& path = workspace.global().file;
  std::optional<std::regex> pattern;
  if (!flags.name_regex.empty()) {
    try {
      pattern.emplace(flags.name_regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return absl::InvalidArgumentError(
          absl::StrCat("--name-regex: not a regular expression: ", e.what()));
    }
  }
  std::error_code ec;
  if (!flags.out.empty() &&
      std::filesystem::symlink_status(flags.out, ec).type() !=
          std::filesystem::file_type::not_found) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--out ", flags.out,
        " exists; podform never writes over it (remove it, or choose "
        "another file)"));
  }
  std::string existing;
  bool exists = true;
  if (absl::StatusOr<std::string> text = ReadFile(path); text.ok()) {
    existing = *std::move(text);
  } else if (absl::IsNotFound(text.status())) {
    exists = false;
  } else {
    return text.status();
  }
  const Config* config = nullptr;
  if (exists) {
    config = workspace.LoadConfig();
    if (config == nullptr) {
      return absl::InvalidArgumentError("the config has errors");
    }
  }
  std::unique_ptr<StateLock> lock;
  if (!flags.dry_run) {
    ASSIGN_OR_RETURN(lock, TakeLock(workspace, "podform import"));
  }
  ASSIGN_OR_RETURN(State state, workspace.ReadState());
  if (!state.intents.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the state holds creates whose outcome is not recorded (",
        state.intents.begin()->first.ToString(),
        "); run podform apply first (it settles them), so that nothing is "
        "imported twice"));
  }
  ASSIGN_OR_RETURN(Provider * provider, workspace.OpenProvider());
  // Over GraphQL podform reads no endpoints: --all adopts volumes and pods
  // there, and --only endpoint has nothing it could read.
  const bool endpoints_readable = workspace.api() != Api::kGraphQL;
  if (flags.only == "endpoint" && !endpoints_readable) {
    return absl::FailedPreconditionError(
        "--only endpoint: serverless endpoints are read over RunPod's REST "
        "v2 API only; use REST v2 (the default, without --api graphql)");
  }
  ASSIGN_OR_RETURN(LiveState live, provider->Refresh());
  RETURN_IF_ERROR(workspace.AdoptTarget(&state, live));
  Selection selection = Select(flags, pattern, config, state, live);
  for (const std::string& note : selection.notes) {
    workspace.err() << "podform: " << note << "\n";
  }
  if (selection.volumes.empty() && selection.pods.empty() &&
      selection.endpoints.empty()) {
    workspace.out() << "Nothing to import: every "
                    << (!flags.only.empty()  ? flags.only
                        : endpoints_readable ? "volume, pod and endpoint"
                                             : "volume and pod")
                    << " selected is already managed.\n";
    return absl::OkStatus();
  }
  const std::string default_dc =
      config == nullptr ? "" : config->default_data_center;

  // The config the state entries are made from: the file with the new
  // entries, read back as plan will read it (secrets from memory).
  std::string text;
  if (flags.out.empty()) {
    ASSIGN_OR_RETURN(text,
                     AppendEntries(existing, selection.volumes, default_dc,
                                   selection.pods, selection.endpoints));
    EnvLookup process_env = ProcessEnv();
    EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
      auto it = selection.secret_values.find(name);
      if (it != selection.secret_values.end()) return it->second;
      return process_env(name);
    };
    LoadResult loaded = ParseConfig(path, text, env);
    if (!loaded.config.has_value()) {
      for (const Diagnostic& d : loaded.diagnostics) {
        if (d.severity == Diagnostic::Severity::kError) {
          workspace.err() << d.ToString() << "\n";
        }
      }
      return absl::InternalError(
          "the entries made for the live resources do not read back as a "
          "valid config; nothing was written");
    }
    // What was there reads back exactly as before.
    if (config != nullptr) {
      for (const auto& [key, volume] : config->volumes) {
        auto now = loaded.config->volumes.find(key);
        if (now == loaded.config->volumes.end() ||
            now->second.spec != volume.spec ||
            now->second.protect != volume.protect) {
          return absl::InternalError(
              absl::StrCat("adding the entries as text would change volumes.",
                           key, "; nothing was written (use --out FILE)"));
        }
      }
      for (const auto& [key, pod] : config->pods) {
        auto now = loaded.config->pods.find(key);
        if (now == loaded.config->pods.end() || now->second.spec != pod.spec ||
            now->second.volume != pod.volume ||
            now->second.secret_env != pod.secret_env ||
            SecretsChanged(workspace, loaded, {Kind::kPod, key})) {
          return absl::InternalError(
              absl::StrCat("adding the entries as text would change pods.", key,
                           "; nothing was written (use --out FILE)"));
        }
      }
      for (const auto& [key, endpoint] : config->endpoints) {
        auto now = loaded.config->endpoints.find(key);
        if (now == loaded.config->endpoints.end() ||
            now->second.spec != endpoint.spec ||
            now->second.volumes != endpoint.volumes ||
            now->second.read_only != endpoint.read_only ||
            now->second.secret_env != endpoint.secret_env ||
            SecretsChanged(workspace, loaded, {Kind::kEndpoint, key})) {
          return absl::InternalError(
              absl::StrCat("adding the entries as text would change endpoints.",
                           key, "; nothing was written (use --out FILE)"));
        }
      }
    }
    for (const AdoptedVolume& volume : selection.volumes) {
      RETURN_IF_ERROR(RecordImport(*loaded.config, live,
                                   Address{Kind::kVolume, volume.key},
                                   volume.live.id, &state));
    }
    for (const AdoptedPod& pod : selection.pods) {
      RETURN_IF_ERROR(RecordImport(*loaded.config, live,
                                   Address{Kind::kPod, pod.key}, pod.live.id,
                                   &state));
    }
    for (const AdoptedEndpoint& endpoint : selection.endpoints) {
      RETURN_IF_ERROR(RecordImport(*loaded.config, live,
                                   Address{Kind::kEndpoint, endpoint.key},
                                   endpoint.live.id, &state));
    }
  } else {
    ASSIGN_OR_RETURN(text, AppendEntries("", selection.volumes, "",
                                         selection.pods, selection.endpoints));
  }

  std::ostream& out = workspace.out();
  if (flags.dry_run) {
    out << Blocks(selection, flags.out.empty() ? default_dc : "");
  } else {
    const std::string& target = flags.out.empty() ? path : flags.out;
    int mode = 0644;
    struct stat info;
    if (::stat(target.c_str(), &info) == 0) mode = info.st_mode & 07777;
    RETURN_IF_ERROR(WriteFileAtomically(target, text, mode));
    if (flags.out.empty()) {
      if (absl::Status written = workspace.store().Write(&state);
          !written.ok()) {
        std::string commands;
        for (const AdoptedVolume& volume : selection.volumes) {
          absl::StrAppend(&commands, "\n  podform import volume.", volume.key,
                          " ", volume.live.id);
        }
        for (const AdoptedPod& pod : selection.pods) {
          absl::StrAppend(&commands, "\n  podform import pod.", pod.key, " ",
                          pod.live.id);
        }
        for (const AdoptedEndpoint& endpoint : selection.endpoints) {
          absl::StrAppend(&commands, "\n  podform import endpoint.",
                          endpoint.key, " ", endpoint.live.id);
        }
        return absl::Status(
            written.code(),
            absl::StrCat(written.message(), "; ", path,
                         " already declares the new entries: record them "
                         "with",
                         commands));
      }
    }
  }
  const char* verb = flags.dry_run ? "Would import" : "Imported";
  for (const AdoptedVolume& volume : selection.volumes) {
    out << verb << " volume." << volume.key << " (id " << volume.live.id
        << ")\n";
  }
  for (const AdoptedPod& pod : selection.pods) {
    out << verb << " pod." << pod.key << " (id " << pod.live.id << ")\n";
  }
  for (const AdoptedEndpoint& endpoint : selection.endpoints) {
    out << verb << " endpoint." << endpoint.key << " (id " << endpoint.live.id
        << ")\n";
  }
  if (flags.dry_run) {
    out << "Dry run: nothing was written.\n";
  } else if (!flags.out.empty()) {
    out << "Wrote " << flags.out
        << "; nothing was recorded in the state. Merge its entries into "
        << path << ", then record each with podform import ADDR ID:\n";
    for (const AdoptedVolume& volume : selection.volumes) {
      out << "  podform import volume." << volume.key << " " << volume.live.id
          << "\n";
    }
    for (const AdoptedPod& pod : selection.pods) {
      out << "  podform import pod." << pod.key << " " << pod.live.id << "\n";
    }
    for (const AdoptedEndpoint& endpoint : selection.endpoints) {
      out << "  podform import endpoint." << endpoint.key << " "
          << endpoint.live.id << "\n";
    }
  } else {
    out << (exists ? "Added them to " : "Wrote ") << path << " and recorded "
        << "them in " << workspace.state_path() << ".\n";
  }
  if (!selection.exports.empty()) {
    out << "Some env values look secret and were written as ${env:NAME}; "
           "before the next plan, export each with the value it has on "
           "RunPod:\n";
    for (const auto& [name, where] : selection.exports) {
      out << "  export " << name << "=...  # " << absl::StrJoin(where, ", ")
          << "\n";
    }
  }
  return absl::OkStatus();
}

}  // namespace podform
