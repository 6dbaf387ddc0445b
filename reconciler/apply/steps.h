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
#include "reconciler/apply/kind_steps.h"
#include "reconciler/apply/recorder.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/provider.h"
#include "reconciler/core/secret_values.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/steps.h"

namespace podform {

// Each kind's steps are its KindSteps (kind_steps.h); StepRunner is what
// they share: the order of the phases, the declared creates, the state.
class StepRunner : private apply_internal::StepOps {
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
  absl::Status Delete(const Change& change);

  // apply_internal::StepOps, for the kinds' steps.
  Provider& provider() override { return *provider_; }
  void ReadState(absl::FunctionRef<void(const State&)> read) override;
  absl::Status AddSecretValues(
      const Change& change,
      std::map<std::string, std::string>* env) const override;
  absl::StatusOr<std::string> SendCreate(
      const Change& change,
      absl::FunctionRef<absl::StatusOr<std::string>()> send) override;
  absl::Status Record(const std::string& id, const Resource& resource,
                      const std::string& deposes) override;

  // After an unknown outcome: the id of the live resource that the create
  // made, "" if it certainly was not made.
  absl::StatusOr<std::string> FindCreated(const Change& change);

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
