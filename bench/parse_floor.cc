// The parse-only floor of a plan, as a process of its own: read podform.yaml
// and parse it with yaml-cpp, read the live state and parse it with
// nlohmann/json, and exit. The live state is the answers a refresh receives:
// for GraphQL the one Refresh answer, for REST v2 the network-volume listing
// and every page of the pod listing (--json=a,b,c: each file parsed on its
// own, as podform's client parses each answer). Timed from outside like
// `podform plan`, so that both pay the same process start, page faults and
// exit, and with the same allocator (mimalloc, bench/CMakeLists.txt).
//
//   bench_parse_floor --yaml=podform.yaml --json=live.json[,page2.json...]
//   [--lock=podform.lock]

#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "bench/bench_util.h"
#include "nlohmann/json.hpp"
#include "yaml-cpp/yaml.h"

int main(int argc, char** argv) {
  using namespace podform::bench;
  Flags flags(argc, argv);
  YAML::Node config = YAML::Load(MustRead(flags.Get("yaml", "")));
  size_t live_size = 0;
  const std::vector<std::string> paths =
      absl::StrSplit(flags.Get("json", ""), ',', absl::SkipEmpty());
  for (const std::string& path : paths) {
    live_size += nlohmann::json::parse(MustRead(path)).size();
  }
  size_t lock_size = 0;
  if (std::string lock = flags.Get("lock", ""); !lock.empty()) {
    lock_size = nlohmann::json::parse(MustRead(lock)).size();
  }
  std::printf("%zu %zu %zu\n", config.size(), live_size, lock_size);
  return 0;
}
