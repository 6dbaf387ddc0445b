#include "cmd/workspace.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cmd/files.h"
#include "cmd/vars.h"
#include "reconciler/client/account_reader.h"
#include "reconciler/client/curl_transport.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/client/pacer.h"
#include "reconciler/client/rest_provider.h"
#include "reconciler/plan/render.h"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/state/file_store.h"
#include "reconciler/state/postgres_store.h"
#include "reconciler/util/file.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

// The API `--sandbox` speaks without --api: the default, as against
// RunPod.
constexpr Api kSandboxDefaultApi = kDefaultApi;

// PODFORM_SANDBOX_BALANCE: the in-process sandbox's balance in USD (as
// `sandbox serve --balance`); nullopt when unset.
absl::StatusOr<std::optional<double>> SandboxBalance() {
  const char* text = std::getenv("PODFORM_SANDBOX_BALANCE");
  if (text == nullptr) return std::nullopt;
  double usd = 0;
  if (!absl::SimpleAtod(text, &usd) || !std::isfinite(usd)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "PODFORM_SANDBOX_BALANCE: \"", text,
        "\" is not an amount in USD (e.g. 42.10)"));
  }
  return usd;
}

}  // namespace

std::unique_ptr<StateStore> OpenStateStore(const GlobalOptions& global,
                                           std::string* name) {
  return OpenStateStoreAt(StatePath(global), global, name);
}

std::unique_ptr<StateStore> OpenStateStoreAt(const std::string& location,
                                             const GlobalOptions& global,
                                             std::string* name) {
  if (IsPostgresUri(location)) {
    const char* env_key = std::getenv("PODFORM_STATE_KEY");
    auto store = std::make_unique<PostgresStateStore>(ParsePostgresUri(
        location, env_key == nullptr ? "" : env_key,
        std::filesystem::absolute(global.file)
            .parent_path()
            .filename()
            .string()));
    *name = store->name();
    return store;
  }
  *name = location;
  return std::make_unique<FileStateStore>(location);
}

Workspace::Workspace(const CommandContext& context)
    : context_(context),
      store_(OpenStateStore(*context.global, &state_path_)) {}

Workspace::~Workspace() = default;

bool Workspace::state_in_postgres() const {
  return dynamic_cast<const PostgresStateStore*>(store_.get()) != nullptr;
}

std::string Workspace::UnrecordedBase() const {
  const auto* pg = dynamic_cast<const PostgresStateStore*>(store_.get());
  if (pg == nullptr) return state_path_;
  std::string key;
  for (char c : pg->location().key) {
    key.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                          c == '_' || c == '.'
                      ? c
                      : '_');
  }
  return (std::filesystem::absolute(global().file).parent_path() /
          absl::StrCat("podform-", key, ".lock"))
      .string();
}

const Config* Workspace::LoadConfig() {
  if (!config_loaded_) {
    config_loaded_ = true;
    absl::StatusOr<EnvLookup> vars = VarLookup(global());
    if (!vars.ok()) {
      Fail(vars.status());
      return nullptr;
    }
    LoadResult result =
        LoadConfigFile(global().file, ProcessEnv(), *vars, strict_,
                       config_digest_);
    for (const Diagnostic& d : result.diagnostics) {
      err() << d.ToString() << "\n";
      const bool error = d.severity == Diagnostic::Severity::kError;
      (error ? config_errors_ : config_warnings_)
          .push_back({error ? Finding::Severity::kError
                            : Finding::Severity::kWarning,
                      d.message, d.file, d.location.line,
                      d.location.column});
    }
    config_ = std::move(result.config);
    secret_values_ = std::move(result.secret_values);
    if (!config_.has_value() && json_output_) FailAsJson({});
  }
  return config_ ? &*config_ : nullptr;
}

StateStore& Workspace::store() {
  if (!store_prepared_) {
    store_prepared_ = true;
    if (global().sandbox.has_value() && global().state.empty()) {
      // The sandbox's own lock file sits beside its data file, in a
      // directory podform may have to make (only if it is missing).
      std::filesystem::path dir =
          std::filesystem::path(state_path_).parent_path();
      if (std::error_code ec;
          !dir.empty() && !std::filesystem::exists(dir, ec)) {
        MakeDirectories(dir.string()).IgnoreError();  // Lock/Write say why
      }
    }
  }
  return *store_;
}

absl::StatusOr<State> Workspace::ReadState() {
  absl::StatusOr<State> state = store().Read();
  if (state.ok() || state.status().code() != absl::StatusCode::kNotFound) {
    return state;
  }
  State fresh;
  fresh.lineage = NewLineage();
  return fresh;
}

absl::StatusOr<Provider*> Workspace::OpenProvider() {
  if (provider_ != nullptr) return provider_.get();
  RetryOptions retry;
  // A wait between attempts ends early once the reads are abandoned (the
  // next attempt then fails Cancelled without being sent).
  retry.sleep = [abandon = abandon_](absl::Duration wait) {
    const absl::Time until = absl::Now() + wait;
    while (!abandon->load() && absl::Now() < until) {
      absl::SleepFor(std::min(until - absl::Now(), absl::Milliseconds(50)));
    }
  };
  retry.on_rate_limited = [this] {
    if (on_rate_limited_) on_rate_limited_();
  };
  std::vector<std::string> secrets;
  Api api = kDefaultApi;
  std::unique_ptr<Transport> transport;
  std::string endpoint;
  if (global().sandbox.has_value()) {
    std::string data = SandboxDataPath(global());
    ASSIGN_OR_RETURN(std::optional<Api> chosen, ParseApi(global().api));
    api = chosen.value_or(kSandboxDefaultApi);
    ASSIGN_OR_RETURN(std::optional<double> balance, SandboxBalance());
    ASSIGN_OR_RETURN(std::unique_ptr<sandbox::InProcessTransport> in_process,
                     sandbox::InProcessTransport::Open(
                         data, "sandbox", global().command + " --sandbox",
                         api == Api::kRest ? sandbox::kRestBasePath
                                           : sandbox::kGraphQLBasePath,
                         balance));
    sandbox_service_ = in_process->shared_service();
    transport = std::move(in_process);
    endpoint = SandboxEndpoint(data);
  } else {
    ASSIGN_OR_RETURN(ApiTarget target,
                     ResolveApi(global().api, global().endpoint, ProcessEnv()));
    api = target.api;
    const char* key = std::getenv("RUNPOD_API_KEY");
    std::string api_key = key == nullptr ? "" : key;
    if (!api_key.empty()) secrets.push_back(api_key);
    CurlTransportOptions options;
    options.abandon = abandon_;
    ASSIGN_OR_RETURN(transport,
                     MakeCurlTransport(target.url, api_key, options));
    api_target_ = target;
    api_key_ = api_key;
    endpoint = NormalizeEndpoint(target.url);
  }
  // Paced by RunPod's RateLimit headers, so that an apply larger than the
  // quota waits for it instead of being refused.
  pacer_ = std::make_shared<Pacer>();
  transport = std::make_unique<PacedTransport>(std::move(transport), pacer_);
  if (api == Api::kRest) {
    RestProviderOptions options;
    options.retry = std::move(retry);
    options.secrets = std::move(secrets);
    ASSIGN_OR_RETURN(provider_,
                     MakeRestProvider(std::move(transport), options));
  } else {
    GraphQLProviderOptions options;
    options.retry = std::move(retry);
    options.secrets = std::move(secrets);
    ASSIGN_OR_RETURN(provider_,
                     MakeGraphQLProvider(std::move(transport), options));
  }
  api_ = api;
  endpoint_ = std::move(endpoint);
  return provider_.get();
}

absl::StatusOr<Api> Workspace::ChosenApi() const {
  if (global().sandbox.has_value()) {
    ASSIGN_OR_RETURN(std::optional<Api> chosen, ParseApi(global().api));
    return chosen.value_or(kSandboxDefaultApi);
  }
  ASSIGN_OR_RETURN(ApiTarget target,
                   ResolveApi(global().api, global().endpoint, ProcessEnv()));
  return target.api;
}

void Workspace::StartAccountRead() {
  if (account_read_.valid()) return;
  account_read_ = std::async(std::launch::async, [this] {
    return ReadAccountNow();
  });
}

absl::StatusOr<AccountFigures> Workspace::ReadAccount() {
  if (account_read_.valid()) return account_read_.get();
  return ReadAccountNow();
}

absl::StatusOr<AccountFigures> Workspace::ReadAccountNow() const {
  std::unique_ptr<Transport> transport;
  std::vector<std::string> secrets;
  if (sandbox_service_ != nullptr) {
    transport = std::make_unique<sandbox::InProcessTransport>(
        sandbox_service_, "sandbox", sandbox::kGraphQLBasePath);
  } else if (api_target_.has_value()) {
    ASSIGN_OR_RETURN(std::string url,
                     AccountGraphQLUrl(*api_target_, ProcessEnv()));
    CurlTransportOptions options;
    options.abandon = abandon_;
    ASSIGN_OR_RETURN(transport, MakeCurlTransport(url, api_key_, options));
    if (!api_key_.empty()) secrets.push_back(api_key_);
  } else {
    return absl::FailedPreconditionError("RunPod is not open");
  }
  // Counted against the windows the provider's requests see: the sandbox
  // (and RunPod, as far as is known) counts every request of a key.
  if (pacer_ != nullptr) {
    transport = std::make_unique<PacedTransport>(std::move(transport), pacer_);
  }
  return ReadAccountFigures(*transport, secrets);
}

Target Workspace::CurrentTarget(const LiveState& live) const {
  return Target{endpoint_, live.account_id};
}

absl::Status Workspace::AdoptTarget(State* state, const LiveState& live) const {
  Target current = CurrentTarget(live);
  RETURN_IF_ERROR(CheckSameTarget(state->target, current, state_path_));
  state->target = std::move(current);
  return absl::OkStatus();
}

bool Workspace::color() const {
  return !global().no_color && context_.out == &std::cout &&
         ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

int Workspace::Fail(const absl::Status& status) const {
  err() << "podform: " << status.message() << "\n";
  if (json_output_) {
    FailAsJson({{Finding::Severity::kError, std::string(status.message())}});
  }
  return 1;
}

void Workspace::FailAsJson(std::vector<Finding> findings) const {
  if (json_failure_printed_) return;
  json_failure_printed_ = true;
  std::vector<Finding> all = config_errors_;
  all.insert(all.end(), config_warnings_.begin(), config_warnings_.end());
  all.insert(all.end(), findings.begin(), findings.end());
  out() << RenderFailureJsonText(all);
}

}  // namespace podform
