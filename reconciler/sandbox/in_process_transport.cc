#include "reconciler/sandbox/in_process_transport.h"

#include <utility>

#include "absl/status/status.h"
#include "reconciler/util/status_macros.h"

namespace podform::sandbox {

InProcessTransport::InProcessTransport(std::shared_ptr<SandboxService> service,
                                       std::string api_key,
                                       std::string base_path)
    : service_(std::move(service)),
      api_key_(std::move(api_key)),
      base_path_(std::move(base_path)) {}

absl::StatusOr<std::unique_ptr<InProcessTransport>> InProcessTransport::Open(
    const std::string& data_file, const std::string& api_key,
    const std::string& owner, const std::string& base_path,
    std::optional<double> client_balance) {
  ServiceOptions options;
  options.data_path = data_file;
  options.owner = owner;
  options.client_balance = client_balance;
  ASSIGN_OR_RETURN(std::unique_ptr<SandboxService> service,
                   SandboxService::Create(std::move(options)));
  return std::make_unique<InProcessTransport>(std::move(service), api_key,
                                              base_path);
}

absl::StatusOr<HttpResponse> InProcessTransport::Send(
    const HttpRequest& request) {
  SandboxRequest sandbox_request;
  sandbox_request.method = request.method;
  std::string target = base_path_ + request.path;
  size_t question = target.find('?');
  sandbox_request.path = target.substr(0, question);
  if (question != std::string::npos) {
    sandbox_request.query = target.substr(question + 1);
  }
  sandbox_request.body = request.body;
  sandbox_request.authorization = "Bearer " + api_key_;
  // SandboxService::Handle picks the front-end by the path exactly as for
  // `sandbox serve`: /graphql to the GraphQL executor, /v2/... to the REST
  // front-end (HandleRest).
  SandboxResponse response = service_->Handle(sandbox_request);
  if (response.dropped) {
    return absl::DeadlineExceededError(
        "sandbox: the connection was lost before an answer arrived "
        "(--drop-after-commit); the request may have taken effect");
  }
  HttpResponse out;
  out.status = response.status;
  out.body = std::move(response.body);
  out.content_type = response.content_type;
  out.retry_after = response.Header("Retry-After");
  out.rate_limit = response.Header("RateLimit");
  out.rate_limit_policy = response.Header("RateLimit-Policy");
  return out;
}

}  // namespace podform::sandbox
