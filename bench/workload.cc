// Writes one generated workload (bench/workload.h) to a directory, to look
// at or to time by hand:
//
//   bench_workload --resources=10000 --holding=all --out=/tmp/w10k
//   podform --file=/tmp/w10k/podform.yaml --sandbox=/tmp/w10k/sandbox.json
//     --state=/tmp/w10k/podform.lock plan

#include "bench/workload.h"

#include <cstdio>

#include "bench/bench_util.h"

int main(int argc, char** argv) {
  using namespace podform::bench;
  Flags flags(argc, argv);
  const std::string holding = flags.Get("holding", "all");
  if (holding != "all" && holding != "none") Die("--holding: all or none");
  absl::StatusOr<Workload> w =
      WriteWorkload(flags.Get("out", "workload"), flags.Int("resources", 1000),
                    holding == "all");
  if (!w.ok()) Die(std::string(w.status().message()));
  std::printf("%s\n%s\n%s\n", w->config.c_str(), w->sandbox.c_str(),
              w->holding ? w->lock.c_str() : "(no lock file)");
  return 0;
}
