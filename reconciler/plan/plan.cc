#include "reconciler/plan/plan.h"

namespace podform {
namespace {

struct ActionNameEntry {
  Action action;
  std::string_view name;
};

constexpr ActionNameEntry kActionNames[] = {
    {Action::kNoOp, "no-op"},    {Action::kCreate, "create"},
    {Action::kUpdate, "update"}, {Action::kReplace, "replace"},
    {Action::kDelete, "delete"}, {Action::kStop, "stop"},
    {Action::kResume, "resume"},
};

}  // namespace

std::string_view ActionName(Action action) {
  for (const ActionNameEntry& entry : kActionNames) {
    if (entry.action == action) return entry.name;
  }
  return "unknown";
}

std::optional<Action> ParseAction(std::string_view name) {
  for (const ActionNameEntry& entry : kActionNames) {
    if (entry.name == name) return entry.action;
  }
  return std::nullopt;
}

std::string_view ReplaceOrderName(ReplaceOrder order) {
  return order == ReplaceOrder::kCreateFirst ? "create-first"
                                             : "destroy-first";
}

std::optional<ReplaceOrder> ParseReplaceOrder(std::string_view name) {
  if (name == "create-first") return ReplaceOrder::kCreateFirst;
  if (name == "destroy-first") return ReplaceOrder::kDestroyFirst;
  return std::nullopt;
}

bool Plan::HasChanges() const { return !moves.empty() || HasActions(); }

bool Plan::HasActions() const {
  for (const Change& change : changes) {
    if (change.action != Action::kNoOp) return true;
  }
  return false;
}

bool Plan::DestroysData() const {
  for (const Change& change : changes) {
    if (change.destroys_data) return true;
  }
  return false;
}

std::map<Action, int> Plan::Counts() const {
  std::map<Action, int> counts;
  for (const ActionNameEntry& entry : kActionNames) counts[entry.action] = 0;
  for (const Change& change : changes) ++counts[change.action];
  return counts;
}

}  // namespace podform
