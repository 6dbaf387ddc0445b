#ifndef PODFORM_RECONCILER_UTIL_FILE_H_
#define PODFORM_RECONCILER_UTIL_FILE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace podform {

// "WHAT PATH: strerror(error)": NotFound when `error` is ENOENT, Internal
// otherwise. The one way podform reports a failed system call on a file.
absl::Status ErrnoError(const std::string& what, const std::string& path,
                        int error);

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
// file (created new, never an existing one) in the same directory with
// `mode`, fsyncs it (kPowerLoss), renames it over `path` and fsyncs the
// directory (kPowerLoss). When `path` is a symbolic link, the file it
// resolves to (ResolveSymlinks) is the one replaced, and the link stays. On
// failure the temporary file is removed and `path` is untouched. Creates no
// directories.
// `written`, when given, receives the identity of the file as written, or
// nullopt when `path` names another file by the time it is looked at (a
// concurrent writer replaced it).
absl::Status WriteFileAtomically(
    const std::string& path, const std::string& contents, int mode = 0600,
    Survives survives = Survives::kPowerLoss,
    std::optional<FileIdentity>* written = nullptr);

// Creates `dir` and its missing parents, each with mode 0700. OK if it
// exists. A directory that already exists is left exactly as it is (its
// mode is never changed). FailedPrecondition when a component exists and
// is not a directory; Internal (with errno's text) on any other failure.
absl::Status MakeDirectories(const std::string& dir);

// Where `path` really lives: while its last component is a symbolic link,
// the link's target (a relative target is taken from the link's directory).
// `path` itself when it is not a link or does not exist; a dangling link
// gives its (missing) target. FailedPrecondition after 40 links (a loop);
// Internal when a link cannot be read.
absl::StatusOr<std::string> ResolveSymlinks(const std::string& path);

// True when `a` and `b` name one file: the same device and inode when
// either exists (symbolic links followed), else the same absolute path once
// symbolic links, "." and ".." are resolved ("./x", "x" and "d/../x" are
// one file).
bool SameFile(const std::string& a, const std::string& b);

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_FILE_H_
