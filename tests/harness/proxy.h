#ifndef PODFORM_TESTS_HARNESS_PROXY_H_
#define PODFORM_TESTS_HARNESS_PROXY_H_

// An HTTP proxy on 127.0.0.1 between podform and `sandbox serve` that
// records every request it forwards: GraphQL at /graphql, REST v2 under /v2.

#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "nlohmann/json.hpp"

namespace httplib {
class Server;
}

namespace podform::harness {

// One request through the proxy.
struct Exchange {
  std::string method;        // "POST", "GET", "PATCH", "DELETE"
  std::string path;          // "/graphql", "/v2/pods?limit=1000", ...
  std::string body;          // as sent
  std::string operation;     // GraphQL: the body's operationName ("" if none)
  nlohmann::json variables;  // GraphQL: the body's variables (null if none)
  double start = 0;          // when the proxy received it (Now())
  double end = 0;            // when the proxy answered it
  int status = 0;            // the HTTP status it answered
};

// Forwards POST /graphql and every request under /v2/ to the same path on
// http://127.0.0.1:TARGET_PORT, with the Authorization header, and passes
// back status, body, Content-Type, Retry-After and the RateLimit headers.
class RecordingProxy {
 public:
  explicit RecordingProxy(int target_port);
  ~RecordingProxy();

  std::string url() const;       // http://127.0.0.1:PORT/graphql
  std::string rest_url() const;  // http://127.0.0.1:PORT/v2
  // Every exchange so far, in the order they were answered.
  std::vector<Exchange> exchanges() const;

 private:
  const int target_port_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex mu_;
  std::vector<Exchange> exchanges_;
};

// The port of a URL "http://127.0.0.1:PORT/graphql".
int PortOf(const std::string& url);

}  // namespace podform::harness

#endif  // PODFORM_TESTS_HARNESS_PROXY_H_
