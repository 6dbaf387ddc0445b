// The parse-only floor of a plan, as a process of its own: read podform.yaml
// and parse it with yaml-cpp, read the live state (a saved Refresh answer)
// and parse it with nlohmann/json, and exit. Timed from outside like
// `podform plan`, so that both pay the same process start, page faults and
// exit, and with the same heap (PreferHugePagesForTheHeap, as podform's
// main).
//
//   bench_parse_floor --yaml=podform.yaml --json=live.json
//   [--lock=podform.lock]

#include <cstdio>

#include "bench/bench_util.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/heap.h"
#include "yaml-cpp/yaml.h"

int main(int argc, char** argv) {
  using namespace podform::bench;
  podform::PreferHugePagesForTheHeap();
  Flags flags(argc, argv);
  YAML::Node config = YAML::Load(MustRead(flags.Get("yaml", "")));
  nlohmann::json live = nlohmann::json::parse(MustRead(flags.Get("json", "")));
  size_t lock_size = 0;
  if (std::string lock = flags.Get("lock", ""); !lock.empty()) {
    lock_size = nlohmann::json::parse(MustRead(lock)).size();
  }
  std::printf("%zu %zu %zu\n", config.size(), live.size(), lock_size);
  return 0;
}
