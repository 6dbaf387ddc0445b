#include "reconciler/apply/recover.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform {

LiveByName::LiveByName(const LiveState& live) {
  for (const apply_internal::KindSteps* kind : apply_internal::ApplyKinds()) {
    kind->IndexLive(live, &by_kind_[kind->kind()]);
  }
}

std::vector<LiveMatch> LiveByName::MayHaveMade(
    const CreateIntent& intent, const std::set<std::string>& managed) const {
  std::vector<LiveMatch> matches;
  auto kind = by_kind_.find(intent.address.kind);
  if (kind == by_kind_.end()) return matches;
  auto named = kind->second.find(intent.name);
  if (named == kind->second.end()) return matches;
  for (const LiveMatch& m : named->second) {
    if (m.gone || managed.count(m.id) > 0 ||
        (m.data_center.has_value() && *m.data_center != intent.data_center) ||
        std::find(intent.preexisting_ids.begin(), intent.preexisting_ids.end(),
                  m.id) != intent.preexisting_ids.end()) {
      continue;
    }
    matches.push_back(m);
  }
  return matches;
}

std::vector<std::string> MatchIds(const std::vector<LiveMatch>& matches) {
  std::vector<std::string> ids;
  ids.reserve(matches.size());
  for (const LiveMatch& m : matches) ids.push_back(m.id);
  return ids;
}

absl::StatusOr<std::vector<IntentOutcome>> ResolveIntents(
    const Desired& config, const LiveState& live, State* state) {
  if (state->intents.empty()) return std::vector<IntentOutcome>();
  std::set<std::string> managed;
  for (const auto& [address, resource] : state->resources) {
    managed.insert(resource.id);
  }
  for (const auto& [address, pods] : state->deposed) {
    for (const ResourceState& pod : pods) managed.insert(pod.id);
  }
  std::vector<IntentOutcome> outcomes;
  std::vector<std::string> ambiguous;
  std::vector<std::pair<Address, ResourceState>> adopt;
  const LiveByName by_name(live);
  for (const auto& [address, intent] : state->intents) {
    const std::vector<LiveMatch> matches = by_name.MayHaveMade(intent, managed);
    const std::vector<std::string> ids = MatchIds(matches);
    if (ids.size() > 1) {
      ambiguous.push_back(absl::StrCat(
          address.ToString(), ": an interrupted create left ", ids.size(),
          " unmanaged ", KindName(address.kind), "s named \"", intent.name,
          "\" (", absl::StrJoin(ids, ", "),
          "); adopt the right one with `podform import ", address.ToString(),
          " ID` or delete the extras on RunPod"));
      continue;
    }
    if (ids.empty()) {
      outcomes.push_back({address, "",
                          absl::StrCat(address.ToString(),
                                       ": an interrupted create never reached "
                                       "RunPod; it will be planned again")});
      continue;
    }
    // What the config declared when the create was sent; an intent of an
    // older podform does not say, and the config of now stands in for it.
    const std::optional<Resource> declared =
        intent.resource.has_value() ? intent.resource
                                    : config.RecordedAt(address);
    const bool desired = declared.has_value();
    Resource resource = desired ? *declared : Resource{};
    resource.address = address;
    // Not declared: what is live is recorded, so that a plan deletes it.
    apply_internal::StepsFor(address.kind)
        .Adopt(live, matches.front(), intent, desired, &resource);
    adopt.push_back({address, ResourceState{ids.front(), resource}});
    outcomes.push_back(
        {address, ids.front(),
         absl::StrCat(address.ToString(), ": adopted ", ids.front(),
                      ", created by an interrupted run")});
  }
  if (!ambiguous.empty()) {
    return absl::FailedPreconditionError(absl::StrJoin(ambiguous, "\n"));
  }
  for (auto& [address, resource] : adopt) {
    // A pod still recorded there is what a create-first replace replaced
    // (or, destroy-first, what it terminated): deposed, so that the next
    // plan terminates it or, if it is gone, forgets it.
    if (apply_internal::StepsFor(address.kind).AdoptionDeposes()) {
      const ResourceState* old = state->Find(address);
      if (old != nullptr && old->id != resource.id) state->Depose(address);
    }
    state->resources[address] = std::move(resource);
  }
  state->intents.clear();
  return outcomes;
}

std::vector<Address> RecordUnchangedResources(const Plan& plan, State* state) {
  std::vector<Address> changed;
  for (const Change& change : plan.changes) {
    if (change.action != Action::kNoOp || !change.after) continue;
    auto recorded = state->resources.find(change.address);
    if (recorded == state->resources.end() ||
        recorded->second.id != change.id ||
        recorded->second.resource == *change.after) {
      continue;
    }
    recorded->second.resource = *change.after;
    changed.push_back(change.address);
  }
  return changed;
}

}  // namespace podform
