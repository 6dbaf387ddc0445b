#ifndef PODFORM_RECONCILER_CORE_MODEL_H_
#define PODFORM_RECONCILER_CORE_MODEL_H_

// The vocabulary shared by config, state, plan, apply and the providers:
// resource addresses, the attributes podform manages on a volume, a pod or a
// serverless endpoint, and what RunPod reports live.

#include <compare>
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"

namespace podform {

enum class Kind { kVolume, kPod, kEndpoint };

// "volume", "pod" or "endpoint".
const char* KindName(Kind kind);

// The stable name of a managed resource: "volume.models", "pod.trainer".
struct Address {
  Kind kind = Kind::kVolume;
  std::string name;  // the key in podform.yaml

  std::string ToString() const;
  // Parses "volume.NAME" / "pod.NAME" / "endpoint.NAME". InvalidArgument
  // otherwise.
  static absl::StatusOr<Address> Parse(std::string_view text);

  // Volumes sort before pods, pods before endpoints, then by name.
  auto operator<=>(const Address&) const = default;
};

// What podform manages on a RunPod network volume.
struct VolumeSpec {
  std::string name;         // RunPod name (not unique on RunPod)
  int64_t size_gb = 0;      // 10..4000, grow only
  std::string data_center;  // e.g. "EU-RO-1"; fixed at creation
  // Storage tier, STANDARD or HIGH_PERFORMANCE; fixed at creation. Empty:
  // not declared (RunPod uses the data center's default tier) or, live,
  // not reported (GraphQL).
  std::string type = {};  // "= {}": brace-initialized specs may omit it

  bool operator==(const VolumeSpec&) const = default;
};

// "STANDARD" or "HIGH_PERFORMANCE": a network volume's storage tier.
bool IsVolumeType(std::string_view type);

// What podform manages on a RunPod pod.
struct PodSpec {
  std::string name;
  std::string image;     // imageName
  std::string gpu_type;  // gpuTypeId, e.g. "NVIDIA A100 80GB PCIe"
  int gpu_count = 1;
  std::string cloud_type = "SECURE";  // SECURE | COMMUNITY
  std::string data_center;            // empty: any (only without a volume)
  std::string network_volume_id;      // RunPod volume id; empty: none
  std::string mount_path = "/workspace";
  int container_disk_gb = 20;
  std::vector<std::string> ports;  // "8888/http", in config order
  // Plain environment values. A desired spec has no secret key here (those
  // values are in SecretValues); what the applier sends to RunPod adds them.
  std::map<std::string, std::string> env;
  std::string docker_args;
  bool running = true;  // desired status: RUNNING (true) or EXITED (false)

  bool operator==(const PodSpec&) const = default;
};

// RunPod's names for an endpoint's type, scaler and FlashBoot mode (REST v2
// /v2/serverless, runpod-rest-v2.md §Endpoint).
inline constexpr char kEndpointTypeQueue[] = "QUEUE";
inline constexpr char kEndpointTypeLoadBalancer[] = "LOAD_BALANCER";
inline constexpr char kScalerQueueDelay[] = "QUEUE_DELAY";
inline constexpr char kScalerRequestCount[] = "REQUEST_COUNT";
inline constexpr char kFlashbootOn[] = "FLASHBOOT";
inline constexpr char kFlashbootOff[] = "OFF";

// What podform manages on a RunPod serverless endpoint, in RunPod REST v2's
// terms and units (the config's are translated by config/endpoint_reader.cc).
struct EndpointSpec {
  std::string name;
  std::string image;                      // of its bound template
  std::string type = kEndpointTypeQueue;  // QUEUE | LOAD_BALANCER; fixed
  std::vector<std::string> gpu_pools;     // serverless pool ids, e.g. ADA_24
  int gpu_count = 1;                      // GPUs per worker
  int workers_min = 0;
  int workers_max = 3;
  // Seconds before an idle worker scales down; 0 where RunPod has none (a
  // queue endpoint that scales on REQUEST_COUNT).
  int idle_timeout = 10;
  // QUEUE_DELAY (value: seconds a request may wait, at least 0.5) or
  // REQUEST_COUNT (value: in-flight requests per worker, an integer >= 1).
  std::string scaler_type = kScalerQueueDelay;
  double scaler_value = 4;
  // RunPod ids of the mounted network volumes (networkVolumes), in the
  // config's order; in a desired spec empty (the config knows no ids).
  std::vector<std::string> network_volume_ids;
  // dataCenterIds: the mounted volumes' data centers, or those declared.
  std::vector<std::string> data_centers;
  int64_t timeout_ms = 300000;            // per-request execution timeout
  std::string flashboot = kFlashbootOff;  // OFF | FLASHBOOT (live: also
                                          // PRIORITY_FLASHBOOT)
  // As PodSpec::env (no secret key in a desired spec).
  std::map<std::string, std::string> env;

  bool operator==(const EndpointSpec&) const = default;
};

// A network volume as RunPod reports it.
struct LiveVolume {
  std::string id;
  VolumeSpec spec;
  bool operator==(const LiveVolume&) const = default;
};

// What RunPod says a pod is meant to be (GraphQL's desiredStatus; REST v2's
// status folded into it, see client/rest_wire.h). RunPod's wire words are
// in the comments.
enum class PodStatus {
  kUnset,       // "": not reported (an empty desiredStatus, a hand-built pod)
  kRunning,     // RUNNING
  kExited,      // EXITED
  kTerminated,  // TERMINATED
  kCreated,     // CREATED (GraphQL)
  kRestarting,  // RESTARTING (GraphQL)
  kPaused,      // PAUSED (GraphQL)
  kDead,        // DEAD (GraphQL)
  kUnknown,     // a word podform does not know; LivePod keeps it
};

// The status RunPod's `word` names: kUnset for "", kUnknown for a word not
// listed above (case matters: RunPod's words are upper case).
PodStatus ParsePodStatus(std::string_view word);

// RunPod's word for `status`; "" for kUnset and kUnknown (a LivePod keeps
// an unknown word: LivePod::StatusWord).
std::string_view PodStatusWord(PodStatus status);

// What a status means for the pod: RunPod's rule, written once.
//   kRunning: RUNNING, CREATED, RESTARTING. The pod holds its GPUs and is
//             billed for them; the planner sees a running pod.
//   kGone:    TERMINATED. The pod no longer exists: the planner treats it as
//             absent, it is never adopted, imported or listed as unmanaged,
//             and a pod being waited for that turns TERMINATED has
//             disappeared.
//   kStopped: every other status (EXITED, PAUSED, DEAD, a word podform does
//             not know, and kUnset): it exists and is not running.
enum class PodCondition { kRunning, kStopped, kGone };
PodCondition ConditionOf(PodStatus status);

// Where a pod is on its way to its status, as REST v2 reports it (the pod's
// `status`); kUnknown when the API does not say (GraphQL).
enum class PodPhase {
  kUnknown,       // ""
  kProvisioning,  // PROVISIONING
  kStarting,      // STARTING
  kRunning,       // RUNNING
  kExited,        // EXITED
  kError,         // ERROR
  kTerminated,    // TERMINATED
};

// The phase REST v2's `word` names ("" is kUnknown); nullopt for any other
// word. ParsePodPhase(PodPhaseWord(p)) == p.
std::optional<PodPhase> ParsePodPhase(std::string_view word);

// REST v2's word for `phase`, as above; "" for kUnknown.
std::string_view PodPhaseWord(PodPhase phase);

// A pod as RunPod reports it. Over GraphQL RunPod's pod object does not
// report the data center or cloud type; those fields of `spec` are then
// empty and the planner takes them from the lock file.
struct LivePod {
  std::string id;
  PodSpec spec;
  // What the pod is meant to be: RUNNING, EXITED or TERMINATED (GraphQL also
  // CREATED, RESTARTING, PAUSED, DEAD). Set from the wire with SetStatus.
  PodStatus status = PodStatus::kUnset;
  double cost_per_hr = 0;
  // Where it is on its way there, when the API says (REST v2).
  PodPhase phase = PodPhase::kUnknown;
  // RunPod's word when status is kUnknown; "" otherwise.
  std::string unknown_status;

  // Sets status from RunPod's word, keeping a word podform does not know in
  // unknown_status (and clearing it otherwise).
  void SetStatus(std::string_view word);
  // RunPod's word for status: PodStatusWord, or unknown_status when kUnknown.
  // SetStatus(w) then StatusWord() gives w back.
  std::string StatusWord() const;
  // ConditionOf(status); a pod whose status is kUnset is running as its spec
  // says (spec.running) and never gone.
  PodCondition Condition() const;
  bool Running() const { return Condition() == PodCondition::kRunning; }
  bool Gone() const { return Condition() == PodCondition::kGone; }

  bool operator==(const LivePod&) const = default;
};

// A serverless endpoint as RunPod reports it (REST v2 only: over GraphQL
// podform reads no endpoints).
struct LiveEndpoint {
  std::string id;
  // network_volume_ids and data_centers in RunPod's order. RunPod deletes
  // the endpoint's bound template with it.
  EndpointSpec spec;
  bool operator==(const LiveEndpoint&) const = default;
};

// Everything in the account, read in one request.
struct LiveState {
  // The account's id as RunPod reports it; "" when the API does not say.
  std::string account_id;
  std::vector<LiveVolume> volumes;
  std::vector<LivePod> pods;
  std::vector<LiveEndpoint> endpoints;

  const LiveVolume* FindVolume(std::string_view id) const;
  const LivePod* FindPod(std::string_view id) const;
  const LiveEndpoint* FindEndpoint(std::string_view id) const;
};

// Where RunPod can place pods of each GPU type right now, for one cloud
// type (REST v2: GET /v2/catalog/gpus?include=AVAILABILITY&product=POD):
// GPU type id -> the data centers whose availability is not NONE. A GPU
// type RunPod did not list has no entry.
struct GpuAvailability {
  std::map<std::string, std::set<std::string>> data_centers;
  bool operator==(const GpuAvailability&) const = default;
};

// The same lookups by id in constant time, for callers that look up many
// ids (the planner, the check of a saved plan), where LiveState's linear
// search would make them quadratic. Refers to `live`, which must outlive it
// unchanged. As with LiveState, the first of repeated ids wins.
class LiveIndex {
 public:
  explicit LiveIndex(const LiveState& live);

  const LiveVolume* FindVolume(std::string_view id) const;
  const LivePod* FindPod(std::string_view id) const;
  const LiveEndpoint* FindEndpoint(std::string_view id) const;

 private:
  std::unordered_map<std::string_view, const LiveVolume*> volumes_;
  std::unordered_map<std::string_view, const LivePod*> pods_;
  std::unordered_map<std::string_view, const LiveEndpoint*> endpoints_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_CORE_MODEL_H_
