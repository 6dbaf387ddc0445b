#ifndef PODFORM_RECONCILER_UTIL_STATUS_MACROS_H_
#define PODFORM_RECONCILER_UTIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

// Debian's Abseil (20220623) has neither macro; these are the only copies.

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function if it is not OK.
#define RETURN_IF_ERROR(expr)                                 \
  do {                                                        \
    ::absl::Status podform_status_ = (expr);                  \
    if (!podform_status_.ok()) return podform_status_;        \
  } while (0)

#define PODFORM_CONCAT_INNER_(a, b) a##b
#define PODFORM_CONCAT_(a, b) PODFORM_CONCAT_INNER_(a, b)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (an absl::StatusOr<T>); on
// error returns its status, otherwise move-assigns the value to `lhs`, which
// may be a declaration (`auto x`) or an existing lvalue.
#define ASSIGN_OR_RETURN(lhs, expr)                                        \
  PODFORM_ASSIGN_OR_RETURN_IMPL_(PODFORM_CONCAT_(podform_sor_, __LINE__), \
                                 lhs, expr)
#define PODFORM_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();       \
  lhs = std::move(tmp).value()

namespace podform {

// Returns `status` with `context` prepended to its message ("context: msg"),
// keeping the code and payloads. OK stays OK.
inline absl::Status Annotate(const absl::Status& status,
                             std::string_view context) {
  if (status.ok()) return status;
  // Debian's Abseil has its own string_view, distinct from std::string_view.
  absl::Status out(status.code(),
                   absl::StrCat(absl::string_view(context.data(), context.size()),
                                ": ", status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_STATUS_MACROS_H_
