#include "reconciler/sandbox/store.h"

#include <filesystem>
#include <iostream>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/messages.h"
#include "reconciler/util/file.h"
#include "reconciler/util/group_commit.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

absl::StatusOr<Account> Parse(const StoreOptions& options,
                              const std::string& text) {
  absl::StatusOr<Account> account =
      AccountFromJsonText(text, options.seed, options.clock);
  if (!account.ok()) {
    return absl::FailedPreconditionError(absl::StrCat(
        options.path, ": not a valid sandbox data file: ",
        account.status().message(),
        " (fix the file or remove it to start an empty sandbox)"));
  }
  return account;
}

}  // namespace

absl::StatusOr<std::unique_ptr<SandboxStore>> SandboxStore::Open(
    StoreOptions options) {
  if (!options.clock) options.clock = [] { return absl::Now(); };
  absl::StatusOr<std::string> text =
      options.path.empty() ? absl::NotFoundError("") : ReadFile(options.path);
  if (text.ok()) {
    ASSIGN_OR_RETURN(Account account, Parse(options, *text));
    return std::unique_ptr<SandboxStore>(new SandboxStore(
        std::move(options), std::move(account), std::move(text).value()));
  }
  if (text.status().code() != absl::StatusCode::kNotFound) {
    return text.status();
  }
  Account account(options.seed, options.clock);
  std::string initial = AccountToJsonText(account);
  if (!options.path.empty()) {
    std::string dir = std::filesystem::path(options.path).parent_path();
    if (!dir.empty()) RETURN_IF_ERROR(MakeDirectories(dir));
    RETURN_IF_ERROR(WriteFileAtomically(options.path, initial));
  }
  return std::unique_ptr<SandboxStore>(new SandboxStore(
      std::move(options), std::move(account), std::move(initial)));
}

absl::Status SandboxStore::Commit() {
  if (options_.path.empty()) {  // nothing to write, nothing that can fail
    ++commits_;
    return absl::OkStatus();
  }
  // The caller's lock: used here, and still held by the caller on return.
  std::unique_lock<std::mutex> lock(mutex_, std::adopt_lock);
  absl::Cleanup keep_held = [&lock] { lock.release(); };
  const uint64_t mine = ++changed_;
  while (written_ < mine && !Undone(mine)) {
    if (writing_) {
      written_cv_.wait(lock);
      continue;
    }
    // This thread writes every change so far, its own included.
    const uint64_t target = changed_;
    std::string text = AccountToJsonText(account_);
    absl::Status status =
        WriteWithLockReleased(lock, writing_, written_cv_, [&] {
          if (options_.before_write) options_.before_write();
          return WriteFileAtomically(options_.path, text, 0600,
                                     Survives::kProcessDeath);
        });
    ++writes_;
    if (status.ok()) {
      committed_text_ = std::move(text);
      written_ = target;
      continue;
    }
    std::cerr << "podform sandbox: " << status.message()
              << "; the change is undone\n";
    // The last committed text always parses: it was produced from an
    // Account. Changes made while the write was under way are undone too.
    absl::StatusOr<Account> restored = Parse(options_, committed_text_);
    if (restored.ok()) account_ = std::move(restored).value();
    if (!undone_.empty() && undone_.back().first == written_ + 1) {
      undone_.back().second = changed_;  // the same run of failures
    } else {
      undone_.emplace_back(written_ + 1, changed_);
    }
  }
  if (Undone(mine)) return SomethingWentWrongError();
  ++commits_;
  return absl::OkStatus();
}

bool SandboxStore::Undone(uint64_t generation) const {
  for (const auto& [first, last] : undone_) {
    if (generation >= first && generation <= last) return true;
  }
  return false;
}

}  // namespace podform::sandbox
