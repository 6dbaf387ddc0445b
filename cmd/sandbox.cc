// podform sandbox serve: the RunPod emulator over HTTP.

#include <pthread.h>
#include <signal.h>

#include <optional>
#include <ostream>
#include <string>

#include "CLI/CLI.hpp"
#include "cmd/command.h"
#include "cmd/files.h"
#include "reconciler/sandbox/server.h"
#include "reconciler/sandbox/service.h"
#include "reconciler/util/status_macros.h"

namespace podform {
namespace {

struct ServeFlags {
  std::string listen = "127.0.0.1:8787";
  std::string data = ".podform/sandbox.json";
  std::string api_key;
  int latency_ms = 0;
  double fail_rate = 0;
  std::string rate_limit = "0";
  int provision_ms = 500;
  double provision_fail_rate = 0;
  double drop_after_commit = 0;
  std::optional<uint64_t> seed;
  std::optional<double> balance;
};

absl::Status ServeBlocked(const ServeFlags& flags, const sigset_t& signals,
                          std::ostream& out) {
  std::string host;
  int port = 0;
  RETURN_IF_ERROR(sandbox::ParseListenAddress(flags.listen, &host, &port));
  sandbox::ServiceOptions options;
  options.data_path = flags.data;
  options.api_key = flags.api_key;
  options.faults.latency_ms = flags.latency_ms;
  options.faults.fail_rate = flags.fail_rate;
  RETURN_IF_ERROR(sandbox::ParseRateLimit(flags.rate_limit, &options.faults));
  options.provision_ms = flags.provision_ms;
  options.provision_fail_rate = flags.provision_fail_rate;
  options.faults.drop_after_commit = flags.drop_after_commit;
  options.faults.seed = flags.seed;
  options.client_balance = flags.balance;
  ASSIGN_OR_RETURN(std::unique_ptr<sandbox::SandboxService> service,
                   sandbox::SandboxService::Create(std::move(options)));
  sandbox::SandboxServer server(service.get());
  RETURN_IF_ERROR(server.Bind(host, port));
  server.Start();
  std::string shown_host =
      host.find(':') != std::string::npos ? "[" + host + "]" : host;
  out << "listening on http://" << shown_host << ":" << server.port()
      << " (REST v2 at /v2, GraphQL at /graphql)" << std::endl;
  int signal_number = 0;
  sigwait(&signals, &signal_number);
  server.Stop();
  return absl::OkStatus();
}

// Serves until SIGINT or SIGTERM. The signals are blocked from the start
// (so one arriving while a large data file loads is not lost) and in every
// thread (the server's threads inherit the mask); ServeBlocked takes them
// with sigwait, so no handler runs in an arbitrary thread.
absl::Status Serve(const ServeFlags& flags, std::ostream& out) {
  sigset_t signals, previous;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  absl::Status status = ServeBlocked(flags, signals, out);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return status;
}

}  // namespace

CommandRun SetupSandbox(CLI::App* command, const CommandContext& context) {
  auto flags = std::make_shared<ServeFlags>();
  command->require_subcommand(1);
  CLI::App* serve = command->add_subcommand(
      "serve", "Serve the RunPod emulator (REST v2 and GraphQL) over HTTP");
  serve->add_option("--listen", flags->listen,
                    "HOST:PORT to listen on (port 0: any free port)")
      ->capture_default_str();
  serve->add_option("--data", flags->data,
                    "Data file holding the emulated account (created if "
                    "missing)")
      ->capture_default_str();
  serve->add_option("--api-key", flags->api_key,
                    "Accept only this API key (default: any non-empty key)");
  serve->add_option("--latency-ms", flags->latency_ms,
                    "Every handled request takes N milliseconds (carried "
                    "out halfway, answered at the end)")
      ->check(CLI::NonNegativeNumber);
  serve->add_option("--fail-rate", flags->fail_rate,
                    "Answer this fraction of requests with HTTP 502/503, "
                    "doing nothing")
      ->check(CLI::Range(0.0, 1.0));
  serve->add_option("--rate-limit", flags->rate_limit,
                    "Allow N requests per second (N or N/s) or per minute "
                    "(N/min), counted per API key over REST v2; beyond: "
                    "HTTP 429 with Retry-After");
  serve->add_option("--provision-ms", flags->provision_ms,
                    "A started pod is PROVISIONING, then STARTING, for N "
                    "milliseconds before it is RUNNING")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  serve->add_option("--provision-fail-rate", flags->provision_fail_rate,
                    "This fraction of pod starts ends in ERROR instead of "
                    "RUNNING")
      ->check(CLI::Range(0.0, 1.0));
  serve->add_option("--drop-after-commit", flags->drop_after_commit,
                    "Perform this fraction of mutations, then close the "
                    "connection without answering")
      ->check(CLI::Range(0.0, 1.0));
  serve->add_option("--seed", flags->seed,
                    "Seed every random choice (ids, faults)");
  serve->add_option("--balance", flags->balance,
                    "Set the account's balance to USD (saved in the data "
                    "file); a pod needs one hour of its cost in credit")
      ->type_name("USD");
  return [context, flags, serve]() {
    if (!serve->parsed()) {
      *context.err << "podform: sandbox: expected a subcommand: serve\n";
      return 1;
    }
    // The data file may not be the config or the lock file beside it.
    GlobalOptions files = *context.global;
    files.sandbox.reset();
    files.state = StatePath(files);  // the config's, not a sandbox's own
    files.sandbox = flags->data;
    if (absl::Status own = CheckOwnFiles(files); !own.ok()) {
      *context.err << "podform: sandbox serve: " << own.message() << "\n";
      return 1;
    }
    absl::Status status = Serve(*flags, *context.out);
    if (!status.ok()) {
      *context.err << "podform: sandbox serve: " << status.message() << "\n";
      return 1;
    }
    return 0;
  };
}

}  // namespace podform
