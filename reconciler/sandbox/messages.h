#ifndef PODFORM_RECONCILER_SANDBOX_MESSAGES_H_
#define PODFORM_RECONCILER_SANDBOX_MESSAGES_H_

// Every error the sandbox's RunPod rules produce, in one place.
//
// Rules refuse with an absl::Status whose message is what RunPod says and
// whose code selects the GraphQL `extensions.code` (GraphqlCode below):
//   ResourceExhausted  -> "SUPPLY_CONSTRAINT" (no GPU capacity)
//   Internal           -> "INTERNAL_SERVER_ERROR"
//   anything else      -> "RUNPOD"
// Messages tagged [runpod-api.md] are RunPod's own words as recorded there;
// the others are written in RunPod's style because runpod-api.md does not
// record RunPod's wording for that case.

#include <string>

#include "absl/status/status.h"

namespace podform::sandbox {

// GraphQL error codes.
inline constexpr char kCodeRunPod[] = "RUNPOD";
inline constexpr char kCodeSupplyConstraint[] = "SUPPLY_CONSTRAINT";
inline constexpr char kCodeInternal[] = "INTERNAL_SERVER_ERROR";

// The `extensions.code` for a rule's refusal (see above).
std::string GraphqlCode(const absl::Status& status);

// [runpod-api.md] deleteNetworkVolume of a volume that a pod mounts.
absl::Status VolumeInUseError();
// [runpod-api.md] podTerminate of an unknown pod.
absl::Status PodNotFoundToTerminateError();
// [runpod-api.md] podFindAndDeployOnDemand without free GPUs.
absl::Status NoInstancesAvailableError();
// [runpod-api.md] generic failure (e.g. the data file cannot be written).
absl::Status SomethingWentWrongError();

// podFindAndDeployOnDemand / POST /v2/pods when the balance is less than
// one hour of the pod's cost (`hourly`, USD). Over REST v2 it is answered
// with HTTP 402 (IsInsufficientBalance); over GraphQL as a RUNPOD error.
// Worded after RunPod's "Your account balance is too low to start the
// sandbox." (its REST v2 reference).
absl::Status InsufficientBalanceError(double hourly, double balance);
// True for InsufficientBalanceError's status.
bool IsInsufficientBalance(const absl::Status& status);
// podResume without free GPUs (RunPod's console wording).
absl::Status NotEnoughFreeGpusError();
// podStop / podResume / podEditJob of an unknown pod.
absl::Status PodNotFoundError();
// updateNetworkVolume / deleteNetworkVolume / podFindAndDeployOnDemand with
// an unknown network volume id.
absl::Status VolumeNotFoundError(const std::string& id);
absl::Status UnknownDataCenterError(const std::string& id);
absl::Status UnknownGpuTypeError(const std::string& id);
// createNetworkVolume / updateNetworkVolume: size outside 10..`max` (4000
// over GraphQL, 4096 over REST v2).
absl::Status VolumeSizeOutOfRangeError(int64_t size, int64_t max);
absl::Status VolumeSizeMissingError();
// A volume type the data center does not offer (or not a type at all).
absl::Status VolumeTypeNotOfferedError(const std::string& type,
                                       const std::string& data_center);
// REST v2 pod action refused by the pod's status (Aborted: HTTP 409).
absl::Status PodActionNotAllowedError(const std::string& action,
                                      const std::string& status);
// REST v2 stop or restart of a locked pod (Aborted: HTTP 409).
absl::Status PodLockedError(const std::string& action);
// REST v2 PATCH introducing a mount kind the pod was not created with.
absl::Status MountKindImmutableError(const std::string& kind);
// REST v2 PATCH naming another network volume.
absl::Status MountVolumeImmutableError(const std::string& volume_id);
// updateNetworkVolume to a smaller size.
absl::Status VolumeShrinkError(int64_t from, int64_t to);
// A pod with a network volume on COMMUNITY cloud.
absl::Status VolumeNeedsSecureCloudError();
// A pod whose dataCenterId differs from its network volume's.
absl::Status DataCenterMismatchError(const std::string& pod_data_center,
                                     const std::string& volume_data_center);
absl::Status ImageNameRequiredError();
absl::Status GpuTypeRequiredError();
absl::Status GpuCountOutOfRangeError(int count, int max);
absl::Status NegativeDiskError(const std::string& field, int64_t value);
absl::Status InvalidPortsError(const std::string& ports);

// --- Templates and serverless endpoints (REST v2) ---
// deleteNetworkVolume of a volume that an endpoint mounts (the pods' rule,
// VolumeInUseError, worded for endpoints).
absl::Status VolumeMountedByEndpointError(const std::string& endpoint_id);
absl::Status TemplateNotFoundError(const std::string& id);
absl::Status EndpointNotFoundError(const std::string& id);
// [runpod-rest-v2.md] DELETE /v2/templates/{id} of a bound template.
absl::Status TemplateInUseError();
// An endpoint created or patched from a template that is not serverless.
absl::Status TemplateNotServerlessError(const std::string& id);
absl::Status GpuOrCpuError();
absl::Status CpuEndpointsNotOfferedError();
absl::Status ComputeFamilyImmutableError();
absl::Status UnknownGpuPoolError(const std::string& pool);
absl::Status ExcludedTypeNotInPoolsError(const std::string& type);
absl::Status NoGpuTypeLeftError();
absl::Status CudaConstraintsExclusiveError();
absl::Status WorkersMinAboveMaxError(int64_t min, int64_t max);
absl::Status QueueDelayOnLoadBalancerError();
absl::Status IdleTimeoutNotApplicableError();
absl::Status TwoVolumesInDataCenterError(const std::string& first,
                                         const std::string& second,
                                         const std::string& data_center);
absl::Status EndpointDataCentersError(const std::string& volume_data_centers);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_MESSAGES_H_
