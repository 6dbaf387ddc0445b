#include "reconciler/plan/plan_file.h"

#include <limits>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "reconciler/plan/steps.h"
#include "reconciler/util/digest.h"
#include "reconciler/util/json_reader.h"
#include "reconciler/util/json_text.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

using nlohmann::json;

// 3 added each change's "replace_order", "replace_order_reason",
// "deposed_id" and "gpu_count_by_resume".
constexpr int kPlanFileVersion = 3;

std::string Dump(const json& j, int indent) {
  return j.dump(indent, ' ', false, json::error_handler_t::replace);
}

std::string Checksum(const json& body) {
  return absl::StrCat("sha256:", Sha256Hex(Dump(body, -1)));
}

json Addresses(const std::vector<Address>& addresses) {
  json out = json::array();
  for (const Address& a : addresses) out.push_back(a.ToString());
  return out;
}

absl::Status PlanFileError(const std::string& where,
                           const std::string& message) {
  return absl::InvalidArgumentError(absl::StrCat(
      "plan file: ", where.empty() ? "" : absl::StrCat(where, ": "), message));
}

// The plan file's words for what a JsonReader found wrong at `where`.
absl::Status PlanFileViolation(const std::string& where,
                               const JsonViolation& v) {
  switch (v.kind) {
    case JsonViolation::Kind::kNotObject:
      return PlanFileError(where, "is not a JSON object");
    case JsonViolation::Kind::kUnknown:
      return PlanFileError(where,
                           absl::StrCat("unknown key \"", v.unknown[0], "\""));
    case JsonViolation::Kind::kMissing:
      return PlanFileError(where, absl::StrCat("missing \"", v.key, "\""));
    default:
      break;
  }
  static constexpr JsonExpectedWords kWords = {
      "an object",  "a list",   "a string",      "a non-empty string",
      "an integer", "a number", "true or false", "a list of strings",
      "an object"};
  return PlanFileError(where, absl::StrCat("\"", v.key, "\" must be ",
                                           WordFor(kWords, v.expected)));
}

// Reads one JSON object of the plan file member by member; every failure
// names where it is. Every member it reads is required.
class Reader {
 public:
  Reader(const json& object, std::string where)
      : where_(std::move(where)),
        json_(object, "", [where = where_](const JsonViolation& v) {
          return PlanFileViolation(where, v);
        }) {}

  absl::Status Fail(const std::string& message) const {
    return PlanFileError(where_, message);
  }

  // The object has exactly `keys` (all present, nothing else).
  absl::Status Keys(std::initializer_list<std::string_view> keys) {
    RETURN_IF_ERROR(json_.RequireObject());
    return json_.ExactMembers(keys);
  }

  absl::Status String(const char* key, std::string* out) {
    return json_.String(key, out, JsonReader::kRequired);
  }
  absl::Status Int(const char* key, int64_t* out) {
    return json_.Integer(key, out, std::numeric_limits<int64_t>::min(),
                         std::numeric_limits<int64_t>::max(),
                         JsonReader::kRequired);
  }
  absl::Status Bool(const char* key, bool* out) {
    return json_.Bool(key, out, JsonReader::kRequired);
  }
  absl::Status Number(const char* key, double* out) {
    return json_.Number(key, out, JsonReader::kRequired);
  }
  absl::Status Strings(const char* key, std::vector<std::string>* out) {
    return json_.Strings(key, out, JsonReader::kRequired);
  }
  absl::Status List(const char* key, const json** out) {
    return json_.Array(key, out, JsonReader::kRequired);
  }
  absl::Status AddressList(const char* key, std::vector<Address>* out) {
    std::vector<std::string> texts;
    RETURN_IF_ERROR(Strings(key, &texts));
    out->clear();
    for (const std::string& text : texts) {
      absl::StatusOr<Address> a = Address::Parse(text);
      if (!a.ok())
        return Fail(absl::StrCat("\"", key, "\": ", a.status().message()));
      out->push_back(*a);
    }
    return absl::OkStatus();
  }
  // null -> nullopt; otherwise FromAttributes (which refuses a value under
  // a secret env key).
  absl::Status Attributes(const char* key, const Address& address,
                          std::optional<Resource>* out) {
    const json& v = *json_.Find(key);
    if (v.is_null()) {
      out->reset();
      return absl::OkStatus();
    }
    absl::StatusOr<Resource> r = FromAttributes(address, v);
    if (!r.ok())
      return Fail(absl::StrCat("\"", key, "\": ", r.status().message()));
    *out = std::move(*r);
    return absl::OkStatus();
  }

 private:
  std::string where_;
  JsonReader json_;
};

absl::Status ReadChange(const json& j, size_t index, Change* c) {
  Reader r(j, absl::StrCat("changes[", index, "]"));
  if (!j.is_object()) return r.Fail("is not a JSON object");
  std::string address_text, action_text;
  if (j.contains("address")) {
    RETURN_IF_ERROR(r.String("address", &address_text));
    absl::StatusOr<Address> address = Address::Parse(address_text);
    if (!address.ok()) return r.Fail(std::string(address.status().message()));
    c->address = *address;
    r = Reader(j, absl::StrCat("changes[", index, "] (", address_text, ")"));
  }
  RETURN_IF_ERROR(
      r.Keys({"address", "action", "id", "before", "after", "reasons",
              "replace_attributes", "destroys_data", "depends_on",
              "destroy_depends_on", "live_fingerprint",
              "secret_env_changes", "replace_order", "replace_order_reason",
              "deposed_id", "gpu_count_by_resume"}));
  RETURN_IF_ERROR(r.String("action", &action_text));
  std::optional<Action> action = ParseAction(action_text);
  if (!action.has_value()) {
    return r.Fail(absl::StrCat("\"", action_text, "\" is not an action"));
  }
  c->action = *action;
  RETURN_IF_ERROR(r.String("id", &c->id));
  RETURN_IF_ERROR(r.Attributes("before", c->address, &c->before));
  RETURN_IF_ERROR(r.Attributes("after", c->address, &c->after));
  RETURN_IF_ERROR(r.Strings("reasons", &c->reasons));
  RETURN_IF_ERROR(r.Strings("replace_attributes", &c->replace_attributes));
  RETURN_IF_ERROR(r.Bool("destroys_data", &c->destroys_data));
  RETURN_IF_ERROR(r.AddressList("depends_on", &c->depends_on));
  RETURN_IF_ERROR(r.AddressList("destroy_depends_on", &c->destroy_depends_on));
  RETURN_IF_ERROR(r.String("live_fingerprint", &c->live_fingerprint));
  RETURN_IF_ERROR(r.Strings("secret_env_changes", &c->secret_env_changes));
  std::string order_text;
  RETURN_IF_ERROR(r.String("replace_order", &order_text));
  std::optional<ReplaceOrder> order = ParseReplaceOrder(order_text);
  if (!order.has_value()) {
    return r.Fail(absl::StrCat("\"", order_text,
                               "\" is not a replace order (create-first or "
                               "destroy-first)"));
  }
  c->replace_order = *order;
  if (c->replace_order == ReplaceOrder::kCreateFirst &&
      (c->action != Action::kReplace || c->address.kind != Kind::kPod)) {
    return r.Fail("only a pod's replace can be create-first");
  }
  RETURN_IF_ERROR(r.String("replace_order_reason", &c->replace_order_reason));
  RETURN_IF_ERROR(r.String("deposed_id", &c->deposed_id));
  if (!c->deposed_id.empty() &&
      (c->action != Action::kDelete || c->address.kind != Kind::kPod ||
       (!c->id.empty() && c->id != c->deposed_id))) {
    return r.Fail(
        "a deposed pod's change must be a delete of that pod's id");
  }
  RETURN_IF_ERROR(r.Bool("gpu_count_by_resume", &c->gpu_count_by_resume));
  if (c->gpu_count_by_resume &&
      (c->action != Action::kUpdate || c->address.kind != Kind::kPod ||
       !c->before.has_value() || !c->after.has_value() ||
       c->before->pod.gpu_count == c->after->pod.gpu_count ||
       !c->after->pod.running)) {
    return r.Fail(
        "gpu_count_by_resume is only for a pod's update to another "
        "gpuCount that leaves it running");
  }

  // What each action needs to be applied.
  bool needs_before = c->action != Action::kCreate;
  bool needs_after = c->action != Action::kDelete;
  if (needs_before != c->before.has_value()) {
    return r.Fail(absl::StrCat("a ", action_text, " must ",
                               needs_before ? "have" : "not have",
                               " \"before\" attributes"));
  }
  if (needs_after != c->after.has_value()) {
    return r.Fail(absl::StrCat("a ", action_text, " must ",
                               needs_after ? "have" : "not have",
                               " \"after\" attributes"));
  }
  bool needs_id = c->action != Action::kCreate && c->action != Action::kDelete;
  if (needs_id && c->id.empty()) {
    return r.Fail(absl::StrCat("a ", action_text, " needs an \"id\""));
  }
  if (c->action == Action::kCreate && !c->id.empty()) {
    return r.Fail("a create must have an empty \"id\"");
  }
  for (size_t i = 0; i < c->secret_env_changes.size(); ++i) {
    const std::string& key = c->secret_env_changes[i];
    if (!c->after.has_value() || c->after->secret_env.count(key) == 0) {
      return r.Fail(absl::StrCat("\"secret_env_changes\" names ", key,
                                 ", which is not a secret env of \"after\""));
    }
    if (i > 0 && !(c->secret_env_changes[i - 1] < key)) {
      return r.Fail("\"secret_env_changes\" must be sorted, each key once");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Plan> Parse(const json& root) {
  Reader r(root, "");
  if (!root.is_object()) {
    return absl::InvalidArgumentError("plan file is not a JSON object");
  }
  if (!root.contains("podform_plan")) {
    return absl::InvalidArgumentError(
        "not a podform plan file: \"podform_plan\" is missing");
  }
  const json& version = root.at("podform_plan");
  if (!version.is_number_integer()) {
    return r.Fail("\"podform_plan\" must be an integer");
  }
  if (version.get<int64_t>() != kPlanFileVersion) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan file format ", Dump(version, -1),
                     " is not supported; this podform reads format ",
                     kPlanFileVersion, " (make a new plan with this version)"));
  }
  // "moves" is there only when the plan moves something.
  json moves_json = json::array();
  if (root.contains("moves")) {
    moves_json = root.at("moves");
    json without = root;
    without.erase("moves");
    RETURN_IF_ERROR(Reader(without, "")
                        .Keys({"podform_plan", "checksum", "lineage", "serial",
                               "config_digest", "destroy", "target", "changes",
                               "unmanaged", "warnings", "cost"}));
  } else {
    RETURN_IF_ERROR(r.Keys({"podform_plan", "checksum", "lineage", "serial",
                            "config_digest", "destroy", "target", "changes",
                            "unmanaged", "warnings", "cost"}));
  }
  Plan plan;
  std::string checksum;
  RETURN_IF_ERROR(r.String("checksum", &checksum));
  RETURN_IF_ERROR(r.String("lineage", &plan.lineage));
  RETURN_IF_ERROR(r.Int("serial", &plan.serial));
  RETURN_IF_ERROR(r.String("config_digest", &plan.config_digest));
  RETURN_IF_ERROR(r.Bool("destroy", &plan.destroy));
  RETURN_IF_ERROR(r.Strings("warnings", &plan.warnings));
  Reader target(root.at("target"), "target");
  RETURN_IF_ERROR(target.Keys({"endpoint", "account"}));
  RETURN_IF_ERROR(target.String("endpoint", &plan.target.endpoint));
  RETURN_IF_ERROR(target.String("account", &plan.target.account));
  if (plan.target.endpoint.empty()) {
    return target.Fail("\"endpoint\" must not be empty");
  }

  const json* changes = nullptr;
  RETURN_IF_ERROR(r.List("changes", &changes));
  for (size_t i = 0; i < changes->size(); ++i) {
    Change c;
    RETURN_IF_ERROR(ReadChange((*changes)[i], i, &c));
    plan.changes.push_back(std::move(c));
  }
  absl::StatusOr<std::vector<Step>> steps = ExecutionSteps(plan.changes);
  if (!steps.ok()) return r.Fail(std::string(steps.status().message()));

  const json* unmanaged = nullptr;
  RETURN_IF_ERROR(r.List("unmanaged", &unmanaged));
  for (size_t i = 0; i < unmanaged->size(); ++i) {
    Reader u((*unmanaged)[i], absl::StrCat("unmanaged[", i, "]"));
    RETURN_IF_ERROR(u.Keys({"kind", "id", "name"}));
    UnmanagedResource resource;
    std::string kind;
    RETURN_IF_ERROR(u.String("kind", &kind));
    if (kind != "volume" && kind != "pod" && kind != "endpoint") {
      return u.Fail(
          "\"kind\" must be \"volume\", \"pod\" or \"endpoint\"");
    }
    resource.kind = kind == "volume" ? Kind::kVolume
                    : kind == "pod"  ? Kind::kPod
                                     : Kind::kEndpoint;
    RETURN_IF_ERROR(u.String("id", &resource.id));
    RETURN_IF_ERROR(u.String("name", &resource.name));
    plan.unmanaged.push_back(std::move(resource));
  }

  if (!moves_json.is_array()) return r.Fail("\"moves\" must be a list");
  for (size_t i = 0; i < moves_json.size(); ++i) {
    Reader m(moves_json[i], absl::StrCat("moves[", i, "]"));
    RETURN_IF_ERROR(m.Keys({"from", "to", "id"}));
    std::string from, to;
    Move move;
    RETURN_IF_ERROR(m.String("from", &from));
    RETURN_IF_ERROR(m.String("to", &to));
    RETURN_IF_ERROR(m.String("id", &move.id));
    absl::StatusOr<Address> from_address = Address::Parse(from);
    absl::StatusOr<Address> to_address = Address::Parse(to);
    if (!from_address.ok() || !to_address.ok() ||
        from_address->kind != to_address->kind) {
      return m.Fail("\"from\" and \"to\" must be addresses of one kind");
    }
    move.from = *from_address;
    move.to = *to_address;
    plan.moves.push_back(std::move(move));
  }

  Reader cost(root.at("cost"), "cost");
  // "unpriced_volumes" and "unpriced_pods" are there only when a volume or
  // a pod has no published price.
  json priced = root.at("cost");
  for (const char* key :
       {"unpriced_volumes", "unpriced_pods", "usage_based_endpoints",
        "unpriced_active_endpoints", "endpoints_hourly_before",
        "endpoints_hourly_after"}) {
    if (priced.is_object()) priced.erase(key);
  }
  RETURN_IF_ERROR(
      Reader(priced, "cost")
          .Keys({"storage_monthly_before", "storage_monthly_after",
                 "pods_hourly_before", "pods_hourly_after"}));
  if (root.at("cost").contains("unpriced_volumes")) {
    RETURN_IF_ERROR(
        cost.AddressList("unpriced_volumes", &plan.cost.unpriced_volumes));
  }
  if (root.at("cost").contains("unpriced_pods")) {
    RETURN_IF_ERROR(
        cost.AddressList("unpriced_pods", &plan.cost.unpriced_pods));
  }
  if (root.at("cost").contains("usage_based_endpoints")) {
    RETURN_IF_ERROR(cost.AddressList("usage_based_endpoints",
                                     &plan.cost.usage_based_endpoints));
  }
  if (root.at("cost").contains("unpriced_active_endpoints")) {
    RETURN_IF_ERROR(cost.AddressList("unpriced_active_endpoints",
                                     &plan.cost.unpriced_active_endpoints));
  }
  // The endpoints' figures are there only when the plan has endpoints.
  if (root.at("cost").contains("usage_based_endpoints")) {
    RETURN_IF_ERROR(cost.Number("endpoints_hourly_before",
                                &plan.cost.endpoints_hourly_before));
    RETURN_IF_ERROR(cost.Number("endpoints_hourly_after",
                                &plan.cost.endpoints_hourly_after));
  }
  RETURN_IF_ERROR(
      cost.Number("storage_monthly_before", &plan.cost.storage_monthly_before));
  RETURN_IF_ERROR(
      cost.Number("storage_monthly_after", &plan.cost.storage_monthly_after));
  RETURN_IF_ERROR(
      cost.Number("pods_hourly_before", &plan.cost.pods_hourly_before));
  RETURN_IF_ERROR(
      cost.Number("pods_hourly_after", &plan.cost.pods_hourly_after));

  json body = root;
  body.erase("checksum");
  if (Checksum(body) != checksum) {
    return absl::InvalidArgumentError(
        "plan file was modified after podform wrote it (checksum mismatch); "
        "make a new plan");
  }
  return plan;
}

}  // namespace

std::string SerializePlanFile(const Plan& plan) {
  json changes = json::array();
  for (const Change& c : plan.changes) {
    changes.push_back({
        {"address", c.address.ToString()},
        {"action", std::string(ActionName(c.action))},
        {"id", c.id},
        {"before", c.before ? ToAttributes(*c.before) : json(nullptr)},
        {"after", c.after ? ToAttributes(*c.after) : json(nullptr)},
        {"reasons", c.reasons},
        {"replace_attributes", c.replace_attributes},
        {"destroys_data", c.destroys_data},
        {"depends_on", Addresses(c.depends_on)},
        {"destroy_depends_on", Addresses(c.destroy_depends_on)},
        {"live_fingerprint", c.live_fingerprint},
        {"secret_env_changes", c.secret_env_changes},
        {"replace_order", std::string(ReplaceOrderName(c.replace_order))},
        {"replace_order_reason", c.replace_order_reason},
        {"deposed_id", c.deposed_id},
        {"gpu_count_by_resume", c.gpu_count_by_resume},
    });
  }
  json unmanaged = json::array();
  for (const UnmanagedResource& u : plan.unmanaged) {
    unmanaged.push_back(
        {{"kind", KindName(u.kind)}, {"id", u.id}, {"name", u.name}});
  }
  json body = {
      {"podform_plan", kPlanFileVersion},
      {"lineage", plan.lineage},
      {"serial", plan.serial},
      {"config_digest", plan.config_digest},
      {"destroy", plan.destroy},
      {"target",
       {{"endpoint", plan.target.endpoint}, {"account", plan.target.account}}},
      {"changes", changes},
      {"unmanaged", unmanaged},
      {"warnings", plan.warnings},
      {"cost",
       {{"storage_monthly_before", plan.cost.storage_monthly_before},
        {"storage_monthly_after", plan.cost.storage_monthly_after},
        {"pods_hourly_before", plan.cost.pods_hourly_before},
        {"pods_hourly_after", plan.cost.pods_hourly_after}}},
  };
  if (!plan.cost.unpriced_volumes.empty()) {
    body["cost"]["unpriced_volumes"] = Addresses(plan.cost.unpriced_volumes);
  }
  if (!plan.cost.unpriced_pods.empty()) {
    body["cost"]["unpriced_pods"] = Addresses(plan.cost.unpriced_pods);
  }
  if (!plan.cost.usage_based_endpoints.empty()) {
    body["cost"]["usage_based_endpoints"] =
        Addresses(plan.cost.usage_based_endpoints);
    body["cost"]["endpoints_hourly_before"] =
        plan.cost.endpoints_hourly_before;
    body["cost"]["endpoints_hourly_after"] = plan.cost.endpoints_hourly_after;
  }
  if (!plan.cost.unpriced_active_endpoints.empty()) {
    body["cost"]["unpriced_active_endpoints"] =
        Addresses(plan.cost.unpriced_active_endpoints);
  }
  if (!plan.moves.empty()) {
    json moves = json::array();
    for (const Move& move : plan.moves) {
      moves.push_back({{"from", move.from.ToString()},
                       {"to", move.to.ToString()},
                       {"id", move.id}});
    }
    body["moves"] = std::move(moves);
  }
  // The checksum covers the text a reader will parse, so invalid UTF-8 is
  // replaced first (by a round trip through the same dump).
  body = json::parse(Dump(body, -1), nullptr, false);
  body["checksum"] = Checksum(body);
  return Dump(body, 2) + "\n";
}

absl::StatusOr<Plan> ParsePlanFile(const std::string& text) {
  absl::StatusOr<json> root = ParseJson(text);
  if (!root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan file is not valid JSON (truncated or damaged?): ",
                     root.status().message()));
  }
  try {
    return Parse(*root);
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan file is damaged: ", e.what()));
  }
}

bool IsPlanFile(const std::string& text) {
  absl::StatusOr<json> root = ParseJson(text);
  return root.ok() && root->is_object() && root->contains("podform_plan");
}

}  // namespace podform
