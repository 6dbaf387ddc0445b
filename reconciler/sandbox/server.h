#ifndef PODFORM_RECONCILER_SANDBOX_SERVER_H_
#define PODFORM_RECONCILER_SANDBOX_SERVER_H_

// The sandbox over HTTP (cpp-httplib): every request is handed to a
// SandboxService and its answer relayed as is. An answer the service marks
// `dropped` is never sent: the connection is shut down instead, so the client
// sees the connection close without a response (curl: "Empty reply from
// server").

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "reconciler/sandbox/service.h"

namespace httplib {
class Server;
}

namespace podform::sandbox {

class SandboxServer {
 public:
  // `service` must outlive the server.
  explicit SandboxServer(SandboxService* service);
  ~SandboxServer();  // stops and joins a Start()ed server

  SandboxServer(const SandboxServer&) = delete;
  SandboxServer& operator=(const SandboxServer&) = delete;

  // Binds `host`:`port` (port 0: a free port, see port()). Also ignores
  // SIGPIPE process-wide, so writing to a connection the peer closed fails
  // instead of killing the process.
  // Errors: Unavailable "cannot listen on HOST:PORT" (address in use, bad
  // address, no permission).
  absl::Status Bind(const std::string& host, int port);

  // The bound port. REQUIRES: Bind succeeded.
  int port() const { return port_; }

  // Serves on this thread until Stop(). REQUIRES: Bind succeeded.
  void Serve();

  // Serves on a background thread; the destructor or Stop() ends it.
  void Start();

  // Stops serving (thread-safe, idempotent); joins the Start() thread.
  void Stop();

 private:
  SandboxService* service_;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  std::atomic<bool> serving_done_{false};
  int port_ = 0;
  int listening_socket_ = -1;  // set when httplib creates it
};

// Splits "HOST:PORT" ("[::1]:8787" for IPv6). InvalidArgument otherwise.
absl::Status ParseListenAddress(const std::string& address, std::string* host,
                                int* port);

}  // namespace podform::sandbox

#endif  // PODFORM_RECONCILER_SANDBOX_SERVER_H_
