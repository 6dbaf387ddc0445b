// Plan at scale: wall time and peak memory of `podform plan` for generated
// configs of N resources (N/2 volumes, N/2 pods mounting them), against a
// sandbox holding the same resources (no-op plan) and holding none (all
// creates), in-process (--sandbox=FILE) and over loopback (sandbox serve);
// beside them, in the same run, the parse-only floor: yaml-cpp's YAML::Load
// of the same podform.yaml plus nlohmann::json::parse of the same live
// state, both as a process of its own (bench_parse_floor, timed like
// podform) and warm, in a loop in this process. Each API in --apis is
// measured on the same workload: for GraphQL the live state is the Refresh
// answer, for REST v2 the answers of its refresh (the network-volume
// listing and every page of the pod listing, pages of up to 1,000), fetched
// from the same served sandbox.
//
//   bench_plan_scale --podform=PATH --floor=PATH
//                    --refresh=schema/operations/Refresh.graphql
//                    [--work=DIR] [--sizes=1000,10000] [--repeat=5]
//                    [--apis=rest,graphql]

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

namespace podform::bench {
namespace {

// One command run `repeat` times.
struct PlanFigures {
  double wall_s = 0;     // median
  double fastest_s = 0;  // the fastest run: the least disturbed by a noisy host
  double cpu_s = 0;      // median
  long max_rss_kb = 0;   // the largest of the runs
};

PlanFigures TimeProcess(const std::vector<std::string>& argv,
                        const std::vector<std::string>& env, int repeat,
                        int expected_exit, const std::string& log) {
  std::vector<double> walls, cpus;
  PlanFigures f;
  for (int i = 0; i < repeat; ++i) {
    ProcessResult r = RunProcess(argv, env, log, log + ".err");
    if (r.exit_code != expected_exit) {
      Die(absl::StrCat(argv[0], " exited ", r.exit_code, ", expected ",
                       expected_exit, "; see ", log, ".err"));
    }
    walls.push_back(r.wall_s);
    cpus.push_back(r.cpu_s);
    f.max_rss_kb = std::max(f.max_rss_kb, r.max_rss_kb);
  }
  f.wall_s = Median(walls);
  f.fastest_s = *std::min_element(walls.begin(), walls.end());
  f.cpu_s = Median(cpus);
  return f;
}

struct Row {
  int resources;
  bool holding;
  std::string api;
  std::string mode;
  PlanFigures plan;
  PlanFigures floor;    // bench_parse_floor: YAML + live JSON, cold
  double floor_yaml_s;  // warm, in this process
  double floor_json_s;
  double lock_json_s;   // context: parsing the lock file (0 when none)
  size_t live_answers;  // answers the floor parses (REST: one per page)
  size_t live_bytes;    // their size in all
};

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string floor_bin =
      flags.Get("floor", "build-bench/bench/bench_parse_floor");
  const std::string refresh_path =
      flags.Get("refresh", "schema/operations/Refresh.graphql");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "1000,10000");
  const int repeat = flags.Int("repeat", 5);
  const std::vector<std::string> apis =
      absl::StrSplit(flags.Get("apis", "rest,graphql"), ',');
  const std::string refresh_query = MustRead(refresh_path);
  const std::vector<std::string> api_key = {"RUNPOD_API_KEY=bench"};

  std::vector<Row> rows;
  for (int n : sizes) {
    for (bool holding : {true, false}) {
      const std::string dir =
          absl::StrCat(work, "/plan-", n, "-", holding ? "all" : "none");
      absl::StatusOr<Workload> w = WriteWorkload(dir, n, holding);
      if (!w.ok()) Die(std::string(w.status().message()));
      const int expected_exit = holding ? 0 : 2;  // --detailed-exitcode

      // The floor: parse the same inputs, nothing else.
      const std::string yaml = MustRead(w->config);
      double yaml_s = TimeMedian(repeat, [&] {
        YAML::Node node = YAML::Load(yaml);
        if (!node.IsMap()) Die("YAML::Load: not a map");
      });
      double lock_s = 0;
      if (holding) {
        const std::string lock = MustRead(w->lock);
        lock_s = TimeMedian(repeat, [&] {
          nlohmann::json j = nlohmann::json::parse(lock);
          if (!j.is_object()) Die("json::parse: not an object");
        });
      }
      for (const std::string& api : apis) {
        if (api != "rest" && api != "graphql") Die("--apis: rest or graphql");
        const std::string log = dir + "/plan-" + api + ".out";
        // The live state as the API answers it: one answer for GraphQL,
        // the listings' pages for REST.
        std::vector<std::string> live_answers;
        PlanFigures served;
        {
          ServedSandbox server(podform, w->sandbox);
          if (api == "rest") {
            live_answers = RestListingPages(server.port());
          } else {
            live_answers = {PostGraphQL(server.port(), refresh_query)};
          }
          served = TimeProcess(
              {podform, "--file=" + w->config, "--endpoint=" + server.url(api),
               "--api=" + api, "--no-color", "plan", "--detailed-exitcode"},
              api_key, repeat, expected_exit, log);
        }
        std::string live_paths;
        for (size_t i = 0; i < live_answers.size(); ++i) {
          const std::string path =
              absl::StrCat(dir, "/live-", api, "-", i, ".json");
          if (absl::Status s = WriteFileAtomically(path, live_answers[i], 0644);
              !s.ok()) {
            Die(std::string(s.message()));
          }
          absl::StrAppend(&live_paths, i == 0 ? "" : ",", path);
        }
        PlanFigures floor = TimeProcess(
            {floor_bin, "--yaml=" + w->config, "--json=" + live_paths}, {},
            repeat, 0, dir + "/floor-" + api + ".out");
        double json_s = TimeMedian(repeat, [&] {
          for (const std::string& answer : live_answers) {
            nlohmann::json j = nlohmann::json::parse(answer);
            if (!j.is_object()) Die("json::parse: not an object");
          }
        });
        PlanFigures in_process = TimeProcess(
            {podform, "--file=" + w->config, "--sandbox=" + w->sandbox,
             "--state=" + w->lock, "--api=" + api, "--no-color", "plan",
             "--detailed-exitcode"},
            {}, repeat, expected_exit, log);
        size_t live_bytes = 0;
        for (const std::string& answer : live_answers) {
          live_bytes += answer.size();
        }
        rows.push_back({n, holding, api, "in-process", in_process, floor,
                        yaml_s, json_s, lock_s, live_answers.size(),
                        live_bytes});
        rows.push_back({n, holding, api, "served", served, floor, yaml_s,
                        json_s, lock_s, live_answers.size(), live_bytes});
      }
      std::fprintf(stderr, "  plan %d resources, holding %s: done\n", n,
                   holding ? "all" : "none");
    }
  }

  std::printf(
      "\n## Plan at scale (median of %d runs; peak RSS = largest run)\n\n",
      repeat);
  std::printf(
      "| resources | sandbox holds | API | sandbox | plan wall ms | plan "
      "fastest "
      "ms | plan CPU ms | plan peak RSS MB | floor process ms | floor fastest "
      "ms | floor peak RSS MB | plan / floor | fastest / fastest | warm "
      "YAML::Load ms | live answers (KB) | warm json::parse (live) ms | warm "
      "json::parse (lock) ms |\n");
  std::printf(
      "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
      "---|---:|---:|\n");
  for (const Row& r : rows) {
    std::printf(
        "| %d | %s | %s | %s | %.0f | %.0f | %.0f | %.1f | %.0f | %.0f | "
        "%.1f | %.2fx | %.2fx | %.1f | %zu (%zu) | %.1f | %s |\n",
        r.resources, r.holding ? "all (no-op)" : "none (creates)",
        r.api.c_str(), r.mode.c_str(), r.plan.wall_s * 1e3,
        r.plan.fastest_s * 1e3, r.plan.cpu_s * 1e3, Mb(r.plan.max_rss_kb),
        r.floor.wall_s * 1e3, r.floor.fastest_s * 1e3, Mb(r.floor.max_rss_kb),
        r.plan.wall_s / r.floor.wall_s, r.plan.fastest_s / r.floor.fastest_s,
        r.floor_yaml_s * 1e3, r.live_answers, r.live_bytes / 1024,
        r.floor_json_s * 1e3,
        r.holding ? absl::StrFormat("%.1f", r.lock_json_s * 1e3).c_str() : "-");
  }

  if (sizes.size() >= 2) {
    const int small = sizes.front(), large = sizes.back();
    std::printf("\n## Growth %d -> %d resources (%.0fx the resources)\n\n",
                small, large, static_cast<double>(large) / small);
    std::printf(
        "| sandbox holds | API | sandbox | plan wall | plan CPU | floor "
        "process | warm parse |\n");
    std::printf("|---|---|---|---:|---:|---:|---:|\n");
    for (const Row& a : rows) {
      if (a.resources != small) continue;
      for (const Row& b : rows) {
        if (b.resources != large || b.holding != a.holding || b.api != a.api ||
            b.mode != a.mode) {
          continue;
        }
        std::printf("| %s | %s | %s | %.1fx | %.1fx | %.1fx | %.1fx |\n",
                    a.holding ? "all (no-op)" : "none (creates)", a.api.c_str(),
                    a.mode.c_str(), b.plan.wall_s / a.plan.wall_s,
                    b.plan.cpu_s / a.plan.cpu_s,
                    b.floor.wall_s / a.floor.wall_s,
                    (b.floor_yaml_s + b.floor_json_s) /
                        (a.floor_yaml_s + a.floor_json_s));
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
