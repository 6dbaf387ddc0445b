#ifndef PODFORM_TESTS_HARNESS_SANDBOX_H_
#define PODFORM_TESTS_HARNESS_SANDBOX_H_

// `podform sandbox serve` (PODFORM_BINARY) on 127.0.0.1 for the tests, and
// what it holds read back over GraphQL with libcurl. Nothing here contacts a
// non-loopback address.

#include <memory>
#include <string>
#include <vector>

#include "nlohmann/json_fwd.hpp"
#include "tests/harness/process.h"

namespace podform::harness {

// `podform sandbox serve --listen 127.0.0.1:0 --data DATA [flags]`.
class Sandbox {
 public:
  // Starts it and waits (at most 30 s) for its first line ("listening on
  // http://127.0.0.1:PORT (REST v2 at /v2, GraphQL at /graphql)"); url()
  // is then its GraphQL URL. Its stdout and stderr go to DATA.stdout and
  // DATA.stderr; its HOME is DATA's directory (created if need be).
  // GraphQL() authenticates with `api_key`, which the server checks only when
  // `flags` hold --api-key. Fails the test and returns null when it does not
  // come up.
  static std::unique_ptr<Sandbox> Start(const std::string& data_path,
                                        const std::vector<std::string>& flags,
                                        const std::string& api_key);
  ~Sandbox();  // SIGKILL if Stop() was not called
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  const std::string& url() const { return url_; }
  const std::string& data_path() const { return data_path_; }
  // False once Stop() was called.
  bool running() const { return process_ != nullptr; }

  // SIGTERM, then waits (at most 20 s); returns the exit code (-1 on a signal
  // death or when already stopped). Fails the test, with the server's
  // stderr, unless it exited 0.
  int Stop();

  // POSTs {"query": document} with the API key; the parsed body. HTTP 429,
  // 502 and 503 (fault flags: nothing was done) are sent again. Fails the
  // test and returns null on a transport error, another non-200 answer or a
  // body that is not JSON.
  nlohmann::json GraphQL(const std::string& document) const;

  // Every network volume and pod of the account: {"networkVolumes": [{id
  // name size dataCenterId}], "pods": [{id name imageName gpuCount
  // desiredStatus networkVolumeId volumeMountPath containerDiskInGb env ports
  // machine{gpuDisplayName}}]}.
  nlohmann::json Live() const;

 private:
  Sandbox() = default;
  std::unique_ptr<Process> process_;
  std::string url_, data_path_, api_key_;
};

}  // namespace podform::harness

#endif  // PODFORM_TESTS_HARNESS_SANDBOX_H_
