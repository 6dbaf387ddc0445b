#ifndef PODFORM_BENCH_BENCH_UTIL_H_
#define PODFORM_BENCH_BENCH_UTIL_H_

// What the benchmarks share: running podform as a child process and reading
// its wall time and peak memory (fork/exec + wait4), serving a sandbox over
// loopback, timing a piece of code, and reading the command line.

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "httplib.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/file.h"

namespace podform::bench {

inline double Seconds() {
  return std::chrono::duration<double>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// Median wall time in seconds of `repeat` calls of `fn`.
inline double TimeMedian(int repeat, const std::function<void()>& fn) {
  std::vector<double> times;
  for (int i = 0; i < repeat; ++i) {
    double start = Seconds();
    fn();
    times.push_back(Seconds() - start);
  }
  return Median(times);
}

[[noreturn]] inline void Die(const std::string& message) {
  std::fprintf(stderr, "bench: %s\n", message.c_str());
  std::exit(1);
}

// --name=value flags; anything else is an error.
class Flags {
 public:
  Flags(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
      std::string arg = argv[i];
      size_t eq = arg.find('=');
      if (arg.rfind("--", 0) != 0 || eq == std::string::npos) {
        Die(absl::StrCat("expected --name=value, got ", arg));
      }
      values_[arg.substr(2, eq - 2)] = arg.substr(eq + 1);
    }
  }
  std::string Get(const std::string& name, const std::string& fallback) const {
    auto it = values_.find(name);
    return it == values_.end() ? fallback : it->second;
  }
  int Int(const std::string& name, int fallback) const {
    int value = fallback;
    std::string text = Get(name, "");
    if (!text.empty() && !absl::SimpleAtoi(text, &value)) {
      Die(absl::StrCat("--", name, ": not an integer: ", text));
    }
    return value;
  }
  std::vector<int> Ints(const std::string& name,
                        const std::string& fallback) const {
    std::vector<int> out;
    for (absl::string_view part : absl::StrSplit(Get(name, fallback), ',')) {
      int value = 0;
      if (!absl::SimpleAtoi(part, &value)) {
        Die(absl::StrCat("--", name, ": not a list of integers"));
      }
      out.push_back(value);
    }
    return out;
  }

 private:
  std::map<std::string, std::string> values_;
};

struct ProcessResult {
  int exit_code = -1;   // -1: killed by a signal
  double wall_s = 0;    // fork to reaped
  double cpu_s = 0;     // user + system
  long max_rss_kb = 0;  // peak resident set (wait4's ru_maxrss)
};

// Runs `argv` with `env` added to this process's environment, stdout to
// `out_path` and stderr to `err_path` ("" = /dev/null), and waits for it.
inline ProcessResult RunProcess(const std::vector<std::string>& argv,
                                const std::vector<std::string>& env = {},
                                const std::string& out_path = "",
                                const std::string& err_path = "") {
  double start = Seconds();
  pid_t pid = fork();
  if (pid < 0) Die("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark
    auto redirect = [](const std::string& path, int fd) {
      int to = open(path.empty() ? "/dev/null" : path.c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (to >= 0) dup2(to, fd);
    };
    redirect(out_path, STDOUT_FILENO);
    redirect(err_path, STDERR_FILENO);
    for (const std::string& e : env) putenv(const_cast<char*>(e.c_str()));
    std::vector<char*> args;
    for (const std::string& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  ProcessResult r;
  r.wall_s = Seconds() - start;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.cpu_s = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 +
            usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
  r.max_rss_kb = usage.ru_maxrss;
  return r;
}

// `podform sandbox serve` in a child process on a free loopback port, until
// destroyed (SIGTERM, then reaped).
class ServedSandbox {
 public:
  ServedSandbox(const std::string& podform, const std::string& data,
                const std::vector<std::string>& extra = {}) {
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0) Die("pipe failed");
    pid_ = fork();
    if (pid_ < 0) Die("fork failed");
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGTERM);  // never outlive the benchmark
      dup2(pipe_fds[1], STDOUT_FILENO);
      close(pipe_fds[0]);
      close(pipe_fds[1]);
      std::vector<std::string> argv = {podform,    "sandbox",     "serve",
                                       "--listen", "127.0.0.1:0", "--data",
                                       data};
      argv.insert(argv.end(), extra.begin(), extra.end());
      std::vector<char*> args;
      for (const std::string& a : argv) {
        args.push_back(const_cast<char*>(a.c_str()));
      }
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(pipe_fds[1]);
    // The first line is "listening on http://127.0.0.1:PORT (REST v2 at
    // /v2, GraphQL at /graphql)".
    std::string line;
    char c;
    while (read(pipe_fds[0], &c, 1) == 1 && c != '\n') line.push_back(c);
    stdout_fd_ = pipe_fds[0];
    const std::string prefix = "listening on ";
    if (line.rfind(prefix, 0) != 0) {
      Die(absl::StrCat("sandbox serve did not start: \"", line, "\""));
    }
    const std::string base = line.substr(
        prefix.size(), line.find(' ', prefix.size()) - prefix.size());
    base_ = base;
    port_ = std::atoi(base.substr(base.rfind(':') + 1).c_str());
  }

  ~ServedSandbox() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    close(stdout_fd_);
  }

  ServedSandbox(const ServedSandbox&) = delete;
  ServedSandbox& operator=(const ServedSandbox&) = delete;

  // The endpoint podform is given for `api` ("rest": BASE/v2, "graphql":
  // BASE/graphql).
  std::string url(const std::string& api = "graphql") const {
    return base_ + (api == "rest" ? "/v2" : "/graphql");
  }
  int port() const { return port_; }

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::string base_;
  int port_ = 0;
};

// POSTs a GraphQL document to the served sandbox; the response body.
inline std::string PostGraphQL(
    int port, const std::string& query,
    const nlohmann::json& variables = nlohmann::json::object()) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120, 0);
  nlohmann::json body = {{"query", query}, {"variables", variables}};
  httplib::Headers headers = {{"Authorization", "Bearer bench"}};
  auto res = client.Post("/graphql", headers, body.dump(), "application/json");
  if (!res || res->status != 200) Die("POST /graphql failed");
  return res->body;
}

// GETs `path` (e.g. "/v2/pods?limit=1000") from the served sandbox; the
// response body.
inline std::string GetRest(int port, const std::string& path,
                           const httplib::Params& params = {}) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120, 0);
  httplib::Headers headers = {{"Authorization", "Bearer bench"}};
  auto res = client.Get(path, params, headers);
  if (!res || res->status != 200) Die("GET " + path + " failed");
  return res->body;
}

// The answers of a REST v2 refresh, as podform's client asks for them
// (reconciler/client/rest_provider.cc): the network volumes in one answer,
// the pods in pages of up to 1,000 following pagination.nextCursor.
inline std::vector<std::string> RestListingPages(int port) {
  std::vector<std::string> pages = {GetRest(port, "/v2/network-volumes")};
  std::string cursor;
  for (;;) {
    httplib::Params params = {{"limit", "1000"}};
    if (!cursor.empty()) params.emplace("cursor", cursor);
    pages.push_back(GetRest(port, "/v2/pods", params));
    nlohmann::json page = nlohmann::json::parse(pages.back());
    const nlohmann::json& pagination = page.at("pagination");
    if (!pagination.value("hasNextPage", false)) return pages;
    cursor = pagination.at("nextCursor").get<std::string>();
  }
}

// An HTTP proxy in front of the served sandbox that forwards every request
// (any method, its Authorization and Content-Type, and the answer's
// RateLimit, RateLimit-Policy and Retry-After headers, which podform paces
// itself by) and counts the requests by what they ask and by the status of
// the answer. A GraphQL request is named by its operationName; a REST v2
// request by its method and path, with ids and the query left out
// ("GET /v2/pods", "POST /v2/pods/ID/action").
class CountingProxy {
 public:
  explicit CountingProxy(int upstream_port) : upstream_port_(upstream_port) {
    // As `sandbox serve`: a kept-alive idle connection holds a thread.
    server_.new_task_queue = [] { return new httplib::ThreadPool(64); };
    auto handler = [this](const httplib::Request& req, httplib::Response& res) {
      Forward(req, res);
    };
    server_.Get(".*", handler);
    server_.Post(".*", handler);
    server_.Patch(".*", handler);
    server_.Put(".*", handler);
    server_.Delete(".*", handler);
    // As `sandbox serve` (reconciler/sandbox/server.cc): no delayed last
    // segment, and a listen backlog larger than httplib's 5, so that a
    // burst of connections (apply opens one per mutation) is not dropped
    // and retried a second later.
    server_.set_tcp_nodelay(true);
    server_.set_socket_options([this](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listening_socket_ = sock;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (listening_socket_ >= 0) ::listen(listening_socket_, SOMAXCONN);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  ~CountingProxy() {
    server_.stop();
    thread_.join();
  }

  CountingProxy(const CountingProxy&) = delete;
  CountingProxy& operator=(const CountingProxy&) = delete;

  std::string url(const std::string& api = "graphql") const {
    return absl::StrCat("http://127.0.0.1:", port_,
                        api == "rest" ? "/v2" : "/graphql");
  }

  // Requests by name, and answers by HTTP status, since the last call.
  std::map<std::string, int> TakeCounts() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(counts_);
  }
  std::map<int, int> TakeStatuses() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(statuses_);
  }

 private:
  static std::string Name(const httplib::Request& req) {
    if (req.path.rfind("/graphql", 0) == 0) {
      nlohmann::json body = nlohmann::json::parse(req.body, nullptr,
                                                  /*allow_exceptions=*/false);
      if (body.is_object() && body.contains("operationName") &&
          body["operationName"].is_string()) {
        return body["operationName"].get<std::string>();
      }
      return "(none)";
    }
    // "/v2/pods/abc/action" -> "/v2/pods/ID/action".
    std::vector<std::string> parts = absl::StrSplit(req.path, '/');
    for (size_t i = 3; i < parts.size(); i += 2) parts[i] = "ID";
    return req.method + " " + absl::StrJoin(parts, "/");
  }

  void Forward(const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++counts_[Name(req)];
    }
    httplib::Client upstream("127.0.0.1", upstream_port_);
    upstream.set_read_timeout(120, 0);
    upstream.set_tcp_nodelay(true);
    httplib::Headers headers;
    for (const char* name : {"Authorization", "Content-Type"}) {
      if (req.has_header(name)) {
        headers.emplace(name, req.get_header_value(name));
      }
    }
    std::string target = req.target.empty() ? req.path : req.target;
    const std::string type = req.get_header_value("Content-Type");
    httplib::Result answer =
        req.method == "GET"    ? upstream.Get(target, headers)
        : req.method == "POST" ? upstream.Post(target, headers, req.body, type)
        : req.method == "PATCH"
            ? upstream.Patch(target, headers, req.body, type)
        : req.method == "PUT"
            ? upstream.Put(target, headers, req.body, type)
            : upstream.Delete(target, headers, req.body, type);
    int status = answer ? answer->status : 502;
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++statuses_[status];
    }
    if (!answer) {
      res.status = 502;
      return;
    }
    res.status = answer->status;
    for (const char* name : {"RateLimit", "RateLimit-Policy", "Retry-After"}) {
      if (answer->has_header(name)) {
        res.set_header(name, answer->get_header_value(name));
      }
    }
    if (!answer->body.empty()) {
      res.set_content(answer->body, answer->get_header_value("Content-Type"));
    }
  }

  const int upstream_port_;
  httplib::Server server_;
  std::thread thread_;
  int listening_socket_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, int> counts_;
  std::map<int, int> statuses_;
};

inline std::string MustRead(const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) Die(std::string(text.status().message()));
  return *text;
}

inline double Mb(long kb) { return kb / 1024.0; }

}  // namespace podform::bench

#endif  // PODFORM_BENCH_BENCH_UTIL_H_
