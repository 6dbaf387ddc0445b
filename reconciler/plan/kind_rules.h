#ifndef PODFORM_RECONCILER_PLAN_KIND_RULES_H_
#define PODFORM_RECONCILER_PLAN_KIND_RULES_H_

// What the planner knows of each resource kind, one implementation of
// KindRules per kind (volume_rules.cc, pod_rules.cc, endpoint_rules.cc),
// and the steps every kind plans alike. The planner (planner.cc) loops over
// PlanKinds() and never names a kind for these rules. Internal to
// reconciler/plan; MakePlan (planner.h) is the public entry.

#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "reconciler/core/desired.h"
#include "reconciler/core/model.h"
#include "reconciler/plan/diff.h"
#include "reconciler/plan/plan.h"
#include "reconciler/plan/planner.h"
#include "reconciler/state/state.h"

namespace podform::plan_internal {

// Everything the planner knows about one address while planning.
struct Entry {
  // The address's change, planned in place where the plan will hold it.
  explicit Entry(Change& planned) : change(planned) {}
  Change& change;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  const ResourceState* recorded = nullptr;
  bool exists_live = false;
  // A volume that will have a new RunPod id after this plan (replaced, or
  // re-created after it was deleted outside podform).
  bool new_identity = false;
};

// The RunPod ids podform knows: those the lock file records, and those of
// its deposed pods. Views into the strings that hold them.
using KnownIds = absl::flat_hash_set<std::string_view>;

// What a kind's rules read while planning one address.
struct PlanContext {
  // What is to exist: the config, or nothing (options.destroy).
  const Desired& desired;
  const State& prior;
  const LiveIndex& live;
  const PlanOptions& options;
  // The addresses planned so far: every address of the kinds before this
  // one in PlanKinds() (a pod or endpoint reads its volumes' entries).
  const std::map<Address, Entry>& entries;
};

// One resource kind's planning rules.
class KindRules {
 public:
  virtual ~KindRules() = default;

  virtual Kind kind() const = 0;
  // The keys `desired` declares of this kind.
  virtual std::vector<std::string> DesiredKeys(
      const Desired& desired) const = 0;
  // Fills `entry` (empty on entry) with the change at `address` (of this
  // kind): its action and reasons, before (the record corrected by live
  // values), after (the desired resource), and the entry's errors and
  // warnings.
  virtual void Plan(const Address& address, const PlanContext& context,
                    Entry& entry) const = 0;
  // Adds what `resource` (of this kind) costs to `cost`: to the `after`
  // sums when it is what exists once the plan is applied, else to the
  // `before` ones. May append an address to Cost's lists more than once
  // and in any order: the caller sorts them and drops repeats.
  virtual void AddCost(const Resource& resource, bool after,
                       Cost* cost) const = 0;
  // Appends the live resources of this kind whose id is not in `known`
  // (and that still exist) to `out`, in any order.
  virtual void ListUnmanaged(const LiveState& live,
                             const KnownIds& known,
                             std::vector<UnmanagedResource>* out) const = 0;
  // Adds to `entries` (every address planned) the order between this
  // kind's changes and the volumes they mount: Change::depends_on on its
  // own changes, Change::destroy_depends_on (left sorted) and reasons on
  // the volumes' changes. `deposed` are the terminations of the deposed
  // pods (Change::deposed_id). Called for each kind in PlanKinds() order
  // once every address is planned. Nothing for a kind that mounts nothing.
  virtual void AddDependencies(const PlanContext& context,
                               const std::vector<Change>& deposed,
                               std::map<Address, Entry>& entries) const;
  // Completes `change`, the delete of a resource of this kind that a
  // replace left deposed at its address (State::deposed; address, action,
  // deposed_id and before are set): its id and live fingerprint while it
  // is live, and its reasons. While it runs, what it costs goes to the
  // `before` sums and lists of `cost`. Unless a kind says otherwise, it is
  // gone from RunPod and only its record is removed.
  virtual void PlanDeposed(const PlanContext& context, Change& change,
                           Cost* cost) const;
  // Whether other kinds' resources mount this kind's (a volume): its
  // creates go before theirs, its destroys after (ExecutionSteps).
  virtual bool MountedByOthers() const;
  // The live object `change` (of this kind) touches, as a saved plan's
  // check sees it now: its fingerprint as the planner took it ("" when
  // RunPod no longer has change.id), and its env (nullptr for a kind
  // without one, or when it is gone).
  struct LiveNow {
    std::string fingerprint;
    const std::map<std::string, std::string>* env = nullptr;
  };
  virtual LiveNow FindLiveNow(const Change& change,
                              const LiveIndex& live) const = 0;
};

// Every kind, in planning order: a kind comes after the kinds whose entries
// it reads (volumes first).
const std::vector<const KindRules*>& PlanKinds();

const KindRules& VolumeRules();
const KindRules& PodRules();
const KindRules& EndpointRules();

// The planning rules of `kind`.
const KindRules& RulesFor(Kind kind);

// Whether `action` is one of `actions`.
bool IsAny(Action action, std::initializer_list<Action> actions);

// Makes `change` wait (Change::depends_on) for volume.`key`'s change in
// `entries` when that creates, replaces or updates it.
void WaitForVolume(const std::string& key,
                   const std::map<Address, Entry>& entries, Change& change);

// The keys of `declared` (a Desired map), in order.
template <typename T>
std::vector<std::string> KeysOf(const std::map<std::string, T>& declared) {
  std::vector<std::string> keys;
  keys.reserve(declared.size());
  for (const auto& [key, value] : declared) keys.push_back(key);
  return keys;
}

// Appends each object of `live` (of `kind`) whose id is not in `known` and
// that `exists` to `out`, as KindRules::ListUnmanaged does.
template <typename Live, typename Exists>
void AppendUnmanaged(Kind kind, const std::vector<Live>& live,
                     const KnownIds& known, Exists exists,
                     std::vector<UnmanagedResource>* out) {
  for (const Live& object : live) {
    if (known.count(object.id) == 0 && exists(object)) {
      out->push_back({kind, object.id, object.spec.name});
    }
  }
}

// Fills in a change for a recorded resource that RunPod no longer has:
// created again as `after` (with a warning that ends in `recreated_note`),
// or, when not desired, only forgotten.
void PlanGone(Entry& entry, const std::optional<Resource>& after,
              const char* recreated_note);

// The start every kind shares, once `after` (the desired resource, or
// nullopt) is known. Not recorded: a create of `after`. Recorded, but
// `find_live(id)` finds nothing (or the recorded id is empty): PlanGone.
// Returns the live object otherwise, with entry.recorded, change.id and
// exists_live set; nullptr when the change is complete.
// REQUIRES: entry.change.address is set.
template <typename FindLive>
auto FindLiveOrPlan(Entry& entry, const std::optional<Resource>& after,
                    const PlanContext& context, const char* recreated_note,
                    FindLive find_live)
    -> decltype(find_live(std::string_view())) {
  Change& c = entry.change;
  entry.recorded = context.prior.Find(c.address);
  if (entry.recorded == nullptr) {
    c.action = Action::kCreate;
    c.after = after;
    return nullptr;
  }
  auto live =
      entry.recorded->id.empty() ? nullptr : find_live(entry.recorded->id);
  if (live == nullptr) {
    PlanGone(entry, after, recreated_note);
    return nullptr;
  }
  entry.exists_live = true;
  c.id = entry.recorded->id;
  return live;
}

// The reason of a delete of what is no longer desired.
std::string DeleteReason(const PlanContext& context);

// The steps that kinds with an env (pods, endpoints) share: FindLiveOrPlan,
// then `before` is `correct(recorded, live, desired env keys, desired
// secret env keys)` with its drift as the first reasons. Not desired: a
// delete (DeleteReason, then `delete_note`). Desired: after, the secret env
// keys whose value differs live (Change::secret_env_changes, a reason each
// for a key `before` marks) and the live fingerprint; the caller then
// decides the action. Returns the live object in that last case, else
// nullptr (the change is complete).
template <typename FindLive, typename Correct>
auto PlanWithEnv(Entry& entry, const std::optional<Resource>& after,
                 const PlanContext& context, FindLive find_live,
                 Correct correct, const char* delete_note)
    -> decltype(find_live(std::string_view())) {
  auto live = FindLiveOrPlan(entry, after, context, "", find_live);
  if (live == nullptr) return nullptr;
  Change& c = entry.change;
  const std::map<std::string, std::string>* env =
      context.desired.EnvAt(c.address);
  const std::set<std::string>* secret_env =
      context.desired.SecretEnvAt(c.address);
  std::set<std::string> env_keys;
  if (env != nullptr) {
    for (const auto& [key, value] : *env) env_keys.insert(key);
    env_keys.insert(secret_env->begin(), secret_env->end());
  }
  static const std::set<std::string> kNoSecrets;
  Corrected corrected =
      correct(entry.recorded->resource, *live, env_keys,
              secret_env == nullptr ? kNoSecrets : *secret_env);
  c.before = std::move(corrected.before);
  c.reasons = std::move(corrected.drift);
  if (!after.has_value()) {
    c.action = Action::kDelete;
    c.reasons.push_back(absl::StrCat(DeleteReason(context), delete_note));
    c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
    return nullptr;
  }
  c.after = after;
  // Secrets: the digest of the value in the environment against the one
  // RunPod holds.
  c.secret_env_changes = ChangedSecretEnv(
      *secret_env, context.desired.secret_salt,
      *context.desired.SecretEnvDigestsAt(c.address), live->spec.env);
  for (const std::string& key : c.secret_env_changes) {
    if (c.before->secret_env.count(key) > 0) {
      c.reasons.push_back(absl::StrCat(
          "env.", key, " differs from the value RunPod holds (sensitive)"));
    }
  }
  c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
  return live;
}

// The entry of volume.`key`, which `entry`'s resource mounts; nullptr, with
// an error on `entry`, when the configuration declares no such volume.
const Entry* MountedVolume(const std::string& key, const PlanContext& context,
                           Entry& entry);

}  // namespace podform::plan_internal

#endif  // PODFORM_RECONCILER_PLAN_KIND_RULES_H_
