#ifndef PODFORM_RECONCILER_PLAN_PLANNER_H_
#define PODFORM_RECONCILER_PLAN_PLANNER_H_

// The planner: a pure function of (desired, prior state, live) -> Plan.
// No I/O, no clock; the same inputs give the same plan.

#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "reconciler/config/config.h"
#include "reconciler/core/model.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform {

struct PlanOptions {
  std::set<Address> allow_destroy;  // --allow-destroy
  std::set<Address> targets;        // --target; empty = everything
  bool destroy = false;             // `podform destroy`: desired = nothing
};

// Plans the changes that take `live` (as recorded in `prior`) to `desired`,
// following DESIGN.md "Planning rules":
//  - desired, not in the lock file: create. Recorded but gone live: create
//    again (id "", reason "deleted outside podform", a warning). Recorded,
//    no longer desired: delete (id "" when already gone live: apply then
//    only forgets it).
//  - `before` is the recorded resource corrected by live values (drift; each
//    difference is a reason); `after` is the desired resource with secret env
//    values replaced by SecretDigest(prior.lineage, value) and
//    pod.network_volume_id set to the volume's recorded id, or "" when the
//    volume is created or replaced by this plan.
//  - Volumes: grow/rename/protect change in place; shrink is an error;
//    dataCenter change replaces. Deleting or replacing a volume whose desired
//    or recorded protect is true is an error unless options.allow_destroy
//    names it. Every volume delete/replace has destroys_data.
//  - Pods: image/env/ports/containerDiskGb/dockerArgs/mountPath update in
//    place; name/gpuType/gpuCount/cloudType/dataCenter/volume replace; a pod
//    whose volume is replaced or re-created is replaced; status alone gives
//    stop/resume, with edits an update (apply edits, then stops/resumes).
//  - Live resources with an id the lock file does not know: plan.unmanaged.
//  - prior.intents: a warning each; the address is planned as usual.
//  - Targets: only the targeted addresses and what they depend on
//    (transitively, through depends_on and destroy_depends_on).
//  - options.destroy: every recorded resource is deleted, same protection.
//  - cost: before = managed resources that exist live; after = the result of
//    the plan (untargeted resources count as unchanged).
// REQUIRES: prior.lineage is set (a new state gets a fresh lineage before
// planning): it salts secret digests.
// Returns the plan (lineage, serial from prior; config_digest from desired),
// or an error whose message lists every plan error, one per line, each
// starting with the address, sorted by address:
//   InvalidArgument     prior.lineage is empty, or --target/--allow-destroy
//                       names an address that is neither desired nor recorded
//                       (the other errors are listed too);
//   FailedPrecondition  only rule errors (shrink, protected volume,
//                       a pod mounting a volume that is not configured).
absl::StatusOr<Plan> MakePlan(const Config& desired, const State& prior,
                              const LiveState& live,
                              const PlanOptions& options);

// Stable lowercase hex SHA-256 of an unambiguous encoding of the live
// object's id and attributes (everything in the struct except a pod's
// cost_per_hr, which RunPod may reprice). Equal objects give
// equal fingerprints; any attribute change gives a different one.
std::string Fingerprint(const LiveVolume& volume);
std::string Fingerprint(const LivePod& pod);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_PLANNER_H_
