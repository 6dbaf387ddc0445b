#include "reconciler/sandbox/account.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string_view>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "reconciler/core/catalog.h"
#include "reconciler/sandbox/messages.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

constexpr char kIdAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kUserIdAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr char kHexAlphabet[] = "0123456789abcdef";
constexpr size_t kVolumeIdLength = 10;  // e.g. "agv6w2qcg7"
constexpr size_t kPodIdLength = 14;     // e.g. "xedezhzb9la3ye"

// Reasons written before the date in lastStatusChange. RunPod's console
// shows "Rented by User: <date>" for a new pod; the others follow that form
// (runpod-api.md does not record them).
constexpr char kRented[] = "Rented by User";
constexpr char kExited[] = "Exited by User";
constexpr char kResumed[] = "Resumed by User";
constexpr char kEdited[] = "Edited by User";

}  // namespace

absl::Status CheckPorts(const std::string& ports) {
  if (ports.empty()) return absl::OkStatus();
  for (absl::string_view entry : absl::StrSplit(ports, ',')) {
    entry = absl::StripAsciiWhitespace(entry);
    std::vector<absl::string_view> parts = absl::StrSplit(entry, '/');
    int port = 0;
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &port) ||
        port < 1 || port > 65535 ||
        (parts[1] != "http" && parts[1] != "tcp" && parts[1] != "udp")) {
      return InvalidPortsError(ports);
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status CheckDisk(const std::string& field,
                       const std::optional<int64_t>& value) {
  if (value.has_value() && *value < 0) return NegativeDiskError(field, *value);
  return absl::OkStatus();
}

absl::Status CheckVolumeSize(int64_t size, int64_t max) {
  if (size < kMinVolumeSizeGb || size > max) {
    return VolumeSizeOutOfRangeError(size, max);
  }
  return absl::OkStatus();
}

absl::Status CheckGpuCount(const GpuTypeInfo& gpu, int count) {
  if (count < 1 || count > gpu.max_gpu_count) {
    return GpuCountOutOfRangeError(count, gpu.max_gpu_count);
  }
  return absl::OkStatus();
}

// Data centers that offer HIGH_PERFORMANCE network volumes besides
// STANDARD (a plausible subset: RunPod publishes the list per data center
// in /v2/catalog/datacenters, not in runpod-api.md).
constexpr std::string_view kHighPerformanceDataCenters[] = {
    "CA-MTL-1", "EU-RO-1", "US-KS-2", "US-TX-3"};

}  // namespace

std::vector<std::string> VolumeTypesIn(const std::string& data_center_id) {
  if (FindDataCenter(data_center_id) == nullptr) return {};
  std::vector<std::string> types = {kVolumeStandard};
  for (std::string_view dc : kHighPerformanceDataCenters) {
    if (dc == data_center_id) types.push_back(kVolumeHighPerformance);
  }
  return types;
}

std::string PodStatus(const Pod& pod, absl::Time now) {
  if (pod.desired_status != "RUNNING") return "EXITED";
  if (now < pod.provisioned_at) return "PROVISIONING";
  if (now < pod.ready_at) return "STARTING";
  return pod.start_fails ? "ERROR" : "RUNNING";
}

std::vector<std::string> PodActions(const std::string& status) {
  if (status == "RUNNING") return {"stop", "restart", "terminate"};
  if (status == "EXITED" || status == "ERROR") return {"start", "terminate"};
  if (status == "PROVISIONING" || status == "STARTING") {
    return {"stop", "terminate"};
  }
  return {};
}

std::string StatusChangeText(const std::string& reason, absl::Time at) {
  return absl::StrCat(
      reason, ": ",
      absl::FormatTime("%a %b %d %Y %H:%M:%S", at, absl::UTCTimeZone()),
      " GMT+0000 (Coordinated Universal Time)");
}

Account::Account(uint64_t seed, Clock clock)
    : clock_(std::move(clock)), random_(seed) {
  profile_.id = absl::StrCat("user_", random_.String(27, kUserIdAlphabet));
  profile_.email = "sandbox@podform.invalid";
}

// ---------------------------------------------------------------- volumes

absl::StatusOr<NetworkVolume> Account::CreateVolume(
    const CreateVolumeRequest& req, const VolumeApiOptions& api) {
  if (FindDataCenter(req.data_center_id) == nullptr) {
    return UnknownDataCenterError(req.data_center_id);
  }
  // RunPod's input declares size nullable; the sandbox requires it because
  // RunPod's documentation gives no default (runpod-api.md is silent).
  if (!req.size.has_value()) return VolumeSizeMissingError();
  RETURN_IF_ERROR(CheckVolumeSize(*req.size, api.max_size_gb));
  std::string type = api.type.value_or(kVolumeStandard);
  std::vector<std::string> offered = VolumeTypesIn(req.data_center_id);
  if (std::find(offered.begin(), offered.end(), type) == offered.end()) {
    return VolumeTypeNotOfferedError(type, req.data_center_id);
  }
  NetworkVolume volume;
  volume.type = type;
  volume.id = NewId(kVolumeIdLength, &Account::VolumeIdTaken);
  volume.name = req.name;
  volume.size_gb = *req.size;
  volume.data_center_id = req.data_center_id;
  volumes_.push_back(volume);
  volume_index_[volume.id] = std::prev(volumes_.end());
  VolumeChanged(volume.id);
  return volume;
}

absl::StatusOr<NetworkVolume> Account::UpdateVolume(
    const UpdateVolumeRequest& req, const VolumeApiOptions& api) {
  auto it = volume_index_.find(req.id);
  if (it == volume_index_.end()) return VolumeNotFoundError(req.id);
  NetworkVolume& volume = *it->second;
  if (req.size.has_value()) {
    RETURN_IF_ERROR(CheckVolumeSize(*req.size, api.max_size_gb));
    if (*req.size < volume.size_gb) {
      return VolumeShrinkError(volume.size_gb, *req.size);
    }
  }
  // Validate everything before changing anything.
  volume.data_file_text.clear();
  VolumeChanged(volume.id);
  if (req.size.has_value()) volume.size_gb = *req.size;
  if (req.name.has_value()) volume.name = req.name;
  return volume;
}

absl::Status Account::DeleteVolume(const std::string& id) {
  auto it = volume_index_.find(id);
  if (it == volume_index_.end()) return VolumeNotFoundError(id);
  if (PodsUsingVolume(id) > 0) return VolumeInUseError();
  if (std::vector<std::string> endpoints = EndpointsUsingVolume(id);
      !endpoints.empty()) {
    return VolumeMountedByEndpointError(endpoints.front());
  }
  volumes_.erase(it->second);
  volume_index_.erase(it);
  volume_users_.erase(id);
  VolumeChanged(id);
  return absl::OkStatus();
}

// ------------------------------------------------------------------- pods

absl::StatusOr<Pod> Account::DeployPod(const DeployPodRequest& req) {
  // RunPod can start a pod from a template's image; the REST front-end
  // resolves a templateId before this, GraphQL's is not resolved, so
  // imageName is required (callers always send it).
  if (!req.image_name.has_value() || req.image_name->empty()) {
    return ImageNameRequiredError();
  }
  // CPU pods are not part of the emulated API: gpuTypeId is required.
  if (!req.gpu_type_id.has_value() || req.gpu_type_id->empty()) {
    return GpuTypeRequiredError();
  }
  const GpuTypeInfo* gpu = FindGpuType(*req.gpu_type_id);
  if (gpu == nullptr) return UnknownGpuTypeError(*req.gpu_type_id);
  int gpu_count = req.gpu_count.value_or(1);
  RETURN_IF_ERROR(CheckGpuCount(*gpu, gpu_count));
  RETURN_IF_ERROR(CheckDisk("volumeInGb", req.volume_in_gb));
  RETURN_IF_ERROR(CheckDisk("containerDiskInGb", req.container_disk_in_gb));
  if (req.ports.has_value()) RETURN_IF_ERROR(CheckPorts(*req.ports));

  // cloudType null means ALL, as in runpod-python's default.
  std::string cloud_type = req.cloud_type.value_or("ALL");
  // The data centers the pod may go to; empty: any.
  std::vector<std::string> candidates = req.data_center_ids;
  if (req.data_center_id.has_value() && !req.data_center_id->empty()) {
    candidates = {*req.data_center_id};
  }
  for (const std::string& dc : candidates) {
    if (FindDataCenter(dc) == nullptr) return UnknownDataCenterError(dc);
  }
  std::string data_center;
  // An empty networkVolumeId is treated as none (some clients send "").
  std::optional<std::string> volume_id;
  if (req.network_volume_id.has_value() && !req.network_volume_id->empty()) {
    volume_id = *req.network_volume_id;
    const NetworkVolume* volume = FindVolume(*volume_id);
    if (volume == nullptr) return VolumeNotFoundError(*volume_id);
    // A pod with a network volume is Secure Cloud, in the volume's data
    // center (filled in when omitted, refused when different).
    if (cloud_type == "COMMUNITY") return VolumeNeedsSecureCloudError();
    cloud_type = "SECURE";
    if (!candidates.empty() &&
        std::find(candidates.begin(), candidates.end(),
                  volume->data_center_id) == candidates.end()) {
      return DataCenterMismatchError(candidates.front(),
                                     volume->data_center_id);
    }
    data_center = volume->data_center_id;
  }
  if (cloud_type == "ALL") {
    // RunPod places an ALL pod wherever it is cheapest: Community Cloud when
    // the GPU type is offered there.
    cloud_type = gpu->community_cloud ? "COMMUNITY" : "SECURE";
  }
  // A type the asked-for cloud does not offer has no instances there.
  if ((cloud_type == "COMMUNITY" && !gpu->community_cloud) ||
      (cloud_type == "SECURE" && !gpu->secure_cloud)) {
    return NoInstancesAvailableError();
  }
  // RunPod's rule: a pod needs at least one hour of its cost in credit to
  // be created (runpod-api.md; REST v2 answers 402). A GPU type without a
  // published price costs nothing here (docs/SANDBOX.md).
  const double hourly =
      std::round(
          PodHourlyCost(gpu->id, gpu_count, cloud_type).value_or(0) * 1e6) /
      1e6;
  if (profile_.client_balance < hourly) {
    return InsufficientBalanceError(hourly, profile_.client_balance);
  }
  if (data_center.empty() && !candidates.empty()) {
    // The first listed data center with free GPUs (the last one when none
    // has: refused below).
    data_center = candidates.back();
    for (const std::string& dc : candidates) {
      if (FreeGpus(dc, std::string(gpu->id)) >= gpu_count) {
        data_center = dc;
        break;
      }
    }
  }
  if (data_center.empty()) {
    // No data center asked for: RunPod picks one with free GPUs. The sandbox
    // draws one at random (from the seeded generator) among those that fit.
    std::vector<std::string> fitting;
    for (const DataCenterInfo& dc : KnownDataCenters()) {
      std::string id(dc.id);
      if (FreeGpus(id, std::string(gpu->id)) >= gpu_count) {
        fitting.push_back(id);
      }
    }
    if (fitting.empty()) return NoInstancesAvailableError();
    data_center = fitting[random_.Below(fitting.size())];
  }
  std::string gpu_type_id(gpu->id);
  if (FreeGpus(data_center, gpu_type_id) < gpu_count) {
    return NoInstancesAvailableError();
  }

  Pod pod;
  pod.id = NewId(kPodIdLength, &Account::PodIdTaken);
  pod.name = req.name;
  pod.image_name = *req.image_name;
  pod.gpu_type_id = gpu_type_id;
  pod.gpu_count = gpu_count;
  pod.cloud_type = cloud_type;
  pod.data_center_id = data_center;
  pod.network_volume_id = volume_id;
  pod.volume_mount_path = req.volume_mount_path.value_or(kDefaultMountPath);
  pod.volume_in_gb = req.volume_in_gb.value_or(0);
  pod.container_disk_in_gb =
      req.container_disk_in_gb.value_or(kDefaultContainerDiskGb);
  pod.env = req.env.value_or(std::vector<EnvVar>{});
  pod.ports = req.ports;
  pod.docker_args = req.docker_args.value_or("");
  pod.template_id = req.template_id;
  pod.container_registry_auth_id = req.container_registry_auth_id;
  // Machines offer a fixed share per GPU (plausible figures: 8 vCPUs and
  // twice the GPU memory in RAM, 31..250 GB); min* raise them.
  pod.vcpu_count = std::max(req.min_vcpu_count.value_or(0), 8 * gpu_count);
  int ram_per_gpu = std::clamp(2 * gpu->memory_gb, 31, 250);
  pod.memory_in_gb =
      std::max(req.min_memory_in_gb.value_or(0), ram_per_gpu * gpu_count);
  pod.machine_id = random_.String(12, kIdAlphabet);
  pod.pod_host_id = absl::StrCat(pod.id, "-", random_.String(8, kHexAlphabet));
  pod.public_ip = absl::StrCat("213.173.", 96 + random_.Below(16), ".",
                               1 + random_.Below(254));
  pod.public_port_base = static_cast<int>(10000 + random_.Below(50000));
  pod.cmd = req.cmd;
  pod.entrypoint = req.entrypoint;
  pod.global_networking = req.global_networking;
  pod.serial = ++last_pod_serial_;
  pod.created_at = clock_();
  StartPod(pod, kRented);
  HoldGpus(pod, pod.gpu_count);
  if (volume_id.has_value()) ++volume_users_[*volume_id];
  pods_.push_back(pod);
  pod_index_[pod.id] = std::prev(pods_.end());
  PodChanged(pod.id);
  return pod;
}

absl::StatusOr<Pod> Account::EditPod(const EditPodRequest& req) {
  Pod* pod = MutablePod(req.pod_id);
  if (pod == nullptr) return PodNotFoundError();
  if (req.image_name.empty()) return ImageNameRequiredError();
  RETURN_IF_ERROR(CheckDisk("containerDiskInGb", req.container_disk_in_gb));
  RETURN_IF_ERROR(CheckDisk("volumeInGb", req.volume_in_gb));
  if (req.ports.has_value()) RETURN_IF_ERROR(CheckPorts(*req.ports));
  pod->image_name = req.image_name;
  pod->container_disk_in_gb = req.container_disk_in_gb;
  if (req.docker_args.has_value()) pod->docker_args = *req.docker_args;
  if (req.env.has_value()) pod->env = *req.env;
  if (req.ports.has_value()) pod->ports = req.ports;
  if (req.volume_in_gb.has_value()) pod->volume_in_gb = *req.volume_in_gb;
  if (req.volume_mount_path.has_value()) {
    pod->volume_mount_path = *req.volume_mount_path;
  }
  // A running pod restarts its container with the new settings. A stopped
  // pod keeps its status and takes the settings when resumed
  // (runpod-api.md is silent on editing a stopped pod).
  if (pod->desired_status == "RUNNING") StartPod(*pod, kEdited);
  return *pod;
}

absl::StatusOr<Pod> Account::StopPod(const std::string& pod_id) {
  Pod* pod = MutablePod(pod_id);
  if (pod == nullptr) return PodNotFoundError();
  // Stopping a stopped pod changes nothing (runpod-api.md is silent).
  if (pod->desired_status == "EXITED") return *pod;
  HoldGpus(*pod, -pod->gpu_count);
  pod->desired_status = "EXITED";
  pod->last_status_change = StatusChangeText(kExited, clock_());
  return *pod;
}

absl::StatusOr<Pod> Account::ResumePod(const std::string& pod_id,
                                       std::optional<int> gpu_count) {
  Pod* pod = MutablePod(pod_id);
  if (pod == nullptr) return PodNotFoundError();
  const GpuTypeInfo* gpu = FindGpuType(pod->gpu_type_id);
  if (gpu == nullptr) return UnknownGpuTypeError(pod->gpu_type_id);
  int count = gpu_count.value_or(pod->gpu_count);
  RETURN_IF_ERROR(CheckGpuCount(*gpu, count));
  // Resuming a running pod changes nothing (runpod-api.md is silent).
  if (pod->desired_status == "RUNNING") return *pod;
  // The pod is tied to its data center (its machine): it resumes there or
  // not at all.
  if (FreeGpus(pod->data_center_id, pod->gpu_type_id) < count) {
    return NotEnoughFreeGpusError();
  }
  // vCPUs and RAM scale with the GPUs resumed.
  auto scale = [&](int value) {
    int64_t scaled = int64_t{value} / std::max(1, pod->gpu_count) * count;
    return static_cast<int>(std::min<int64_t>(scaled, INT32_MAX));
  };
  pod->vcpu_count = scale(pod->vcpu_count);
  pod->memory_in_gb = scale(pod->memory_in_gb);
  pod->gpu_count = count;
  HoldGpus(*pod, count);
  StartPod(*pod, kResumed);
  return *pod;
}

absl::StatusOr<Pod> Account::UpdatePod(const UpdatePodRequest& req) {
  const Pod* current = FindPod(req.pod_id);
  if (current == nullptr) return PodNotFoundError();
  // Validate everything before changing anything.
  if (req.network_volume_id.has_value()) {
    if (!current->network_volume_id.has_value()) {
      return MountKindImmutableError("network");
    }
    if (*req.network_volume_id != *current->network_volume_id) {
      return MountVolumeImmutableError(*req.network_volume_id);
    }
  }
  if (req.persistent_size_gb.has_value() &&
      (current->network_volume_id.has_value() ||
       current->volume_in_gb <= 0)) {
    return MountKindImmutableError("persistent");
  }
  if (req.image_name.has_value() && req.image_name->empty()) {
    return ImageNameRequiredError();
  }
  RETURN_IF_ERROR(CheckDisk("disk", req.container_disk_in_gb));
  if (req.ports.has_value()) RETURN_IF_ERROR(CheckPorts(*req.ports));

  Pod* pod = MutablePod(req.pod_id);
  bool restart = req.image_name.has_value() || req.docker_args.has_value() ||
                 req.container_disk_in_gb.has_value() ||
                 req.ports.has_value() || req.env.has_value() ||
                 req.cmd.has_value() || req.entrypoint.has_value() ||
                 req.persistent_size_gb.has_value() ||
                 req.network_mount_path.has_value() ||
                 req.persistent_mount_path.has_value();
  if (req.name.has_value()) pod->name = req.name;
  if (req.image_name.has_value()) pod->image_name = *req.image_name;
  if (req.docker_args.has_value()) pod->docker_args = *req.docker_args;
  if (req.container_disk_in_gb.has_value()) {
    pod->container_disk_in_gb = *req.container_disk_in_gb;
  }
  if (req.ports.has_value()) pod->ports = req.ports;
  if (req.env.has_value()) pod->env = *req.env;
  if (req.cmd.has_value()) pod->cmd = req.cmd;
  if (req.entrypoint.has_value()) pod->entrypoint = req.entrypoint;
  if (req.locked.has_value()) pod->locked = *req.locked;
  if (req.global_networking.has_value()) {
    pod->global_networking = *req.global_networking;
  }
  if (req.network_mount_path.has_value()) {
    pod->volume_mount_path = *req.network_mount_path;
  }
  if (req.persistent_size_gb.has_value()) {
    pod->volume_in_gb = *req.persistent_size_gb;
  }
  if (req.persistent_mount_path.has_value()) {
    pod->volume_mount_path = *req.persistent_mount_path;
  }
  // A running pod restarts its container on its machine with the new
  // settings, as podEditJob does.
  if (restart && pod->desired_status == "RUNNING") {
    StartPod(*pod, kEdited, /*provision=*/false);
  }
  return *pod;
}

absl::StatusOr<std::optional<Pod>> Account::ApplyPodAction(
    const std::string& pod_id, PodAction action) {
  const Pod* current = FindPod(pod_id);
  if (current == nullptr) return PodNotFoundError();
  static constexpr const char* kNames[] = {"start", "stop", "restart",
                                           "terminate"};
  const std::string name = kNames[static_cast<int>(action)];
  const std::string status = PodStatus(*current, clock_());
  std::vector<std::string> allowed = PodActions(status);
  if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
    return PodActionNotAllowedError(name, status);
  }
  if (current->locked &&
      (action == PodAction::kStop || action == PodAction::kRestart)) {
    return PodLockedError(name);
  }
  switch (action) {
    case PodAction::kTerminate:
      RETURN_IF_ERROR(TerminatePod(pod_id));
      return std::optional<Pod>();
    case PodAction::kStop: {
      ASSIGN_OR_RETURN(Pod pod, StopPod(pod_id));
      return std::optional<Pod>(std::move(pod));
    }
    case PodAction::kRestart: {
      Pod* pod = MutablePod(pod_id);
      StartPod(*pod, kEdited, /*provision=*/false);
      return std::optional<Pod>(*pod);
    }
    case PodAction::kStart:
      if (current->desired_status == "RUNNING") {
        // ERROR: provisioning again, on the GPUs it holds.
        Pod* pod = MutablePod(pod_id);
        StartPod(*pod, kResumed);
        return std::optional<Pod>(*pod);
      }
      ASSIGN_OR_RETURN(Pod pod, ResumePod(pod_id, std::nullopt));
      return std::optional<Pod>(std::move(pod));
  }
  return absl::InternalError("unknown pod action");
}

absl::Status Account::TerminatePod(const std::string& pod_id) {
  auto it = pod_index_.find(pod_id);
  if (it == pod_index_.end()) return PodNotFoundToTerminateError();
  Hold(*it->second, -1);
  pods_.erase(it->second);
  pod_index_.erase(it);
  PodChanged(pod_id);
  return absl::OkStatus();
}

// ------------------------------------------------------------------ reads

const NetworkVolume* Account::FindVolume(const std::string& id) const {
  auto it = volume_index_.find(id);
  return it == volume_index_.end() ? nullptr : &*it->second;
}

const Pod* Account::FindPod(const std::string& id) const {
  auto it = pod_index_.find(id);
  return it == pod_index_.end() ? nullptr : &*it->second;
}

Pod* Account::MutablePod(const std::string& id) {
  auto it = pod_index_.find(id);
  if (it == pod_index_.end()) return nullptr;
  // The caller may change the pod: its data-file text is stale.
  it->second->data_file_text.clear();
  PodChanged(id);
  return &*it->second;
}

int Account::PodsUsingVolume(const std::string& id) const {
  auto it = volume_users_.find(id);
  return it == volume_users_.end() ? 0 : it->second;
}

// --------------------------------------------------------------- capacity

int Account::Capacity(const std::string& data_center_id,
                      const std::string& gpu_type_id) const {
  auto it = capacity_.find({data_center_id, gpu_type_id});
  return it == capacity_.end() ? default_capacity_ : it->second;
}

int Account::GpusInUse(const std::string& data_center_id,
                       const std::string& gpu_type_id) const {
  auto it = in_use_.find({data_center_id, gpu_type_id});
  return it == in_use_.end() ? 0 : it->second;
}

void Account::SetCapacity(const std::string& data_center_id,
                          const std::string& gpu_type_id, int total) {
  capacity_[{data_center_id, gpu_type_id}] = total;
}

int Account::FreeGpus(const std::string& data_center_id,
                      const std::string& gpu_type_id) const {
  return Capacity(data_center_id, gpu_type_id) -
         GpusInUse(data_center_id, gpu_type_id);
}

void Account::HoldGpus(const Pod& pod, int delta) {
  int& used = in_use_[{pod.data_center_id, pod.gpu_type_id}];
  used += delta;
  if (used == 0) in_use_.erase({pod.data_center_id, pod.gpu_type_id});
}

void Account::StartPod(Pod& pod, const std::string& reason, bool provision) {
  absl::Time now = clock_();
  pod.desired_status = "RUNNING";
  pod.started_at = now;
  pod.last_status_change = StatusChangeText(reason, now);
  if (provision_delay_ <= absl::ZeroDuration()) {
    pod.provisioned_at = pod.ready_at = absl::InfinitePast();
  } else {
    pod.provisioned_at = provision ? now + provision_delay_ / 2 : now;
    pod.ready_at = now + provision_delay_;
  }
  pod.start_fails =
      provision_fail_rate_ > 0 && random_.Chance(provision_fail_rate_);
}

// -------------------------------------------------------------------- ids

std::string Account::NewId(size_t length,
                           bool (Account::*taken)(const std::string&) const) {
  while (true) {
    std::string id = random_.String(length, kIdAlphabet);
    if (!(this->*taken)(id)) return id;
  }
}

bool Account::VolumeIdTaken(const std::string& id) const {
  return volume_index_.count(id) > 0;
}

bool Account::PodIdTaken(const std::string& id) const {
  return pod_index_.count(id) > 0;
}

// -------------------------------------------------------------- restoring

absl::Status Account::RestoreVolume(NetworkVolume volume) {
  if (VolumeIdTaken(volume.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("network volume id ", volume.id, " appears twice"));
  }
  volumes_.push_back(std::move(volume));
  volume_index_[volumes_.back().id] = std::prev(volumes_.end());
  return absl::OkStatus();
}

absl::Status Account::RestorePod(Pod pod) {
  if (PodIdTaken(pod.id)) {
    return absl::InvalidArgumentError(
        absl::StrCat("pod id ", pod.id, " appears twice"));
  }
  Hold(pod, +1);
  pod.serial = ++last_pod_serial_;
  pods_.push_back(std::move(pod));
  pod_index_[pods_.back().id] = std::prev(pods_.end());
  return absl::OkStatus();
}

void Account::Hold(const Pod& pod, int sign) {
  if (pod.desired_status == "RUNNING") HoldGpus(pod, sign * pod.gpu_count);
  if (!pod.network_volume_id.has_value()) return;
  auto users = volume_users_.find(*pod.network_volume_id);
  if (sign > 0) {
    ++volume_users_[*pod.network_volume_id];
  } else if (users != volume_users_.end() && --users->second <= 0) {
    volume_users_.erase(users);
  }
}

// ---------------------------------------------------------------- changes

void Account::VolumeChanged(const std::string& id) {
  if (changed_volume_ids_.insert(id).second) changed_.volumes.push_back(id);
}

void Account::PodChanged(const std::string& id) {
  if (changed_pod_ids_.insert(id).second) changed_.pods.push_back(id);
}

Account::Changed Account::TakeChanged() {
  changed_volume_ids_.clear();
  changed_pod_ids_.clear();
  changed_template_ids_.clear();
  changed_endpoint_ids_.clear();
  return std::exchange(changed_, Changed());
}

void Account::ReplayVolume(const std::string& id,
                           std::optional<NetworkVolume> value) {
  auto it = volume_index_.find(id);
  if (it == volume_index_.end()) {
    if (!value.has_value()) return;
    volumes_.push_back(*std::move(value));
    volume_index_[id] = std::prev(volumes_.end());
  } else if (value.has_value()) {
    *it->second = *std::move(value);
  } else {
    volumes_.erase(it->second);
    volume_index_.erase(it);
  }
}

void Account::ReplayPod(const std::string& id, std::optional<Pod> value) {
  auto it = pod_index_.find(id);
  if (it == pod_index_.end()) {
    if (!value.has_value()) return;
    Hold(*value, +1);
    value->serial = ++last_pod_serial_;
    pods_.push_back(*std::move(value));
    pod_index_[id] = std::prev(pods_.end());
    return;
  }
  Hold(*it->second, -1);
  if (value.has_value()) {
    Hold(*value, +1);
    value->serial = it->second->serial;
    *it->second = *std::move(value);
  } else {
    pods_.erase(it->second);
    pod_index_.erase(it);
  }
}

}  // namespace podform::sandbox
