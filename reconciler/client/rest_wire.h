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
//   POST /serverless  {name, type, image, env, gpu: {pools, count},
//                workers: {min, max, idleTimeout}, scaling: {type: QUEUE_DELAY,
//                queueDelay} or {type: REQUEST_COUNT, requestCount}, timeout,
//                flashboot} plus networkVolumes and dataCenterIds when not
//                empty (RunPod then places the endpoint anywhere);
//                workers.idleTimeout only when spec.idle_timeout > 0 and the
//                endpoint is not a QUEUE scaling on REQUEST_COUNT (RunPod
//                refuses it there).
//   PATCH /serverless/{id}  the same without type, and with networkVolumes
//                and dataCenterIds always (an empty list clears them). env
//                replaces the endpoint's whole map; gpu.pools replaces the
//                pool selection (and clears RunPod's gpu.excludedTypes).
//
// Parsed objects: a NetworkVolume {id, name, size, dataCenter} and a Pod
// {id, name, image, args, disk, env, ports, status, cloud, dataCenterId,
// mounts, gpu?, cost} with RunPod's types; other members are ignored.
// A pod's spec gets RunPod's values in podform's words: gpu.id as the GPU
// type (gpu.count, default 1), cloud, dataCenterId ("" when null), the
// first network mount's volume id and path, args as docker args. Its
// status is kRunning for PROVISIONING, STARTING and RUNNING, kExited for
// EXITED and ERROR, kTerminated for TERMINATED; `phase` keeps RunPod's
// status. An Endpoint {id, name, type?, image?, env?, gpu?, workers,
// scaling, dataCenterIds, networkVolumes, timeout, flashboot}: its image
// and env are those of the template RunPod bound to it (served inline);
// an absent image or env is empty, an absent type is QUEUE (endpoints
// made before RunPod had types are queue-based), an absent or null gpu is
// no pools and a count of 0 (a CPU endpoint), an absent gpu.count is 1, an
// absent workers.idleTimeout is 0; networkVolumes and dataCenterIds keep
// RunPod's order; flashboot is kept as RunPod says it.
// Errors are Internal("malformed response from RunPod: PATH ...").

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
// InvalidArgument if spec.type is not QUEUE or LOAD_BALANCER,
// spec.scaler_type not QUEUE_DELAY or REQUEST_COUNT, or spec.scaler_value
// not a finite number (QUEUE_DELAY) or a whole number from 1 to 2^31-1
// (REQUEST_COUNT).
absl::StatusOr<nlohmann::json> RestCreateEndpointBody(
    const EndpointSpec& spec);
// InvalidArgument as RestCreateEndpointBody.
absl::StatusOr<nlohmann::json> RestUpdateEndpointBody(
    const EndpointSpec& spec);

absl::StatusOr<LiveVolume> ParseRestVolume(const nlohmann::json& value,
                                           const std::string& path);
absl::StatusOr<LivePod> ParseRestPod(const nlohmann::json& value,
                                     const std::string& path);
absl::StatusOr<LiveEndpoint> ParseRestEndpoint(const nlohmann::json& value,
                                               const std::string& path);

// One page of a cursor-paginated list (GET /pods, /serverless):
// body[`key`] and body.pagination {nextCursor, hasNextPage}. `next_cursor`
// is "" on the last page. Internal if the page is malformed, or if it says
// there is a next page but names no cursor other than `cursor`, the one
// that asked for it (a list that would never end).
struct RestPage {
  const nlohmann::json* items = nullptr;  // into the body
  std::string next_cursor;
};
absl::StatusOr<RestPage> ParseRestPage(const nlohmann::json& body,
                                       const char* key,
                                       const std::string& cursor);

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
