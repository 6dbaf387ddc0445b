// Apply's bookkeeping at scale. Two measurements:
//
// 1. End to end: `podform apply --auto-approve` of N creates with no
//    latency, for each N, against `sandbox serve --data ''` (state in
//    memory: what is left is podform's own work, plus HTTP), then against
//    the in-process sandbox with its data file (`--sandbox=FILE`), which
//    adds the sandbox's writes. Time per resource should stay flat as N
//    grows.
//
// 2. Per write: apply rewrites podform.lock as steps finish (in the
//    background, spaced); the sandbox appends a journal line per group of
//    mutations and rewrites its data file when the journal has grown as
//    large. The cost of one such write with N resources recorded, split
//    into its parts: FileStateStore::Write (serialize, write + fsync +
//    rename), the sandbox's AccountToJsonText + WriteFileAtomically, and a
//    sandbox commit of one mutation (SandboxStore::Commit: a journal line).
//
//   bench_apply_bookkeeping --podform=PATH [--work=DIR]
//                           [--sizes=1000,10000] [--write-sizes=1000,10000]
//                           [--parallelism=8] [--repeat=5]

#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"
#include "reconciler/sandbox/account_json.h"
#include "reconciler/sandbox/store.h"
#include "reconciler/state/file_store.h"
#include "reconciler/state/serialize.h"

namespace podform::bench {
namespace {

struct WriteCost {
  int resources = 0;
  size_t lock_bytes = 0;
  double parse_s = 0;        // ParseState of the file on disk
  double serialize_s = 0;    // SerializeState
  double copy_s = 0;         // copying the State
  double incremental_s = 0;  // StateSerializer, one resource changed
  double store_write_s = 0;  // FileStateStore::Write, all of it
  size_t sandbox_bytes = 0;
  double sandbox_render_s = 0;  // AccountToJsonText (lines cached)
  double sandbox_write_s = 0;   // render + WriteFileAtomically
  double sandbox_commit_s = 0;  // SandboxStore::Commit of one mutation
};

WriteCost MeasureWrites(const std::string& dir, int n, int repeat) {
  absl::StatusOr<Workload> w = WriteWorkload(dir, n, true);
  if (!w.ok()) Die(std::string(w.status().message()));
  WriteCost cost;
  cost.resources = w->resources;
  const std::string lock_text = MustRead(w->lock);
  cost.lock_bytes = lock_text.size();
  absl::StatusOr<State> state = ParseState(lock_text, w->lock);
  if (!state.ok()) Die(std::string(state.status().message()));
  cost.parse_s = TimeMedian(repeat, [&] {
    if (!ParseState(lock_text, w->lock).ok()) Die("ParseState failed");
  });
  cost.serialize_s = TimeMedian(repeat, [&] {
    if (SerializeState(*state).empty()) Die("SerializeState failed");
  });
  cost.copy_s = TimeMedian(repeat, [&] {
    State copy = *state;
    if (copy.resources.size() != state->resources.size()) Die("copy");
  });
  {
    StateSerializer serializer;
    serializer.Serialize(*state, 1);
    ResourceState& first = state->resources.begin()->second;
    const std::string id = first.id;
    int round = 0;
    cost.incremental_s = TimeMedian(repeat, [&] {
      first.id = absl::StrCat(id, "-", ++round);
      if (serializer.Serialize(*state, round).empty()) Die("serialize");
    });
    first.id = id;
    if (serializer.Serialize(*state, 1) != SerializeState(*state)) {
      Die("StateSerializer and SerializeState disagree");
    }
  }
  FileStateStore store(w->lock);
  cost.store_write_s = TimeMedian(repeat, [&] {
    if (absl::Status s = store.Write(&*state); !s.ok()) {
      Die(std::string(s.message()));
    }
  });

  absl::StatusOr<sandbox::Account> account = sandbox::AccountFromJsonText(
      MustRead(w->sandbox), 1, [] { return absl::Now(); });
  if (!account.ok()) Die(std::string(account.status().message()));
  cost.sandbox_bytes = sandbox::AccountToJsonText(*account).size();
  cost.sandbox_render_s = TimeMedian(repeat, [&] {
    if (sandbox::AccountToJsonText(*account).empty()) Die("render failed");
  });
  {
    // A mutation's commit: one journal line (the data file is rewritten
    // only when the journal has grown as large as it, not in these runs).
    sandbox::StoreOptions options;
    options.path = w->sandbox + ".store";
    std::filesystem::copy_file(
        w->sandbox, options.path,
        std::filesystem::copy_options::overwrite_existing);
    std::filesystem::remove(options.path + ".journal");
    absl::StatusOr<std::unique_ptr<sandbox::SandboxStore>> store =
        sandbox::SandboxStore::Open(std::move(options));
    if (!store.ok()) Die(std::string(store.status().message()));
    int round = 0;
    cost.sandbox_commit_s = TimeMedian(repeat, [&] {
      std::unique_lock<std::mutex> lock = (*store)->Lock();
      sandbox::CreateVolumeRequest request;
      request.name = absl::StrCat("bench-", ++round);
      request.size = 10;
      request.data_center_id = "EU-RO-1";
      if (!(*store)->account().CreateVolume(request).ok() ||
          !(*store)->Commit().ok()) {
        Die("sandbox commit failed");
      }
    });
  }
  cost.sandbox_write_s = TimeMedian(repeat, [&] {
    absl::Status s =
        WriteFileAtomically(w->sandbox, sandbox::AccountToJsonText(*account));
    if (!s.ok()) Die(std::string(s.message()));
  });
  return cost;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "1000,10000");
  const std::vector<int> write_sizes = flags.Ints("write-sizes", "1000,10000");
  const int parallelism = flags.Int("parallelism", 8);
  const int repeat = flags.Int("repeat", 5);

  // Two sandboxes: served with its state in memory only, so that what is
  // measured is podform's own work (plus HTTP); and in-process with its data
  // file, as `podform --sandbox` runs, which adds the sandbox's writes.
  struct Variant {
    const char* title;
    bool served;
  };
  for (const Variant& variant :
       {Variant{"`sandbox serve --data ''` (state in memory only: podform's "
                "own work, plus HTTP)",
                true},
        Variant{"the in-process sandbox with its data file (`--sandbox`)",
                false}}) {
    std::printf(
        "\n## Apply bookkeeping: N creates, no latency, --parallelism %d, "
        "against %s\n\n",
        parallelism, variant.title);
    std::printf(
        "| resources | wall s | CPU s | ms per resource | peak RSS MB | lock "
        "file writes (serial) |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|\n");
    std::vector<std::pair<int, double>> per_resource;
    for (int n : sizes) {
      const std::string dir = absl::StrCat(work, "/bookkeeping-",
                                           variant.served ? "served-" : "", n);
      absl::StatusOr<Workload> w = WriteWorkload(dir, n, false);
      if (!w.ok()) Die(std::string(w.status().message()));
      std::vector<std::string> args = {podform, "--file=" + w->config,
                                       "--no-color"};
      std::optional<ServedSandbox> server;
      if (variant.served) {
        server.emplace(podform, "", std::vector<std::string>{"--seed", "7"});
        args.push_back("--endpoint=" + server->url());
      } else {
        args.push_back("--sandbox=" + w->sandbox);
        args.push_back("--state=" + w->lock);
      }
      // GraphQL, as these figures were first taken (--sandbox now speaks
      // REST v2 by default): podform's bookkeeping, with no wait for pods.
      args.push_back("--api=graphql");
      args.insert(args.end(), {"apply", "--auto-approve",
                               absl::StrCat("--parallelism=", parallelism)});
      ProcessResult r = RunProcess(args, {"RUNPOD_API_KEY=bench"},
                                   dir + "/apply.out", dir + "/apply.err");
      if (r.exit_code != 0) {
        Die(absl::StrCat("apply exited ", r.exit_code, "; see ", dir,
                         "/apply.err"));
      }
      absl::StatusOr<State> state = ParseState(MustRead(w->lock), w->lock);
      if (!state.ok()) Die(std::string(state.status().message()));
      if (static_cast<int>(state->resources.size()) != w->resources ||
          !state->intents.empty()) {
        Die(absl::StrCat("the lock file in ", dir,
                         " does not record every resource"));
      }
      double ms = r.wall_s / w->resources * 1e3;
      per_resource.push_back({w->resources, ms});
      std::printf("| %d | %.2f | %.2f | %.2f | %.1f | %lld |\n", w->resources,
                  r.wall_s, r.cpu_s, ms, Mb(r.max_rss_kb),
                  static_cast<long long>(state->serial));
      std::fflush(stdout);
    }
    if (per_resource.size() >= 2) {
      const auto& [n0, ms0] = per_resource.front();
      const auto& [n1, ms1] = per_resource.back();
      std::printf(
          "\n%dx the resources took %.1fx the time (linear would be %dx).\n",
          n1 / n0, (ms1 * n1) / (ms0 * n0), n1 / n0);
    }
  }

  std::printf(
      "\n## One bookkeeping write with N resources recorded (median of %d)\n\n",
      repeat);
  std::printf(
      "| resources | lock KB | ParseState ms | State copy ms | "
      "SerializeState ms | StateSerializer, 1 changed, ms | "
      "FileStateStore::Write ms | sandbox file KB | AccountToJsonText ms | "
      "sandbox data file write ms | sandbox commit (journal line) ms |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (int n : write_sizes) {
    WriteCost c = MeasureWrites(absl::StrCat(work, "/writes-", n), n, repeat);
    std::printf(
        "| %d | %.0f | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f | "
        "%.2f | %.3f |\n",
        c.resources, c.lock_bytes / 1024.0, c.parse_s * 1e3, c.copy_s * 1e3,
        c.serialize_s * 1e3, c.incremental_s * 1e3, c.store_write_s * 1e3,
        c.sandbox_bytes / 1024.0, c.sandbox_render_s * 1e3,
        c.sandbox_write_s * 1e3, c.sandbox_commit_s * 1e3);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
