#ifndef PODFORM_RECONCILER_UTIL_PERCENT_H_
#define PODFORM_RECONCILER_UTIL_PERCENT_H_

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace podform {

// How '+' reads: a space in a query string (form encoding), itself
// elsewhere in a URL.
enum class Plus { kSpace, kLiteral };

// `text` with each %XX escape decoded; a malformed escape is kept as is.
std::string PercentDecode(std::string_view text, Plus plus = Plus::kLiteral);
// The same for Abseil's string_view (a type of its own in Debian's Abseil).
inline std::string PercentDecode(absl::string_view text,
                                 Plus plus = Plus::kLiteral) {
  return PercentDecode(std::string_view(text.data(), text.size()), plus);
}

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_PERCENT_H_
