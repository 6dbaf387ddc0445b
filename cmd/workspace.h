#ifndef PODFORM_CMD_WORKSPACE_H_
#define PODFORM_CMD_WORKSPACE_H_

// What a command needs, brought up only when it asks: the config, then the
// lock file, then RunPod (or the sandbox). `validate` touches only the first;
// `plan` all three; `apply` also takes the lock.

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cmd/command.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/config/config.h"
#include "reconciler/core/provider.h"
#include "reconciler/state/state.h"
#include "reconciler/state/store.h"

namespace podform {

class Workspace {
 public:
  explicit Workspace(const CommandContext& context);
  ~Workspace();

  // --file, loaded once. Every diagnostic is printed to err(); null when
  // there were errors.
  const Config* LoadConfig();

  // The lock file store (--state, else podform.lock beside the config).
  StateStore& store();
  const std::string& state_path() const { return state_path_; }

  // The stored state, or a new one (fresh lineage, serial 0) when there is
  // no lock file yet. Errors as StateStore::Read.
  absl::StatusOr<State> ReadState();

  // RunPod over REST v2 or GraphQL (endpoint.h: ResolveApi), or the
  // in-process sandbox with --sandbox (REST v2 unless --api graphql). The
  // provider lives as long as the workspace. Errors: a bad endpoint,
  // RUNPOD_API_KEY unset, a sandbox data file that cannot be opened.
  absl::StatusOr<Provider*> OpenProvider();
  // The API the provider speaks (once OpenProvider succeeded).
  Api api() const { return api_; }

  // From now on, every HTTP 429 the provider gets calls `on_rate_limited`
  // (whether the provider is already open or not). Set it before the
  // threads that use the provider start.
  void OnRateLimited(std::function<void()> on_rate_limited) {
    on_rate_limited_ = std::move(on_rate_limited);
  }

  // Colour only on a terminal, and never with --no-color.
  bool color() const;
  std::ostream& out() const { return *context_.out; }
  std::ostream& err() const { return *context_.err; }
  const GlobalOptions& global() const { return *context_.global; }

  // Prints "podform: MESSAGE" to err() and returns 1.
  int Fail(const absl::Status& status) const;

 private:
  CommandContext context_;
  std::string state_path_;
  std::optional<Config> config_;
  bool config_loaded_ = false;
  std::unique_ptr<StateStore> store_;
  std::unique_ptr<Provider> provider_;
  Api api_ = kDefaultApi;
  std::function<void()> on_rate_limited_;
};

}  // namespace podform

#endif  // PODFORM_CMD_WORKSPACE_H_
