#ifndef PODFORM_RECONCILER_SANDBOX_SERVICE_H_
#define PODFORM_RECONCILER_SANDBOX_SERVICE_H_

// The sandbox as an HTTP service, independent of any HTTP library: the HTTP
// server (server.h) and the in-process transport (in_process_transport.h)
// both hand it requests and relay its responses, so both paths behave
// identically.
//
// Handle() answers a request for /graphql (GraphQL) or under /v2 (REST v2,
// HandleRest) in this order:
//   1. with probability --fail-rate: 502 or 503, nothing else happens;
//   2. GraphQL: over --rate-limit (one bucket for all callers): 429 with
//      Retry-After (seconds);
//   3. sleeps half of --latency-ms (the request's trip); the answer leaves
//      no sooner than the whole of it after the request came, whatever
//      path below answers it (FaultInjector::StartLatency);
//   4. a path other than /graphql or /v2/...: 404; GraphQL with a method
//      other than POST: 405;
//   5. a body over the API's limit (limits.h): 413, before authentication;
//   6. no API key (Authorization: Bearer KEY, or for GraphQL ?api_key=KEY):
//      401; with ServiceOptions::api_key set, any other key: 401;
//   7. REST v2: over --rate-limit, counted per key in fixed windows: 429
//      with Retry-After; every answer from here on carries RateLimit and
//      RateLimit-Policy (when a limit is set);
//   8. a JSON body nested deeper than kMaxJsonDepth: 400;
//   9. executes the request: GraphQL (200, or 400 for a document that does
//      not parse or validate; see graphql/executor.h) or REST v2
//      (rest_api.h);
//  10. if the request committed a mutation, with probability
//      --drop-after-commit the answer is marked `dropped`: the transport
//      must lose it (close the connection / return DeadlineExceeded) although
//      the mutation is persisted.
// GraphQL error bodies of steps 2-8 are JSON {"errors": [{"message",
// "extensions": {"code"}}]}; REST v2's are problem+json (rest_api.h);
// 502/503 are plain text, as a proxy sends them.
// Thread-safe: requests may arrive on several threads; GraphQL execution and
// persistence are serialized by the store's lock.

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "reconciler/graphql/executor.h"
#include "reconciler/sandbox/faults.h"
#include "reconciler/sandbox/store.h"

namespace podform::sandbox {

struct SandboxRequest {
  std::string method = "POST";
  std::string path = "/graphql";  // without the query string
  std::string query;              // after '?', "" when none (REST v2)
  std::string body;
  std::string authorization;  // the Authorization header, "" when absent
  std::string api_key_param;  // the api_key query parameter, "" when absent
};

struct SandboxResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Retry-After
  // The mutation was committed but its answer must be lost (step 7).
  bool dropped = false;

  // The value of header `name` (exact spelling), "" if absent.
  std::string Header(const std::string& name) const;
};

struct ServiceOptions {
  std::string data_path;  // the data file; "" = in memory only
  // Who owns the data file (StoreOptions::owner).
  std::string owner = "podform sandbox serve";
  std::string api_key;    // "" = any non-empty key is accepted
  FaultOptions faults;
  Clock clock;  // for pods' timestamps; null: absl::Now
  // --provision-ms, --provision-fail-rate: a started pod is PROVISIONING
  // then STARTING for this long, then RUNNING, or ERROR with this
  // probability (Account::set_provisioning).
  int provision_ms = 0;
  double provision_fail_rate = 0;
  // --balance (StoreOptions::client_balance).
  std::optional<double> client_balance;
};

class SandboxService {
 public:
  // Opens the data file (SandboxStore::Open: FailedPrecondition for a
  // corrupt file, Internal for I/O errors). The seed (options.faults.seed,
  // else from the OS) seeds both a new data file's ids and the faults.
  static absl::StatusOr<std::unique_ptr<SandboxService>> Create(
      ServiceOptions options);

  SandboxResponse Handle(const SandboxRequest& request);

  // One REST v2 request, steps 1-10 above: `target` is the path with its
  // query ("/v2/pods?limit=5"), `api_key` the bearer token ("" when none).
  // Both transports call this (Handle routes /v2 here).
  SandboxResponse HandleRest(const std::string& method,
                             const std::string& target,
                             const std::string& api_key,
                             const std::string& body);

  SandboxStore& store() { return *store_; }
  const ServiceOptions& options() const { return options_; }

 private:
  SandboxService(ServiceOptions options, std::unique_ptr<SandboxStore> store,
                 uint64_t fault_seed);

  // The key the request carries, "" if none.
  static std::string RequestKey(const SandboxRequest& request);
  // The bearer token of an Authorization header, "" if none.
  static std::string BearerKey(const std::string& authorization);
  SandboxResponse HandleGraphql(const SandboxRequest& request);

  ServiceOptions options_;
  std::unique_ptr<SandboxStore> store_;
  graphql::Executor executor_;
  FaultInjector faults_;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_SERVICE_H_
