#ifndef PODFORM_RECONCILER_UTIL_FILE_H_
#define PODFORM_RECONCILER_UTIL_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podform {

// The whole contents of `path`. NotFound if it does not exist; Internal
// (with errno's text) on any other failure.
absl::StatusOr<std::string> ReadFile(const std::string& path);

// What a replaced file survives once WriteFileAtomically has returned.
enum class Survives {
  // A power loss or an OS crash: the file and then its directory are
  // fsynced (podform.lock).
  kPowerLoss,
  // The writing process being killed at any moment, not an OS crash: the
  // new contents may still be only in the page cache (the sandbox's data
  // file: an emulator's state, rewritten after every mutation).
  kProcessDeath,
};

// Replaces `path` with `contents` so that a reader (or a crash at any moment)
// sees either the old file or the new one, never a mix: writes a temporary
// file in the same directory with `mode`, fsyncs it (kPowerLoss), renames it
// over `path` and fsyncs the directory (kPowerLoss). On failure the
// temporary file is removed and `path` is untouched. Creates no directories.
absl::Status WriteFileAtomically(const std::string& path,
                                 const std::string& contents, int mode = 0600,
                                 Survives survives = Survives::kPowerLoss);

// Creates `dir` and its missing parents (mode 0700). OK if it exists.
absl::Status MakeDirectories(const std::string& dir);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_FILE_H_
