// CurlTransport against real HTTP servers on 127.0.0.1.

#include "reconciler/client/curl_transport.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace podform {
namespace {

constexpr char kKey[] = "rpa_DISTINCTIVE_KEY_8c1f2e";

// What the server saw of the last request.
struct Seen {
  std::mutex mutex;
  std::string authorization;
  std::string content_type;
  bool has_expect = false;
  bool has_authorization = false;
  std::string body;
  int requests = 0;
};

// An httplib server on 127.0.0.1:PORT running in a thread.
class LocalServer {
 public:
  explicit LocalServer(httplib::Server* server) : server_(server) {
    server_->set_keep_alive_timeout(1);
    port_ = server_->bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_->listen_after_bind(); });
  }
  ~LocalServer() {
    server_->stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::string url(const std::string& scheme = "http") const {
    return absl::StrCat(scheme, "://127.0.0.1:", port_, "/graphql");
  }

 private:
  httplib::Server* server_;
  int port_ = -1;
  std::thread thread_;
};

// A server whose POST /graphql holds its answer back until Release() (or
// for at most `hold`), counting the requests it received.
class HeldAnswerServer {
 public:
  explicit HeldAnswerServer(std::chrono::seconds hold) {
    server_.Post("/graphql",
                 [this, hold](const httplib::Request&, httplib::Response& res) {
                   received_++;
                   std::unique_lock<std::mutex> lock(mutex_);
                   cv_.wait_for(lock, hold, [&] { return release_; });
                   res.set_content("{}", "application/json");
                 });
    local_ = std::make_unique<LocalServer>(&server_);
  }
  ~HeldAnswerServer() {
    Release();
    local_.reset();
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      release_ = true;
    }
    cv_.notify_all();
  }
  std::string url() const { return local_->url(); }
  int received() const { return received_.load(); }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool release_ = false;
  std::atomic<int> received_{0};
  httplib::Server server_;
  std::unique_ptr<LocalServer> local_;
};

void Record(Seen& seen, const httplib::Request& request) {
  std::lock_guard<std::mutex> lock(seen.mutex);
  seen.has_authorization = request.has_header("Authorization");
  seen.authorization = request.get_header_value("Authorization");
  seen.content_type = request.get_header_value("Content-Type");
  seen.has_expect = request.has_header("Expect");
  seen.body = request.body;
  seen.requests++;
}

HttpRequest PostOf(std::string body, Replay replay) {
  HttpRequest request;
  request.body = std::move(body);
  request.replay = replay;
  return request;
}

std::unique_ptr<Transport> Make(const std::string& url,
                                const std::string& key = kKey,
                                CurlTransportOptions options = {}) {
  absl::StatusOr<std::unique_ptr<Transport>> transport =
      MakeCurlTransport(url, key, options);
  EXPECT_TRUE(transport.ok()) << transport.status();
  return transport.ok() ? std::move(*transport) : nullptr;
}

TEST(CurlTransportTest, PassesStatusBodyAndRetryAfterThrough) {
  Seen seen;
  httplib::Server server;
  server.Post("/graphql",
              [&](const httplib::Request& req, httplib::Response& res) {
                Record(seen, req);
                res.status = 429;
                res.set_header("Retry-After", "7");
                res.set_content("{\"errors\":[{\"message\":\"slow down\"}]}",
                                "application/json");
              });
  LocalServer local(&server);
  std::unique_ptr<Transport> transport = Make(local.url());
  absl::StatusOr<HttpResponse> response =
      transport->Send(PostOf(R"({"query":"query Refresh { myself { id } }"})", Replay::kHarmless));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(response->body, "{\"errors\":[{\"message\":\"slow down\"}]}");
  EXPECT_EQ(response->retry_after, "7");
  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_EQ(seen.authorization, absl::StrCat("Bearer ", kKey));
  EXPECT_EQ(seen.content_type, "application/json");
  EXPECT_EQ(seen.body, R"({"query":"query Refresh { myself { id } }"})");
}

// What a REST server saw of each request: "METHOD PATH?QUERY|content-type|
// user-agent|body".
TEST(CurlTransportTest, RestRequestsGoToBaseUrlPlusPathWithEachMethod) {
  std::mutex mutex;
  std::vector<std::string> seen;
  httplib::Server server;
  auto record = [&](const httplib::Request& req, httplib::Response& res) {
    std::string target = req.path;
    if (!req.params.empty()) {
      target += "?";
      bool first = true;
      for (const auto& [key, value] : req.params) {
        absl::StrAppend(&target, first ? "" : "&", key, "=", value);
        first = false;
      }
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      seen.push_back(absl::StrCat(
          req.method, " ", target, "|", req.get_header_value("Content-Type"),
          "|", req.get_header_value("User-Agent"), "|", req.body));
    }
    res.status = req.method == "DELETE" ? 204 : 200;
    res.set_header("RateLimit", "\"minute\";r=59;t=60");
    res.set_header("RateLimit-Policy", "\"minute\";q=60;w=60");
    if (res.status != 204) {
      res.set_content(R"({"ok":true})", "application/json");
    }
  };
  server.Get("/v2/pods", record);
  server.Patch("/v2/pods/p1", record);
  server.Delete("/v2/pods/p1", record);
  server.Post("/v2/pods/p1/action", record);
  LocalServer local(&server);
  std::unique_ptr<Transport> transport =
      Make(absl::StrCat("http://127.0.0.1:", local.port(), "/v2"));
  auto send = [&](std::string method, std::string path, std::string body,
                  Replay replay) {
    HttpRequest request;
    request.method = std::move(method);
    request.path = std::move(path);
    request.body = std::move(body);
    request.replay = replay;
    return transport->Send(request);
  };
  absl::StatusOr<HttpResponse> listed =
      send("GET", "/pods?limit=1000", "", Replay::kHarmless);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->status, 200);
  EXPECT_EQ(listed->body, R"({"ok":true})");
  EXPECT_EQ(listed->content_type, "application/json");
  EXPECT_EQ(listed->rate_limit, "\"minute\";r=59;t=60");
  EXPECT_EQ(listed->rate_limit_policy, "\"minute\";q=60;w=60");
  EXPECT_EQ(listed->retry_after, "");
  EXPECT_EQ(send("PATCH", "/pods/p1", R"({"image":"x"})", Replay::kForbidden)
                ->status,
            200);
  EXPECT_EQ(send("DELETE", "/pods/p1", "", Replay::kForbidden)->status, 204);
  EXPECT_EQ(send("POST", "/pods/p1/action", R"({"action":"stop"})",
                 Replay::kForbidden)
                ->status,
            200);
  std::string agent = DefaultUserAgent();
  EXPECT_THAT(agent, ::testing::MatchesRegex("podform/[0-9]+\\.[0-9]+\\.[0-9]+"));
  std::lock_guard<std::mutex> lock(mutex);
  EXPECT_THAT(
      seen,
      ::testing::ElementsAre(
          absl::StrCat("GET /v2/pods?limit=1000||", agent, "|"),
          absl::StrCat("PATCH /v2/pods/p1|application/json|", agent,
                       R"(|{"image":"x"})"),
          absl::StrCat("DELETE /v2/pods/p1||", agent, "|"),
          absl::StrCat("POST /v2/pods/p1/action|application/json|", agent,
                       R"(|{"action":"stop"})")));
}

TEST(CurlTransportTest, LargeBodiesGoWithoutExpectContinue) {
  Seen seen;
  httplib::Server server;
  server.Post("/graphql",
              [&](const httplib::Request& req, httplib::Response& res) {
                Record(seen, req);
                res.set_content(req.body, "application/json");
              });
  LocalServer local(&server);
  std::unique_ptr<Transport> transport = Make(local.url());
  std::string body(300'000, 'x');
  absl::StatusOr<HttpResponse> response =
      transport->Send(PostOf(body, Replay::kHarmless));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, body);
  EXPECT_EQ(response->retry_after, "");
  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_FALSE(seen.has_expect);
}

TEST(CurlTransportTest, EmptyBodyIsSentAsEmpty) {
  Seen seen;
  httplib::Server server;
  server.Post("/graphql",
              [&](const httplib::Request& req, httplib::Response& res) {
                Record(seen, req);
                res.status = 400;
              });
  LocalServer local(&server);
  std::unique_ptr<Transport> transport = Make(local.url());
  absl::StatusOr<HttpResponse> response =
      transport->Send(PostOf("", Replay::kHarmless));
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 400);
  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_EQ(seen.requests, 1);
  EXPECT_EQ(seen.body, "");
}

TEST(CurlTransportTest, NoKeyNoAuthorizationHeaderOnLoopback) {
  Seen seen;
  httplib::Server server;
  server.Post("/graphql",
              [&](const httplib::Request& req, httplib::Response& res) {
                Record(seen, req);
                res.set_content("{}", "application/json");
              });
  LocalServer local(&server);
  std::unique_ptr<Transport> transport = Make(local.url(), "  ");
  ASSERT_TRUE(transport->Send(PostOf("{}", Replay::kHarmless)).ok());
  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_FALSE(seen.has_authorization);
}

TEST(CurlTransportTest, KeyIsTrimmed) {
  Seen seen;
  httplib::Server server;
  server.Post("/graphql", [&](const httplib::Request& req,
                              httplib::Response& res) { Record(seen, req); });
  LocalServer local(&server);
  std::unique_ptr<Transport> transport =
      Make(local.url(), absl::StrCat(" ", kKey, "\n"));
  ASSERT_TRUE(transport->Send(PostOf("{}", Replay::kHarmless)).ok());
  std::lock_guard<std::mutex> lock(seen.mutex);
  EXPECT_EQ(seen.authorization, absl::StrCat("Bearer ", kKey));
}

TEST(CurlTransportTest, MakeCurlTransportChecks) {
  EXPECT_EQ(MakeCurlTransport("https://api.runpod.io/graphql", "").status(),
            absl::FailedPreconditionError("RUNPOD_API_KEY is not set"));
  EXPECT_EQ(MakeCurlTransport("https://api.runpod.io/graphql", "ab c").status(),
            absl::InvalidArgumentError(
                "RUNPOD_API_KEY contains whitespace or control characters"));
  EXPECT_EQ(
      MakeCurlTransport("https://api.runpod.io/graphql", "ab\r\nX-Evil: 1")
          .status(),
      absl::InvalidArgumentError(
          "RUNPOD_API_KEY contains whitespace or control characters"));
  EXPECT_EQ(MakeCurlTransport("http://example.com/graphql", kKey).status(),
            absl::InvalidArgumentError(
                "endpoint \"http://example.com/graphql\": plain http:// is "
                "allowed only to a loopback host (127.0.0.0/8, localhost, "
                "[::1]), because the API key would cross the network "
                "unencrypted; use https://"));
  EXPECT_EQ(MakeCurlTransport("gopher://127.0.0.1/", kKey).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// A port on 127.0.0.1 that is bound but not listening: connecting to it is
// refused.
class ClosedPort {
 public:
  ClosedPort() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~ClosedPort() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(CurlTransportTest, ConnectionRefusedIsUnavailable) {
  ClosedPort closed;
  std::string url = absl::StrCat("http://127.0.0.1:", closed.port(),
                                 "/graphql?api_key=", kKey);
  std::unique_ptr<Transport> transport = Make(url);
  absl::Status status =
      transport->Send(PostOf("{}", Replay::kHarmless)).status();
  EXPECT_EQ(status, absl::UnavailableError(absl::StrCat(
                        "POST http://127.0.0.1:", closed.port(),
                        "/graphql: Couldn't connect to server; nothing was "
                        "sent")));
  EXPECT_EQ(std::string(status.message()).find(kKey), std::string::npos);
}

TEST(CurlTransportTest, ErrorsNameTheMethodAndPath) {
  ClosedPort closed;
  std::unique_ptr<Transport> transport =
      Make(absl::StrCat("http://127.0.0.1:", closed.port(), "/v2/"));
  HttpRequest request;
  request.method = "DELETE";
  request.path = "/pods/p1?x=1";
  EXPECT_EQ(transport->Send(request).status(),
            absl::UnavailableError(absl::StrCat(
                "DELETE http://127.0.0.1:", closed.port(),
                "/v2/pods/p1: Couldn't connect to server; nothing was sent")));
}

TEST(CurlTransportTest, ServerSlowerThanTheTimeoutIsDeadlineExceeded) {
  HeldAnswerServer server(std::chrono::seconds(10));
  CurlTransportOptions options;
  options.timeout = absl::Milliseconds(300);
  std::unique_ptr<Transport> transport = Make(server.url(), kKey, options);
  absl::Status status =
      transport->Send(PostOf("{}", Replay::kHarmless)).status();
  server.Release();
  EXPECT_EQ(status,
            absl::DeadlineExceededError(absl::StrCat(
                "POST ", server.url(),
                ": Timeout was reached; the request was sent but no complete "
                "answer arrived, so its outcome is unknown")));
  EXPECT_EQ(server.received(), 1);
  transport.reset();
}

TEST(CurlTransportTest, AnAbandonedTransportSendsNothingAndCutsOffATransfer) {
  HeldAnswerServer server(std::chrono::seconds(30));
  auto abandon = std::make_shared<std::atomic<bool>>(false);
  CurlTransportOptions options;
  options.abandon = abandon;
  std::unique_ptr<Transport> transport = Make(server.url(), kKey, options);
  // Abandoned while the server holds the answer back (for up to 30 s).
  std::thread abandoner([&] {
    while (server.received() == 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    abandon->store(true);
  });
  const absl::Time start = absl::Now();
  absl::Status cut = transport->Send(PostOf("{}", Replay::kHarmless)).status();
  const absl::Duration took = absl::Now() - start;
  abandoner.join();
  EXPECT_EQ(cut, absl::CancelledError(absl::StrCat(
                     "POST ", server.url(),
                     ": abandoned, its answer no longer needed; the transfer "
                     "was cut off")));
  EXPECT_LT(took, absl::Seconds(10));
  // Once abandoned, nothing more is sent.
  absl::Status unsent =
      transport->Send(PostOf("{}", Replay::kHarmless)).status();
  EXPECT_EQ(unsent, absl::CancelledError(absl::StrCat(
                        "POST ", server.url(),
                        ": abandoned, its answer no longer needed; nothing "
                        "was sent")));
  EXPECT_EQ(server.received(), 1);
  transport.reset();
}

TEST(CurlTransportTest, OversizedResponseIsRefused) {
  httplib::Server server;
  server.Post("/graphql", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(5000, 'y'), "application/json");
  });
  LocalServer local(&server);
  CurlTransportOptions options;
  options.max_response_bytes = 1000;
  std::unique_ptr<Transport> transport = Make(local.url(), kKey, options);
  EXPECT_EQ(
      transport->Send(PostOf("{}", Replay::kHarmless)).status(),
      absl::InternalError(absl::StrCat(
          "POST ", local.url(), ": the response is larger than 1000 bytes")));
}

TEST(CurlTransportTest, ConcurrentPosts) {
  std::atomic<int> requests{0};
  httplib::Server server;
  server.Post("/graphql",
              [&](const httplib::Request& req, httplib::Response& res) {
                requests++;
                res.set_content(req.body, "application/json");
              });
  LocalServer local(&server);
  std::unique_ptr<Transport> transport = Make(local.url());
  constexpr int kThreads = 6;
  constexpr int kEach = 15;
  std::atomic<int> matched{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        std::string body = absl::StrCat("{\"n\":", t * 1000 + i, "}");
        absl::StatusOr<HttpResponse> r =
            transport->Send(PostOf(body, Replay::kHarmless));
        if (r.ok() && r->status == 200 && r->body == body) matched++;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(matched.load(), kThreads * kEach);
  EXPECT_EQ(requests.load(), kThreads * kEach);
}

// A raw HTTP/1.1 server on 127.0.0.1 that answers the first request it
// receives (keeping the connection open) and closes the connection on every
// later request without answering it: what a server that crashed or lost a
// connection after doing the work looks like to the client.
class AnswersOnlyTheFirstRequest {
 public:
  AnswersOnlyTheFirstRequest() {
    listener_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    listen(listener_, 8);
    thread_ = std::thread([this] { Serve(); });
  }
  ~AnswersOnlyTheFirstRequest() {
    shutdown(listener_, SHUT_RDWR);
    close(listener_);
    thread_.join();
  }
  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/graphql");
  }
  int requests() const { return requests_.load(); }

 private:
  void Serve() {
    std::vector<std::thread> connections;
    for (;;) {
      int connection = accept(listener_, nullptr, nullptr);
      if (connection < 0) break;
      connections.emplace_back([this, connection] { Converse(connection); });
    }
    for (std::thread& thread : connections) thread.join();
  }

  void Converse(int connection) {
    std::string buffer;
    for (;;) {
      size_t end = buffer.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length_at = buffer.find("Content-Length: ");
        size_t length =
            length_at < end ? std::stoul(buffer.substr(length_at + 16)) : 0;
        if (buffer.size() >= end + 4 + length) {
          buffer.erase(0, end + 4 + length);
          if (++requests_ > 1) break;  // closed unanswered
          std::string answer =
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
              "Content-Length: 2\r\n\r\n{}";
          if (write(connection, answer.data(), answer.size()) < 0) break;
          continue;
        }
      }
      char chunk[4096];
      ssize_t n = read(connection, chunk, sizeof(chunk));
      if (n <= 0) break;
      buffer.append(chunk, static_cast<size_t>(n));
    }
    close(connection);
  }

  int listener_ = -1;
  int port_ = 0;
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST(CurlTransportTest, AForbiddenReplayIsSentExactlyOnceWhenItsAnswerIsLost) {
  AnswersOnlyTheFirstRequest server;
  std::unique_ptr<Transport> transport = Make(server.url());
  ASSERT_EQ(transport->Send(PostOf("{}", Replay::kHarmless))->status, 200);
  // The kept-alive connection closes on the mutation without an answer; it
  // must not be sent again on a new connection behind podform's back.
  absl::Status lost =
      transport
          ->Send(PostOf(R"({"query":"mutation { x }"})", Replay::kForbidden))
          .status();
  EXPECT_EQ(lost.code(), absl::StatusCode::kDeadlineExceeded) << lost;
  EXPECT_EQ(server.requests(), 2);
}

TEST(CurlTransportTest, AHarmlessRequestMayBeReplayedByLibcurl) {
  // The behaviour the test above guards against: on a reused connection
  // that closes unanswered, libcurl sends the request a second time.
  AnswersOnlyTheFirstRequest server;
  std::unique_ptr<Transport> transport = Make(server.url());
  ASSERT_EQ(transport->Send(PostOf("{}", Replay::kHarmless))->status, 200);
  EXPECT_FALSE(transport->Send(PostOf("{}", Replay::kHarmless)).ok());
  EXPECT_EQ(server.requests(), 3);
}

// Writes a self-signed certificate for 127.0.0.1 and its key to files.
bool WriteSelfSignedCertificate(const std::string& cert_path,
                                const std::string& key_path) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return false;
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(
      name, "CN", MBSTRING_ASC,
      reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  bool ok = X509_sign(cert, key, EVP_sha256()) > 0;
  FILE* cert_file = fopen(cert_path.c_str(), "w");
  FILE* key_file = fopen(key_path.c_str(), "w");
  ok = ok && cert_file && key_file && PEM_write_X509(cert_file, cert) &&
       PEM_write_PrivateKey(key_file, key, nullptr, nullptr, 0, nullptr,
                            nullptr);
  if (cert_file) fclose(cert_file);
  if (key_file) fclose(key_file);
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

TEST(CurlTransportTest, UntrustedCertificateIsRefused) {
  std::string dir = ::testing::TempDir();
  std::string cert = absl::StrCat(dir, "/client_test_cert_", getpid(), ".pem");
  std::string key = absl::StrCat(dir, "/client_test_key_", getpid(), ".pem");
  ASSERT_TRUE(WriteSelfSignedCertificate(cert, key));
  std::atomic<int> requests{0};
  httplib::SSLServer server(cert.c_str(), key.c_str());
  ASSERT_TRUE(server.is_valid());
  server.Post("/graphql", [&](const httplib::Request&, httplib::Response& res) {
    requests++;
    res.set_content("{}", "application/json");
  });
  {
    LocalServer local(&server);
    std::unique_ptr<Transport> transport = Make(local.url("https"));
    absl::Status status =
        transport->Send(PostOf("{}", Replay::kHarmless)).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << status;
    EXPECT_THAT(std::string(status.message()),
                ::testing::StartsWith(
                    absl::StrCat("POST ", local.url("https"),
                                 ": TLS certificate verification failed")));
    EXPECT_EQ(std::string(status.message()).find(kKey), std::string::npos);
  }
  EXPECT_EQ(requests.load(), 0);  // the request (and key) never went out
  std::remove(cert.c_str());
  std::remove(key.c_str());
}

TEST(CurlTransportTest, CurlErrorClassification) {
  const std::string url = "POST https://api.runpod.io/graphql";
  EXPECT_EQ(CurlErrorToStatus(CURLE_COULDNT_RESOLVE_HOST, false, url, ""),
            absl::UnavailableError(
                "POST https://api.runpod.io/graphql: Couldn't resolve host "
                "name; nothing was sent"));
  // A connect timeout sent nothing; a timeout after sending is unknown.
  EXPECT_EQ(CurlErrorToStatus(CURLE_OPERATION_TIMEDOUT, false, url, "").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(CurlErrorToStatus(CURLE_OPERATION_TIMEDOUT, true, url, "").code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CurlErrorToStatus(CURLE_RECV_ERROR, true, url, "").code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CurlErrorToStatus(CURLE_GOT_NOTHING, true, url, "").code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CurlErrorToStatus(CURLE_SEND_ERROR, true, url, "").code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(CurlErrorToStatus(CURLE_SSL_CONNECT_ERROR, false, url, "").code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(CurlErrorToStatus(CURLE_PEER_FAILED_VERIFICATION, false, url,
                              "SSL certificate problem: unable to get local "
                              "issuer certificate"),
            absl::FailedPreconditionError(
                "POST https://api.runpod.io/graphql: TLS certificate "
                "verification failed: SSL certificate problem: unable to get "
                "local issuer certificate"));
  EXPECT_EQ(
      CurlErrorToStatus(CURLE_UNSUPPORTED_PROTOCOL, false, url, "").code(),
      absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace podform
