#ifndef PODFORM_RECONCILER_SANDBOX_IN_PROCESS_TRANSPORT_H_
#define PODFORM_RECONCILER_SANDBOX_IN_PROCESS_TRANSPORT_H_

// A Transport that hands GraphQL request bodies straight to a
// SandboxService in this process (`--sandbox[=FILE]`): the client sends the
// very same GraphQL text as to RunPod, without a network.

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "reconciler/graphql/transport.h"
#include "reconciler/sandbox/service.h"

namespace podform::sandbox {

class InProcessTransport : public Transport {
 public:
  // Sends every request with "Authorization: Bearer <api_key>".
  InProcessTransport(std::shared_ptr<SandboxService> service,
                     std::string api_key);

  // A transport on a new service persisted to `data_file` (created with its
  // directory if missing), which it holds locked for `owner` as long as it
  // lives. Errors as SandboxService::Create.
  static absl::StatusOr<std::unique_ptr<InProcessTransport>> Open(
      const std::string& data_file, const std::string& api_key = "sandbox",
      const std::string& owner = "podform --sandbox");

  // The service's HTTP status and body. A response the service drops
  // (--drop-after-commit) is DeadlineExceeded: the mutation happened but the
  // caller cannot know it, exactly as with a lost connection.
  // Nothing is replayed in process, so `replay` changes nothing.
  absl::StatusOr<HttpResponse> Post(std::string_view body,
                                    Replay replay) override;

  SandboxService& service() { return *service_; }

 private:
  std::shared_ptr<SandboxService> service_;
  std::string api_key_;
};

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_IN_PROCESS_TRANSPORT_H_
