// schema/operations/*.graphql: the documents the client sends are valid
// against schema/runpod.graphql, and so are the variables it sends with them.

#include <cctype>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/executor.h"
#include "reconciler/graphql/schema.h"
#include "reconciler/util/embedded.h"
#include "tests/client/client_test_util.h"

namespace podform {
namespace {

using ::podform::testing::ProviderFixture;

constexpr char kPrefix[] = "schema/operations/";

std::map<std::string, std::string> OperationFiles() {
  std::map<std::string, std::string> files;
  for (const EmbeddedEntry& entry : EmbeddedFiles()) {
    if (entry.path.starts_with(kPrefix)) {
      files.emplace(entry.path, entry.contents);
    }
  }
  return files;
}

TEST(OperationsTest, EveryFileValidatesAgainstTheRunPodSchema) {
  std::map<std::string, std::string> files = OperationFiles();
  std::set<std::string> names;
  for (const auto& [path, text] : files) names.insert(path);
  EXPECT_EQ(names, (std::set<std::string>{
                       "schema/operations/CreateNetworkVolume.graphql",
                       "schema/operations/DeleteNetworkVolume.graphql",
                       "schema/operations/GpuTypes.graphql",
                       "schema/operations/PodEditJob.graphql",
                       "schema/operations/PodFindAndDeployOnDemand.graphql",
                       "schema/operations/PodResume.graphql",
                       "schema/operations/PodStop.graphql",
                       "schema/operations/PodTerminate.graphql",
                       "schema/operations/Refresh.graphql",
                       "schema/operations/UpdateNetworkVolume.graphql"}));
  for (const auto& [path, text] : files) {
    EXPECT_EQ(graphql::ValidateDocument(graphql::Schema::RunPod(), text),
              absl::OkStatus())
        << path;
  }
}

// The names of the top-level definitions of a document: operation names, ""
// for an anonymous operation or a query shorthand "{ ... }". Comments and
// everything inside braces are skipped.
std::vector<std::string> OperationNames(const std::string& text) {
  std::vector<std::string> names;
  int depth = 0;
  bool in_operation = false;  // between an operation keyword and its '{'
  size_t i = 0;
  auto is_name = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  while (i < text.size()) {
    char c = text[i];
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '{') {
      if (depth == 0 && !in_operation) names.push_back("");  // shorthand
      if (depth == 0) in_operation = false;
      ++depth;
    }
    if (c == '}') --depth;
    if (depth == 0 && is_name(c)) {
      size_t start = i;
      while (i < text.size() && is_name(text[i])) ++i;
      std::string word = text.substr(start, i - start);
      if (word == "query" || word == "mutation" || word == "subscription") {
        while (i < text.size() &&
               std::isspace(static_cast<unsigned char>(text[i])))
          ++i;
        start = i;
        while (i < text.size() && is_name(text[i])) ++i;
        names.push_back(text.substr(start, i - start));
        in_operation = true;
      }
      continue;
    }
    ++i;
  }
  return names;
}

TEST(OperationsTest, OneNamedOperationPerFileNamedLikeTheFile) {
  EXPECT_EQ(OperationNames("# query X\nquery A { a { b } }\n{ c }"),
            (std::vector<std::string>{"A", ""}));
  EXPECT_EQ(OperationNames("mutation ($v: Int) { x } query B { y }"),
            (std::vector<std::string>{"", "B"}));
  for (const auto& [path, text] : OperationFiles()) {
    std::string stem = path.substr(sizeof(kPrefix) - 1);
    stem = stem.substr(0, stem.size() - std::string(".graphql").size());
    EXPECT_THAT(OperationNames(text), ::testing::ElementsAre(stem)) << path;
    EXPECT_EQ(text.find("fragment"), std::string::npos) << path;
    // Mutations take their input as a variable, never as inline literals.
    if (text.find("mutation ") != std::string::npos) {
      EXPECT_NE(text.find(stem + "($input: "), std::string::npos) << path;
      EXPECT_NE(text.find("(input: $input)"), std::string::npos) << path;
    }
  }
}

TEST(OperationsTest, MalformedDocumentIsRejected) {
  // Guards the test above: the validator does reject a field RunPod lacks.
  EXPECT_FALSE(graphql::ValidateDocument(
                   graphql::Schema::RunPod(),
                   "query Refresh { myself { networkVolumes { id bogus } } }")
                   .ok());
}

// Runs every Provider method against a fake and executes each recorded
// request body (document + variables) with the schema's executor and no
// resolvers: a 400 would mean a variable that does not match the schema.
TEST(OperationsTest, EveryRequestBodyIsAcceptedByTheSchema) {
  ProviderFixture f;
  const std::string pod = R"({"id": "p", "name": "n", "imageName": "i",
      "dockerArgs": "", "env": [], "gpuCount": 1, "containerDiskInGb": 20,
      "volumeInGb": 0, "volumeMountPath": "", "networkVolumeId": "",
      "desiredStatus": "RUNNING", "costPerHr": 0, "ports": "",
      "machine": null})";
  const std::string volume =
      R"({"id": "v", "name": "n", "size": 10, "dataCenterId": "EU-RO-1"})";
  f.transport->AnswerData(
      R"({"myself": {"networkVolumes": [], "pods": []}, "gpuTypes": []})");
  f.transport->AnswerData(R"({"createNetworkVolume": )" + volume + "}");
  f.transport->AnswerData(R"({"updateNetworkVolume": )" + volume + "}");
  f.transport->AnswerData(R"({"deleteNetworkVolume": null})");
  f.transport->AnswerData(R"({"podFindAndDeployOnDemand": )" + pod + "}");
  f.transport->AnswerData(R"({"podFindAndDeployOnDemand": )" + pod + "}");
  f.transport->AnswerData(R"({"podEditJob": )" + pod + "}");
  f.transport->AnswerData(R"({"podStop": )" + pod + "}");
  f.transport->AnswerData(R"({"podResume": )" + pod + "}");
  f.transport->AnswerData(R"({"podTerminate": null})");

  PodSpec spec;
  spec.name = "trainer";
  spec.image = "img";
  spec.gpu_type = "NVIDIA A100 80GB PCIe";
  spec.data_center = "EU-RO-1";
  spec.network_volume_id = "v";
  spec.ports = {"22/tcp"};
  spec.env = {{"A", "1"}};
  PodSpec community = spec;
  community.cloud_type = "COMMUNITY";
  community.network_volume_id.clear();
  community.data_center.clear();

  ASSERT_TRUE(f.provider->Refresh().ok());
  ASSERT_TRUE(f.provider->CreateVolume({"n", 10, "EU-RO-1"}).ok());
  ASSERT_TRUE(f.provider->UpdateVolume("v", {"n", 20, "EU-RO-1"}).ok());
  ASSERT_TRUE(f.provider->DeleteVolume("v").ok());
  ASSERT_TRUE(f.provider->CreatePod(spec).ok());
  ASSERT_TRUE(f.provider->CreatePod(community).ok());
  ASSERT_TRUE(f.provider->EditPod("p", spec).ok());
  ASSERT_TRUE(f.provider->StopPod("p").ok());
  ASSERT_TRUE(f.provider->ResumePod("p", 2).ok());
  ASSERT_TRUE(f.provider->TerminatePod("p").ok());

  graphql::Executor executor(graphql::Schema::RunPod());
  std::vector<std::string> bodies = f.transport->bodies();
  ASSERT_EQ(bodies.size(), 10u);
  for (const std::string& body : bodies) {
    graphql::ExecutionResult result = executor.ExecuteBody(body, nullptr);
    EXPECT_EQ(result.http_status, 200) << body << "\n" << result.body.dump();
    EXPECT_FALSE(result.body.contains("errors")) << result.body.dump();
  }
}

}  // namespace
}  // namespace podform
