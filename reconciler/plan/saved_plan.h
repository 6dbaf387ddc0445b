#ifndef PODFORM_RECONCILER_PLAN_SAVED_PLAN_H_
#define PODFORM_RECONCILER_PLAN_SAVED_PLAN_H_

// `apply PLANFILE`: whether a plan made earlier still holds, and the secret
// values its changes send. Pure functions: the caller reads the config, the
// state and RunPod.

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/model.h"
#include "reconciler/core/secret_values.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform {

// Aborted: "the saved plan is stale: WHY. Nothing was changed; run podform
// plan again".
absl::Status StalePlan(const std::string& why);

// The raw value of each secret env of `change`'s pod or endpoint
// (change.after's secret_env), taken from `secrets`, where ${env:...} was
// resolved from the environment. Aborted, naming the variable, when
// `desired` does not declare that key as a secret there (or `secrets` has
// no value for it). Whether a value
// differs from what a saved plan decided is checked against the live pod
// before apply starts (CheckSavedPlan); nothing podform writes holds a value
// to check it against.
absl::StatusOr<std::map<std::string, std::string>> SecretValuesToSend(
    const Desired& desired, const SecretValues& secrets, const Change& change);

// How the messages of CheckSavedPlan name what a plan was made from.
struct SavedPlanSources {
  std::string config_file;  // "podform.yaml"
  std::string state_path;   // "podform.lock", or the PostgreSQL state's name
};

// Whether `plan` still holds for what it was made from, now: the config
// (`desired`: its digest, and a secret with a value, as its
// secret_env_digests show, for every secret a change sends), the state as
// stored now (`stored`; NotFound when there is none), and every live
// resource a change touches (`live`: its fingerprint, and for a pod or
// endpoint which secret env values differ from RunPod's, decided again from
// desired's secret_env_digests and the live env). Returns the state to apply
// to: the stored one, or a new one of the plan's lineage when none is stored
// and the plan was made without one. A plan that no longer holds is StalePlan,
// naming the first reason in that order; another error of `stored` is
// returned as it is.
absl::StatusOr<State> CheckSavedPlan(const Plan& plan, const Desired& desired,
                                     absl::StatusOr<State> stored,
                                     const LiveState& live,
                                     const SavedPlanSources& sources);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_SAVED_PLAN_H_
