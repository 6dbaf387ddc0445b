#ifndef PODFORM_RECONCILER_PLAN_RENDER_H_
#define PODFORM_RECONCILER_PLAN_RENDER_H_

// Renderings of a Plan for people (text, markdown) and machines (JSON).
// They only read the plan. Secret env values are never shown: they appear
// as "(sensitive)" (a plan holds only their digests anyway).

#include <string>
#include <vector>

#include "nlohmann/json_fwd.hpp"
#include "reconciler/plan/plan.h"

namespace podform {

// Terraform-style text: a legend of the symbols used, one block per change
// (no-ops skipped) with its reasons as "# (reason)" lines and the changed
// attributes ("~ size: 100 -> 200", "+ image: \"...\"", "# forces
// replacement"), unmanaged resources, warnings, a WARNING line for every
// step that destroys volume data, the summary line (or "No changes. ...")
// and the cost lines. ANSI colour only when `color` is true.
std::string RenderText(const Plan& plan, bool color);

// The machine format, version 1, documented in docs/PLAN_FORMAT.md.
nlohmann::json RenderJson(const Plan& plan);

// RenderJson as text: 2-space indent, trailing newline, what `plan --json`
// prints. Never throws (invalid UTF-8 shows as U+FFFD).
std::string RenderJsonText(const Plan& plan);

// What --json prints instead of a plan when the command fails: the format's
// version, "ok": false, and `findings` (at least one error) as
// "diagnostics" (docs/PLAN_FORMAT.md).
std::string RenderFailureJsonText(const std::vector<Finding>& findings);

// GitHub-flavoured markdown for a pull-request comment: heading, summary,
// data-loss warnings, a table of changes, the full plan in a ```diff block,
// unmanaged resources, warnings and cost.
std::string RenderMarkdown(const Plan& plan);

// "Plan: 2 to add, 1 to change, 1 to replace, 0 to destroy." with ", N to
// stop" / ", N to resume" / ", N to move" appended when non-zero; "No
// changes. Your infrastructure matches the configuration." when there is
// nothing to do.
std::string SummaryLine(const Plan& plan);

// "volume.models has moved to volume.weights".
std::string MovedLine(const Move& move);

// One line per change with destroys_data: "volume.models will be DESTROYED
// with all its data (500 GB)" (replace adds " and replaced by an empty
// volume", and ", which endpoint.a, endpoint.b then read" when endpoints
// mount it after the plan). Without the "WARNING: " prefix.
std::vector<std::string> DataLossWarnings(const Plan& plan);

}  // namespace podform

#endif  // PODFORM_RECONCILER_PLAN_RENDER_H_
