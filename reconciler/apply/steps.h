#ifndef PODFORM_RECONCILER_APPLY_STEPS_H_
#define PODFORM_RECONCILER_APPLY_STEPS_H_

// One phase of a plan change carried out against RunPod and recorded in
// the state.

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "reconciler/apply/recorder.h"
#include "reconciler/config/config.h"
#include "reconciler/core/provider.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/steps.h"

namespace podform {

// The raw value of each secret env of `change`'s pod, taken from `config`
// (where ${env:...} was resolved) and checked against the digest the plan
// holds for it (keyed by `lineage`). Aborted, naming the variable, when a
// value changed or disappeared since the plan was made: a saved plan must
// not send values nobody reviewed.
absl::StatusOr<std::map<std::string, std::string>> SecretValuesToSend(
    const Config& config, const std::string& lineage, const Change& change);

class StepRunner {
 public:
  StepRunner(const Config& config, Provider* provider, StateRecorder* recorder)
      : config_(config), provider_(provider), recorder_(recorder) {}

  // Carries out one phase of `change` (see plan/steps.h): the destroy phase
  // deletes or terminates; the create phase creates, updates, stops or
  // resumes (for a replace: creates). Returns the RunPod id the address has
  // afterwards
  // ("" after a delete), or the error that stopped it; the state records
  // whatever did happen either way.
  absl::StatusOr<std::string> Run(const Change& change, Phase phase);

 private:
  absl::StatusOr<std::string> Create(const Change& change);
  absl::StatusOr<std::string> Update(const Change& change);
  absl::StatusOr<std::string> SetRunning(const Change& change, bool running);
  absl::Status Delete(const Change& change);
  // podStop or podResume of pod `id`. When the answer is lost, the pod is
  // read back: already in the wanted state counts as done (both requests
  // can be repeated without harm, but there is no need to).
  absl::Status SetPodRunning(const std::string& id, bool running,
                             int gpu_count);

  // change.after's pod with the mounted volume's id and the raw secret
  // values filled in.
  absl::StatusOr<PodSpec> PodToSend(const Change& change) const;
  // After an unknown outcome: the id of the live resource that the create
  // made, "" if it certainly was not made.
  absl::StatusOr<std::string> FindCreated(const Change& change);
  // Records `resource` under its address with `id`, dropping any intent;
  // written with the next write (StateRecorder::Durability::kLater).
  absl::Status Record(const std::string& id, const Resource& resource);

  const Config& config_;
  Provider* const provider_;
  StateRecorder* const recorder_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_STEPS_H_
