#ifndef PODFORM_RECONCILER_CLIENT_REST_WIRE_H_
#define PODFORM_RECONCILER_CLIENT_REST_WIRE_H_

// Translation between podform's model (reconciler/core/model.h) and RunPod's
// REST API v2 bodies (the members podform sends are declared, with their
// types, in schema/rest-requests.json; rest_schema.h checks them).
//
// Request bodies:
//   POST /network-volumes   {name, size, dataCenter}
//   PATCH /network-volumes/{id}  {name, size}
//   POST /pods  {name, image, gpu: {id, count}, cloud, disk, env: {K: V},
//                ports: [...], args} plus dataCenterIds: [dc] when the data
//                center is set, and mounts: {network: [{volumeId, path}]}
//                when a network volume is set (the path is always sent);
//                gpu is omitted when the GPU type is empty.
//   PATCH /pods/{id}  {image, disk, env, ports, args} plus the same mounts
//                when a network volume is set. env replaces the pod's whole
//                map; args "" clears a command.
//
// Parsed objects: a NetworkVolume {id, name, size, dataCenter} and a Pod
// {id, name, image, args, disk, env, ports, status, cloud, dataCenterId,
// mounts, gpu?, cost} with RunPod's types; other members are ignored.
// A pod's spec gets RunPod's values in podform's words: gpu.id as the GPU
// type (gpu.count, default 1), cloud, dataCenterId ("" when null), the
// first network mount's volume id and path, args as docker args. Its
// desired_status is RUNNING for PROVISIONING, STARTING and RUNNING, EXITED
// for EXITED and ERROR, TERMINATED for TERMINATED; `phase` keeps RunPod's
// status. Errors are Internal("malformed response from RunPod: PATH ...").

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json_fwd.hpp"
#include "reconciler/core/model.h"

namespace podform {

nlohmann::json RestCreateVolumeBody(const VolumeSpec& spec);
nlohmann::json RestUpdateVolumeBody(const VolumeSpec& spec);
// InvalidArgument if spec.cloud_type is not SECURE or COMMUNITY.
absl::StatusOr<nlohmann::json> RestCreatePodBody(const PodSpec& spec);
nlohmann::json RestEditPodBody(const PodSpec& spec);

absl::StatusOr<LiveVolume> ParseRestVolume(const nlohmann::json& value,
                                           const std::string& path);
absl::StatusOr<LivePod> ParseRestPod(const nlohmann::json& value,
                                     const std::string& path);

// An application/problem+json body {title, status, detail, errors?}; the
// members that are missing or not strings stay empty.
struct Problem {
  std::string title;
  std::string detail;
  std::vector<std::string> errors;
};
Problem ParseProblem(const std::string& body);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CLIENT_REST_WIRE_H_
