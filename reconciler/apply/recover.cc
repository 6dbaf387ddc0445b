#include "reconciler/apply/recover.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/plan/diff.h"

namespace podform {
namespace {

// The recorded form of a desired volume or pod; secrets become digests.
Resource Desired(const Config& config, const Address& address,
                 const std::string& lineage, bool* found) {
  Resource r;
  r.address = address;
  *found = false;
  if (address.kind == Kind::kVolume) {
    auto it = config.volumes.find(address.name);
    if (it == config.volumes.end()) return r;
    r.volume = it->second.spec;
    r.protect = it->second.protect;
  } else {
    auto it = config.pods.find(address.name);
    if (it == config.pods.end()) return r;
    r.pod = it->second.spec;
    r.volume_key = it->second.volume;
    r.secret_env = it->second.secret_env;
    for (const std::string& key : r.secret_env) {
      r.pod.env[key] = SecretDigest(lineage, r.pod.env[key]);
    }
  }
  *found = true;
  return r;
}

}  // namespace

absl::StatusOr<std::vector<IntentOutcome>> ResolveIntents(
    const Config& config, const LiveState& live, State* state) {
  std::set<std::string> managed;
  for (const auto& [address, resource] : state->resources) {
    managed.insert(resource.id);
  }
  std::vector<IntentOutcome> outcomes;
  std::vector<std::string> ambiguous;
  std::vector<std::pair<Address, ResourceState>> adopt;
  for (const auto& [address, intent] : state->intents) {
    auto adoptable = [&, &intent = intent](const std::string& id) {
      return !managed.count(id) &&
             std::find(intent.preexisting_ids.begin(),
                       intent.preexisting_ids.end(),
                       id) == intent.preexisting_ids.end();
    };
    std::vector<std::string> ids;
    const LiveVolume* volume = nullptr;
    const LivePod* pod = nullptr;
    if (address.kind == Kind::kVolume) {
      for (const LiveVolume& v : live.volumes) {
        if (v.spec.name == intent.name &&
            v.spec.data_center == intent.data_center && adoptable(v.id)) {
          ids.push_back(v.id);
          volume = &v;
        }
      }
    } else {
      for (const LivePod& p : live.pods) {
        // A terminated pod is on its way out, never what a create made.
        if (p.spec.name == intent.name && adoptable(p.id) &&
            !plan_internal::IsTerminated(p)) {
          ids.push_back(p.id);
          pod = &p;
        }
      }
    }
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
    bool desired = false;
    Resource resource = Desired(config, address, state->lineage, &desired);
    if (!desired) {
      // No longer declared: record what is live so that a plan deletes it.
      if (volume != nullptr) {
        resource.volume = volume->spec;
        resource.protect = true;
      } else {
        resource.pod = pod->spec;
        resource.pod.data_center = intent.data_center;
      }
    }
    if (address.kind == Kind::kPod) {
      resource.pod.network_volume_id = pod->spec.network_volume_id;
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
