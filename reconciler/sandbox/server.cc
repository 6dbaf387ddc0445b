#include "reconciler/sandbox/server.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "reconciler/sandbox/limits.h"
#include "reconciler/sandbox/rest_api.h"

namespace podform::sandbox {
namespace {

// The port of a socket address, or -1 when it is not an IP address.
int PortOf(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return -1;
}

// Shuts down the TCP connection that carried `request`, so that nothing
// more is sent on it: httplib's attempt to write the response then fails
// and it closes the socket, and the client sees the connection end without
// a response.
//
// cpp-httplib 0.11.4 does not expose a request's socket to handlers (and its
// per-connection hook is private), so the socket is found among this
// process's open descriptors by its address pair: a TCP socket whose local
// port is the server's and whose peer port is the client's. While the
// handler runs, httplib keeps that descriptor open, so it cannot be reused
// for another connection and the match is unique.
bool ShutdownConnection(const httplib::Request& request) {
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return false;
  bool found = false;
  while (dirent* entry = readdir(fds)) {
    int fd = 0;
    if (!absl::SimpleAtoi(entry->d_name, &fd) || fd == dirfd(fds)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;  // not a connected socket
    }
    if (PortOf(local) == request.local_port &&
        PortOf(peer) == request.remote_port) {
      shutdown(fd, SHUT_RDWR);
      found = true;
      break;
    }
  }
  closedir(fds);
  return found;
}

SandboxRequest ToSandboxRequest(const httplib::Request& req) {
  SandboxRequest out;
  out.method = req.method;
  out.path = req.path;
  out.body = req.body;
  size_t question = req.target.find('?');
  if (question != std::string::npos) out.query = req.target.substr(question + 1);
  out.authorization = req.get_header_value("Authorization");
  out.api_key_param = req.get_param_value("api_key");
  return out;
}

// Connections served at once (see the constructor).
constexpr size_t kThreads = 128;
// How long a connection may stay idle (before or between requests) and how
// long a request may take to arrive, in seconds.
constexpr time_t kIdleSeconds = 2;

}  // namespace

absl::Status ParseListenAddress(const std::string& address, std::string* host,
                                int* port) {
  size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 ||
      *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--listen ", address, ": expected HOST:PORT, e.g. 127.0.0.1:8787"));
  }
  *host = address.substr(0, colon);
  if (host->size() >= 2 && host->front() == '[' && host->back() == ']') {
    *host = host->substr(1, host->size() - 2);
  }
  return absl::OkStatus();
}

SandboxServer::SandboxServer(SandboxService* service)
    : service_(service), http_(std::make_unique<httplib::Server>()) {
  auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    SandboxResponse response = service_->Handle(ToSandboxRequest(req));
    if (response.dropped) {
      ShutdownConnection(req);
      // Should the socket not be found, the answer is still withheld: an
      // empty 500 tells the client nothing about the committed mutation.
      res.status = 500;
      return;
    }
    res.status = response.status;
    for (const auto& [name, value] : response.headers) {
      res.set_header(name, value);
    }
    if (response.body.empty()) {
      res.set_content(response.body, response.content_type.c_str());
      return;
    }
    // Sent uncompressed. httplib compresses a body given to set_content
    // whenever the client accepts it, and with Brotli at its slowest,
    // strongest quality when "br" is offered (libcurl offers it): 3.5 s for
    // the list of 10,000 resources, against 0.1 s to send it as is over
    // loopback. A content provider of known length is never compressed.
    auto body = std::make_shared<std::string>(std::move(response.body));
    res.set_content_provider(
        body->size(), response.content_type.c_str(),
        [body](size_t offset, size_t length, httplib::DataSink& sink) {
          sink.write(body->data() + offset, length);
          return true;
        });
  };
  // RunPod answers many requests at once. httplib serves each connection on
  // a pool thread, which a kept-alive connection holds while idle (up to 5
  // s); its default pool of 8 threads would cap the requests in flight,
  // and with them the delay that --latency-ms adds, at 8, and let 8 idle
  // connections stall every other client for seconds.
  http_->new_task_queue = [] { return new httplib::ThreadPool(kThreads); };
  // An idle connection holds its thread until it times out: short
  // timeouts and the large pool keep a few dozen idle (or slow) clients
  // from starving the others.
  http_->set_keep_alive_timeout(kIdleSeconds);
  http_->set_read_timeout(kIdleSeconds, 0);
  // A body larger than the largest the service takes is refused from its
  // Content-Length, before it is stored and before authentication; the
  // service refuses a REST v2 body over RunPod's smaller limit the same way
  // (limits.h).
  http_->set_payload_max_length(kMaxBodyBytes);
  httplib::Server::HandlerWithResponse too_large = [](const httplib::Request&
                                                           req,
                                                       httplib::Response& res) {
    if (res.status != 413 || res.has_header("Content-Type")) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    SandboxResponse response;
    if (req.path == "/v2" || req.path.rfind("/v2/", 0) == 0) {
      response = Problem(413, absl::StrCat("The request body exceeds the ",
                                           kMaxRestBodyBytes, " byte limit."));
    } else {
      response.content_type = "application/json";
      response.body = absl::StrCat(
          R"({"errors":[{"message":"The request body exceeds the )",
          kMaxGraphqlBodyBytes,
          R"( byte limit.","extensions":{"code":"PAYLOAD_TOO_LARGE"}}]})");
    }
    res.set_content(response.body, response.content_type.c_str());
    return httplib::Server::HandlerResponse::Handled;
  };
  http_->set_error_handler(std::move(too_large));
  // An answer is written in pieces (headers, then body); with Nagle's
  // algorithm the last piece waits for the client's delayed ACK, adding
  // 40 ms to every request on a kept-alive connection.
  http_->set_tcp_nodelay(true);
  // httplib's default socket options add SO_REUSEPORT, which would let a
  // second server bind a port that one already listens on and share its
  // connections. Only SO_REUSEADDR (quick restarts on the same port) is
  // wanted: binding a busy port must fail.
  http_->set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening_socket_ = sock;
  });
  // Every method and path goes to the service, which answers 404/405.
  const std::string any = ".*";
  http_->Get(any, handler);
  http_->Post(any, handler);
  http_->Put(any, handler);
  http_->Patch(any, handler);
  http_->Delete(any, handler);
  http_->Options(any, handler);
}

SandboxServer::~SandboxServer() { Stop(); }

absl::Status SandboxServer::Bind(const std::string& host, int port) {
  signal(SIGPIPE, SIG_IGN);
  errno = 0;
  bool bound = false;
  if (port == 0) {
    port_ = http_->bind_to_any_port(host);
    bound = port_ > 0;
  } else if (http_->bind_to_port(host, port)) {
    port_ = port;
    bound = true;
  }
  if (bound) {
    // httplib (its compiled library) listens with a backlog of 5: when more
    // clients connect at once than its accept loop has taken, as an apply
    // does (a connection per mutation), the kernel drops the extra SYNs and
    // each of those clients waits a second before trying again. listen()
    // again on the same socket sets a larger backlog.
    if (listening_socket_ >= 0) ::listen(listening_socket_, SOMAXCONN);
    return absl::OkStatus();
  }
  int error = errno;
  return absl::UnavailableError(
      absl::StrCat("cannot listen on ", host, ":", port,
                   error != 0 ? absl::StrCat(": ", std::strerror(error)) : ""));
}

void SandboxServer::Serve() { http_->listen_after_bind(); }

void SandboxServer::Start() {
  serving_done_ = false;
  thread_ = std::thread([this] {
    Serve();
    serving_done_ = true;
  });
  // httplib's stop() does nothing until the accept loop runs, so wait for it
  // (or for it to fail) before returning.
  while (!http_->is_running() && !serving_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

void SandboxServer::Stop() {
  http_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace podform::sandbox
