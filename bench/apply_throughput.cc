// Apply throughput: `podform apply --auto-approve --parallelism P` of N
// creates (N/2 volumes, then N/2 pods mounting them) against `sandbox
// serve --latency-ms L --provision-ms T`, for several P, against the lower
// bound that the latency, the parallelism, the dependency waves and (REST
// v2) the provisioning impose:
//
//   GraphQL: bound(P) = L * (1 + ceil(volumes / P) + ceil(pods / P))
//   REST v2: bound(P) = L * (1 + ceil(volumes / P) + ceil(pods / P)) + T
//
// The 1 is the refresh that every apply starts with (REST: the volume
// listing and the pod listing go out together, and an empty account's pods
// are one page); each create is one request (createNetworkVolume or
// podFindAndDeployOnDemand, POST /network-volumes or POST /pods: the pods
// are running, so no stop follows), and a pod can start only once its
// volume exists. REST v2 answers a create while the pod is PROVISIONING and
// apply waits until a listing shows it RUNNING: the last pod created starts
// provisioning when its create is carried out, halfway through the
// create's latency, is RUNNING T later, and a listing that shows it is
// answered at least half a latency after that: T after the create's
// answer. GraphQL answers a running pod at once; T does not apply.
//
//   bench_apply_throughput --podform=PATH [--work=DIR] [--resources=1000]
//                          [--latency-ms=50] [--provision-ms=500]
//                          [--api=graphql] [--parallelism=1,4,8,16,32]

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

ApplyRun RunApply(const std::string& podform, const std::string& api,
                  const std::string& dir, int resources, int latency_ms,
                  int provision_ms, int parallelism) {
  absl::StatusOr<Workload> w = WriteWorkload(dir, resources, false);
  if (!w.ok()) Die(std::string(w.status().message()));
  ServedSandbox server(
      podform, w->sandbox,
      {"--latency-ms", absl::StrCat(latency_ms), "--provision-ms",
       absl::StrCat(provision_ms), "--seed", "7"});
  ApplyRun run;
  run.process = RunProcess(
      {podform, "--file=" + w->config, "--endpoint=" + server.url(api),
       "--api=" + api, "--no-color", "apply", "--auto-approve",
       absl::StrCat("--parallelism=", parallelism)},
      {"RUNPOD_API_KEY=bench"}, dir + "/apply.out", dir + "/apply.err");
  if (run.process.exit_code != 0) {
    Die(absl::StrCat("apply exited ", run.process.exit_code, "; see ", dir,
                     "/apply.err"));
  }
  // Everything was created: the next plan is a no-op.
  ProcessResult check = RunProcess(
      {podform, "--file=" + w->config, "--endpoint=" + server.url(api),
       "--api=" + api, "--no-color", "plan", "--detailed-exitcode"},
      {"RUNPOD_API_KEY=bench"}, dir + "/plan.out", dir + "/plan.err");
  if (check.exit_code != 0) {
    Die(absl::StrCat("the plan after apply is not a no-op (exit ",
                     check.exit_code, "); see ", dir, "/plan.out"));
  }
  const int volumes = w->resources / 2, pods = w->resources / 2;
  const double waves = 1 +
                       std::ceil(static_cast<double>(volumes) / parallelism) +
                       std::ceil(static_cast<double>(pods) / parallelism);
  run.bound_s =
      (waves * latency_ms + (api == "rest" ? provision_ms : 0)) / 1000.0;
  return run;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const int resources = flags.Int("resources", 1000);
  const int latency_ms = flags.Int("latency-ms", 50);
  const int provision_ms = flags.Int("provision-ms", 500);
  const std::string api = flags.Get("api", "graphql");
  if (api != "rest" && api != "graphql") Die("--api: rest or graphql");
  const std::vector<int> parallelism = flags.Ints("parallelism", "1,4,8,16,32");

  // The same apply without latency: what podform itself costs (start,
  // refresh, plan, lock-file writes, the sandbox's own work).
  ApplyRun baseline = RunApply(podform, api, work + "/apply-baseline",
                               resources, 0, provision_ms, 8);
  std::fprintf(stderr, "  apply baseline (no latency): %.2f s\n",
               baseline.process.wall_s);

  std::printf(
      "\n## Apply throughput, %s: %d creates (%d volumes, then %d pods), "
      "sandbox serve --latency-ms %d --provision-ms %d\n\n",
      api == "rest" ? "REST v2" : "GraphQL", resources, resources / 2,
      resources / 2, latency_ms, provision_ms);
  std::printf(
      "| parallelism | wall s | lower bound s | wall / bound | peak RSS MB "
      "|\n");
  std::printf("|---:|---:|---:|---:|---:|\n");
  for (int p : parallelism) {
    ApplyRun run =
        RunApply(podform, api, absl::StrCat(work, "/apply-", api, "-p", p),
                 resources, latency_ms, provision_ms, p);
    std::printf("| %d%s | %.2f | %.2f | %.2fx | %.1f |\n", p,
                p == 8 ? " (default)" : "", run.process.wall_s, run.bound_s,
                run.process.wall_s / run.bound_s, Mb(run.process.max_rss_kb));
    std::fflush(stdout);
  }
  std::printf(
      "\nSame apply with --latency-ms 0 (--provision-ms %d) at parallelism "
      "8: %.2f s (%.1f MB peak RSS).\n",
      provision_ms, baseline.process.wall_s, Mb(baseline.process.max_rss_kb));
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
