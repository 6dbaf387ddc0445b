#include "reconciler/state/file_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "reconciler/state/serialize.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

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
  try {
    json j = json::parse(*text);
    if (!j.is_object() || !j.contains("pid") || !j["pid"].is_number_integer()) {
      return std::nullopt;
    }
    LockInfo info;
    info.pid = j["pid"].get<int64_t>();
    info.host = j.at("host").get<std::string>();
    info.command = j.at("command").get<std::string>();
    info.since = j.at("since").get<std::string>();
    return info;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

absl::Status ErrnoError(const std::string& what, const std::string& path,
                        int error) {
  return absl::InternalError(
      absl::StrCat(what, " ", path, ": ", std::strerror(error)));
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

// Holds the flock through its open file description; closing it releases.
class FileLock : public StateLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {}
  ~FileLock() override {
    // Empty the holder's details while still holding the lock, so that the
    // file never names a holder that has let go.
    if (::ftruncate(fd_, 0) != 0) {
      // Harmless: flock, not the file's contents, decides who holds it.
    }
    ::close(fd_);
  }

 private:
  const int fd_;
};

}  // namespace

FileStateStore::FileStateStore(std::string path, Clock now)
    : path_(std::move(path)), now_(std::move(now)) {}

std::string FileStateStore::lock_path() const {
  // Beside the file the lock file really is, so that checkouts linking one
  // lock file take one lock.
  absl::StatusOr<std::string> real = ResolveSymlinks(path_);
  return (real.ok() ? *real : path_) + ".flock";
}

absl::StatusOr<State> FileStateStore::Read() {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path_));
  return ParseState(text, path_);
}

absl::Status FileStateStore::Write(State* state) {
  std::lock_guard<std::mutex> lock(write_mu_);
  absl::StatusOr<State> stored = absl::UnknownError("not read");
  std::optional<FileIdentity> now = IdentifyFile(path_);
  if (now.has_value() && own_file_serial_ >= 0 && *now == own_file_) {
    // The file this store wrote last: apply rewrites it after every step,
    // and reading it back each time would cost as much as the write.
    State known;
    known.lineage = own_lineage_;
    known.serial = own_file_serial_;
    stored = std::move(known);
  } else {
    absl::StatusOr<std::string> text = ReadFile(path_);
    stored = text.ok() ? ParseState(*text, path_)
                       : absl::StatusOr<State>(text.status());
  }
  ASSIGN_OR_RETURN(PreparedWrite write,
                   PrepareWrite(stored, *state, path_, own_serial_,
                                serializer_));
  own_serial_ = write.serial;
  own_file_serial_ = -1;
  std::optional<FileIdentity> written;
  RETURN_IF_ERROR(WriteFileAtomically(path_, write.bytes, 0600,
                                      Survives::kPowerLoss, &written));
  if (written.has_value()) {
    own_lineage_ = state->lineage;
    own_file_serial_ = write.serial;
    own_file_ = *written;
  }
  state->serial = write.serial;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<StateLock>> FileStateStore::Lock(
    const std::string& command) {
  const std::string lock_file = lock_path();
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
    if (std::optional<LockInfo> holder = ReadLockInfo(lock_file)) {
      ::close(fd);
      return LockedError(path_, *holder);
    }
    if (attempt + 1 == kAttempts) {
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat(path_, " is locked by another process (", lock_file,
                       " does not say which)"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::string info = LockInfoToJson(CurrentLockInfo(command, now_()));
  if (::ftruncate(fd, 0) != 0 || !WriteAllAt(fd, info)) {
    int error = errno;
    ::close(fd);
    return ErrnoError("cannot write", lock_file, error);
  }
  return std::unique_ptr<StateLock>(new FileLock(fd));
}

}  // namespace podform
