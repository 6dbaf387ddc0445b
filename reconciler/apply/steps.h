#ifndef PODFORM_RECONCILER_APPLY_STEPS_H_
#define PODFORM_RECONCILER_APPLY_STEPS_H_

// One phase of a plan change carried out against RunPod and recorded in
// the state.

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/apply/recorder.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/provider.h"
#include "reconciler/core/secret_values.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/steps.h"

namespace podform {

class StepRunner {
 public:
  // `secrets`: the raw values of `config`'s secret env, added to what a
  // create or update sends.
  StepRunner(const Desired& config, const SecretValues& secrets,
             Provider* provider, StateRecorder* recorder)
      : config_(config),
        secrets_(secrets),
        provider_(provider),
        recorder_(recorder) {}

  // Carries out one phase of `change` (see plan/steps.h): the destroy phase
  // deletes or terminates; the create phase creates, updates, stops or
  // resumes (for a replace: creates). A create-first replace's create
  // records the new pod and deposes the old one in one write; its destroy
  // phase terminates the old pod and removes it from the deposed pods, as
  // the destroy of a deposed pod's change (Change::deposed_id) does.
  // Returns the RunPod id the address has afterwards ("" after a delete),
  // or the error that stopped it; the state records whatever did happen
  // either way.
  absl::StatusOr<std::string> Run(const Change& change, Phase phase);

  // Records, in one write that is on disk when this returns, an intent for
  // every create among `steps` of `plan`: each create's intent is durable
  // before its request goes out, without one lock-file write per create.
  // The write happens even when there is no create, so that a state that
  // cannot be written is found before the first request. Run() may create
  // only what was declared.
  absl::Status DeclareCreates(const Plan& plan, const std::vector<Step>& steps);

  // Drops the intents of declared creates whose request was never sent
  // (skipped, interrupted, or stopped before sending); they go out with the
  // next write.
  absl::Status WithdrawUnsent();

  // A create-first replace whose new pod `new_id` did not come up (it
  // reached ERROR, stopped, or the wait timed out): the old pod becomes
  // the address's pod again and the new one is deposed, so that the next
  // plan terminates it. Nothing when the state no longer holds the two.
  absl::Status RestoreReplaced(const Change& change, const std::string& new_id);

 private:
  absl::StatusOr<std::string> Create(const Change& change);
  absl::StatusOr<std::string> Update(const Change& change);
  absl::StatusOr<std::string> SetRunning(const Change& change, bool running);
  // An update's gpu_count_by_resume half, after its edit: records the pod
  // stopped with its old count (podStop first when it runs), then resumes
  // it with change.after's count. On a refused resume (no free GPUs on its
  // machine, say) the pod stays stopped and recorded so, with the old
  // count, and the error names the pod and both counts.
  absl::Status ResumeWithGpuCount(const Change& change,
                                  const Resource& recorded);
  absl::Status Delete(const Change& change);
  // podStop or podResume of pod `id`. When the answer is lost, the pod is
  // read back: already in the wanted state counts as done (both requests
  // can be repeated without harm, but there is no need to).
  absl::Status SetPodRunning(const std::string& id, bool running,
                             int gpu_count);

  // change.after's pod with the mounted volume's id and the raw secret
  // values filled in.
  absl::StatusOr<PodSpec> PodToSend(const Change& change) const;
  // change.after's endpoint with its volumes' ids and data centers (in
  // the order of its volume keys, from their records in the state) and the
  // raw secret values filled in; FailedPrecondition when a volume has no
  // id yet.
  absl::StatusOr<EndpointSpec> EndpointToSend(const Change& change) const;
  // Puts the raw values of change.after's secret env into `env`; Aborted
  // ("...; plan again") when the config no longer declares one.
  absl::Status AddSecretValues(const Change& change,
                               std::map<std::string, std::string>* env) const;
  // After an unknown outcome: the id of the live resource that the create
  // made, "" if it certainly was not made.
  absl::StatusOr<std::string> FindCreated(const Change& change);
  // Records `resource` under its address with `id`, dropping any intent;
  // when `deposes` is the id recorded there, that pod is deposed in the
  // same write. Written with the next write
  // (StateRecorder::Durability::kLater).
  absl::Status Record(const std::string& id, const Resource& resource,
                      const std::string& deposes = "");

  // Takes `address` off the declared creates not yet sent; false when it
  // was not declared.
  bool TakeDeclared(const Address& address);
  // Drops the intents of `addresses` (their creates certainly did not
  // happen, or were never sent); they go out with the next write.
  absl::Status ForgetIntents(const std::vector<Address>& addresses);

  const Desired& config_;
  const SecretValues& secrets_;
  Provider* const provider_;
  StateRecorder* const recorder_;
  std::mutex mu_;
  std::set<Address> unsent_;  // declared creates whose request is not sent
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_STEPS_H_
