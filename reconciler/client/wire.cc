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
using wire::Member;

absl::Status RequireObject(const json& value, const std::string& path) {
  if (!value.is_object()) {
    return Malformed(path, Describe(value) + ", expected an object");
  }
  return absl::OkStatus();
}

// A nullable String field: null gives "".
absl::StatusOr<std::string> String(const json& object, const char* key,
                                   const std::string& path) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, path));
  if (value->is_null()) return std::string();
  if (!value->is_string()) {
    return Malformed(path + "." + key,
                     Describe(*value) + ", expected a string");
  }
  return value->get<std::string>();
}

// A non-empty String id.
absl::StatusOr<std::string> Id(const json& object, const char* key,
                               const std::string& path) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, path));
  if (!value->is_string() || value->get_ref<const std::string&>().empty()) {
    return Malformed(path + "." + key,
                     value->is_string()
                         ? std::string("is empty")
                         : Describe(*value) + ", expected a non-empty string");
  }
  return value->get<std::string>();
}

// A nullable Int field: null gives 0.
absl::StatusOr<int64_t> Int(const json& object, const char* key,
                            const std::string& path) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, path));
  if (value->is_null()) return int64_t{0};
  if (value->is_number_integer()) {
    if (value->is_number_unsigned() &&
        value->get<uint64_t>() >
            static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Malformed(path + "." + key, "is out of range");
    }
    return value->get<int64_t>();
  }
  return Malformed(path + "." + key,
                   Describe(*value) + ", expected an integer");
}

// An Int field that must fit a C++ int.
absl::StatusOr<int> SmallInt(const json& object, const char* key,
                             const std::string& path) {
  ASSIGN_OR_RETURN(int64_t value, Int(object, key, path));
  if (value < std::numeric_limits<int>::min() ||
      value > std::numeric_limits<int>::max()) {
    return Malformed(path + "." + key, "is out of range");
  }
  return static_cast<int>(value);
}

// A nullable Float field: null gives 0.
absl::StatusOr<double> Float(const json& object, const char* key,
                             const std::string& path) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, path));
  if (value->is_null()) return 0.0;
  if (!value->is_number()) {
    return Malformed(path + "." + key,
                     Describe(*value) + ", expected a number");
  }
  return value->get<double>();
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
    RETURN_IF_ERROR(RequireObject(value[i], item));
    ASSIGN_OR_RETURN(std::string id, Id(value[i], "id", item));
    ASSIGN_OR_RETURN(std::string display,
                     String(value[i], "displayName", item));
    if (!display.empty()) names.emplace(display, id);
  }
  return names;
}

absl::StatusOr<LiveVolume> ParseVolume(const json& value,
                                       const std::string& path) {
  RETURN_IF_ERROR(RequireObject(value, path));
  LiveVolume volume;
  ASSIGN_OR_RETURN(volume.id, Id(value, "id", path));
  ASSIGN_OR_RETURN(volume.spec.name, String(value, "name", path));
  ASSIGN_OR_RETURN(volume.spec.size_gb, Int(value, "size", path));
  ASSIGN_OR_RETURN(volume.spec.data_center,
                   String(value, "dataCenterId", path));
  return volume;
}

absl::StatusOr<ParsedPod> ParsePod(const json& value, const std::string& path) {
  RETURN_IF_ERROR(RequireObject(value, path));
  ParsedPod parsed;
  LivePod& pod = parsed.pod;
  PodSpec& spec = pod.spec;
  ASSIGN_OR_RETURN(pod.id, Id(value, "id", path));
  ASSIGN_OR_RETURN(spec.name, String(value, "name", path));
  ASSIGN_OR_RETURN(spec.image, String(value, "imageName", path));
  ASSIGN_OR_RETURN(spec.docker_args, String(value, "dockerArgs", path));
  ASSIGN_OR_RETURN(spec.gpu_count, SmallInt(value, "gpuCount", path));
  ASSIGN_OR_RETURN(spec.container_disk_gb,
                   SmallInt(value, "containerDiskInGb", path));
  ASSIGN_OR_RETURN(int64_t volume_in_gb, Int(value, "volumeInGb", path));
  (void)volume_in_gb;  // selected for completeness; podform keeps it at 0
  ASSIGN_OR_RETURN(spec.mount_path, String(value, "volumeMountPath", path));
  ASSIGN_OR_RETURN(spec.network_volume_id,
                   String(value, "networkVolumeId", path));
  ASSIGN_OR_RETURN(std::string status, String(value, "desiredStatus", path));
  pod.SetStatus(status);
  ASSIGN_OR_RETURN(pod.cost_per_hr, Float(value, "costPerHr", path));
  ASSIGN_OR_RETURN(std::string ports, String(value, "ports", path));
  spec.ports = ParsePorts(ports);
  spec.cloud_type.clear();
  spec.data_center.clear();
  spec.running = ConditionOf(pod.status) == PodCondition::kRunning;

  ASSIGN_OR_RETURN(const json* env, Member(value, "env", path));
  std::vector<std::string> entries;
  if (!env->is_null()) {
    if (!env->is_array()) {
      return Malformed(path + ".env", Describe(*env) + ", expected a list");
    }
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

  ASSIGN_OR_RETURN(const json* machine, Member(value, "machine", path));
  if (!machine->is_null()) {
    RETURN_IF_ERROR(RequireObject(*machine, path + ".machine"));
    ASSIGN_OR_RETURN(parsed.gpu_display_name,
                     String(*machine, "gpuDisplayName", path + ".machine"));
  }
  return parsed;
}

}  // namespace podform
