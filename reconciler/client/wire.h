#ifndef PODFORM_RECONCILER_CLIENT_WIRE_H_
#define PODFORM_RECONCILER_CLIENT_WIRE_H_

// Translation between podform's model (reconciler/core/model.h) and RunPod's
// GraphQL values: the `input` variables of each mutation, and the objects
// the operations in schema/operations/*.graphql select.
//
// Inputs (every value travels as a JSON variable, never spliced into text):
//   CreateNetworkVolumeInput  {name, size, dataCenterId}
//   UpdateNetworkVolumeInput  {id, name, size}
//   PodFindAndDeployOnDemandInput
//       {name, imageName, gpuTypeId, gpuCount, cloudType, containerDiskInGb,
//        volumeInGb: 0, env: [{key, value}] (sorted by key), ports: "a,b",
//        dockerArgs} plus dataCenterId when set, and networkVolumeId and
//        volumeMountPath only when a network volume is set. podform manages
//        no pod-local volume: volumeInGb is always 0, so persistent data
//        lives only on network volumes; gpuTypeId is omitted when empty.
//   PodEditJobInput
//       {podId, imageName, containerDiskInGb, dockerArgs, env, ports} plus
//       volumeMountPath when a network volume is set. volumeInGb is not sent
//       (podform never changes it).
//
// Parsed objects: every selected field must be present; nullable fields may
// be null (strings become "", numbers 0, lists empty); ids must be non-empty
// strings. LivePod.spec.data_center and cloud_type stay empty (RunPod does
// not report them); status is desiredStatus as LivePod::SetStatus reads it
// (a word podform does not know is kept), and spec.running is whether that
// status counts as running (ConditionOf in core/model.h: RUNNING, CREATED
// and RESTARTING). Errors are Internal("malformed response from RunPod:
// PATH ...").

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json_fwd.hpp"
#include "reconciler/core/model.h"

namespace podform {

nlohmann::json CreateVolumeInput(const VolumeSpec& spec);
nlohmann::json UpdateVolumeInput(const std::string& id, const VolumeSpec& spec);
// InvalidArgument if spec.cloud_type is not SECURE, COMMUNITY or ALL.
absl::StatusOr<nlohmann::json> CreatePodInput(const PodSpec& spec);
nlohmann::json EditPodInput(const std::string& id, const PodSpec& spec);

// RunPod's env list ["K=V", ...] as a map, split at the first '=' (an entry
// without '=' is a key with an empty value).
std::map<std::string, std::string> ParseEnvList(
    const std::vector<std::string>& entries);
// "8888/http, 22/tcp" -> {"8888/http", "22/tcp"} (trimmed, empties dropped).
std::vector<std::string> ParsePorts(const std::string& ports);

// Display name -> GPU type id, from a [GpuType {id displayName}] list. When
// two types share a display name the first wins.
using GpuTypeNames = std::map<std::string, std::string, std::less<>>;
absl::StatusOr<GpuTypeNames> ParseGpuTypes(const nlohmann::json& value,
                                           const std::string& path);

// A NetworkVolume {id name size dataCenterId}.
absl::StatusOr<LiveVolume> ParseVolume(const nlohmann::json& value,
                                       const std::string& path);

// A Pod as selected by the operations. spec.gpu_type is left empty; the
// caller maps gpu_display_name (machine.gpuDisplayName, "" when machine or
// the name is null) to a GPU type id.
struct ParsedPod {
  LivePod pod;
  std::string gpu_display_name;
};
absl::StatusOr<ParsedPod> ParsePod(const nlohmann::json& value,
                                   const std::string& path);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_WIRE_H_
