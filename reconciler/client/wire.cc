#include "reconciler/client/wire.h"

#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "reconciler/client/response_reader.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

using nlohmann::json;
using wire::Describe;
using wire::Malformed;
using wire::ResponseReader;

constexpr JsonReader::Presence kRequired = JsonReader::kRequired;

// Whether the member `key` is there and null (a nullable field).
bool IsNull(JsonReader& r, const char* key) {
  const json* value = r.Find(key);
  return value != nullptr && value->is_null();
}

// A nullable String field: null gives "".
absl::StatusOr<std::string> String(JsonReader& r, const char* key) {
  std::string out;
  if (IsNull(r, key)) return out;
  RETURN_IF_ERROR(r.String(key, &out, kRequired));
  return out;
}

// A non-empty String id.
absl::StatusOr<std::string> Id(JsonReader& r, const char* key) {
  std::string out;
  RETURN_IF_ERROR(r.NonEmptyString(key, &out, kRequired));
  return out;
}

// A nullable Int field within [min, max]: null gives 0.
template <typename Int>
absl::StatusOr<Int> Integer(JsonReader& r, const char* key) {
  Int out = 0;
  if (IsNull(r, key)) return out;
  RETURN_IF_ERROR(r.Integer(key, &out, std::numeric_limits<Int>::min(),
                            std::numeric_limits<Int>::max(), kRequired));
  return out;
}

// A nullable Float field: null gives 0.
absl::StatusOr<double> Float(JsonReader& r, const char* key) {
  double out = 0;
  if (IsNull(r, key)) return out;
  RETURN_IF_ERROR(r.Number(key, &out, kRequired));
  return out;
}

json EnvInput(const std::map<std::string, std::string>& env) {
  json list = json::array();
  for (const auto& [key, value] : env) {
    list.push_back({{"key", key}, {"value", value}});
  }
  return list;
}

}  // namespace

json CreateVolumeInput(const VolumeSpec& spec) {
  return {{"name", spec.name},
          {"size", spec.size_gb},
          {"dataCenterId", spec.data_center}};
}

json UpdateVolumeInput(const std::string& id, const VolumeSpec& spec) {
  return {{"id", id}, {"name", spec.name}, {"size", spec.size_gb}};
}

absl::StatusOr<json> CreatePodInput(const PodSpec& spec) {
  if (spec.cloud_type != "SECURE" && spec.cloud_type != "COMMUNITY" &&
      spec.cloud_type != "ALL") {
    return absl::InvalidArgumentError(
        absl::StrCat("cloud type \"", spec.cloud_type,
                     "\" is not SECURE, COMMUNITY or ALL"));
  }
  json input = {{"name", spec.name},
                {"imageName", spec.image},
                {"gpuCount", spec.gpu_count},
                {"cloudType", spec.cloud_type},
                {"containerDiskInGb", spec.container_disk_gb},
                {"volumeInGb", 0},
                {"env", EnvInput(spec.env)},
                {"ports", absl::StrJoin(spec.ports, ",")},
                {"dockerArgs", spec.docker_args}};
  if (!spec.gpu_type.empty()) input["gpuTypeId"] = spec.gpu_type;
  if (!spec.data_center.empty()) input["dataCenterId"] = spec.data_center;
  if (!spec.network_volume_id.empty()) {
    input["networkVolumeId"] = spec.network_volume_id;
    input["volumeMountPath"] = spec.mount_path;
  }
  return input;
}

json EditPodInput(const std::string& id, const PodSpec& spec) {
  json input = {{"podId", id},
                {"imageName", spec.image},
                {"containerDiskInGb", spec.container_disk_gb},
                {"dockerArgs", spec.docker_args},
                {"env", EnvInput(spec.env)},
                {"ports", absl::StrJoin(spec.ports, ",")}};
  if (!spec.network_volume_id.empty()) {
    input["volumeMountPath"] = spec.mount_path;
  }
  return input;
}

std::map<std::string, std::string> ParseEnvList(
    const std::vector<std::string>& entries) {
  std::map<std::string, std::string> env;
  for (const std::string& entry : entries) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      env[entry] = "";
    } else {
      env[entry.substr(0, eq)] = entry.substr(eq + 1);
    }
  }
  return env;
}

std::vector<std::string> ParsePorts(const std::string& ports) {
  std::vector<std::string> out;
  for (absl::string_view part : absl::StrSplit(ports, ',')) {
    absl::string_view trimmed = absl::StripAsciiWhitespace(part);
    if (!trimmed.empty()) out.emplace_back(trimmed);
  }
  return out;
}

absl::StatusOr<GpuTypeNames> ParseGpuTypes(const json& value,
                                           const std::string& path) {
  GpuTypeNames names;
  if (value.is_null()) return names;
  if (!value.is_array()) {
    return Malformed(path, Describe(value) + ", expected a list");
  }
  for (size_t i = 0; i < value.size(); ++i) {
    std::string item = absl::StrCat(path, "[", i, "]");
    if (value[i].is_null()) continue;
    JsonReader r = ResponseReader(value[i], item);
    RETURN_IF_ERROR(r.RequireObject());
    ASSIGN_OR_RETURN(std::string id, Id(r, "id"));
    ASSIGN_OR_RETURN(std::string display, String(r, "displayName"));
    if (!display.empty()) names.emplace(display, id);
  }
  return names;
}

absl::StatusOr<LiveVolume> ParseVolume(const json& value,
                                       const std::string& path) {
  JsonReader r = ResponseReader(value, path);
  RETURN_IF_ERROR(r.RequireObject());
  LiveVolume volume;
  ASSIGN_OR_RETURN(volume.id, Id(r, "id"));
  ASSIGN_OR_RETURN(volume.spec.name, String(r, "name"));
  ASSIGN_OR_RETURN(volume.spec.size_gb, Integer<int64_t>(r, "size"));
  ASSIGN_OR_RETURN(volume.spec.data_center, String(r, "dataCenterId"));
  return volume;
}

absl::StatusOr<ParsedPod> ParsePod(const json& value, const std::string& path) {
  JsonReader r = ResponseReader(value, path);
  RETURN_IF_ERROR(r.RequireObject());
  ParsedPod parsed;
  LivePod& pod = parsed.pod;
  PodSpec& spec = pod.spec;
  ASSIGN_OR_RETURN(pod.id, Id(r, "id"));
  ASSIGN_OR_RETURN(spec.name, String(r, "name"));
  ASSIGN_OR_RETURN(spec.image, String(r, "imageName"));
  ASSIGN_OR_RETURN(spec.docker_args, String(r, "dockerArgs"));
  ASSIGN_OR_RETURN(spec.gpu_count, Integer<int>(r, "gpuCount"));
  ASSIGN_OR_RETURN(spec.container_disk_gb,
                   Integer<int>(r, "containerDiskInGb"));
  ASSIGN_OR_RETURN(int64_t volume_in_gb, Integer<int64_t>(r, "volumeInGb"));
  (void)volume_in_gb;  // selected for completeness; podform keeps it at 0
  ASSIGN_OR_RETURN(spec.mount_path, String(r, "volumeMountPath"));
  ASSIGN_OR_RETURN(spec.network_volume_id, String(r, "networkVolumeId"));
  ASSIGN_OR_RETURN(std::string status, String(r, "desiredStatus"));
  pod.SetStatus(status);
  ASSIGN_OR_RETURN(pod.cost_per_hr, Float(r, "costPerHr"));
  ASSIGN_OR_RETURN(std::string ports, String(r, "ports"));
  spec.ports = ParsePorts(ports);
  spec.cloud_type.clear();
  spec.data_center.clear();
  spec.running = ConditionOf(pod.status) == PodCondition::kRunning;

  std::vector<std::string> entries;
  const json* env = nullptr;
  if (!IsNull(r, "env")) {
    RETURN_IF_ERROR(r.Array("env", &env, kRequired));
    for (size_t i = 0; i < env->size(); ++i) {
      const json& entry = (*env)[i];
      if (entry.is_null()) continue;
      if (!entry.is_string()) {
        return Malformed(absl::StrCat(path, ".env[", i, "]"),
                         Describe(entry) + ", expected a string");
      }
      entries.push_back(entry.get<std::string>());
    }
  }
  spec.env = ParseEnvList(entries);

  if (!IsNull(r, "machine")) {
    const json* machine = nullptr;
    RETURN_IF_ERROR(r.Object("machine", &machine, kRequired));
    JsonReader m = ResponseReader(*machine, path + ".machine");
    ASSIGN_OR_RETURN(parsed.gpu_display_name, String(m, "gpuDisplayName"));
  }
  return parsed;
}

}  // namespace podform
