#ifndef PODFORM_RECONCILER_CONFIG_YAML_EVENTS_H_
#define PODFORM_RECONCILER_CONFIG_YAML_EVENTS_H_

// Checks of podform.yaml made over yaml-cpp's parser events rather than its
// node graph: an alias is one event, so each node written in the file is
// seen once however many aliases point at it, and the work is linear in the
// file's size. (A walk of the node graph sees an aliased node once per
// alias: a few hundred bytes of nested aliases make it billions of nodes.)

#include <cstdint>
#include <optional>
#include <string>

#include "reconciler/config/diagnostics.h"

namespace podform {

// True if the quoted scalar that starts at `pos` of `text` (on its quote
// character) is closed before the end of the text. Costs the scalar's own
// length.
bool QuotedScalarIsClosed(const std::string& text, size_t pos);

// How many nodes aliases may add to the documents, once expanded. The
// readers walk the expanded documents, so this bounds their work too.
inline constexpr int64_t kMaxAliasExpansion = 100000;

// Parses `text` (at most `max_documents` documents; the caller has checked
// it parses without a syntax error) and reports to `diagnostics`:
//   - "YAML syntax error: unterminated quoted string" at the first quoted
//     scalar (key or value) never closed (yaml-cpp 0.7 runs it to the end
//     of the file);
//   - "alias *NAME refers to a node that contains it" (a cycle);
//   - "YAML aliases expand to more than 100000 nodes; ..." at the alias
//     that crosses kMaxAliasExpansion.
// Returns true when it reported nothing. Never throws.
bool CheckYamlEvents(const std::string& text, int max_documents,
                     Diagnostics& diagnostics);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_YAML_EVENTS_H_
