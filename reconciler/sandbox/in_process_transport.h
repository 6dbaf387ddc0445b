#ifndef PODFORM_RECONCILER_SANDBOX_IN_PROCESS_TRANSPORT_H_
#define PODFORM_RECONCILER_SANDBOX_IN_PROCESS_TRANSPORT_H_

// A Transport that hands requests straight to a SandboxService in this
// process (`--sandbox[=FILE]`): the client sends the very same requests as
// to RunPod, without a network.

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "reconciler/core/transport.h"
#include "reconciler/sandbox/service.h"

namespace podform::sandbox {

// The sandbox paths the two clients are based at.
inline constexpr char kGraphQLBasePath[] = "/graphql";
inline constexpr char kRestBasePath[] = "/v2";

class InProcessTransport : public Transport {
 public:
  // Sends every request with "Authorization: Bearer <api_key>" to
  // `base_path` + request.path (the base URL of a real server is
  // "http://HOST:PORT" + base_path).
  InProcessTransport(std::shared_ptr<SandboxService> service,
                     std::string api_key,
                     std::string base_path = kGraphQLBasePath);

  // A transport on a new service persisted to `data_file` (created with its
  // directory if missing), which it holds locked for `owner` as long as it
  // lives; `client_balance`, when set, becomes the account's balance
  // (ServiceOptions::client_balance). Errors as SandboxService::Create.
  static absl::StatusOr<std::unique_ptr<InProcessTransport>> Open(
      const std::string& data_file, const std::string& api_key = "sandbox",
      const std::string& owner = "podform --sandbox",
      const std::string& base_path = kGraphQLBasePath,
      std::optional<double> client_balance = std::nullopt);

  // The service's HTTP status, body and headers. A response the service
  // drops (--drop-after-commit) is DeadlineExceeded: the mutation happened
  // but the caller cannot know it, exactly as with a lost connection.
  // Nothing is replayed in process, so request.replay changes nothing.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override;

  SandboxService& service() { return *service_; }
  // The same service, for another transport on it (another base path).
  const std::shared_ptr<SandboxService>& shared_service() const {
    return service_;
  }

 private:
  std::shared_ptr<SandboxService> service_;
  std::string api_key_;
  std::string base_path_;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_IN_PROCESS_TRANSPORT_H_
