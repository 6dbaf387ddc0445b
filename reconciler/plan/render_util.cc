#include "reconciler/plan/render_util.h"

#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/catalog.h"
#include "reconciler/core/kind_text.h"
#include "reconciler/plan/diff.h"

namespace podform::render_internal {
namespace {

constexpr char kKnownAfterApply[] = "(known after apply)";

struct Value {
  nlohmann::json raw;  // for comparison
  std::string shown;   // for people
};

bool IsEmpty(const nlohmann::json& v) {
  return v.is_null() ||
         (v.is_string() && v.get_ref<const std::string&>().empty()) ||
         (v.is_array() && v.empty()) || (v.is_object() && v.empty());
}

// The attributes of `resource` by display name. `secret` are the env keys to
// show as (sensitive).
std::map<std::string, Value> Flatten(const Resource& resource,
                                     const std::set<std::string>& secret) {
  std::map<std::string, Value> out;
  nlohmann::json attributes = ToAttributes(resource);
  for (auto& [key, value] : attributes.items()) {
    if (key == "secretEnv") continue;
    if (key == "env") {
      for (auto& [env_key, env_value] : value.items()) {
        out[absl::StrCat("env.", env_key)] = {
            env_value,
            secret.count(env_key) > 0 ? kSensitive : Show(env_value)};
      }
      // A secret has no value here: it is shown as (sensitive); whether it
      // changes is Change::secret_env_changes.
      for (const std::string& env_key : resource.secret_env) {
        out[absl::StrCat("env.", env_key)] = {kSensitive, kSensitive};
      }
      continue;
    }
    if (key == "networkVolumeId" && IsEmpty(value)) {
      if (!resource.volume_key.empty()) out[key] = {value, kKnownAfterApply};
      continue;
    }
    if (key == "networkVolumeIds" && IsEmpty(value)) {
      if (!resource.volume_keys.empty()) out[key] = {value, kKnownAfterApply};
      continue;
    }
    out[key] = {value, Show(value)};
  }
  return out;
}

}  // namespace

std::string Show(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json RedactedAttributes(const Resource& resource) {
  nlohmann::json attributes = ToAttributes(resource);
  // Only what has an env (pods, endpoints) has secret env keys.
  for (const std::string& key : resource.secret_env) {
    attributes["env"][key] = kSensitive;
  }
  return attributes;
}

std::vector<AttributeLine> AttributeLines(const Change& change) {
  std::set<std::string> secret;
  if (change.before)
    secret.insert(change.before->secret_env.begin(),
                  change.before->secret_env.end());
  if (change.after)
    secret.insert(change.after->secret_env.begin(),
                  change.after->secret_env.end());
  std::map<std::string, Value> before, after;
  if (change.before) before = Flatten(*change.before, secret);
  if (change.after) after = Flatten(*change.after, secret);
  std::set<std::string> forces(change.replace_attributes.begin(),
                               change.replace_attributes.end());
  std::set<std::string> secret_changes;
  for (const std::string& key : change.secret_env_changes) {
    secret_changes.insert(absl::StrCat("env.", key));
  }

  std::vector<AttributeLine> lines;
  if (change.action == Action::kCreate || change.action == Action::kDelete) {
    bool create = change.action == Action::kCreate;
    for (const auto& [name, value] : create ? after : before) {
      if (IsEmpty(value.raw) && value.shown != kKnownAfterApply) continue;
      AttributeLine line;
      line.op = create ? '+' : '-';
      line.name = name;
      (create ? line.after : line.before) = value.shown;
      lines.push_back(std::move(line));
    }
    return lines;
  }
  std::set<std::string> names;
  for (const auto& [name, value] : before) names.insert(name);
  for (const auto& [name, value] : after) names.insert(name);
  for (const std::string& name : names) {
    auto b = before.find(name);
    auto a = after.find(name);
    AttributeLine line;
    line.name = name;
    line.forces_replacement = forces.count(name) > 0;
    if (b == before.end()) {
      line.op = '+';
      line.after = a->second.shown;
    } else if (a == after.end()) {
      // E.g. a volume whose config leaves its type out accepts the tier
      // RunPod chose (diff.cc): no change, though only the live volume has
      // one.
      if (UndeclaredAcceptsLive(change.address.kind, name)) continue;
      line.op = '-';
      line.before = b->second.shown;
    } else {
      if (b->second.raw == a->second.raw &&
          b->second.shown == a->second.shown &&
          secret_changes.count(name) == 0) {
        continue;
      }
      if (name == "ports" && b->second.raw.is_array() &&
          a->second.raw.is_array() &&
          plan_internal::SamePorts(
              b->second.raw.get<std::vector<std::string>>(),
              a->second.raw.get<std::vector<std::string>>())) {
        continue;
      }
      line.op = '~';
      line.before = b->second.shown;
      line.after = a->second.shown;
      if (name == "gpuCount" && change.gpu_count_by_resume &&
          change.before.has_value() && change.after.has_value()) {
        const int count = change.after->pod.gpu_count;
        line.note = absl::StrCat(
            change.before->pod.running ? "stop, then resume" : "resume",
            " with ", count, count == 1 ? " GPU" : " GPUs",
            " (GraphQL podResume)");
      }
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::string Printable(std::string_view text) {
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", c));
    } else {
      out.push_back(ch);
    }
  }
  return out;
}

std::string Money(double usd) { return absl::StrFormat("$%.2f", usd); }

std::string ActionWords(Action action) {
  switch (action) {
    case Action::kCreate:
      return "will be created";
    case Action::kUpdate:
      return "will be updated in place";
    case Action::kReplace:
      return "must be replaced";
    case Action::kDelete:
      return "will be destroyed";
    case Action::kStop:
      return "will be stopped";
    case Action::kResume:
      return "will be resumed";
    case Action::kNoOp:
      break;
  }
  return "is unchanged";
}

std::string ActionSymbol(Action action) {
  switch (action) {
    case Action::kCreate:
      return "  +";
    case Action::kUpdate:
      return "  ~";
    case Action::kReplace:
      return "-/+";
    case Action::kDelete:
      return "  -";
    case Action::kStop:
      return "  |";
    case Action::kResume:
      return "  >";
    case Action::kNoOp:
      break;
  }
  return "   ";
}

std::string ChangeSymbol(const Change& change) {
  if (change.action == Action::kReplace &&
      change.replace_order == ReplaceOrder::kCreateFirst) {
    return "+/-";
  }
  return ActionSymbol(change.action);
}

std::string ChangeTitle(const Change& change) {
  if (change.deposed_id.empty()) return change.address.ToString();
  return absl::StrCat(change.address.ToString(), " (deposed pod ",
                      Printable(change.deposed_id), ")");
}

std::string ReplaceOrderLine(const Change& change) {
  if (change.action != Action::kReplace) return "";
  if (change.replace_order == ReplaceOrder::kCreateFirst) {
    return "create before destroy: the new pod is created and runs before "
           "the old one is terminated";
  }
  if (change.replace_order_reason.empty()) return "destroy before create";
  return absl::StrCat("destroy before create: ",
                      change.replace_order_reason);
}

std::string CostAssumptions() {
  return absl::StrCat("Prices as of ", kPricesAsOf,
                      " (RunPod's published list); volumes bill hourly "
                      "whether or not a pod runs; a stopped pod costs no GPU "
                      "time.");
}

namespace {

// Beyond this many, the rest are counted, not named (a line that names
// thousands of pods helps nobody; --json lists them all).
constexpr size_t kMaxUnpricedNamed = 10;

std::string NotPublished(const std::vector<Address>& addresses) {
  if (addresses.empty()) return "";
  std::vector<std::string> names;
  for (size_t i = 0; i < addresses.size() && i < kMaxUnpricedNamed; ++i) {
    names.push_back(addresses[i].ToString());
  }
  std::string named = absl::StrJoin(names, ", ");
  if (addresses.size() > kMaxUnpricedNamed) {
    absl::StrAppend(&named, " and ", addresses.size() - kMaxUnpricedNamed,
                    " more");
  }
  return absl::StrCat(named, ": price not published");
}

}  // namespace

std::string UnpricedNote(const Cost& cost) {
  return NotPublished(cost.unpriced_volumes);
}

std::string UnpricedPodsNote(const Cost& cost) {
  return NotPublished(cost.unpriced_pods);
}

std::string EndpointsNote(const Cost& cost) {
  if (cost.usage_based_endpoints.empty()) return "";
  std::vector<std::string> names;
  for (const Address& a : cost.usage_based_endpoints) {
    names.push_back(a.ToString());
  }
  std::string note = absl::StrCat(
      "active workers, each endpoint at its dearest pool; use beyond them "
      "billed by the second, not included: ",
      absl::StrJoin(names, ", "));
  if (!cost.unpriced_active_endpoints.empty()) {
    absl::StrAppend(&note, "; ",
                    NotPublished(cost.unpriced_active_endpoints));
  }
  return note;
}

std::vector<std::string> CostLines(const Cost& cost) {
  std::string storage =
      absl::StrCat("Storage: ", Money(cost.storage_monthly_before),
                   "/month -> ", Money(cost.storage_monthly_after), "/month");
  if (!cost.unpriced_volumes.empty()) {
    absl::StrAppend(&storage, " (", UnpricedNote(cost), ")");
  }
  std::string pods =
      absl::StrCat("Pods: ", Money(cost.pods_hourly_before), "/hour -> ",
                   Money(cost.pods_hourly_after), "/hour");
  if (!cost.unpriced_pods.empty()) {
    absl::StrAppend(&pods, " (", UnpricedPodsNote(cost), ")");
  }
  std::vector<std::string> lines{std::move(storage), std::move(pods)};
  if (!cost.usage_based_endpoints.empty()) {
    lines.push_back(absl::StrCat(
        "Endpoints: ", Money(cost.endpoints_hourly_before), "/hour -> ",
        Money(cost.endpoints_hourly_after), "/hour (", EndpointsNote(cost),
        ")"));
  }
  lines.push_back(CostAssumptions());
  return lines;
}

}  // namespace podform::render_internal
