#ifndef PODFORM_RECONCILER_PLAN_DIFF_H_
#define PODFORM_RECONCILER_PLAN_DIFF_H_

// The per-resource half of the planner: what a recorded resource looks like
// live (drift), and the change from one resource's attributes to another's.
// Internal to reconciler/plan; MakePlan (planner.h) is the public entry.

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/core/model.h"
#include "reconciler/core/resource.h"
#include "reconciler/plan/plan.h"

namespace podform::plan_internal {

// A recorded resource with the values RunPod reports live in place of the
// recorded ones, and one reason per attribute that differed ("image changed
// outside podform (was X live)").
struct Corrected {
  Resource before;
  std::vector<std::string> drift;
};

// name, size and data center come from live (each only when live reports it).
Corrected CorrectVolume(const Resource& recorded, const LiveVolume& live);

// image, gpu type and count, mount path and container disk come from live
// when live reports them (non-empty / non-zero); docker args, ports and the
// running status always. Env: only keys that are recorded or desired are
// considered (RunPod may add its own). A key that is secret in `recorded`
// or in `desired_secret_env` is only marked (before.secret_env) when live
// has it, with no value; whether its value differs is ChangedSecretEnv's
// business (planner.h), since nothing recorded can tell. Data center, cloud
// type, name and volume attachment stay as recorded (RunPod's pod object
// does not report the first two).
Corrected CorrectPod(const Resource& recorded, const LivePod& live,
                     const std::set<std::string>& desired_env_keys,
                     const std::set<std::string>& desired_secret_env);

// The env of a recorded pod or endpoint as live has it: only keys that are
// recorded or desired are considered (RunPod may add its own); a key that
// is secret in `recorded_secret_env` or `desired_secret_env` is only marked
// (in *secret_env) when live has it, with no value. Each key that differs
// from the record is one line of *drift. Replaces *env and *secret_env.
void CorrectEnv(const std::map<std::string, std::string>& recorded_env,
                const std::set<std::string>& recorded_secret_env,
                const std::map<std::string, std::string>& live_env,
                const std::set<std::string>& desired_env_keys,
                const std::set<std::string>& desired_secret_env,
                std::map<std::string, std::string>* env,
                std::set<std::string>* secret_env,
                std::vector<std::string>* drift);

// A recorded endpoint with what RunPod reports live (endpoint_diff.cc):
// name, image, type, GPU pools and count, timeout, flashboot, scaler and
// data centers when live reports them (non-empty / non-zero); workers and
// idle timeout always; network volume ids when live reports a different
// set (the volume keys stay as recorded); env as CorrectEnv. Pools, data
// centers and volume ids are compared as sets (RunPod may reorder them).
Corrected CorrectEndpoint(const Resource& recorded, const LiveEndpoint& live,
                          const std::set<std::string>& desired_env_keys,
                          const std::set<std::string>& desired_secret_env);

// What it takes to get from `before` to `after` (same address).
struct Diff {
  Action action = Action::kNoOp;
  std::vector<std::string> reasons;
  std::vector<std::string> replace_attributes;
  std::vector<std::string> errors;  // "volume.x: ..." lines; plan is invalid
  bool gpu_count_by_resume = false;  // Change::gpu_count_by_resume
};

// Replace when the data center differs; otherwise an update for a grow, a
// rename or a protect change; a shrink is an error. `size_drifted`: the live
// size differs from the recorded one (the error then says it was grown
// outside podform).
Diff DiffVolume(const Resource& before, const Resource& after,
                bool size_drifted);

// Replace when a field that forces it differs (name, gpuType, gpuCount,
// cloudType, dataCenter, volume, networkVolumeId) or when
// `volume_replaced_reason` is non-empty (the mounted volume gets a new id);
// otherwise update for image/env/ports/containerDiskGb/dockerArgs/mountPath
// edits (with the status change, if any), stop/resume for a status change
// alone, no-op when nothing differs. Env differs when the plain values
// differ, when the secret keys differ, or when `secret_env_changes` (secret
// keys whose value differs live) is not empty. A change of access alone
// (read-write <-> read-only) is an update that apply only records: it is
// podform's record, and RunPod has nothing to change.
// `resume_sets_gpu_count` (PlanOptions): when gpuCount is the only forcing
// difference and `after` is running, the action is an update with
// gpu_count_by_resume (plus any edits), not a replace.
Diff DiffPod(const Resource& before, const Resource& after,
             const std::vector<std::string>& secret_env_changes,
             const std::string& volume_replaced_reason,
             bool resume_sets_gpu_count = false);

// The change of an endpoint (endpoint_diff.cc): replace when `type`
// differs (RunPod cannot change it) or when `volume_replaced_reason` is
// non-empty (a mounted volume is replaced: RunPod refuses to delete a
// volume an endpoint mounts, so the endpoint goes before it and comes back
// after the new one). Otherwise an update (one PATCH) for name, image, env
// (as DiffPod), gpuPools, gpuCount, workersMin, workersMax, idleTimeout,
// scaling, volumes (keys; ids where after's are known; or
// `volume_recreated_reason` non-empty), dataCenters, timeoutMs, flashboot,
// whose reason says that an image or env change rolls out a new release
// as workers cycle; access alone is an update apply only records.
Diff DiffEndpoint(const Resource& before, const Resource& after,
                  const std::vector<std::string>& secret_env_changes,
                  const std::string& volume_replaced_reason,
                  const std::string& volume_recreated_reason);

// Whether two lists hold the same strings, in any order.
bool SameSet(const std::vector<std::string>& a,
             const std::vector<std::string>& b);

// Ports compared as multisets (RunPod may report them in another order).
bool SamePorts(const std::vector<std::string>& a,
               const std::vector<std::string>& b);

}  // namespace podform::plan_internal

#endif  // PODFORM_RECONCILER_PLAN_DIFF_H_
