#include "reconciler/state/memory_store.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "reconciler/state/serialize.h"
#include "reconciler/util/status_macros.h"

namespace podform {

class MemoryStateStore::Held : public StateLock {
 public:
  explicit Held(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  ~Held() override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->holder.reset();
  }

 private:
  std::shared_ptr<Shared> shared_;
};

MemoryStateStore::MemoryStateStore(std::string name, Clock now)
    : name_(std::move(name)),
      now_(std::move(now)),
      shared_(std::make_shared<Shared>()) {}

absl::StatusOr<State> MemoryStateStore::Read() {
  std::optional<std::string> contents = this->contents();
  if (!contents.has_value()) {
    return absl::NotFoundError(absl::StrCat("no state in ", name_));
  }
  return ParseState(*contents, name_);
}

absl::Status MemoryStateStore::Write(State* state) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  absl::StatusOr<State> stored =
      shared_->contents.has_value()
          ? ParseState(*shared_->contents, name_)
          : absl::StatusOr<State>(absl::NotFoundError("none"));
  ASSIGN_OR_RETURN(PreparedWrite write,
                   PrepareWrite(stored, *state, name_, shared_->own_serial,
                                shared_->serializer));
  shared_->own_serial = write.serial;
  shared_->contents = std::move(write.bytes);
  ++shared_->writes;
  state->serial = write.serial;
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<StateLock>> MemoryStateStore::Lock(
    const std::string& command) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->holder.has_value()) return LockedError(name_, *shared_->holder);
  shared_->holder = CurrentLockInfo(command, now_());
  return std::unique_ptr<StateLock>(new Held(shared_));
}

std::optional<std::string> MemoryStateStore::contents() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->contents;
}

void MemoryStateStore::set_contents(std::optional<std::string> contents) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  shared_->contents = std::move(contents);
}

int MemoryStateStore::writes() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->writes;
}

}  // namespace podform
