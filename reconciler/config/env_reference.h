#ifndef PODFORM_RECONCILER_CONFIG_ENV_REFERENCE_H_
#define PODFORM_RECONCILER_CONFIG_ENV_REFERENCE_H_

// ${env:NAME} references in podform.yaml env values.
//
// Syntax, scanned left to right:
//   ${env:NAME}  the value of environment variable NAME, where NAME matches
//                [A-Za-z_][A-Za-z0-9_]*; may be the whole value or embedded
//   $${          a literal "${" (so "$${HOME}" passes "${HOME}" to the pod)
//   $            any other "$" is literal
// Any other "${" is malformed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/config/config.h"

namespace podform {

struct EnvExpansion {
  // The value with references resolved and escapes undone. Meaningful only
  // when `malformed` and `unset` are both empty.
  std::string value;
  // True when at least one ${env:NAME} was resolved: the value is a secret.
  bool secret = false;
  // Malformed references as written, e.g. "${env:}", "${HOME}", "${env:X",
  // each cut at its closing brace (or at 40 characters).
  std::vector<std::string> malformed;
  // Names referenced that `env` reports unset, in order, without repeats.
  std::vector<std::string> unset;
};

// Expands `text`. Never fails: problems are listed in the result.
EnvExpansion ExpandEnvReferences(std::string_view text, const EnvLookup& env);

// True if `text` contains something that looks like a reference ("${env:"),
// which is only meaningful in env values.
bool ContainsEnvReference(std::string_view text);

// True if `name` matches [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvVariableName(std::string_view name);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_ENV_REFERENCE_H_
