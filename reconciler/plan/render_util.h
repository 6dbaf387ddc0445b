#ifndef PODFORM_RECONCILER_PLAN_RENDER_UTIL_H_
#define PODFORM_RECONCILER_PLAN_RENDER_UTIL_H_

// What the text, markdown and JSON renderings share. Internal to
// reconciler/plan.

#include <string>
#include <string_view>
#include <vector>

#include "nlohmann/json.hpp"
#include "reconciler/plan/plan.h"

namespace podform::render_internal {

inline constexpr char kSensitive[] = "(sensitive)";

// One attribute of a change as people read it.
struct AttributeLine {
  char op = '~';       // '+' added, '-' removed, '~' changed
  std::string name;    // "size", "env.HF_TOKEN"
  std::string before;  // rendered value ('-' and '~')
  std::string after;   // rendered value ('+' and '~')
  bool forces_replacement = false;
  // How apply changes it, for people; "" for most lines. gpuCount of a
  // change with gpu_count_by_resume: "stop, then resume with 2 GPUs
  // (GraphQL podResume)".
  std::string note;
};

// The attribute lines of `change`, sorted by name: every set attribute of
// `after` for a create ('+'), of `before` for a delete ('-'), only the
// differences otherwise. Env is expanded per key; secrets render as
// (sensitive), and a secret in both differs when change.secret_env_changes
// names it; a pod's networkVolumeId that apply fills in renders as
// (known after apply); "secretEnv" is not shown (secret keys are marked by
// their values).
std::vector<AttributeLine> AttributeLines(const Change& change);

// ToAttributes(resource) with "(sensitive)" as the env value of every
// secret env key.
nlohmann::json RedactedAttributes(const Resource& resource);

// A JSON value for people: strings quoted; invalid UTF-8 replaced; never
// throws.
std::string Show(const nlohmann::json& value);

// `text` with control characters (including ESC) written as \xNN, so that
// values from RunPod cannot drive the terminal.
std::string Printable(std::string_view text);

// "$7.00".
std::string Money(double usd);

// "will be created", "will be updated in place", "must be replaced",
// "will be destroyed", "will be stopped", "will be resumed".
std::string ActionWords(Action action);

// The symbol in the text rendering: "  +", "  ~", "-/+", "  -", "  |", "  >".
std::string ActionSymbol(Action action);

// The symbol of `change`: ActionSymbol(change.action), except "+/-" for a
// create-first replace (Terraform's symbol for create-before-destroy).
std::string ChangeSymbol(const Change& change);

// "pod.trainer", or for a deposed pod's termination "pod.trainer (deposed
// pod ID)".
std::string ChangeTitle(const Change& change);

// For a replace, the order it uses, for people: "create before destroy:
// the new pod is created and runs before the old one is terminated" or
// "destroy before create" (with ": REASON" when the plan gives one); ""
// for any other action.
std::string ReplaceOrderLine(const Change& change);

// "Storage: $7.00/month -> $35.00/month" (with " (volume.fast: price not
// published)" when cost.unpriced_volumes names any), "Pods: $0.00/hour ->
// $1.64/hour" (with " (pod.big: price not published)" when
// cost.unpriced_pods names any), "Endpoints: $0.00/hour -> $1.12/hour ("
// EndpointsNote(cost) ")" when the plan has endpoints, and
// CostAssumptions().
std::vector<std::string> CostLines(const Cost& cost);

// What the endpoints' figures hold and leave out: "active workers, each
// endpoint at its dearest pool; use beyond them billed by the second, not
// included: endpoint.a, endpoint.b", then "; endpoint.x: price not
// published" for cost.unpriced_active_endpoints; "" when there is no
// endpoint.
std::string EndpointsNote(const Cost& cost);

// The one line that says what the cost lines assume: "Prices as of
// 2026-12 (RunPod's published list); volumes bill hourly whether or not a
// pod runs; a stopped pod costs no GPU time."
std::string CostAssumptions();

// "volume.fast: price not published" for cost.unpriced_volumes (joined by
// ", " before the colon; beyond the first 10, "... and N more"); "" when
// there are none.
std::string UnpricedNote(const Cost& cost);

// The same for cost.unpriced_pods: "pod.big: price not published"; "" when
// there are none.
std::string UnpricedPodsNote(const Cost& cost);

}  // namespace podform::render_internal

#endif  // PODFORM_RECONCILER_PLAN_RENDER_UTIL_H_
