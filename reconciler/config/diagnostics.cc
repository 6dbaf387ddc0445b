#include "reconciler/config/diagnostics.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace podform {

std::string Diagnostic::ToString() const {
  std::string out = file;
  if (location.line > 0) {
    absl::StrAppend(&out, ":", location.line, ":", location.column);
  }
  absl::StrAppend(&out, ": ");
  if (severity == Severity::kWarning) out.append("warning: ");
  out.append(message);
  return out;
}

void Diagnostics::Error(SourceLocation location, std::string message) {
  list_.push_back(Diagnostic{Diagnostic::Severity::kError, file_, location,
                             std::move(message)});
  ++errors_;
}

void Diagnostics::Warning(SourceLocation location, std::string message) {
  list_.push_back(Diagnostic{Diagnostic::Severity::kWarning, file_, location,
                             std::move(message)});
}

std::vector<Diagnostic> Diagnostics::Sorted() const {
  std::vector<Diagnostic> sorted = list_;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const Diagnostic& a, const Diagnostic& b) {
                     if (a.location.line != b.location.line) {
                       return a.location.line < b.location.line;
                     }
                     return a.location.column < b.location.column;
                   });
  return sorted;
}

}  // namespace podform
