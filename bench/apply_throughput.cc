// Apply throughput: `podform apply --auto-approve --parallelism P` of N
// creates (N/2 volumes, then N/2 pods mounting them) against `sandbox
// serve --latency-ms L`, for several P, against the lower bound that the
// latency, the parallelism and the dependency waves impose:
//
//   bound(P) = L * (1 + ceil(volumes / P) + ceil(pods / P))
//
// The 1 is the refresh that every apply starts with; each create is one
// request (createNetworkVolume or podFindAndDeployOnDemand: the pods are
// running, so no podStop follows), and a pod can start only once its volume
// exists.
//
//   bench_apply_throughput --podform=PATH [--work=DIR] [--resources=1000]
//                          [--latency-ms=50] [--parallelism=1,4,8,16,32]

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"

namespace podform::bench {
namespace {

struct ApplyRun {
  ProcessResult process;
  double bound_s = 0;
};

ApplyRun RunApply(const std::string& podform, const std::string& dir,
                  int resources, int latency_ms, int parallelism) {
  absl::StatusOr<Workload> w = WriteWorkload(dir, resources, false);
  if (!w.ok()) Die(std::string(w.status().message()));
  ServedSandbox server(
      podform, w->sandbox,
      {"--latency-ms", absl::StrCat(latency_ms), "--seed", "7"});
  ApplyRun run;
  run.process = RunProcess(
      {podform, "--file=" + w->config, "--endpoint=" + server.url(),
       "--no-color", "apply", "--auto-approve",
       absl::StrCat("--parallelism=", parallelism)},
      {"RUNPOD_API_KEY=bench"}, dir + "/apply.out", dir + "/apply.err");
  if (run.process.exit_code != 0) {
    Die(absl::StrCat("apply exited ", run.process.exit_code, "; see ", dir,
                     "/apply.err"));
  }
  // Everything was created: the next plan is a no-op.
  ProcessResult check = RunProcess(
      {podform, "--file=" + w->config, "--endpoint=" + server.url(),
       "--no-color", "plan", "--detailed-exitcode"},
      {"RUNPOD_API_KEY=bench"}, dir + "/plan.out", dir + "/plan.err");
  if (check.exit_code != 0) {
    Die(absl::StrCat("the plan after apply is not a no-op (exit ",
                     check.exit_code, "); see ", dir, "/plan.out"));
  }
  const int volumes = w->resources / 2, pods = w->resources / 2;
  const double waves = 1 +
                       std::ceil(static_cast<double>(volumes) / parallelism) +
                       std::ceil(static_cast<double>(pods) / parallelism);
  run.bound_s = waves * latency_ms / 1000.0;
  return run;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const int resources = flags.Int("resources", 1000);
  const int latency_ms = flags.Int("latency-ms", 50);
  const std::vector<int> parallelism = flags.Ints("parallelism", "1,4,8,16,32");

  // The same apply without latency: what podform itself costs (start,
  // refresh, plan, lock-file writes, the sandbox's own work).
  ApplyRun baseline =
      RunApply(podform, work + "/apply-baseline", resources, 0, 8);
  std::fprintf(stderr, "  apply baseline (no latency): %.2f s\n",
               baseline.process.wall_s);

  std::printf(
      "\n## Apply throughput: %d creates (%d volumes, then %d pods), "
      "sandbox serve --latency-ms %d\n\n",
      resources, resources / 2, resources / 2, latency_ms);
  std::printf(
      "| parallelism | wall s | lower bound s | wall / bound | peak RSS MB "
      "|\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  for (int p : parallelism) {
    ApplyRun run = RunApply(podform, absl::StrCat(work, "/apply-p", p),
                            resources, latency_ms, p);
    std::printf("| %d%s | %.2f | %.2f | %.2fx | %.1f |\n", p,
                p == 8 ? " (default)" : "", run.process.wall_s, run.bound_s,
                run.process.wall_s / run.bound_s, Mb(run.process.max_rss_kb));
    std::fflush(stdout);
  }
  std::printf(
      "\nSame apply with --latency-ms 0 at parallelism 8: %.2f s "
      "(podform's own cost, %.1f MB peak RSS).\n",
      baseline.process.wall_s, Mb(baseline.process.max_rss_kb));
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
