#include "cmd/workspace.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "reconciler/client/curl_transport.h"
#include "reconciler/client/endpoint.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/state/file_store.h"
#include "reconciler/state/postgres_store.h"
#include "reconciler/util/status_macros.h"

namespace podform {

std::unique_ptr<StateStore> OpenStateStore(const GlobalOptions& global,
                                           std::string* name) {
  const std::string location = StatePath(global);
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

StateStore& Workspace::store() { return *store_; }

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
  GraphQLProviderOptions options;
  options.retry.on_rate_limited = [this] {
    if (on_rate_limited_) on_rate_limited_();
  };
  std::unique_ptr<Transport> transport;
  if (global().sandbox.has_value()) {
    std::string data = *global().sandbox;
    if (data.empty()) {
      std::filesystem::path dir =
          std::filesystem::path(global().file).parent_path();
      data = (dir / ".podform" / "sandbox.json").string();
    }
    ASSIGN_OR_RETURN(transport, sandbox::InProcessTransport::Open(data));
  } else {
    ASSIGN_OR_RETURN(std::string endpoint,
                     ResolveEndpoint(global().endpoint, ProcessEnv()));
    const char* key = std::getenv("RUNPOD_API_KEY");
    std::string api_key = key == nullptr ? "" : key;
    if (!api_key.empty()) options.secrets.push_back(api_key);
    ASSIGN_OR_RETURN(transport, MakeCurlTransport(endpoint, api_key));
  }
  ASSIGN_OR_RETURN(provider_,
                   MakeGraphQLProvider(std::move(transport), options));
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
