#ifndef PODFORM_RECONCILER_UTIL_FILE_H_
#define PODFORM_RECONCILER_UTIL_FILE_H_

#include <cstdint>
#include <optional>
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

// What stat() says of a file, enough to tell that it has not been replaced
// or rewritten since: replacing it changes the inode, rewriting it in place
// the modification and change times (to the resolution of the file
// system's clock, a few milliseconds on some) and usually the size.
struct FileIdentity {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = -1;
  int64_t modified_ns = 0;
  int64_t changed_ns = 0;

  bool operator==(const FileIdentity&) const = default;
};

// The identity of the file at `path`; nullopt when stat() fails.
std::optional<FileIdentity> IdentifyFile(const std::string& path);

// Replaces `path` with `contents` so that a reader (or a crash at any moment)
// sees either the old file or the new one, never a mix: writes a temporary
// file in the same directory with `mode`, fsyncs it (kPowerLoss), renames it
// over `path` and fsyncs the directory (kPowerLoss). On failure the
// temporary file is removed and `path` is untouched. Creates no directories.
// `written`, when given, receives the identity of the file as written, or
// nullopt when `path` names another file by the time it is looked at (a
// concurrent writer replaced it).
absl::Status WriteFileAtomically(
    const std::string& path, const std::string& contents, int mode = 0600,
    Survives survives = Survives::kPowerLoss,
    std::optional<FileIdentity>* written = nullptr);

// Creates `dir` and its missing parents (mode 0700). OK if it exists.
absl::Status MakeDirectories(const std::string& dir);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_FILE_H_
