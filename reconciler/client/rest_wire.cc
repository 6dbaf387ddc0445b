#include "reconciler/client/rest_wire.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
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

// A string member; null gives "" when `nullable`.
absl::StatusOr<std::string> String(const json& object, const char* key,
                                   const std::string& path,
                                   bool nullable = false) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, path));
  if (nullable && value->is_null()) return std::string();
  if (!value->is_string()) {
    return Malformed(path + "." + key,
                     Describe(*value) + ", expected a string");
  }
  return value->get<std::string>();
}

absl::StatusOr<std::string> Id(const json& object, const char* key,
                               const std::string& path) {
  ASSIGN_OR_RETURN(std::string id, String(object, key, path));
  if (id.empty()) return Malformed(path + "." + key, "is empty");
  return id;
}

// An integer member that fits an int32.
absl::StatusOr<int> Int(const json& value, const std::string& path) {
  if (!value.is_number_integer()) {
    return Malformed(path, Describe(value) + ", expected an integer");
  }
  if (value.is_number_unsigned()
          ? value.get<uint64_t>() >
                static_cast<uint64_t>(std::numeric_limits<int>::max())
          : (value.get<int64_t>() < std::numeric_limits<int>::min() ||
             value.get<int64_t>() > std::numeric_limits<int>::max())) {
    return Malformed(path, "is out of range");
  }
  return static_cast<int>(value.get<int64_t>());
}

absl::StatusOr<int> IntMember(const json& object, const char* key,
                              const std::string& path) {
  ASSIGN_OR_RETURN(const json* value, Member(object, key, path));
  return Int(*value, path + "." + key);
}

json NetworkMounts(const PodSpec& spec) {
  return {{"network",
           json::array({{{"volumeId", spec.network_volume_id},
                         {"path", spec.mount_path}}})}};
}

json EnvMap(const PodSpec& spec) {
  json env = json::object();
  for (const auto& [key, value] : spec.env) env[key] = value;
  return env;
}

}  // namespace

json RestCreateVolumeBody(const VolumeSpec& spec) {
  json body = {{"name", spec.name},
               {"size", spec.size_gb},
               {"dataCenter", spec.data_center}};
  // Omitted, RunPod uses the data center's default tier.
  if (!spec.type.empty()) body["type"] = spec.type;
  return body;
}

json RestUpdateVolumeBody(const VolumeSpec& spec) {
  return {{"name", spec.name}, {"size", spec.size_gb}};
}

absl::StatusOr<json> RestCreatePodBody(const PodSpec& spec) {
  if (spec.cloud_type != "SECURE" && spec.cloud_type != "COMMUNITY") {
    return absl::InvalidArgumentError(absl::StrCat(
        "cloud type \"", spec.cloud_type, "\" is not SECURE or COMMUNITY"));
  }
  json body = {{"name", spec.name},
               {"image", spec.image},
               {"cloud", spec.cloud_type},
               {"disk", spec.container_disk_gb},
               {"env", EnvMap(spec)},
               {"ports", spec.ports},
               {"args", spec.docker_args}};
  if (!spec.gpu_type.empty()) {
    body["gpu"] = {{"id", spec.gpu_type}, {"count", spec.gpu_count}};
  }
  if (!spec.data_center.empty()) {
    body["dataCenterIds"] = json::array({spec.data_center});
  }
  if (!spec.network_volume_id.empty()) body["mounts"] = NetworkMounts(spec);
  return body;
}

json RestEditPodBody(const PodSpec& spec) {
  json body = {{"image", spec.image},
               {"disk", spec.container_disk_gb},
               {"env", EnvMap(spec)},
               {"ports", spec.ports},
               {"args", spec.docker_args}};
  if (!spec.network_volume_id.empty()) body["mounts"] = NetworkMounts(spec);
  return body;
}

absl::StatusOr<LiveVolume> ParseRestVolume(const json& value,
                                           const std::string& path) {
  RETURN_IF_ERROR(RequireObject(value, path));
  LiveVolume volume;
  ASSIGN_OR_RETURN(volume.id, Id(value, "id", path));
  ASSIGN_OR_RETURN(volume.spec.name, String(value, "name", path));
  ASSIGN_OR_RETURN(int size, IntMember(value, "size", path));
  volume.spec.size_gb = size;
  ASSIGN_OR_RETURN(volume.spec.data_center, String(value, "dataCenter", path));
  ASSIGN_OR_RETURN(volume.spec.type, String(value, "type", path));
  // A tier RunPod adds later is reported as none: podform neither compares
  // it nor records it.
  if (!IsVolumeType(volume.spec.type)) volume.spec.type.clear();
  return volume;
}

absl::StatusOr<LivePod> ParseRestPod(const json& value,
                                     const std::string& path) {
  RETURN_IF_ERROR(RequireObject(value, path));
  LivePod pod;
  PodSpec& spec = pod.spec;
  ASSIGN_OR_RETURN(pod.id, Id(value, "id", path));
  ASSIGN_OR_RETURN(spec.name, String(value, "name", path));
  ASSIGN_OR_RETURN(spec.image, String(value, "image", path));
  ASSIGN_OR_RETURN(spec.docker_args, String(value, "args", path));
  ASSIGN_OR_RETURN(spec.container_disk_gb, IntMember(value, "disk", path));
  ASSIGN_OR_RETURN(spec.cloud_type, String(value, "cloud", path));
  ASSIGN_OR_RETURN(spec.data_center,
                   String(value, "dataCenterId", path, /*nullable=*/true));
  ASSIGN_OR_RETURN(pod.phase, String(value, "status", path));

  ASSIGN_OR_RETURN(const json* env, Member(value, "env", path));
  if (!env->is_object()) {
    return Malformed(path + ".env", Describe(*env) + ", expected an object");
  }
  for (const auto& [key, item] : env->items()) {
    if (!item.is_string()) {
      return Malformed(absl::StrCat(path, ".env.", key),
                       Describe(item) + ", expected a string");
    }
    spec.env[key] = item.get<std::string>();
  }

  ASSIGN_OR_RETURN(const json* ports, Member(value, "ports", path));
  if (!ports->is_array()) {
    return Malformed(path + ".ports", Describe(*ports) + ", expected a list");
  }
  for (size_t i = 0; i < ports->size(); ++i) {
    if (!(*ports)[i].is_string()) {
      return Malformed(absl::StrCat(path, ".ports[", i, "]"),
                       Describe((*ports)[i]) + ", expected a string");
    }
    spec.ports.push_back((*ports)[i].get<std::string>());
  }

  spec.gpu_type.clear();
  spec.gpu_count = 0;
  ASSIGN_OR_RETURN(const json* gpu, Member(value, "gpu", path, false));
  if (gpu != nullptr && !gpu->is_null()) {
    RETURN_IF_ERROR(RequireObject(*gpu, path + ".gpu"));
    ASSIGN_OR_RETURN(spec.gpu_type, String(*gpu, "id", path + ".gpu"));
    spec.gpu_count = 1;
    ASSIGN_OR_RETURN(const json* count,
                     Member(*gpu, "count", path + ".gpu", false));
    if (count != nullptr) {
      ASSIGN_OR_RETURN(spec.gpu_count, Int(*count, path + ".gpu.count"));
    }
  }

  spec.mount_path.clear();
  ASSIGN_OR_RETURN(const json* mounts, Member(value, "mounts", path));
  RETURN_IF_ERROR(RequireObject(*mounts, path + ".mounts"));
  ASSIGN_OR_RETURN(const json* network,
                   Member(*mounts, "network", path + ".mounts", false));
  if (network != nullptr && !network->is_null()) {
    if (!network->is_array()) {
      return Malformed(path + ".mounts.network",
                       Describe(*network) + ", expected a list");
    }
    if (!network->empty()) {
      std::string at = path + ".mounts.network[0]";
      RETURN_IF_ERROR(RequireObject((*network)[0], at));
      ASSIGN_OR_RETURN(spec.network_volume_id,
                       Id((*network)[0], "volumeId", at));
      ASSIGN_OR_RETURN(spec.mount_path, String((*network)[0], "path", at));
    }
  }

  ASSIGN_OR_RETURN(const json* cost, Member(value, "cost", path));
  if (!cost->is_number()) {
    return Malformed(path + ".cost", Describe(*cost) + ", expected a number");
  }
  pod.cost_per_hr = cost->get<double>();

  if (pod.phase == "PROVISIONING" || pod.phase == "STARTING" ||
      pod.phase == "RUNNING") {
    pod.desired_status = "RUNNING";
  } else if (pod.phase == "EXITED" || pod.phase == "ERROR") {
    pod.desired_status = "EXITED";
  } else if (pod.phase == "TERMINATED") {
    pod.desired_status = "TERMINATED";
  } else {
    return Malformed(path + ".status",
                     absl::StrCat("is \"", pod.phase,
                                  "\", not a pod status podform knows"));
  }
  spec.running = pod.desired_status == "RUNNING";
  return pod;
}

Problem ParseProblem(const std::string& body) {
  Problem problem;
  json value = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!value.is_object()) return problem;
  if (auto it = value.find("title"); it != value.end() && it->is_string()) {
    problem.title = it->get<std::string>();
  }
  if (auto it = value.find("detail"); it != value.end() && it->is_string()) {
    problem.detail = it->get<std::string>();
  }
  if (auto it = value.find("errors"); it != value.end() && it->is_array()) {
    for (const json& item : *it) {
      if (item.is_string()) problem.errors.push_back(item.get<std::string>());
    }
  }
  return problem;
}

}  // namespace podform
