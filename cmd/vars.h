#ifndef PODFORM_CMD_VARS_H_
#define PODFORM_CMD_VARS_H_

// The values of ${var:NAME} in podform.yaml, from the command line and the
// environment.

#include "absl/status/statusor.h"
#include "cmd/command.h"
#include "reconciler/config/config.h"

namespace podform {

// A lookup of NAME, first in --var NAME=VALUE (the last one given wins),
// then in the --var-file files (a later file wins), then in the
// environment variable PODFORM_VAR_NAME. InvalidArgument naming the flag or
// the file when a --var has no "=" or an invalid NAME
// ([A-Za-z_][A-Za-z0-9_]*), or when a --var-file cannot be read or is not a
// YAML mapping of such names to scalar values.
absl::StatusOr<EnvLookup> VarLookup(const GlobalOptions& global);

}  // namespace podform

#endif  // PODFORM_CMD_VARS_H_
