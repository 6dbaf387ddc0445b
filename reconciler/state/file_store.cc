#include "reconciler/state/file_store.h"

#include <filesystem>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/file.h"
#include "reconciler/util/holder_lock.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

// Holds the lock through a HolderLock.
class FileLock : public StateLock {
 public:
  explicit FileLock(std::unique_ptr<HolderLock> held)
      : held_(std::move(held)) {}

 private:
  std::unique_ptr<HolderLock> held_;
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
  ASSIGN_OR_RETURN(State state, ParseState(text, path_));
  std::lock_guard<std::mutex> lock(read_mu_);
  read_text_ = std::move(text);
  return state;
}

bool FileStateStore::Unchanged() {
  absl::StatusOr<std::string> text = ReadFile(path_);
  std::lock_guard<std::mutex> lock(read_mu_);
  return text.ok() && read_text_.has_value() && *text == *read_text_;
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

absl::StatusOr<std::string> SaveUnrecorded(const std::string& state_path,
                                           const State& state, absl::Time now,
                                           const std::string& temp_dir) {
  const std::string name = absl::StrCat(
      std::filesystem::path(state_path).filename().string(), ".unrecorded-",
      absl::FormatTime("%Y%m%dT%H%M%SZ", now, absl::UTCTimeZone()), ".json");
  std::vector<std::string> places = {
      (std::filesystem::path(state_path).parent_path() / name).string()};
  std::error_code ec;
  std::filesystem::path temp = temp_dir.empty()
                                   ? std::filesystem::temp_directory_path(ec)
                                   : std::filesystem::path(temp_dir);
  if (!ec) places.push_back((temp / name).string());
  const std::string bytes = SerializeState(state);
  std::vector<std::string> errors;
  for (const std::string& place : places) {
    absl::Status written = WriteFileAtomically(place, bytes, 0600);
    if (written.ok()) return place;
    errors.push_back(std::string(written.message()));
  }
  return absl::InternalError(
      absl::StrCat("cannot save what the lock file lacks anywhere: ",
                   absl::StrJoin(errors, "; ")));
}

absl::StatusOr<std::unique_ptr<StateLock>> FileStateStore::Lock(
    const std::string& command) {
  ASSIGN_OR_RETURN(
      std::unique_ptr<HolderLock> held,
      TakeHolderLock(lock_path(), path_, CurrentLockInfo(command, now_())));
  return std::unique_ptr<StateLock>(new FileLock(std::move(held)));
}

}  // namespace podform
