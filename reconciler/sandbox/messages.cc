#include "reconciler/sandbox/messages.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace podform::sandbox {

std::string GraphqlCode(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kResourceExhausted:
      return kCodeSupplyConstraint;
    case absl::StatusCode::kInternal:
      return kCodeInternal;
    default:
      return kCodeRunPod;
  }
}

absl::Status VolumeInUseError() {
  return absl::FailedPreconditionError(
      "You must remove this network volume from all pods before deleting "
      "it.");
}

absl::Status PodNotFoundToTerminateError() {
  return absl::NotFoundError("pod not found to terminate");
}

namespace {
// Marks InsufficientBalanceError's status (REST v2 answers it with 402).
constexpr char kInsufficientBalanceUrl[] =
    "podform.sandbox/insufficient-balance";
}  // namespace

absl::Status InsufficientBalanceError(double hourly, double balance) {
  absl::Status status = absl::FailedPreconditionError(absl::StrFormat(
      "Your account balance is too low to deploy this pod: it needs at least "
      "$%.2f in credit (one hour of its cost), and the balance is $%.2f.",
      hourly, balance));
  status.SetPayload(kInsufficientBalanceUrl, absl::Cord("402"));
  return status;
}

bool IsInsufficientBalance(const absl::Status& status) {
  return status.GetPayload(kInsufficientBalanceUrl).has_value();
}

absl::Status NoInstancesAvailableError() {
  return absl::ResourceExhaustedError(
      "There are no longer any instances available with the requested "
      "specifications. Please refresh and try again.");
}

absl::Status SomethingWentWrongError() {
  return absl::InternalError(
      "Something went wrong. Please try again later or contact support.");
}

absl::Status NotEnoughFreeGpusError() {
  return absl::ResourceExhaustedError(
      "There are not enough free GPUs on the host machine to start this "
      "pod.");
}

absl::Status PodNotFoundError() { return absl::NotFoundError("pod not found"); }

absl::Status VolumeNotFoundError(const std::string& id) {
  return absl::NotFoundError(
      absl::StrCat("Network volume ", id, " not found."));
}

absl::Status UnknownDataCenterError(const std::string& id) {
  return absl::InvalidArgumentError(
      absl::StrCat("Data center ", id, " does not exist."));
}

absl::Status UnknownGpuTypeError(const std::string& id) {
  return absl::InvalidArgumentError(
      absl::StrCat("GPU type ", id, " does not exist."));
}

absl::Status VolumeSizeOutOfRangeError(int64_t size, int64_t max) {
  return absl::InvalidArgumentError(
      absl::StrCat("Network volume size must be between 10 and ", max,
                   " GB (got ", size, ")."));
}

absl::Status VolumeSizeMissingError() {
  return absl::InvalidArgumentError(
      "Network volume size is required (10 to 4000 GB).");
}

absl::Status VolumeTypeNotOfferedError(const std::string& type,
                                       const std::string& data_center) {
  return absl::InvalidArgumentError(
      absl::StrCat("Data center ", data_center, " does not offer ", type,
                   " network volumes."));
}

absl::Status PodActionNotAllowedError(const std::string& action,
                                      const std::string& status) {
  return absl::AbortedError(absl::StrCat("Cannot ", action, " a pod that is ",
                                         status, "."));
}

absl::Status PodLockedError(const std::string& action) {
  return absl::AbortedError(
      absl::StrCat("Cannot ", action, " a locked pod; unlock it first."));
}

absl::Status MountKindImmutableError(const std::string& kind) {
  return absl::InvalidArgumentError(
      absl::StrCat("Cannot add a ", kind,
                   " mount: a pod's mount kind is fixed at creation."));
}

absl::Status MountVolumeImmutableError(const std::string& volume_id) {
  return absl::InvalidArgumentError(
      absl::StrCat("Cannot change the network volume of a pod's mount to ",
                   volume_id, ": volumeId is fixed at creation."));
}

absl::Status VolumeShrinkError(int64_t from, int64_t to) {
  return absl::FailedPreconditionError(
      absl::StrCat("Network volume size can only be increased (from ", from,
                   " GB to ", to, " GB requested)."));
}

absl::Status VolumeNeedsSecureCloudError() {
  return absl::InvalidArgumentError(
      "Network volumes are only available on Secure Cloud.");
}

absl::Status DataCenterMismatchError(const std::string& pod_data_center,
                                     const std::string& volume_data_center) {
  return absl::InvalidArgumentError(absl::StrCat(
      "The pod's data center ", pod_data_center,
      " does not match its network volume's data center ", volume_data_center,
      "."));
}

absl::Status ImageNameRequiredError() {
  return absl::InvalidArgumentError("imageName is required.");
}

absl::Status GpuTypeRequiredError() {
  return absl::InvalidArgumentError("gpuTypeId is required.");
}

absl::Status GpuCountOutOfRangeError(int count, int max) {
  return absl::InvalidArgumentError(absl::StrCat(
      "gpuCount must be between 1 and ", max, " (got ", count, ")."));
}

absl::Status NegativeDiskError(const std::string& field, int64_t value) {
  return absl::InvalidArgumentError(
      absl::StrCat(field, " must not be negative (got ", value, ")."));
}

absl::Status InvalidPortsError(const std::string& ports) {
  return absl::InvalidArgumentError(
      absl::StrCat("Invalid ports \"", ports,
                   "\": expected a comma-separated list like "
                   "\"8888/http,22/tcp\"."));
}

absl::Status VolumeMountedByEndpointError(const std::string& endpoint_id) {
  return absl::FailedPreconditionError(absl::StrCat(
      "You must remove this network volume from all serverless endpoints "
      "before deleting it (endpoint ",
      endpoint_id, " mounts it)."));
}

absl::Status TemplateNotFoundError(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("Template ", id, " not found."));
}

absl::Status EndpointNotFoundError(const std::string& id) {
  return absl::NotFoundError(absl::StrCat("Endpoint ", id, " not found."));
}

absl::Status TemplateInUseError() {
  return absl::FailedPreconditionError(
      "Template is in use by a pod or serverless endpoint and cannot be "
      "deleted.");
}

absl::Status TemplateNotServerlessError(const std::string& id) {
  return absl::InvalidArgumentError(
      absl::StrCat("Template ", id, " is not a serverless template."));
}

absl::Status GpuOrCpuError() {
  return absl::InvalidArgumentError("Exactly one of gpu or cpu must be set.");
}

absl::Status CpuEndpointsNotOfferedError() {
  return absl::InvalidArgumentError(
      "CPU endpoints are not offered by the sandbox; set gpu.");
}

absl::Status ComputeFamilyImmutableError() {
  return absl::InvalidArgumentError(
      "The compute family of an endpoint cannot change: this endpoint uses "
      "gpu.");
}

absl::Status UnknownGpuPoolError(const std::string& pool) {
  return absl::InvalidArgumentError(
      absl::StrCat("GPU pool ", pool, " does not exist."));
}

absl::Status ExcludedTypeNotInPoolsError(const std::string& type) {
  return absl::InvalidArgumentError(absl::StrCat(
      "gpu.excludedTypes: ", type, " is not a GPU type in gpu.pools."));
}

absl::Status NoGpuTypeLeftError() {
  return absl::InvalidArgumentError(
      "gpu.excludedTypes leaves no GPU type in gpu.pools.");
}

absl::Status CudaConstraintsExclusiveError() {
  return absl::InvalidArgumentError(
      "gpu.allowedCudaVersions and gpu.minCudaVersion are mutually "
      "exclusive.");
}

absl::Status WorkersMinAboveMaxError(int64_t min, int64_t max) {
  return absl::InvalidArgumentError(absl::StrCat(
      "workers.min (", min, ") must not exceed workers.max (", max, ")."));
}

absl::Status QueueDelayOnLoadBalancerError() {
  return absl::InvalidArgumentError(
      "QUEUE_DELAY scaling is for QUEUE endpoints only; a LOAD_BALANCER "
      "endpoint scales on REQUEST_COUNT.");
}

absl::Status IdleTimeoutNotApplicableError() {
  return absl::InvalidArgumentError(
      "workers.idleTimeout does not apply to a QUEUE endpoint scaling on "
      "REQUEST_COUNT.");
}

absl::Status TwoVolumesInDataCenterError(const std::string& first,
                                         const std::string& second,
                                         const std::string& data_center) {
  return absl::InvalidArgumentError(absl::StrCat(
      "An endpoint takes at most one network volume per data center: ",
      first, " and ", second, " are both in ", data_center, "."));
}

absl::Status EndpointDataCentersError(const std::string& volume_data_centers) {
  return absl::InvalidArgumentError(absl::StrCat(
      "dataCenterIds must be the data centers of networkVolumes (",
      volume_data_centers, ")."));
}

}  // namespace podform::sandbox
