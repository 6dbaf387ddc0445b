#ifndef PODFORM_RECONCILER_PLAN_PLANNER_H_
#define PODFORM_RECONCILER_PLAN_PLANNER_H_

// The planner: a pure function of (desired, prior state, live) -> Plan.
// No I/O, no clock; the same inputs give the same plan.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/model.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform {

struct PlanOptions {
  std::set<Address> allow_destroy;  // --allow-destroy
  std::set<Address> targets;        // --target; empty = everything
  bool destroy = false;             // `podform destroy`: desired = nothing
  // --strict: several read-write mounters of a volume is an error, as with
  // guards.strict in the config (either one is enough).
  bool strict = false;
  // The provider can resume a stopped pod with another GPU count on the
  // same machine (RunPod's GraphQL podResume takes gpuCount; REST v2's
  // start does not). Then a running pod whose only forcing change is
  // gpuCount is updated in place (Change::gpu_count_by_resume) instead of
  // replaced.
  bool resume_sets_gpu_count = false;
};

// Plans the changes that take `live` (as recorded in `prior`) to `desired`,
// following DESIGN.md "Planning rules":
//  - desired, not in the lock file: create. Recorded but gone live: create
//    again (id "", reason "deleted outside podform", a warning). Recorded,
//    no longer desired: delete (id "" when already gone live: apply then
//    only forgets it).
//  - `before` is the recorded resource corrected by live values (drift; each
//    difference is a reason); `after` is the desired resource with its
//    secret env keys marked but given no value, and pod.network_volume_id
//    set to the volume's recorded id, or "" when the volume is created or
//    replaced by this plan. A secret's change is found by comparing the
//    salted digest of its value (DesiredPod::secret_env_digests; MakePlan
//    takes no raw secret) with the same digest of the live pod's value
//    (ChangedSecretEnv): secret_env_changes, with the reason "env.K differs
//    from the value RunPod holds (sensitive)" for a key live has.
//  - Volumes: grow/rename/protect change in place; shrink is an error;
//    dataCenter change replaces. Deleting or replacing a volume whose desired
//    or recorded protect is true is an error unless options.allow_destroy
//    names it. Every volume delete/replace has destroys_data.
//  - Pods: image/env/ports/containerDiskGb/dockerArgs/mountPath update in
//    place; name/gpuType/gpuCount/cloudType/dataCenter/volume replace; a pod
//    whose volume is replaced or re-created is replaced; status alone gives
//    stop/resume, with edits an update (apply edits, then stops/resumes).
//    With options.resume_sets_gpu_count, a pod desired running whose only
//    forcing change is gpuCount is an update with gpu_count_by_resume
//    (stop, then resume with the new count); desired stopped, it stays a
//    replacement (podResume is the only way to change the count, and it
//    starts the pod).
//  - Live resources with an id the lock file does not know: plan.unmanaged.
//  - prior.intents: a warning each; the address is planned as usual.
//  - Targets: only the targeted addresses and what they depend on
//    (transitively, through depends_on and destroy_depends_on).
//  - options.destroy: every recorded resource is deleted, same protection.
//  - cost: before = managed resources that exist live; after = the result of
//    the plan (untargeted resources count as unchanged).
//  - Several writers (core/writers.h): a live pod that the lock file does
//    not know (unmanaged, not terminated) and that mounts a desired volume
//    recorded in the lock file is one more read-write mounter of it
//    (podform cannot know its access). A volume that has more than one
//    read-write mounter counting these is a warning naming every mounter,
//    or with options.strict or desired.guards.strict a rule error. Config
//    pods alone are the config loader's check (ParseConfig), not repeated
//    here.
// REQUIRES: prior.lineage is set (a new state gets a fresh lineage before
// planning): a saved plan names it.
// Returns the plan (lineage, serial from prior; config_digest from desired),
// or an error whose message lists every plan error, one per line, each
// starting with the address, sorted by address:
//   InvalidArgument     prior.lineage is empty, or --target/--allow-destroy
//                       names an address that is neither desired nor recorded
//                       (the other errors are listed too);
//   FailedPrecondition  only rule errors (shrink, protected volume,
//                       a pod mounting a volume that is not configured,
//                       several writers when strict).
absl::StatusOr<Plan> MakePlan(const Desired& desired, const State& prior,
                              const LiveState& live,
                              const PlanOptions& options);

// Stable lowercase hex SHA-256 of an unambiguous encoding of the live
// object's id and attributes (everything in the struct except a pod's
// cost_per_hr, which RunPod may reprice). Equal objects give equal
// fingerprints; any attribute change gives a different one. A pod's env
// values are covered only for the keys in `env_value_keys`; of every other
// env key only the name is, so that no secret value (nor a value podform
// does not manage) can be tested against a fingerprint in a plan file.
std::string Fingerprint(const LiveVolume& volume);
std::string Fingerprint(const LivePod& pod,
                        const std::set<std::string>& env_value_keys);
// The same for an endpoint (every attribute of LiveEndpoint).
std::string Fingerprint(const LiveEndpoint& endpoint,
                        const std::set<std::string>& env_value_keys);

// The env keys whose live values the fingerprint of `change`'s pod covers:
// the plain env keys of its before and after, minus every key either of them
// marks secret. Made from the change alone, so that `apply PLANFILE`
// computes the same set as the planner did.
std::set<std::string> FingerprintedEnvKeys(const Change& change);

// The keys of `secret_keys` whose digest in `desired_digests`
// (DesiredPod::secret_env_digests) differs from SecretEnvDigest(`salt`, the
// value in `live`'s env), or that either one lacks; sorted. Compares in
// memory only; nothing derived from either value is returned.
std::vector<std::string> ChangedSecretEnv(
    const std::set<std::string>& secret_keys, std::string_view salt,
    const std::map<std::string, std::string>& desired_digests,
    const LivePod& live);
// The same against a live endpoint's (or any) env.
std::vector<std::string> ChangedSecretEnv(
    const std::set<std::string>& secret_keys, std::string_view salt,
    const std::map<std::string, std::string>& desired_digests,
    const std::map<std::string, std::string>& live_env);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_PLANNER_H_
