#include "reconciler/sandbox/store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
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

// The journal is folded into the data file once it is this large, or as
// large as the data file, whichever is more.
constexpr size_t kMinJournalToFold = 64 * 1024;

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

// Replays the whole lines of `journal` over `account`. A last line without
// its newline was cut short by a kill before it was answered: it is left
// out.
absl::Status Replay(const std::string& path, const std::string& journal,
                    Account& account) {
  size_t start = 0;
  for (int line = 1;; ++line) {
    size_t end = journal.find('\n', start);
    if (end == std::string::npos) break;
    absl::Status replayed =
        ReplayJournalLine(journal.substr(start, end - start), account);
    if (!replayed.ok()) {
      return absl::FailedPreconditionError(absl::StrCat(
          path, ": line ", line, ": not a valid sandbox journal line: ",
          replayed.message(),
          " (remove the file to go back to the data file's state)"));
    }
    start = end + 1;
  }
  return absl::OkStatus();
}

std::string JournalPath(const std::string& data_path) {
  return data_path + ".journal";
}

// Replays the journal beside `data_path`, if there is one, over `account`.
// Returns whether it held anything.
absl::StatusOr<bool> ReplayJournalFile(const std::string& data_path,
                                       Account& account) {
  const std::string path = JournalPath(data_path);
  absl::StatusOr<std::string> journal = ReadFile(path);
  if (!journal.ok()) {
    if (journal.status().code() == absl::StatusCode::kNotFound) return false;
    return journal.status();
  }
  RETURN_IF_ERROR(Replay(path, *journal, account));
  return !journal->empty();
}

}  // namespace

absl::StatusOr<std::unique_ptr<SandboxStore>> SandboxStore::Open(
    StoreOptions options) {
  if (!options.clock) options.clock = [] { return absl::Now(); };
  std::unique_ptr<HolderLock> lock;
  if (!options.path.empty()) {
    // The lock file sits beside the data file: its directory comes first.
    std::string dir = std::filesystem::path(options.path).parent_path();
    if (std::error_code ec; !dir.empty() && !std::filesystem::exists(dir, ec)) {
      RETURN_IF_ERROR(MakeDirectories(dir));
    }
    ASSIGN_OR_RETURN(
        lock, TakeHolderLock(options.path + ".flock", options.path,
                             CurrentLockInfo(options.owner, options.clock())));
  }
  absl::StatusOr<std::string> text =
      options.path.empty() ? absl::NotFoundError("") : ReadFile(options.path);
  std::unique_ptr<SandboxStore> store;
  if (text.ok()) {
    ASSIGN_OR_RETURN(Account account, Parse(options, *text));
    store.reset(new SandboxStore(std::move(options), std::move(account),
                                 std::move(text).value()));
    ASSIGN_OR_RETURN(bool replayed,
                     ReplayJournalFile(store->path(), store->account_));
    if (replayed) {
      // One file again, with what the journal added.
      std::string folded = AccountToJsonText(store->account_);
      RETURN_IF_ERROR(store->WriteDataFile(folded));
      store->committed_text_ = std::move(folded);
    }
  } else if (text.status().code() != absl::StatusCode::kNotFound) {
    return text.status();
  } else {
    Account account(options.seed, options.clock);
    std::string initial = AccountToJsonText(account);
    if (!options.path.empty()) {
      // A journal without its data file belongs to a sandbox that was
      // removed; it goes first, so that it is never replayed over the new
      // file.
      const std::string journal_path = JournalPath(options.path);
      if (std::error_code error;
          !std::filesystem::remove(journal_path, error) && error) {
        return absl::InternalError(absl::StrCat(
            "cannot remove ", journal_path, ": ", error.message()));
      }
      RETURN_IF_ERROR(WriteFileAtomically(options.path, initial, 0600,
                                          Survives::kProcessDeath));
    }
    store.reset(new SandboxStore(std::move(options), std::move(account),
                                 std::move(initial)));
  }
  store->account_.TakeChanged();  // loading is not a change
  if (store->options_.client_balance.has_value() &&
      *store->options_.client_balance !=
          store->account_.profile().client_balance) {
    store->account_.mutable_profile().client_balance =
        *store->options_.client_balance;
    if (!store->path().empty()) {
      // The profile is not journalled: the data file is written whole.
      std::string text = AccountToJsonText(store->account_);
      RETURN_IF_ERROR(store->WriteDataFile(text));
      store->committed_text_ = std::move(text);
    }
  }
  store->lock_ = std::move(lock);
  return store;
}

absl::StatusOr<std::string> SandboxStore::StateOnDisk(const std::string& path) {
  StoreOptions options;
  options.path = path;
  options.clock = [] { return absl::Now(); };
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  ASSIGN_OR_RETURN(Account account, Parse(options, text));
  RETURN_IF_ERROR(ReplayJournalFile(path, account).status());
  return AccountToJsonText(account);
}

std::string SandboxStore::journal_path() const {
  return JournalPath(options_.path);
}

std::string SandboxStore::lock_path() const { return options_.path + ".flock"; }

SandboxStore::~SandboxStore() {
  // Only a journal this store appended to is its to fold or remove (Open
  // may have failed on someone else's).
  if (journal_fd_ < 0) return;
  ::close(journal_fd_);
  journal_fd_ = -1;
  if (!committed_journal_.empty() || journal_damaged_) {
    // Without an open journal, WriteDataFile removes it.
    absl::Status folded = WriteDataFile(AccountToJsonText(account_));
    if (!folded.ok()) {
      std::cerr << "podform sandbox: " << folded.message()
                << " (the journal keeps the state)\n";
    }
    return;
  }
  std::error_code ignored;  // emptied by the last fold
  std::filesystem::remove(journal_path(), ignored);
}

absl::Status SandboxStore::Append(const std::string& line) {
  if (journal_fd_ < 0) {
    journal_fd_ = ::open(journal_path().c_str(),
                         O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (journal_fd_ < 0) {
      return ErrnoError("cannot open", journal_path(), errno);
    }
  }
  size_t done = 0;
  while (done < line.size()) {
    ssize_t n = ::write(journal_fd_, line.data() + done, line.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      absl::Status error = ErrnoError("cannot write", journal_path(), errno);
      // Take back what was written of the line, so that the journal holds
      // whole lines only.
      if (done > 0 &&
          ::ftruncate(journal_fd_,
                      static_cast<off_t>(committed_journal_.size())) != 0) {
        journal_damaged_ = true;
      }
      return error;
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SandboxStore::WriteDataFile(const std::string& text) {
  RETURN_IF_ERROR(WriteFileAtomically(options_.path, text, 0600,
                                      Survives::kProcessDeath));
  // The data file now holds every journal line (its journalSequence covers
  // them), so a kill before the journal is emptied is harmless, and so is
  // failing to empty it: the next write folds again instead of appending.
  std::error_code error;
  if (journal_fd_ >= 0 ? ::ftruncate(journal_fd_, 0) != 0
                       : !std::filesystem::remove(journal_path(), error) &&
                             error) {
    std::cerr << "podform sandbox: cannot empty " << journal_path()
              << "; the data file holds everything\n";
    journal_damaged_ = true;
    return absl::OkStatus();
  }
  journal_damaged_ = false;
  return absl::OkStatus();
}

absl::Status SandboxStore::Commit() {
  if (options_.path.empty()) {  // nothing to write, nothing that can fail
    account_.TakeChanged();
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
    // This thread writes every change so far, its own included: a journal
    // line, and the whole data file when the journal has grown as large.
    const uint64_t target = changed_;
    account_.set_journal_sequence(account_.journal_sequence() + 1);
    const std::string line = JournalLine(account_, account_.TakeChanged());
    const bool damaged = journal_damaged_;
    const bool fold =
        damaged || committed_journal_.size() + line.size() >
                       std::max(committed_text_.size(), kMinJournalToFold);
    std::string text = fold ? AccountToJsonText(account_) : std::string();
    absl::Status fold_status;
    absl::Status status =
        WriteWithLockReleased(lock, writing_, written_cv_, [&] {
          if (options_.before_write) options_.before_write();
          // A journal that may end in a part of a line cannot take one: the
          // data file carries the change.
          if (damaged) return WriteDataFile(text);
          RETURN_IF_ERROR(Append(line));
          // The line is in: the change is committed whatever follows.
          if (fold) fold_status = WriteDataFile(text);
          return absl::OkStatus();
        });
    ++writes_;
    if (status.ok()) {
      if (fold && fold_status.ok()) {
        committed_text_ = std::move(text);
        committed_journal_.clear();
        ++data_file_writes_;
      } else {
        committed_journal_ += line;
        if (!fold_status.ok()) {
          std::cerr << "podform sandbox: " << fold_status.message()
                    << " (the journal keeps the state)\n";
        }
      }
      written_ = target;
      continue;
    }
    std::cerr << "podform sandbox: " << status.message()
              << "; the change is undone\n";
    // The committed state always loads: it was produced from an Account.
    // Changes made while the write was under way are undone too.
    absl::StatusOr<Account> restored = Parse(options_, committed_text_);
    absl::Status replayed =
        restored.ok() ? Replay(journal_path(), committed_journal_, *restored)
                      : restored.status();
    if (replayed.ok()) {
      account_ = std::move(restored).value();
      account_.TakeChanged();
    } else {
      // Cannot happen: what was committed was produced from an Account.
      std::cerr << "podform sandbox: cannot undo the change: "
                << replayed.message() << "\n";
    }
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
