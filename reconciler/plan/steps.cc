#include "reconciler/plan/steps.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "reconciler/plan/kind_rules.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

bool HasDestroyPhase(Action action) {
  return action == Action::kDelete || action == Action::kReplace;
}

bool HasCreatePhase(Action action) {
  return action == Action::kCreate || action == Action::kUpdate ||
         action == Action::kReplace || action == Action::kStop ||
         action == Action::kResume;
}

// Tie-break among ready steps: destroys (what mounts volumes, then
// volumes), then creates (volumes, then what mounts them), then by kind,
// name and position.
using Priority = std::tuple<int, int, Kind, std::string, size_t, int>;

Priority PriorityOf(const Change& change, size_t index, Phase phase) {
  const bool mounter =
      !plan_internal::RulesFor(change.address.kind).MountedByOthers();
  if (phase == Phase::kDestroy) {
    return {0, mounter ? 0 : 1, change.address.kind, change.address.name,
            index, 0};
  }
  return {1, mounter ? 1 : 0, change.address.kind, change.address.name, index,
          1};
}

}  // namespace

absl::StatusOr<std::vector<Step>> ExecutionSteps(
    const std::vector<Change>& changes) {
  // The address's own change, and the terminations of its deposed pods.
  std::map<Address, size_t> index_of;
  std::map<Address, std::vector<size_t>> deposed_of;
  std::set<std::pair<Address, std::string>> deposed_seen;
  for (size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    if (!c.deposed_id.empty()) {
      if (c.action != Action::kDelete) {
        return absl::InvalidArgumentError(
            absl::StrCat(c.address.ToString(), ": deposed pod ", c.deposed_id,
                         " can only be deleted"));
      }
      if (!deposed_seen.emplace(c.address, c.deposed_id).second) {
        return absl::InvalidArgumentError(
            absl::StrCat(c.address.ToString(), ": deposed pod ", c.deposed_id,
                         " appears twice in the plan"));
      }
      deposed_of[c.address].push_back(i);
      continue;
    }
    if (!index_of.emplace(c.address, i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(c.address.ToString(), ": appears twice in the plan"));
    }
  }
  // Nodes: (change index, phase); node id = 2 * index + (phase == create).
  auto node = [](size_t index, Phase phase) {
    return 2 * index + (phase == Phase::kCreate ? 1 : 0);
  };
  std::map<size_t, std::set<size_t>> preds;  // node -> nodes before it
  for (size_t i = 0; i < changes.size(); ++i) {
    const Change& c = changes[i];
    if (HasDestroyPhase(c.action)) preds[node(i, Phase::kDestroy)];
    if (HasCreatePhase(c.action)) preds[node(i, Phase::kCreate)];
    if (c.action == Action::kReplace) {
      if (c.replace_order == ReplaceOrder::kCreateFirst) {
        preds[node(i, Phase::kDestroy)].insert(node(i, Phase::kCreate));
        // The address's deposed pods go first: one at a time is left.
        if (auto d = deposed_of.find(c.address); d != deposed_of.end()) {
          for (size_t j : d->second) {
            preds[node(i, Phase::kCreate)].insert(node(j, Phase::kDestroy));
          }
        }
      } else {
        preds[node(i, Phase::kCreate)].insert(node(i, Phase::kDestroy));
      }
    }
    auto lookup = [&](const Address& dep) -> absl::Status {
      if (index_of.count(dep) == 0 && deposed_of.count(dep) == 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(c.address.ToString(), ": depends on ", dep.ToString(),
                         ", which has no change in the plan"));
      }
      return absl::OkStatus();
    };
    for (const Address& dep : c.depends_on) {
      RETURN_IF_ERROR(lookup(dep));
      if (!HasCreatePhase(c.action)) continue;
      auto it = index_of.find(dep);
      if (it == index_of.end()) continue;
      const size_t j = it->second;
      Action dep_action = changes[j].action;
      if (HasCreatePhase(dep_action)) {
        preds[node(i, Phase::kCreate)].insert(node(j, Phase::kCreate));
      } else if (HasDestroyPhase(dep_action)) {
        preds[node(i, Phase::kCreate)].insert(node(j, Phase::kDestroy));
      }
    }
    for (const Address& dep : c.destroy_depends_on) {
      RETURN_IF_ERROR(lookup(dep));
      if (!HasDestroyPhase(c.action)) continue;
      auto after_destroy_of = [&](size_t j) {
        if (HasDestroyPhase(changes[j].action)) {
          preds[node(i, Phase::kDestroy)].insert(node(j, Phase::kDestroy));
        } else if (changes[j].action == Action::kUpdate) {
          // An update that stops using what this change destroys (an
          // endpoint that no longer mounts the volume).
          preds[node(i, Phase::kDestroy)].insert(node(j, Phase::kCreate));
        }
      };
      if (auto it = index_of.find(dep); it != index_of.end()) {
        after_destroy_of(it->second);
      }
      if (auto d = deposed_of.find(dep); d != deposed_of.end()) {
        for (size_t j : d->second) after_destroy_of(j);
      }
    }
  }

  // Kahn's algorithm with a deterministic choice among ready nodes.
  std::map<size_t, int> missing;  // node -> unfinished preds
  std::map<size_t, std::vector<size_t>> succs;
  for (const auto& [n, before] : preds) {
    missing[n] = static_cast<int>(before.size());
    for (size_t b : before) succs[b].push_back(n);
  }
  auto phase_of = [](size_t n) {
    return n % 2 == 1 ? Phase::kCreate : Phase::kDestroy;
  };
  std::map<Priority, size_t> ready;
  auto make_ready = [&](size_t n) {
    ready.emplace(PriorityOf(changes[n / 2], n / 2, phase_of(n)), n);
  };
  for (const auto& [n, count] : missing) {
    if (count == 0) make_ready(n);
  }
  std::vector<Step> steps;
  std::map<size_t, size_t> position;  // node -> index in steps
  while (!ready.empty()) {
    size_t n = ready.begin()->second;
    ready.erase(ready.begin());
    Step step;
    step.change = n / 2;
    step.phase = phase_of(n);
    for (size_t b : preds[n]) step.after.push_back(position.at(b));
    std::sort(step.after.begin(), step.after.end());
    position[n] = steps.size();
    steps.push_back(std::move(step));
    for (size_t s : succs[n]) {
      if (--missing[s] == 0) make_ready(s);
    }
  }
  if (steps.size() != preds.size()) {
    std::set<std::string> stuck;
    for (const auto& [n, count] : missing) {
      if (count > 0) stuck.insert(changes[n / 2].address.ToString());
    }
    std::string list;
    for (const std::string& s : stuck) {
      absl::StrAppend(&list, list.empty() ? "" : ", ", s);
    }
    return absl::InvalidArgumentError(
        absl::StrCat("the plan's dependencies form a cycle among ", list));
  }
  return steps;
}

}  // namespace podform
