// Refresh cost: the HTTP requests that one `podform plan` sends, counted at
// the server side by a counting proxy in front of `sandbox serve`, for
// configs of 10 and of 10,000 resources, with the sandbox holding all of
// them and none, for each API (REST v2 lists network volumes in one
// request, and pods and serverless endpoints in pages of up to 1,000,
// following pagination.nextCursor; GraphQL asks one Refresh query).
//
//   bench_refresh_requests --podform=PATH [--work=DIR] [--sizes=10,10000]
//                          [--apis=rest,graphql]

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

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "10,10000");
  const std::vector<std::string> apis =
      absl::StrSplit(flags.Get("apis", "rest,graphql"), ',');

  std::printf("\n## Refresh cost: requests sent by one `podform plan`\n\n");
  std::printf(
      "| resources | sandbox holds | API | requests | by operation |\n");
  std::printf("|---:|---|---|---:|---|\n");
  for (int n : sizes) {
    for (bool holding : {true, false}) {
      for (const std::string& api : apis) {
        const std::string dir =
            absl::StrCat(work, "/requests-", n, "-", holding ? "all" : "none");
        absl::StatusOr<Workload> w = WriteWorkload(dir, n, holding);
        if (!w.ok()) Die(std::string(w.status().message()));
        ServedSandbox server(podform, w->sandbox);
        CountingProxy proxy(server.port());
        ProcessResult r = RunProcess(
            {podform, "--file=" + w->config, "--endpoint=" + proxy.url(api),
             "--api=" + api, "--no-color", "plan", "--detailed-exitcode"},
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
        std::printf("| %d | %s | %s | %d | %s |\n", w->resources,
                    holding ? "all (no-op)" : "none (creates)", api.c_str(),
                    total, detail.c_str());
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
