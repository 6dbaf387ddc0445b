#ifndef PODFORM_RECONCILER_CONFIG_ENV_REFERENCE_H_
#define PODFORM_RECONCILER_CONFIG_ENV_REFERENCE_H_

// ${env:NAME} and ${var:NAME} references in podform.yaml env values (and
// ${var:NAME} in a pod's image).
//
// Syntax, scanned left to right:
//   ${env:NAME}  the value of environment variable NAME, where NAME matches
//                [A-Za-z_][A-Za-z0-9_]*; may be the whole value or embedded;
//                makes the value a secret
//   ${var:NAME}  the value of podform variable NAME (--var, --var-file,
//                PODFORM_VAR_NAME), same NAME syntax; plain, not a secret
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
  // ${var:NAME} names that `vars` does not define, in order, without
  // repeats.
  std::vector<std::string> undefined_vars;
};

// Expands `text`: ${env:NAME} through `env`, ${var:NAME} through `vars`
// (every var is undefined when `vars` is empty). Never fails: problems are
// listed in the result.
EnvExpansion ExpandEnvReferences(std::string_view text, const EnvLookup& env,
                                 const EnvLookup& vars = nullptr);

// True if `text` contains something that looks like a reference ("${env:"),
// which is only meaningful in env values.
bool ContainsEnvReference(std::string_view text);

// True if `text` contains "${var:".
bool ContainsVarReference(std::string_view text);

// True if `name` matches [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvVariableName(std::string_view name);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_ENV_REFERENCE_H_
