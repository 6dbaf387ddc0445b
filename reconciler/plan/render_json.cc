// RenderJson (render.h); the format is documented in docs/PLAN_FORMAT.md.

#include "nlohmann/json.hpp"
#include "reconciler/core/catalog.h"
#include "reconciler/plan/render.h"
#include "reconciler/plan/render_util.h"

namespace podform {
namespace {

using nlohmann::json;

json Diagnostics(const std::vector<Finding>& findings) {
  json out = json::array();
  for (const Finding& f : findings) {
    json d = {{"severity", f.severity == Finding::Severity::kError
                               ? "error"
                               : "warning"},
              {"message", f.message}};
    if (!f.file.empty()) d["file"] = f.file;
    if (f.line > 0) d["line"] = f.line;
    if (f.column > 0) d["column"] = f.column;
    out.push_back(std::move(d));
  }
  return out;
}

std::string Dump(const json& j) {
  // `replace` makes dump() unable to throw: strings in a plan come from
  // inputs checked to be UTF-8, and a byte that slipped through shows as
  // U+FFFD rather than aborting the program.
  return j.dump(2, ' ', /*ensure_ascii=*/false,
                json::error_handler_t::replace) +
         "\n";
}


json Addresses(const std::vector<Address>& addresses) {
  json out = json::array();
  for (const Address& a : addresses) out.push_back(a.ToString());
  return out;
}

// "runway" (docs/PLAN_FORMAT.md): the figures, or why they are unknown.
json RunwayJson(const Runway& runway) {
  if (!runway.known()) {
    return {{"known", false},
            {"reason", runway.unknown_reason},
            {"message", RunwayLine(runway)}};
  }
  auto days = [](const std::optional<double>& d) {
    return d.has_value() ? json(*d) : json(nullptr);
  };
  json out = {{"known", true},
              {"balance", runway.balance},
              {"spend_limit_hourly", runway.spend_limit},
              {"spend_daily_now", runway.per_day_now},
              {"spend_daily_after", runway.per_day_after},
              {"spend_hourly_after", runway.per_hour_after},
              {"days_now", days(runway.days_now)},
              {"days_after", days(runway.days_after)},
              {"message", RunwayLine(runway)}};
  // Only when there are any, so that runways of priced plans read as in
  // format 3.
  if (!runway.unpriced_changes.empty()) {
    out["unpriced_changes"] = runway.unpriced_changes;
  }
  return out;
}

}  // namespace

json RenderJson(const Plan& plan) {
  json changes = json::array();
  for (const Change& c : plan.changes) {
    changes.push_back({
        {"address", c.address.ToString()},
        {"action", std::string(ActionName(c.action))},
        {"id", c.id},
        {"reasons", c.reasons},
        {"before", c.before ? render_internal::RedactedAttributes(*c.before)
                            : json(nullptr)},
        {"after", c.after ? render_internal::RedactedAttributes(*c.after)
                          : json(nullptr)},
        {"replace_attributes", c.replace_attributes},
        {"destroys_data", c.destroys_data},
        {"depends_on", Addresses(c.depends_on)},
        {"destroy_depends_on", Addresses(c.destroy_depends_on)},
        {"secret_env_changes", c.secret_env_changes},
        {"replace_order",
         c.action == Action::kReplace
             ? json(std::string(ReplaceOrderName(c.replace_order)))
             : json(nullptr)},
        {"replace_order_reason", c.replace_order_reason},
        {"deposed", c.deposed_id.empty() ? json(nullptr) : json(c.deposed_id)},
        {"gpu_count_by_resume", c.gpu_count_by_resume},
    });
  }
  std::map<Action, int> counts = plan.Counts();
  json unmanaged = json::array();
  for (const UnmanagedResource& u : plan.unmanaged) {
    unmanaged.push_back(
        {{"kind", KindName(u.kind)}, {"id", u.id}, {"name", u.name}});
  }
  json out = {
      {"format_version", Plan::kFormatVersion},
      {"ok", true},
      {"diagnostics", Diagnostics(plan.config_warnings)},
      {"lineage", plan.lineage},
      {"serial", plan.serial},
      {"destroy", plan.destroy},
      {"changes", changes},
      {"summary",
       {{"add", counts[Action::kCreate]},
        {"change", counts[Action::kUpdate]},
        {"replace", counts[Action::kReplace]},
        {"destroy", counts[Action::kDelete]},
        {"stop", counts[Action::kStop]},
        {"resume", counts[Action::kResume]}}},
      {"has_changes", plan.HasChanges()},
      {"destroys_data", plan.DestroysData()},
      {"cost",
       {{"currency", "USD"},
        {"storage_monthly_before", plan.cost.storage_monthly_before},
        {"storage_monthly_after", plan.cost.storage_monthly_after},
        {"pods_hourly_before", plan.cost.pods_hourly_before},
        {"pods_hourly_after", plan.cost.pods_hourly_after},
        {"endpoints_hourly_before", plan.cost.endpoints_hourly_before},
        {"endpoints_hourly_after", plan.cost.endpoints_hourly_after},
        {"unpriced_volumes", Addresses(plan.cost.unpriced_volumes)},
        {"unpriced_pods", Addresses(plan.cost.unpriced_pods)},
        {"usage_based_endpoints",
         Addresses(plan.cost.usage_based_endpoints)},
        {"unpriced_active_endpoints",
         Addresses(plan.cost.unpriced_active_endpoints)},
        {"prices_as_of", kPricesAsOf},
        {"assumptions", render_internal::CostAssumptions()}}},
      {"unmanaged", unmanaged},
      {"warnings", plan.warnings},
  };
  if (plan.runway.has_value()) {
    out["runway"] = RunwayJson(*plan.runway);
  }
  if (!plan.moves.empty()) {
    // Only when there are some, so that plans without moves read as before.
    json moves = json::array();
    for (const Move& move : plan.moves) {
      moves.push_back({{"from", move.from.ToString()},
                       {"to", move.to.ToString()},
                       {"id", move.id},
                       {"message", MovedLine(move)}});
    }
    out["moves"] = std::move(moves);
    out["summary"]["move"] = plan.moves.size();
  }
  return out;
}

std::string RenderJsonText(const Plan& plan) { return Dump(RenderJson(plan)); }

std::string RenderFailureJsonText(const std::vector<Finding>& findings) {
  return Dump({{"format_version", Plan::kFormatVersion},
               {"ok", false},
               {"diagnostics", Diagnostics(findings)}});
}

}  // namespace podform
