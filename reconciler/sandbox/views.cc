#include "reconciler/sandbox/views.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <string_view>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace podform::sandbox {
namespace {

using nlohmann::json;

json OptionalString(const std::optional<std::string>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

// Prices rounded to a millionth of a dollar, so 3 x 0.49 reads 1.47.
double RoundPrice(double price) { return std::round(price * 1e6) / 1e6; }

// runtime.ports: HTTP ports are served through RunPod's proxy (private
// address, same port); TCP and UDP ports are published on the machine's
// public address at a per-pod base port, in the order given.
json RuntimePorts(const Pod& pod) {
  json out = json::array();
  if (!pod.ports.has_value()) return out;
  int published = 0;
  for (absl::string_view entry : absl::StrSplit(*pod.ports, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    std::vector<absl::string_view> parts = absl::StrSplit(entry, '/');
    int port = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &port)) continue;
    std::string type(parts[1]);
    if (type == "http") {
      out.push_back({{"ip", "100.65.0.2"},
                     {"isIpPublic", false},
                     {"privatePort", port},
                     {"publicPort", port},
                     {"type", type}});
    } else {
      out.push_back({{"ip", pod.public_ip},
                     {"isIpPublic", true},
                     {"privatePort", port},
                     {"publicPort", pod.public_port_base + published++},
                     {"type", type}});
    }
  }
  return out;
}

// Seconds since the pod (re)started; 0 when it is not running.
int64_t Uptime(const Pod& pod, absl::Time now) {
  if (pod.desired_status != "RUNNING") return 0;
  return std::max<int64_t>(0, absl::ToInt64Seconds(now - pod.started_at));
}

json Runtime(const Pod& pod, int64_t uptime) {  // a running pod's runtime
  json gpus = json::array();
  std::string host_suffix = pod.pod_host_id.size() > pod.id.size() + 1
                                ? pod.pod_host_id.substr(pod.id.size() + 1)
                                : pod.pod_host_id;
  for (int i = 0; i < pod.gpu_count; ++i) {
    gpus.push_back({{"id", absl::StrCat("GPU-", host_suffix, "-", i)},
                    {"gpuUtilPercent", 0},
                    {"memoryUtilPercent", 0}});
  }
  return json{{"uptimeInSeconds", uptime},
              {"ports", RuntimePorts(pod)},
              {"gpus", std::move(gpus)},
              {"container", {{"cpuPercent", 0}, {"memoryPercent", 0}}}};
}

}  // namespace

json VolumeView(const NetworkVolume& volume) {
  const DataCenterInfo* dc = FindDataCenter(volume.data_center_id);
  // storageType and storageClusterId are RunPod internals the sandbox
  // cannot know: null.
  return json{{"id", volume.id},
              {"name", OptionalString(volume.name)},
              {"size", volume.size_gb},
              {"dataCenterId", volume.data_center_id},
              {"storageType", nullptr},
              {"storageClusterId", nullptr},
              {"dataCenter", dc != nullptr ? DataCenterView(*dc) : json()}};
}

double PodCostPerHr(const Pod& pod) {
  // A GPU type without a published price is billed nothing here: the
  // sandbox has no price to charge (docs/SANDBOX.md).
  return RoundPrice(
      PodHourlyCost(pod.gpu_type_id, pod.gpu_count, pod.cloud_type)
          .value_or(0));
}

json RuntimeView(const Pod& pod, absl::Time now) {
  if (pod.desired_status != "RUNNING") return nullptr;
  return Runtime(pod, Uptime(pod, now));
}

json PodView(const Pod& pod, absl::Time now) {
  int64_t uptime = Uptime(pod, now);
  json env = json::array();
  for (const EnvVar& var : pod.env) {
    env.push_back(absl::StrCat(var.key, "=", var.value));
  }
  const GpuTypeInfo* gpu = FindGpuType(pod.gpu_type_id);
  const DataCenterInfo* dc = FindDataCenter(pod.data_center_id);
  return json{
      {"id", pod.id},
      {"name", OptionalString(pod.name)},
      {"imageName", pod.image_name},
      {"dockerArgs", pod.docker_args},
      {"dockerId", nullptr},  // a container id the sandbox does not have
      {"env", std::move(env)},
      {"gpuCount", pod.gpu_count},
      {"vcpuCount", pod.vcpu_count},
      {"memoryInGb", pod.memory_in_gb},
      {"containerDiskInGb", pod.container_disk_in_gb},
      {"volumeInGb", pod.volume_in_gb},
      {"volumeMountPath", pod.volume_mount_path},
      {"networkVolumeId", OptionalString(pod.network_volume_id)},
      {"desiredStatus", pod.desired_status},
      {"costPerHr", PodCostPerHr(pod)},
      {"lastStatusChange", pod.last_status_change},
      {"uptimeSeconds", uptime},
      {"machineId", pod.machine_id},
      {"podType", "RESERVED"},  // on-demand (not spot/interruptable)
      {"port", nullptr},        // legacy single-port field
      {"ports", OptionalString(pod.ports)},
      {"templateId", OptionalString(pod.template_id)},
      {"containerRegistryAuthId",
       OptionalString(pod.container_registry_auth_id)},
      {"machine",
       {{"gpuDisplayName",
         gpu != nullptr ? json(std::string(gpu->display_name)) : json()},
        {"gpuTypeId", pod.gpu_type_id},
        {"podHostId", pod.pod_host_id},
        {"location", dc != nullptr ? json(std::string(dc->location)) : json()},
        {"dataCenterId", pod.data_center_id},
        {"secureCloud", pod.cloud_type == "SECURE"}}},
  };
}

json EndpointView(const Account& account, const Endpoint& e) {
  std::vector<std::string> gpu_ids = e.gpu_pools;
  for (const std::string& type : e.excluded_types) {
    gpu_ids.push_back(absl::StrCat("-", type));
  }
  json volumes = json::array();
  for (const std::string& id : e.network_volumes) {
    const NetworkVolume* volume = account.FindVolume(id);
    volumes.push_back(
        {{"networkVolumeId", id},
         {"dataCenterId",
          volume != nullptr ? json(volume->data_center_id) : json()}});
  }
  const NetworkVolume* first = e.network_volumes.empty()
                                   ? nullptr
                                   : account.FindVolume(e.network_volumes[0]);
  json env = json::array();
  if (const Template* bound = account.FindTemplate(e.template_id)) {
    for (const auto& [key, value] : bound->container.env) {
      env.push_back({{"key", key}, {"value", value}});
    }
  }
  return json{
      {"id", e.id},
      {"name", e.name},
      {"templateId", e.template_id},
      {"gpuIds", absl::StrJoin(gpu_ids, ",")},
      {"gpuCount", e.gpu_count},
      {"instanceIds", json::array()},  // CPU instances: the sandbox has none
      {"computeType", "GPU"},
      {"type", e.type},
      {"idleTimeout", e.idle_timeout},
      {"locations", absl::StrJoin(e.data_center_ids, ",")},
      {"networkVolumeId",
       e.network_volumes.empty() ? json() : json(e.network_volumes[0])},
      {"networkVolumeIds", std::move(volumes)},
      {"networkVolume", first != nullptr ? VolumeView(*first) : json()},
      {"scalerType", e.scaler_type},
      {"scalerValue", static_cast<int64_t>(std::llround(e.scaler_value))},
      {"workersMin", e.workers_min},
      {"workersMax", e.workers_max},
      {"workersStandby", nullptr},
      {"executionTimeoutMs", e.timeout_ms},
      {"minCudaVersion", OptionalString(e.min_cuda_version)},
      {"allowedCudaVersions", absl::StrJoin(e.allowed_cuda_versions, ",")},
      {"flashBootType", e.flashboot},
      {"modelReferences", json::array()},
      {"env", std::move(env)},
      {"userId", account.profile().id},
      {"version", nullptr},
      {"aiKey", nullptr},
      {"createdAt", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", e.created_at,
                                     absl::UTCTimeZone())},
  };
}

json ProfileView(const Profile& profile) {
  return json{{"id", profile.id},
              {"pubKey", OptionalString(profile.pub_key)},
              {"email", profile.email},
              {"clientBalance", profile.client_balance},
              {"spendLimit", profile.spend_limit}};
}

double CurrentSpendPerHr(const Account& account) {
  double total = 0;
  for (const Pod& pod : account.pods()) {
    if (pod.desired_status == "RUNNING") total += PodCostPerHr(pod);
  }
  // An endpoint's active workers run whether or not requests come; each
  // is placed in the first of its pools (RunPod's order of preference). A
  // pool without a published price bills nothing, as a pod of such a type.
  for (const Endpoint& endpoint : account.endpoints()) {
    if (endpoint.workers_min <= 0 || endpoint.gpu_pools.empty()) continue;
    if (std::optional<double> per_gpu =
            ServerlessGpuHourlyPrice(endpoint.gpu_pools.front());
        per_gpu.has_value()) {
      total += *per_gpu * static_cast<double>(endpoint.gpu_count *
                                              endpoint.workers_min);
    }
  }
  constexpr double kHoursPerMonth = 730;
  for (const NetworkVolume& volume : account.volumes()) {
    total += VolumeMonthlyCost(volume.size_gb) / kHoursPerMonth;
  }
  return RoundPrice(total);
}

std::string AvailabilityLevel(int free) {
  if (free <= 0) return "NONE";
  if (free < 4) return "LOW";
  if (free < 16) return "MEDIUM";
  return "HIGH";
}

json DataCenterView(const DataCenterInfo& dc) {
  // Every listed data center offers network storage.
  return json{{"id", std::string(dc.id)},
              {"name", std::string(dc.name)},
              {"location", std::string(dc.location)},
              {"storageSupport", true}};
}

namespace {

// A published price, or null (catalog.h: unknown, never 0); `factor`
// scales it (spot: half).
json Price(bool offered, const std::optional<double>& price,
           double factor = 1) {
  if (!offered || !price.has_value()) return nullptr;
  return RoundPrice(*price * factor);
}

}  // namespace

json GpuAvailabilityView(const Account& account, const DataCenterInfo& dc,
                         int gpu_count) {
  json out = json::array();
  const std::string dc_id(dc.id);
  for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
    const std::string gpu_id(gpu.id);
    int free = account.Capacity(dc_id, gpu_id) -
               account.GpusInUse(dc_id, gpu_id);
    if (free < std::max(gpu_count, 1)) continue;
    std::string level = AvailabilityLevel(free);  // "HIGH" -> "High"
    std::transform(level.begin() + 1, level.end(), level.begin() + 1,
                   [](unsigned char c) { return std::tolower(c); });
    out.push_back({{"available", true},
                   {"stockStatus", level},
                   {"gpuTypeId", gpu_id},
                   {"gpuTypeDisplayName", std::string(gpu.display_name)},
                   {"displayName", std::string(gpu.display_name)},
                   {"id", gpu_id}});
  }
  return out;
}

json ServerlessGpuPoolsView() {
  json out = json::array();
  std::vector<std::string_view> order;
  std::map<std::string_view, json> pools;
  for (const GpuTypeInfo& gpu : KnownGpuTypes()) {
    if (gpu.pool.empty()) continue;
    auto [it, added] = pools.try_emplace(gpu.pool, json::array());
    if (added) order.push_back(gpu.pool);
    it->second.push_back(std::string(gpu.id));
  }
  for (std::string_view pool : order) {
    out.push_back({{"id", std::string(pool)},
                   {"gpuTypeIds", std::move(pools[pool])}});
  }
  return out;
}

json GpuTypeView(const GpuTypeInfo& gpu) {
  // Spot prices: half the on-demand price (plausible; RunPod's vary).
  // Savings-plan prices (oneWeek/oneMonth/threeMonth) are unknown: null,
  // as are prices RunPod publishes none for and unknown CUDA core counts.
  return json{
      {"id", std::string(gpu.id)},
      {"displayName", std::string(gpu.display_name)},
      {"manufacturer", std::string(gpu.manufacturer)},
      {"memoryInGb", gpu.memory_gb},
      {"cudaCores", gpu.cuda_cores > 0 ? json(gpu.cuda_cores) : json()},
      {"secureCloud", gpu.secure_cloud},
      {"communityCloud", gpu.community_cloud},
      {"securePrice", Price(gpu.secure_cloud, gpu.secure_price)},
      {"communityPrice", Price(gpu.community_cloud, gpu.community_price)},
      {"secureSpotPrice", Price(gpu.secure_cloud, gpu.secure_price, 0.5)},
      {"communitySpotPrice",
       Price(gpu.community_cloud, gpu.community_price, 0.5)},
      {"oneMonthPrice", nullptr},
      {"threeMonthPrice", nullptr},
      {"oneWeekPrice", nullptr},
      {"maxGpuCount", gpu.max_gpu_count},
  };
}

json LowestPriceView(const GpuTypeInfo& gpu, std::optional<int> gpu_count,
                     std::optional<bool> secure_cloud) {
  json out = {{"gpuName", std::string(gpu.display_name)},
              {"gpuTypeId", std::string(gpu.id)},
              {"minimumBidPrice", nullptr},
              {"uninterruptablePrice", nullptr}};
  int count = gpu_count.value_or(1);
  if (count < 1 || count > gpu.max_gpu_count) return out;
  std::optional<double> lowest;
  for (const auto& [secure, offered, price] :
       {std::tuple(true, gpu.secure_cloud, gpu.secure_price),
        std::tuple(false, gpu.community_cloud, gpu.community_price)}) {
    if (secure_cloud.has_value() && *secure_cloud != secure) continue;
    if (offered && price.has_value()) {
      lowest = lowest.has_value() ? std::min(*lowest, *price) : *price;
    }
  }
  if (!lowest.has_value()) return out;
  out["minimumBidPrice"] = RoundPrice(*lowest / 2);
  out["uninterruptablePrice"] = *lowest;
  return out;
}

}  // namespace podform::sandbox
