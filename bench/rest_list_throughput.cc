// Listing every pod: REST v2 (GET /v2/pods, cursor pages of --limit pods)
// beside GraphQL (myself { pods { ... } }, one answer), against `podform
// sandbox serve` holding N resources (N/2 pods), from a few concurrent
// keep-alive clients. Reports requests per second and whole lists per
// second for each.
//
//   bench_rest_list_throughput --podform=PATH [--work=DIR] [--sizes=10000]
//                              [--limit=1000] [--clients=4] [--seconds=3]

#include <atomic>
#include <cstdio>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"
#include "httplib.h"
#include "nlohmann/json.hpp"

namespace podform::bench {
namespace {

using nlohmann::json;

// The fields of a pod that podform's refresh reads, over GraphQL.
constexpr char kGraphqlList[] =
    "{ myself { pods { id name imageName gpuCount desiredStatus costPerHr "
    "networkVolumeId volumeMountPath containerDiskInGb volumeInGb env ports "
    "machine { gpuDisplayName } } } }";

struct Result {
  int requests = 0;
  int lists = 0;
  int failures = 0;
  int pods_last = 0;  // pods in the last whole list (a sanity check)
  double seconds = 0;
};

// `clients` threads, each with its own keep-alive connection, list every
// pod with `list_once` (which returns the pods it saw, or -1 on a failure,
// and counts its requests) until `seconds` have passed.
Result Hammer(int port, int clients, double seconds,
              const std::function<int(httplib::Client&, int*)>& list_once) {
  std::atomic<int> requests{0}, lists{0}, failures{0}, pods{0};
  const double start = Seconds();
  const double deadline = start + seconds;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(120, 0);
      while (Seconds() < deadline) {
        int sent = 0;
        int seen = list_once(client, &sent);
        requests += sent;
        if (seen < 0) {
          ++failures;
        } else {
          ++lists;
          pods = seen;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return {requests.load(), lists.load(), failures.load(), pods.load(),
          Seconds() - start};
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "10000");
  const int limit = flags.Int("limit", 1000);
  const int clients = flags.Int("clients", 4);
  const double seconds = flags.Int("seconds", 3);
  const httplib::Headers headers = {{"Authorization", "Bearer bench"}};

  auto rest = [&](httplib::Client& client, int* sent) {
    int seen = 0;
    std::string cursor;
    while (true) {
      std::string path = absl::StrCat("/v2/pods?limit=", limit);
      if (!cursor.empty()) absl::StrAppend(&path, "&cursor=", cursor);
      auto res = client.Get(path.c_str(), headers);
      ++*sent;
      if (!res || res->status != 200) return -1;
      json page = json::parse(res->body, nullptr, false);
      if (!page.is_object()) return -1;
      seen += static_cast<int>(page["pods"].size());
      if (!page["pagination"]["hasNextPage"].get<bool>()) return seen;
      cursor = page["pagination"]["nextCursor"].get<std::string>();
    }
  };
  const std::string graphql_body = json{{"query", kGraphqlList}}.dump();
  auto graphql = [&](httplib::Client& client, int* sent) {
    auto res = client.Post("/graphql", headers, graphql_body,
                           "application/json");
    ++*sent;
    if (!res || res->status != 200) return -1;
    json body = json::parse(res->body, nullptr, false);
    if (!body.is_object() || body.contains("errors")) return -1;
    return static_cast<int>(body["data"]["myself"]["pods"].size());
  };

  std::printf(
      "\n## Listing every pod: REST v2 pages of %d beside GraphQL, sandbox "
      "serve over loopback, %d keep-alive clients, %.0f s each\n\n",
      limit, clients, seconds);
  std::printf(
      "| pods held | API | requests | whole lists | failed | requests/s | "
      "lists/s | pods per list |\n");
  std::printf("|---:|---|---:|---:|---:|---:|---:|---:|\n");
  for (int n : sizes) {
    const std::string dir = absl::StrCat(work, "/rest-list-", n);
    absl::StatusOr<Workload> w = WriteWorkload(dir, n, n > 0);
    if (!w.ok()) Die(std::string(w.status().message()));
    ServedSandbox server(podform, w->sandbox, {"--seed", "7"});
    struct Case {
      std::string name;
      std::function<int(httplib::Client&, int*)> list;
    };
    const Case cases[] = {
        {absl::StrCat("REST GET /v2/pods?limit=", limit), rest},
        {"GraphQL myself { pods }", graphql},
    };
    for (const Case& k : cases) {
      Result r = Hammer(server.port(), clients, seconds, k.list);
      std::printf("| %d | %s | %d | %d | %d | %.0f | %.1f | %d |\n", n / 2,
                  k.name.c_str(), r.requests, r.lists, r.failures,
                  r.requests / r.seconds, r.lists / r.seconds, r.pods_last);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
