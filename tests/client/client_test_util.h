#ifndef PODFORM_TESTS_CLIENT_CLIENT_TEST_UTIL_H_
#define PODFORM_TESTS_CLIENT_CLIENT_TEST_UTIL_H_

// Fakes shared by the client tests: a Transport that records every request
// and answers from a script, and a clock whose sleeps only advance it.

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/client/retry.h"
#include "reconciler/core/transport.h"
#include "reconciler/util/embedded.h"

namespace podform::testing {

class FakeTransport : public Transport {
 public:
  // Scripts the next answer. Answers are consumed in order.
  void Answer(absl::StatusOr<HttpResponse> response) {
    std::lock_guard<std::mutex> lock(mutex_);
    script_.push_back(std::move(response));
  }
  void Answer(int status, std::string body, std::string retry_after = "") {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.retry_after = std::move(retry_after);
    Answer(std::move(response));
  }
  // A 200 answer {"data": DATA}.
  void AnswerData(const std::string& data_json) {
    Answer(200, "{\"data\":" + data_json + "}");
  }

  // Answers every request with `responder(request)` once the script is
  // used up.
  void AnswerBy(std::function<HttpResponse(const HttpRequest&)> responder) {
    std::lock_guard<std::mutex> lock(mutex_);
    responder_ = std::move(responder);
  }

  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard<std::mutex> lock(mutex_);
    requests_.push_back(request);
    if (script_.empty() && responder_) return responder_(request);
    if (script_.empty()) {
      return absl::InternalError("FakeTransport: no answer scripted");
    }
    absl::StatusOr<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  // Every request, in order.
  std::vector<HttpRequest> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }
  // The body of each request, in order.
  std::vector<std::string> bodies() const {
    std::vector<std::string> out;
    for (const HttpRequest& r : requests()) out.push_back(r.body);
    return out;
  }
  // The Replay of each request, in order.
  std::vector<Replay> replays() const {
    std::vector<Replay> out;
    for (const HttpRequest& r : requests()) out.push_back(r.replay);
    return out;
  }
  size_t unanswered() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return script_.size();
  }

 private:
  mutable std::mutex mutex_;
  std::deque<absl::StatusOr<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
  std::function<HttpResponse(const HttpRequest&)> responder_;
};

// A POST of `body` to the base URL, a read (replay harmless) when
// `idempotent`.
inline HttpRequest Post(std::string body, bool idempotent) {
  HttpRequest request;
  request.method = "POST";
  request.body = std::move(body);
  request.replay = idempotent ? Replay::kHarmless : Replay::kForbidden;
  return request;
}

// A clock that moves only when something sleeps on it.
class FakeClock {
 public:
  absl::Time Now() {
    std::lock_guard<std::mutex> lock(mutex_);
    return now_;
  }
  void Sleep(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mutex_);
    sleeps_.push_back(d);
    now_ += d;
  }
  void Advance(absl::Duration d) {
    std::lock_guard<std::mutex> lock(mutex_);
    now_ += d;
  }
  std::vector<absl::Duration> sleeps() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sleeps_;
  }

  // Points `options` at this clock (and a fixed uniform draw of 0.5).
  void Install(RetryOptions& options) {
    options.now = [this] { return Now(); };
    options.sleep = [this](absl::Duration d) { Sleep(d); };
    options.uniform = [] { return 0.5; };
  }

 private:
  std::mutex mutex_;
  absl::Time now_ = absl::FromUnixSeconds(1'700'000'000);
  std::vector<absl::Duration> sleeps_;
};

// The exact body the client sends for operation `name` with `variables`
// (JSON text).
inline std::string ExpectedBody(const std::string& name,
                                const std::string& variables_json) {
  nlohmann::json body = {
      {"operationName", name},
      {"query",
       std::string(EmbeddedFile("schema/operations/" + name + ".graphql"))},
      {"variables", nlohmann::json::parse(variables_json)}};
  return body.dump();
}

// A provider over a FakeTransport and a FakeClock, both kept for inspection.
struct ProviderFixture {
  explicit ProviderFixture(GraphQLProviderOptions options = {}) {
    auto owned = std::make_unique<FakeTransport>();
    transport = owned.get();
    clock.Install(options.retry);
    absl::StatusOr<std::unique_ptr<Provider>> made =
        MakeGraphQLProvider(std::move(owned), std::move(options));
    if (made.ok()) provider = std::move(*made);
  }

  FakeClock clock;
  FakeTransport* transport = nullptr;  // owned by provider
  std::unique_ptr<Provider> provider;
};

}  // namespace podform::testing

#endif  // PODFORM_TESTS_CLIENT_CLIENT_TEST_UTIL_H_
