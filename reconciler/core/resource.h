#ifndef PODFORM_RECONCILER_CORE_RESOURCE_H_
#define PODFORM_RECONCILER_CORE_RESOURCE_H_

// A managed resource's attributes in one shape for the lock file, the plan and
// its renderings: desired (from the config) or recorded (from the lock file).

#include <set>
#include <string>
#include <vector>

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
  // kind == kEndpoint:
  EndpointSpec endpoint;  // network_volume_ids: the ids once known, else []
  std::vector<std::string> volume_keys;  // keys of its volumes, in order
  // `access: read-only` on the mount (podform.yaml): the pod or endpoint is
  // declared not to write to its volume(s). Recorded for podform's own
  // checks (several writers of one volume, docs/GUARDS.md); RunPod neither
  // knows nor enforces it. Only with a volume_key (pod) or volume_keys
  // (endpoint).
  bool read_only = false;
  // Env keys whose values are secrets (${env:NAME} in podform.yaml). A
  // marker only: pod.env holds no entry for such a key, neither the value
  // nor anything derived from it (the same for an endpoint's env), so that
  // no file podform writes can be used
  // to test a guess of a secret. Whether a secret changed is decided by
  // comparing the value in the environment with the pod's live env.
  std::set<std::string> secret_env;

  bool operator==(const Resource&) const = default;
};

// The canonical attribute object, camelCase like podform.yaml:
//   volume: {"dataCenter", "name", "protect", "size", "type" (only when
//            declared)}
//   pod:    {"cloudType", "containerDiskGb", "dataCenter", "dockerArgs",
//            "env": {K: V}, "gpuCount", "gpuType", "image", "mountPath",
//            "name", "networkVolumeId", "ports": [...], "secretEnv": [K...],
//            "status": "running"|"stopped", "volume": "volume.KEY"|null,
//            "access": "read-only" (only when read_only, so that lock files
//            and plans of read-write mounts stay as they were before mounts
//            had an access)}
//   endpoint: {"dataCenters": [...], "env": {K: V}, "flashboot": "OFF"|
//            "FLASHBOOT"|"PRIORITY_FLASHBOOT", "gpuCount", "gpuPools": [...],
//            "idleTimeout", "image", "name", "networkVolumeIds": [...],
//            "scaling": {"queueDelay": N} | {"requestCount": N},
//            "secretEnv": [K...], "timeoutMs", "type": "QUEUE"|
//            "LOAD_BALANCER", "volumes": ["volume.KEY"...], "workersMax",
//            "workersMin", "access": "read-only" (only when read_only)}
nlohmann::json ToAttributes(const Resource& resource);

// Inverse of ToAttributes. InvalidArgument naming the attribute when a
// field is missing or has the wrong type, when "env" holds a value under
// a key listed in "secretEnv" (a secret's value is never recorded), when
// "access" is anything but "read-only" on a pod or endpoint that mounts a
// volume, or when an endpoint's "type", "scaling" or "flashboot" is not
// one RunPod knows.
absl::StatusOr<Resource> FromAttributes(const Address& address,
                                        const nlohmann::json& attributes);

// Lock files written before secrets were recorded as markers only hold
// "hmac-sha256:<64 hex>" under each secret env key of a pod's attributes.
// Removes every such value from `attributes` (a pod attribute object, as
// ToAttributes makes it) and returns how many were removed; a value under a
// secret key that is not such a digest is left for FromAttributes to
// refuse. Anything that is not a pod attribute object is left alone (an
// endpoint's attributes never held digests; they have the same members, so
// they are treated alike).
int DropLegacySecretDigests(nlohmann::json* attributes);
// The secret env keys whose values DropLegacySecretDigests would remove.
std::vector<std::string> LegacySecretDigestKeys(
    const nlohmann::json& attributes);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_RESOURCE_H_
