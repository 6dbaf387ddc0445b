// Fingerprints of live objects and the comparison of secrets with live
// (declared in planner.h).

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
  e.Add("ports", static_cast<int64_t>(p.ports.size()));
  for (const std::string& port : p.ports) e.Add("port", port);
  e.Add("env", static_cast<int64_t>(p.env.size()));
  for (const auto& [key, value] : p.env) {
    e.Add("key", key);
    if (env_value_keys.count(key) > 0) e.Add("value", value);
  }
  e.Add("dockerArgs", p.docker_args);
  e.Add("running", p.running ? 1 : 0);
  e.Add("desiredStatus", pod.desired_status);
  return e.Digest();
}

std::set<std::string> FingerprintedEnvKeys(const Change& change) {
  std::set<std::string> keys;
  for (const std::optional<Resource>* r : {&change.before, &change.after}) {
    if (!r->has_value()) continue;
    for (const auto& [key, value] : (*r)->pod.env) keys.insert(key);
  }
  for (const std::optional<Resource>* r : {&change.before, &change.after}) {
    if (!r->has_value()) continue;
    for (const std::string& key : (*r)->secret_env) keys.erase(key);
  }
  return keys;
}

std::vector<std::string> ChangedSecretEnv(
    const std::set<std::string>& secret_keys,
    const std::map<std::string, std::string>& desired_env,
    const LivePod& live) {
  std::vector<std::string> changed;
  for (const std::string& key : secret_keys) {
    auto desired = desired_env.find(key);
    auto now = live.spec.env.find(key);
    if (desired == desired_env.end() || now == live.spec.env.end() ||
        desired->second != now->second) {
      changed.push_back(key);
    }
  }
  return changed;
}

}  // namespace podform
