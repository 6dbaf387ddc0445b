#include "reconciler/plan/kind_rules.h"

#include <algorithm>
#include <cstdlib>

#include "absl/strings/str_cat.h"

namespace podform::plan_internal {

const std::vector<const KindRules*>& PlanKinds() {
  static const std::vector<const KindRules*> kinds = {
      &VolumeRules(), &PodRules(), &EndpointRules()};
  return kinds;
}

const KindRules& RulesFor(Kind kind) {
  for (const KindRules* rules : PlanKinds()) {
    if (rules->kind() == kind) return *rules;
  }
  std::abort();  // PlanKinds() lists every Kind
}

void KindRules::AddDependencies(const PlanContext& context,
                                const std::vector<Change>& deposed,
                                std::map<Address, Entry>& entries) const {}

void KindRules::PlanDeposed(const PlanContext& context, Change& change,
                            Cost* cost) const {
  change.reasons.push_back(absl::StrCat(
      "deposed ", KindName(kind()),
      " already gone from RunPod; only its lock file entry is removed"));
}

bool KindRules::MountedByOthers() const { return false; }

bool IsAny(Action action, std::initializer_list<Action> actions) {
  return std::find(actions.begin(), actions.end(), action) != actions.end();
}

void WaitForVolume(const std::string& key,
                   const std::map<Address, Entry>& entries, Change& change) {
  Address volume{Kind::kVolume, key};
  auto v = entries.find(volume);
  if (v != entries.end() &&
      IsAny(v->second.change.action,
            {Action::kCreate, Action::kReplace, Action::kUpdate})) {
    change.depends_on.push_back(volume);
  }
}

void PlanGone(Entry& entry, const std::optional<Resource>& after,
              const char* recreated_note) {
  Change& c = entry.change;
  const std::string address = c.address.ToString();
  c.id = "";
  if (after.has_value()) {
    c.action = Action::kCreate;
    c.after = after;
    c.reasons.push_back("deleted outside podform");
    entry.new_identity = true;
    entry.warnings.push_back(absl::StrCat(
        address, ": deleted outside podform (", entry.recorded->id,
        " is gone from RunPod); it will be created again", recreated_note));
  } else {
    c.action = Action::kDelete;
    c.before = entry.recorded->resource;
    c.reasons.push_back(
        "already deleted outside podform; only its lock file entry is "
        "removed");
  }
}

std::string DeleteReason(const PlanContext& context) {
  return context.options.destroy ? "podform destroy"
                                 : "no longer in the configuration";
}

const Entry* MountedVolume(const std::string& key, const PlanContext& context,
                           Entry& entry) {
  Address volume{Kind::kVolume, key};
  auto v = context.entries.find(volume);
  if (v == context.entries.end() || context.desired.volumes.count(key) == 0) {
    entry.errors.push_back(absl::StrCat(entry.change.address.ToString(),
                                        ": mounts ", volume.ToString(),
                                        ", which is not in the configuration"));
    return nullptr;
  }
  return &v->second;
}

}  // namespace podform::plan_internal
