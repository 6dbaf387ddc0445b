// Refresh cost: the HTTP requests that one `podform plan` sends, counted at
// the server side by a counting proxy in front of `sandbox serve`, for
// configs of 10 and of 10,000 resources, with the sandbox holding all of
// them and none.
//
//   bench_refresh_requests --podform=PATH [--work=DIR] [--sizes=10,10000]

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "bench/bench_util.h"
#include "bench/workload.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace podform::bench {
namespace {

// Forwards every request to the sandbox and counts them by GraphQL
// operationName.
class CountingProxy {
 public:
  explicit CountingProxy(int upstream_port) : upstream_port_(upstream_port) {
    server_.Post(".*", [this](const httplib::Request& req,
                              httplib::Response& res) {
      std::string operation = "(none)";
      nlohmann::json body =
          nlohmann::json::parse(req.body, nullptr, /*allow_exceptions=*/false);
      if (body.is_object() && body.contains("operationName") &&
          body["operationName"].is_string()) {
        operation = body["operationName"].get<std::string>();
      }
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++counts_[operation];
      }
      httplib::Client upstream("127.0.0.1", upstream_port_);
      upstream.set_read_timeout(120, 0);
      httplib::Headers headers;
      if (req.has_header("Authorization")) {
        headers.emplace("Authorization", req.get_header_value("Authorization"));
      }
      auto answer =
          upstream.Post(req.path, headers, req.body, "application/json");
      if (!answer) {
        res.status = 502;
        return;
      }
      res.status = answer->status;
      res.set_content(answer->body, "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  ~CountingProxy() {
    server_.stop();
    thread_.join();
  }

  std::string url() const {
    return absl::StrCat("http://127.0.0.1:", port_, "/graphql");
  }

  std::map<std::string, int> TakeCounts() {
    std::lock_guard<std::mutex> lock(mu_);
    return std::move(counts_);
  }

 private:
  const int upstream_port_;
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::map<std::string, int> counts_;
};

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "10,10000");

  std::printf("\n## Refresh cost: requests sent by one `podform plan`\n\n");
  std::printf("| resources | sandbox holds | requests | by operation |\n");
  std::printf("|---:|---|---:|---|\n");
  for (int n : sizes) {
    for (bool holding : {true, false}) {
      const std::string dir =
          absl::StrCat(work, "/requests-", n, "-", holding ? "all" : "none");
      absl::StatusOr<Workload> w = WriteWorkload(dir, n, holding);
      if (!w.ok()) Die(std::string(w.status().message()));
      ServedSandbox server(podform, w->sandbox);
      CountingProxy proxy(server.port());
      ProcessResult r = RunProcess(
          {podform, "--file=" + w->config, "--endpoint=" + proxy.url(),
           "--no-color", "plan", "--detailed-exitcode"},
          {"RUNPOD_API_KEY=bench"}, dir + "/plan.out", dir + "/plan.err");
      if (r.exit_code != (holding ? 0 : 2)) {
        Die(absl::StrCat("plan exited ", r.exit_code, "; see ", dir,
                         "/plan.err"));
      }
      int total = 0;
      std::string detail;
      for (const auto& [operation, count] : proxy.TakeCounts()) {
        total += count;
        absl::StrAppend(&detail, detail.empty() ? "" : ", ", operation, " ",
                        count);
      }
      std::printf("| %d | %s | %d | %s |\n", w->resources,
                  holding ? "all (no-op)" : "none (creates)", total,
                  detail.c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
