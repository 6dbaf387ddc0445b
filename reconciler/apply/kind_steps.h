#ifndef PODFORM_RECONCILER_APPLY_KIND_STEPS_H_
#define PODFORM_RECONCILER_APPLY_KIND_STEPS_H_

// What the applier knows of each resource kind, one implementation of
// KindSteps per kind (volume_steps.cc, pod_steps.cc, endpoint_steps.cc):
// which provider calls carry out a step, how an interrupted create is
// recognised and adopted, and what is recorded. The step executor
// (steps.cc), recovery (recover.cc) and the applier look a kind up with
// StepsFor() and never name one. Internal to reconciler/apply.

#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "reconciler/core/model.h"
#include "reconciler/core/provider.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/steps.h"
#include "reconciler/state/state.h"

namespace podform {

// A live resource that a create may have made, as recovery indexes it.
struct LiveMatch {
  std::string id;
  // Set when a create is recognised in its data center only (a volume).
  std::optional<std::string> data_center;
  // On its way out (a terminated pod): never what a create made.
  bool gone = false;
  // Its position in its kind's list in the LiveState.
  size_t position = 0;
};

namespace apply_internal {

// What the step executor (StepRunner) lends a kind's steps.
class StepOps {
 public:
  virtual Provider& provider() = 0;
  // Calls `read` with the state, under the recorder's lock.
  virtual void ReadState(absl::FunctionRef<void(const State&)> read) = 0;
  // Puts the raw values of change.after's secret env into `env`; Aborted
  // ("...; plan again") when the config no longer declares one.
  virtual absl::Status AddSecretValues(
      const Change& change, std::map<std::string, std::string>* env) const = 0;
  // Sends the declared create of `change` with `send` (which returns the
  // new RunPod id). After an unknown outcome it looks for what the create
  // made and resends, once, only if it certainly is not there. Returns the
  // id made; on an error the create certainly did not happen and its
  // intent is dropped. Internal when the create was not declared.
  virtual absl::StatusOr<std::string> SendCreate(
      const Change& change,
      absl::FunctionRef<absl::StatusOr<std::string>()> send) = 0;
  // Records `resource` under its address with `id`, dropping any intent;
  // when `deposes` is the id recorded there, that one is deposed in the
  // same write. Written with the next write
  // (StateRecorder::Durability::kLater).
  virtual absl::Status Record(const std::string& id, const Resource& resource,
                              const std::string& deposes) = 0;

 protected:
  ~StepOps() = default;
};

// One resource kind's apply steps. Each step records what did happen,
// success or not.
class KindSteps {
 public:
  virtual ~KindSteps() = default;

  virtual Kind kind() const = 0;

  // The RunPod name a create of `resource` sends.
  virtual std::string CreatedName(const Resource& resource) const = 0;
  // The data center a create of `resource` sends ("" when it has none).
  virtual std::string CreatedDataCenter(const Resource& resource) const = 0;

  // Creates change.after (declared, StepRunner::DeclareCreates) and records
  // it; a create-first replace deposes change.id in the same write.
  // Returns the new RunPod id.
  virtual absl::StatusOr<std::string> Create(const Change& change,
                                             StepOps& ops) const = 0;
  // Updates change.id in place from change.before to change.after and
  // records change.after. Returns change.id.
  virtual absl::StatusOr<std::string> Update(const Change& change,
                                             StepOps& ops) const = 0;
  // Stops (`running` false) or resumes change.id and records it so.
  // Returns change.id. Only a kind that plans kStop and kResume (a pod)
  // has this step; the others return Internal.
  virtual absl::StatusOr<std::string> SetRunning(const Change& change,
                                                 bool running,
                                                 StepOps& ops) const;
  // Deletes RunPod's `id`. NotFound when it is already gone.
  virtual absl::Status Delete(Provider& provider,
                              const std::string& id) const = 0;

  // Whether the `phase` step of `change` leaves something starting up that
  // apply waits for (a pod created or resumed to run, pod_wait.h).
  virtual bool StartsPod(const Change& change, Phase phase) const;

  // Appends each live resource of this kind to `by_name`, under its RunPod
  // name, in the order RunPod lists them.
  virtual void IndexLive(
      const LiveState& live,
      std::unordered_map<std::string, std::vector<LiveMatch>>* by_name)
      const = 0;
  // Completes `resource`, recorded at `intent`'s address, from `match` (a
  // live resource of this kind in `live`) that an interrupted create made.
  // `declared` false: the config no longer declares it, and what is live is
  // recorded so that a plan deletes it; true: `resource` holds what was
  // declared and only what RunPod assigned (volume ids) is taken live.
  virtual void Adopt(const LiveState& live, const LiveMatch& match,
                     const CreateIntent& intent, bool declared,
                     Resource* resource) const = 0;
  // Whether an adopted resource deposes another recorded at its address
  // (what an interrupted create-first replace replaced): a pod.
  virtual bool AdoptionDeposes() const;
};

// Every kind's steps.
const std::vector<const KindSteps*>& ApplyKinds();
// The steps of `kind`.
const KindSteps& StepsFor(Kind kind);

const KindSteps& VolumeSteps();
const KindSteps& PodSteps();
const KindSteps& EndpointSteps();

// The id a create of `change` deposes in the write that records it: the
// one a create-first replace replaces; "" for any other change.
std::string DeposedByCreate(const Change& change);

// The id of what a provider create returned, or its error.
template <typename Live>
absl::StatusOr<std::string> MadeId(const absl::StatusOr<Live>& made) {
  if (!made.ok()) return made.status();
  return made->id;
}

}  // namespace apply_internal
}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_KIND_STEPS_H_
