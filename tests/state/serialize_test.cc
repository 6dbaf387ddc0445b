#include "reconciler/state/serialize.h"

#include <functional>
#include <regex>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/state/sample_state.h"

namespace podform {
namespace {

using nlohmann::json;

// The sample lock file after `edit` (indented like the real thing).
std::string Edited(const std::function<void(json&)>& edit) {
  json doc = json::parse(SampleLockFile());
  edit(doc);
  return doc.dump(2) + "\n";
}

// The message of ParseState's error for `text`, with its code checked.
std::string ParseError(
    const std::string& text,
    absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
  absl::StatusOr<State> state = ParseState(text, "podform.lock");
  EXPECT_FALSE(state.ok());
  if (state.ok()) return "";
  EXPECT_EQ(state.status().code(), code) << state.status();
  return std::string(state.status().message());
}

TEST(SerializeTest, GoldenVolumeAndPod) {
  EXPECT_EQ(SerializeState(SampleState()), SampleLockFile());
}

TEST(SerializeTest, EmptyStateHasNoIntentsKey) {
  State state;
  state.lineage = kLineage;
  EXPECT_EQ(SerializeState(state),
            "{\n"
            "  \"lineage\": \"0b7c5f8e-2d41-4a3b-9c6e-5f1a2b3c4d5e\",\n"
            "  \"resources\": {},\n"
            "  \"serial\": 0,\n"
            "  \"version\": 1\n"
            "}\n");
}

TEST(SerializeTest, IntentsAreWrittenWhilePending) {
  State state;
  state.lineage = kLineage;
  state.serial = 2;
  state.intents[{Kind::kPod, "worker"}] = {
      {Kind::kPod, "worker"}, "worker", "EU-RO-1", "2026-11-26T22:00:00Z"};
  EXPECT_EQ(SerializeState(state),
            "{\n"
            "  \"intents\": {\n"
            "    \"pod.worker\": {\n"
            "      \"dataCenter\": \"EU-RO-1\",\n"
            "      \"name\": \"worker\",\n"
            "      \"startedAt\": \"2026-11-26T22:00:00Z\"\n"
            "    }\n"
            "  },\n"
            "  \"lineage\": \"0b7c5f8e-2d41-4a3b-9c6e-5f1a2b3c4d5e\",\n"
            "  \"resources\": {},\n"
            "  \"serial\": 2,\n"
            "  \"version\": 1\n"
            "}\n");
}

TEST(SerializeTest, PreexistingIdsAreWrittenInTheirOrderWhenThereAreAny) {
  State state;
  state.lineage = kLineage;
  state.intents[{Kind::kVolume, "data"}] = {{Kind::kVolume, "data"},
                                            "data",
                                            "EU-RO-1",
                                            "2026-11-26T22:00:00Z",
                                            {"vol-b", "vol-a"}};
  EXPECT_EQ(SerializeState(state),
            "{\n"
            "  \"intents\": {\n"
            "    \"volume.data\": {\n"
            "      \"dataCenter\": \"EU-RO-1\",\n"
            "      \"name\": \"data\",\n"
            "      \"preexistingIds\": [\n"
            "        \"vol-b\",\n"
            "        \"vol-a\"\n"
            "      ],\n"
            "      \"startedAt\": \"2026-11-26T22:00:00Z\"\n"
            "    }\n"
            "  },\n"
            "  \"lineage\": \"0b7c5f8e-2d41-4a3b-9c6e-5f1a2b3c4d5e\",\n"
            "  \"resources\": {},\n"
            "  \"serial\": 0,\n"
            "  \"version\": 1\n"
            "}\n");
}

TEST(SerializeTest, RoundTrips) {
  State state = SampleState();
  state.intents[{Kind::kPod, "worker"}] = {
      {Kind::kPod, "worker"}, "worker", "", "2026-11-26T22:00:00Z"};
  state.intents[{Kind::kVolume, "scratch"}] = {{Kind::kVolume, "scratch"},
                                               "scratch",
                                               "EU-RO-1",
                                               "2026-11-26T22:00:00Z",
                                               {"vol-x"}};
  Resource stopped = state.resources.at({Kind::kPod, "trainer"}).resource;
  stopped.address = {Kind::kPod, "idle"};
  stopped.pod.running = false;
  stopped.volume_key.clear();
  stopped.pod.network_volume_id.clear();
  stopped.pod.docker_args = "--shm-size 1g \"quoted\" \\ \xc3\xa9";
  state.resources[stopped.address] = {"idle1234", stopped};
  absl::StatusOr<State> back =
      ParseState(SerializeState(state), "podform.lock");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, state);
}

// Where the state belongs (issue 11, item 3) and what each create
// declared (item 9) survive the file.
TEST(SerializeTest, RoundTripsTheTargetAndWhatIntentsDeclared) {
  State state = SampleState();
  state.target = {"sandbox:/w/.podform/sandbox.json", "user_2x8Kq"};
  Resource volume = state.resources.at({Kind::kVolume, "models"}).resource;
  volume.address = {Kind::kVolume, "scratch"};
  volume.protect = false;
  state.intents[volume.address] = {
      volume.address,         "ml-models", "EU-RO-1",
      "2026-11-26T22:00:00Z", {},          volume};
  const std::string text = SerializeState(state);
  EXPECT_THAT(text,
              ::testing::HasSubstr(
                  "  \"target\": {\n"
                  "    \"account\": \"user_2x8Kq\",\n"
                  "    \"endpoint\": \"sandbox:/w/.podform/sandbox.json\"\n"
                  "  },\n  \"version\": 1\n}\n"));
  absl::StatusOr<State> back = ParseState(text, "podform.lock");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, state);
  EXPECT_FALSE(back->intents.at(volume.address).resource->protect);
}

// A lock file of an older podform has no "target": it loads, with an empty
// one (recorded on the next write).
TEST(ParseStateTest, ALockFileWithoutATargetLoads) {
  absl::StatusOr<State> state = ParseState(SampleLockFile(), "podform.lock");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(state->target.empty());
  EXPECT_EQ(ParseError(Edited([](json& j) { j["target"] = 3; })),
            "podform.lock: \"target\" must be an object, not number");
  EXPECT_EQ(ParseError(Edited([](json& j) { j["target"] = json::object(); })),
            "podform.lock: missing \"endpoint\"");
  EXPECT_EQ(ParseError(Edited([](json& j) {
              j["target"] = {{"endpoint", "x"}, {"region", "y"}};
            })),
            "podform.lock: unknown field \"region\"");
}

TEST(SerializeTest, ByteStable) {
  const std::string once = SerializeState(SampleState());
  absl::StatusOr<State> parsed = ParseState(once, "podform.lock");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(SerializeState(*parsed), once);
  EXPECT_EQ(SerializeState(SampleState()), once);
}

TEST(SerializeTest, CanonicalizesAnyLayout) {
  // Compact, keys in another order: the same state, written canonically.
  json doc = json::parse(SampleLockFile());
  std::string compact = doc.dump();
  absl::StatusOr<State> parsed = ParseState(compact, "podform.lock");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(SerializeState(*parsed), SampleLockFile());
}

// The layout DESIGN.md gives the lock file, built the plain way: one JSON
// tree of the whole state, keys sorted, dumped with a 2-space indent.
std::string TreeDump(const State& state) {
  json root = json::object();
  root["version"] = State::kVersion;
  root["lineage"] = state.lineage;
  root["serial"] = state.serial;
  root["resources"] = json::object();
  for (const auto& [address, recorded] : state.resources) {
    Resource resource = recorded.resource;
    resource.address = address;
    json entry = {{"id", recorded.id}, {"attributes", ToAttributes(resource)}};
    if (address.kind == Kind::kVolume) entry["protect"] = resource.protect;
    root["resources"][address.ToString()] = entry;
  }
  for (const auto& [address, intent] : state.intents) {
    json entry = {{"name", intent.name},
                  {"dataCenter", intent.data_center},
                  {"startedAt", intent.started_at}};
    if (!intent.preexisting_ids.empty()) {
      entry["preexistingIds"] = intent.preexisting_ids;
    }
    if (intent.resource.has_value()) {
      Resource resource = *intent.resource;
      resource.address = address;
      entry["attributes"] = ToAttributes(resource);
    }
    root["intents"][address.ToString()] = entry;
  }
  for (const auto& [address, pods] : state.deposed) {
    json entries = json::array();
    for (const ResourceState& pod : pods) {
      Resource resource = pod.resource;
      resource.address = address;
      entries.push_back(
          {{"id", pod.id}, {"attributes", ToAttributes(resource)}});
    }
    root["deposed"][address.ToString()] = entries;
  }
  if (!state.target.empty()) {
    root["target"] = {{"endpoint", state.target.endpoint}};
    if (!state.target.account.empty()) {
      root["target"]["account"] = state.target.account;
    }
  }
  return root.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

// Volumes and pods whose JSON keys sort differently from their addresses
// (volumes first, by name; JSON: "pod.*" first), with strings that need
// escaping or replacing.
State MixedState() {
  State state = SampleState();
  for (const char* name : {"a", "zz", "m-1", "M"}) {
    Resource volume = state.resources.at({Kind::kVolume, "models"}).resource;
    volume.address = {Kind::kVolume, name};
    volume.volume.name = absl::StrCat("vol \"", name, "\"\n\xff");
    volume.protect = name[0] == 'a';
    state.resources[volume.address] = {absl::StrCat("v-", name), volume};
    Resource pod = state.resources.at({Kind::kPod, "trainer"}).resource;
    pod.address = {Kind::kPod, name};
    pod.pod.env["NOTE"] = "tab\there \u00e9";
    state.resources[pod.address] = {absl::StrCat("p-", name), pod};
  }
  state.intents[{Kind::kVolume, "b"}] = {
      {Kind::kVolume, "b"}, "b", "EU-RO-1", "2026-11-26T22:00:00Z"};
  state.intents[{Kind::kPod, "b"}] = {{Kind::kPod, "b"},
                                      "b",
                                      "",
                                      "2026-11-26T22:00:01Z",
                                      {"handmade-2", "handmade-1"}};
  return state;
}

TEST(SerializeTest, IsTheTreeDumpOfTheState) {
  State state = MixedState();
  EXPECT_EQ(SerializeState(state), TreeDump(state));
  state.target = {"https://api.runpod.io/graphql", "user_2x8Kq"};
  state.intents.at({Kind::kPod, "b"}).resource =
      state.resources.at({Kind::kPod, "trainer"}).resource;
  EXPECT_EQ(SerializeState(state), TreeDump(state));
  state.target.account.clear();
  EXPECT_EQ(SerializeState(state), TreeDump(state));
  state.intents.clear();
  EXPECT_EQ(SerializeState(state), TreeDump(state));
  state.Depose({Kind::kPod, "trainer"});
  ResourceState second = state.deposed.at({Kind::kPod, "trainer"})[0];
  second.id = "zz-second";
  state.deposed.at({Kind::kPod, "trainer"}).push_back(second);
  EXPECT_EQ(SerializeState(state), TreeDump(state));
  state.deposed.clear();
  state.resources.clear();
  EXPECT_EQ(SerializeState(state), TreeDump(state));
}

TEST(StateTest, DeposedOwnerNamesTheAddressWhoseDeposedPodsHoldTheId) {
  State state = MixedState();
  const std::string trainer = state.resources.at({Kind::kPod, "trainer"}).id;
  EXPECT_EQ(state.DeposedOwner(trainer), nullptr);
  EXPECT_TRUE(state.Records(trainer));
  state.Depose({Kind::kPod, "trainer"});
  const Address* owner = state.DeposedOwner(trainer);
  ASSERT_NE(owner, nullptr);
  EXPECT_EQ(*owner, (Address{Kind::kPod, "trainer"}));
  EXPECT_TRUE(state.Records(trainer));
  EXPECT_EQ(state.DeposedOwner("p-a"), nullptr);  // recorded, not deposed
  ASSERT_TRUE(state.RemoveDeposed({Kind::kPod, "trainer"}, trainer));
  EXPECT_EQ(state.DeposedOwner(trainer), nullptr);
  EXPECT_FALSE(state.Records(trainer));
}

TEST(StateSerializerTest, RendersAgainOnlyTheEntriesThatChanged) {
  StateSerializer serializer;
  State state = MixedState();  // 10 resources and 2 intents
  EXPECT_EQ(serializer.Serialize(state, 8), TreeDump([&] {
              State s = state;
              s.serial = 8;
              return s;
            }()));
  EXPECT_EQ(serializer.renders(), 12u);

  // Nothing changed: nothing rendered.
  EXPECT_EQ(serializer.Serialize(state, state.serial), TreeDump(state));
  EXPECT_EQ(serializer.renders(), 12u);

  // One resource changed, one intent settled into a new resource.
  state.resources.at({Kind::kPod, "zz"}).resource.pod.running = false;
  state.intents.erase({Kind::kPod, "b"});
  Resource b = state.resources.at({Kind::kPod, "a"}).resource;
  b.address = {Kind::kPod, "b"};
  state.resources[b.address] = {"p-b", b};
  EXPECT_EQ(serializer.Serialize(state, state.serial), TreeDump(state));
  EXPECT_EQ(serializer.renders(), 14u);

  // Removals render nothing.
  state.resources.erase({Kind::kVolume, "a"});
  state.resources.erase(state.resources.begin());
  state.intents.clear();
  EXPECT_EQ(serializer.Serialize(state, state.serial), TreeDump(state));
  EXPECT_EQ(serializer.renders(), 14u);

  // An entry put back as it was is rendered again (it was forgotten).
  state.intents[{Kind::kPod, "b"}] = {
      {Kind::kPod, "b"}, "b", "", "2026-11-26T22:00:01Z"};
  EXPECT_EQ(serializer.Serialize(state, state.serial), TreeDump(state));
  EXPECT_EQ(serializer.renders(), 15u);

  state.resources.clear();
  state.intents.clear();
  EXPECT_EQ(serializer.Serialize(state, 0), TreeDump([&] {
              State s = state;
              s.serial = 0;
              return s;
            }()));
}

TEST(NewLineageTest, IsRandomUuidV4) {
  std::set<std::string> seen;
  const std::regex uuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  for (int i = 0; i < 100; ++i) {
    std::string lineage = NewLineage();
    EXPECT_TRUE(std::regex_match(lineage, uuid)) << lineage;
    seen.insert(lineage);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(ParseStateTest, EmptyFile) {
  EXPECT_EQ(ParseError(""),
            "podform.lock: the file is empty (truncated?); restore it from "
            "version control or a backup");
  EXPECT_EQ(ParseError(" \n"),
            "podform.lock: the file is empty (truncated?); restore it from "
            "version control or a backup");
}

TEST(ParseStateTest, TruncatedFile) {
  std::string text = SampleLockFile();
  // Cut inside the key of line 31, `    "volume.models": {`.
  text = text.substr(0, text.find("\"volume.models\": {") + 5);
  EXPECT_EQ(ParseError(text),
            "podform.lock: not valid JSON at line 31, column 10: unexpected "
            "end of input");
  EXPECT_EQ(ParseError("{\n  \"version\": 1,\n"),
            "podform.lock: not valid JSON at line 3, column 1: unexpected end "
            "of input");
}

TEST(ParseStateTest, NotAnObject) {
  EXPECT_EQ(ParseError("[1, 2]"),
            "podform.lock: not a podform lock file: expected a JSON object, "
            "not array");
}

TEST(ParseStateTest, NestedTooDeeply) {
  EXPECT_EQ(ParseError(std::string(100000, '[') + std::string(100000, ']')),
            "podform.lock: not a podform lock file: nested deeper than 16 "
            "levels");
  // Brackets inside strings do not count.
  std::string text = Edited([](json& doc) {
    doc["resources"]["pod.trainer"]["attributes"]["dockerArgs"] =
        std::string(40, '[') + "\\\"" + std::string(40, '{');
  });
  EXPECT_TRUE(ParseState(text, "podform.lock").ok());
}

TEST(ParseStateTest, Version) {
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc.erase("version"); })),
            "podform.lock: missing \"version\"; this is not a podform lock "
            "file");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["version"] = "1"; })),
            "podform.lock: \"version\" must be an integer, not string");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["version"] = 1.5; })),
            "podform.lock: \"version\" must be an integer, not number");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["version"] = 0; })),
            "podform.lock: unsupported version 0; this podform reads version "
            "1");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["version"] = -3; })),
            "podform.lock: unsupported version -3; this podform reads version "
            "1");
}

TEST(ParseStateTest, NewerVersionIsRefusedBeforeAnythingElse) {
  // A newer file may differ in every other field.
  EXPECT_EQ(ParseError(R"({"version": 2, "resources": []})",
                       absl::StatusCode::kFailedPrecondition),
            "podform.lock was written by a newer podform (version 2); this "
            "podform reads version 1: upgrade podform");
  EXPECT_EQ(ParseError(R"({"version": 18446744073709551615})",
                       absl::StatusCode::kFailedPrecondition),
            "podform.lock was written by a newer podform (version "
            "18446744073709551615); this podform reads version 1: upgrade "
            "podform");
}

TEST(ParseStateTest, TopLevelFields) {
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["extra"] = 1; })),
            "podform.lock: unknown field \"extra\"");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc.erase("lineage"); })),
            "podform.lock: missing \"lineage\"");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["lineage"] = ""; })),
            "podform.lock: \"lineage\" must be a non-empty string");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["lineage"] = 5; })),
            "podform.lock: \"lineage\" must be a non-empty string, not number");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc.erase("serial"); })),
            "podform.lock: missing \"serial\"");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["serial"] = "7"; })),
            "podform.lock: \"serial\" must be a non-negative integer, not "
            "string");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["serial"] = -1; })),
            "podform.lock: \"serial\" must be a non-negative integer, not -1");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["serial"] = 7.5; })),
            "podform.lock: \"serial\" must be a non-negative integer, not 7.5");
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc.erase("resources"); })),
            "podform.lock: missing \"resources\"");
  EXPECT_EQ(
      ParseError(Edited([](json& doc) { doc["resources"] = json::array(); })),
      "podform.lock: \"resources\" must be an object, not array");
}

TEST(ParseStateTest, BadAddress) {
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["disk.x"] = doc["resources"]["volume.models"];
            })),
            "podform.lock: resources: invalid address \"disk.x\": expected "
            "volume.NAME, pod.NAME or endpoint.NAME");
  EXPECT_EQ(ParseError(Edited(
                [](json& doc) { doc["intents"]["volume"] = json::object(); })),
            "podform.lock: intents: invalid address \"volume\": expected "
            "volume.NAME, pod.NAME or endpoint.NAME");
}

TEST(ParseStateTest, ResourceFields) {
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["volume.models"] = "agv6w2qcg7";
            })),
            "podform.lock: volume.models: must be an object, not string");
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["volume.models"].erase("id");
            })),
            "podform.lock: volume.models: missing \"id\"");
  EXPECT_EQ(ParseError(Edited(
                [](json& doc) { doc["resources"]["pod.trainer"]["id"] = 12; })),
            "podform.lock: pod.trainer: \"id\" must be a non-empty string, "
            "not number");
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["pod.trainer"]["protect"] = true;
            })),
            "podform.lock: pod.trainer: unknown field \"protect\"");
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["volume.models"].erase("attributes");
            })),
            "podform.lock: volume.models: missing \"attributes\"");
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["volume.models"].erase("protect");
            })),
            "podform.lock: volume.models: missing \"protect\"");
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["volume.models"]["protect"] = "yes";
            })),
            "podform.lock: volume.models: \"protect\" must be true or false, "
            "not string");
}

TEST(ParseStateTest, HandEditedProtectionMustAgree) {
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["volume.models"]["protect"] = false;
            })),
            "podform.lock: volume.models: \"protect\" is false but "
            "attributes.protect is true; they must agree (was the file edited "
            "by hand?)");
}

TEST(ParseStateTest, Attributes) {
  auto attributes_edit = [](const char* address,
                            std::function<void(json&)> edit) {
    return Edited(
        [&](json& doc) { edit(doc["resources"][address]["attributes"]); });
  };
  EXPECT_EQ(ParseError(attributes_edit("volume.models",
                                       [](json& a) { a.erase("size"); })),
            "podform.lock: volume.models: missing attribute \"size\"");
  EXPECT_EQ(ParseError(attributes_edit("volume.models",
                                       [](json& a) { a["size"] = "500"; })),
            "podform.lock: volume.models: attribute \"size\" has the wrong "
            "type");
  EXPECT_EQ(ParseError(attributes_edit("volume.models",
                                       [](json& a) { a["size"] = 500.5; })),
            "podform.lock: volume.models: attribute \"size\" must be an "
            "integer");
  EXPECT_EQ(ParseError(attributes_edit("volume.models",
                                       [](json& a) { a["size"] = 1e300; })),
            "podform.lock: volume.models: attribute \"size\" must be an "
            "integer");
  EXPECT_EQ(ParseError(attributes_edit("volume.models",
                                       [](json& a) { a["size"] = true; })),
            "podform.lock: volume.models: attribute \"size\" has the wrong "
            "type");
  EXPECT_EQ(ParseError(attributes_edit("volume.models",
                                       [](json& a) { a["color"] = "red"; })),
            "podform.lock: volume.models: unknown attribute \"color\"");
  EXPECT_EQ(ParseError(attributes_edit(
                "pod.trainer", [](json& a) { a["gpuCount"] = 4294967297; })),
            "podform.lock: pod.trainer: attribute \"gpuCount\" is out of "
            "range");
  EXPECT_EQ(ParseError(attributes_edit(
                "pod.trainer", [](json& a) { a["status"] = "paused"; })),
            "podform.lock: pod.trainer: attribute \"status\" must be "
            "\"running\" or \"stopped\"");
  EXPECT_EQ(
      ParseError(attributes_edit("pod.trainer",
                                 [](json& a) {
                                   a["secretEnv"] = {"HF_TOKEN", "HF_TOKEN"};
                                 })),
      "podform.lock: pod.trainer: attribute \"secretEnv\" is not in "
      "canonical form; expected [\"HF_TOKEN\"]");
  EXPECT_EQ(ParseError(attributes_edit("pod.trainer",
                                       [](json& a) { a["env"]["N"] = 1; })),
            "podform.lock: pod.trainer: attribute \"env\" has the wrong type");
  EXPECT_EQ(ParseError(Edited([](json& doc) {
              doc["resources"]["pod.trainer"]["attributes"] = json::array();
            })),
            "podform.lock: pod.trainer: \"attributes\" must be an object, not "
            "array");
}

TEST(ParseStateTest, Intents) {
  auto with_intent = [](json intent) {
    return Edited([&](json& doc) { doc["intents"]["pod.worker"] = intent; });
  };
  json good = {{"name", "worker"},
               {"dataCenter", "EU-RO-1"},
               {"startedAt", "2026-11-26T22:00:00Z"}};
  absl::StatusOr<State> state = ParseState(with_intent(good), "podform.lock");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->intents.at({Kind::kPod, "worker"}),
            (CreateIntent{{Kind::kPod, "worker"},
                          "worker",
                          "EU-RO-1",
                          "2026-11-26T22:00:00Z"}));
  json missing = good;
  missing.erase("startedAt");
  EXPECT_EQ(ParseError(with_intent(missing)),
            "podform.lock: intents: pod.worker: missing \"startedAt\"");
  json wrong = good;
  wrong["name"] = nullptr;
  EXPECT_EQ(ParseError(with_intent(wrong)),
            "podform.lock: intents: pod.worker: \"name\" must be a string, "
            "not null");
  json extra = good;
  extra["id"] = "x";
  EXPECT_EQ(ParseError(with_intent(extra)),
            "podform.lock: intents: pod.worker: unknown field \"id\"");
  EXPECT_EQ(ParseError(with_intent(json::array())),
            "podform.lock: intents: pod.worker: must be an object, not array");
  json preexisting = good;
  preexisting["preexistingIds"] = {"p-1", "p-2"};
  state = ParseState(with_intent(preexisting), "podform.lock");
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_EQ(state->intents.at({Kind::kPod, "worker"}).preexisting_ids,
            (std::vector<std::string>{"p-1", "p-2"}));
  for (json bad : {json("p-1"), json::array({1}), json::array({""})}) {
    json entry = good;
    entry["preexistingIds"] = bad;
    EXPECT_THAT(ParseError(with_intent(entry)),
                ::testing::StartsWith(
                    "podform.lock: intents: pod.worker: \"preexistingIds\" "
                    "must be a list"))
        << bad.dump();
  }
  EXPECT_EQ(ParseError(Edited([](json& doc) { doc["intents"] = 3; })),
            "podform.lock: \"intents\" must be an object, not number");
}

TEST(ParseStateTest, Deposed) {
  // An entry as the resources section writes it, in a list per address.
  json pod = json::parse(SampleLockFile())["resources"]["pod.trainer"];
  auto with = [](json deposed) {
    return Edited([&](json& doc) { doc["deposed"] = deposed; });
  };
  json second = pod;
  second["id"] = "zz-second";
  absl::StatusOr<State> state =
      ParseState(with({{"pod.trainer", {pod, second}}}), "podform.lock");
  ASSERT_TRUE(state.ok()) << state.status();
  const std::vector<ResourceState>& pods =
      state->deposed.at({Kind::kPod, "trainer"});
  ASSERT_EQ(pods.size(), 2u);
  EXPECT_EQ(pods[0], SampleState().resources.at({Kind::kPod, "trainer"}));
  EXPECT_EQ(pods[1].id, "zz-second");
  EXPECT_EQ(ParseState(SerializeState(*state), "x").value(), *state);
  EXPECT_EQ(ParseError(with({{"pod.trainer", {second, pod}}})),
            "podform.lock: deposed: pod.trainer: must be sorted by id, each "
            "id once");
  EXPECT_EQ(ParseError(with({{"pod.trainer", {pod, pod}}})),
            "podform.lock: deposed: pod.trainer: must be sorted by id, each "
            "id once");
  EXPECT_EQ(ParseError(with({{"pod.trainer", json::array()}})),
            "podform.lock: deposed: pod.trainer: must be a non-empty list");
  EXPECT_EQ(ParseError(with({{"volume.models", {pod}}})),
            "podform.lock: deposed: volume.models: only pods are deposed");
  EXPECT_EQ(ParseError(with(3)),
            "podform.lock: \"deposed\" must be an object, not number");
}

TEST(ParseStateTest, InvalidUtf8IsNotJson) {
  EXPECT_EQ(ParseError("{\"version\": 1, \"lineage\": \"\xff\"}"),
            "podform.lock: not valid JSON at line 1, column 28: invalid "
            "string: ill-formed UTF-8 byte; last read: '\"\xff'");
}

TEST(ParseStateTest, NamesTheGivenPath) {
  absl::StatusOr<State> state = ParseState("{", "/srv/infra/podform.lock");
  EXPECT_EQ(state.status().message(),
            "/srv/infra/podform.lock: not valid JSON at line 1, column 2: "
            "unexpected end of input");
}

}  // namespace
}  // namespace podform

namespace podform {
namespace {

// An endpoint as the config records it (config/config.h RecordedResource).
Resource SampleEndpoint() {
  Resource e;
  e.address = {Kind::kEndpoint, "embed"};
  e.endpoint.name = "embed-api";
  e.endpoint.image = "ghcr.io/acme/embed-worker:1.4";
  e.endpoint.gpu_pools = {"ADA_24", "AMPERE_48"};
  e.endpoint.workers_max = 2;
  e.endpoint.scaler_value = 2.5;
  e.endpoint.network_volume_ids = {"vol-eu", "vol-us"};
  e.endpoint.data_centers = {"EU-RO-1", "US-TX-3"};
  e.endpoint.timeout_ms = 600000;
  e.endpoint.flashboot = "FLASHBOOT";
  e.endpoint.env = {{"MODEL_DIR", "/runpod-volume/models"}};
  e.volume_keys = {"models-eu", "models-us"};
  e.read_only = true;
  e.secret_env = {"HF_TOKEN"};
  return e;
}

// Endpoints sort after pods as addresses but first as JSON keys
// ("endpoint.*" < "pod.*" < "volume.*"): the file is still json::dump's,
// and reads back as it was.
TEST(SerializeTest, EndpointsAreRecordedAndReadBack) {
  State state = SampleState();
  Resource endpoint = SampleEndpoint();
  state.resources[endpoint.address] = {"ep1234abcd5678", endpoint};
  Resource queue = endpoint;
  queue.address = {Kind::kEndpoint, "a"};
  queue.endpoint.scaler_type = kScalerRequestCount;
  queue.endpoint.scaler_value = 3;
  queue.endpoint.idle_timeout = 0;
  queue.volume_keys.clear();
  queue.endpoint.network_volume_ids.clear();
  queue.read_only = false;
  state.resources[queue.address] = {"ep0000abcd5678", queue};
  const std::string text = SerializeState(state);
  EXPECT_EQ(text, TreeDump(state));
  const size_t resources = text.find("\"resources\"");
  EXPECT_LT(resources, text.find("\"endpoint.a\""));
  EXPECT_LT(text.find("\"endpoint.a\""), text.find("\"endpoint.embed\""));
  EXPECT_LT(text.find("\"endpoint.embed\""), text.find("\"pod.", resources));
  EXPECT_NE(text.find("\"scaling\": {\n          \"requestCount\": 3\n"),
            std::string::npos);
  absl::StatusOr<State> back = ParseState(text, "podform.lock");
  ASSERT_TRUE(back.ok()) << back.status();
  for (const auto& [address, recorded] : state.resources) {
    ASSERT_EQ(back->resources.count(address), 1u) << address.ToString();
    EXPECT_EQ(back->resources.at(address), recorded) << address.ToString();
  }
  EXPECT_EQ(back->intents, state.intents);
  EXPECT_EQ(*back, state);
  StateSerializer serializer;
  EXPECT_EQ(serializer.Serialize(state, state.serial), text);
}

}  // namespace
}  // namespace podform
