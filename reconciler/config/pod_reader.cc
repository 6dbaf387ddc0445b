#include <array>
#include <charconv>
#include <limits>
#include <map>

#include "absl/strings/str_cat.h"
#include "reconciler/config/drafts.h"
#include "reconciler/config/env_reference.h"
#include "reconciler/core/catalog.h"
#include "reconciler/util/utf8.h"

namespace podform {
namespace {

constexpr int kDefaultMaxGpuCount = 8;
constexpr int64_t kMaxPort = 65535;

constexpr std::array<std::string_view, 15> kPodKeys = {
    "name",       "image",  "gpuType",    "gpuCount",        "cloudType",
    "dataCenter", "volume", "mountPath",  "containerDiskGb", "ports",
    "env",        "status", "dockerArgs", "access",          "replace"};

// Reads `ports`: a list of "NUMBER/http" or "NUMBER/tcp", NUMBER in
// 1..65535 without leading zeros, each number at most once.
void ReadPorts(const Entry& entry, PodSpec& spec, Diagnostics& diagnostics) {
  if (!entry.value.IsSequence()) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(entry.path, ": expected a list, got ",
                                   DescribeType(TypeOf(entry.value))));
    return;
  }
  std::map<int64_t, std::string> seen;  // port number -> as first written
  int index = 0;
  for (const YAML::Node& item : entry.value) {
    std::string path = absl::StrCat(entry.path, "[", index++, "]");
    SourceLocation location =
        item.IsNull() ? entry.value_location : LocationOf(item.Mark());
    if (TypeOf(item) != YamlType::kString) {
      diagnostics.Error(location, absl::StrCat(path,
                                               ": expected a string like "
                                               "\"8888/http\", got ",
                                               DescribeType(TypeOf(item))));
      continue;
    }
    const std::string& text = item.Scalar();
    size_t slash = text.find('/');
    std::string number = text.substr(0, slash);
    std::string protocol =
        slash == std::string::npos ? "" : text.substr(slash + 1);
    bool digits = !number.empty() &&
                  number.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || (number.size() > 1 && number[0] == '0') ||
        (protocol != "http" && protocol != "tcp")) {
      diagnostics.Error(location,
                        absl::StrCat(path,
                                     ": must be PORT/http or PORT/tcp (e.g. "
                                     "8888/http), got \"",
                                     text, "\""));
      continue;
    }
    int64_t port = 0;
    auto [end, error] =
        std::from_chars(number.data(), number.data() + number.size(), port);
    if (error != std::errc() || port < 1 || port > kMaxPort) {
      diagnostics.Error(location,
                        absl::StrCat(path, ": port must be between 1 and ",
                                     kMaxPort, ", got ", number));
      continue;
    }
    auto [previous, inserted] = seen.emplace(port, text);
    if (!inserted) {
      diagnostics.Error(location, absl::StrCat(path, ": duplicate port ", port,
                                               " (already listed as \"",
                                               previous->second, "\")"));
      continue;
    }
    spec.ports.push_back(text);
  }
}

// Reports each ${var:NAME} of `entry`'s value that no --var, --var-file or
// PODFORM_VAR_NAME defines.
void ReportUndefinedVars(const Entry& entry, const EnvExpansion& expansion,
                         Diagnostics& diagnostics) {
  for (const std::string& name : expansion.undefined_vars) {
    diagnostics.Error(
        entry.value_location,
        absl::StrCat(entry.path, ": variable ", name,
                     " is not defined (give --var ", name,
                     "=VALUE, a --var-file that defines it, or set "
                     "PODFORM_VAR_",
                     name, ")"));
  }
}

}  // namespace

void ReadImage(const Entry& entry, const EnvLookup& vars, std::string& image,
               Diagnostics& diagnostics) {
  std::optional<std::string> text = ReadString(entry, diagnostics);
  if (!text.has_value()) return;
  image = *std::move(text);
  if (!ContainsVarReference(image)) return;
  EnvExpansion expansion = ExpandEnvReferences(image, /*env=*/nullptr, vars);
  for (const std::string& malformed : expansion.malformed) {
    diagnostics.Error(
        entry.value_location,
        absl::StrCat(entry.path, ": malformed reference \"", malformed,
                     "\": expected ${var:NAME} (write $${ for "
                     "a literal ${)"));
  }
  ReportUndefinedVars(entry, expansion, diagnostics);
  image = std::move(expansion.value);
}

void ReadEnv(const Entry& entry, const EnvLookup& env, const EnvLookup& vars,
             std::map<std::string, std::string>& values,
             std::set<std::string>& secret_env, Diagnostics& diagnostics) {
  if (!ExpectMapping(entry, /*allow_null=*/false, diagnostics)) return;
  for (const Entry& variable :
       ReadMapping(entry.value, entry.path, {}, diagnostics)) {
    if (!IsEnvVariableName(variable.key)) {
      diagnostics.Error(
          variable.key_location,
          absl::StrCat(entry.path, ": invalid variable name \"", variable.key,
                       "\": must match [A-Za-z_][A-Za-z0-9_]*"));
      continue;
    }
    YamlType type = TypeOf(variable.value);
    if (type == YamlType::kBoolean || type == YamlType::kInteger ||
        type == YamlType::kFloat) {
      values[variable.key] = variable.value.Scalar();
      continue;
    }
    if (type != YamlType::kString) {
      diagnostics.Error(variable.value_location,
                        absl::StrCat(variable.path, ": expected a string, got ",
                                     DescribeType(type)));
      continue;
    }
    EnvExpansion expansion =
        ExpandEnvReferences(variable.value.Scalar(), env, vars);
    for (const std::string& malformed : expansion.malformed) {
      diagnostics.Error(
          variable.value_location,
          absl::StrCat(
              variable.path, ": malformed reference \"", malformed,
              "\": expected ${env:NAME} or ${var:NAME} (write $${ for a "
              "literal ${)"));
    }
    for (const std::string& name : expansion.unset) {
      diagnostics.Error(variable.value_location,
                        absl::StrCat(variable.path, ": environment variable ",
                                     name, " is not set"));
    }
    ReportUndefinedVars(variable, expansion, diagnostics);
    if (!expansion.malformed.empty() || !expansion.unset.empty() ||
        !expansion.undefined_vars.empty()) {
      continue;
    }
    if (expansion.secret && FirstInvalidUtf8(expansion.value).has_value()) {
      // The file's own bytes are checked as a whole; this is what the
      // environment put in.
      diagnostics.Error(variable.value_location,
                        absl::StrCat(variable.path,
                                     ": the environment variable it "
                                     "references is not valid UTF-8"));
      continue;
    }
    values[variable.key] = std::move(expansion.value);
    if (expansion.secret) secret_env.insert(variable.key);
  }
}

PodDraft ReadPod(const Entry& entry, const EnvLookup& env,
                 const EnvLookup& vars, Diagnostics& diagnostics) {
  PodDraft draft = NewDraft<PodDraft>(entry);
  if (!ExpectMapping(entry, /*allow_null=*/true, diagnostics)) return draft;

  bool has_image = false;
  std::optional<Entry> gpu_count;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kPodKeys, diagnostics)) {
    const std::string& key = field.key;
    if (key == "name") {
      ReadName(field, draft, diagnostics);
    } else if (key == "image") {
      has_image = true;
      ReadImage(field, vars, draft.spec.image, diagnostics);
    } else if (key == "gpuType") {
      draft.has_gpu_type = true;
      draft.gpu_type_location = field.value_location;
      if (auto gpu = ReadString(field, diagnostics)) draft.spec.gpu_type = *gpu;
    } else if (key == "gpuCount") {
      gpu_count = field;  // its bound depends on gpuType
    } else if (key == "cloudType") {
      draft.has_cloud_type = true;
      draft.cloud_type_location = field.value_location;
      if (auto cloud = ReadOneOf(field, {"SECURE", "COMMUNITY"}, diagnostics)) {
        draft.spec.cloud_type = *cloud;
      }
    } else if (key == "dataCenter") {
      draft.has_data_center = true;
      draft.data_center_location = field.value_location;
      if (auto dc = ReadString(field, diagnostics))
        draft.spec.data_center = *dc;
    } else if (key == "volume") {
      draft.volume_location = field.value_location;
      if (auto volume = ReadString(field, diagnostics)) draft.volume = *volume;
    } else if (key == "mountPath") {
      if (auto path = ReadString(field, diagnostics)) {
        if (path->front() == '/') {
          draft.spec.mount_path = *path;
        } else {
          diagnostics.Error(
              field.value_location,
              absl::StrCat(field.path, ": must be an absolute path, got \"",
                           *path, "\""));
        }
      }
    } else if (key == "containerDiskGb") {
      if (auto disk =
              ReadIntegerInRange(field, 1, kNoUpperBound, "GB", diagnostics)) {
        draft.spec.container_disk_gb = static_cast<int>(*disk);
      }
    } else if (key == "ports") {
      ReadPorts(field, draft.spec, diagnostics);
    } else if (key == "env") {
      ReadEnv(field, env, vars, draft.spec.env, draft.secret_env, diagnostics);
    } else if (key == "status") {
      if (auto status =
              ReadOneOf(field, {"running", "stopped"}, diagnostics)) {
        draft.spec.running = *status == "running";
      }
    } else if (key == "access") {
      ReadAccess(field, draft, diagnostics);
    } else if (key == "replace") {
      if (auto order = ReadOneOf(field, {"create-first", "destroy-first"},
                                 diagnostics)) {
        draft.destroy_first = *order == "destroy-first";
      }
    } else if (key == "dockerArgs") {
      if (auto args = ReadString(field, diagnostics, /*allow_empty=*/true)) {
        draft.spec.docker_args = *args;
      }
    }
  }
  if (gpu_count.has_value()) {
    const GpuTypeInfo* gpu = FindGpuType(draft.spec.gpu_type);
    int max = gpu != nullptr ? gpu->max_gpu_count : kDefaultMaxGpuCount;
    if (auto count = ReadIntegerInRange(*gpu_count, 1, max, "", diagnostics)) {
      draft.spec.gpu_count = static_cast<int>(*count);
    }
  }
  if (!has_image) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path, ": missing required key \"image\""));
  }
  // volume_location is set when `volume:` is given, even with a bad value.
  if (draft.has_access && draft.volume_location.line == 0) {
    diagnostics.Error(
        draft.access_location,
        absl::StrCat(entry.path,
                     ".access: only a pod that mounts a volume has an access "
                     "(add \"volume\" or remove \"access\")"));
  }
  if (!draft.has_gpu_type) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path, ": missing required key \"gpuType\""));
  }
  return draft;
}

}  // namespace podform
