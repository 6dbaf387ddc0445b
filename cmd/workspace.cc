#include "cmd/workspace.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "reconciler/client/curl_transport.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/client/pacer.h"
#include "reconciler/client/rest_provider.h"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/state/file_store.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

// The API `--sandbox` speaks without --api: the default, as against
// RunPod.
constexpr Api kSandboxDefaultApi = kDefaultApi;

}  // namespace

Workspace::Workspace(const CommandContext& context)
    : context_(context), state_path_(StatePath(*context.global)) {}

Workspace::~Workspace() = default;

const Config* Workspace::LoadConfig() {
  if (!config_loaded_) {
    config_loaded_ = true;
    LoadResult result = LoadConfigFile(global().file, ProcessEnv());
    for (const Diagnostic& d : result.diagnostics) {
      err() << d.ToString() << "\n";
    }
    config_ = std::move(result.config);
  }
  return config_ ? &*config_ : nullptr;
}

StateStore& Workspace::store() {
  if (store_ == nullptr) store_ = std::make_unique<FileStateStore>(state_path_);
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
  retry.on_rate_limited = [this] {
    if (on_rate_limited_) on_rate_limited_();
  };
  std::vector<std::string> secrets;
  Api api = kDefaultApi;
  std::unique_ptr<Transport> transport;
  if (global().sandbox.has_value()) {
    std::string data = *global().sandbox;
    if (data.empty()) {
      std::filesystem::path dir =
          std::filesystem::path(global().file).parent_path();
      data = (dir / ".podform" / "sandbox.json").string();
    }
    ASSIGN_OR_RETURN(std::optional<Api> chosen, ParseApi(global().api));
    api = chosen.value_or(kSandboxDefaultApi);
    ASSIGN_OR_RETURN(transport, sandbox::InProcessTransport::Open(
                                    data, "sandbox",
                                    api == Api::kRest
                                        ? sandbox::kRestBasePath
                                        : sandbox::kGraphQLBasePath));
  } else {
    ASSIGN_OR_RETURN(ApiTarget target,
                     ResolveApi(global().api, global().endpoint, ProcessEnv()));
    api = target.api;
    const char* key = std::getenv("RUNPOD_API_KEY");
    std::string api_key = key == nullptr ? "" : key;
    if (!api_key.empty()) secrets.push_back(api_key);
    ASSIGN_OR_RETURN(transport, MakeCurlTransport(target.url, api_key));
  }
  // Paced by RunPod's RateLimit headers, so that an apply larger than the
  // quota waits for it instead of being refused.
  transport = std::make_unique<PacedTransport>(std::move(transport));
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
  return provider_.get();
}

bool Workspace::color() const {
  return !global().no_color && context_.out == &std::cout &&
         ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
}

int Workspace::Fail(const absl::Status& status) const {
  err() << "podform: " << status.message() << "\n";
  return 1;
}

}  // namespace podform
