// RenderMarkdown (render.h).

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "reconciler/plan/render.h"
#include "reconciler/plan/render_util.h"

namespace podform {
namespace {

using render_internal::AttributeLine;
using render_internal::Printable;

// A table cell: no line breaks, pipes escaped.
std::string Cell(const std::string& text) {
  return absl::StrReplaceAll(Printable(text), {{"|", "\\|"}});
}

// Symbols GitHub's diff highlighting colours: + green, - red, ! orange.
std::string DiffSymbol(Action action) {
  switch (action) {
    case Action::kCreate:
      return "+";
    case Action::kReplace:
      return "-/+";
    case Action::kDelete:
      return "-";
    default:
      return "!";
  }
}

std::string DiffBlock(const Plan& plan) {
  std::string out;
  for (const Change& c : plan.changes) {
    if (c.action == Action::kNoOp) continue;
    if (!out.empty()) absl::StrAppend(&out, "\n");
    absl::StrAppend(&out, render_internal::ChangeSymbol(c) == "+/-"
                              ? "+/-"
                              : DiffSymbol(c.action),
                    " ", render_internal::ChangeTitle(c), " ",
                    render_internal::ActionWords(c.action), "\n");
    for (const std::string& reason : c.reasons) {
      absl::StrAppend(&out, "#     (", Printable(reason), ")\n");
    }
    if (std::string order = render_internal::ReplaceOrderLine(c);
        !order.empty()) {
      absl::StrAppend(&out, "#     (", order, ")\n");
    }
    for (const AttributeLine& line : render_internal::AttributeLines(c)) {
      std::string forces =
          line.forces_replacement ? " # forces replacement"
          : line.note.empty()     ? ""
                                  : absl::StrCat(" # ", line.note);
      if (line.op != '+') {
        absl::StrAppend(&out, "-     ", line.name, ": ", line.before,
                        line.op == '-' ? forces : "", "\n");
      }
      if (line.op != '-') {
        absl::StrAppend(&out, "+     ", line.name, ": ", line.after, forces,
                        "\n");
      }
    }
  }
  return out;
}

// A fence longer than any run of backticks in `text`.
std::string Fence(const std::string& text) {
  size_t longest = 0, run = 0;
  for (char ch : text) {
    run = ch == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

}  // namespace

std::string RenderMarkdown(const Plan& plan) {
  std::string out =
      absl::StrCat("### podform ", plan.destroy ? "destroy plan" : "plan",
                   "\n\n**", SummaryLine(plan), "**\n\n");
  std::vector<std::string> loss = DataLossWarnings(plan);
  if (!loss.empty()) {
    absl::StrAppend(&out, "> [!CAUTION]\n");
    for (const std::string& line : loss) {
      absl::StrAppend(&out, "> **", line, "**  \n");
    }
    absl::StrAppend(&out, "\n");
  }
  if (plan.HasChanges()) {
    absl::StrAppend(&out,
                    "| Action | Address | Id | Why |\n"
                    "|---|---|---|---|\n");
    for (const Move& move : plan.moves) {
      absl::StrAppend(
          &out, "| move | `", move.to.ToString(), "` | ",
          move.id.empty() ? "" : absl::StrCat("`", Cell(move.id), "`"), " | ",
          Cell(absl::StrCat(MovedLine(move), "; nothing is sent to RunPod")),
          " |\n");
    }
    for (const Change& c : plan.changes) {
      if (c.action == Action::kNoOp) continue;
      std::string why;
      for (const std::string& reason : c.reasons) {
        absl::StrAppend(&why, why.empty() ? "" : "; ", reason);
      }
      if (std::string order = render_internal::ReplaceOrderLine(c);
          !order.empty()) {
        absl::StrAppend(&why, why.empty() ? "" : "; ", order);
      }
      std::string address = c.address.ToString();
      if (!c.deposed_id.empty()) absl::StrAppend(&address, " (deposed)");
      absl::StrAppend(&out, "| ", std::string(ActionName(c.action)), " | `",
                      address, "` | ",
                      c.id.empty() ? "" : absl::StrCat("`", Cell(c.id), "`"),
                      " | ", Cell(why), " |\n");
    }
    if (plan.HasActions()) {
      std::string diff = DiffBlock(plan);
      std::string fence = Fence(diff);
      absl::StrAppend(&out,
                      "\n<details><summary>Attribute changes</summary>\n\n",
                      fence, "diff\n", diff, fence, "\n\n</details>\n\n");
    } else {
      absl::StrAppend(&out, "\n");
    }
  }
  if (!plan.unmanaged.empty()) {
    absl::StrAppend(&out,
                    "**Unmanaged** (on RunPod but not in the lock file; "
                    "podform leaves them alone):\n\n");
    for (const UnmanagedResource& u : plan.unmanaged) {
      absl::StrAppend(&out, "- ", KindName(u.kind), " `", Printable(u.id), "` ",
                      Printable(render_internal::Show(u.name)), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  if (!plan.warnings.empty() || !plan.config_warnings.empty()) {
    absl::StrAppend(&out, "**Warnings:**\n\n");
    for (const Finding& w : plan.config_warnings) {
      absl::StrAppend(&out, "- `", Printable(w.file));
      if (w.line > 0) absl::StrAppend(&out, ":", w.line, ":", w.column);
      absl::StrAppend(&out, "`: ", Printable(w.message), "\n");
    }
    for (const std::string& w : plan.warnings) {
      absl::StrAppend(&out, "- ", Printable(w), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  absl::StrAppend(&out,
                  "| Cost | Before | After |\n"
                  "|---|---|---|\n"
                  "| Storage (per month) | ",
                  render_internal::Money(plan.cost.storage_monthly_before),
                  " | ",
                  render_internal::Money(plan.cost.storage_monthly_after),
                  " |\n", "| Pods (per hour) | ",
                  render_internal::Money(plan.cost.pods_hourly_before), " | ",
                  render_internal::Money(plan.cost.pods_hourly_after), " |\n");
  if (!plan.cost.usage_based_endpoints.empty()) {
    absl::StrAppend(
        &out, "| Endpoints' active workers (per hour) | ",
        render_internal::Money(plan.cost.endpoints_hourly_before), " | ",
        render_internal::Money(plan.cost.endpoints_hourly_after), " |\n");
  }
  if (!plan.cost.unpriced_volumes.empty()) {
    absl::StrAppend(&out, "\nStorage leaves out ",
                    render_internal::UnpricedNote(plan.cost), ".\n");
  }
  if (!plan.cost.unpriced_pods.empty()) {
    absl::StrAppend(&out, "\nPods leave out ",
                    render_internal::UnpricedPodsNote(plan.cost), ".\n");
  }
  if (!plan.cost.usage_based_endpoints.empty()) {
    absl::StrAppend(&out, "\nEndpoints: ",
                    render_internal::EndpointsNote(plan.cost), ".\n");
  }
  absl::StrAppend(&out, "\n", render_internal::CostAssumptions(), "\n");
  if (plan.runway.has_value()) {
    absl::StrAppend(&out, "\n", Printable(RunwayLine(*plan.runway)), "\n");
  }
  return out;
}

}  // namespace podform
