#include "reconciler/sandbox/account_json.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/util/json_reader.h"
#include "reconciler/util/json_text.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;

json OptionalString(const std::optional<std::string>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

std::string TimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

// Milliseconds, for the provisioning times (--provision-ms).
std::string PreciseTimeText(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

json VolumeToJson(const NetworkVolume& volume) {
  json out{{"id", volume.id},
           {"name", OptionalString(volume.name)},
           {"size", volume.size_gb},
           {"dataCenterId", volume.data_center_id}};
  // Written only when not the default, so that a sandbox that never used
  // REST v2's tiers writes the file earlier versions wrote.
  if (volume.type != kVolumeStandard) out["type"] = volume.type;
  return out;
}

json PodToJson(const Pod& pod) {
  json env = json::array();
  for (const EnvVar& var : pod.env) {
    env.push_back({{"key", var.key}, {"value", var.value}});
  }
  json out{{"id", pod.id},
              {"name", OptionalString(pod.name)},
              {"imageName", pod.image_name},
              {"gpuTypeId", pod.gpu_type_id},
              {"gpuCount", pod.gpu_count},
              {"cloudType", pod.cloud_type},
              {"dataCenterId", pod.data_center_id},
              {"networkVolumeId", OptionalString(pod.network_volume_id)},
              {"volumeMountPath", pod.volume_mount_path},
              {"volumeInGb", pod.volume_in_gb},
              {"containerDiskInGb", pod.container_disk_in_gb},
              {"env", std::move(env)},
              {"ports", OptionalString(pod.ports)},
              {"dockerArgs", pod.docker_args},
              {"templateId", OptionalString(pod.template_id)},
              {"containerRegistryAuthId",
               OptionalString(pod.container_registry_auth_id)},
              {"desiredStatus", pod.desired_status},
              {"vcpuCount", pod.vcpu_count},
              {"memoryInGb", pod.memory_in_gb},
              {"machineId", pod.machine_id},
              {"podHostId", pod.pod_host_id},
              {"publicIp", pod.public_ip},
              {"publicPortBase", pod.public_port_base},
              {"createdAt", TimeText(pod.created_at)},
              {"startedAt", TimeText(pod.started_at)},
              {"lastStatusChange", pod.last_status_change}};
  // REST v2's members, each written only when not the default (as "type"
  // on volumes).
  if (pod.provisioned_at != absl::InfinitePast()) {
    out["provisionedAt"] = PreciseTimeText(pod.provisioned_at);
  }
  if (pod.ready_at != absl::InfinitePast()) {
    out["readyAt"] = PreciseTimeText(pod.ready_at);
  }
  if (pod.start_fails) out["startFails"] = true;
  if (pod.locked) out["locked"] = true;
  if (pod.global_networking) out["globalNetworking"] = true;
  if (pod.cmd.has_value()) out["cmd"] = *pod.cmd;
  if (pod.entrypoint.has_value()) out["entrypoint"] = *pod.entrypoint;
  return out;
}

json TemplateToJson(const Template& t) {
  const ContainerSettings& c = t.container;
  json out{{"id", t.id},
           {"name", t.name},
           {"image", c.image},
           {"args", c.args}};
  if (c.cmd.has_value()) out["cmd"] = *c.cmd;
  if (c.entrypoint.has_value()) out["entrypoint"] = *c.entrypoint;
  out["disk"] = c.disk_gb;
  out["env"] = c.env;
  out["ports"] = c.ports;
  out["registry"] = OptionalString(c.registry);
  if (t.persistent_size_gb.has_value()) {
    out["persistentSize"] = *t.persistent_size_gb;
    out["persistentPath"] = t.persistent_path;
  }
  out["serverless"] = t.serverless;
  out["public"] = t.is_public;
  out["category"] = t.category;
  out["startSsh"] = t.start_ssh;
  out["startJupyter"] = t.start_jupyter;
  out["allowedCudaVersions"] = t.allowed_cuda_versions;
  if (t.endpoint_id.has_value()) out["endpointId"] = *t.endpoint_id;
  return out;
}

json EndpointToJson(const Endpoint& e) {
  return json{{"id", e.id},
              {"name", e.name},
              {"type", e.type},
              {"templateId", e.template_id},
              {"gpuPools", e.gpu_pools},
              {"excludedTypes", e.excluded_types},
              {"gpuCount", e.gpu_count},
              {"allowedCudaVersions", e.allowed_cuda_versions},
              {"minCudaVersion", OptionalString(e.min_cuda_version)},
              {"workersMin", e.workers_min},
              {"workersMax", e.workers_max},
              {"idleTimeout", e.idle_timeout},
              {"scalerType", e.scaler_type},
              {"scalerValue", e.scaler_value},
              {"dataCenterIds", e.data_center_ids},
              {"networkVolumes", e.network_volumes},
              {"timeout", e.timeout_ms},
              {"flashboot", e.flashboot},
              {"createdAt", TimeText(e.created_at)}};
}

// "PATH: MESSAGE", or MESSAGE at the root.
absl::Status DataError(const std::string& path, const std::string& message) {
  return absl::InvalidArgumentError(
      path.empty() ? message : absl::StrCat(path, ": ", message));
}

// The data file's words for what a JsonReader found wrong.
absl::Status DataViolation(const JsonViolation& v) {
  switch (v.kind) {
    case JsonViolation::Kind::kNotObject:
      return DataError(v.path, "expected an object");
    case JsonViolation::Kind::kMissing:
      return DataError(v.MemberPath(), "required");
    case JsonViolation::Kind::kUnknown:
      return DataError(JsonMemberPath(v.path, v.unknown[0]), "unknown key");
    case JsonViolation::Kind::kBelowMinimum:
    case JsonViolation::Kind::kAboveMaximum:
      // The integer as the file writes it (also one beyond int64).
      return DataError(v.MemberPath(),
                       absl::StrCat("out of range: ", v.found->dump()));
    default:
      break;
  }
  if (!v.item.empty() && v.expected == JsonExpected::kStringMap) {
    return DataError(v.FoundPath(), "expected a string");
  }
  static constexpr JsonExpectedWords kWords = {
      "an object", "an array",      "a string", "a string", "an integer",
      "a number",  "true or false", "strings",  "an object"};
  return DataError(v.MemberPath(),
                   absl::StrCat("expected ", WordFor(kWords, v.expected)));
}

constexpr JsonReader::Presence kRequired = JsonReader::kRequired;
constexpr JsonReader::Presence kOptional = JsonReader::kOptional;

// Reads typed members of one object of the data file, naming `path` in
// every error; a member that is null counts as absent, and RefuseUnread
// refuses the members no read asked about.
class ObjectReader : public JsonReader {
 public:
  ObjectReader(const json& object, std::string path)
      : JsonReader(object, std::move(path), DataViolation, Null::kIsAbsent) {}

  // An integer in 0..max.
  template <typename Int>
  absl::Status Count(const std::string& key, Int* out,
                     Presence presence = kOptional, int64_t max = INT32_MAX) {
    return Integer(key, out, 0, max, presence);
  }

  // %E*S: whole seconds (createdAt) or with a fraction (readyAt).
  absl::Status Time(const std::string& key, absl::Time* out) {
    std::string text;
    if (!Has(key)) return absl::OkStatus();
    RETURN_IF_ERROR(String(key, &text));
    std::string error;
    if (!absl::ParseTime("%Y-%m-%dT%H:%M:%E*SZ", text, absl::UTCTimeZone(),
                         out, &error)) {
      return DataError(MemberPath(key),
                       absl::StrCat("expected a UTC time like "
                                    "2024-02-09T14:01:47Z, got \"",
                                    text, "\""));
    }
    return absl::OkStatus();
  }
};

absl::StatusOr<NetworkVolume> VolumeFromJson(const json& j,
                                             const std::string& path) {
  ObjectReader r(j, path);
  RETURN_IF_ERROR(r.RequireObject());
  NetworkVolume volume;
  RETURN_IF_ERROR(r.String("id", &volume.id, kRequired));
  RETURN_IF_ERROR(r.String("name", &volume.name));
  RETURN_IF_ERROR(r.Count("size", &volume.size_gb, kRequired));
  RETURN_IF_ERROR(r.String("dataCenterId", &volume.data_center_id, kRequired));
  RETURN_IF_ERROR(r.String("type", &volume.type));
  RETURN_IF_ERROR(r.RefuseUnread());
  if (volume.id.empty()) return DataError(r.MemberPath("id"), "empty");
  if (volume.type != kVolumeStandard &&
      volume.type != kVolumeHighPerformance) {
    return DataError(r.MemberPath("type"),
                     "must be STANDARD or HIGH_PERFORMANCE");
  }
  if (FindDataCenter(volume.data_center_id) == nullptr) {
    return DataError(
        r.MemberPath("dataCenterId"),
        absl::StrCat("unknown data center \"", volume.data_center_id, "\""));
  }
  return volume;
}

absl::StatusOr<Pod> PodFromJson(const json& j, const std::string& path) {
  ObjectReader r(j, path);
  RETURN_IF_ERROR(r.RequireObject());
  Pod pod;
  RETURN_IF_ERROR(r.String("id", &pod.id, kRequired));
  RETURN_IF_ERROR(r.String("name", &pod.name));
  RETURN_IF_ERROR(r.String("imageName", &pod.image_name, kRequired));
  RETURN_IF_ERROR(r.String("gpuTypeId", &pod.gpu_type_id, kRequired));
  RETURN_IF_ERROR(r.Count("gpuCount", &pod.gpu_count));
  pod.cloud_type = "SECURE";
  RETURN_IF_ERROR(r.String("cloudType", &pod.cloud_type));
  RETURN_IF_ERROR(r.String("dataCenterId", &pod.data_center_id, kRequired));
  RETURN_IF_ERROR(r.String("networkVolumeId", &pod.network_volume_id));
  RETURN_IF_ERROR(r.String("volumeMountPath", &pod.volume_mount_path));
  RETURN_IF_ERROR(r.Count("volumeInGb", &pod.volume_in_gb));
  RETURN_IF_ERROR(r.Count("containerDiskInGb", &pod.container_disk_in_gb));
  const json* env = nullptr;
  RETURN_IF_ERROR(r.Array("env", &env));
  if (env != nullptr) {
    for (size_t i = 0; i < env->size(); ++i) {
      ObjectReader e((*env)[i], absl::StrCat(r.MemberPath("env"), "[", i, "]"));
      RETURN_IF_ERROR(e.RequireObject());
      EnvVar var;
      RETURN_IF_ERROR(e.String("key", &var.key, kRequired));
      RETURN_IF_ERROR(e.String("value", &var.value, kRequired));
      RETURN_IF_ERROR(e.RefuseUnread());
      pod.env.push_back(std::move(var));
    }
  }
  RETURN_IF_ERROR(r.String("ports", &pod.ports));
  RETURN_IF_ERROR(r.String("dockerArgs", &pod.docker_args));
  RETURN_IF_ERROR(r.String("templateId", &pod.template_id));
  RETURN_IF_ERROR(
      r.String("containerRegistryAuthId", &pod.container_registry_auth_id));
  RETURN_IF_ERROR(r.String("desiredStatus", &pod.desired_status));
  RETURN_IF_ERROR(r.Count("vcpuCount", &pod.vcpu_count));
  RETURN_IF_ERROR(r.Count("memoryInGb", &pod.memory_in_gb));
  RETURN_IF_ERROR(r.String("machineId", &pod.machine_id));
  RETURN_IF_ERROR(r.String("podHostId", &pod.pod_host_id));
  RETURN_IF_ERROR(r.String("publicIp", &pod.public_ip));
  RETURN_IF_ERROR(r.Count("publicPortBase", &pod.public_port_base));
  RETURN_IF_ERROR(r.Time("createdAt", &pod.created_at));
  pod.started_at = pod.created_at;
  RETURN_IF_ERROR(r.Time("startedAt", &pod.started_at));
  RETURN_IF_ERROR(r.String("lastStatusChange", &pod.last_status_change));
  RETURN_IF_ERROR(r.Time("provisionedAt", &pod.provisioned_at));
  RETURN_IF_ERROR(r.Time("readyAt", &pod.ready_at));
  RETURN_IF_ERROR(r.Bool("startFails", &pod.start_fails));
  RETURN_IF_ERROR(r.Bool("locked", &pod.locked));
  RETURN_IF_ERROR(r.Bool("globalNetworking", &pod.global_networking));
  RETURN_IF_ERROR(r.Strings("cmd", &pod.cmd));
  RETURN_IF_ERROR(r.Strings("entrypoint", &pod.entrypoint));
  RETURN_IF_ERROR(r.RefuseUnread());

  if (pod.id.empty()) return DataError(r.MemberPath("id"), "empty");
  if (FindDataCenter(pod.data_center_id) == nullptr) {
    return DataError(
        r.MemberPath("dataCenterId"),
        absl::StrCat("unknown data center \"", pod.data_center_id, "\""));
  }
  const GpuTypeInfo* gpu = FindGpuType(pod.gpu_type_id);
  if (gpu == nullptr) {
    return DataError(
        r.MemberPath("gpuTypeId"),
        absl::StrCat("unknown GPU type \"", pod.gpu_type_id, "\""));
  }
  if (pod.gpu_count < 1 || pod.gpu_count > gpu->max_gpu_count) {
    return DataError(r.MemberPath("gpuCount"),
                     absl::StrCat("must be 1..", gpu->max_gpu_count));
  }
  if (pod.cloud_type != "SECURE" && pod.cloud_type != "COMMUNITY") {
    return DataError(r.MemberPath("cloudType"), "must be SECURE or COMMUNITY");
  }
  if (pod.public_port_base > 65535) {
    return DataError(r.MemberPath("publicPortBase"), "must be 1..65535");
  }
  if (pod.desired_status != "RUNNING" && pod.desired_status != "EXITED") {
    return DataError(r.MemberPath("desiredStatus"),
                     "must be RUNNING or EXITED");
  }
  // Fill in what a hand-written pod leaves out, as a new pod would have it.
  if (pod.vcpu_count == 0) pod.vcpu_count = 8 * pod.gpu_count;
  if (pod.memory_in_gb == 0) pod.memory_in_gb = 31 * pod.gpu_count;
  if (pod.machine_id.empty()) pod.machine_id = "sandboxmachine";
  if (pod.pod_host_id.empty()) pod.pod_host_id = pod.id + "-00000000";
  if (pod.public_ip.empty()) pod.public_ip = "213.173.96.1";
  if (pod.public_port_base == 0) pod.public_port_base = 10000;
  return pod;
}

// `value` is one of `allowed`.
absl::Status CheckOneOf(const ObjectReader& r, const std::string& key,
                        const std::string& value,
                        const std::vector<std::string>& allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    return DataError(
        r.MemberPath(key),
        absl::StrCat("must be one of ", absl::StrJoin(allowed, ", ")));
  }
  return absl::OkStatus();
}

absl::StatusOr<Template> TemplateFromJson(const json& j,
                                          const std::string& path) {
  ObjectReader r(j, path);
  RETURN_IF_ERROR(r.RequireObject());
  Template t;
  ContainerSettings& c = t.container;
  RETURN_IF_ERROR(r.String("id", &t.id, kRequired));
  RETURN_IF_ERROR(r.String("name", &t.name));
  RETURN_IF_ERROR(r.String("image", &c.image, kRequired));
  RETURN_IF_ERROR(r.String("args", &c.args));
  RETURN_IF_ERROR(r.Strings("cmd", &c.cmd));
  RETURN_IF_ERROR(r.Strings("entrypoint", &c.entrypoint));
  RETURN_IF_ERROR(r.Count("disk", &c.disk_gb, kOptional, INT64_MAX));
  RETURN_IF_ERROR(r.StringMap("env", &c.env));
  std::optional<std::vector<std::string>> ports;
  RETURN_IF_ERROR(r.Strings("ports", &ports));
  c.ports = ports.value_or(std::vector<std::string>{});
  RETURN_IF_ERROR(r.String("registry", &c.registry));
  RETURN_IF_ERROR(
      r.Count("persistentSize", &t.persistent_size_gb, kOptional, INT64_MAX));
  RETURN_IF_ERROR(r.String("persistentPath", &t.persistent_path));
  RETURN_IF_ERROR(r.Bool("serverless", &t.serverless));
  RETURN_IF_ERROR(r.Bool("public", &t.is_public));
  RETURN_IF_ERROR(r.String("category", &t.category));
  RETURN_IF_ERROR(r.Bool("startSsh", &t.start_ssh));
  RETURN_IF_ERROR(r.Bool("startJupyter", &t.start_jupyter));
  std::optional<std::vector<std::string>> cuda;
  RETURN_IF_ERROR(r.Strings("allowedCudaVersions", &cuda));
  t.allowed_cuda_versions = cuda.value_or(std::vector<std::string>{});
  RETURN_IF_ERROR(r.String("endpointId", &t.endpoint_id));
  RETURN_IF_ERROR(r.RefuseUnread());
  if (t.id.empty()) return DataError(r.MemberPath("id"), "empty");
  RETURN_IF_ERROR(CheckOneOf(r, "category", t.category, {"CPU", "NVIDIA", "AMD"}));
  return t;
}

absl::StatusOr<Endpoint> EndpointFromJson(const json& j,
                                          const std::string& path) {
  ObjectReader r(j, path);
  RETURN_IF_ERROR(r.RequireObject());
  Endpoint e;
  RETURN_IF_ERROR(r.String("id", &e.id, kRequired));
  RETURN_IF_ERROR(r.String("name", &e.name));
  RETURN_IF_ERROR(r.String("type", &e.type));
  RETURN_IF_ERROR(r.String("templateId", &e.template_id, kRequired));
  std::optional<std::vector<std::string>> list;
  RETURN_IF_ERROR(r.Strings("gpuPools", &list));
  e.gpu_pools = list.value_or(std::vector<std::string>{});
  list.reset();
  RETURN_IF_ERROR(r.Strings("excludedTypes", &list));
  e.excluded_types = list.value_or(std::vector<std::string>{});
  RETURN_IF_ERROR(r.Count("gpuCount", &e.gpu_count, kOptional, INT64_MAX));
  list.reset();
  RETURN_IF_ERROR(r.Strings("allowedCudaVersions", &list));
  e.allowed_cuda_versions = list.value_or(std::vector<std::string>{});
  RETURN_IF_ERROR(r.String("minCudaVersion", &e.min_cuda_version));
  RETURN_IF_ERROR(r.Count("workersMin", &e.workers_min, kOptional, INT64_MAX));
  RETURN_IF_ERROR(r.Count("workersMax", &e.workers_max, kOptional, INT64_MAX));
  RETURN_IF_ERROR(r.Count("idleTimeout", &e.idle_timeout, kOptional, 3600));
  RETURN_IF_ERROR(r.String("scalerType", &e.scaler_type));
  RETURN_IF_ERROR(r.Number("scalerValue", &e.scaler_value));
  list.reset();
  RETURN_IF_ERROR(r.Strings("dataCenterIds", &list));
  e.data_center_ids = list.value_or(std::vector<std::string>{});
  list.reset();
  RETURN_IF_ERROR(r.Strings("networkVolumes", &list));
  e.network_volumes = list.value_or(std::vector<std::string>{});
  // Any integer, as RunPod's schema has it (Integer refuses negatives).
  // An integer beyond int64 is not one here (Count says "out of range").
  if (const json* timeout = r.Find("timeout")) {
    if (!timeout->is_number_integer() ||
        (timeout->is_number_unsigned() &&
         timeout->get<uint64_t>() > uint64_t{INT64_MAX})) {
      return DataError(r.MemberPath("timeout"), "expected an integer");
    }
    e.timeout_ms = timeout->get<int64_t>();
  }
  RETURN_IF_ERROR(r.String("flashboot", &e.flashboot));
  RETURN_IF_ERROR(r.Time("createdAt", &e.created_at));
  RETURN_IF_ERROR(r.RefuseUnread());
  if (e.id.empty()) return DataError(r.MemberPath("id"), "empty");
  RETURN_IF_ERROR(CheckOneOf(r, "type", e.type,
                             {kEndpointQueue, kEndpointLoadBalancer}));
  RETURN_IF_ERROR(CheckOneOf(r, "scalerType", e.scaler_type,
                             {kScalerQueueDelay, kScalerRequestCount}));
  RETURN_IF_ERROR(CheckOneOf(r, "flashboot", e.flashboot,
                             {"OFF", "FLASHBOOT", "PRIORITY_FLASHBOOT"}));
  for (const std::string& dc : e.data_center_ids) {
    if (FindDataCenter(dc) == nullptr) {
      return DataError(r.MemberPath("dataCenterIds"),
                       absl::StrCat("unknown data center \"", dc, "\""));
    }
  }
  return e;
}

// An endpoint at `path` is bound to a template of `account` bound to it, and
// mounts volumes of `account`, one per data center.
absl::Status CheckEndpointLinks(const Account& account, const Endpoint& e,
                                const std::string& path) {
  const Template* bound = account.FindTemplate(e.template_id);
  if (bound == nullptr || bound->endpoint_id != e.id) {
    return DataError(path + ".templateId",
                     absl::StrCat("no template \"", e.template_id,
                                  "\" bound to this endpoint"));
  }
  std::set<std::string> data_centers;
  for (const std::string& id : e.network_volumes) {
    const NetworkVolume* volume = account.FindVolume(id);
    if (volume == nullptr) {
      return DataError(path + ".networkVolumes",
                       absl::StrCat("no network volume \"", id, "\""));
    }
    if (!data_centers.insert(volume->data_center_id).second) {
      return DataError(
          path + ".networkVolumes",
          absl::StrCat("two network volumes in ", volume->data_center_id));
    }
  }
  return absl::OkStatus();
}

absl::Status CapacityFromJson(const json& capacity, Account& account) {
  if (!capacity.is_object()) {
    return DataError("capacity", "expected an object");
  }
  for (const auto& [dc, gpus] : capacity.items()) {
    std::string dc_path = absl::StrCat("capacity.", dc);
    if (FindDataCenter(dc) == nullptr) {
      return DataError(dc_path, "unknown data center");
    }
    if (!gpus.is_object()) {
      return DataError(dc_path, "expected an object");
    }
    for (const auto& [gpu, total] : gpus.items()) {
      std::string path = absl::StrCat(dc_path, ".", gpu);
      if (FindGpuType(gpu) == nullptr) {
        return DataError(path, "unknown GPU type");
      }
      if (!total.is_number_integer() || total.get<int64_t>() < 0 ||
          total.get<int64_t>() > INT32_MAX) {
        return DataError(path, "expected a non-negative integer");
      }
      account.SetCapacity(dc, gpu, total.get<int>());
    }
  }
  return absl::OkStatus();
}

absl::Status ProfileFromJson(const json& j, Profile& profile) {
  ObjectReader r(j, "profile");
  RETURN_IF_ERROR(r.RequireObject());
  RETURN_IF_ERROR(r.String("id", &profile.id));
  RETURN_IF_ERROR(r.String("email", &profile.email));
  RETURN_IF_ERROR(r.String("pubKey", &profile.pub_key));
  RETURN_IF_ERROR(r.Number("clientBalance", &profile.client_balance));
  RETURN_IF_ERROR(r.Count("spendLimit", &profile.spend_limit));
  return r.RefuseUnread();
}

// "random": 16 lowercase hex digits, the generator's state.
absl::Status LoadRandom(ObjectReader& r, Account& account) {
  std::string random;
  RETURN_IF_ERROR(r.String("random", &random));
  if (random.empty()) return absl::OkStatus();
  uint64_t state = 0;
  if (random.size() != 16 ||
      std::sscanf(random.c_str(), "%16" SCNx64, &state) != 1 ||
      random.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return DataError("random", "expected 16 lowercase hex digits");
  }
  account.random().set_state(state);
  return absl::OkStatus();
}

std::string RandomText(const Account& account) {
  char random[17];
  std::snprintf(random, sizeof random, "%016" PRIx64,
                account.random().state());
  return random;
}

// The data-file line of each volume and pod, rendered once and cached
// until it changes.
constexpr auto kReplace = json::error_handler_t::replace;
std::string Line(const json& j) { return j.dump(-1, ' ', false, kReplace); }

const std::string& CachedLine(const NetworkVolume& volume) {
  if (volume.data_file_text.empty()) {
    volume.data_file_text = Line(VolumeToJson(volume));
  }
  return volume.data_file_text;
}

const std::string& CachedLine(const Pod& pod) {
  if (pod.data_file_text.empty()) pod.data_file_text = Line(PodToJson(pod));
  return pod.data_file_text;
}

const std::string& CachedLine(const Template& t) {
  if (t.data_file_text.empty()) t.data_file_text = Line(TemplateToJson(t));
  return t.data_file_text;
}

const std::string& CachedLine(const Endpoint& e) {
  if (e.data_file_text.empty()) e.data_file_text = Line(EndpointToJson(e));
  return e.data_file_text;
}

// A list of strings as JSON.
std::string IdList(const std::vector<std::string>& ids) {
  return Line(json(ids));
}

// A pod at `path` mounts a volume of `account` in its own data center.
absl::Status CheckPodVolume(const Account& account, const Pod& pod,
                            const std::string& path) {
  if (!pod.network_volume_id.has_value()) return absl::OkStatus();
  const NetworkVolume* volume = account.FindVolume(*pod.network_volume_id);
  if (volume == nullptr) {
    return DataError(
        path + ".networkVolumeId",
        absl::StrCat("no network volume \"", *pod.network_volume_id, "\""));
  }
  if (volume->data_center_id != pod.data_center_id) {
    return DataError(path + ".dataCenterId",
                     "differs from its network volume's data center");
  }
  return absl::OkStatus();
}

absl::Status Load(const json& root, Account& account) {
  ObjectReader r(root, "");
  RETURN_IF_ERROR(r.RequireObject());
  int version = 0;
  RETURN_IF_ERROR(r.Count("version", &version, kRequired));
  if (version != kDataFileVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("version ", version,
                     " is not supported (this podform reads version ",
                     kDataFileVersion, ")"));
  }
  RETURN_IF_ERROR(LoadRandom(r, account));
  if (r.Has("profile")) {
    RETURN_IF_ERROR(ProfileFromJson(root.at("profile"),
                                    account.mutable_profile()));
  }
  int64_t journal_sequence = 0;
  RETURN_IF_ERROR(
      r.Count("journalSequence", &journal_sequence, kOptional, INT64_MAX));
  account.set_journal_sequence(static_cast<uint64_t>(journal_sequence));
  int default_capacity = kDefaultCapacity;
  RETURN_IF_ERROR(r.Count("defaultCapacity", &default_capacity));
  account.set_default_capacity(default_capacity);
  if (r.Has("capacity")) {
    RETURN_IF_ERROR(CapacityFromJson(root.at("capacity"), account));
  }
  const json* volumes = nullptr;
  RETURN_IF_ERROR(r.Array("networkVolumes", &volumes));
  if (volumes != nullptr) {
    for (size_t i = 0; i < volumes->size(); ++i) {
      std::string path = absl::StrCat("networkVolumes[", i, "]");
      ASSIGN_OR_RETURN(NetworkVolume volume,
                       VolumeFromJson((*volumes)[i], path));
      RETURN_IF_ERROR(Annotate(account.RestoreVolume(std::move(volume)), path));
    }
  }
  const json* pods = nullptr;
  RETURN_IF_ERROR(r.Array("pods", &pods));
  if (pods != nullptr) {
    for (size_t i = 0; i < pods->size(); ++i) {
      std::string path = absl::StrCat("pods[", i, "]");
      ASSIGN_OR_RETURN(Pod pod, PodFromJson((*pods)[i], path));
      RETURN_IF_ERROR(CheckPodVolume(account, pod, path));
      RETURN_IF_ERROR(Annotate(account.RestorePod(std::move(pod)), path));
    }
  }
  const json* templates = nullptr;
  RETURN_IF_ERROR(r.Array("templates", &templates));
  if (templates != nullptr) {
    for (size_t i = 0; i < templates->size(); ++i) {
      std::string path = absl::StrCat("templates[", i, "]");
      ASSIGN_OR_RETURN(Template t, TemplateFromJson((*templates)[i], path));
      RETURN_IF_ERROR(Annotate(account.RestoreTemplate(std::move(t)), path));
    }
  }
  const json* endpoints = nullptr;
  RETURN_IF_ERROR(r.Array("endpoints", &endpoints));
  if (endpoints != nullptr) {
    for (size_t i = 0; i < endpoints->size(); ++i) {
      std::string path = absl::StrCat("endpoints[", i, "]");
      ASSIGN_OR_RETURN(Endpoint e, EndpointFromJson((*endpoints)[i], path));
      RETURN_IF_ERROR(CheckEndpointLinks(account, e, path));
      RETURN_IF_ERROR(Annotate(account.RestoreEndpoint(std::move(e)), path));
    }
  }
  // Every bound template's endpoint exists.
  for (const Template& t : account.templates()) {
    if (t.endpoint_id.has_value() &&
        account.FindEndpoint(*t.endpoint_id) == nullptr) {
      return DataError("templates",
                       absl::StrCat("template ", t.id, " is bound to endpoint ",
                                    *t.endpoint_id, ", which does not exist"));
    }
  }
  return r.RefuseUnread();
}

// Appends `,\n  "key": [...]` (one element a line) unless `values` is empty.
template <typename List>
void AppendList(std::string* out, const char* key, const List& values) {
  if (values.empty()) return;
  absl::StrAppend(out, ",\n  \"", key, "\": [");
  const char* separator = "\n    ";
  for (const auto& value : values) {
    absl::StrAppend(out, separator, CachedLine(value));
    separator = ",\n    ";
  }
  absl::StrAppend(out, "\n  ]");
}

// The changed elements of `ids` that `find` still finds, as one
// comma-separated text; the others' ids go to `deleted`.
template <typename Find>
std::string ChangedLines(const std::vector<std::string>& ids, Find find,
                         std::vector<std::string>* deleted) {
  std::string out;
  for (const std::string& id : ids) {
    if (const auto* value = find(id)) {
      absl::StrAppend(&out, out.empty() ? "" : ",", CachedLine(*value));
    } else {
      deleted->push_back(id);
    }
  }
  return out;
}

}  // namespace

std::string AccountToJsonText(const Account& account) {
  // Laid out by hand rather than by one dump(): each volume and pod is one
  // line, rendered once and cached until it changes, so rewriting the file
  // after a mutation costs a copy of the unchanged lines, not a
  // re-serialization of the whole account.
  json capacity = json::object();
  for (const auto& [key, total] : account.capacities()) {
    capacity[key.first][key.second] = total;
  }
  const Profile& profile = account.profile();
  json profile_json = {{"id", profile.id},
                       {"email", profile.email},
                       {"pubKey", OptionalString(profile.pub_key)},
                       {"clientBalance", profile.client_balance},
                       {"spendLimit", profile.spend_limit}};

  std::string out = absl::StrCat(
      "{\n  \"version\": ", kDataFileVersion, ",\n  \"random\": \"",
      RandomText(account), "\",",
      account.journal_sequence() == 0
          ? std::string()
          : absl::StrCat("\n  \"journalSequence\": ",
                         account.journal_sequence(), ","),
      "\n  \"profile\": ", Line(profile_json),
      ",\n  \"defaultCapacity\": ", account.default_capacity(),
      ",\n  \"capacity\": ", Line(capacity), ",\n  \"networkVolumes\": [");
  size_t size = out.size() + 64;
  for (const NetworkVolume& volume : account.volumes()) {
    size += CachedLine(volume).size() + 6;
  }
  for (const Pod& pod : account.pods()) size += CachedLine(pod).size() + 6;
  out.reserve(size);
  const char* separator = "\n    ";
  for (const NetworkVolume& volume : account.volumes()) {
    absl::StrAppend(&out, separator, volume.data_file_text);
    separator = ",\n    ";
  }
  absl::StrAppend(&out, account.volumes().empty() ? "" : "\n  ",
                  "],\n  \"pods\": [");
  separator = "\n    ";
  for (const Pod& pod : account.pods()) {
    absl::StrAppend(&out, separator, pod.data_file_text);
    separator = ",\n    ";
  }
  absl::StrAppend(&out, account.pods().empty() ? "" : "\n  ", "]");
  // Written only when there are any, so that a sandbox that never served
  // /v2/serverless or /v2/templates writes the file earlier versions wrote.
  AppendList(&out, "templates", account.templates());
  AppendList(&out, "endpoints", account.endpoints());
  absl::StrAppend(&out, "\n}\n");
  return out;
}

std::string JournalLine(const Account& account,
                        const Account::Changed& changed) {
  std::string volumes, pods;
  std::vector<std::string> deleted_volumes, deleted_pods;
  for (const std::string& id : changed.volumes) {
    if (const NetworkVolume* volume = account.FindVolume(id)) {
      absl::StrAppend(&volumes, volumes.empty() ? "" : ",", CachedLine(*volume));
    } else {
      deleted_volumes.push_back(id);
    }
  }
  for (const std::string& id : changed.pods) {
    if (const Pod* pod = account.FindPod(id)) {
      absl::StrAppend(&pods, pods.empty() ? "" : ",", CachedLine(*pod));
    } else {
      deleted_pods.push_back(id);
    }
  }
  // Templates and endpoints only when some changed (as in the data file).
  std::string serverless;
  if (!changed.templates.empty() || !changed.endpoints.empty()) {
    std::vector<std::string> deleted_templates, deleted_endpoints;
    std::string templates = ChangedLines(
        changed.templates,
        [&](const std::string& id) { return account.FindTemplate(id); },
        &deleted_templates);
    std::string endpoints = ChangedLines(
        changed.endpoints,
        [&](const std::string& id) { return account.FindEndpoint(id); },
        &deleted_endpoints);
    serverless = absl::StrCat(",\"templates\":[", templates,
                              "],\"endpoints\":[", endpoints,
                              "],\"deletedTemplates\":",
                              IdList(deleted_templates),
                              ",\"deletedEndpoints\":",
                              IdList(deleted_endpoints));
  }
  return absl::StrCat("{\"seq\":", account.journal_sequence(),
                      ",\"random\":\"", RandomText(account),
                      "\",\"networkVolumes\":[", volumes, "],\"pods\":[",
                      pods, "],\"deletedNetworkVolumes\":",
                      IdList(deleted_volumes),
                      ",\"deletedPods\":", IdList(deleted_pods), serverless,
                      "}\n");
}

absl::Status ReplayJournalLine(const std::string& line, Account& account) {
  absl::StatusOr<json> root = ParseJson(line);
  if (!root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not JSON: ", root.status().message()));
  }
  ObjectReader r(*root, "");
  RETURN_IF_ERROR(r.RequireObject());
  int64_t seq = 0;
  RETURN_IF_ERROR(r.Count("seq", &seq, kRequired, INT64_MAX));
  if (static_cast<uint64_t>(seq) <= account.journal_sequence()) {
    return absl::OkStatus();  // the data file holds it already
  }
  // Lines follow the data file and each other without a gap; one that does
  // not belongs to another state (a data file restored from a backup).
  if (static_cast<uint64_t>(seq) != account.journal_sequence() + 1) {
    return DataError("seq", absl::StrCat(seq, " does not follow ",
                                         account.journal_sequence()));
  }
  RETURN_IF_ERROR(LoadRandom(r, account));
  auto list = [&](const char* key) -> absl::StatusOr<const json*> {
    static const json kEmpty = json::array();
    const json* value = nullptr;
    RETURN_IF_ERROR(r.Array(key, &value));
    return value != nullptr ? value : &kEmpty;
  };
  auto ids = [&](const char* key) -> absl::StatusOr<std::vector<std::string>> {
    ASSIGN_OR_RETURN(const json* values, list(key));
    std::vector<std::string> out;
    for (const json& id : *values) {
      if (!id.is_string()) return DataError(key, "expected ids");
      out.push_back(id.get<std::string>());
    }
    return out;
  };
  // Volumes before the pods that may mount them; pods deleted before the
  // volumes they mounted. Each change is checked as Load checks a data file.
  ASSIGN_OR_RETURN(const json* volumes, list("networkVolumes"));
  for (size_t i = 0; i < volumes->size(); ++i) {
    const std::string path = absl::StrCat("networkVolumes[", i, "]");
    ASSIGN_OR_RETURN(NetworkVolume volume, VolumeFromJson((*volumes)[i], path));
    const NetworkVolume* before = account.FindVolume(volume.id);
    if (before != nullptr && account.PodsUsingVolume(volume.id) > 0 &&
        before->data_center_id != volume.data_center_id) {
      return DataError(
          path + ".dataCenterId",
          "differs from the data center of the pods that mount it");
    }
    std::string id = volume.id;
    account.ReplayVolume(id, std::move(volume));
  }
  ASSIGN_OR_RETURN(const json* pods, list("pods"));
  for (size_t i = 0; i < pods->size(); ++i) {
    const std::string path = absl::StrCat("pods[", i, "]");
    ASSIGN_OR_RETURN(Pod pod, PodFromJson((*pods)[i], path));
    RETURN_IF_ERROR(CheckPodVolume(account, pod, path));
    std::string id = pod.id;
    account.ReplayPod(id, std::move(pod));
  }
  // Templates before the endpoints bound to them; endpoints deleted before
  // their templates and the volumes they mounted.
  ASSIGN_OR_RETURN(const json* templates, list("templates"));
  for (size_t i = 0; i < templates->size(); ++i) {
    const std::string path = absl::StrCat("templates[", i, "]");
    ASSIGN_OR_RETURN(Template t, TemplateFromJson((*templates)[i], path));
    std::string id = t.id;
    account.ReplayTemplate(id, std::move(t));
  }
  ASSIGN_OR_RETURN(const json* endpoints, list("endpoints"));
  for (size_t i = 0; i < endpoints->size(); ++i) {
    const std::string path = absl::StrCat("endpoints[", i, "]");
    ASSIGN_OR_RETURN(Endpoint e, EndpointFromJson((*endpoints)[i], path));
    RETURN_IF_ERROR(CheckEndpointLinks(account, e, path));
    std::string id = e.id;
    account.ReplayEndpoint(id, std::move(e));
  }
  ASSIGN_OR_RETURN(std::vector<std::string> deleted_endpoints,
                   ids("deletedEndpoints"));
  for (const std::string& id : deleted_endpoints) {
    account.ReplayEndpoint(id, std::nullopt);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> deleted_templates,
                   ids("deletedTemplates"));
  for (const std::string& id : deleted_templates) {
    const Template* t = account.FindTemplate(id);
    if (t != nullptr && t->endpoint_id.has_value() &&
        account.FindEndpoint(*t->endpoint_id) != nullptr) {
      return DataError(
          "deletedTemplates",
          absl::StrCat("template \"", id, "\" is bound to an endpoint"));
    }
    account.ReplayTemplate(id, std::nullopt);
  }
  ASSIGN_OR_RETURN(std::vector<std::string> deleted_pods, ids("deletedPods"));
  for (const std::string& id : deleted_pods) account.ReplayPod(id, std::nullopt);
  ASSIGN_OR_RETURN(std::vector<std::string> deleted_volumes,
                   ids("deletedNetworkVolumes"));
  for (const std::string& id : deleted_volumes) {
    if (account.PodsUsingVolume(id) > 0) {
      return DataError(
          "deletedNetworkVolumes",
          absl::StrCat("network volume \"", id, "\" is mounted by a pod"));
    }
    if (!account.EndpointsUsingVolume(id).empty()) {
      return DataError("deletedNetworkVolumes",
                       absl::StrCat("network volume \"", id,
                                    "\" is mounted by an endpoint"));
    }
    account.ReplayVolume(id, std::nullopt);
  }
  RETURN_IF_ERROR(r.RefuseUnread());
  account.set_journal_sequence(static_cast<uint64_t>(seq));
  return absl::OkStatus();
}

absl::StatusOr<Account> AccountFromJsonText(const std::string& text,
                                            uint64_t seed, Clock clock) {
  absl::StatusOr<json> root = ParseJson(text);
  if (!root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("not JSON: ", root.status().message()));
  }
  Account account(seed, std::move(clock));
  RETURN_IF_ERROR(Load(*root, account));
  return account;
}

}  // namespace podform::sandbox
