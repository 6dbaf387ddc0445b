#ifndef PODFORM_RECONCILER_CORE_RESOURCE_H_
#define PODFORM_RECONCILER_CORE_RESOURCE_H_

// A managed resource's attributes in one shape for the lock file, the plan and
// its renderings: desired (from the config) or recorded (from the lock file).

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json_fwd.hpp"
#include "reconciler/core/model.h"

namespace podform {

struct Resource {
  Address address;
  // kind == kVolume:
  VolumeSpec volume;
  bool protect = false;
  // kind == kPod:
  PodSpec pod;              // network_volume_id: the id once known, else ""
  std::string volume_key;   // key of the mounted volume; "" = none
  // Env keys whose values are secrets. In a recorded or planned resource the
  // value under such a key is SecretDigest(...), never the secret itself.
  std::set<std::string> secret_env;

  bool operator==(const Resource&) const = default;
};

// The canonical attribute object, camelCase like podform.yaml:
//   volume: {"dataCenter", "name", "protect", "size"}
//   pod:    {"cloudType", "containerDiskGb", "dataCenter", "dockerArgs",
//            "env": {K: V}, "gpuCount", "gpuType", "image", "mountPath",
//            "name", "networkVolumeId", "ports": [...], "secretEnv": [K...],
//            "status": "running"|"stopped", "volume": "volume.KEY"|null}
nlohmann::json ToAttributes(const Resource& resource);

// Inverse of ToAttributes. InvalidArgument naming the attribute when a
// field is missing or has the wrong type.
absl::StatusOr<Resource> FromAttributes(const Address& address,
                                        const nlohmann::json& attributes);

// "hmac-sha256:<hex>" of `value` keyed by `salt`: what the lock file and plan
// hold instead of a secret env value. Deterministic for (salt, value).
std::string SecretDigest(std::string_view salt, std::string_view value);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_RESOURCE_H_
