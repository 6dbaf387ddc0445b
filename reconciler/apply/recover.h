#ifndef PODFORM_RECONCILER_APPLY_RECOVER_H_
#define PODFORM_RECONCILER_APPLY_RECOVER_H_

// Recovery of creates that an earlier run started but did not finish
// recording (killed, or lost the response).

#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/apply/kind_steps.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/model.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform {

struct IntentOutcome {
  Address address;
  std::string adopted_id;  // "" when the create never happened
  std::string message;     // for people: what was found and done
};

// The live resources of a LiveState by kind and RunPod name, to find what
// interrupted creates made without scanning everything for each of them.
class LiveByName {
 public:
  explicit LiveByName(const LiveState& live);

  // What the create of `intent` may have made: the live resources of its
  // kind and RunPod name (and, where the kind says, data center:
  // LiveMatch::data_center) whose id is neither in `managed` nor among the
  // intent's preexisting ids and that are not gone (a terminated pod), in
  // the order RunPod lists them.
  std::vector<LiveMatch> MayHaveMade(const CreateIntent& intent,
                                     const std::set<std::string>& managed) const;

 private:
  std::map<Kind, std::unordered_map<std::string, std::vector<LiveMatch>>>
      by_kind_;
};

// The ids of `matches`.
std::vector<std::string> MatchIds(const std::vector<LiveMatch>& matches);

// Settles every intent in `state` against `live`: a live resource of the
// intent's kind, RunPod name (and, for volumes, data center) that no address
// in the state manages, that is not among the intent's preexisting ids and
// (a pod) is not terminated, is adopted when it is the only one, recorded
// with exactly the attributes the intent carries (what the config declared
// when the create was sent, `protect` included) and, for a pod, the volume
// id seen live. An intent of an older podform carries none: the config's
// attributes stand in, or those seen live (a volume then protected) when
// the config no longer declares it. A pod adopted at an address that
// records another pod deposes that one (State::deposed): it is what an
// interrupted create-first replace replaced. Deposed pods are managed. With
// none the intent is dropped. Modifies
// `state` only when every intent could be settled; otherwise returns
// FailedPrecondition naming each ambiguous intent and the candidate ids.
absl::StatusOr<std::vector<IntentOutcome>> ResolveIntents(
    const Desired& config, const LiveState& live, State* state);

// Brings the record of each resource the plan leaves alone (no-op) up to
// date: a step whose answer was lost, or a `protect` changed in the config,
// leaves the lock file behind although nothing needs doing on RunPod.
// Returns the addresses whose record changed.
std::vector<Address> RecordUnchangedResources(const Plan& plan, State* state);

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_RECOVER_H_
