// A serverless endpoint's planning rules (DESIGN.md "Planning rules"): what
// DiffEndpoint changes in place or replaces, the volumes it mounts, and why
// a replacement always deletes first.

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/catalog.h"
#include "reconciler/plan/kind_rules.h"

namespace podform::plan_internal {
namespace {

// The endpoints that mount volume.`volume_key`: their addresses, desired
// in `wanted` or recorded in `prior`.
std::vector<Address> EndpointsMounting(const std::string& volume_key,
                                       const Desired& wanted,
                                       const State& prior) {
  std::set<Address> out;
  for (const auto& [key, e] : wanted.endpoints) {
    if (absl::c_linear_search(e.volumes, volume_key)) {
      out.insert({Kind::kEndpoint, key});
    }
  }
  for (const auto& [address, state] : prior.resources) {
    if (address.kind == Kind::kEndpoint &&
        absl::c_linear_search(state.resource.volume_keys, volume_key)) {
      out.insert(address);
    }
  }
  return {out.begin(), out.end()};
}

class Endpoints : public KindRules {
 public:
  Kind kind() const override { return Kind::kEndpoint; }

  std::vector<std::string> DesiredKeys(const Desired& desired) const override {
    return KeysOf(desired.endpoints);
  }

  void Plan(const Address& address, const PlanContext& context,
            Entry& entry) const override {
    Change& c = entry.change;
    c.address = address;
    std::optional<Resource> after;
    // Its volumes that this plan replaces (addresses) or creates (keys).
    std::vector<std::string> replaced, created;
    if (auto it = context.desired.endpoints.find(address.name);
        it != context.desired.endpoints.end()) {
      const DesiredEndpoint& desired = it->second;
      Resource r = RecordedResource(address.name, desired);
      // The volumes' ids when all of them have one before the plan runs;
      // otherwise apply fills them in.
      std::vector<std::string> ids;
      for (const std::string& key : desired.volumes) {
        const Entry* volume = MountedVolume(key, context, entry);
        if (volume == nullptr) continue;
        if (volume->change.action == Action::kReplace) {
          replaced.push_back(volume->change.address.ToString());
        } else if (volume->change.action == Action::kCreate) {
          created.push_back(key);
        } else if (volume->recorded != nullptr) {
          ids.push_back(volume->recorded->id);
        }
      }
      if (ids.size() == desired.volumes.size()) {
        r.endpoint.network_volume_ids = ids;
      }
      after = std::move(r);
    }
    const LiveEndpoint* live = PlanWithEnv(
        entry, after, context,
        [&](std::string_view id) { return context.live.FindEndpoint(id); },
        CorrectEndpoint, " (RunPod deletes its bound template with it)");
    if (live == nullptr) return;
    std::string replaced_reason, recreated_reason;
    if (!replaced.empty()) {
      replaced_reason = absl::StrCat(
          absl::StrJoin(replaced, ", "), replaced.size() == 1 ? " is" : " are",
          " replaced: RunPod does not delete a volume an endpoint mounts, so "
          "the endpoint is deleted before it and created again after the new "
          "one (new id and URL)");
    }
    // A volume created by this plan under a key the endpoint mounted
    // already (deleted outside podform, or forgotten with state rm): a new
    // volume to mount, though the keys stay the same.
    std::vector<std::string> recreated;
    for (const std::string& key : created) {
      if (absl::c_linear_search(c.before->volume_keys, key)) {
        recreated.push_back(absl::StrCat("volume.", key));
      }
    }
    if (!recreated.empty()) {
      recreated_reason = absl::StrCat(
          absl::StrJoin(recreated, ", "),
          recreated.size() == 1 ? " is" : " are",
          " created anew: the endpoint mounts the new, empty volume");
    }
    Diff d = DiffEndpoint(*c.before, *after, c.secret_env_changes,
                          replaced_reason, recreated_reason);
    c.action = d.action;
    c.reasons.insert(c.reasons.end(), d.reasons.begin(), d.reasons.end());
    c.replace_attributes = d.replace_attributes;
    // RunPod cannot hold two endpoints of one name: always destroy-first.
    if (c.action == Action::kReplace) {
      c.replace_order_reason =
          replaced.empty()
              ? "an endpoint is deleted before its replacement is created"
              : "its volume goes only after the old endpoint, and the new "
                "endpoint needs the new volume";
    }
  }

  void AddCost(const Resource& r, bool after, Cost* cost) const override {
    cost->usage_based_endpoints.push_back(r.address);
    if (r.endpoint.workers_min == 0) return;
    std::optional<double> hourly = ServerlessWorkersHourlyCost(
        r.endpoint.gpu_pools, r.endpoint.gpu_count, r.endpoint.workers_min);
    if (hourly.has_value()) {
      (after ? cost->endpoints_hourly_after : cost->endpoints_hourly_before) +=
          *hourly;
    } else {
      cost->unpriced_active_endpoints.push_back(r.address);
    }
  }

  void ListUnmanaged(const LiveState& live, const KnownIds& known,
                     std::vector<UnmanagedResource>* out) const override {
    AppendUnmanaged(
        kind(), live.endpoints, known, [](const LiveEndpoint&) { return true; },
        out);
  }

  // Its creates, updates and replaces wait for the volumes it will mount;
  // a volume's delete or replace waits for every endpoint that stops
  // mounting it (deleted, replaced, or updated to mount other volumes); a
  // volume that loses its data names the endpoints that mount it.
  void AddDependencies(const PlanContext& context,
                       const std::vector<Change>& deposed,
                       std::map<Address, Entry>& entries) const override {
    for (auto& [address, entry] : entries) {
      Change& c = entry.change;
      if (address.kind == kind() &&
          IsAny(c.action,
                {Action::kCreate, Action::kReplace, Action::kUpdate}) &&
          c.after.has_value()) {
        for (const std::string& key : c.after->volume_keys) {
          WaitForVolume(key, entries, c);
        }
      }
      if (address.kind != Kind::kVolume ||
          !IsAny(c.action, {Action::kDelete, Action::kReplace})) {
        continue;
      }
      std::vector<std::string> losers;
      for (const Address& endpoint :
           EndpointsMounting(address.name, context.desired, context.prior)) {
        auto e = entries.find(endpoint);
        if (e == entries.end()) continue;
        const Change& ec = e->second.change;
        // Whether the endpoint mounts it after the plan (then it loses the
        // data), and whether it stops mounting the volume that goes.
        const bool mounts_after =
            ec.action != Action::kDelete && ec.after.has_value() &&
            absl::c_linear_search(ec.after->volume_keys, address.name);
        const bool mounted_before =
            ec.before.has_value() &&
            absl::c_linear_search(ec.before->volume_keys, address.name);
        if (mounts_after) losers.push_back(endpoint.ToString());
        if (mounted_before &&
            IsAny(ec.action,
                  {Action::kDelete, Action::kReplace, Action::kUpdate})) {
          c.destroy_depends_on.push_back(endpoint);
        }
      }
      std::sort(c.destroy_depends_on.begin(), c.destroy_depends_on.end());
      if (!losers.empty()) {
        c.reasons.push_back(absl::StrCat(
            "mounted by ", absl::StrJoin(losers, ", "),
            ": its workers lose what is on the volume and read an empty one"));
      }
    }
  }

  LiveNow FindLiveNow(const Change& change,
                      const LiveIndex& live) const override {
    const LiveEndpoint* endpoint = live.FindEndpoint(change.id);
    if (endpoint == nullptr) return {};
    return {Fingerprint(*endpoint, FingerprintedEnvKeys(change)),
            &endpoint->spec.env};
  }
};

}  // namespace

const KindRules& EndpointRules() {
  static const Endpoints rules;
  return rules;
}

}  // namespace podform::plan_internal
