// A network volume's planning rules (DESIGN.md "Planning rules"): grows,
// renames and protect changes in place (DiffVolume), a data-center or type
// change replaces it, and deleting or replacing it destroys its data, which
// protection guards.

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/catalog.h"
#include "reconciler/plan/kind_rules.h"

namespace podform::plan_internal {
namespace {

// Deleting or replacing (`what`) a volume whose desired or recorded protect
// is true is an error unless --allow-destroy names it.
void CheckProtection(Entry& entry, const PlanContext& context,
                     const std::string& what) {
  const Address& address = entry.change.address;
  auto desired = context.desired.volumes.find(address.name);
  bool is_protected =
      (desired != context.desired.volumes.end() && desired->second.protect) ||
      (entry.recorded != nullptr && entry.recorded->resource.protect);
  if (is_protected && context.options.allow_destroy.count(address) == 0) {
    entry.errors.push_back(absl::StrCat(
        address.ToString(), ": ", what,
        " destroys its data; it is protected: re-run with --allow-destroy ",
        address.ToString()));
  }
}

class Volumes : public KindRules {
 public:
  Kind kind() const override { return Kind::kVolume; }

  std::vector<std::string> DesiredKeys(const Desired& desired) const override {
    return KeysOf(desired.volumes);
  }

  void Plan(const Address& address, const PlanContext& context,
            Entry& entry) const override {
    Change& c = entry.change;
    c.address = address;
    std::optional<Resource> after;
    if (auto it = context.desired.volumes.find(address.name);
        it != context.desired.volumes.end()) {
      after = RecordedResource(address.name, it->second);
    }
    const LiveVolume* live = FindLiveOrPlan(
        entry, after, context, ", empty",
        [&](std::string_view id) { return context.live.FindVolume(id); });
    if (live == nullptr) return;
    c.live_fingerprint = Fingerprint(*live);
    Corrected corrected = CorrectVolume(entry.recorded->resource, *live);
    c.before = std::move(corrected.before);
    c.reasons = std::move(corrected.drift);
    if (!after.has_value()) {
      c.action = Action::kDelete;
      c.destroys_data = true;
      c.reasons.push_back(DeleteReason(context));
      CheckProtection(entry, context, "deleting it");
      return;
    }
    c.after = after;
    bool size_drifted =
        live->spec.size_gb > 0 &&
        live->spec.size_gb != entry.recorded->resource.volume.size_gb;
    Diff d = DiffVolume(*c.before, *after, size_drifted);
    c.action = d.action;
    c.reasons.insert(c.reasons.end(), d.reasons.begin(), d.reasons.end());
    c.replace_attributes = d.replace_attributes;
    entry.errors = d.errors;
    if (c.action == Action::kReplace) {
      c.destroys_data = true;
      entry.new_identity = true;
      CheckProtection(
          entry, context,
          absl::StrCat("replacing it (", absl::StrJoin(d.reasons, "; "), ")"));
    }
  }

  void AddCost(const Resource& r, bool after, Cost* cost) const override {
    if (VolumePricePublished(r.volume.type)) {
      (after ? cost->storage_monthly_after : cost->storage_monthly_before) +=
          VolumeMonthlyCost(r.volume.size_gb);
    } else {
      cost->unpriced_volumes.push_back(r.address);
    }
  }

  void ListUnmanaged(const LiveState& live, const KnownIds& known,
                     std::vector<UnmanagedResource>* out) const override {
    AppendUnmanaged(
        kind(), live.volumes, known, [](const LiveVolume&) { return true; },
        out);
  }

  bool MountedByOthers() const override { return true; }

  LiveNow FindLiveNow(const Change& change,
                      const LiveIndex& live) const override {
    const LiveVolume* volume = live.FindVolume(change.id);
    if (volume == nullptr) return {};
    return {Fingerprint(*volume), nullptr};
  }
};

}  // namespace

const KindRules& VolumeRules() {
  static const Volumes rules;
  return rules;
}

}  // namespace podform::plan_internal
