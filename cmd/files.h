#ifndef PODFORM_CMD_FILES_H_
#define PODFORM_CMD_FILES_H_

// The files a command reads and writes, and the rule that keeps them apart:
// no command writes over the config, the lock file, its .flock, the
// sandbox's data file, its journal or its lock, whatever flags name them.

#include <string>

#include "absl/status/status.h"
#include "cmd/command.h"

namespace podform {

// OK unless two of podform's files are one file (SameFile: symbolic links,
// "./x" and "x" resolved) and podform writes at least one of them: the
// config (read), the lock file and its .flock (written), and with
// --sandbox the sandbox's data file, journal and .flock (written); and, when
// `plan_out` is not empty, that file (`plan --out`), which must also not
// exist unless it is a podform plan (IsPlanFile). InvalidArgument naming
// both roles and the path otherwise.
absl::Status CheckOwnFiles(const GlobalOptions& global,
                           const std::string& plan_out = "");

}  // namespace podform

#endif  // PODFORM_CMD_FILES_H_
