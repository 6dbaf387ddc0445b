#include "reconciler/util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "absl/strings/str_cat.h"

namespace podform {
namespace {

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

FileIdentity ToIdentity(const struct stat& st) {
  auto ns = [](const struct timespec& t) {
    return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
  };
  return FileIdentity{static_cast<uint64_t>(st.st_dev),
                      static_cast<uint64_t>(st.st_ino),
                      static_cast<int64_t>(st.st_size), ns(st.st_mtim),
                      ns(st.st_ctim)};
}

}  // namespace

absl::Status ErrnoError(const std::string& what, const std::string& path,
                        int error) {
  std::string message =
      absl::StrCat(what, " ", path, ": ", std::strerror(error));
  if (error == ENOENT) return absl::NotFoundError(message);
  return absl::InternalError(message);
}

std::optional<FileIdentity> IdentifyFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return ToIdentity(st);
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("cannot read", path, errno);
  std::string contents;
  char buffer[1 << 16];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      int error = errno;
      ::close(fd);
      return ErrnoError("cannot read", path, error);
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return contents;
}

absl::Status WriteFileAtomically(const std::string& given_path,
                                 const std::string& contents, int mode,
                                 Survives survives,
                                 std::optional<FileIdentity>* written) {
  const bool sync = survives == Survives::kPowerLoss;
  if (written != nullptr) written->reset();
  // Through a symbolic link to where the file really lives: renaming over
  // the link would replace it, leaving its target stale.
  absl::StatusOr<std::string> resolved = ResolveSymlinks(given_path);
  if (!resolved.ok()) return resolved.status();
  const std::string& path = *resolved;
  std::filesystem::path target(path);
  std::filesystem::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  // A new file of ours (O_EXCL): never one that happens to have the name
  // (a file left by a process with this pid that died mid-write is not
  // provably ours either; the error names it).
  const std::string temp =
      (dir / absl::StrCat(".", target.filename().string(), ".tmp.",
                          ::getpid()))
          .string();
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoError("cannot create", temp, errno);
  // open() applies the umask; the mode is part of the contract.
  if (::fchmod(fd, static_cast<mode_t>(mode)) != 0 ||
      !WriteAll(fd, contents) || (sync && ::fsync(fd) != 0)) {
    int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return ErrnoError("cannot write", temp, error);
  }
  struct stat ours;  // the inode written, to know it again after the rename
  const bool known = written != nullptr && ::fstat(fd, &ours) == 0;
  if (::close(fd) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return ErrnoError("cannot write", temp, error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    int error = errno;
    ::unlink(temp.c_str());
    return ErrnoError("cannot replace", path, error);
  }
  if (known) {
    // After the rename, which changes the change time; and only if `path`
    // is still this inode.
    std::optional<FileIdentity> now = IdentifyFile(path);
    if (now.has_value() && now->device == static_cast<uint64_t>(ours.st_dev) &&
        now->inode == static_cast<uint64_t>(ours.st_ino)) {
      *written = now;
    }
  }
  if (!sync) return absl::OkStatus();
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return ErrnoError("cannot open directory", dir, errno);
  int sync_result = ::fsync(dir_fd);
  int error = errno;
  ::close(dir_fd);
  if (sync_result != 0) return ErrnoError("cannot sync directory", dir, error);
  return absl::OkStatus();
}

absl::Status MakeDirectories(const std::string& dir) {
  // The missing directories, deepest first. Only these are podform's: an
  // existing directory keeps its mode (think of /tmp and its sticky bit).
  std::vector<std::filesystem::path> missing;
  for (std::filesystem::path p(dir); !p.empty(); p = p.parent_path()) {
    struct stat st;
    if (::stat(p.c_str(), &st) == 0) {
      if (!S_ISDIR(st.st_mode)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "cannot create directory ", dir, ": ", p.string(),
            " exists and is not a directory"));
      }
      break;
    }
    // ENOTDIR: a component above is a file, found on the way up.
    if (errno != ENOENT && errno != ENOTDIR) {
      return ErrnoError("cannot create directory", p.string(), errno);
    }
    missing.push_back(p);
    if (p == p.parent_path()) break;
  }
  for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
    if (::mkdir(it->c_str(), 0700) == 0) {
      // Ours: the mode is 0700 whatever the umask.
      ::chmod(it->c_str(), 0700);
      continue;
    }
    int error = errno;
    struct stat st;
    if (error == EEXIST && ::stat(it->c_str(), &st) == 0 &&
        S_ISDIR(st.st_mode)) {
      continue;  // made meanwhile by someone else: theirs, left as it is
    }
    return ErrnoError("cannot create directory", it->string(), error);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResolveSymlinks(const std::string& path) {
  constexpr int kMaxLinks = 40;  // as the kernel's ELOOP limit
  std::filesystem::path current(path);
  for (int links = 0; links <= kMaxLinks; ++links) {
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0) {
      if (errno == ENOENT) return current.string();
      return ErrnoError("cannot resolve", current.string(), errno);
    }
    if (!S_ISLNK(st.st_mode)) return current.string();
    std::error_code ec;
    std::filesystem::path target = std::filesystem::read_symlink(current, ec);
    if (ec) {
      return absl::InternalError(absl::StrCat("cannot resolve ",
                                              current.string(), ": ",
                                              ec.message()));
    }
    current = target.is_absolute() ? target : current.parent_path() / target;
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "cannot resolve ", path, ": more than ", kMaxLinks,
      " symbolic links (a loop?)"));
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  const bool a_exists = ::stat(a.c_str(), &sa) == 0;
  const bool b_exists = ::stat(b.c_str(), &sb) == 0;
  if (a_exists || b_exists) {
    return a_exists && b_exists && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
  }
  auto real = [](const std::string& path) {
    absl::StatusOr<std::string> resolved = ResolveSymlinks(path);
    std::error_code ec;
    std::filesystem::path p = std::filesystem::weakly_canonical(
        std::filesystem::absolute(resolved.ok() ? *resolved : path, ec), ec);
    return p.lexically_normal();
  };
  return real(a) == real(b);
}

}  // namespace podform
