// Sandbox throughput: requests per second that `podform sandbox serve`
// answers over loopback, from a few concurrent keep-alive clients, for the
// list query (schema/operations/Refresh.graphql) and for single mutations
// (UpdateNetworkVolume, CreateNetworkVolume), with the sandbox holding N
// resources and holding none.
//
//   bench_sandbox_throughput --podform=PATH --operations=schema/operations
//                            [--work=DIR] [--sizes=0,10000] [--clients=4]
//                            [--seconds=3]

#include <atomic>
#include <cstdio>
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

struct Throughput {
  int requests = 0;
  int failures = 0;
  double seconds = 0;
};

// `clients` threads, each with its own keep-alive connection, send
// body(client, i) for `seconds`.
Throughput Hammer(int port, int clients, double seconds,
                  const std::function<std::string(int, int)>& body) {
  std::atomic<int> requests{0}, failures{0};
  const double start = Seconds();
  const double deadline = start + seconds;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      httplib::Client client("127.0.0.1", port);
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      client.set_read_timeout(120, 0);
      httplib::Headers headers = {{"Authorization", "Bearer bench"}};
      for (int i = 0; Seconds() < deadline; ++i) {
        auto res =
            client.Post("/graphql", headers, body(c, i), "application/json");
        if (!res || res->status != 200 ||
            res->body.find("\"errors\"") != std::string::npos) {
          ++failures;
        }
        ++requests;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  return {requests.load(), failures.load(), Seconds() - start};
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string podform = flags.Get("podform", "build-bench/podform");
  const std::string operations = flags.Get("operations", "schema/operations");
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "0,10000");
  const int clients = flags.Int("clients", 4);
  const double seconds = flags.Int("seconds", 3);

  const std::string refresh = MustRead(operations + "/Refresh.graphql");
  const std::string update =
      MustRead(operations + "/UpdateNetworkVolume.graphql");
  const std::string create =
      MustRead(operations + "/CreateNetworkVolume.graphql");
  auto request = [](const std::string& query, const json& variables) {
    return json{{"query", query}, {"variables", variables}}.dump();
  };

  std::printf(
      "\n## Sandbox throughput: sandbox serve over loopback, %d keep-alive "
      "clients, %.0f s each\n\n",
      clients, seconds);
  std::printf(
      "| resources held | request | requests | failed | requests/s | mean "
      "latency ms |\n");
  std::printf("|---:|---|---:|---:|---:|---:|\n");
  for (int n : sizes) {
    const std::string dir = absl::StrCat(work, "/throughput-", n);
    absl::StatusOr<Workload> w = WriteWorkload(dir, n, n > 0);
    if (!w.ok()) Die(std::string(w.status().message()));
    ServedSandbox server(podform, w->sandbox, {"--seed", "7"});

    // One volume per client to rename back and forth.
    std::vector<std::string> volume_ids;
    for (int c = 0; c < clients; ++c) {
      json made =
          json::parse(PostGraphQL(server.port(), create,
                                  {{"input",
                                    {{"name", absl::StrCat("bench-", c)},
                                     {"size", 10},
                                     {"dataCenterId", "EU-RO-1"}}}}));
      volume_ids.push_back(
          made["data"]["createNetworkVolume"]["id"].get<std::string>());
    }

    struct Case {
      std::string name;
      std::function<std::string(int, int)> body;
    };
    const std::string refresh_body = request(refresh, json::object());
    std::vector<Case> cases = {
        {"Refresh (list everything)", [&](int, int) { return refresh_body; }},
        {"UpdateNetworkVolume (rename)",
         [&](int c, int i) {
           return request(update,
                          {{"input",
                            {{"id", volume_ids[c]},
                             {"name", absl::StrCat("bench-", c, "-", i % 2)},
                             {"size", 10}}}});
         }},
        {"CreateNetworkVolume",
         [&](int c, int i) {
           return request(create, {{"input",
                                    {{"name", absl::StrCat("new-", c, "-", i)},
                                     {"size", 10},
                                     {"dataCenterId", "EU-RO-1"}}}});
         }},
    };
    for (const Case& k : cases) {
      Throughput t = Hammer(server.port(), clients, seconds, k.body);
      std::printf("| %d | %s | %d | %d | %.0f | %.1f |\n", n, k.name.c_str(),
                  t.requests, t.failures, t.requests / t.seconds,
                  t.seconds * clients / t.requests * 1e3);
      std::fflush(stdout);
    }
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
