// Fingerprints of live objects and the comparison of secrets with live
// (declared in planner.h).

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "reconciler/plan/planner.h"
#include "reconciler/util/digest.h"

namespace podform {
namespace {

// An unambiguous encoding: every value is length-prefixed, so no two
// different objects encode alike, whatever bytes their strings hold.
class Encoder {
 public:
  void Add(std::string_view field, std::string_view value) {
    absl::StrAppend(&text_, std::string(field), "=", value.size(), ":",
                    std::string(value), ";");
  }
  void Add(std::string_view field, int64_t value) {
    Add(field, absl::StrCat(value));
  }
  // The count under `count_field`, then each item under `item_field`.
  void AddList(std::string_view count_field, std::string_view item_field,
               const std::vector<std::string>& items) {
    Add(count_field, static_cast<int64_t>(items.size()));
    for (const std::string& item : items) Add(item_field, item);
  }
  // Every env key, and the value of those in `value_keys`.
  void AddEnv(const std::map<std::string, std::string>& env,
              const std::set<std::string>& value_keys) {
    Add("env", static_cast<int64_t>(env.size()));
    for (const auto& [key, value] : env) {
      Add("key", key);
      if (value_keys.count(key) > 0) Add("value", value);
    }
  }
  std::string Digest() const { return Sha256Hex(text_); }

 private:
  std::string text_;
};

}  // namespace

std::string Fingerprint(const LiveVolume& volume) {
  Encoder e;
  e.Add("kind", "volume");
  e.Add("id", volume.id);
  e.Add("name", volume.spec.name);
  e.Add("size", volume.spec.size_gb);
  e.Add("dataCenter", volume.spec.data_center);
  return e.Digest();
}

std::string Fingerprint(const LivePod& pod,
                        const std::set<std::string>& env_value_keys) {
  const PodSpec& p = pod.spec;
  Encoder e;
  e.Add("kind", "pod");
  e.Add("id", pod.id);
  e.Add("name", p.name);
  e.Add("image", p.image);
  e.Add("gpuType", p.gpu_type);
  e.Add("gpuCount", p.gpu_count);
  e.Add("cloudType", p.cloud_type);
  e.Add("dataCenter", p.data_center);
  e.Add("networkVolumeId", p.network_volume_id);
  e.Add("mountPath", p.mount_path);
  e.Add("containerDiskGb", p.container_disk_gb);
  e.AddList("ports", "port", p.ports);
  e.AddEnv(p.env, env_value_keys);
  e.Add("dockerArgs", p.docker_args);
  e.Add("running", p.running ? 1 : 0);
  e.Add("desiredStatus", pod.StatusWord());
  return e.Digest();
}

std::string Fingerprint(const LiveEndpoint& endpoint,
                        const std::set<std::string>& env_value_keys) {
  const EndpointSpec& p = endpoint.spec;
  Encoder e;
  e.Add("kind", "endpoint");
  e.Add("id", endpoint.id);
  e.Add("name", p.name);
  e.Add("image", p.image);
  e.Add("type", p.type);
  e.AddList("gpuPools", "pool", p.gpu_pools);
  e.Add("gpuCount", p.gpu_count);
  e.Add("workersMin", p.workers_min);
  e.Add("workersMax", p.workers_max);
  e.Add("idleTimeout", p.idle_timeout);
  e.Add("scalerType", p.scaler_type);
  e.Add("scalerValue", absl::StrCat(p.scaler_value));
  e.AddList("networkVolumeIds", "volume", p.network_volume_ids);
  e.AddList("dataCenters", "dataCenter", p.data_centers);
  e.Add("timeoutMs", p.timeout_ms);
  e.Add("flashboot", p.flashboot);
  e.AddEnv(p.env, env_value_keys);
  return e.Digest();
}

std::set<std::string> FingerprintedEnvKeys(const Change& change) {
  std::set<std::string> keys;
  for (const std::optional<Resource>* r : {&change.before, &change.after}) {
    if (!r->has_value()) continue;
    const std::map<std::string, std::string>& env =
        (*r)->address.kind == Kind::kEndpoint ? (*r)->endpoint.env
                                               : (*r)->pod.env;
    for (const auto& [key, value] : env) keys.insert(key);
  }
  for (const std::optional<Resource>* r : {&change.before, &change.after}) {
    if (!r->has_value()) continue;
    for (const std::string& key : (*r)->secret_env) keys.erase(key);
  }
  return keys;
}

std::vector<std::string> ChangedSecretEnv(
    const std::set<std::string>& secret_keys, std::string_view salt,
    const std::map<std::string, std::string>& desired_digests,
    const LivePod& live) {
  return ChangedSecretEnv(secret_keys, salt, desired_digests, live.spec.env);
}

std::vector<std::string> ChangedSecretEnv(
    const std::set<std::string>& secret_keys, std::string_view salt,
    const std::map<std::string, std::string>& desired_digests,
    const std::map<std::string, std::string>& live_env) {
  std::vector<std::string> changed;
  for (const std::string& key : secret_keys) {
    auto desired = desired_digests.find(key);
    auto now = live_env.find(key);
    if (desired == desired_digests.end() || now == live_env.end() ||
        desired->second != SecretEnvDigest(salt, now->second)) {
      changed.push_back(key);
    }
  }
  return changed;
}

}  // namespace podform
