#ifndef PODFORM_RECONCILER_CONFIG_SUGGEST_H_
#define PODFORM_RECONCILER_CONFIG_SUGGEST_H_

// "Did you mean" suggestions for misspelt keys, references and catalog ids.

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace podform {

// The optimal-string-alignment distance between `a` and `b`, compared
// case-insensitively (ASCII): insertions, deletions, substitutions and
// transpositions of adjacent characters each cost 1.
size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word`, if it is close enough to be a likely
// typo: distance at most max(2, word.size() / 3). Ties go to the earlier
// candidate. nullopt when nothing is that close, or `word` is a candidate.
std::optional<std::string> SuggestClosest(
    std::string_view word, std::span<const std::string_view> candidates);

// The catalog id (data center, GPU type) that `word` most likely means:
// the first candidate within one edit of `word` once both are lower-cased
// and stripped of everything but letters and digits ("EU-RO1" -> "EU-RO-1",
// "nvidia geforce rtx4090" -> "NVIDIA GeForce RTX 4090"). Stricter than
// SuggestClosest, since ids that differ in a digit ("NVIDIA H200" and
// "NVIDIA B300") are different products, not typos. nullopt when none is
// that close, or `word` is a candidate.
std::optional<std::string> SuggestCatalogId(
    std::string_view word, std::span<const std::string_view> candidates);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_SUGGEST_H_
