#ifndef PODFORM_RECONCILER_SANDBOX_ACCOUNT_H_
#define PODFORM_RECONCILER_SANDBOX_ACCOUNT_H_

// The state of one emulated RunPod account and RunPod's rules for changing
// it: network volumes, pods and the GPU capacity they draw from. Pure C++
// (no GraphQL, no I/O): resolvers.cc maps GraphQL requests onto these
// methods and account_json.cc persists the state.
//
// Every refusal is an absl::Status carrying RunPod's message; messages.h
// lists them all and maps their codes to GraphQL `extensions.code`.
// Not thread-safe: the owner (SandboxStore) serializes access.

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reconciler/sandbox/random.h"
#include "reconciler/sandbox/serverless.h"

namespace podform::sandbox {

using Clock = std::function<absl::Time()>;

inline constexpr int64_t kMinVolumeSizeGb = 10;
// GraphQL's limit without contacting support; REST v2 allows up to 4096.
inline constexpr int64_t kMaxVolumeSizeGb = 4000;
inline constexpr int64_t kMaxRestVolumeSizeGb = 4096;
// Network volume storage tiers (REST v2 `type`).
inline constexpr char kVolumeStandard[] = "STANDARD";
inline constexpr char kVolumeHighPerformance[] = "HIGH_PERFORMANCE";
// GPUs per (data center, GPU type) when the data file sets no capacity.
inline constexpr int kDefaultCapacity = 1000;
inline constexpr char kDefaultMountPath[] = "/workspace";
inline constexpr int kDefaultContainerDiskGb = 20;

struct EnvVar {
  std::string key;
  std::string value;
  bool operator==(const EnvVar&) const = default;
};

struct NetworkVolume {
  std::string id;                   // 10 lowercase alphanumerics
  std::optional<std::string> name;  // not unique; null when never given
  int64_t size_gb = 0;
  std::string data_center_id;
  std::string type = kVolumeStandard;  // STANDARD | HIGH_PERFORMANCE

  // This volume's line in the data file, or "" when it must be rendered
  // again (account_json.cc). Account clears it on every change, so writing
  // the data file after a mutation re-renders only what changed.
  mutable std::string data_file_text;
};

struct Pod {
  std::string id;  // 14 lowercase alphanumerics
  std::optional<std::string> name;
  std::string image_name;
  std::string gpu_type_id;
  int gpu_count = 1;
  std::string cloud_type;  // SECURE | COMMUNITY (ALL is resolved at deploy)
  std::string data_center_id;
  std::optional<std::string> network_volume_id;
  std::string volume_mount_path = kDefaultMountPath;
  int64_t volume_in_gb = 0;
  int64_t container_disk_in_gb = kDefaultContainerDiskGb;
  std::vector<EnvVar> env;
  std::optional<std::string> ports;  // as given, e.g. "8888/http,22/tcp"
  std::string docker_args;
  std::optional<std::string> template_id;
  std::optional<std::string> container_registry_auth_id;
  std::string desired_status = "RUNNING";  // RUNNING | EXITED
  int vcpu_count = 0;
  int memory_in_gb = 0;
  std::string machine_id;   // 12 lowercase alphanumerics
  std::string pod_host_id;  // "<pod id>-<8 hex>"
  std::string public_ip;    // where tcp ports are published
  int public_port_base = 0;  // tcp port i is published at base + i
  absl::Time created_at;
  absl::Time started_at;  // last start (creation, resume or edit restart)
  std::string last_status_change;  // "Rented by User: Fri Feb 09 2024 ..."
  // Provisioning after each start (creation, start, restart, edit): the pod
  // is PROVISIONING until `provisioned_at`, STARTING until `ready_at`, then
  // RUNNING, or ERROR when `start_fails` (PodStatus). InfinitePast: a pod
  // that was running at once.
  absl::Time provisioned_at = absl::InfinitePast();
  absl::Time ready_at = absl::InfinitePast();
  bool start_fails = false;
  bool locked = false;             // REST v2: refuses stop and restart
  bool global_networking = false;  // REST v2 globalNetworking.enabled
  std::optional<std::vector<std::string>> cmd;         // REST v2, exec form
  std::optional<std::vector<std::string>> entrypoint;  // REST v2, exec form
  // Creation order within the account (not persisted: the data file keeps
  // pods in creation order); REST v2 cursors name it.
  uint64_t serial = 0;

  // As NetworkVolume::data_file_text.
  mutable std::string data_file_text;
};

struct CreateVolumeRequest {
  std::optional<std::string> name;
  std::optional<int64_t> size;
  std::string data_center_id;
};

struct UpdateVolumeRequest {
  std::string id;
  std::optional<std::string> name;
  std::optional<int64_t> size;
};

// Where the APIs differ on volumes: REST v2 allows up to 4096 GB (GraphQL
// 4000) and chooses a storage tier.
struct VolumeApiOptions {
  // nullopt: the data center's primary tier (STANDARD).
  std::optional<std::string> type;
  int64_t max_size_gb = kMaxVolumeSizeGb;
};

// podFindAndDeployOnDemand's input; absent and null fields are nullopt.
struct DeployPodRequest {
  std::optional<std::string> name;
  std::optional<std::string> image_name;
  std::optional<std::string> gpu_type_id;
  std::optional<int> gpu_count;
  std::optional<std::string> cloud_type;  // SECURE | COMMUNITY | ALL
  std::optional<std::string> data_center_id;
  // REST v2 dataCenterIds: the first of these with free GPUs (or, with a
  // network volume, the volume's, which must be listed). Used when
  // data_center_id is nullopt.
  std::vector<std::string> data_center_ids;
  std::optional<std::string> network_volume_id;
  std::optional<std::string> volume_mount_path;
  std::optional<int64_t> volume_in_gb;
  std::optional<int64_t> container_disk_in_gb;
  std::optional<std::vector<EnvVar>> env;
  std::optional<std::string> ports;
  std::optional<std::string> docker_args;
  std::optional<int> min_vcpu_count;
  std::optional<int> min_memory_in_gb;
  std::optional<std::string> template_id;
  std::optional<std::string> container_registry_auth_id;
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::vector<std::string>> entrypoint;
  bool global_networking = false;
};

// REST v2 PATCH /v2/pods/{id}: nullopt leaves a field as it is.
struct UpdatePodRequest {
  std::string pod_id;
  std::optional<std::string> name;
  std::optional<std::string> image_name;
  std::optional<std::string> docker_args;
  std::optional<int64_t> container_disk_in_gb;
  std::optional<std::string> ports;
  std::optional<std::vector<EnvVar>> env;  // replaces the whole list
  std::optional<std::vector<std::string>> cmd;
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<bool> locked;
  std::optional<bool> global_networking;
  // mounts.network[0]: its volume must be the pod's (immutable); the path
  // may change.
  std::optional<std::string> network_volume_id;
  std::optional<std::string> network_mount_path;
  // mounts.persistent: only on a pod created with one.
  std::optional<int64_t> persistent_size_gb;
  std::optional<std::string> persistent_mount_path;
};

// REST v2 pod actions.
enum class PodAction { kStart, kStop, kRestart, kTerminate };

// REST v2 PodStatus of `pod` at `now`: EXITED when stopped; else
// PROVISIONING, STARTING, then RUNNING (or ERROR) as provisioning goes.
std::string PodStatus(const Pod& pod, absl::Time now);
// The actions `status` allows, in RunPod's order (start, stop, restart,
// terminate).
std::vector<std::string> PodActions(const std::string& status);

// ports: comma-separated "PORT/PROTOCOL" entries (blanks around entries
// tolerated), PORT in 1..65535, PROTOCOL http, tcp or udp; "" is no ports.
// InvalidArgument (InvalidPortsError) otherwise.
absl::Status CheckPorts(const std::string& ports);

// The network volume tiers data center `id` offers (STANDARD everywhere,
// HIGH_PERFORMANCE in some); empty for an unknown data center.
std::vector<std::string> VolumeTypesIn(const std::string& data_center_id);

// podEditJob's input; optional fields left nullopt keep their value.
struct EditPodRequest {
  std::string pod_id;
  std::string image_name;
  int64_t container_disk_in_gb = 0;
  std::optional<std::string> docker_args;
  std::optional<std::vector<EnvVar>> env;
  std::optional<std::string> ports;
  std::optional<int64_t> volume_in_gb;
  std::optional<std::string> volume_mount_path;
};

// The account holder, as `myself` reports it.
struct Profile {
  std::string id;     // "user_" + 27 alphanumerics
  std::string email;  // "sandbox@podform.invalid"
  std::optional<std::string> pub_key;
  double client_balance = 100.0;
  int spend_limit = 80;
};

class Account {
 public:
  // A fresh, empty account whose ids and choices are drawn from `seed`.
  Account(uint64_t seed, Clock clock);
  // Movable (ids keep pointing at the moved elements), not copyable.
  Account(Account&&) = default;
  Account& operator=(Account&&) = default;
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  // --- Network volumes (runpod-api.md "Network volumes") ---
  absl::StatusOr<NetworkVolume> CreateVolume(const CreateVolumeRequest& req,
                                             const VolumeApiOptions& api = {});
  absl::StatusOr<NetworkVolume> UpdateVolume(const UpdateVolumeRequest& req,
                                             const VolumeApiOptions& api = {});
  absl::Status DeleteVolume(const std::string& id);

  // --- Pods (runpod-api.md "Pods") ---
  absl::StatusOr<Pod> DeployPod(const DeployPodRequest& req);
  absl::StatusOr<Pod> EditPod(const EditPodRequest& req);
  absl::StatusOr<Pod> StopPod(const std::string& pod_id);
  absl::StatusOr<Pod> ResumePod(const std::string& pod_id,
                                std::optional<int> gpu_count);
  absl::Status TerminatePod(const std::string& pod_id);
  // REST v2 PATCH: NotFound; InvalidArgument for a mount kind the pod was
  // not created with, another volumeId, or bad ports/disk. A running pod
  // restarts when its container settings change.
  absl::StatusOr<Pod> UpdatePod(const UpdatePodRequest& req);
  // REST v2 POST /action: NotFound; Aborted (HTTP 409) when the pod's status
  // does not allow the action or the pod is locked (stop, restart);
  // ResourceExhausted when a start finds no free GPUs. Terminate returns
  // nullopt (the pod is gone).
  absl::StatusOr<std::optional<Pod>> ApplyPodAction(const std::string& pod_id,
                                                    PodAction action);

  // Provisioning of every later start: PROVISIONING for the first half of
  // `delay`, STARTING for the second, then ERROR with probability
  // `fail_rate` (drawn from random() only when above 0), else RUNNING.
  void set_provisioning(absl::Duration delay, double fail_rate) {
    provision_delay_ = delay;
    provision_fail_rate_ = fail_rate;
  }

  // --- Reads ---
  // nullptr when unknown. Valid until the next mutation.
  const NetworkVolume* FindVolume(const std::string& id) const;
  const Pod* FindPod(const std::string& id) const;
  // In creation order.
  const std::list<NetworkVolume>& volumes() const { return volumes_; }
  const std::list<Pod>& pods() const { return pods_; }
  const Profile& profile() const { return profile_; }
  Profile& mutable_profile() { return profile_; }
  absl::Time Now() const { return clock_(); }

  // --- GPU capacity per (data center, GPU type) ---
  // Total GPUs (in use or free) of `gpu_type_id` in `data_center_id`.
  int Capacity(const std::string& data_center_id,
               const std::string& gpu_type_id) const;
  // GPUs held by RUNNING pods.
  int GpusInUse(const std::string& data_center_id,
                const std::string& gpu_type_id) const;
  void SetCapacity(const std::string& data_center_id,
                   const std::string& gpu_type_id, int total);
  void set_default_capacity(int total) { default_capacity_ = total; }
  int default_capacity() const { return default_capacity_; }
  // Explicitly set capacities, keyed by (data center, GPU type).
  const std::map<std::pair<std::string, std::string>, int>& capacities()
      const {
    return capacity_;
  }

  // Pods (in any status) that mount the volume `id`.
  int PodsUsingVolume(const std::string& id) const;

  // --- Templates and serverless endpoints (serverless.h; REST v2) ---
  // CreateTemplate: InvalidArgument for bad ports. UpdateTemplate changes
  // only what `req` sets: NotFound; InvalidArgument as create.
  // DeleteTemplate: NotFound; FailedPrecondition (HTTP 400) while bound to
  // an endpoint.
  absl::StatusOr<Template> CreateTemplate(const TemplateRequest& req);
  absl::StatusOr<Template> UpdateTemplate(const std::string& id,
                                          const TemplateRequest& req);
  absl::Status DeleteTemplate(const std::string& id);
  // CreateEndpoint creates the endpoint and its bound template.
  // NotFound: an unknown `templateId` or network volume. InvalidArgument:
  // neither or both of gpu and cpu (or cpu: the sandbox offers none), an
  // unknown GPU pool or data center, an excluded type outside the pools,
  // allowedCudaVersions with minCudaVersion, workers.min > workers.max,
  // QUEUE_DELAY scaling on a LOAD_BALANCER endpoint, idleTimeout with
  // REQUEST_COUNT scaling on a QUEUE endpoint, two network volumes in one
  // data center, dataCenterIds other than the volumes' data centers.
  // InvalidArgument also for a `templateId` that is not serverless (the
  // REST front-end answers that 422 first, as RunPod's schema does).
  // UpdateEndpoint: the same rules on the endpoint as it would become;
  // NotFound for an unknown endpoint; `gpu` and `cpu` as create's except
  // that a body may set neither. DeleteEndpoint removes the endpoint and
  // its bound template: NotFound.
  absl::StatusOr<Endpoint> CreateEndpoint(const EndpointRequest& req);
  absl::StatusOr<Endpoint> UpdateEndpoint(const std::string& id,
                                          const EndpointRequest& req);
  absl::Status DeleteEndpoint(const std::string& id);
  // nullptr when unknown. Valid until the next mutation.
  const Template* FindTemplate(const std::string& id) const;
  const Endpoint* FindEndpoint(const std::string& id) const;
  // In creation order.
  const std::list<Template>& templates() const { return templates_; }
  const std::list<Endpoint>& endpoints() const { return endpoints_; }
  // Ids of the endpoints that mount the volume `id`, in creation order.
  std::vector<std::string> EndpointsUsingVolume(const std::string& id) const;

  Random& random() { return random_; }
  const Random& random() const { return random_; }

  // Restoring a persisted account (account_json.cc). The caller guarantees
  // unique ids; bookkeeping (GPUs in use, volume users) is derived here.
  // InvalidArgument if an id repeats.
  absl::Status RestoreVolume(NetworkVolume volume);
  absl::Status RestorePod(Pod pod);
  // Templates before the endpoints bound to them. InvalidArgument if an id
  // repeats.
  absl::Status RestoreTemplate(Template value);
  absl::Status RestoreEndpoint(Endpoint value);

  // --- Changes, for the data file's journal (account_json.h) ---
  // Ids of the volumes and pods that mutations created, changed or deleted
  // since the last TakeChanged(), each once, in the order of first change.
  struct Changed {
    std::vector<std::string> volumes;
    std::vector<std::string> pods;
    std::vector<std::string> templates;
    std::vector<std::string> endpoints;
    bool empty() const {
      return volumes.empty() && pods.empty() && templates.empty() &&
             endpoints.empty();
    }
  };
  Changed TakeChanged();
  // The number of the last journal line this account holds (0: none).
  uint64_t journal_sequence() const { return journal_sequence_; }
  void set_journal_sequence(uint64_t n) { journal_sequence_ = n; }
  // Replaying a journal: makes volume (pod) `id` be `value`, in its place
  // if it exists (appended if not), or removes it when `value` is empty.
  // Bookkeeping follows, as in Restore*. Not counted as changes.
  void ReplayVolume(const std::string& id, std::optional<NetworkVolume> value);
  void ReplayPod(const std::string& id, std::optional<Pod> value);
  void ReplayTemplate(const std::string& id, std::optional<Template> value);
  void ReplayEndpoint(const std::string& id, std::optional<Endpoint> value);

 private:
  using Key = std::pair<std::string, std::string>;

  std::string NewId(size_t length, bool (Account::*taken)(const std::string&)
                                       const);
  bool VolumeIdTaken(const std::string& id) const;
  bool PodIdTaken(const std::string& id) const;
  Pod* MutablePod(const std::string& id);
  void HoldGpus(const Pod& pod, int delta);
  int FreeGpus(const std::string& data_center_id,
               const std::string& gpu_type_id) const;
  // `provision`: the pod goes through PROVISIONING (a new placement), not
  // only STARTING (a restart on its machine).
  void StartPod(Pod& pod, const std::string& reason, bool provision = true);
  void VolumeChanged(const std::string& id);
  void PodChanged(const std::string& id);
  void TemplateChanged(const std::string& id);
  void EndpointChanged(const std::string& id);
  bool TemplateIdTaken(const std::string& id) const;
  bool EndpointIdTaken(const std::string& id) const;
  Template* MutableTemplate(const std::string& id);
  Endpoint* MutableEndpoint(const std::string& id);
  // The endpoint rules (CreateEndpoint) on `endpoint` as it would be.
  absl::Status CheckEndpoint(Endpoint& endpoint) const;
  // Adds (+1) or removes (-1) what `pod` holds: GPUs while it runs, a user
  // of its volume.
  void Hold(const Pod& pod, int sign);

  Clock clock_;
  Random random_;
  Profile profile_;
  std::list<NetworkVolume> volumes_;
  std::unordered_map<std::string, std::list<NetworkVolume>::iterator>
      volume_index_;
  std::list<Pod> pods_;
  std::unordered_map<std::string, std::list<Pod>::iterator> pod_index_;
  std::unordered_map<std::string, int> volume_users_;
  int default_capacity_ = kDefaultCapacity;
  absl::Duration provision_delay_ = absl::ZeroDuration();
  double provision_fail_rate_ = 0;
  uint64_t last_pod_serial_ = 0;
  std::map<Key, int> capacity_;
  std::map<Key, int> in_use_;
  Changed changed_;
  uint64_t journal_sequence_ = 0;
  std::unordered_set<std::string> changed_volume_ids_, changed_pod_ids_;
  std::list<Template> templates_;
  std::unordered_map<std::string, std::list<Template>::iterator>
      template_index_;
  std::list<Endpoint> endpoints_;
  std::unordered_map<std::string, std::list<Endpoint>::iterator>
      endpoint_index_;
  uint64_t last_serverless_serial_ = 0;
  std::unordered_set<std::string> changed_template_ids_,
      changed_endpoint_ids_;
};

// "Rented by User: Fri Feb 09 2024 14:01:47 GMT+0000 (Coordinated Universal
// Time)": RunPod's lastStatusChange format, with `reason` before the colon.
std::string StatusChangeText(const std::string& reason, absl::Time at);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_ACCOUNT_H_
