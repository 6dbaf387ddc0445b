#include "reconciler/plan/planner.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/writers.h"
#include "reconciler/core/kind_text.h"
#include "reconciler/plan/kind_rules.h"
#include "reconciler/plan/steps.h"
#include "reconciler/util/parallel.h"

namespace podform {
namespace {

using plan_internal::Entry;
using plan_internal::KindRules;
using plan_internal::KnownIds;
using plan_internal::PlanContext;
using plan_internal::PlanKinds;
using plan_internal::RulesFor;

// Fewer addresses of a kind than twice this are planned on one thread: a
// thread costs more than planning them.
constexpr size_t kPlannedPerThread = 256;

// Cost sums are rounded to 1/10000 USD so that renderings and JSON show
// 35 rather than 35.00000000000001.
double RoundCost(double usd) { return std::round(usd * 10000) / 10000; }

// Adds the `before` sums and the address lists of `more` to `cost`.
void AddBeforeCost(const Cost& more, Cost* cost) {
  cost->storage_monthly_before += more.storage_monthly_before;
  cost->pods_hourly_before += more.pods_hourly_before;
  cost->endpoints_hourly_before += more.endpoints_hourly_before;
  for (auto [from, to] :
       {std::pair{&more.unpriced_volumes, &cost->unpriced_volumes},
        std::pair{&more.unpriced_pods, &cost->unpriced_pods},
        std::pair{&more.usage_based_endpoints, &cost->usage_based_endpoints},
        std::pair{&more.unpriced_active_endpoints,
                  &cost->unpriced_active_endpoints}}) {
    to->insert(to->end(), from->begin(), from->end());
  }
}

// Sorts `addresses` and drops repeats.
void SortUnique(std::vector<Address>* addresses) {
  std::sort(addresses->begin(), addresses->end());
  addresses->erase(std::unique(addresses->begin(), addresses->end()),
                   addresses->end());
}

// The addresses a plan keeps: all, or with --target those named and what
// they depend on.
struct Kept {
  bool all = true;
  std::set<Address> some;  // when !all

  bool Has(const Address& address) const {
    return all || some.count(address) > 0;
  }
};

class Planner {
 public:
  Planner(const Desired& desired, const State& prior, const LiveState& live,
          const PlanOptions& options)
      : desired_(desired),
        wanted_(options.destroy ? nothing_ : desired),
        prior_(prior),
        live_(live),
        live_index_(live),
        options_(options) {
    config_digest_ = desired.digest;
  }

  absl::StatusOr<Plan> Run();

 private:
  // The terminations of the deposed pods of prior_ (Change::deposed_id).
  void PlanDeposed(const PlanContext& context);
  Kept KeptAddresses() const;
  // The ids of prior_ and of the deposed pods.
  KnownIds KnownRunPodIds() const;
  Cost ComputeCost(const Kept& kept) const;
  std::vector<UnmanagedResource> Unmanaged(const KnownIds& known) const;
  std::vector<std::string> Warnings(const Kept& kept) const;
  // The several-writers check with the unmanaged live mounters of desired
  // volumes (see MakePlan): a warning or error per volume, by its address.
  void CheckUnmanagedWriters(
      const KnownIds& known,
      std::vector<std::pair<Address, std::string>>* errors,
      std::vector<std::string>* warnings) const;

  const Desired& desired_;
  const Desired nothing_;
  // What is to exist: desired_, or nothing_ with options.destroy.
  const Desired& wanted_;
  const State& prior_;
  const LiveState& live_;
  // Looked up once per recorded resource: an index keeps planning linear.
  const LiveIndex live_index_;
  const PlanOptions& options_;
  std::string config_digest_;
  std::vector<Change> changes_;  // one per address, in address order
  // By address; each entry's change is in changes_.
  std::map<Address, Entry> entries_;
  std::vector<Change> deposed_;  // PlanDeposed
  Cost deposed_cost_;  // what the running deposed pods cost (before sums)
};

void Planner::PlanDeposed(const PlanContext& context) {
  for (const auto& [address, deposed] : prior_.deposed) {
    for (const ResourceState& resource : deposed) {
      Change c;
      c.address = address;
      c.action = Action::kDelete;
      c.deposed_id = resource.id;
      c.before = resource.resource;
      c.before->address = address;
      RulesFor(address.kind).PlanDeposed(context, c, &deposed_cost_);
      deposed_.push_back(std::move(c));
    }
  }
}

Kept Planner::KeptAddresses() const {
  Kept kept;
  if (options_.targets.empty()) return kept;
  kept.all = false;
  std::vector<Address> work(options_.targets.begin(), options_.targets.end());
  while (!work.empty()) {
    Address address = work.back();
    work.pop_back();
    auto it = entries_.find(address);
    if (it == entries_.end() || !kept.some.insert(address).second) continue;
    const Change& c = it->second.change;
    work.insert(work.end(), c.depends_on.begin(), c.depends_on.end());
    work.insert(work.end(), c.destroy_depends_on.begin(),
                c.destroy_depends_on.end());
  }
  return kept;
}

KnownIds Planner::KnownRunPodIds() const {
  KnownIds known;
  known.reserve(prior_.resources.size() + deposed_.size());
  for (const auto& [address, state] : prior_.resources) known.insert(state.id);
  for (const Change& deposed : deposed_) known.insert(deposed.deposed_id);
  return known;
}

Cost Planner::ComputeCost(const Kept& kept) const {
  Cost cost;
  // `after`: whether r is what exists once the plan is applied.
  auto add = [&](const Resource& r, bool after) {
    RulesFor(r.address.kind).AddCost(r, after, &cost);
  };
  for (const auto& [address, entry] : entries_) {
    const Change& c = entry.change;
    if (entry.exists_live && c.before.has_value()) add(*c.before, false);
    if (!kept.Has(address)) {
      if (entry.exists_live && c.before.has_value()) add(*c.before, true);
    } else if (c.action != Action::kDelete && c.after.has_value()) {
      add(*c.after, true);
    }
  }
  // A running deposed pod is billed until its termination.
  AddBeforeCost(deposed_cost_, &cost);
  cost.storage_monthly_before = RoundCost(cost.storage_monthly_before);
  cost.storage_monthly_after = RoundCost(cost.storage_monthly_after);
  cost.pods_hourly_before = RoundCost(cost.pods_hourly_before);
  cost.pods_hourly_after = RoundCost(cost.pods_hourly_after);
  cost.endpoints_hourly_before = RoundCost(cost.endpoints_hourly_before);
  cost.endpoints_hourly_after = RoundCost(cost.endpoints_hourly_after);
  SortUnique(&cost.unpriced_volumes);
  SortUnique(&cost.unpriced_pods);
  SortUnique(&cost.usage_based_endpoints);
  SortUnique(&cost.unpriced_active_endpoints);
  return cost;
}

std::vector<UnmanagedResource> Planner::Unmanaged(
    const KnownIds& known) const {
  std::vector<UnmanagedResource> out;
  for (const KindRules* rules : PlanKinds()) {
    rules->ListUnmanaged(live_, known, &out);
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return std::tie(a.kind, a.name, a.id) < std::tie(b.kind, b.name, b.id);
  });
  return out;
}

void Planner::CheckUnmanagedWriters(
    const KnownIds& known,
    std::vector<std::pair<Address, std::string>>* errors,
    std::vector<std::string>* warnings) const {
  if (options_.destroy) return;
  std::map<std::string, std::string> volume_by_id;  // recorded id -> key
  for (const auto& [address, state] : prior_.resources) {
    if (address.kind == Kind::kVolume && !state.id.empty() &&
        wanted_.volumes.count(address.name) > 0) {
      volume_by_id[state.id] = address.name;
    }
  }
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

std::vector<std::string> Planner::Warnings(const Kept& kept) const {
  std::map<Address, std::vector<std::string>> by_address;
  for (const auto& [address, entry] : entries_) {
    if (entry.warnings.empty() || !kept.Has(address)) continue;
    by_address[address] = entry.warnings;
  }
  for (const auto& [address, intent] : prior_.intents) {
    bool planned = entries_.count(address) > 0;
    if (planned && !kept.Has(address)) continue;
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
                           KindArticle(address.kind), " ",
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
  // Every address desired or recorded, in order, each with its change in
  // changes_ (planned there in place, never copied into the plan).
  std::set<Address> addresses;
  for (const KindRules* rules : PlanKinds()) {
    for (const std::string& key : rules->DesiredKeys(wanted_)) {
      addresses.insert({rules->kind(), key});
    }
  }
  for (const auto& [address, state] : prior_.resources) {
    addresses.insert(address);
  }
  changes_.resize(addresses.size());
  std::map<Kind, std::vector<std::pair<const Address*, Entry*>>> work;
  size_t next = 0;
  for (const Address& a : addresses) {
    Entry& entry = entries_.emplace(a, Entry(changes_[next++])).first->second;
    work[a.kind].push_back({&a, &entry});
  }
  // Kind by kind, in PlanKinds() order: pods and endpoints look up their
  // volumes' entries. Within a kind each address is planned on its own, so
  // a large config is planned on every core.
  const PlanContext context{wanted_, prior_, live_index_, options_, entries_};
  for (const KindRules* rules : PlanKinds()) {
    const auto& of_kind = work[rules->kind()];
    ParallelFor(of_kind.size(), kPlannedPerThread, [&](size_t i) {
      rules->Plan(*of_kind[i].first, context, *of_kind[i].second);
    });
  }
  PlanDeposed(context);
  for (const KindRules* rules : PlanKinds()) {
    rules->AddDependencies(context, deposed_, entries_);
  }

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

  const Kept kept = KeptAddresses();
  for (const auto& [a, entry] : entries_) {
    if (!kept.Has(a)) continue;
    for (const std::string& e : entry.errors) errors.push_back({a, e});
  }
  // Views into prior_ and deposed_, used before deposed_ moves to the plan.
  const KnownIds known = KnownRunPodIds();
  std::vector<std::string> writer_warnings;
  CheckUnmanagedWriters(known, &errors, &writer_warnings);
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
  plan.unmanaged = Unmanaged(known);
  plan.warnings = Warnings(kept);
  plan.warnings.insert(plan.warnings.end(), writer_warnings.begin(),
                       writer_warnings.end());

  // Changes are large (two Resources each): those planned in place are
  // the plan's (less those --target leaves out), never copied.
  std::vector<Change> changes = std::move(changes_);
  if (!kept.all) {
    std::erase_if(changes,
                  [&](const Change& c) { return !kept.Has(c.address); });
  }
  changes.reserve(changes.size() + deposed_.size());
  // Deposed pods are always terminated (a --target plan only those of the
  // addresses it keeps): they are billed and nothing else ends them.
  std::set<Address> with_deposed;
  if (!kept.all && !deposed_.empty()) {
    with_deposed = kept.some;
    for (const Change& c : changes) {
      with_deposed.insert(c.destroy_depends_on.begin(),
                          c.destroy_depends_on.end());
    }
  }
  for (Change& deposed : deposed_) {
    if (kept.all || with_deposed.count(deposed.address) > 0) {
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
