#ifndef PODFORM_TESTS_HARNESS_PROXY_H_
#define PODFORM_TESTS_HARNESS_PROXY_H_

// An HTTP proxy on 127.0.0.1 between podform and `sandbox serve` that
// records every GraphQL request it forwards.

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
  std::string operation;     // the body's operationName ("" if none)
  nlohmann::json variables;  // the body's variables (null if none)
  double start = 0;          // when the proxy received it (Now())
  double end = 0;            // when the proxy answered it
  int status = 0;            // the HTTP status it answered
};

// Forwards POST /graphql to http://127.0.0.1:TARGET_PORT/graphql, with the
// Authorization header, and passes back status, body and Retry-After.
class RecordingProxy {
 public:
  explicit RecordingProxy(int target_port);
  ~RecordingProxy();

  std::string url() const;
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
