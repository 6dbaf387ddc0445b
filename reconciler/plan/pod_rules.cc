// A pod's planning rules (DESIGN.md "Planning rules"): what DiffPod changes
// in place or replaces, the volume it mounts, and the order of a
// replacement (new-first unless the config or its volume says otherwise).

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "reconciler/core/catalog.h"
#include "reconciler/plan/kind_rules.h"

namespace podform::plan_internal {
namespace {

class Pods : public KindRules {
 public:
  Kind kind() const override { return Kind::kPod; }

  std::vector<std::string> DesiredKeys(const Desired& desired) const override {
    return KeysOf(desired.pods);
  }

  void Plan(const Address& address, const PlanContext& context,
            Entry& entry) const override {
    Change& c = entry.change;
    c.address = address;
    std::optional<Resource> after;
    const DesiredPod* desired = nullptr;
    std::string volume_replaced_reason;
    bool volume_destroyed_first = false;  // its volume is replaced
    if (auto it = context.desired.pods.find(address.name);
        it != context.desired.pods.end()) {
      desired = &it->second;
      // A secret is only marked: its value goes to the applier alone.
      Resource r = RecordedResource(address.name, *desired);
      const Entry* volume =
          desired->volume.empty()
              ? nullptr
              : MountedVolume(desired->volume, context, entry);
      if (volume != nullptr && volume->new_identity) {
        volume_destroyed_first = volume->change.action == Action::kReplace;
        volume_replaced_reason = absl::StrCat(
            volume->change.address.ToString(), " is ",
            volume_destroyed_first ? "replaced" : "re-created",
            ": a network volume is attached only when a pod is created");
      } else if (volume != nullptr && volume->recorded != nullptr) {
        r.pod.network_volume_id = volume->recorded->id;
      }
      after = std::move(r);
    }
    const LivePod* live = PlanWithEnv(
        entry, after, context,
        [&](std::string_view id) -> const LivePod* {
          const LivePod* pod = context.live.FindPod(id);
          return pod != nullptr && pod->Gone() ? nullptr : pod;
        },
        CorrectPod, "");
    if (live == nullptr) return;
    Diff d =
        DiffPod(*c.before, *after, c.secret_env_changes, volume_replaced_reason,
                context.options.resume_sets_gpu_count);
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

  void AddCost(const Resource& r, bool after, Cost* cost) const override {
    if (!r.pod.running) return;
    std::optional<double> hourly =
        PodHourlyCost(r.pod.gpu_type, r.pod.gpu_count, r.pod.cloud_type);
    if (hourly.has_value()) {
      (after ? cost->pods_hourly_after : cost->pods_hourly_before) += *hourly;
    } else {
      cost->unpriced_pods.push_back(r.address);
    }
  }

  void ListUnmanaged(const LiveState& live, const KnownIds& known,
                     std::vector<UnmanagedResource>* out) const override {
    AppendUnmanaged(
        kind(), live.pods, known, [](const LivePod& p) { return !p.Gone(); },
        out);
  }

  void PlanDeposed(const PlanContext& context, Change& c,
                   Cost* cost) const override {
    const LivePod* live = context.live.FindPod(c.deposed_id);
    if (live == nullptr || live->Gone()) {
      KindRules::PlanDeposed(context, c, cost);
      return;
    }
    c.id = c.deposed_id;
    c.live_fingerprint = Fingerprint(*live, FingerprintedEnvKeys(c));
    c.reasons.push_back(
        "deposed: a replacement created its successor but did not "
        "terminate it; it is still on RunPod and billed");
    if (!live->Running()) return;
    std::optional<double> hourly =
        PodHourlyCost(c.before->pod.gpu_type, c.before->pod.gpu_count,
                      c.before->pod.cloud_type);
    if (hourly.has_value()) {
      cost->pods_hourly_before += *hourly;
    } else {
      cost->unpriced_pods.push_back(c.address);
    }
  }

  // Its creates and replaces wait for the volume it will mount; a
  // volume's delete or replace waits for the deletes and replaces of the
  // pods (deposed ones too) that mounted it.
  void AddDependencies(const PlanContext& context,
                       const std::vector<Change>& deposed,
                       std::map<Address, Entry>& entries) const override {
    for (auto& [address, entry] : entries) {
      Change& c = entry.change;
      if (address.kind == kind() &&
          IsAny(c.action, {Action::kCreate, Action::kReplace}) &&
          c.after.has_value() && !c.after->volume_key.empty()) {
        WaitForVolume(c.after->volume_key, entries, c);
      }
      if (address.kind == Kind::kVolume &&
          IsAny(c.action, {Action::kDelete, Action::kReplace})) {
        for (const auto& [pod, state] : context.prior.resources) {
          if (pod.kind != kind() || state.resource.volume_key != address.name) {
            continue;
          }
          auto p = entries.find(pod);
          if (p != entries.end() &&
              IsAny(p->second.change.action,
                    {Action::kDelete, Action::kReplace})) {
            c.destroy_depends_on.push_back(pod);
          }
        }
        // Deposed pods that mount it are terminated before it goes too.
        for (const Change& deposed_pod : deposed) {
          if (deposed_pod.id.empty() ||
              deposed_pod.before->volume_key != address.name) {
            continue;
          }
          if (std::find(c.destroy_depends_on.begin(),
                        c.destroy_depends_on.end(),
                        deposed_pod.address) == c.destroy_depends_on.end()) {
            c.destroy_depends_on.push_back(deposed_pod.address);
          }
        }
        std::sort(c.destroy_depends_on.begin(), c.destroy_depends_on.end());
      }
    }
  }

  LiveNow FindLiveNow(const Change& change,
                      const LiveIndex& live) const override {
    const LivePod* pod = live.FindPod(change.id);
    if (pod == nullptr) return {};
    return {Fingerprint(*pod, FingerprintedEnvKeys(change)), &pod->spec.env};
  }
};

}  // namespace

const KindRules& PodRules() {
  static const Pods rules;
  return rules;
}

}  // namespace podform::plan_internal
