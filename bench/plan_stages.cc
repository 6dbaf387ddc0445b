// Where a plan's time goes: the stages of `podform --sandbox=FILE plan`
// (cmd/planning.cc RefreshAndPlan and cmd/plan.cc), timed one by one in this
// process through the library, for generated no-op and all-create workloads
// of N resources, over each API of --apis (REST v2: the provider lists
// volumes, pods and endpoints from the sandbox's /v2 routes; GraphQL: one
// Refresh query). Beside them, the parse-only floor (YAML::Load of the same
// config, json::parse of the live answers the client parses).
//
//   bench_plan_stages [--work=DIR] [--sizes=1000,10000] [--repeat=5]
//                     [--apis=rest,graphql]

#include <cstdio>
#include <string>
#include <vector>

#include "bench/bench_util.h"
#include "bench/workload.h"
#include "nlohmann/json.hpp"
#include "reconciler/apply/recover.h"
#include "reconciler/client/graphql_provider.h"
#include "reconciler/client/rest_provider.h"
#include "reconciler/plan/planner.h"
#include "reconciler/plan/render.h"
#include "reconciler/sandbox/in_process_transport.h"
#include "reconciler/state/file_store.h"
#include "reconciler/util/embedded.h"
#include "yaml-cpp/yaml.h"

namespace podform::bench {
namespace {

struct Stage {
  std::string name;
  double seconds = 0;
};

// The provider of `api` ("rest" or "graphql") over a new in-process sandbox
// on `data_file`.
std::unique_ptr<Provider> OpenProvider(const std::string& api,
                                       const std::string& data_file) {
  const bool rest = api == "rest";
  auto transport = sandbox::InProcessTransport::Open(
      data_file, "sandbox", "bench_plan_stages",
      rest ? sandbox::kRestBasePath : sandbox::kGraphQLBasePath);
  if (!transport.ok()) Die(std::string(transport.status().message()));
  absl::StatusOr<std::unique_ptr<Provider>> provider;
  if (rest) {
    auto made = MakeRestProvider(*std::move(transport), {});
    if (made.ok()) provider = std::move(*made);
    else provider = made.status();
  } else {
    auto made = MakeGraphQLProvider(*std::move(transport), {});
    if (made.ok()) provider = std::move(*made);
    else provider = made.status();
  }
  if (!provider.ok()) Die(std::string(provider.status().message()));
  return std::move(*provider);
}

std::vector<Stage> TimeStages(const Workload& w, const std::string& api,
                              int repeat) {
  std::vector<std::vector<double>> times;
  std::vector<std::string> names;
  for (int run = 0; run < repeat; ++run) {
    std::vector<double> t;
    auto mark = [&, last = Seconds()](const char* name) mutable {
      double now = Seconds();
      t.push_back(now - last);
      if (run == 0) names.push_back(name);
      last = now;
    };
    // As `plan` without --out loads it: without the config's digest.
    LoadResult loaded = LoadConfigFile(w.config, ProcessEnv(), nullptr, false,
                                       ConfigDigestMode::kSkip);
    if (!loaded.config.has_value()) Die("config does not load");
    mark("load + validate podform.yaml");
    FileStateStore store(w.lock);
    absl::StatusOr<State> state = store.Read();
    if (!state.ok()) {
      State fresh;
      fresh.lineage = NewLineage();
      state = fresh;
    }
    mark("read podform.lock");
    std::unique_ptr<Provider> provider = OpenProvider(api, w.sandbox);
    mark("open the in-process sandbox (load its data file)");
    absl::StatusOr<LiveState> live = provider->Refresh();
    if (!live.ok()) Die(std::string(live.status().message()));
    mark("refresh (the sandbox answers; the client parses the answers)");
    auto intents = ResolveIntents(*loaded.config, *live, &*state);
    if (!intents.ok()) Die(std::string(intents.status().message()));
    mark("resolve intents");
    absl::StatusOr<Plan> plan = MakePlan(*loaded.config, *state, *live, {});
    if (!plan.ok()) Die(std::string(plan.status().message()));
    mark("MakePlan");
    std::string text = RenderText(*plan, false);
    if (text.empty()) Die("empty rendering");
    mark("RenderText");
    times.push_back(std::move(t));
  }
  std::vector<Stage> out;
  for (size_t i = 0; i < names.size(); ++i) {
    std::vector<double> v;
    for (const auto& t : times) v.push_back(t[i]);
    out.push_back({names[i], Median(v)});
  }
  return out;
}

// The answers the client parses in one refresh over `api`, asked of the
// in-process sandbox on `data_file` as podform's clients ask for them.
std::vector<std::string> LiveAnswers(const std::string& api,
                                     const std::string& data_file) {
  const bool rest = api == "rest";
  auto transport = sandbox::InProcessTransport::Open(
      data_file, "sandbox", "bench_plan_stages",
      rest ? sandbox::kRestBasePath : sandbox::kGraphQLBasePath);
  if (!transport.ok()) Die("cannot open the sandbox");
  auto send = [&](HttpRequest request) {
    request.replay = Replay::kHarmless;
    absl::StatusOr<HttpResponse> answer = (*transport)->Send(request);
    if (!answer.ok() || answer->status != 200) Die("a refresh read failed");
    return answer->body;
  };
  if (!rest) {
    HttpRequest refresh;
    refresh.body =
        nlohmann::json{{"query", std::string(EmbeddedFile(
                                     "schema/operations/Refresh.graphql"))}}
            .dump();
    return {send(refresh)};
  }
  HttpRequest get;
  get.method = "GET";
  get.path = "/network-volumes";
  std::vector<std::string> answers = {send(get)};
  for (const char* listing : {"/pods", "/serverless"}) {
    std::string cursor;
    for (;;) {
      get.path = absl::StrCat(listing, "?limit=1000",
                              cursor.empty() ? "" : "&cursor=", cursor);
      answers.push_back(send(get));
      const nlohmann::json page = nlohmann::json::parse(answers.back());
      const nlohmann::json& pagination = page.at("pagination");
      if (!pagination.value("hasNextPage", false)) break;
      cursor = pagination.at("nextCursor").get<std::string>();
    }
  }
  return answers;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  const std::string work = flags.Get("work", "build-bench/bench-work");
  const std::vector<int> sizes = flags.Ints("sizes", "1000,10000");
  const int repeat = flags.Int("repeat", 5);
  const std::vector<std::string> apis =
      absl::StrSplit(flags.Get("apis", "rest,graphql"), ',');

  std::printf(
      "\n## Plan stages, in-process sandbox, timed through the library "
      "(median of %d, ms)\n\n",
      repeat);
  std::vector<std::string> headers;
  std::vector<std::vector<double>> columns;
  std::vector<std::string> stage_names;
  for (int n : sizes) {
    for (bool holding : {true, false}) {
      absl::StatusOr<Workload> w = WriteWorkload(
          absl::StrCat(work, "/stages-", n, holding ? "-all" : "-none"), n,
          holding);
      if (!w.ok()) Die(std::string(w.status().message()));
      for (const std::string& api : apis) {
        std::vector<Stage> stages = TimeStages(*w, api, repeat);
        headers.push_back(
            absl::StrCat(n, holding ? " no-op " : " creates ", api));
        std::vector<double> col;
        double total = 0;
        stage_names.clear();
        for (const Stage& s : stages) {
          stage_names.push_back(s.name);
          col.push_back(s.seconds);
          total += s.seconds;
        }
        stage_names.push_back("**total**");
        col.push_back(total);
        // The floor, on the same inputs.
        const std::string yaml = MustRead(w->config);
        stage_names.push_back("floor: YAML::Load of podform.yaml");
        col.push_back(TimeMedian(repeat, [&] {
          YAML::Node node = YAML::Load(yaml);
          if (!node.IsMap()) Die("YAML::Load: not a map");
        }));
        const std::vector<std::string> answers = LiveAnswers(api, w->sandbox);
        stage_names.push_back("floor: json::parse of the live answers");
        col.push_back(TimeMedian(repeat, [&] {
          for (const std::string& answer : answers) {
            nlohmann::json j = nlohmann::json::parse(answer);
            if (!j.is_object()) Die("json::parse: not an object");
          }
        }));
        columns.push_back(std::move(col));
      }
    }
  }
  std::printf("| stage |");
  for (const std::string& h : headers) std::printf(" %s |", h.c_str());
  std::printf("\n|---|");
  for (size_t i = 0; i < headers.size(); ++i) std::printf("---:|");
  std::printf("\n");
  for (size_t row = 0; row < stage_names.size(); ++row) {
    std::printf("| %s |", stage_names[row].c_str());
    for (const auto& col : columns) std::printf(" %.1f |", col[row] * 1e3);
    std::printf("\n");
  }
  return 0;
}

}  // namespace
}  // namespace podform::bench

int main(int argc, char** argv) { return podform::bench::Main(argc, argv); }
