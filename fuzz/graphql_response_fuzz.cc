// libFuzzer target for the GraphQL provider's reading of RunPod's answers:
// a fake Transport answers every request with the fuzz input, and Refresh
// and each mutation must never crash or throw, whatever comes back.
//
// Input: byte 0 picks the HTTP status (kStatuses), byte 1 the Retry-After
// header (kRetryAfter), the rest is the response body. Checked on every
// call:
//   - an error's message starts with the operation's root field and ": "
//     ("refresh: ", "createNetworkVolume: ", ...);
//   - the API key never appears in an error message, even when the body
//     echoes it (the seeds do);
//   - an answer outside HTTP 2xx is never taken as success.
// Retries wait on an injected no-op sleep, so a retried status costs no
// time.
//
// Seeds: fuzz/corpus/graphql_response_fuzz/.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/core/model.h"
#include "reconciler/core/transport.h"

namespace {

constexpr char kApiKey[] = "fuzz-key-8KX2PQ";
constexpr int kStatuses[] = {200, 200, 200, 200, 200, 200, 200, 200, 400, 401,
                             403, 404, 429, 500, 502, 503, 504, 301, 204, 599};
const char* const kRetryAfter[] = {"",
                                   "1",
                                   "0",
                                   "120",
                                   "-3",
                                   "abc",
                                   "Wed, 21 Oct 2015 07:28:00 GMT",
                                   "99999999999999999999"};

// Answers every request with the same status, header and body.
class FixedTransport : public podform::Transport {
 public:
  FixedTransport(int status, std::string retry_after, std::string body)
      : status_(status),
        retry_after_(std::move(retry_after)),
        body_(std::move(body)) {}

  absl::StatusOr<podform::HttpResponse> Send(
      const podform::HttpRequest&) override {
    podform::HttpResponse response;
    response.status = status_;
    response.body = body_;
    response.retry_after = retry_after_;
    return response;
  }

 private:
  int status_;
  std::string retry_after_;
  std::string body_;
};

[[noreturn]] void Fail(const char* op, const std::string& what) {
  std::fprintf(stderr, "graphql_response_fuzz: %s: %s\n", op, what.c_str());
  std::abort();
}

void Check(const char* label, int http_status, const absl::Status& status) {
  if (status.ok()) {
    if (http_status < 200 || http_status > 299) {
      Fail(label, "succeeded on HTTP " + std::to_string(http_status));
    }
    return;
  }
  const std::string message(status.message());
  if (message.rfind(std::string(label) + ": ", 0) != 0) {
    Fail(label, "message does not start with the operation: " + message);
  }
  if (message.find(kApiKey) != std::string::npos) {
    Fail(label, "the API key appears in: " + message);
  }
}

template <typename T>
void Check(const char* label, int http_status, const absl::StatusOr<T>& r) {
  Check(label, http_status, r.status());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const int http_status =
      kStatuses[data[0] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
  const std::string retry_after =
      kRetryAfter[data[1] % (sizeof(kRetryAfter) / sizeof(kRetryAfter[0]))];
  std::string body(reinterpret_cast<const char*>(data) + 2, size - 2);

  podform::GraphQLProviderOptions options;
  options.secrets = {kApiKey};
  options.retry.max_attempts = 3;
  options.retry.sleep = [](absl::Duration) {};
  options.retry.now = [] { return absl::FromUnixSeconds(1700000000); };
  options.retry.seed = 1;
  absl::StatusOr<std::unique_ptr<podform::Provider>> made =
      podform::MakeGraphQLProvider(
          std::make_unique<FixedTransport>(http_status, retry_after,
                                           std::move(body)),
          options);
  if (!made.ok()) Fail("setup", std::string(made.status().message()));
  podform::Provider& provider = **made;

  podform::VolumeSpec volume{"models", 50, "EU-RO-1"};
  podform::PodSpec pod;
  pod.name = "trainer";
  pod.image = "runpod/pytorch:2.4.0";
  pod.gpu_type = "NVIDIA RTX A6000";
  pod.data_center = "EU-RO-1";
  pod.network_volume_id = "vol123";
  pod.ports = {"8888/http", "22/tcp"};
  pod.env = {{"HF_HOME", "/workspace/hf"}};

  Check("refresh", http_status, provider.Refresh());
  Check("createNetworkVolume", http_status, provider.CreateVolume(volume));
  Check("updateNetworkVolume", http_status,
        provider.UpdateVolume("vol123", volume));
  Check("deleteNetworkVolume", http_status, provider.DeleteVolume("vol123"));
  Check("podFindAndDeployOnDemand", http_status, provider.CreatePod(pod));
  Check("podEditJob", http_status, provider.EditPod("pod123", pod));
  Check("podStop", http_status, provider.StopPod("pod123"));
  Check("podResume", http_status, provider.ResumePod("pod123", 1));
  Check("podTerminate", http_status, provider.TerminatePod("pod123"));
  // A second Refresh after the mutations: the GPU name table they may have
  // filled must not disturb it.
  Check("refresh", http_status, provider.Refresh());
  return 0;
}
