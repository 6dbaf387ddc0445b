#include "reconciler/plan/planner.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "absl/algorithm/container.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/writers.h"
#include "reconciler/core/catalog.h"
#include "reconciler/plan/diff.h"
#include "reconciler/plan/steps.h"

namespace podform {
namespace {

using plan_internal::Corrected;
using plan_internal::Diff;

// Cost sums are rounded to 1/10000 USD so that renderings and JSON show
// 35 rather than 35.00000000000001.
double RoundCost(double usd) { return std::round(usd * 10000) / 10000; }

bool IsAny(Action action, std::initializer_list<Action> actions) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

// Everything the planner knows about one address while planning.
struct Entry {
  Change change;
  std::vector<std::string> errors;
  std::vector<std::string> warnings;
  const ResourceState* recorded = nullptr;
  bool exists_live = false;
  // A volume that will have a new RunPod id after this plan (replaced, or
  // re-created after it was deleted outside podform).
  bool new_identity = false;
};

class Planner {
 public:
  Planner(const Desired& desired, const State& prior, const LiveState& live,
          const PlanOptions& options)
      : desired_(desired),
        prior_(prior),
        live_(live),
        live_index_(live),
        options_(options) {
    if (!options.destroy) {
      volumes_ = &desired.volumes;
      pods_ = &desired.pods;
      endpoints_ = &desired.endpoints;
    }
    config_digest_ = desired.digest;
  }

  absl::StatusOr<Plan> Run();

 private:
  void PlanVolume(const Address& address);
  void PlanPod(const Address& address);
  void PlanEndpoint(const Address& address);
  // An endpoint mounts volume.KEY: its address (recorded or desired).
  std::vector<Address> EndpointsMounting(const std::string& volume_key) const;
  // What endpoints add to AddDependencies: their creates, updates and
  // replaces wait for the volumes they will mount; a volume's delete or
  // replace waits for every endpoint that stops mounting it (deleted,
  // replaced, or updated to mount other volumes); a volume that loses its
  // data names the endpoints that mount it.
  void AddEndpointDependencies();
  // The terminations of the deposed pods of prior_ (Change::deposed_id).
  void PlanDeposed();
  // Fills in a change for a recorded resource that RunPod no longer has.
  void PlanGone(Entry& entry, const std::optional<Resource>& after);
  void CheckProtection(Entry& entry, const std::string& what) const;
  void AddDependencies();
  std::set<Address> Kept() const;
  Cost ComputeCost(const std::set<Address>& kept) const;
  std::vector<UnmanagedResource> Unmanaged() const;
  std::vector<std::string> Warnings(const std::set<Address>& kept) const;
  // The several-writers check with the unmanaged live mounters of desired
  // volumes (see MakePlan): a warning or error per volume, by its address.
  void CheckUnmanagedWriters(
      std::vector<std::pair<Address, std::string>>* errors,
      std::vector<std::string>* warnings) const;

  const Desired& desired_;
  const State& prior_;
  const LiveState& live_;
  // Looked up once per recorded resource: an index keeps planning linear.
  const LiveIndex live_index_;
  const PlanOptions& options_;
  const std::map<std::string, DesiredVolume> empty_volumes_;
  const std::map<std::string, DesiredPod> empty_pods_;
  const std::map<std::string, DesiredVolume>* volumes_ = &empty_volumes_;
  const std::map<std::string, DesiredPod>* pods_ = &empty_pods_;
  const std::map<std::string, DesiredEndpoint> empty_endpoints_;
  const std::map<std::string, DesiredEndpoint>* endpoints_ = &empty_endpoints_;
  std::string config_digest_;
  std::map<Address, Entry> entries_;
  std::vector<Change> deposed_;  // PlanDeposed
  double deposed_hourly_ = 0;    // what the running deposed pods cost
  std::set<Address> deposed_unpriced_;  // running deposed pods of no price
};

void Planner::PlanGone(Entry& entry, const std::optional<Resource>& after) {
  Change& c = entry.change;
  const std::string address = c.address.ToString();
  c.id = "";
  if (after.has_value()) {
    c.action = Action::kCreate;
    c.after = after;
    c.reasons.push_back("deleted outside podform");
    entry.new_identity = true;
    entry.warnings.push_back(
        absl::StrCat(address, ": deleted outside podform (", entry.recorded->id,
                     " is gone from RunPod); it will be created again",
                     c.address.kind == Kind::kVolume ? ", empty" : ""));
  } else {
    c.action = Action::kDelete;
    c.before = entry.recorded->resource;
    c.reasons.push_back(
        "already deleted outside podform; only its lock file entry is "
        "removed");
  }
}

void Planner::CheckProtection(Entry& entry, const std::string& what) const {
  const Address& address = entry.change.address;
  auto desired = volumes_->find(address.name);
  bool is_protected =
      (desired != volumes_->end() && desired->second.protect) ||
      (entry.recorded != nullptr && entry.recorded->resource.protect);
  if (is_protected && options_.allow_destroy.count(address) == 0) {
    entry.errors.push_back(absl::StrCat(
        address.ToString(), ": ", what,
        " destroys its data; it is protected: re-run with --allow-destroy ",
        address.ToString()));
  }
}

void Planner::PlanVolume(const Address& address) {
  Entry& entry = entries_[address];
  Change& c = entry.change;
  c.address = address;
  std::optional<Resource> after;
  if (auto it = volumes_->find(address.name); it != volumes_->end()) {
    after = RecordedResource(address.name, it->second);
  }
  entry.recorded = prior_.Find(address);
  if (entry.recorded == nullptr) {
    c.action = Action::kCreate;
    c.after = after;
    return;
  }
  const LiveVolume* live = entry.recorded->id.empty()
                               ? nullptr
                               : live_index_.FindVolume(entry.recorded->id);
  if (live == nullptr) {
    PlanGone(entry, after);
    return;
  }
  entry.exists_live = true;
  c.id = entry.recorded->id;
  c.live_fingerprint = Fingerprint(*live);
  Corrected corrected =
      plan_internal::CorrectVolume(entry.recorded->resource, *live);
  c.before = corrected.before;
  c.reasons = corrected.drift;
  if (!after.has_value()) {
    c.action = Action::kDelete;
    c.destroys_data = true;
    c.reasons.push_back(options_.destroy ? "podform destroy"
                                         : "no longer in the configuration");
    CheckProtection(entry, "deleting it");
    return;
  }
  c.after = after;
  bool size_drifted =
      live->spec.size_gb > 0 &&
      live->spec.size_gb != entry.recorded->resource.volume.size_gb;
  Diff d = plan_internal::DiffVolume(*c.before, *after, size_drifted);
  c.action = d.action;
  c.reasons.insert(c.reasons.end(), d.reasons.begin(), d.reasons.end());
  c.replace_attributes = d.replace_attributes;
  entry.errors = d.errors;
  if (c.action == Action::kReplace) {
    c.destroys_data = true;
    entry.new_identity = true;
    CheckProtection(entry, absl::StrCat("replacing it (",
                                        absl::StrJoin(d.reasons, "; "), ")"));
  }
}

void Planner::PlanPod(const Address& address) {
  Entry& entry = entries_[address];
  Change& c = entry.change;
  c.address = address;
  std::optional<Resource> after;
  std::set<std::string> desired_env_keys;
  const DesiredPod* desired = nullptr;
  std::string volume_replaced_reason;
  bool volume_destroyed_first = false;  // its volume is replaced
  if (auto it = pods_->find(address.name); it != pods_->end()) {
    const DesiredPod& d = it->second;
    desired = &d;
    // A secret is only marked: its value goes to the applier alone.
    Resource r = RecordedResource(address.name, d);
    for (const auto& [key, value] : d.spec.env) desired_env_keys.insert(key);
    if (!d.volume.empty()) {
      Address volume{Kind::kVolume, d.volume};
      auto v = entries_.find(volume);
      if (v == entries_.end() || volumes_->count(d.volume) == 0) {
        entry.errors.push_back(
            absl::StrCat(address.ToString(), ": mounts ", volume.ToString(),
                         ", which is not in the configuration"));
      } else if (v->second.new_identity) {
        volume_destroyed_first =
            v->second.change.action == Action::kReplace;
        volume_replaced_reason = absl::StrCat(
            volume.ToString(), " is ",
            v->second.change.action == Action::kReplace ? "replaced"
                                                        : "re-created",
            ": a network volume is attached only when a pod is created");
      } else if (v->second.recorded != nullptr) {
        r.pod.network_volume_id = v->second.recorded->id;
      }
    }
    after = r;
  }
  entry.recorded = prior_.Find(address);
  if (entry.recorded == nullptr) {
    c.action = Action::kCreate;
    c.after = after;
    return;
  }
  const LivePod* live = entry.recorded->id.empty()
                            ? nullptr
                            : live_index_.FindPod(entry.recorded->id);
  if (live != nullptr && live->Gone()) live = nullptr;
  if (live == nullptr) {
    PlanGone(entry, after);
    return;
  }
  entry.exists_live = true;
  c.id = entry.recorded->id;
  Corrected corrected = plan_internal::CorrectPod(
      entry.recorded->resource, *live, desired_env_keys,
      desired == nullptr ? std::set<std::string>() : desired->secret_env);
  c.before = corrected.before;
  c.reasons = corrected.drift;
  if (!after.has_value()) {
    c.action = Action::kDelete;
    c.reasons.push_back(options_.destroy ? "podform destroy"
                                         : "no longer in the configuration");
    c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
    return;
  }
  c.after = after;
  // Secrets: the value in the environment against the one RunPod holds.
  c.secret_env_changes =
      ChangedSecretEnv(desired->secret_env, desired->spec.env, *live);
  for (const std::string& key : c.secret_env_changes) {
    if (c.before->secret_env.count(key) > 0) {
      c.reasons.push_back(absl::StrCat(
          "env.", key, " differs from the value RunPod holds (sensitive)"));
    }
  }
  c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
  Diff d = plan_internal::DiffPod(*c.before, *after, c.secret_env_changes,
                                  volume_replaced_reason,
                                  options_.resume_sets_gpu_count);
  c.action = d.action;
  c.gpu_count_by_resume = d.gpu_count_by_resume;
  c.reasons.insert(c.reasons.end(), d.reasons.begin(), d.reasons.end());
  c.replace_attributes = d.replace_attributes;
  if (c.action != Action::kReplace) return;
  if (desired->destroy_first) {
    c.replace_order_reason = "replace: destroy-first in podform.yaml";
  } else if (volume_destroyed_first) {
    c.replace_order_reason = absl::StrCat(
        "volume.", desired->volume,
        " is replaced: its old volume goes only after the old pod, and the "
        "new pod needs the new volume");
  } else {
    c.replace_order = ReplaceOrder::kCreateFirst;
  }
}

void Planner::PlanEndpoint(const Address& address) {
  Entry& entry = entries_[address];
  Change& c = entry.change;
  c.address = address;
  std::optional<Resource> after;
  std::set<std::string> desired_env_keys;
  const DesiredEndpoint* desired = nullptr;
  // Its volumes that this plan replaces (addresses) or creates (keys).
  std::vector<std::string> replaced, created;
  if (auto it = endpoints_->find(address.name); it != endpoints_->end()) {
    desired = &it->second;
    Resource r = RecordedResource(address.name, *desired);
    for (const auto& [key, value] : desired->spec.env) {
      desired_env_keys.insert(key);
    }
    // The volumes' ids when all of them have one before the plan runs;
    // otherwise apply fills them in.
    std::vector<std::string> ids;
    for (const std::string& key : desired->volumes) {
      Address volume{Kind::kVolume, key};
      auto v = entries_.find(volume);
      if (v == entries_.end() || volumes_->count(key) == 0) {
        entry.errors.push_back(
            absl::StrCat(address.ToString(), ": mounts ", volume.ToString(),
                         ", which is not in the configuration"));
      } else if (v->second.change.action == Action::kReplace) {
        replaced.push_back(volume.ToString());
      } else if (v->second.change.action == Action::kCreate) {
        created.push_back(key);
      } else if (v->second.recorded != nullptr) {
        ids.push_back(v->second.recorded->id);
      }
    }
    if (ids.size() == desired->volumes.size()) {
      r.endpoint.network_volume_ids = ids;
    }
    after = r;
  }
  entry.recorded = prior_.Find(address);
  if (entry.recorded == nullptr) {
    c.action = Action::kCreate;
    c.after = after;
    return;
  }
  const LiveEndpoint* live =
      entry.recorded->id.empty()
          ? nullptr
          : live_index_.FindEndpoint(entry.recorded->id);
  if (live == nullptr) {
    PlanGone(entry, after);
    return;
  }
  entry.exists_live = true;
  c.id = entry.recorded->id;
  Corrected corrected = plan_internal::CorrectEndpoint(
      entry.recorded->resource, *live, desired_env_keys,
      desired == nullptr ? std::set<std::string>() : desired->secret_env);
  c.before = corrected.before;
  c.reasons = corrected.drift;
  if (!after.has_value()) {
    c.action = Action::kDelete;
    c.reasons.push_back(absl::StrCat(
        options_.destroy ? "podform destroy" : "no longer in the configuration",
        " (RunPod deletes its bound template with it)"));
    c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
    return;
  }
  c.after = after;
  c.secret_env_changes =
      ChangedSecretEnv(desired->secret_env, desired->spec.env, live->spec.env);
  for (const std::string& key : c.secret_env_changes) {
    if (c.before->secret_env.count(key) > 0) {
      c.reasons.push_back(absl::StrCat(
          "env.", key, " differs from the value RunPod holds (sensitive)"));
    }
  }
  c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
  std::string replaced_reason, recreated_reason;
  if (!replaced.empty()) {
    replaced_reason = absl::StrCat(
        absl::StrJoin(replaced, ", "),
        replaced.size() == 1 ? " is" : " are",
        " replaced: RunPod does not delete a volume an endpoint mounts, so "
        "the endpoint is deleted before it and created again after the new "
        "one (new id and URL)");
  }
  // A volume created by this plan under a key the endpoint mounted already
  // (deleted outside podform, or forgotten with state rm): a new volume
  // to mount, though the keys stay the same.
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
  plan_internal::Diff d = plan_internal::DiffEndpoint(
      *c.before, *after, c.secret_env_changes, replaced_reason,
      recreated_reason);
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

std::vector<Address> Planner::EndpointsMounting(
    const std::string& volume_key) const {
  std::set<Address> out;
  for (const auto& [key, e] : *endpoints_) {
    if (absl::c_linear_search(e.volumes, volume_key)) {
      out.insert({Kind::kEndpoint, key});
    }
  }
  for (const auto& [address, state] : prior_.resources) {
    if (address.kind == Kind::kEndpoint &&
        absl::c_linear_search(state.resource.volume_keys, volume_key)) {
      out.insert(address);
    }
  }
  return {out.begin(), out.end()};
}

void Planner::AddEndpointDependencies() {
  for (auto& [address, entry] : entries_) {
    Change& c = entry.change;
    if (address.kind == Kind::kEndpoint &&
        IsAny(c.action, {Action::kCreate, Action::kReplace, Action::kUpdate}) &&
        c.after.has_value()) {
      for (const std::string& key : c.after->volume_keys) {
        Address volume{Kind::kVolume, key};
        auto v = entries_.find(volume);
        if (v != entries_.end() &&
            IsAny(v->second.change.action,
                  {Action::kCreate, Action::kReplace, Action::kUpdate})) {
          c.depends_on.push_back(volume);
        }
      }
    }
    if (address.kind != Kind::kVolume ||
        !IsAny(c.action, {Action::kDelete, Action::kReplace})) {
      continue;
    }
    std::vector<std::string> losers;
    for (const Address& endpoint : EndpointsMounting(address.name)) {
      auto e = entries_.find(endpoint);
      if (e == entries_.end()) continue;
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

void Planner::PlanDeposed() {
  for (const auto& [address, pods] : prior_.deposed) {
    for (const ResourceState& pod : pods) {
      Change c;
      c.address = address;
      c.action = Action::kDelete;
      c.deposed_id = pod.id;
      c.before = pod.resource;
      c.before->address = address;
      const LivePod* live = live_index_.FindPod(pod.id);
      if (live != nullptr && live->Gone()) live = nullptr;
      if (live == nullptr) {
        c.reasons.push_back(
            "deposed pod already gone from RunPod; only its lock file entry "
            "is removed");
      } else {
        c.id = pod.id;
        c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
        c.reasons.push_back(
            "deposed: a replacement created its successor but did not "
            "terminate it; it is still on RunPod and billed");
        if (live->Running()) {
          std::optional<double> hourly = PodHourlyCost(
              c.before->pod.gpu_type, c.before->pod.gpu_count,
              c.before->pod.cloud_type);
          if (hourly.has_value()) {
            deposed_hourly_ += *hourly;
          } else {
            deposed_unpriced_.insert(address);
          }
        }
      }
      deposed_.push_back(std::move(c));
    }
  }
}

void Planner::AddDependencies() {
  for (auto& [address, entry] : entries_) {
    Change& c = entry.change;
    if (address.kind == Kind::kPod &&
        IsAny(c.action, {Action::kCreate, Action::kReplace}) &&
        c.after.has_value() && !c.after->volume_key.empty()) {
      Address volume{Kind::kVolume, c.after->volume_key};
      auto v = entries_.find(volume);
      if (v != entries_.end() &&
          IsAny(v->second.change.action,
                {Action::kCreate, Action::kReplace, Action::kUpdate})) {
        c.depends_on.push_back(volume);
      }
    }
    if (address.kind == Kind::kVolume &&
        IsAny(c.action, {Action::kDelete, Action::kReplace})) {
      for (const auto& [pod, state] : prior_.resources) {
        if (pod.kind != Kind::kPod ||
            state.resource.volume_key != address.name) {
          continue;
        }
        auto p = entries_.find(pod);
        if (p != entries_.end() && IsAny(p->second.change.action,
                                         {Action::kDelete, Action::kReplace})) {
          c.destroy_depends_on.push_back(pod);
        }
      }
      // Deposed pods that mount it are terminated before it goes too.
      for (const Change& deposed : deposed_) {
        if (deposed.id.empty() ||
            deposed.before->volume_key != address.name) {
          continue;
        }
        if (std::find(c.destroy_depends_on.begin(), c.destroy_depends_on.end(),
                      deposed.address) == c.destroy_depends_on.end()) {
          c.destroy_depends_on.push_back(deposed.address);
        }
      }
      std::sort(c.destroy_depends_on.begin(), c.destroy_depends_on.end());
    }
  }
}

std::set<Address> Planner::Kept() const {
  std::set<Address> kept;
  if (options_.targets.empty()) {
    for (const auto& [address, entry] : entries_) kept.insert(address);
    return kept;
  }
  std::vector<Address> work(options_.targets.begin(), options_.targets.end());
  while (!work.empty()) {
    Address address = work.back();
    work.pop_back();
    auto it = entries_.find(address);
    if (it == entries_.end() || !kept.insert(address).second) continue;
    const Change& c = it->second.change;
    work.insert(work.end(), c.depends_on.begin(), c.depends_on.end());
    work.insert(work.end(), c.destroy_depends_on.begin(),
                c.destroy_depends_on.end());
  }
  return kept;
}

Cost Planner::ComputeCost(const std::set<Address>& kept) const {
  Cost cost;
  std::set<Address> unpriced, unpriced_pods, endpoints, active_endpoints;
  // `after`: whether r is what exists once the plan is applied.
  auto add = [&](const Resource& r, bool after) {
    double* storage =
        after ? &cost.storage_monthly_after : &cost.storage_monthly_before;
    double* pods = after ? &cost.pods_hourly_after : &cost.pods_hourly_before;
    if (r.address.kind == Kind::kEndpoint) {
      endpoints.insert(r.address);
      if (r.endpoint.workers_min == 0) return;
      std::optional<double> hourly = ServerlessWorkersHourlyCost(
          r.endpoint.gpu_pools, r.endpoint.gpu_count, r.endpoint.workers_min);
      if (hourly.has_value()) {
        (after ? cost.endpoints_hourly_after : cost.endpoints_hourly_before) +=
            *hourly;
      } else {
        active_endpoints.insert(r.address);
      }
    } else if (r.address.kind == Kind::kVolume) {
      if (VolumePricePublished(r.volume.type)) {
        *storage += VolumeMonthlyCost(r.volume.size_gb);
      } else {
        unpriced.insert(r.address);
      }
    } else if (r.pod.running) {
      std::optional<double> hourly =
          PodHourlyCost(r.pod.gpu_type, r.pod.gpu_count, r.pod.cloud_type);
      if (hourly.has_value()) {
        *pods += *hourly;
      } else {
        unpriced_pods.insert(r.address);
      }
    }
  };
  for (const auto& [address, entry] : entries_) {
    const Change& c = entry.change;
    if (entry.exists_live && c.before.has_value()) add(*c.before, false);
    if (kept.count(address) == 0) {
      if (entry.exists_live && c.before.has_value()) add(*c.before, true);
    } else if (c.action != Action::kDelete && c.after.has_value()) {
      add(*c.after, true);
    }
  }
  // A running deposed pod is billed until its termination.
  cost.pods_hourly_before += deposed_hourly_;
  unpriced_pods.insert(deposed_unpriced_.begin(), deposed_unpriced_.end());
  cost.storage_monthly_before = RoundCost(cost.storage_monthly_before);
  cost.storage_monthly_after = RoundCost(cost.storage_monthly_after);
  cost.pods_hourly_before = RoundCost(cost.pods_hourly_before);
  cost.pods_hourly_after = RoundCost(cost.pods_hourly_after);
  cost.endpoints_hourly_before = RoundCost(cost.endpoints_hourly_before);
  cost.endpoints_hourly_after = RoundCost(cost.endpoints_hourly_after);
  cost.unpriced_volumes.assign(unpriced.begin(), unpriced.end());
  cost.unpriced_pods.assign(unpriced_pods.begin(), unpriced_pods.end());
  cost.usage_based_endpoints.assign(endpoints.begin(), endpoints.end());
  cost.unpriced_active_endpoints.assign(active_endpoints.begin(),
                                        active_endpoints.end());
  return cost;
}

std::vector<UnmanagedResource> Planner::Unmanaged() const {
  std::set<std::string> known;
  for (const auto& [address, state] : prior_.resources) known.insert(state.id);
  for (const Change& deposed : deposed_) known.insert(deposed.deposed_id);
  std::vector<UnmanagedResource> out;
  for (const LiveVolume& v : live_.volumes) {
    if (known.count(v.id) == 0)
      out.push_back({Kind::kVolume, v.id, v.spec.name});
  }
  for (const LivePod& p : live_.pods) {
    if (known.count(p.id) == 0 && !p.Gone()) {
      out.push_back({Kind::kPod, p.id, p.spec.name});
    }
  }
  for (const LiveEndpoint& e : live_.endpoints) {
    if (known.count(e.id) == 0) {
      out.push_back({Kind::kEndpoint, e.id, e.spec.name});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.kind, a.name, a.id) < std::tie(b.kind, b.name, b.id);
  });
  return out;
}

void Planner::CheckUnmanagedWriters(
    std::vector<std::pair<Address, std::string>>* errors,
    std::vector<std::string>* warnings) const {
  if (options_.destroy) return;
  std::map<std::string, std::string> volume_by_id;  // recorded id -> key
  std::set<std::string> known;
  for (const auto& [address, state] : prior_.resources) {
    known.insert(state.id);
    if (address.kind == Kind::kVolume && !state.id.empty() &&
        volumes_->count(address.name) > 0) {
      volume_by_id[state.id] = address.name;
    }
  }
  for (const Change& deposed : deposed_) known.insert(deposed.deposed_id);
  std::vector<VolumeMounter> unmanaged;
  for (const LivePod& pod : live_.pods) {
    if (known.count(pod.id) > 0 || pod.Gone()) continue;
    auto volume = volume_by_id.find(pod.spec.network_volume_id);
    if (volume == volume_by_id.end()) continue;
    unmanaged.push_back({volume->second,
                         absl::StrCat("unmanaged pod ", pod.id, " \"",
                                      pod.spec.name, "\""),
                         /*read_write=*/true});
  }
  if (unmanaged.empty()) return;
  std::vector<VolumeMounter> mounters = ConfigMounters(desired_);
  mounters.insert(mounters.end(), unmanaged.begin(), unmanaged.end());
  const bool strict = options_.strict || desired_.guards.strict;
  for (const auto& [volume, writers] : SeveralWriters(mounters)) {
    const bool any_unmanaged =
        std::any_of(writers.begin(), writers.end(),
                    [](const VolumeMounter& w) { return w.path.empty(); });
    if (!any_unmanaged) continue;  // the config's own warning says it
    std::string message = absl::StrCat(
        SeveralWritersMessage(volume, writers),
        "; a pod podform does not manage counts as read-write (podform "
        "cannot know its access)");
    if (strict) {
      errors->push_back(
          {Address{Kind::kVolume, volume},
           absl::StrCat(message, " (an error with --strict or guards.strict)")});
    } else {
      warnings->push_back(std::move(message));
    }
  }
}

std::vector<std::string> Planner::Warnings(
    const std::set<Address>& kept) const {
  std::map<Address, std::vector<std::string>> by_address;
  for (const auto& [address, entry] : entries_) {
    if (kept.count(address) == 0) continue;
    by_address[address] = entry.warnings;
  }
  for (const auto& [address, intent] : prior_.intents) {
    bool planned = entries_.count(address) > 0;
    if (planned && kept.count(address) == 0) continue;
    std::string text =
        planned
            ? absl::StrCat(address.ToString(),
                           ": an earlier apply was interrupted before "
                           "recording whether it had created it; apply will "
                           "look for it on RunPod first")
            : absl::StrCat(address.ToString(),
                           ": an earlier apply was interrupted before "
                           "recording whether it had created it, and it is no "
                           "longer in the configuration; ",
                           address.kind == Kind::kEndpoint ? "an " : "a ",
                           KindName(address.kind), " named \"", intent.name,
                           "\" on RunPod is listed as unmanaged");
    by_address[address].insert(by_address[address].begin(), std::move(text));
  }
  std::vector<std::string> out;
  for (auto& [address, texts] : by_address) {
    out.insert(out.end(), texts.begin(), texts.end());
  }
  if (!options_.targets.empty()) {
    out.push_back(
        "--target: only the targeted resources and what they depend on are "
        "planned; other resources may still differ from the configuration");
  }
  return out;
}

absl::StatusOr<Plan> Planner::Run() {
  if (prior_.lineage.empty()) {
    return absl::InvalidArgumentError(
        "the prior state has no lineage; a new lock file needs one before "
        "planning (a saved plan names it)");
  }
  // By kind, volumes first: pods and endpoints look up their volumes'
  // entries.
  std::map<Kind, std::set<Address>> addresses;
  for (const auto& [key, v] : *volumes_) {
    addresses[Kind::kVolume].insert({Kind::kVolume, key});
  }
  for (const auto& [key, p] : *pods_) {
    addresses[Kind::kPod].insert({Kind::kPod, key});
  }
  for (const auto& [key, e] : *endpoints_) {
    addresses[Kind::kEndpoint].insert({Kind::kEndpoint, key});
  }
  for (const auto& [address, state] : prior_.resources) {
    addresses[address.kind].insert(address);
  }
  for (const Address& a : addresses[Kind::kVolume]) PlanVolume(a);
  for (const Address& a : addresses[Kind::kPod]) PlanPod(a);
  for (const Address& a : addresses[Kind::kEndpoint]) PlanEndpoint(a);
  PlanDeposed();
  AddDependencies();
  AddEndpointDependencies();

  std::vector<std::pair<Address, std::string>> errors;
  bool flag_error = false;
  const char* nowhere = options_.destroy
                            ? "is not in the lock file"
                            : "is neither in the configuration nor in the "
                              "lock file";
  auto check_flag = [&](const std::set<Address>& named, const char* flag) {
    for (const Address& a : named) {
      if (entries_.count(a) > 0) continue;
      flag_error = true;
      errors.push_back({a, absl::StrCat(a.ToString(), ": named by ", flag,
                                        " but ", nowhere)});
    }
  };
  check_flag(options_.targets, "--target");
  check_flag(options_.allow_destroy, "--allow-destroy");

  std::set<Address> kept = Kept();
  for (const Address& a : kept) {
    for (const std::string& e : entries_.at(a).errors) errors.push_back({a, e});
  }
  std::vector<std::string> writer_warnings;
  CheckUnmanagedWriters(&errors, &writer_warnings);
  if (!errors.empty()) {
    std::stable_sort(
        errors.begin(), errors.end(),
        [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> lines;
    for (const auto& [a, e] : errors) lines.push_back(e);
    std::string message = absl::StrJoin(lines, "\n");
    return flag_error ? absl::InvalidArgumentError(message)
                      : absl::FailedPreconditionError(message);
  }

  Plan plan;
  plan.destroy = options_.destroy;
  plan.lineage = prior_.lineage;
  plan.serial = prior_.serial;
  plan.target = prior_.target;
  plan.config_digest = config_digest_;
  plan.cost = ComputeCost(kept);
  plan.unmanaged = Unmanaged();
  plan.warnings = Warnings(kept);
  plan.warnings.insert(plan.warnings.end(), writer_warnings.begin(),
                       writer_warnings.end());

  // Changes are large (two Resources each): moved, never copied, into
  // vectors sized up front.
  std::vector<Change> changes;
  changes.reserve(kept.size() + deposed_.size());
  for (const Address& a : kept) {
    changes.push_back(std::move(entries_.at(a).change));
  }
  // Deposed pods are always terminated (a --target plan only those of the
  // addresses it keeps): they are billed and nothing else ends them.
  std::set<Address> with_deposed = kept;
  for (const Change& c : changes) {
    with_deposed.insert(c.destroy_depends_on.begin(),
                        c.destroy_depends_on.end());
  }
  for (Change& deposed : deposed_) {
    if (options_.targets.empty() || with_deposed.count(deposed.address) > 0) {
      changes.push_back(std::move(deposed));
    }
  }
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(changes);
  if (!steps.ok()) {
    return absl::InternalError(absl::StrCat(
        "planner made an unorderable plan: ", steps.status().message()));
  }
  // Each change goes where its first step runs, the no-ops last. The
  // vector is permuted in place (a second one would cost as much memory
  // again); most plans are in that order already.
  std::vector<size_t> order;
  order.reserve(changes.size());
  std::vector<bool> placed(changes.size(), false);
  for (const Step& step : *steps) {
    if (placed[step.change]) continue;
    placed[step.change] = true;
    order.push_back(step.change);
  }
  for (size_t i = 0; i < changes.size(); ++i) {
    if (!placed[i]) order.push_back(i);  // no-ops
  }
  std::vector<bool> moved(changes.size(), false);
  for (size_t start = 0; start < changes.size(); ++start) {
    if (moved[start] || order[start] == start) continue;
    // changes[k] becomes the old changes[order[k]], one cycle at a time.
    Change held = std::move(changes[start]);
    size_t k = start;
    for (; order[k] != start; k = order[k]) {
      changes[k] = std::move(changes[order[k]]);
      moved[k] = true;
    }
    changes[k] = std::move(held);
    moved[k] = true;
  }
  plan.changes = std::move(changes);
  return plan;
}

}  // namespace

absl::StatusOr<Plan> MakePlan(const Desired& desired, const State& prior,
                              const LiveState& live,
                              const PlanOptions& options) {
  Planner planner(desired, prior, live, options);
  return planner.Run();
}

}  // namespace podform
