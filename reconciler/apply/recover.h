#ifndef PODFORM_RECONCILER_APPLY_RECOVER_H_
#define PODFORM_RECONCILER_APPLY_RECOVER_H_

// Recovery of creates that an earlier run started but did not finish
// recording (killed, or lost the response).

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/config/config.h"
#include "reconciler/core/model.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"

namespace podform {

struct IntentOutcome {
  Address address;
  std::string adopted_id;  // "" when the create never happened
  std::string message;     // for people: what was found and done
};

// Settles every intent in `state` against `live`: a live resource of the
// intent's kind, RunPod name (and, for volumes, data center) that no address
// in the state manages, that is not among the intent's preexisting ids and
// (a pod) is not terminated, is adopted when it is the only one (recorded
// with the attributes the config desires, or those seen live when the
// config no longer declares it); with none the intent is dropped. Modifies
// `state` only when every intent could be settled; otherwise returns
// FailedPrecondition naming each ambiguous intent and the candidate ids.
absl::StatusOr<std::vector<IntentOutcome>> ResolveIntents(
    const Config& config, const LiveState& live, State* state);

// Brings the record of each resource the plan leaves alone (no-op) up to
// date: a step whose answer was lost, or a `protect` changed in the config,
// leaves the lock file behind although nothing needs doing on RunPod.
// Returns the addresses whose record changed.
std::vector<Address> RecordUnchangedResources(const Plan& plan, State* state);

}  // namespace podform

#endif  // PODFORM_RECONCILER_APPLY_RECOVER_H_
