#include "reconciler/client/rest_wire.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

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

json EnvMap(const std::map<std::string, std::string>& map) {
  json env = json::object();
  for (const auto& [key, value] : map) env[key] = value;
  return env;
}

// A string-to-string map member (`env`), or {} when absent and not
// `required`.
absl::Status ReadEnv(const json& object, const std::string& path,
                     bool required, std::map<std::string, std::string>* out) {
  ASSIGN_OR_RETURN(const json* env, Member(object, "env", path, required));
  if (env == nullptr) return absl::OkStatus();
  if (!env->is_object()) {
    return Malformed(path + ".env", Describe(*env) + ", expected an object");
  }
  for (const auto& [key, item] : env->items()) {
    if (!item.is_string()) {
      return Malformed(absl::StrCat(path, ".env.", key),
                       Describe(item) + ", expected a string");
    }
    (*out)[key] = item.get<std::string>();
  }
  return absl::OkStatus();
}

// A list of strings (`key` of `object`).
absl::StatusOr<std::vector<std::string>> Strings(const json& object,
                                                 const char* key,
                                                 const std::string& path) {
  ASSIGN_OR_RETURN(const json* list, Member(object, key, path));
  if (!list->is_array()) {
    return Malformed(path + "." + key, Describe(*list) + ", expected a list");
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < list->size(); ++i) {
    if (!(*list)[i].is_string()) {
      return Malformed(absl::StrCat(path, ".", key, "[", i, "]"),
                       Describe((*list)[i]) + ", expected a string");
    }
    out.push_back((*list)[i].get<std::string>());
  }
  return out;
}

absl::Status CheckEndpointSpec(const EndpointSpec& spec) {
  if (spec.type != kEndpointTypeQueue &&
      spec.type != kEndpointTypeLoadBalancer) {
    return absl::InvalidArgumentError(absl::StrCat(
        "endpoint type \"", spec.type, "\" is not QUEUE or LOAD_BALANCER"));
  }
  if (spec.scaler_type != kScalerQueueDelay &&
      spec.scaler_type != kScalerRequestCount) {
    return absl::InvalidArgumentError(
        absl::StrCat("scaler \"", spec.scaler_type,
                     "\" is not QUEUE_DELAY or REQUEST_COUNT"));
  }
  // Checked before the value is converted or written (a NaN would be sent
  // as null, an out-of-range count converted with undefined behaviour).
  const double value = spec.scaler_value;
  if (spec.scaler_type == kScalerRequestCount
          ? !(value >= 1 && value <= std::numeric_limits<int32_t>::max() &&
              value == std::floor(value))
          : !std::isfinite(value)) {
    return absl::InvalidArgumentError(
        absl::StrCat(spec.scaler_type, " scaling value ", value,
                     spec.scaler_type == kScalerRequestCount
                         ? " is not a whole number of requests from 1"
                         : " is not a number of seconds"));
  }
  return absl::OkStatus();
}

// The members POST and PATCH /serverless share.
json EndpointBody(const EndpointSpec& spec) {
  json workers = {{"min", spec.workers_min}, {"max", spec.workers_max}};
  // RunPod refuses idleTimeout on a queue that scales on request count.
  if (spec.idle_timeout > 0 && !(spec.type == kEndpointTypeQueue &&
                                 spec.scaler_type == kScalerRequestCount)) {
    workers["idleTimeout"] = spec.idle_timeout;
  }
  json scaling = {{"type", spec.scaler_type}};
  if (spec.scaler_type == kScalerRequestCount) {
    scaling["requestCount"] = static_cast<int64_t>(spec.scaler_value);
  } else {
    scaling["queueDelay"] = spec.scaler_value;
  }
  return {{"name", spec.name},
          {"image", spec.image},
          {"env", EnvMap(spec.env)},
          {"gpu", {{"pools", spec.gpu_pools}, {"count", spec.gpu_count}}},
          {"workers", std::move(workers)},
          {"scaling", std::move(scaling)},
          {"timeout", spec.timeout_ms},
          {"flashboot", spec.flashboot}};
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
               {"env", EnvMap(spec.env)},
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
               {"env", EnvMap(spec.env)},
               {"ports", spec.ports},
               {"args", spec.docker_args}};
  if (!spec.network_volume_id.empty()) body["mounts"] = NetworkMounts(spec);
  return body;
}

absl::StatusOr<json> RestCreateEndpointBody(const EndpointSpec& spec) {
  RETURN_IF_ERROR(CheckEndpointSpec(spec));
  json body = EndpointBody(spec);
  body["type"] = spec.type;
  // Omitted, RunPod places the endpoint in any data center.
  if (!spec.network_volume_ids.empty()) {
    body["networkVolumes"] = spec.network_volume_ids;
  }
  if (!spec.data_centers.empty()) body["dataCenterIds"] = spec.data_centers;
  return body;
}

absl::StatusOr<json> RestUpdateEndpointBody(const EndpointSpec& spec) {
  RETURN_IF_ERROR(CheckEndpointSpec(spec));
  json body = EndpointBody(spec);
  body["networkVolumes"] = spec.network_volume_ids;
  body["dataCenterIds"] = spec.data_centers;
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

  RETURN_IF_ERROR(ReadEnv(value, path, /*required=*/true, &spec.env));

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
    pod.status = PodStatus::kRunning;
  } else if (pod.phase == "EXITED" || pod.phase == "ERROR") {
    pod.status = PodStatus::kExited;
  } else if (pod.phase == "TERMINATED") {
    pod.status = PodStatus::kTerminated;
  } else {
    return Malformed(path + ".status",
                     absl::StrCat("is \"", pod.phase,
                                  "\", not a pod status podform knows"));
  }
  spec.running = ConditionOf(pod.status) == PodCondition::kRunning;
  return pod;
}

absl::StatusOr<LiveEndpoint> ParseRestEndpoint(const json& value,
                                               const std::string& path) {
  RETURN_IF_ERROR(RequireObject(value, path));
  LiveEndpoint endpoint;
  EndpointSpec& spec = endpoint.spec;
  ASSIGN_OR_RETURN(endpoint.id, Id(value, "id", path));
  ASSIGN_OR_RETURN(spec.name, String(value, "name", path));
  spec.type = kEndpointTypeQueue;
  ASSIGN_OR_RETURN(const json* type, Member(value, "type", path, false));
  if (type != nullptr) {
    ASSIGN_OR_RETURN(spec.type, String(value, "type", path));
  }
  spec.image.clear();
  ASSIGN_OR_RETURN(const json* image, Member(value, "image", path, false));
  if (image != nullptr) {
    ASSIGN_OR_RETURN(spec.image, String(value, "image", path));
  }
  RETURN_IF_ERROR(ReadEnv(value, path, /*required=*/false, &spec.env));

  spec.gpu_pools.clear();
  spec.gpu_count = 0;
  ASSIGN_OR_RETURN(const json* gpu, Member(value, "gpu", path, false));
  if (gpu != nullptr && !gpu->is_null()) {
    const std::string at = path + ".gpu";
    RETURN_IF_ERROR(RequireObject(*gpu, at));
    ASSIGN_OR_RETURN(spec.gpu_pools, Strings(*gpu, "pools", at));
    spec.gpu_count = 1;
    ASSIGN_OR_RETURN(const json* count, Member(*gpu, "count", at, false));
    if (count != nullptr) {
      ASSIGN_OR_RETURN(spec.gpu_count, Int(*count, at + ".count"));
    }
  }

  {
    const std::string at = path + ".workers";
    ASSIGN_OR_RETURN(const json* workers, Member(value, "workers", path));
    RETURN_IF_ERROR(RequireObject(*workers, at));
    ASSIGN_OR_RETURN(spec.workers_min, IntMember(*workers, "min", at));
    ASSIGN_OR_RETURN(spec.workers_max, IntMember(*workers, "max", at));
    spec.idle_timeout = 0;
    ASSIGN_OR_RETURN(const json* idle,
                     Member(*workers, "idleTimeout", at, false));
    if (idle != nullptr) {
      ASSIGN_OR_RETURN(spec.idle_timeout, Int(*idle, at + ".idleTimeout"));
    }
  }

  {
    const std::string at = path + ".scaling";
    ASSIGN_OR_RETURN(const json* scaling, Member(value, "scaling", path));
    RETURN_IF_ERROR(RequireObject(*scaling, at));
    ASSIGN_OR_RETURN(spec.scaler_type, String(*scaling, "type", at));
    if (spec.scaler_type == kScalerQueueDelay) {
      ASSIGN_OR_RETURN(const json* delay,
                       Member(*scaling, "queueDelay", at));
      if (!delay->is_number()) {
        return Malformed(at + ".queueDelay",
                         Describe(*delay) + ", expected a number");
      }
      spec.scaler_value = delay->get<double>();
    } else if (spec.scaler_type == kScalerRequestCount) {
      ASSIGN_OR_RETURN(int count, IntMember(*scaling, "requestCount", at));
      spec.scaler_value = count;
    } else {
      return Malformed(at + ".type",
                       absl::StrCat("is \"", spec.scaler_type,
                                    "\", not a scaler podform knows"));
    }
  }

  ASSIGN_OR_RETURN(spec.data_centers, Strings(value, "dataCenterIds", path));
  ASSIGN_OR_RETURN(spec.network_volume_ids,
                   Strings(value, "networkVolumes", path));
  ASSIGN_OR_RETURN(const json* timeout, Member(value, "timeout", path));
  if (!timeout->is_number_integer() ||
      (timeout->is_number_unsigned() &&
       timeout->get<uint64_t>() >
           static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    return Malformed(path + ".timeout",
                     Describe(*timeout) + ", expected an integer");
  }
  spec.timeout_ms = timeout->get<int64_t>();
  ASSIGN_OR_RETURN(spec.flashboot, String(value, "flashboot", path));
  return endpoint;
}

absl::StatusOr<RestPage> ParseRestPage(const json& body, const char* key,
                                       const std::string& cursor) {
  RETURN_IF_ERROR(RequireObject(body, "body"));
  RestPage page;
  ASSIGN_OR_RETURN(page.items, Member(body, key, "body"));
  if (!page.items->is_array()) {
    return Malformed(absl::StrCat("body.", key),
                     Describe(*page.items) + ", expected a list");
  }
  ASSIGN_OR_RETURN(const json* pagination, Member(body, "pagination", "body"));
  RETURN_IF_ERROR(RequireObject(*pagination, "body.pagination"));
  ASSIGN_OR_RETURN(const json* has_next,
                   Member(*pagination, "hasNextPage", "body.pagination"));
  if (!has_next->is_boolean()) {
    return Malformed("body.pagination.hasNextPage",
                     Describe(*has_next) + ", expected a boolean");
  }
  if (!has_next->get<bool>()) return page;
  auto next = pagination->find("nextCursor");
  if (next == pagination->end() || !next->is_string() ||
      next->get_ref<const std::string&>().empty() ||
      next->get_ref<const std::string&>() == cursor) {
    return Malformed("body.pagination.nextCursor",
                     "is not a new cursor although hasNextPage is true");
  }
  page.next_cursor = next->get<std::string>();
  return page;
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
