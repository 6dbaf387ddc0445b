#include "reconciler/sandbox/in_process_transport.h"

#include "absl/status/status.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {

InProcessTransport::InProcessTransport(std::shared_ptr<SandboxService> service,
                                       std::string api_key)
    : service_(std::move(service)), api_key_(std::move(api_key)) {}

absl::StatusOr<std::unique_ptr<InProcessTransport>> InProcessTransport::Open(
    const std::string& data_file, const std::string& api_key,
    const std::string& owner) {
  ServiceOptions options;
  options.data_path = data_file;
  options.owner = owner;
  ASSIGN_OR_RETURN(std::unique_ptr<SandboxService> service,
                   SandboxService::Create(std::move(options)));
  return std::make_unique<InProcessTransport>(std::move(service), api_key);
}

absl::StatusOr<HttpResponse> InProcessTransport::Post(std::string_view body,
                                                      Replay /*replay*/) {
  SandboxRequest request;
  request.method = "POST";
  request.path = "/graphql";
  request.body = std::string(body);
  request.authorization = "Bearer " + api_key_;
  SandboxResponse response = service_->Handle(request);
  if (response.dropped) {
    return absl::DeadlineExceededError(
        "sandbox: the connection was lost before an answer arrived "
        "(--drop-after-commit); the request may have taken effect");
  }
  HttpResponse out;
  out.status = response.status;
  out.body = std::move(response.body);
  out.retry_after = response.Header("Retry-After");
  return out;
}

}  // namespace podform::sandbox
