#ifndef PODFORM_RECONCILER_PLAN_PLAN_H_
#define PODFORM_RECONCILER_PLAN_PLAN_H_

// A Plan is pure data: what apply will do, why, and what it was based on.
// The planner (planner.h) makes one; renderers (render.h) only read it; the
// applier (apply/) executes it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/core/resource.h"
#include "reconciler/core/target.h"
#include "reconciler/plan/runway.h"

namespace podform {

enum class Action {
  kNoOp,
  kCreate,
  kUpdate,   // in place: update the volume / edit the pod (+ stop/start)
  kReplace,  // delete/terminate and create, in Change::replace_order
  kDelete,
  kStop,    // podStop only
  kResume,  // podResume only
};

// "no-op", "create", "update", "replace", "delete", "stop", "resume".
std::string_view ActionName(Action action);
// Inverse of ActionName; nullopt for anything else.
std::optional<Action> ParseAction(std::string_view name);

// The order of a replacement's two phases.
enum class ReplaceOrder {
  // Delete/terminate the old resource, then create the new one (volumes;
  // pods that cannot or must not exist twice at once; `replace:
  // destroy-first`).
  kDestroyFirst,
  // Pods by default: create the new pod and wait until it runs, then
  // terminate the old one. In between the state records the new pod at the
  // address and the old one as deposed (State::deposed), so that a failed
  // create leaves the old pod running and recorded, and an interrupted
  // apply leaves nothing untracked.
  kCreateFirst,
};

// "destroy-first" or "create-first" (as `replace:` in podform.yaml).
std::string_view ReplaceOrderName(ReplaceOrder order);
// Inverse of ReplaceOrderName; nullopt for anything else.
std::optional<ReplaceOrder> ParseReplaceOrder(std::string_view name);

struct Change {
  Address address;
  Action action = Action::kNoOp;
  // RunPod id of the existing resource (all but create). "" when the
  // recorded resource is gone live: a create re-creates it; a delete then
  // only removes its lock-file entry (nothing is left to delete on RunPod).
  std::string id;
  // Recorded attributes (lock file, corrected by live values); none for a
  // resource that is new to podform.
  std::optional<Resource> before;
  // Desired attributes; none for delete. Secret env keys are only marked
  // (Resource::secret_env), never given a value, here or in `before`.
  // after->pod.network_volume_id is "" when the volume does not exist yet;
  // apply fills it in from the state when the step runs.
  std::optional<Resource> after;
  // For people only, never drives apply: "gpuType forces replacement",
  // "deleted outside podform", "size grows 100 -> 200 GB in place".
  std::vector<std::string> reasons;
  // Attribute names (as in ToAttributes) whose change forces replacement.
  std::vector<std::string> replace_attributes;
  // A replace's order (kDestroyFirst for every other action).
  ReplaceOrder replace_order = ReplaceOrder::kDestroyFirst;
  // Why a pod's replace is destroy-first, for people; "" otherwise.
  std::string replace_order_reason;
  // Non-empty: the change terminates the deposed pod with this id, left at
  // `address` by a create-before-destroy replacement that did not finish
  // (State::deposed); action is kDelete, `before` its recorded attributes,
  // `id` the same id while the pod is on RunPod and "" when it is gone (then
  // only its entry is removed). Such a change shares its address with the
  // address's own change; nothing depends on it by address except the
  // destroys that wait for the address's pods (destroy_depends_on) and a
  // create-first replace of the same address, which runs after it.
  std::string deposed_id;
  // True for a pod's update that changes gpuCount in place: apply stops the
  // pod (when it runs), then resumes it with after->pod.gpu_count (GraphQL
  // podResume takes a count; PlanOptions::resume_sets_gpu_count). Only set
  // on a pod's kUpdate whose before and after differ in gpu_count.
  bool gpu_count_by_resume = false;
  // True when the step deletes or replaces a network volume (its data is lost).
  bool destroys_data = false;
  // Ordering. A change runs in at most two phases: a destroy phase (delete,
  // and the delete/terminate half of replace) and a create phase (create,
  // update, stop, resume, and the create half of replace).
  // depends_on: changes that must be complete before this change's create
  // phase starts (a pod's create/replace waits for its volume's create,
  // replace or update). Never set on a delete.
  std::vector<Address> depends_on;
  // destroy_depends_on: changes whose destroy phase must be done before this
  // change's destroy phase starts (a volume's delete/replace waits for the
  // delete/replace of every recorded pod that mounts it). Only set on
  // delete and replace. Two lists are needed because when a volume is
  // replaced, the pods that mount it are replaced too: pod terminate, volume
  // delete, volume create, pod create (see steps.h, ExecutionSteps).
  std::vector<Address> destroy_depends_on;
  // Fingerprint of the live object this change touches, as seen at plan time
  // ("" when it did not exist live); a saved plan is refused if it moved.
  // It covers no secret env value (see Fingerprint in planner.h).
  std::string live_fingerprint;
  // The keys of after->secret_env whose value in the environment differs
  // from the live pod's (or that the live pod lacks), sorted: decided at plan
  // time by comparing the two raw values, never recorded as a value or a
  // digest. Empty when there is no live pod (a create sends every value).
  // `apply PLANFILE` decides again from the environment and the live pod and
  // refuses the plan when the decision differs (ChangedSecretEnv).
  std::vector<std::string> secret_env_changes;

  bool operator==(const Change&) const = default;
};

// A live resource that the lock file does not know. Listed, never touched.
struct UnmanagedResource {
  Kind kind = Kind::kVolume;
  std::string id;
  std::string name;

  bool operator==(const UnmanagedResource&) const = default;
};

// A resource recorded at `from` that the state now records at `to` (a
// `moved:` item of podform.yaml); nothing is sent to RunPod for it.
struct Move {
  Address from;
  Address to;
  std::string id;  // its RunPod id; "" for a pending create only

  bool operator==(const Move&) const = default;
};

struct Cost {
  double storage_monthly_before = 0;  // USD per month, managed volumes
  double storage_monthly_after = 0;
  double pods_hourly_before = 0;  // USD per hour, managed running pods
  double pods_hourly_after = 0;
  // USD per hour of managed serverless endpoints' active workers
  // (workers.min, billed whether or not requests come), each endpoint
  // priced at the dearest of its GPU pools (ServerlessWorkersHourlyCost):
  // upper bounds of what they cost idle. Use beyond them is not included.
  double endpoints_hourly_before = 0;
  double endpoints_hourly_after = 0;
  // Volumes (before or after) whose tier RunPod publishes no price for
  // (HIGH_PERFORMANCE), sorted; left out of storage_monthly_*, which are
  // then lower bounds.
  std::vector<Address> unpriced_volumes = {};
  // Running pods (before or after) whose GPU type has no published price
  // on their cloud (or is not in the catalog), sorted; left out of
  // pods_hourly_*, which are then lower bounds.
  std::vector<Address> unpriced_pods = {};
  // Serverless endpoints (before or after), sorted: RunPod bills their
  // workers by the second while they run, which no plan can foresee, so
  // no sum includes that use (only their active workers are in
  // endpoints_hourly_*).
  std::vector<Address> usage_based_endpoints = {};
  // Of those, the ones that keep workers active (workers.min > 0, before
  // or after) in a pool without a published serverless price: left out of
  // endpoints_hourly_*, which are then lower bounds; sorted.
  std::vector<Address> unpriced_active_endpoints = {};

  bool operator==(const Cost&) const = default;
};

// A problem found before or while planning, for --json and --markdown: a
// warning of the config (with where it is), or why the command failed.
struct Finding {
  enum class Severity { kError, kWarning };
  Severity severity = Severity::kWarning;
  std::string message;
  std::string file = {};  // "" when the problem is not in a file
  int line = 0;           // 1-based; 0 when not known
  int column = 0;         // 1-based; 0 when not known

  bool operator==(const Finding&) const = default;
};

struct Plan {
  // The --json format (docs/PLAN_FORMAT.md); 2 added "ok", "diagnostics"
  // and "moves"; 3 added "runway" and the cost's "unpriced_volumes",
  // "prices_as_of" and "assumptions"; 4 added the cost's "unpriced_pods"
  // and each change's "replace_order", "replace_order_reason" and
  // "deposed"; 5 added the cost's "usage_based_endpoints" and
  // "unpriced_active_endpoints" (and endpoint.NAME addresses), and each
  // change's "gpu_count_by_resume"; 6 added the cost's
  // "endpoints_hourly_before" and "endpoints_hourly_after".
  static constexpr int kFormatVersion = 6;

  // Every managed or desired address (or, with --target, the targeted ones and
  // what they depend on), no-ops included, ordered by when each change starts
  // in ExecutionSteps (steps.h): destroy phases first (pods before volumes),
  // then create phases (volumes before pods); a create-first replace
  // starts with its create phase. Deposed pods' terminations
  // (Change::deposed_id) share their address with its change. Outside a
  // volume-replace
  // cascade this is a topological order of depends_on and
  // destroy_depends_on.
  std::vector<Change> changes;
  // Addresses renamed in the state before planning (reconciler/plan/
  // moves.h), in the order of `moved:`; `changes` already use the new
  // addresses. Apply records them, and sends nothing to RunPod for them.
  std::vector<Move> moves;
  std::vector<UnmanagedResource> unmanaged;
  std::vector<std::string> warnings;  // e.g. drift that needs a person
  // The config's warnings, with where they are (not kept in plan files).
  std::vector<Finding> config_warnings;
  Cost cost;
  // How long the account's balance lasts before and after the plan (or why
  // that is unknown); nullopt when the account was not read (a plan read
  // from a plan file: apply reads it again). Not kept in plan files.
  std::optional<Runway> runway;
  bool destroy = false;  // made by `podform destroy`

  // What the plan was made from; apply PLANFILE refuses a plan whose basis
  // moved.
  std::string lineage;
  int64_t serial = 0;
  std::string config_digest;
  // Where it was made (endpoint, account): a saved plan is applied only
  // there (CheckSameTarget).
  Target target;

  bool operator==(const Plan&) const = default;

  bool HasChanges() const;    // any change other than no-op, or a move
  bool HasActions() const;    // any change other than no-op
  bool DestroysData() const;  // any change with destroys_data
  // Number of changes per action, for the summary line; every Action is a
  // key (0 when absent), no-ops included.
  std::map<Action, int> Counts() const;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_PLAN_H_
