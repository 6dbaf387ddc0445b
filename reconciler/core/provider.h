#ifndef PODFORM_RECONCILER_CORE_PROVIDER_H_
#define PODFORM_RECONCILER_CORE_PROVIDER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reconciler/core/model.h"

namespace podform {

// RunPod as the planner and applier see it. The GraphQL client is one
// implementation (reconciler/client); tests use fakes.
//
// Error codes tell the caller what to do:
//   Unavailable       the request certainly did not take effect (connection
//                     refused, HTTP 429/502/503/504 before processing); safe
//                     to retry, any method.
//   DeadlineExceeded  the outcome is unknown (timeout or connection lost
//                     after the request was sent); a mutation may or may not
//                     have happened: re-read live state, never blindly resend.
//   Unauthenticated   HTTP 401: the API key is missing or wrong.
//   ResourceExhausted no GPU capacity for the requested pod.
//   NotFound          the id does not exist.
//   FailedPrecondition / InvalidArgument  RunPod refused the request; the
//                     message is RunPod's.
//   Internal          a response podform cannot read.
// Implementations must be safe to call from several threads at once.
class Provider {
 public:
  virtual ~Provider() = default;

  // Every network volume, pod and serverless endpoint of the account, in a
  // constant number of requests (REST v2: one per list, more for lists
  // longer than a page; GraphQL: one, and no endpoints).
  virtual absl::StatusOr<LiveState> Refresh() = 0;

  virtual absl::StatusOr<LiveVolume> CreateVolume(const VolumeSpec& spec) = 0;
  // Renames and/or grows the volume `id` to spec.name / spec.size_gb.
  virtual absl::StatusOr<LiveVolume> UpdateVolume(const std::string& id,
                                                  const VolumeSpec& spec) = 0;
  virtual absl::Status DeleteVolume(const std::string& id) = 0;

  // Creates a running pod; spec.network_volume_id, when set, is mounted at
  // spec.mount_path. spec.running is ignored: to get a stopped pod the
  // caller creates it and then calls StopPod.
  virtual absl::StatusOr<LivePod> CreatePod(const PodSpec& spec) = 0;
  // Edits image, env, ports, container disk, docker args and mount path
  // (REST v2: PATCH /v2/pods/{id}; GraphQL: podEditJob).
  virtual absl::StatusOr<LivePod> EditPod(const std::string& id,
                                          const PodSpec& spec) = 0;
  virtual absl::Status TerminatePod(const std::string& id) = 0;
  virtual absl::StatusOr<LivePod> StopPod(const std::string& id) = 0;
  virtual absl::StatusOr<LivePod> ResumePod(const std::string& id,
                                            int gpu_count) = 0;

  // Serverless endpoints (REST v2 only). spec.network_volume_ids and spec.data_centers are RunPod ids, resolved by the caller.
  virtual absl::StatusOr<LiveEndpoint> CreateEndpoint(const EndpointSpec& spec);
  // PATCH /v2/serverless/{id}: everything but spec.type, which RunPod cannot change.
  virtual absl::StatusOr<LiveEndpoint> UpdateEndpoint(const std::string& id, const EndpointSpec& spec);
  // Deletes the endpoint and the template RunPod bound to it.
  virtual absl::Status DeleteEndpoint(const std::string& id);

  // Where pods of `cloud_type` (SECURE or COMMUNITY) can be placed now, in
  // one request. Unimplemented where the API cannot say in one request
  // (GraphQL asks per GPU type and data center).
  virtual absl::StatusOr<GpuAvailability> PodGpuAvailability(
      const std::string& cloud_type) {
    (void)cloud_type;
    return absl::UnimplementedError(
        "this API does not report GPU availability per data center");
  }
};

inline absl::StatusOr<LiveEndpoint> Provider::CreateEndpoint(
    const EndpointSpec& spec) {
  (void)spec;
  return absl::UnimplementedError(
      "serverless endpoints are managed over REST API v2 only");
}

inline absl::StatusOr<LiveEndpoint> Provider::UpdateEndpoint(
    const std::string& id, const EndpointSpec& spec) {
  (void)id;
  (void)spec;
  return absl::UnimplementedError(
      "serverless endpoints are managed over REST API v2 only");
}

inline absl::Status Provider::DeleteEndpoint(const std::string& id) {
  (void)id;
  return absl::UnimplementedError(
      "serverless endpoints are managed over REST API v2 only");
}

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_PROVIDER_H_
