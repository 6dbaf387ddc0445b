// The state in PostgreSQL beside the lock file, against a running server
// (bench/run.sh starts a throwaway one). Two measurements:
//
// 1. A no-op plan of N resources against `sandbox serve` holding them
//    (REST v2), with the state in the lock file, then in PostgreSQL (copied
//    there with `podform state migrate --to`), run alternately: median wall
//    time of each and their ratio.
// 2. Apply's bookkeeping with the state in PostgreSQL: `podform apply` of N
//    creates against `sandbox serve --data '' --latency-ms L` (the latency
//    spaces the steps out, so that the state is written as they finish, as
//    against RunPod): wall and CPU time, time per resource, versions
//    written and what they hold on average.
//
//   bench_state_postgres --podform=PATH --postgres=URI [--work=DIR]
//                        [--plan-sizes=10000] [--sizes=1000,10000]
//                        [--parallelism=8] [--latency-ms=50] [--repeat=5]
//
// URI is a libpq connection URI of a database podform may create its tables
// in; every run uses keys of its own ("bench-...").

#include <libpq-fe.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "bench/bench_util.h"
#include "bench/workload.h"
#include "reconciler/state/postgres_store.h"
#include "reconciler/state/serialize.h"

namespace podform::bench {
namespace {

std::string WithKey(const std::string& uri, const std::string& key) {
  return absl::StrCat(uri, uri.find('?') == std::string::npos ? "?" : "&",
                      "key=", key);
}

// The average size of the bodies stored for `key`, and how many are whole.
struct Stored {
  long long versions = 0;
  long long whole = 0;
  double average_bytes = 0;
};

Stored StoredFor(const std::string& uri, const std::string& key) {
  PGconn* conn = PQconnectdb(uri.c_str());
  if (PQstatus(conn) != CONNECTION_OK) Die(PQerrorMessage(conn));
  const char* params[] = {key.c_str()};
  PGresult* r = PQexecParams(
      conn,
      "SELECT count(*), count(*) FILTER (WHERE NOT delta), "
      "coalesce(avg(length(body)), 0) FROM podform_state_versions WHERE key "
      "= $1",
      1, nullptr, params, nullptr, nullptr, 0);
  if (PQresultStatus(r) != PGRES_TUPLES_OK) Die(PQresultErrorMessage(r));
  Stored out;
  out.versions = std::atoll(PQgetvalue(r, 0, 0));
  out.whole = std::atoll(PQgetvalue(r, 0, 1));
  out.average_bytes = std::atof(PQgetvalue(r, 0, 2));
  PQclear(r);
  PQfinish(conn);
  return out;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::string uri = flags.Get("postgres", "");
  const std::vector<int> plan_sizes = flags.Ints("plan-sizes", "10000");
  const std::vector<int> sizes = flags.Ints("sizes", "1000,10000");
  const int parallelism = flags.Int("parallelism", 8);
  const int latency_ms = flags.Int("latency-ms", 50);
  const int repeat = flags.Int("repeat", 5);
  if (!IsPostgresUri(uri)) Die("--postgres=URI (postgresql://...) is required");
  const std::string run = absl::StrCat("bench-", ::getpid(), "-");
  const std::vector<std::string> env = {"RUNPOD_API_KEY=bench"};

  std::printf(
      "\n## A no-op plan with the state in PostgreSQL beside the lock file "
      "(`sandbox serve`, REST v2; median of %d, run alternately)\n\n",
      repeat);
  std::printf(
      "| resources | lock file ms | PostgreSQL ms | PostgreSQL / lock file "
      "|\n|---:|---:|---:|---:|\n");
  for (int n : plan_sizes) {
    const std::string dir = absl::StrCat(work, "/state-plan-", n);
    absl::StatusOr<Workload> w = WriteWorkload(dir, n, true);
    if (!w.ok()) Die(std::string(w.status().message()));
    const std::string state_uri = WithKey(uri, absl::StrCat(run, "plan-", n));
    ProcessResult migrated = RunProcess(
        {podform, "--file=" + w->config, "--state=" + w->lock, "state",
         "migrate", "--to", state_uri},
        env, dir + "/migrate.out", dir + "/migrate.err");
    if (migrated.exit_code != 0) {
      Die(absl::StrCat("state migrate exited ", migrated.exit_code, "; see ",
                       dir, "/migrate.err"));
    }
    ServedSandbox server(podform, w->sandbox);
    std::vector<double> file_s;
    std::vector<double> pg_s;
    for (int i = 0; i < repeat + 1; ++i) {
      for (const std::string& state : {w->lock, state_uri}) {
        ProcessResult r = RunProcess(
            {podform, "--file=" + w->config, "--state=" + state,
             "--endpoint=" + server.url("rest"), "--api=rest", "--no-color",
             "plan", "--detailed-exitcode"},
            env, dir + "/plan.out", dir + "/plan.err");
        if (r.exit_code != 0) {
          Die(absl::StrCat("plan with --state=", state, " exited ",
                           r.exit_code, "; see ", dir, "/plan.err"));
        }
        if (i == 0) continue;  // warm-up
        (state == w->lock ? file_s : pg_s).push_back(r.wall_s);
      }
    }
    const double file_ms = Median(file_s) * 1e3;
    const double pg_ms = Median(pg_s) * 1e3;
    std::printf("| %d | %.0f | %.0f | %.2fx |\n", w->resources, file_ms, pg_ms,
                pg_ms / file_ms);
    std::fflush(stdout);
  }

  std::printf(
      "\n## Apply bookkeeping, state in PostgreSQL and in the lock file: N "
      "creates, --parallelism %d, against `sandbox serve --data '' "
      "--latency-ms %d`\n\n",
      parallelism, latency_ms);
  std::printf(
      "| resources | state | wall s | CPU s | ms per resource | versions "
      "written | of which whole | average version KB |\n"
      "|---:|---|---:|---:|---:|---:|---:|---:|\n");
  std::map<bool, std::vector<std::pair<int, double>>> per_resource;
  for (int n : sizes) {
    for (bool postgres : {true, false}) {
      const std::string dir = absl::StrCat(work, "/state-apply-", n);
      absl::StatusOr<Workload> w = WriteWorkload(dir, n, false);
      if (!w.ok()) Die(std::string(w.status().message()));
      const std::string key = absl::StrCat(run, "apply-", n);
      ServedSandbox server(
          podform, "",
          {"--seed", "7", "--latency-ms", absl::StrCat(latency_ms)});
      ProcessResult r = RunProcess(
          {podform, "--file=" + w->config,
           "--state=" + (postgres ? WithKey(uri, key) : w->lock),
           "--endpoint=" + server.url(), "--api=graphql", "--no-color",
           "apply", "--auto-approve",
           absl::StrCat("--parallelism=", parallelism)},
          env, dir + "/apply.out", dir + "/apply.err");
      if (r.exit_code != 0) {
        Die(absl::StrCat("apply exited ", r.exit_code, "; see ", dir,
                         "/apply.err"));
      }
      absl::StatusOr<State> state = absl::UnknownError("unread");
      Stored stored;
      if (postgres) {
        PostgresStateStore store(ParsePostgresUri(WithKey(uri, key), "", ""));
        state = store.Read();
        stored = StoredFor(uri, key);
      } else {
        const std::string text = MustRead(w->lock);
        state = ParseState(text, w->lock);
        // The lock file keeps only the last version, whole.
        if (state.ok()) stored = {state->serial, state->serial,
                                  static_cast<double>(text.size())};
      }
      if (!state.ok()) Die(std::string(state.status().message()));
      if (static_cast<int>(state->resources.size()) != w->resources ||
          !state->intents.empty()) {
        Die(absl::StrCat("the state in ", dir, " does not record every "
                         "resource"));
      }
      const double ms = r.wall_s / w->resources * 1e3;
      per_resource[postgres].push_back({w->resources, ms});
      std::printf("| %d | %s | %.2f | %.2f | %.2f | %lld | %s | %.1f |\n",
                  w->resources, postgres ? "PostgreSQL" : "lock file",
                  r.wall_s, r.cpu_s, ms, stored.versions,
                  postgres ? absl::StrCat(stored.whole).c_str() : "(each)",
                  stored.average_bytes / 1024);
      std::fflush(stdout);
    }
  }
  std::printf("\n");
  for (const auto& [postgres, rows] : per_resource) {
    if (rows.size() < 2) continue;
    const auto& [n0, ms0] = rows.front();
    const auto& [n1, ms1] = rows.back();
    std::printf(
        "%s: %dx the resources took %.1fx the time (linear would be %dx).\n",
        postgres ? "PostgreSQL" : "lock file", n1 / n0, (ms1 * n1) / (ms0 * n0),
        n1 / n0);
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
