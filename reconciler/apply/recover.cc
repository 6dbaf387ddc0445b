#include "reconciler/apply/recover.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace podform {

LiveByName::LiveByName(const LiveState& live) {
  for (const LiveVolume& v : live.volumes) volumes_[v.spec.name].push_back(&v);
  for (const LivePod& p : live.pods) pods_[p.spec.name].push_back(&p);
  for (const LiveEndpoint& e : live.endpoints) {
    endpoints_[e.spec.name].push_back(&e);
  }
}

std::vector<LiveMatch> LiveByName::MayHaveMade(
    const CreateIntent& intent, const std::set<std::string>& managed) const {
  auto adoptable = [&](const std::string& id) {
    return !managed.count(id) &&
           std::find(intent.preexisting_ids.begin(),
                     intent.preexisting_ids.end(),
                     id) == intent.preexisting_ids.end();
  };
  std::vector<LiveMatch> matches;
  if (intent.address.kind == Kind::kVolume) {
    auto named = volumes_.find(intent.name);
    if (named == volumes_.end()) return matches;
    for (const LiveVolume* v : named->second) {
      if (v->spec.data_center == intent.data_center && adoptable(v->id)) {
        matches.push_back({v->id, v, nullptr, nullptr});
      }
    }
    return matches;
  }
  if (intent.address.kind == Kind::kEndpoint) {
    auto named = endpoints_.find(intent.name);
    if (named == endpoints_.end()) return matches;
    for (const LiveEndpoint* e : named->second) {
      if (adoptable(e->id)) matches.push_back({e->id, nullptr, nullptr, e});
    }
    return matches;
  }
  auto named = pods_.find(intent.name);
  if (named == pods_.end()) return matches;
  for (const LivePod* p : named->second) {
    // A terminated pod is on its way out, never what a create made.
    if (adoptable(p->id) && !p->Gone()) {
      matches.push_back({p->id, nullptr, p, nullptr});
    }
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
    const LiveMatch& found = matches.front();
    // What the config declared when the create was sent; an intent of an
    // older podform does not say, and the config of now stands in for it.
    const std::optional<Resource> declared =
        intent.resource.has_value() ? intent.resource
                                    : config.RecordedAt(address);
    const bool desired = declared.has_value();
    Resource resource = desired ? *declared : Resource{};
    resource.address = address;
    if (!desired) {
      // No longer declared: record what is live so that a plan deletes it.
      if (found.volume != nullptr) {
        resource.volume = found.volume->spec;
        resource.protect = true;
      } else if (found.endpoint != nullptr) {
        resource.endpoint = found.endpoint->spec;
        // As a pod's: only going to be deleted, it needs no env recorded.
        resource.endpoint.env.clear();
      } else {
        resource.pod = found.pod->spec;
        resource.pod.data_center = intent.data_center;
        // Its env may hold secrets that the config no longer names; a pod
        // that is only going to be deleted needs none of it recorded.
        resource.pod.env.clear();
      }
    }
    if (found.pod != nullptr) {
      resource.pod.network_volume_id = found.pod->spec.network_volume_id;
    }
    if (found.endpoint != nullptr) {
      resource.endpoint.network_volume_ids =
          found.endpoint->spec.network_volume_ids;
      resource.endpoint.data_centers = found.endpoint->spec.data_centers;
    }
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
    if (address.kind == Kind::kPod) {
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
