#include "reconciler/sandbox/store.h"

#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/messages.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {
namespace {

absl::StatusOr<Account> LoadFile(const StoreOptions& options) {
  absl::StatusOr<std::string> text = ReadFile(options.path);
  if (!text.ok()) return text.status();
  absl::StatusOr<Account> account =
      AccountFromJsonText(*text, options.seed, options.clock);
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
  if (options.path.empty()) {
    Account account(options.seed, options.clock);
    return std::unique_ptr<SandboxStore>(
        new SandboxStore(std::move(options), std::move(account)));
  }
  absl::StatusOr<Account> loaded = LoadFile(options);
  if (loaded.ok()) {
    return std::unique_ptr<SandboxStore>(
        new SandboxStore(std::move(options), std::move(loaded).value()));
  }
  if (loaded.status().code() != absl::StatusCode::kNotFound) {
    return loaded.status();
  }
  std::string dir = std::filesystem::path(options.path).parent_path();
  if (!dir.empty()) RETURN_IF_ERROR(MakeDirectories(dir));
  Account account(options.seed, options.clock);
  RETURN_IF_ERROR(WriteFileAtomically(options.path, AccountToJsonText(account)));
  return std::unique_ptr<SandboxStore>(
      new SandboxStore(std::move(options), std::move(account)));
}

absl::Status SandboxStore::Commit() {
  if (options_.path.empty()) {
    ++commits_;
    return absl::OkStatus();
  }
  absl::Status written =
      WriteFileAtomically(options_.path, AccountToJsonText(account_));
  if (written.ok()) {
    ++commits_;
    return absl::OkStatus();
  }
  std::cerr << "podform sandbox: " << written.message()
            << "; the change is undone\n";
  absl::StatusOr<Account> reloaded = LoadFile(options_);
  if (reloaded.ok()) {
    account_ = std::move(reloaded).value();
  } else {
    std::cerr << "podform sandbox: cannot reload " << options_.path << ": "
              << reloaded.status().message() << "\n";
  }
  return SomethingWentWrongError();
}

}  // namespace podform::sandbox
