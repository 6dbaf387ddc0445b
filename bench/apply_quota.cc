// Apply under a quota: `podform apply --auto-approve` of N creates (N/2
// volumes, then N/2 pods mounting them) over REST v2 against `sandbox serve
// --rate-limit Q/min` (fixed windows of 60 s per API key, counted from the
// key's first request; beyond the quota, HTTP 429 with Retry-After), through
// a proxy that counts the requests and the answers by status. podform paces
// itself by the RateLimit headers of each answer (reconciler/client/
// pacer.h); the target is no 429 at all.
//
// The time the quota allows for R requests is 60 s * floor((R - 1) / Q):
// the R-th request cannot go out before the window it falls in opens. The
// fewest requests such an apply can send are its refresh (the volume and
// the pod listing: 2), one per create, and one listing that shows the pods
// RUNNING (2): N + 4. Beside it, the same apply with no quota (how long the
// requests themselves take) and the time the quota allows for the requests
// podform actually sent.
//
//   bench_apply_quota --podform=PATH [--work=DIR] [--resources=1000]
//                     [--quota-per-min=600] [--latency-ms=0]
//                     [--provision-ms=500]

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"

namespace podform::bench {
namespace {

struct QuotaRun {
  ProcessResult process;
  int requests = 0;
  int too_many = 0;  // 429 answers
  std::string by_status;
};

QuotaRun RunApply(const std::string& podform, const std::string& dir,
                  int resources, int quota_per_min, int latency_ms,
                  int provision_ms) {
  absl::StatusOr<Workload> w = WriteWorkload(dir, resources, false);
  if (!w.ok()) Die(std::string(w.status().message()));
  std::vector<std::string> serve = {
      "--latency-ms",   absl::StrCat(latency_ms),
      "--provision-ms", absl::StrCat(provision_ms),
      "--seed",         "7"};
  if (quota_per_min > 0) {
    serve.push_back("--rate-limit");
    serve.push_back(absl::StrCat(quota_per_min, "/min"));
  }
  QuotaRun run;
  {
    ServedSandbox server(podform, w->sandbox, serve);
    CountingProxy proxy(server.port());
    run.process = RunProcess(
        {podform, "--file=" + w->config, "--endpoint=" + proxy.url("rest"),
         "--api=rest", "--no-color", "apply", "--auto-approve"},
        {"RUNPOD_API_KEY=bench"}, dir + "/apply.out", dir + "/apply.err");
    if (run.process.exit_code != 0) {
      Die(absl::StrCat("apply exited ", run.process.exit_code, "; see ", dir,
                       "/apply.err"));
    }
    for (const auto& [status, count] : proxy.TakeStatuses()) {
      run.requests += count;
      if (status == 429) run.too_many += count;
      absl::StrAppend(&run.by_status, run.by_status.empty() ? "" : ", ", status,
                      ": ", count);
    }
    // Everything was created: the next plan is a no-op (through the same
    // proxy, as the lock file names it; not counted above).
    ProcessResult check = RunProcess(
        {podform, "--file=" + w->config, "--endpoint=" + proxy.url("rest"),
         "--api=rest", "--no-color", "plan", "--detailed-exitcode"},
        {"RUNPOD_API_KEY=bench"}, dir + "/plan.out", dir + "/plan.err");
    if (check.exit_code != 0) {
      Die(absl::StrCat("the plan after apply is not a no-op (exit ",
                       check.exit_code, "); see ", dir, "/plan.out"));
    }
  }
  return run;
}

double QuotaSeconds(int requests, int quota_per_min) {
  return 60.0 * ((requests - 1) / quota_per_min);
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const int resources = flags.Int("resources", 1000);
  const int quota = flags.Int("quota-per-min", 600);
  const int latency_ms = flags.Int("latency-ms", 0);
  const int provision_ms = flags.Int("provision-ms", 500);
  if (quota <= 0) Die("--quota-per-min: a positive number");

  QuotaRun unlimited = RunApply(podform, work + "/quota-none", resources, 0,
                                latency_ms, provision_ms);
  std::fprintf(stderr, "  apply with no quota: %.2f s\n",
               unlimited.process.wall_s);
  QuotaRun limited = RunApply(podform, work + "/quota", resources, quota,
                              latency_ms, provision_ms);

  const int fewest = resources + 4;
  const double allowed_s = QuotaSeconds(fewest, quota);
  std::printf(
      "\n## Apply under a quota, REST v2: %d creates, sandbox serve "
      "--rate-limit %d/min --latency-ms %d --provision-ms %d\n\n",
      resources, quota, latency_ms, provision_ms);
  std::printf(
      "| quota | wall s | requests | answers by status | 429 answers | time "
      "the quota allows s (%d requests) | wall / allowed | quota time for "
      "the requests sent s | peak RSS MB |\n",
      fewest);
  std::printf("|---|---:|---:|---|---:|---:|---:|---:|---:|\n");
  std::printf("| none | %.2f | %d | %s | %d | - | - | - | %.1f |\n",
              unlimited.process.wall_s, unlimited.requests,
              unlimited.by_status.c_str(), unlimited.too_many,
              Mb(unlimited.process.max_rss_kb));
  std::printf("| %d/min | %.2f | %d | %s | %d | %.0f | %.2fx | %.0f | %.1f |\n",
              quota, limited.process.wall_s, limited.requests,
              limited.by_status.c_str(), limited.too_many, allowed_s,
              allowed_s > 0 ? limited.process.wall_s / allowed_s : 0.0,
              QuotaSeconds(limited.requests, quota),
              Mb(limited.process.max_rss_kb));
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
