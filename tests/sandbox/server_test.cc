// The sandbox over real HTTP on 127.0.0.1, with libcurl: the in-process
// SandboxServer, and the built `podform sandbox serve` binary.

#include "reconciler/sandbox/server.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <regex>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/sandbox/limits.h"
#include "reconciler/util/file.h"
#include "tests/sandbox/sandbox_test_util.h"

namespace podform::sandbox {
namespace {

using nlohmann::json;
using testing::MakeTempDir;

constexpr char kCreate[] =
    R"({"query": "mutation { createNetworkVolume(input: {name: \"v\", size: 10, dataCenterId: \"EU-RO-1\"}) { id } }"})";
constexpr char kList[] =
    R"({"query": "{ myself { networkVolumes { id } } }"})";

struct CurlResult {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

size_t AppendHeader(char* data, size_t size, size_t n, void* out) {
  std::string line(data, size * n);
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    (*static_cast<std::map<std::string, std::string>*>(out))
        [absl::AsciiStrToLower(line.substr(0, colon))] =
            std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * n;
}

// One request; `auth` is the Authorization header ("" = none).
CurlResult Request(const std::string& url, const std::string& body,
                   const std::string& auth = "Bearer k",
                   const std::string& method = "POST") {
  CurlResult result;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 10000L);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  if (!auth.empty()) headers = curl_slist_append(headers, ("Authorization: " + auth).c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &result.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, AppendHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &result.headers);
  result.code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &result.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return result;
}

// A SandboxServer on 127.0.0.1 with a free port.
class Served {
 public:
  explicit Served(ServiceOptions options) {
    auto service = SandboxService::Create(std::move(options));
    EXPECT_TRUE(service.ok()) << service.status();
    service_ = std::move(service).value();
    server_ = std::make_unique<SandboxServer>(service_.get());
    absl::Status bound = server_->Bind("127.0.0.1", 0);
    EXPECT_TRUE(bound.ok()) << bound;
    server_->Start();
  }
  std::string url(const std::string& path = "/graphql") const {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }
  SandboxServer& server() { return *server_; }

 private:
  std::unique_ptr<SandboxService> service_;
  std::unique_ptr<SandboxServer> server_;
};

ServiceOptions Options(const std::string& data = "") {
  ServiceOptions options;
  options.data_path = data;
  options.faults.seed = 11;
  return options;
}

TEST(ServerTest, AnswersGraphqlOverHttp) {
  std::string path = MakeTempDir() + "/sandbox.json";
  Served s(Options(path));
  CurlResult r = Request(s.url(), kCreate);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.headers["content-type"], "application/json");
  std::string id = json::parse(r.body)["data"]["createNetworkVolume"]["id"];
  EXPECT_TRUE(std::regex_match(id, std::regex("[a-z0-9]{10}")));
  // ?api_key= works as well as the header.
  r = Request(s.url("/graphql?api_key=k"), kList, "");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"data":{"myself":{"networkVolumes":[{"id":")" + id +
                        R"("}]}}})");
  EXPECT_EQ(json::parse(testing::OnDisk(path))["networkVolumes"][0]["id"], id);
}

TEST(ServerTest, StatusCodes) {
  ServiceOptions options = Options();
  options.api_key = "secret";
  Served s(options);
  EXPECT_EQ(Request(s.url(), kList, "").status, 401);
  EXPECT_EQ(Request(s.url(), kList, "Bearer wrong").status, 401);
  EXPECT_EQ(Request(s.url("/graphql?api_key=wrong"), kList, "").status, 401);
  EXPECT_EQ(Request(s.url(), kList, "Bearer secret").status, 200);
  EXPECT_EQ(Request(s.url("/graphql?api_key=secret"), kList, "").status, 200);
  CurlResult bad = Request(s.url(), R"({"query": "{ myself { nope } }"})",
                           "Bearer secret");
  EXPECT_EQ(bad.status, 400);
  EXPECT_TRUE(json::parse(bad.body).contains("errors")) << bad.body;
  EXPECT_EQ(Request(s.url("/"), kList, "Bearer secret").status, 404);
  EXPECT_EQ(Request(s.url("/graphql/x"), kList, "Bearer secret").status, 404);
  CurlResult get = Request(s.url(), "", "Bearer secret", "GET");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.headers["allow"], "POST");
}

// Many clients connecting at once (an apply opens a connection per
// mutation) are all taken into the listen queue: none has its SYN dropped
// and waits a second to retry, as it would with httplib's backlog of 5.
TEST(ServerTest, ABurstOfConnectionsIsAcceptedWithoutRetries) {
  // The kernel caps the listen queue at net.core.somaxconn (4096 by
  // default since Linux 5.4); this needs 100.
  Served s(Options());
  constexpr int kClients = 100;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(s.server().port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<pollfd> clients;
  for (int i = 0; i < kClients; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    int r = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
    ASSERT_TRUE(r == 0 || errno == EINPROGRESS) << std::strerror(errno);
    clients.push_back({fd, POLLOUT, 0});
  }
  // A dropped SYN is sent again after 1 s: everything must connect well
  // before that.
  int connected = 0;
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(700);
  while (connected < kClients && std::chrono::steady_clock::now() < until) {
    ASSERT_GE(poll(clients.data(), clients.size(), 50), 0);
    for (pollfd& c : clients) {
      if (c.fd >= 0 && (c.revents & POLLOUT)) {
        int error = 0;
        socklen_t len = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &len);
        EXPECT_EQ(error, 0) << std::strerror(error);
        close(c.fd);
        c.fd = -1;  // poll ignores it from now on
        ++connected;
      }
    }
  }
  for (pollfd& c : clients) {
    if (c.fd >= 0) close(c.fd);
  }
  EXPECT_EQ(connected, kClients);
}

TEST(ServerTest, LatencyFlag) {
  ServiceOptions options = Options();
  options.faults.latency_ms = 80;
  Served s(options);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Request(s.url(), kList).status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start,
            std::chrono::milliseconds(80));
}

TEST(ServerTest, FailRateFlag) {
  std::string path = MakeTempDir() + "/sandbox.json";
  ServiceOptions options = Options(path);
  options.faults.fail_rate = 1.0;
  std::string before;
  {
    Served s(options);
    before = *ReadFile(path);
    for (int i = 0; i < 6; ++i) {
      CurlResult r = Request(s.url(), kCreate);
      EXPECT_TRUE(r.status == 502 || r.status == 503) << r.status;
    }
  }
  EXPECT_EQ(*ReadFile(path), before);
}

TEST(ServerTest, RateLimitFlag) {
  ServiceOptions options = Options();
  options.faults.rate_limit = 2;
  Served s(options);
  EXPECT_EQ(Request(s.url(), kList).status, 200);
  EXPECT_EQ(Request(s.url(), kList).status, 200);
  CurlResult limited = Request(s.url(), kList);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.headers["retry-after"], "1");
}

TEST(ServerTest, DropAfterCommitClosesTheConnectionButPersists) {
  std::string path = MakeTempDir() + "/sandbox.json";
  ServiceOptions options = Options(path);
  options.faults.drop_after_commit = 1.0;
  Served s(options);
  CurlResult dropped = Request(s.url(), kCreate);
  EXPECT_EQ(dropped.code, CURLE_GOT_NOTHING) << curl_easy_strerror(dropped.code);
  EXPECT_EQ(dropped.body, "");
  json volumes = json::parse(testing::OnDisk(path))["networkVolumes"];
  ASSERT_EQ(volumes.size(), 1u);
  // The server still serves; queries commit nothing and are answered.
  CurlResult listed = Request(s.url(), kList);
  ASSERT_EQ(listed.code, CURLE_OK);
  EXPECT_EQ(json::parse(listed.body)["data"]["myself"]["networkVolumes"],
            json({{{"id", volumes[0]["id"]}}}));
}

TEST(ServerTest, SameSeedSameIdsAndFaults) {
  auto run = [](uint64_t seed) {
    ServiceOptions options = Options(MakeTempDir() + "/sandbox.json");
    options.faults.seed = seed;
    options.faults.fail_rate = 0.5;
    Served s(options);
    std::string trace;
    for (int i = 0; i < 12; ++i) {
      CurlResult r = Request(s.url(), kCreate);
      trace += std::to_string(r.status) + ":";
      if (r.status == 200) {
        trace += json::parse(r.body)["data"]["createNetworkVolume"]["id"]
                     .get<std::string>();
      }
      trace += " ";
    }
    return trace;
  };
  std::string a = run(5);
  EXPECT_EQ(a, run(5));
  EXPECT_NE(a, run(6));
  EXPECT_TRUE(absl::StrContains(a, "200:")) << a;
  EXPECT_TRUE(absl::StrContains(a, "50")) << a;
}

TEST(ServerTest, BindFailureIsUnavailable) {
  Served first(Options());
  auto service = SandboxService::Create(Options());
  ASSERT_TRUE(service.ok());
  SandboxServer second(service->get());
  absl::Status status = second.Bind("127.0.0.1", first.server().port());
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(absl::StartsWith(status.message(),
                               "cannot listen on 127.0.0.1:" +
                                   std::to_string(first.server().port())))
      << status;
}

TEST(ListenAddressTest, Parses) {
  std::string host;
  int port = -1;
  ASSERT_TRUE(ParseListenAddress("127.0.0.1:0", &host, &port).ok());
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(ParseListenAddress("[::1]:8787", &host, &port).ok());
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 8787);
  absl::Status bad = ParseListenAddress("localhost", &host, &port);
  EXPECT_EQ(bad.message(),
            "--listen localhost: expected HOST:PORT, e.g. 127.0.0.1:8787");
  EXPECT_FALSE(ParseListenAddress("h:70000", &host, &port).ok());
  EXPECT_FALSE(ParseListenAddress(":80", &host, &port).ok());
}

// ------------------------------------------------ podform sandbox serve

// The binary, run with `args`; its stdout is a pipe.
class Process {
 public:
  explicit Process(std::vector<std::string> args) {
    int fds[2];
    EXPECT_EQ(pipe(fds), 0);
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      close(fds[0]);
      close(fds[1]);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }
  ~Process() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  // The first line of stdout, waiting at most 10 s ("" on timeout/EOF).
  std::string FirstLine() {
    std::string line;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      char c;
      if (read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line += c;
    }
    return line;
  }

  // Sends `signal` and returns the exit status (waitpid's).
  int Signal(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

  int Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
};

// "http://HOST:PORT/graphql" from serve's first line "listening on
// http://HOST:PORT (REST v2 at /v2, GraphQL at /graphql)".
std::string GraphqlUrl(const std::string& line) {
  std::string url = line.substr(std::string("listening on ").size());
  return url.substr(0, url.find(' ')) + "/graphql";
}

TEST(ServeCommandTest, PrintsItsAddressServesAndExitsCleanlyOnSigterm) {
  std::string dir = MakeTempDir();
  Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
             "--data", dir + "/data/sandbox.json", "--api-key", "secret",
             "--seed", "3"});
  std::string line = p.FirstLine();
  std::smatch m;
  ASSERT_TRUE(std::regex_match(
      line, m,
      std::regex(R"(listening on http://127\.0\.0\.1:(\d+) \(REST v2 at /v2, GraphQL at /graphql\))")))
      << line;
  std::string url = "http://127.0.0.1:" + m[1].str() + "/graphql";
  EXPECT_NE(m[1].str(), "0");
  EXPECT_EQ(Request(url, kList, "Bearer nope").status, 401);
  CurlResult created = Request(url, kCreate, "Bearer secret");
  EXPECT_EQ(created.status, 200) << created.body;
  int status = p.Signal(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  json file = json::parse(*ReadFile(dir + "/data/sandbox.json"));
  EXPECT_EQ(file["networkVolumes"][0]["id"],
            json::parse(created.body)["data"]["createNetworkVolume"]["id"]);
}

TEST(ServeCommandTest, SigintAlsoStopsItAndTheStateSurvives) {
  std::string data = MakeTempDir() + "/sandbox.json";
  std::string id;
  {
    Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
               "--data", data});
    std::string url = GraphqlUrl(p.FirstLine());
    CurlResult created = Request(url, kCreate);
    id = json::parse(created.body)["data"]["createNetworkVolume"]["id"];
    int status = p.Signal(SIGINT);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
             "--data", data, "--fail-rate", "0", "--latency-ms", "1",
             "--rate-limit", "100", "--drop-after-commit", "0"});
  std::string url = GraphqlUrl(p.FirstLine());
  EXPECT_EQ(Request(url, kList).body,
            R"({"data":{"myself":{"networkVolumes":[{"id":")" + id +
                R"("}]}}})");
  EXPECT_EQ(WEXITSTATUS(p.Signal(SIGTERM)), 0);
}

TEST(ServeCommandTest, ACorruptDataFileIsAnError) {
  std::string data = MakeTempDir() + "/sandbox.json";
  ASSERT_TRUE(WriteFileAtomically(data, "{oops").ok());
  Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
             "--data", data});
  EXPECT_EQ(p.FirstLine(), "");
  int status = p.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(*ReadFile(data), "{oops");
}


// REST v2 on the same port: the query string reaches the service, answers
// keep their content type and headers.
TEST(ServerTest, AnswersRestV2OverHttp) {
  ServiceOptions options = Options();
  options.faults.rate_limit = 100;
  Served s(options);
  CurlResult r = Request(s.url("/v2/network-volumes"),
                         R"({"name":"v","size":10,"dataCenter":"EU-RO-1"})");
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["ratelimit-policy"], R"("second";q=100;w=1)");
  r = Request(s.url("/v2/pods?limit=0"), "", "Bearer k", "GET");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  EXPECT_EQ(json::parse(r.body)["errors"],
            json({"limit: must be between 1 and 1000"}));
  r = Request(s.url("/v2/network-volumes"), "", "", "GET");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.headers.count("ratelimit"), 0u);
  r = Request(s.url("/graphql"), kList);
  EXPECT_EQ(json::parse(r.body)["data"]["myself"]["networkVolumes"].size(),
            1u);
}

// A body over the server's limit is refused from its Content-Length,
// before authentication, with the API's own error shape.
TEST(ServerTest, OversizedBodiesAre413BeforeAuthentication) {
  ServiceOptions options = Options();
  options.api_key = "secret";
  Served s(options);
  std::string huge(kMaxBodyBytes + 1, ' ');
  CurlResult r = Request(s.url("/v2/network-volumes"), huge, "");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  EXPECT_EQ(r.body,
            R"({"title":"Content Too Large","status":413,"detail":"The request body exceeds the 102400 byte limit."})");
  r = Request(s.url("/graphql"), huge, "");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(json::parse(r.body)["errors"][0]["extensions"]["code"],
            "PAYLOAD_TOO_LARGE");
  // Between RunPod's REST limit and the server's: refused by the service.
  r = Request(s.url("/v2/network-volumes"),
              std::string(kMaxRestBodyBytes + 1, ' '), "");
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
}

// Idle connections (opened, nothing sent) hold a server thread each until
// they time out; a hundred of them must not delay another client.
TEST(ServerTest, IdleConnectionsDoNotStarveOthers) {
  Served s(Options());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(s.server().port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::vector<int> idle;
  for (int i = 0; i < 100; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address),
              0)
        << std::strerror(errno);
    idle.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const auto start = std::chrono::steady_clock::now();
  CurlResult r = Request(s.url(), kList);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 200);
  EXPECT_LT(took, std::chrono::milliseconds(1000));
  for (int fd : idle) close(fd);
}

// Regression: a JSON body nested 55,000 levels deep inside `variables`
// killed `sandbox serve` with SIGSEGV. It is a 400 now, and the server goes
// on answering.
TEST(ServeCommandTest, DeeplyNestedVariablesDoNotCrashTheServer) {
  std::string dir = MakeTempDir();
  Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
             "--data", dir + "/sandbox.json"});
  std::string url = GraphqlUrl(p.FirstLine());
  std::string body =
      R"({"query": "query Q($v: String) { myself { id } }", "variables": {"v": )" +
      std::string(55000, '[') + std::string(55000, ']') + "}}";
  CurlResult r = Request(url, body);
  ASSERT_EQ(r.code, CURLE_OK) << curl_easy_strerror(r.code);
  EXPECT_EQ(r.status, 400);
  std::string rest = url.substr(0, url.size() - std::string("/graphql").size());
  r = Request(rest + "/v2/network-volumes",
              R"({"name": )" + std::string(50000, '[') +
                  std::string(50000, ']') + "}");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Request(url, kList).status, 200);
  int status = p.Signal(SIGTERM);
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(ServeCommandTest, RestFlags) {
  std::string dir = MakeTempDir();
  Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
             "--data", dir + "/sandbox.json", "--rate-limit", "1/min",
             "--provision-ms", "60000"});
  std::string url = GraphqlUrl(p.FirstLine());
  std::string rest = url.substr(0, url.size() - std::string("/graphql").size());
  CurlResult r = Request(
      rest + "/v2/pods",
      R"({"name":"p","image":"i","gpu":{"id":"NVIDIA RTX A6000"}})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body)["status"], "PROVISIONING");
  EXPECT_EQ(r.headers["ratelimit-policy"], R"("minute";q=1;w=60)");
  r = Request(rest + "/v2/pods", "", "Bearer k", "GET");
  EXPECT_EQ(r.status, 429);
  EXPECT_EQ(r.headers["retry-after"], "60");
  EXPECT_EQ(WEXITSTATUS(p.Signal(SIGTERM)), 0);
}

TEST(ServeCommandTest, ABadRateLimitIsAnError) {
  Process p({PODFORM_BINARY, "sandbox", "serve", "--listen", "127.0.0.1:0",
             "--data", MakeTempDir() + "/sandbox.json", "--rate-limit",
             "5/h"});
  int status = p.Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

}  // namespace
}  // namespace podform::sandbox
