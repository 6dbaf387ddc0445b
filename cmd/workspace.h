#ifndef PODFORM_CMD_WORKSPACE_H_
#define PODFORM_CMD_WORKSPACE_H_

// What a command needs, brought up only when it asks: the config, then the
// lock file, then RunPod (or the sandbox). `validate` touches only the first;
// `plan` all three; `apply` also takes the lock.

#include <atomic>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cmd/command.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/config/config.h"
#include "reconciler/core/account.h"
#include "reconciler/core/provider.h"
#include "reconciler/core/target.h"
#include "reconciler/plan/plan.h"
#include "reconciler/state/state.h"
#include "reconciler/state/store.h"

namespace podform {

class Pacer;

namespace sandbox {
class SandboxService;
}  // namespace sandbox

// The store --state (or PODFORM_STATE) names: PostgreSQL for a
// postgres:// or postgresql:// URI, else the lock file. `name` receives how
// messages name it (never with a password).
std::unique_ptr<StateStore> OpenStateStore(const GlobalOptions& global,
                                           std::string* name);
// The same for `location` (a path or a URI) instead of --state; a URI
// without a key takes PODFORM_STATE_KEY, else the config directory's name.
std::unique_ptr<StateStore> OpenStateStoreAt(const std::string& location,
                                             const GlobalOptions& global,
                                             std::string* name);

class Workspace {
 public:
  explicit Workspace(const CommandContext& context);
  ~Workspace();

  // --file, loaded once. Every diagnostic is printed to err(); null when
  // there were errors (with JSON output, also printed to out() as the
  // --json failure document).
  const Config* LoadConfig();
  // Before LoadConfig: load it as with --strict (ParseConfig's `strict`).
  void set_strict(bool strict) { strict_ = strict; }
  // Before LoadConfig: whether the config's digest is computed (Config::
  // digest; ConfigDigestMode). Only a command that saves or checks a plan
  // needs it; every command gets it unless it says otherwise.
  void set_config_digest(ConfigDigestMode mode) { config_digest_ = mode; }
  // The raw values of the loaded config's secret env (empty before
  // LoadConfig succeeded): for the planner and the applier only, never to
  // be printed or written.
  const SecretValues& secret_values() const { return secret_values_; }
  // The config's warnings, once LoadConfig ran.
  const std::vector<Finding>& config_warnings() const {
    return config_warnings_;
  }

  // For a command run with --json: from now on, a failure (Fail, or a
  // config with errors) is also printed to out() as the --json failure
  // document (docs/PLAN_FORMAT.md), once, so that stdout is never empty.
  void set_json_output(bool json) { json_output_ = json; }

  // The state store (OpenStateStore: --state, a file or a postgres:// URI,
  // else the sandbox's own with --sandbox, else podform.lock beside the
  // config) and how messages name it.
  StateStore& store();
  const std::string& state_path() const { return state_path_; }
  // The lock file whose name SaveUnrecorded takes for what an apply could
  // not record: the lock file itself, or for a state in PostgreSQL
  // "podform-KEY.lock" beside the config (no such file is ever written).
  std::string UnrecordedBase() const;
  // Whether the state is in PostgreSQL.
  bool state_in_postgres() const;

  // The stored state, or a new one (fresh lineage, serial 0) when there is
  // no lock file yet. Errors as StateStore::Read.
  absl::StatusOr<State> ReadState();

  // RunPod over REST v2 or GraphQL (endpoint.h: ResolveApi), or the
  // in-process sandbox with --sandbox (REST v2 unless --api graphql). The
  // provider lives as long as the workspace. Errors: a bad endpoint,
  // RUNPOD_API_KEY unset, a sandbox data file that cannot be opened.
  absl::StatusOr<Provider*> OpenProvider();
  // The account's balance, spend per hour and spend limit: one GraphQL
  // request (client/account_reader.h) to AccountGraphQLUrl, or to the
  // in-process sandbox's /graphql, whichever API the provider speaks.
  // Errors as ReadAccountFigures, and those of choosing the URL.
  // The answer of the read StartAccountRead began, if it did.
  // REQUIRES: OpenProvider succeeded.
  absl::StatusOr<AccountFigures> ReadAccount();
  // Begins ReadAccount's request on another thread, so that it goes out
  // beside the refresh rather than after the plan. REQUIRES: OpenProvider
  // succeeded.
  void StartAccountRead();
  // From any thread: the reads of RunPod under way (and any later one)
  // stop within about a second, failing Cancelled, and their retries stop
  // waiting; for reads whose answers will not be used (a config that did
  // not load), so that nobody waits for an unreachable RunPod.
  void AbandonReads() { abandon_->store(true); }

  // The API the provider speaks (once OpenProvider succeeded).
  Api api() const { return api_; }
  // The API OpenProvider would choose, without opening anything. Errors
  // as ResolveApi (a bad --api or endpoint).
  absl::StatusOr<Api> ChosenApi() const;

  // Where this run acts: the normalized endpoint (or the sandbox's data
  // file) and the account `live` reports. REQUIRES: OpenProvider succeeded.
  Target CurrentTarget(const LiveState& live) const;

  // Refuses `state` when it belongs to another target (CheckSameTarget,
  // naming the lock file), and otherwise records the current one in it (in
  // memory: an old lock file gets it on its next write).
  absl::Status AdoptTarget(State* state, const LiveState& live) const;

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

  // Prints "podform: MESSAGE" to err() (and, with JSON output, the failure
  // document to out()) and returns 1.
  int Fail(const absl::Status& status) const;

 private:
  CommandContext context_;
  std::string state_path_;
  // Prints the --json failure document with the config's diagnostics and
  // `findings` to out(), unless one was printed already.
  void FailAsJson(std::vector<Finding> findings) const;
  // ReadAccount's request, on the calling thread.
  absl::StatusOr<AccountFigures> ReadAccountNow() const;

  std::optional<Config> config_;
  SecretValues secret_values_;  // of config_
  bool config_loaded_ = false;
  std::vector<Finding> config_warnings_;
  std::vector<Finding> config_errors_;
  bool json_output_ = false;
  bool strict_ = false;
  ConfigDigestMode config_digest_ = ConfigDigestMode::kCompute;
  mutable bool json_failure_printed_ = false;
  std::unique_ptr<StateStore> store_;
  bool store_prepared_ = false;
  std::unique_ptr<Provider> provider_;
  // What ReadAccount needs, kept by OpenProvider: the in-process sandbox,
  // or where RunPod is and the key.
  std::shared_ptr<sandbox::SandboxService> sandbox_service_;
  std::optional<ApiTarget> api_target_;
  std::string api_key_;
  // RunPod's rate-limit windows as the provider's requests have learned
  // them; the account read counts against them too.
  std::shared_ptr<Pacer> pacer_;
  std::future<absl::StatusOr<AccountFigures>> account_read_;
  // Set by AbandonReads: RunPod's transports and retries stop.
  const std::shared_ptr<std::atomic<bool>> abandon_ =
      std::make_shared<std::atomic<bool>>(false);
  std::string endpoint_;  // Target::endpoint, once the provider is open
  Api api_ = kDefaultApi;
  std::function<void()> on_rate_limited_;
};

}  // namespace podform

#endif  // PODFORM_CMD_WORKSPACE_H_
