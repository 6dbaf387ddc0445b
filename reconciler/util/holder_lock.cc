#include "reconciler/util/holder_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/file.h"

namespace podform {
namespace {

using nlohmann::json;

std::string LockInfoToJson(const LockInfo& info) {
  json j = json::object();
  j["pid"] = info.pid;
  j["host"] = info.host;
  j["command"] = info.command;
  j["since"] = info.since;
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// The holder's details, or nullopt while they are not (yet) readable: the
// holder writes them just after taking the lock.
std::optional<LockInfo> ReadLockInfo(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return std::nullopt;
  json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer()) {
    return std::nullopt;
  }
  for (const char* key : {"host", "command", "since"}) {
    if (!j.contains(key) || !j[key].is_string()) return std::nullopt;
  }
  LockInfo info;
  info.pid = j["pid"].get<int64_t>();
  info.host = j["host"].get<std::string>();
  info.command = j["command"].get<std::string>();
  info.since = j["since"].get<std::string>();
  return info;
}

bool WriteAllAt(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(fd, data.data() + done, data.size() - done,
                         static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

LockInfo CurrentLockInfo(const std::string& command, absl::Time now) {
  LockInfo info;
  info.pid = ::getpid();
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) == 0) info.host = host;
  info.command = command;
  info.since = absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone());
  return info;
}

absl::Status LockedError(const std::string& name, const LockInfo& holder) {
  return absl::FailedPreconditionError(absl::StrCat(
      name, " is locked by pid ", holder.pid, " on host \"", holder.host,
      "\" running \"", holder.command, "\" since ", holder.since));
}

HolderLock::~HolderLock() {
  // Empty the holder's details while still holding the lock, so that the
  // file never names a holder that has let go.
  if (::ftruncate(fd_, 0) != 0) {
    // Harmless: flock, not the file's contents, decides who holds it.
  }
  ::close(fd_);
}

absl::StatusOr<std::unique_ptr<HolderLock>> TakeHolderLock(
    const std::string& lock_file, const std::string& name,
    const LockInfo& holder) {
  int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return ErrnoError("cannot open lock file", lock_file, errno);
  // A loser waits briefly only when the holder's details are unreadable
  // (the holder is between flock and writing them, or is releasing).
  constexpr int kAttempts = 50;
  for (int attempt = 0;; ++attempt) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) break;
    int error = errno;
    if (error == EINTR) continue;
    if (error != EWOULDBLOCK) {
      ::close(fd);
      return ErrnoError("cannot lock", lock_file, error);
    }
    if (std::optional<LockInfo> info = ReadLockInfo(lock_file)) {
      ::close(fd);
      return LockedError(name, *info);
    }
    if (attempt + 1 == kAttempts) {
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat(name, " is locked by another process (", lock_file,
                       " does not say which)"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (::ftruncate(fd, 0) != 0 || !WriteAllAt(fd, LockInfoToJson(holder))) {
    int error = errno;
    ::close(fd);
    return ErrnoError("cannot write", lock_file, error);
  }
  return std::make_unique<HolderLock>(fd);
}

}  // namespace podform
