#include "reconciler/core/resource.h"

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace podform {

using nlohmann::json;

namespace {

json EndpointAttributes(const Resource& r) {
  const EndpointSpec& e = r.endpoint;
  std::vector<std::string> volumes;
  for (const std::string& key : r.volume_keys) {
    volumes.push_back(absl::StrCat("volume.", key));
  }
  json scaling = json::object();
  if (e.scaler_type == kScalerRequestCount) {
    scaling["requestCount"] = static_cast<int64_t>(e.scaler_value);
  } else {
    scaling["queueDelay"] = e.scaler_value;
  }
  json attributes{
      {"name", e.name},
      {"image", e.image},
      {"type", e.type},
      {"gpuPools", e.gpu_pools},
      {"gpuCount", e.gpu_count},
      {"workersMin", e.workers_min},
      {"workersMax", e.workers_max},
      {"idleTimeout", e.idle_timeout},
      {"scaling", scaling},
      {"volumes", volumes},
      {"networkVolumeIds", e.network_volume_ids},
      {"dataCenters", e.data_centers},
      {"timeoutMs", e.timeout_ms},
      {"flashboot", e.flashboot},
      {"env", e.env},
      {"secretEnv", r.secret_env},
  };
  if (r.read_only) attributes["access"] = "read-only";
  return attributes;
}

}  // namespace

json ToAttributes(const Resource& r) {
  if (r.address.kind == Kind::kEndpoint) return EndpointAttributes(r);
  if (r.address.kind == Kind::kVolume) {
    json attributes{{"name", r.volume.name},
                    {"size", r.volume.size_gb},
                    {"dataCenter", r.volume.data_center},
                    {"protect", r.protect}};
    // Only when declared, so that lock files and plans of volumes that
    // declare no type stay as they were before volumes had one.
    if (!r.volume.type.empty()) attributes["type"] = r.volume.type;
    return attributes;
  }
  const PodSpec& p = r.pod;
  json attributes{
      {"name", p.name},
      {"image", p.image},
      {"gpuType", p.gpu_type},
      {"gpuCount", p.gpu_count},
      {"cloudType", p.cloud_type},
      {"dataCenter", p.data_center},
      {"volume", r.volume_key.empty()
                     ? json(nullptr)
                     : json(absl::StrCat("volume.", r.volume_key))},
      {"networkVolumeId", p.network_volume_id},
      {"mountPath", p.mount_path},
      {"containerDiskGb", p.container_disk_gb},
      {"ports", p.ports},
      {"env", p.env},
      {"secretEnv", r.secret_env},
      {"dockerArgs", p.docker_args},
      {"status", p.running ? "running" : "stopped"},
  };
  if (r.read_only) attributes["access"] = "read-only";
  return attributes;
}

namespace {

// Reads attributes[key] into *out, or records why not.
template <typename T>
bool Read(const json& attributes, const char* key, T* out,
          std::string* error) {
  auto it = attributes.find(key);
  if (it == attributes.end()) {
    *error = absl::StrCat("missing attribute \"", key, "\"");
    return false;
  }
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    // get<T>() would convert a float, or wrap a wide integer (a float out of
    // T's range is undefined behaviour).
    if (!it->is_number_integer()) {
      *error = absl::StrCat("attribute \"", key, "\" has the wrong type");
      return false;
    }
    const bool fits =
        it->is_number_unsigned()
            ? it->get<uint64_t>() <=
                  static_cast<uint64_t>(std::numeric_limits<T>::max())
            : it->get<int64_t>() >= std::numeric_limits<T>::min() &&
                  it->get<int64_t>() <= std::numeric_limits<T>::max();
    if (!fits) {
      *error = absl::StrCat("attribute \"", key, "\" is out of range");
      return false;
    }
  }
  try {
    *out = it->get<T>();
  } catch (const json::exception&) {
    *error = absl::StrCat("attribute \"", key, "\" has the wrong type");
    return false;
  }
  return true;
}

// Checks that no key of `secret_env` has a value in `env`.
bool NoSecretValues(const std::map<std::string, std::string>& env,
                    const std::set<std::string>& secret_env,
                    std::string* error) {
  for (const std::string& key : secret_env) {
    if (env.count(key) > 0) {
      *error = absl::StrCat("attribute \"env\" holds a value for ", key,
                            ", which \"secretEnv\" lists as a secret (a "
                            "secret's value is never recorded)");
      return false;
    }
  }
  return true;
}

// Reads "access" of a resource that mounts volumes (`mounts`).
bool ReadAccess(const json& attributes, bool mounts, const char* what,
                bool* read_only, std::string* error) {
  if (!attributes.contains("access")) return true;
  std::string access;
  if (!Read(attributes, "access", &access, error)) return false;
  if (access != "read-only" || !mounts) {
    *error = absl::StrCat(
        "attribute \"access\" must be \"read-only\", on ", what,
        " that mounts a volume (a read-write mount records no access)");
    return false;
  }
  *read_only = true;
  return true;
}

// The endpoint half of FromAttributes.
bool ReadEndpoint(const json& attributes, Resource* r, std::string* error) {
  EndpointSpec& e = r->endpoint;
  json scaling;
  std::vector<std::string> volumes;
  if (!Read(attributes, "name", &e.name, error) ||
      !Read(attributes, "image", &e.image, error) ||
      !Read(attributes, "type", &e.type, error) ||
      !Read(attributes, "gpuPools", &e.gpu_pools, error) ||
      !Read(attributes, "gpuCount", &e.gpu_count, error) ||
      !Read(attributes, "workersMin", &e.workers_min, error) ||
      !Read(attributes, "workersMax", &e.workers_max, error) ||
      !Read(attributes, "idleTimeout", &e.idle_timeout, error) ||
      !Read(attributes, "scaling", &scaling, error) ||
      !Read(attributes, "volumes", &volumes, error) ||
      !Read(attributes, "networkVolumeIds", &e.network_volume_ids, error) ||
      !Read(attributes, "dataCenters", &e.data_centers, error) ||
      !Read(attributes, "timeoutMs", &e.timeout_ms, error) ||
      !Read(attributes, "flashboot", &e.flashboot, error) ||
      !Read(attributes, "env", &e.env, error) ||
      !Read(attributes, "secretEnv", &r->secret_env, error)) {
    return false;
  }
  if (e.type != kEndpointTypeQueue && e.type != kEndpointTypeLoadBalancer) {
    *error = "attribute \"type\" must be QUEUE or LOAD_BALANCER";
    return false;
  }
  if (e.flashboot != kFlashbootOff && e.flashboot != kFlashbootOn &&
      e.flashboot != "PRIORITY_FLASHBOOT") {
    *error =
        "attribute \"flashboot\" must be OFF, FLASHBOOT or "
        "PRIORITY_FLASHBOOT";
    return false;
  }
  const bool queue_delay = scaling.is_object() && scaling.size() == 1 &&
                           scaling.contains("queueDelay") &&
                           scaling["queueDelay"].is_number();
  const bool request_count = scaling.is_object() && scaling.size() == 1 &&
                             scaling.contains("requestCount") &&
                             scaling["requestCount"].is_number_integer();
  if (queue_delay) {
    e.scaler_type = kScalerQueueDelay;
    e.scaler_value = scaling["queueDelay"].get<double>();
  } else if (request_count) {
    e.scaler_type = kScalerRequestCount;
    e.scaler_value =
        static_cast<double>(scaling["requestCount"].get<int64_t>());
  } else {
    *error =
        "attribute \"scaling\" must be {\"queueDelay\": NUMBER} or "
        "{\"requestCount\": INTEGER}";
    return false;
  }
  for (const std::string& volume : volumes) {
    absl::StatusOr<Address> address = Address::Parse(volume);
    if (!address.ok() || address->kind != Kind::kVolume) {
      *error = "attribute \"volumes\" must list volume.NAME addresses";
      return false;
    }
    r->volume_keys.push_back(address->name);
  }
  return NoSecretValues(e.env, r->secret_env, error) &&
         ReadAccess(attributes, !r->volume_keys.empty(), "an endpoint",
                    &r->read_only, error);
}

}  // namespace

absl::StatusOr<Resource> FromAttributes(const Address& address,
                                        const json& attributes) {
  Resource r;
  r.address = address;
  std::string error;
  auto fail = [&]() {
    return absl::InvalidArgumentError(
        absl::StrCat(address.ToString(), ": ", error));
  };
  if (!attributes.is_object()) {
    error = "attributes are not an object";
    return fail();
  }
  if (address.kind == Kind::kVolume) {
    if (!Read(attributes, "name", &r.volume.name, &error) ||
        !Read(attributes, "size", &r.volume.size_gb, &error) ||
        !Read(attributes, "dataCenter", &r.volume.data_center, &error) ||
        !Read(attributes, "protect", &r.protect, &error)) {
      return fail();
    }
    if (attributes.contains("type") &&
        (!Read(attributes, "type", &r.volume.type, &error) ||
         !IsVolumeType(r.volume.type))) {
      if (error.empty()) {
        error = "attribute \"type\" must be STANDARD or HIGH_PERFORMANCE";
      }
      return fail();
    }
    return r;
  }
  if (address.kind == Kind::kEndpoint) {
    if (!ReadEndpoint(attributes, &r, &error)) return fail();
    return r;
  }
  PodSpec& p = r.pod;
  std::string status;
  json volume;
  if (!Read(attributes, "name", &p.name, &error) ||
      !Read(attributes, "image", &p.image, &error) ||
      !Read(attributes, "gpuType", &p.gpu_type, &error) ||
      !Read(attributes, "gpuCount", &p.gpu_count, &error) ||
      !Read(attributes, "cloudType", &p.cloud_type, &error) ||
      !Read(attributes, "dataCenter", &p.data_center, &error) ||
      !Read(attributes, "volume", &volume, &error) ||
      !Read(attributes, "networkVolumeId", &p.network_volume_id, &error) ||
      !Read(attributes, "mountPath", &p.mount_path, &error) ||
      !Read(attributes, "containerDiskGb", &p.container_disk_gb, &error) ||
      !Read(attributes, "ports", &p.ports, &error) ||
      !Read(attributes, "env", &p.env, &error) ||
      !Read(attributes, "secretEnv", &r.secret_env, &error) ||
      !Read(attributes, "dockerArgs", &p.docker_args, &error) ||
      !Read(attributes, "status", &status, &error)) {
    return fail();
  }
  if (!NoSecretValues(p.env, r.secret_env, &error)) return fail();
  if (status != "running" && status != "stopped") {
    error = "attribute \"status\" must be \"running\" or \"stopped\"";
    return fail();
  }
  p.running = status == "running";
  if (volume.is_string()) {
    absl::StatusOr<Address> volume_address =
        Address::Parse(volume.get<std::string>());
    if (!volume_address.ok() || volume_address->kind != Kind::kVolume) {
      error = "attribute \"volume\" must be volume.NAME or null";
      return fail();
    }
    r.volume_key = volume_address->name;
  } else if (!volume.is_null()) {
    error = "attribute \"volume\" must be volume.NAME or null";
    return fail();
  }
  if (!ReadAccess(attributes, !r.volume_key.empty(), "a pod", &r.read_only,
                  &error)) {
    return fail();
  }
  return r;
}

namespace {

// "hmac-sha256:" and 64 lowercase hex digits: what podform once recorded
// under a secret env key.
bool IsLegacyDigest(const json& value) {
  static constexpr char kPrefix[] = "hmac-sha256:";
  constexpr size_t kPrefixLength = sizeof kPrefix - 1;
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() != kPrefixLength + 64 || !absl::StartsWith(text, kPrefix)) {
    return false;
  }
  for (size_t i = kPrefixLength; i < text.size(); ++i) {
    char c = text[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> LegacySecretDigestKeys(const json& attributes) {
  if (!attributes.is_object()) return {};
  auto env = attributes.find("env");
  auto secret = attributes.find("secretEnv");
  if (env == attributes.end() || secret == attributes.end() ||
      !env->is_object() || !secret->is_array()) {
    return {};
  }
  std::vector<std::string> keys;
  for (const json& key : *secret) {
    if (!key.is_string()) continue;
    auto value = env->find(key.get_ref<const std::string&>());
    if (value != env->end() && IsLegacyDigest(*value)) {
      keys.push_back(key.get<std::string>());
    }
  }
  return keys;
}

int DropLegacySecretDigests(json* attributes) {
  const std::vector<std::string> keys = LegacySecretDigestKeys(*attributes);
  for (const std::string& key : keys) (*attributes)["env"].erase(key);
  return static_cast<int>(keys.size());
}

}  // namespace podform
