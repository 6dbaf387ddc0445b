// endpoints.KEY: a RunPod serverless endpoint (REST v2 /v2/serverless), read
// into RunPod's own terms and units, and checked against the volumes it
// mounts.

#include <array>
#include <map>
#include <set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/config/drafts.h"
#include "reconciler/config/env_reference.h"
#include "reconciler/config/suggest.h"
#include "reconciler/core/catalog.h"

namespace podform {
namespace {

constexpr std::array<std::string_view, 12> kEndpointKeys = {
    "name",    "image",       "type",    "gpu",       "workers", "scaling",
    "volumes", "dataCenters", "timeout", "flashboot", "env",     "access"};
constexpr std::array<std::string_view, 2> kGpuKeys = {"pools", "count"};
constexpr std::array<std::string_view, 3> kWorkersKeys = {"min", "max",
                                                          "idleTimeout"};
constexpr std::array<std::string_view, 2> kScalingKeys = {"queueDelay",
                                                          "requestCount"};

// RunPod's bounds (runpod-rest-v2.md §2.3).
constexpr int64_t kMaxIdleTimeout = 3600;
constexpr double kMinQueueDelay = 0.5;
// A job's timeout in seconds; at most what fits RunPod's 32-bit `timeout`
// in milliseconds.
constexpr int64_t kMaxTimeoutSeconds = 2147483;

// A list of non-empty strings at `entry`, each with its location; reports
// a value that is not a list, an item that is not a string and an item
// given twice (named `what`).
std::vector<std::pair<std::string, SourceLocation>> ReadStringList(
    const Entry& entry, const char* what, Diagnostics& diagnostics) {
  std::vector<std::pair<std::string, SourceLocation>> out;
  if (!entry.value.IsSequence()) {
    diagnostics.Error(entry.value_location,
                      absl::StrCat(entry.path, ": expected a list, got ",
                                   DescribeType(TypeOf(entry.value))));
    return out;
  }
  std::set<std::string> seen;
  int index = 0;
  for (const YAML::Node& item : entry.value) {
    Entry element{
        "", absl::StrCat(entry.path, "[", index++, "]"), entry.value_location,
        item, item.IsNull() ? entry.value_location : LocationOf(item.Mark())};
    std::optional<std::string> text = ReadString(element, diagnostics);
    if (!text.has_value()) continue;
    if (!seen.insert(*text).second) {
      diagnostics.Error(element.value_location,
                        absl::StrCat(element.path, ": ", what, " \"", *text,
                                     "\" is listed twice"));
      continue;
    }
    out.emplace_back(std::move(*text), element.value_location);
  }
  return out;
}

void ReadGpu(const Entry& entry, EndpointDraft& draft,
             Diagnostics& diagnostics) {
  if (!ExpectMapping(entry, /*allow_null=*/false, diagnostics)) return;
  bool has_pools = false;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kGpuKeys, diagnostics)) {
    if (field.key == "pools") {
      has_pools = true;
      draft.pools_location = field.value_location;
      for (auto& [pool, location] :
           ReadStringList(field, "pool", diagnostics)) {
        draft.spec.gpu_pools.push_back(std::move(pool));
        draft.pool_locations.push_back(location);
      }
      if (field.value.IsSequence() && field.value.size() == 0) {
        diagnostics.Error(field.value_location,
                          absl::StrCat(field.path,
                                       ": must list at least one serverless "
                                       "GPU pool (e.g. ADA_24)"));
      }
    } else if (auto count = ReadIntegerInRange(field, 1, kNoUpperBound, "",
                                               diagnostics)) {
      draft.spec.gpu_count = static_cast<int>(*count);
    }
  }
  if (!has_pools) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path, ": missing required key \"pools\""));
  }
}

// Reads `workers`; `idle_timeout` is where idleTimeout was, if given.
void ReadWorkers(const Entry& entry, EndpointDraft& draft,
                 std::optional<SourceLocation>& idle_timeout,
                 Diagnostics& diagnostics) {
  if (!ExpectMapping(entry, /*allow_null=*/false, diagnostics)) return;
  std::optional<int64_t> min, max;
  SourceLocation min_location;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kWorkersKeys, diagnostics)) {
    if (field.key == "min") {
      min_location = field.value_location;
      min = ReadIntegerInRange(field, 0, kNoUpperBound, "", diagnostics);
      if (min.has_value()) draft.spec.workers_min = static_cast<int>(*min);
    } else if (field.key == "max") {
      max = ReadIntegerInRange(field, 0, kNoUpperBound, "", diagnostics);
      if (max.has_value()) draft.spec.workers_max = static_cast<int>(*max);
    } else {
      idle_timeout = field.value_location;
      if (auto idle = ReadIntegerInRange(field, 1, kMaxIdleTimeout, "seconds",
                                         diagnostics)) {
        draft.spec.idle_timeout = static_cast<int>(*idle);
      }
    }
  }
  if ((min.has_value() || max.has_value()) &&
      draft.spec.workers_min > draft.spec.workers_max) {
    diagnostics.Error(
        min.has_value() ? min_location : entry.value_location,
        absl::StrCat(entry.path, ": min (", draft.spec.workers_min,
                     ") exceeds max (", draft.spec.workers_max, ")",
                     max.has_value() ? "" : ", which defaults to 3"));
  }
}

void ReadScaling(const Entry& entry, EndpointDraft& draft,
                 Diagnostics& diagnostics) {
  draft.has_scaling = true;
  draft.scaling_location = entry.value_location;
  if (!ExpectMapping(entry, /*allow_null=*/false, diagnostics)) return;
  std::vector<Entry> fields =
      ReadMapping(entry.value, entry.path, kScalingKeys, diagnostics);
  if (fields.size() != 1) {
    if (entry.value.size() == fields.size()) {  // no unknown key reported
      diagnostics.Error(entry.value_location,
                        absl::StrCat(entry.path,
                                     ": give exactly one of queueDelay "
                                     "(seconds) or requestCount"));
    }
    return;
  }
  const Entry& field = fields[0];
  if (field.key == "queueDelay") {
    draft.spec.scaler_type = kScalerQueueDelay;
    if (auto delay = ReadNumberAtLeast(field, kMinQueueDelay, diagnostics)) {
      draft.spec.scaler_value = *delay;
    }
  } else {
    draft.spec.scaler_type = kScalerRequestCount;
    if (auto count =
            ReadIntegerInRange(field, 1, kNoUpperBound, "", diagnostics)) {
      draft.spec.scaler_value = static_cast<double>(*count);
    }
  }
}

std::string DidYouMean(const std::optional<std::string>& suggestion) {
  return suggestion.has_value()
             ? absl::StrCat(" (did you mean \"", *suggestion, "\"?)")
             : std::string();
}

}  // namespace

EndpointDraft ReadEndpoint(const Entry& entry, const EnvLookup& env,
                           const EnvLookup& vars, Diagnostics& diagnostics) {
  EndpointDraft draft = NewDraft<EndpointDraft>(entry);
  if (!ExpectMapping(entry, /*allow_null=*/true, diagnostics)) return draft;

  bool has_image = false, has_gpu = false;
  std::optional<SourceLocation> idle_timeout;
  for (const Entry& field :
       ReadMapping(entry.value, entry.path, kEndpointKeys, diagnostics)) {
    const std::string& key = field.key;
    if (key == "name") {
      ReadName(field, draft, diagnostics);
    } else if (key == "image") {
      has_image = true;
      ReadImage(field, vars, draft.spec.image, diagnostics);
    } else if (key == "type") {
      if (auto type =
              ReadOneOf(field, {"queue", "load-balancer"}, diagnostics)) {
        draft.spec.type =
            *type == "queue" ? kEndpointTypeQueue : kEndpointTypeLoadBalancer;
      }
    } else if (key == "gpu") {
      has_gpu = true;
      ReadGpu(field, draft, diagnostics);
    } else if (key == "workers") {
      ReadWorkers(field, draft, idle_timeout, diagnostics);
    } else if (key == "scaling") {
      ReadScaling(field, draft, diagnostics);
    } else if (key == "volumes") {
      draft.volumes_location = field.value_location;
      for (auto& [volume, location] :
           ReadStringList(field, "volume", diagnostics)) {
        draft.volumes.push_back(std::move(volume));
        draft.volume_locations.push_back(location);
      }
    } else if (key == "dataCenters") {
      draft.has_data_centers = true;
      draft.data_centers_location = field.value_location;
      for (auto& [dc, location] :
           ReadStringList(field, "data center", diagnostics)) {
        draft.spec.data_centers.push_back(std::move(dc));
      }
    } else if (key == "timeout") {
      if (auto seconds = ReadIntegerInRange(field, 1, kMaxTimeoutSeconds,
                                            "seconds", diagnostics)) {
        draft.spec.timeout_ms = *seconds * 1000;
      }
    } else if (key == "flashboot") {
      if (auto on = ReadBoolean(field, diagnostics)) {
        draft.spec.flashboot = *on ? kFlashbootOn : kFlashbootOff;
      }
    } else if (key == "env") {
      ReadEnv(field, env, vars, draft.spec.env, draft.secret_env, diagnostics);
    } else if (key == "access") {
      ReadAccess(field, draft, diagnostics);
    }
  }
  if (!has_image) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path, ": missing required key \"image\""));
  }
  if (!has_gpu) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path,
                     ": missing required key \"gpu\" (e.g. gpu: {pools: "
                     "[ADA_24]})"));
  }
  for (size_t i = 0; i < draft.spec.gpu_pools.size(); ++i) {
    const std::string& pool = draft.spec.gpu_pools[i];
    if (IsKnownGpuPool(pool)) continue;
    const std::vector<std::string_view>& known = KnownGpuPools();
    std::vector<std::string> names(known.begin(), known.end());
    diagnostics.Error(
        draft.pool_locations[i],
        absl::StrCat(draft.path, ".gpu.pools: unknown serverless GPU pool \"",
                     pool, "\"", DidYouMean(SuggestCatalogId(pool, known)),
                     "; pools are ", absl::StrJoin(names, ", ")));
  }
  const bool load_balancer = draft.spec.type == kEndpointTypeLoadBalancer;
  if (load_balancer && !draft.has_scaling) {
    diagnostics.Error(
        entry.key_location,
        absl::StrCat(entry.path,
                     ": a load-balancer endpoint needs \"scaling: "
                     "{requestCount: N}\" (it cannot scale on queue delay)"));
  } else if (load_balancer && draft.spec.scaler_type == kScalerQueueDelay) {
    diagnostics.Error(
        draft.scaling_location,
        absl::StrCat(entry.path,
                     ".scaling: a load-balancer endpoint has no queue; scale "
                     "it on requestCount"));
  }
  if (!load_balancer && draft.spec.scaler_type == kScalerRequestCount) {
    // RunPod's queue endpoints that scale on request count have no idle
    // timeout.
    if (idle_timeout.has_value()) {
      diagnostics.Error(
          *idle_timeout,
          absl::StrCat(entry.path,
                       ".workers.idleTimeout: a queue endpoint that scales "
                       "on requestCount has no idle timeout; remove it"));
    }
    draft.spec.idle_timeout = 0;
  }
  // volumes_location is set when `volumes:` is given, even with a bad value.
  if (draft.has_access && draft.volumes_location.line == 0) {
    diagnostics.Error(
        draft.access_location,
        absl::StrCat(entry.path,
                     ".access: only an endpoint that mounts volumes has an "
                     "access (add \"volumes\" or remove \"access\")"));
  }
  if (draft.has_data_centers && draft.volumes_location.line != 0) {
    diagnostics.Error(
        draft.data_centers_location,
        absl::StrCat(entry.path,
                     ".dataCenters: an endpoint with volumes runs in its "
                     "volumes' data centers; remove \"dataCenters\""));
  }
  return draft;
}

void CheckEndpoints(Drafts& drafts, Diagnostics& diagnostics) {
  std::map<std::string, const VolumeDraft*> volumes;
  for (const VolumeDraft& volume : drafts.volumes) {
    volumes.emplace(volume.key, &volume);
  }
  std::vector<std::string_view> volume_keys(drafts.volume_keys.begin(),
                                            drafts.volume_keys.end());
  std::map<std::string, const EndpointDraft*> names;
  for (EndpointDraft& endpoint : drafts.endpoints) {
    if (!endpoint.spec.name.empty()) {
      auto [first, inserted] = names.emplace(endpoint.spec.name, &endpoint);
      if (!inserted) {
        diagnostics.Error(
            endpoint.has_name ? endpoint.name_location : endpoint.location,
            absl::StrCat(endpoint.has_name
                             ? absl::StrCat(endpoint.path, ".name")
                             : endpoint.path,
                         ": RunPod name \"", endpoint.spec.name,
                         "\" is already used by ", first->second->path,
                         " at line ", first->second->location.line,
                         "; names must be unique among endpoints"));
      }
    }
    if (endpoint.volumes.empty()) continue;
    endpoint.spec.data_centers.clear();
    // Data center -> the first volume there.
    std::map<std::string, std::string> by_data_center;
    std::map<int64_t, std::vector<std::string>> by_size;
    for (size_t i = 0; i < endpoint.volumes.size(); ++i) {
      const std::string& key = endpoint.volumes[i];
      const SourceLocation at = endpoint.volume_locations[i];
      if (drafts.volume_keys.count(key) == 0) {
        diagnostics.Error(
            at, absl::StrCat(endpoint.path, ".volumes: \"", key,
                             "\" is not a key under volumes",
                             DidYouMean(SuggestClosest(key, volume_keys))));
        continue;
      }
      auto it = volumes.find(key);
      if (it == volumes.end()) continue;
      const VolumeSpec& volume = it->second->spec;
      if (volume.size_gb > 0) by_size[volume.size_gb].push_back(key);
      if (volume.data_center.empty()) continue;  // the volume's own problem
      auto [other, inserted] = by_data_center.emplace(volume.data_center, key);
      if (!inserted) {
        diagnostics.Error(
            at, absl::StrCat(endpoint.path, ".volumes: volumes.", key,
                             " and volumes.", other->second,
                             " are both in data center ", volume.data_center,
                             "; an endpoint mounts at most one volume per "
                             "data center"));
        continue;
      }
      endpoint.spec.data_centers.push_back(volume.data_center);
    }
    if (by_size.size() > 1) {
      std::vector<std::string> sizes;
      for (const auto& [size, keys] : by_size) {
        for (const std::string& key : keys) {
          sizes.push_back(absl::StrCat("volumes.", key, " ", size, " GB"));
        }
      }
      diagnostics.Warning(
          endpoint.volumes_location,
          absl::StrCat(endpoint.path,
                       ".volumes: the volumes of one endpoint are replicas "
                       "(each worker mounts the one in its data center), but "
                       "their sizes differ: ",
                       absl::StrJoin(sizes, ", ")));
    }
  }
}

}  // namespace podform
