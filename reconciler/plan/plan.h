#ifndef PODFORM_RECONCILER_PLAN_PLAN_H_
#define PODFORM_RECONCILER_PLAN_PLAN_H_

// A Plan is pure data: what apply will do, why, and what it was based on.
// The planner (planner.h) makes one; renderers (render.h) only read it; the
// applier (apply/) executes it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "reconciler/core/resource.h"

namespace podform {

enum class Action {
  kNoOp,
  kCreate,
  kUpdate,   // in place: updateNetworkVolume / podEditJob (+ stop/resume)
  kReplace,  // delete/terminate, then create
  kDelete,
  kStop,     // podStop only
  kResume,   // podResume only
};

// "no-op", "create", "update", "replace", "delete", "stop", "resume".
std::string_view ActionName(Action action);

struct Change {
  Address address;
  Action action = Action::kNoOp;
  // RunPod id of the existing resource (all but create; "" when the
  // recorded resource is gone live and is being re-created).
  std::string id;
  // Recorded attributes (lock file, corrected by live values); none for a
  // resource that is new to podform.
  std::optional<Resource> before;
  // Desired attributes; none for delete. Secret env values are digests.
  // after->pod.network_volume_id is "" when the volume does not exist yet;
  // apply fills it in from the state when the step runs.
  std::optional<Resource> after;
  // For people only, never drives apply: "gpuType forces replacement",
  // "deleted outside podform", "size grows 100 -> 200 GB in place".
  std::vector<std::string> reasons;
  // Attribute names (as in ToAttributes) whose change forces replacement.
  std::vector<std::string> replace_attributes;
  // True when the step deletes or replaces a network volume (its data is lost).
  bool destroys_data = false;
  // Steps that must finish before this one (volume before the pods that mount
  // it; on delete, pods before their volume).
  std::vector<Address> depends_on;
  // Fingerprint of the live object this change touches, as seen at plan time
  // ("" when it did not exist live); a saved plan is refused if it moved.
  std::string live_fingerprint;
};

// A live resource that the lock file does not know. Listed, never touched.
struct UnmanagedResource {
  Kind kind = Kind::kVolume;
  std::string id;
  std::string name;
};

struct Cost {
  double storage_monthly_before = 0;  // USD per month, managed volumes
  double storage_monthly_after = 0;
  double pods_hourly_before = 0;  // USD per hour, managed running pods
  double pods_hourly_after = 0;
};

struct Plan {
  static constexpr int kFormatVersion = 1;

  // Every managed or desired address, in execution order (a topological
  // order of depends_on), no-ops included.
  std::vector<Change> changes;
  std::vector<UnmanagedResource> unmanaged;
  std::vector<std::string> warnings;  // e.g. drift that needs a person
  Cost cost;
  bool destroy = false;  // made by `podform destroy`

  // What the plan was made from; apply PLANFILE refuses a plan whose basis
  // moved.
  std::string lineage;
  int64_t serial = 0;
  std::string config_digest;

  bool HasChanges() const;    // any change other than no-op
  bool DestroysData() const;  // any change with destroys_data
  // Counts by action, for the summary line.
  std::map<Action, int> Counts() const;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_PLAN_H_
