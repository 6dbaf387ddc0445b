#ifndef PODFORM_RECONCILER_UTIL_UTF8_H_
#define PODFORM_RECONCILER_UTIL_UTF8_H_

// Checking that text is UTF-8, as RFC 3629 defines it: no overlong forms, no
// surrogates (U+D800..U+DFFF), nothing above U+10FFFF.

#include <cstddef>
#include <optional>
#include <string_view>

namespace podform {

// The offset of the first byte of `text` that does not begin a valid UTF-8
// sequence (or begins one that is cut short or malformed); nullopt when all
// of `text` is valid UTF-8.
std::optional<size_t> FirstInvalidUtf8(std::string_view text);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_UTF8_H_
