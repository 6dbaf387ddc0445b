// RenderText, SummaryLine and DataLossWarnings (render.h).

#include "absl/algorithm/container.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/core/kind_text.h"
#include "reconciler/plan/render.h"
#include "reconciler/plan/render_util.h"

namespace podform {
namespace {

using render_internal::ActionSymbol;
using render_internal::ActionWords;
using render_internal::ChangeSymbol;
using render_internal::ChangeTitle;
using render_internal::AttributeLine;

struct Palette {
  std::string green, yellow, red, cyan, bold, reset;

  explicit Palette(bool color) {
    if (!color) return;
    green = "\x1b[32m";
    yellow = "\x1b[33m";
    red = "\x1b[31m";
    cyan = "\x1b[36m";
    bold = "\x1b[1m";
    reset = "\x1b[0m";
  }

  const std::string& ForAction(Action action) const {
    switch (action) {
      case Action::kCreate:
        return green;
      case Action::kUpdate:
        return yellow;
      case Action::kReplace:
      case Action::kDelete:
        return red;
      case Action::kStop:
      case Action::kResume:
      case Action::kNoOp:
        break;
    }
    return cyan;
  }

  const std::string& ForOp(char op) const {
    return op == '+' ? green : op == '-' ? red : yellow;
  }
};

struct LegendEntry {
  Action action;
  const char* text;
};

constexpr LegendEntry kLegend[] = {
    {Action::kCreate, "create"},
    {Action::kUpdate, "update in place"},
    {Action::kReplace, "replace (delete, then create)"},  // or "+/-" below
    {Action::kDelete, "destroy"},
    {Action::kStop, "stop the pod"},
    {Action::kResume, "start the pod again"},
};

void RenderChange(const Change& c, const Palette& p, std::string* out) {
  const std::string& color = p.ForAction(c.action);
  absl::StrAppend(out, color, ChangeSymbol(c), p.reset, " ", p.bold,
                  ChangeTitle(c), p.reset, " ", ActionWords(c.action), "\n");
  for (const std::string& reason : c.reasons) {
    absl::StrAppend(out, "      # (", render_internal::Printable(reason),
                    ")\n");
  }
  if (std::string order = render_internal::ReplaceOrderLine(c);
      !order.empty()) {
    absl::StrAppend(out, "      # (", order, ")\n");
  }
  for (const AttributeLine& line : render_internal::AttributeLines(c)) {
    absl::StrAppend(out, "      ", p.ForOp(line.op), std::string(1, line.op),
                    p.reset, " ", line.name, ": ");
    if (line.op == '+') {
      absl::StrAppend(out, line.after);
    } else if (line.op == '-') {
      absl::StrAppend(out, line.before);
    } else {
      absl::StrAppend(out, line.before, " -> ", line.after);
    }
    if (line.forces_replacement) {
      absl::StrAppend(out, " ", p.red, "# forces replacement", p.reset);
    }
    if (!line.note.empty()) absl::StrAppend(out, " # ", line.note);
    absl::StrAppend(out, "\n");
  }
  absl::StrAppend(out, "\n");
}

}  // namespace

std::string MovedLine(const Move& move) {
  return absl::StrCat(move.from.ToString(), " has moved to ",
                      move.to.ToString());
}

std::string SummaryLine(const Plan& plan) {
  if (!plan.HasChanges()) {
    return "No changes. Your infrastructure matches the configuration.";
  }
  std::map<Action, int> counts = plan.Counts();
  std::string line = absl::StrCat(
      "Plan: ", counts[Action::kCreate], " to add, ", counts[Action::kUpdate],
      " to change, ", counts[Action::kReplace], " to replace, ",
      counts[Action::kDelete], " to destroy");
  if (counts[Action::kStop] > 0) {
    absl::StrAppend(&line, ", ", counts[Action::kStop], " to stop");
  }
  if (counts[Action::kResume] > 0) {
    absl::StrAppend(&line, ", ", counts[Action::kResume], " to resume");
  }
  if (!plan.moves.empty()) {
    absl::StrAppend(&line, ", ", plan.moves.size(), " to move");
  }
  return absl::StrCat(line, ".");
}

std::vector<std::string> DataLossWarnings(const Plan& plan) {
  std::vector<std::string> out;
  for (const Change& c : plan.changes) {
    if (!c.destroys_data) continue;
    std::string line = absl::StrCat(c.address.ToString(),
                                    " will be DESTROYED with all its data");
    if (c.before.has_value()) {
      absl::StrAppend(&line, DestroyedDataNote(*c.before));
    }
    if (c.action == Action::kReplace) {
      absl::StrAppend(&line, " and replaced by an empty volume");
      // The endpoints (what has volume_keys) that go on mounting it read
      // the empty one.
      std::vector<std::string> readers;
      for (const Change& e : plan.changes) {
        if (e.action != Action::kDelete && e.after.has_value() &&
            absl::c_linear_search(e.after->volume_keys, c.address.name)) {
          readers.push_back(e.address.ToString());
        }
      }
      if (!readers.empty()) {
        absl::StrAppend(&line, ", which ", absl::StrJoin(readers, ", "),
                        " then ", readers.size() == 1 ? "reads" : "read");
      }
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::string RenderText(const Plan& plan, bool color) {
  Palette p(color);
  std::string out;
  if (plan.HasChanges()) {
    std::map<Action, int> counts = plan.Counts();
    if (plan.HasActions()) {
      absl::StrAppend(&out,
                      "Resource actions are indicated with the following "
                      "symbols:\n");
      // Replaces show the symbol of each order the plan uses.
      bool create_first = false, destroy_first = false;
      for (const Change& c : plan.changes) {
        if (c.action != Action::kReplace) continue;
        (c.replace_order == ReplaceOrder::kCreateFirst ? create_first
                                                       : destroy_first) = true;
      }
      for (const LegendEntry& entry : kLegend) {
        if (counts[entry.action] == 0) continue;
        if (entry.action == Action::kReplace) {
          if (destroy_first) {
            absl::StrAppend(&out, p.red, "-/+", p.reset, " ", entry.text,
                            "\n");
          }
          if (create_first) {
            absl::StrAppend(&out, p.red, "+/-", p.reset,
                            " replace (create, then delete)\n");
          }
          continue;
        }
        absl::StrAppend(&out, p.ForAction(entry.action),
                        ActionSymbol(entry.action), p.reset, " ", entry.text,
                        "\n");
      }
      absl::StrAppend(&out, "\n");
    }
    absl::StrAppend(&out, "podform will perform the following actions:\n\n");
    for (const Move& move : plan.moves) {
      absl::StrAppend(&out, "  # ", p.bold, MovedLine(move), p.reset,
                      " (nothing is sent to RunPod)\n");
    }
    if (!plan.moves.empty()) absl::StrAppend(&out, "\n");
    for (const Change& c : plan.changes) {
      if (c.action != Action::kNoOp) RenderChange(c, p, &out);
    }
  }
  if (!plan.unmanaged.empty()) {
    absl::StrAppend(&out,
                    "Unmanaged resources (on RunPod but not in the lock "
                    "file; podform leaves them alone):\n");
    for (const UnmanagedResource& u : plan.unmanaged) {
      absl::StrAppend(&out, "  ", KindName(u.kind), " ",
                      render_internal::Printable(u.id), " ",
                      render_internal::Show(u.name), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  if (!plan.warnings.empty()) {
    absl::StrAppend(&out, p.yellow, "Warnings:", p.reset, "\n");
    for (const std::string& w : plan.warnings) {
      absl::StrAppend(&out, "  - ", render_internal::Printable(w), "\n");
    }
    absl::StrAppend(&out, "\n");
  }
  std::vector<std::string> loss = DataLossWarnings(plan);
  for (const std::string& line : loss) {
    absl::StrAppend(&out, p.bold, p.red, "WARNING: ", line, p.reset, "\n");
  }
  if (!loss.empty()) absl::StrAppend(&out, "\n");
  absl::StrAppend(&out, p.bold, SummaryLine(plan), p.reset, "\n\n");
  for (const std::string& line : render_internal::CostLines(plan.cost)) {
    absl::StrAppend(&out, line, "\n");
  }
  if (plan.runway.has_value()) {
    absl::StrAppend(&out, render_internal::Printable(RunwayLine(*plan.runway)),
                    "\n");
  }
  return out;
}

}  // namespace podform
