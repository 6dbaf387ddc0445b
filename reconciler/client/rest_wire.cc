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
using wire::ResponseReader;

constexpr JsonReader::Presence kRequired = JsonReader::kRequired;

// A string member; null gives "" when `nullable`.
absl::StatusOr<std::string> String(JsonReader& r, const char* key,
                                   bool nullable = false) {
  const json* value = r.Find(key);
  if (nullable && value != nullptr && value->is_null()) return std::string();
  std::string out;
  RETURN_IF_ERROR(r.String(key, &out, kRequired));
  return out;
}

absl::StatusOr<std::string> Id(JsonReader& r, const char* key) {
  ASSIGN_OR_RETURN(std::string id, String(r, key));
  if (id.empty()) return Malformed(r.MemberPath(key), "is empty");
  return id;
}

// An integer member that fits an int32; left as it is when absent and not
// `required`.
absl::Status Int(JsonReader& r, const char* key, int* out,
                 JsonReader::Presence presence = kRequired) {
  return r.Integer(key, out, std::numeric_limits<int>::min(),
                   std::numeric_limits<int>::max(), presence);
}

absl::StatusOr<int> Int(JsonReader& r, const char* key) {
  int out = 0;
  RETURN_IF_ERROR(Int(r, key, &out));
  return out;
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
  JsonReader r = ResponseReader(value, path);
  RETURN_IF_ERROR(r.RequireObject());
  LiveVolume volume;
  ASSIGN_OR_RETURN(volume.id, Id(r, "id"));
  ASSIGN_OR_RETURN(volume.spec.name, String(r, "name"));
  ASSIGN_OR_RETURN(int size, Int(r, "size"));
  volume.spec.size_gb = size;
  ASSIGN_OR_RETURN(volume.spec.data_center, String(r, "dataCenter"));
  ASSIGN_OR_RETURN(volume.spec.type, String(r, "type"));
  // A tier RunPod adds later is reported as none: podform neither compares
  // it nor records it.
  if (!IsVolumeType(volume.spec.type)) volume.spec.type.clear();
  return volume;
}

absl::StatusOr<LivePod> ParseRestPod(const json& value,
                                     const std::string& path) {
  JsonReader r = ResponseReader(value, path);
  RETURN_IF_ERROR(r.RequireObject());
  LivePod pod;
  PodSpec& spec = pod.spec;
  ASSIGN_OR_RETURN(pod.id, Id(r, "id"));
  ASSIGN_OR_RETURN(spec.name, String(r, "name"));
  ASSIGN_OR_RETURN(spec.image, String(r, "image"));
  ASSIGN_OR_RETURN(spec.docker_args, String(r, "args"));
  RETURN_IF_ERROR(Int(r, "disk", &spec.container_disk_gb));
  ASSIGN_OR_RETURN(spec.cloud_type, String(r, "cloud"));
  ASSIGN_OR_RETURN(spec.data_center,
                   String(r, "dataCenterId", /*nullable=*/true));
  ASSIGN_OR_RETURN(const std::string phase, String(r, "status"));
  pod.phase = ParsePodPhase(phase).value_or(PodPhase::kUnknown);
  RETURN_IF_ERROR(r.StringMap("env", &spec.env, kRequired));
  RETURN_IF_ERROR(r.Strings("ports", &spec.ports, kRequired));

  spec.gpu_type.clear();
  spec.gpu_count = 0;
  const json* gpu = r.Find("gpu");
  if (gpu != nullptr && !gpu->is_null()) {
    JsonReader g = ResponseReader(*gpu, path + ".gpu");
    RETURN_IF_ERROR(g.RequireObject());
    ASSIGN_OR_RETURN(spec.gpu_type, String(g, "id"));
    spec.gpu_count = 1;
    RETURN_IF_ERROR(Int(g, "count", &spec.gpu_count, JsonReader::kOptional));
  }

  spec.mount_path.clear();
  const json* mounts = nullptr;
  RETURN_IF_ERROR(r.Object("mounts", &mounts, kRequired));
  JsonReader m = ResponseReader(*mounts, path + ".mounts");
  const json* network = m.Find("network");
  if (network != nullptr && !network->is_null()) {
    RETURN_IF_ERROR(m.Array("network", &network));
    if (!network->empty()) {
      JsonReader n = ResponseReader((*network)[0], path + ".mounts.network[0]");
      RETURN_IF_ERROR(n.RequireObject());
      ASSIGN_OR_RETURN(spec.network_volume_id, Id(n, "volumeId"));
      ASSIGN_OR_RETURN(spec.mount_path, String(n, "path"));
    }
  }

  RETURN_IF_ERROR(r.Number("cost", &pod.cost_per_hr, kRequired));

  switch (pod.phase) {
    case PodPhase::kProvisioning:
    case PodPhase::kStarting:
    case PodPhase::kRunning:
      pod.status = PodStatus::kRunning;
      break;
    case PodPhase::kExited:
    case PodPhase::kError:
      pod.status = PodStatus::kExited;
      break;
    case PodPhase::kTerminated:
      pod.status = PodStatus::kTerminated;
      break;
    case PodPhase::kUnknown:
      return Malformed(
          path + ".status",
          absl::StrCat("is \"", phase, "\", not a pod status podform knows"));
  }
  spec.running = ConditionOf(pod.status) == PodCondition::kRunning;
  return pod;
}

absl::StatusOr<LiveEndpoint> ParseRestEndpoint(const json& value,
                                               const std::string& path) {
  JsonReader r = ResponseReader(value, path);
  RETURN_IF_ERROR(r.RequireObject());
  LiveEndpoint endpoint;
  EndpointSpec& spec = endpoint.spec;
  ASSIGN_OR_RETURN(endpoint.id, Id(r, "id"));
  ASSIGN_OR_RETURN(spec.name, String(r, "name"));
  spec.type = kEndpointTypeQueue;
  RETURN_IF_ERROR(r.String("type", &spec.type));
  spec.image.clear();
  RETURN_IF_ERROR(r.String("image", &spec.image));
  RETURN_IF_ERROR(r.StringMap("env", &spec.env));

  spec.gpu_pools.clear();
  spec.gpu_count = 0;
  const json* gpu = r.Find("gpu");
  if (gpu != nullptr && !gpu->is_null()) {
    JsonReader g = ResponseReader(*gpu, path + ".gpu");
    RETURN_IF_ERROR(g.RequireObject());
    RETURN_IF_ERROR(g.Strings("pools", &spec.gpu_pools, kRequired));
    spec.gpu_count = 1;
    RETURN_IF_ERROR(Int(g, "count", &spec.gpu_count, JsonReader::kOptional));
  }

  {
    const json* workers = nullptr;
    RETURN_IF_ERROR(r.Object("workers", &workers, kRequired));
    JsonReader w = ResponseReader(*workers, path + ".workers");
    ASSIGN_OR_RETURN(spec.workers_min, Int(w, "min"));
    ASSIGN_OR_RETURN(spec.workers_max, Int(w, "max"));
    spec.idle_timeout = 0;
    RETURN_IF_ERROR(
        Int(w, "idleTimeout", &spec.idle_timeout, JsonReader::kOptional));
  }

  {
    const json* scaling = nullptr;
    RETURN_IF_ERROR(r.Object("scaling", &scaling, kRequired));
    JsonReader s = ResponseReader(*scaling, path + ".scaling");
    ASSIGN_OR_RETURN(spec.scaler_type, String(s, "type"));
    if (spec.scaler_type == kScalerQueueDelay) {
      RETURN_IF_ERROR(s.Number("queueDelay", &spec.scaler_value, kRequired));
    } else if (spec.scaler_type == kScalerRequestCount) {
      ASSIGN_OR_RETURN(int count, Int(s, "requestCount"));
      spec.scaler_value = count;
    } else {
      return Malformed(s.MemberPath("type"),
                       absl::StrCat("is \"", spec.scaler_type,
                                    "\", not a scaler podform knows"));
    }
  }

  RETURN_IF_ERROR(r.Strings("dataCenterIds", &spec.data_centers, kRequired));
  RETURN_IF_ERROR(
      r.Strings("networkVolumes", &spec.network_volume_ids, kRequired));
  // Any integer, as RunPod's schema has it; one beyond int64 is not one.
  const json* timeout = r.Find("timeout");
  if (timeout == nullptr) {
    return Malformed(r.MemberPath("timeout"), "is missing");
  }
  if (!timeout->is_number_integer() ||
      (timeout->is_number_unsigned() &&
       timeout->get<uint64_t>() >
           static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))) {
    return Malformed(r.MemberPath("timeout"),
                     Describe(*timeout) + ", expected an integer");
  }
  spec.timeout_ms = timeout->get<int64_t>();
  ASSIGN_OR_RETURN(spec.flashboot, String(r, "flashboot"));
  return endpoint;
}

absl::StatusOr<RestPage> ParseRestPage(const json& body, const char* key,
                                       const std::string& cursor) {
  JsonReader r = ResponseReader(body, "body");
  RETURN_IF_ERROR(r.RequireObject());
  RestPage page;
  RETURN_IF_ERROR(r.Array(key, &page.items, kRequired));
  const json* pagination = nullptr;
  RETURN_IF_ERROR(r.Object("pagination", &pagination, kRequired));
  JsonReader p = ResponseReader(*pagination, "body.pagination");
  bool has_next = false;
  RETURN_IF_ERROR(p.Bool("hasNextPage", &has_next, kRequired));
  if (!has_next) return page;
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
