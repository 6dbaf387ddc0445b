// One case per validation rule: the exact diagnostics, positions included.
// tests/config/broken/ holds more, as files; this table keeps the cases that
// are clearest inline.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reconciler/config/config.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::Messages;
using ::podform::testing::Parse;

struct RuleCase {
  std::string name;
  std::string yaml;
  std::vector<std::string> expected;  // "" = valid, no diagnostics
};

void PrintTo(const RuleCase& c, std::ostream* os) { *os << c.name; }

class RuleTest : public ::testing::TestWithParam<RuleCase> {};

TEST_P(RuleTest, ReportsExactly) {
  const RuleCase& c = GetParam();
  LoadResult result = Parse(c.yaml);
  EXPECT_EQ(Messages(result), c.expected);
  bool has_error = false;
  for (const Diagnostic& d : result.diagnostics) {
    has_error |= d.severity == Diagnostic::Severity::kError;
  }
  EXPECT_EQ(result.config.has_value(), !has_error);
}

const std::string k63(63, 'a');

// Two pods that mount volume.data read-write (the default), at lines 5, 6.
const std::string kTwoWriters =
    "version: 1\nvolumes:\n  data: {size: 10, dataCenter: EU-RO-1}\npods:\n"
    "  a: {image: i, gpuType: NVIDIA L4, volume: data}\n"
    "  b: {image: i, gpuType: NVIDIA L4, volume: data}\n";

INSTANTIATE_TEST_SUITE_P(
    Rules, RuleTest,
    ::testing::Values(
        RuleCase{"SyntaxErrorAtTheParsersMark",
                 "version: 1\npods: [a, b\n",
                 {"podform.yaml:3:1: YAML syntax error: end of sequence flow "
                  "not found"}},
        RuleCase{"TabIndentationGetsAHint",
                 "version: 1\nvolumes:\n\tv: {}\n",
                 {"podform.yaml:3:3: YAML syntax error: illegal map value "
                  "(YAML does not allow tabs for indentation)"}},
        RuleCase{"UnterminatedSingleQuote",
                 "version: 1\npods:\n  p:\n    image: 'it''s\n    gpuType: x\n",
                 {"podform.yaml:4:12: YAML syntax error: unterminated quoted "
                  "string"}},
        RuleCase{"UnterminatedQuoteInTheLastItemOfAList",
                 "version: 1\npods:\n  p:\n    image: x\n    ports:\n"
                 "      - 8888/http\n      - \"22/tcp\n",
                 {"podform.yaml:7:9: YAML syntax error: unterminated quoted "
                  "string"}},
        RuleCase{"UnterminatedQuoteInAKey",
                 "version: 1\nvolumes:\n  v: {size: 10}\n\"w: 1\n",
                 {"podform.yaml:4:1: YAML syntax error: unterminated quoted "
                  "string"}},
        RuleCase{"KeysMustBeScalars",
                 "version: 1\n? [a, b]\n: 1\n",
                 {"podform.yaml:2:3: keys must be strings, got a list"}},
        RuleCase{"NullKeyIsNotAString",
                 "version: 1\nvolumes:\n  ~: {size: 10}\n",
                 {"podform.yaml:3:3: volumes: keys must be strings, got null"}},
        RuleCase{"VersionAsFloat",
                 "version: 1.0\n",
                 {"podform.yaml:1:10: version: expected an integer, got a "
                  "number"}},
        RuleCase{"AddressKeyOf63CharactersIsValid",
                 "version: 1\nvolumes:\n  " + k63 +
                     ": {size: 10, dataCenter: EU-RO-1}\n",
                 {}},
        RuleCase{"AddressKeyOf64CharactersIsNot",
                 "version: 1\nvolumes:\n  " + k63 +
                     "b: {size: 10, dataCenter: EU-RO-1}\n",
                 {"podform.yaml:3:3: volumes: invalid key \"" + k63 +
                  "b\": keys are addresses and must match "
                  "[a-z0-9][a-z0-9_-]*, at most 63 characters"}},
        RuleCase{"AddressKeysMayNotStartWithAHyphenOrHoldADot",
                 "version: 1\npods:\n  -x: {image: i, gpuType: NVIDIA L4}\n"
                 "  a.b: {image: i, gpuType: NVIDIA L4}\n",
                 {"podform.yaml:3:3: pods: invalid key \"-x\": keys are "
                  "addresses and must match [a-z0-9][a-z0-9_-]*, at most 63 "
                  "characters",
                  "podform.yaml:4:3: pods: invalid key \"a.b\": keys are "
                  "addresses and must match [a-z0-9][a-z0-9_-]*, at most 63 "
                  "characters"}},
        RuleCase{"ImplicitNameCollidesWithAnExplicitOne",
                 "version: 1\ndefaults: {dataCenter: EU-RO-1}\nvolumes:\n"
                 "  a: {name: b, size: 10}\n  b: {size: 10}\n",
                 {"podform.yaml:5:3: volumes.b: RunPod name \"b\" is already "
                  "used by volumes.a at line 4; names must be unique among "
                  "volumes"}},
        RuleCase{"AVolumeAndAPodMayShareAName",
                 "version: 1\nvolumes:\n  x: {size: 10, dataCenter: EU-RO-1}\n"
                 "pods:\n  x: {image: i, gpuType: NVIDIA L4, volume: x}\n",
                 {}},
        RuleCase{"CommunityWithoutAVolumeIsFine",
                 "version: 1\npods:\n  p: {image: i, gpuType: NVIDIA L4, "
                 "cloudType: COMMUNITY, dataCenter: EU-SE-1}\n",
                 {}},
        RuleCase{"AVolumesOwnProblemIsNotRepeatedOnItsPods",
                 "version: 1\nvolumes:\n  v: {size: 10}\npods:\n"
                 "  p: {image: i, gpuType: NVIDIA L4, volume: v, dataCenter: "
                 "EU-SE-1}\n",
                 {"podform.yaml:3:3: volumes.v: missing required key "
                  "\"dataCenter\" (no defaults.dataCenter is set)"}},
        RuleCase{"BadDefaultDataCenterIsReportedOnce",
                 "version: 1\ndefaults: {dataCenter: [EU-RO-1]}\nvolumes:\n"
                 "  v: {size: 10}\n",
                 {"podform.yaml:2:24: defaults.dataCenter: expected a string, "
                  "got a list"}},
        RuleCase{"GuardsTakeANonNegativeRunwayAndABoolean",
                 "version: 1\nguards: {minRunwayDays: 2.5, strict: true}\n",
                 {}},
        RuleCase{"GuardsRejectBadValuesAndUnknownKeys",
                 "version: 1\nguards:\n  minRunwayDays: -1\n  strict: yes\n"
                 "  minRunway: 3\n",
                 {"podform.yaml:3:18: guards.minRunwayDays: must be at least "
                  "0, got -1",
                  "podform.yaml:4:11: guards.strict: expected true or false, "
                  "got a string",
                  "podform.yaml:5:3: guards: unknown key \"minRunway\" "
                  "(expected one of: minRunwayDays, strict)"}},
        RuleCase{"GuardsRunwayMustBeANumber",
                 "version: 1\nguards: {minRunwayDays: three}\n",
                 {"podform.yaml:2:25: guards.minRunwayDays: expected a "
                  "number, got a string"}},
        RuleCase{"GpuCountLimitForAnUnknownGpuIsEight",
                 "version: 1\npods:\n  p: {image: i, gpuType: NVIDIA X1, "
                 "gpuCount: 9}\n",
                 {"podform.yaml:3:26: warning: pods.p.gpuType: unknown GPU "
                  "type \"NVIDIA X1\" (not in podform's catalog; RunPod may "
                  "have added it)",
                  "podform.yaml:3:47: pods.p.gpuCount: must be between 1 and "
                  "8, got 9"}},
        RuleCase{"HugeNumbersAreOutOfRangeNotWrapped",
                 "version: 1\npods:\n  p: {image: i, gpuType: NVIDIA L4, "
                 "containerDiskGb: 3000000000, gpuCount: -18446744073709551617}"
                 "\n",
                 {"podform.yaml:3:54: pods.p.containerDiskGb: must be at most "
                  "2147483647 (GB), got 3000000000",
                  "podform.yaml:3:76: pods.p.gpuCount: must be between 1 and "
                  "8, got -18446744073709551617"}},
        RuleCase{"EnvNamesAreFreeButMustBeVariableNames",
                 "version: 1\npods:\n  p:\n    image: i\n    gpuType: NVIDIA "
                 "L4\n    env: {lower_case: 1, _X: 2, A-B: 3}\n",
                 {"podform.yaml:6:33: pods.p.env: invalid variable name "
                  "\"A-B\": must match [A-Za-z_][A-Za-z0-9_]*"}},
        RuleCase{"EnvReferenceInDockerArgs",
                 "version: 1\npods:\n  p:\n    image: i\n    gpuType: NVIDIA "
                 "L4\n    dockerArgs: --token ${env:HF_TOKEN}\n",
                 {"podform.yaml:6:17: pods.p.dockerArgs: ${env:NAME} "
                  "references are only resolved in env values"}},
        RuleCase{"EmptyDockerArgsIsAllowed",
                 "version: 1\npods:\n  p: {image: i, gpuType: NVIDIA L4, "
                 "dockerArgs: \"\"}\n",
                 {}},
        RuleCase{"PortEdges",
                 "version: 1\npods:\n  p:\n    image: i\n    gpuType: NVIDIA "
                 "L4\n    ports: [1/tcp, 65535/http, 0/tcp, 65536/tcp, "
                 "8888/HTTP, /tcp, 22/, 22/tcp/x, 1/http]\n",
                 {"podform.yaml:6:32: pods.p.ports[2]: port must be between 1 "
                  "and 65535, got 0",
                  "podform.yaml:6:39: pods.p.ports[3]: port must be between 1 "
                  "and 65535, got 65536",
                  "podform.yaml:6:50: pods.p.ports[4]: must be PORT/http or "
                  "PORT/tcp (e.g. 8888/http), got \"8888/HTTP\"",
                  "podform.yaml:6:61: pods.p.ports[5]: must be PORT/http or "
                  "PORT/tcp (e.g. 8888/http), got \"/tcp\"",
                  "podform.yaml:6:67: pods.p.ports[6]: must be PORT/http or "
                  "PORT/tcp (e.g. 8888/http), got \"22/\"",
                  "podform.yaml:6:72: pods.p.ports[7]: must be PORT/http or "
                  "PORT/tcp (e.g. 8888/http), got \"22/tcp/x\"",
                  "podform.yaml:6:82: pods.p.ports[8]: duplicate port 1 "
                  "(already listed as \"1/tcp\")"}},
        RuleCase{"TwoReadWriteMountersOfAVolumeWarn",
                 kTwoWriters,
                 {"podform.yaml:6:45: warning: pods.b.volume: volume.data has "
                  "2 read-write mounters: pod.a (line 5), pod.b (line 6); "
                  "files written by several at once are corrupted (a "
                  "network volume has no file locking): give each writer "
                  "its own directory on the volume and mount it read-only "
                  "everywhere else (access: read-only)"}},
        RuleCase{"AReadWriteAndAReadOnlyMounterDoNotWarn",
                 "version: 1\nvolumes:\n  data: {size: 10, dataCenter: "
                 "EU-RO-1}\npods:\n  a: {image: i, gpuType: NVIDIA L4, "
                 "volume: data}\n  b: {image: i, gpuType: NVIDIA L4, volume: "
                 "data, access: read-only}\n",
                 {}},
        RuleCase{"ReadWriteWrittenOutIsTheDefault",
                 "version: 1\nvolumes:\n  data: {size: 10, dataCenter: "
                 "EU-RO-1}\npods:\n  a: {image: i, gpuType: NVIDIA L4, "
                 "volume: data, access: read-write}\n  b: {image: i, gpuType: "
                 "NVIDIA L4, volume: data, access: read-only}\n",
                 {}},
        RuleCase{"GuardsStrictMakesSeveralWritersAnError",
                 "version: 1\nguards: {strict: true}\nvolumes:\n  data: "
                 "{size: 10, dataCenter: EU-RO-1}\npods:\n  a: {image: i, "
                 "gpuType: NVIDIA L4, volume: data}\n  b: {image: i, gpuType: "
                 "NVIDIA L4, volume: data}\n",
                 {"podform.yaml:7:45: pods.b.volume: volume.data has 2 "
                  "read-write mounters: pod.a (line 6), pod.b (line 7); files "
                  "written by several at once are corrupted (a network volume "
                  "has no file locking): give each writer its own directory "
                  "on the volume and mount it read-only everywhere else "
                  "(access: read-only) (an error with --strict or "
                  "guards.strict)"}},
        RuleCase{"AccessWithoutAVolumeIsAnError",
                 "version: 1\npods:\n  b: {image: i, gpuType: NVIDIA L4, "
                 "access: read-only}\n",
                 {"podform.yaml:3:45: pods.b.access: only a pod that mounts a "
                  "volume has an access (add \"volume\" or remove "
                  "\"access\")"}},
        RuleCase{"AccessIsReadWriteOrReadOnly",
                 "version: 1\nvolumes:\n  data: {size: 10, dataCenter: "
                 "EU-RO-1}\npods:\n  b: {image: i, gpuType: NVIDIA L4, "
                 "access: bogus, volume: data}\n",
                 {"podform.yaml:5:45: pods.b.access: must be read-write or "
                  "read-only, got \"bogus\""}},
        RuleCase{"ReplaceIsCreateFirstOrDestroyFirst",
                 "version: 1\npods:\n  a: {image: i, gpuType: NVIDIA L4, "
                 "replace: destroy-first}\n  b: {image: i, gpuType: NVIDIA "
                 "L4, replace: create-first}\n  c: {image: i, gpuType: "
                 "NVIDIA L4, replace: later}\n",
                 {"podform.yaml:5:46: pods.c.replace: must be create-first "
                  "or destroy-first, got \"later\""}},
        RuleCase{"DiagnosticsAreInFileOrderAcrossChecks",
                 "version: 1\npods:\n  a: {image: i, gpuType: NVIDIA L4, "
                 "volume: nope}\n  b: {image: i}\n",
                 {"podform.yaml:3:45: pods.a.volume: \"nope\" is not a key "
                  "under volumes",
                  "podform.yaml:4:3: pods.b: missing required key "
                  "\"gpuType\""}}),
    [](const ::testing::TestParamInfo<RuleCase>& info) {
      return info.param.name;
    });

// --strict (ParseConfig's `strict`) does what guards.strict does; without
// either the same config loads, with the warning.
TEST(SeveralWritersTest, StrictMakesTheWarningAnError) {
  LoadResult lax = ParseConfig("podform.yaml", kTwoWriters,
                                 ::podform::testing::FakeEnv({}));
  ASSERT_TRUE(lax.config.has_value());
  ASSERT_EQ(lax.config->warnings.size(), 1u);
  EXPECT_EQ(lax.config->warnings[0].severity, Diagnostic::Severity::kWarning);
  EXPECT_EQ(lax.config->warnings[0].location.line, 6);

  LoadResult strict = ParseConfig("podform.yaml", kTwoWriters,
                                  ::podform::testing::FakeEnv({}), nullptr,
                                  /*strict=*/true);
  EXPECT_FALSE(strict.config.has_value());
  ASSERT_EQ(strict.diagnostics.size(), 1u);
  EXPECT_EQ(strict.diagnostics[0].severity, Diagnostic::Severity::kError);
  EXPECT_THAT(strict.diagnostics[0].ToString(),
              ::testing::StartsWith("podform.yaml:6:45: pods.b.volume: "
                                    "volume.data has 2 read-write mounters"));
}

// `replace: destroy-first` reaches the desired pod and the digest (a saved
// plan carries its replacement order); create-first is the default, and a
// config without `replace:` has the digest it had before.
TEST(ReplaceOrderTest, DestroyFirstIsReadAndChangesTheDigest) {
  auto parse = [](const std::string& replace) {
    return ParseConfig("podform.yaml",
                       "version: 1\npods:\n  a: {image: i, gpuType: NVIDIA "
                       "L4" + replace + "}\n",
                       ::podform::testing::FakeEnv({}));
  };
  LoadResult plain = parse("");
  LoadResult create_first = parse(", replace: create-first");
  LoadResult destroy_first = parse(", replace: destroy-first");
  ASSERT_TRUE(plain.config.has_value());
  ASSERT_TRUE(create_first.config.has_value());
  ASSERT_TRUE(destroy_first.config.has_value());
  EXPECT_FALSE(plain.config->pods.at("a").destroy_first);
  EXPECT_FALSE(create_first.config->pods.at("a").destroy_first);
  EXPECT_TRUE(destroy_first.config->pods.at("a").destroy_first);
  EXPECT_EQ(plain.config->digest, create_first.config->digest);
  EXPECT_NE(plain.config->digest, destroy_first.config->digest);
}

// The config records access as the state does: read-only only when
// declared so, in the digest too (so a change of access is seen).
TEST(SeveralWritersTest, AccessIsRecordedAndChangesTheDigest) {
  LoadResult rw = Parse(kTwoWriters);
  std::string ro_text = kTwoWriters;
  ro_text.replace(ro_text.rfind("volume: data}"), 13,
                  "volume: data, access: read-only}");
  LoadResult ro = Parse(ro_text);
  ASSERT_TRUE(rw.config.has_value());
  ASSERT_TRUE(ro.config.has_value());
  EXPECT_TRUE(ro.config->warnings.empty());
  EXPECT_FALSE(rw.config->pods.at("b").read_only);
  EXPECT_TRUE(ro.config->pods.at("b").read_only);
  EXPECT_FALSE(ro.config->pods.at("a").read_only);
  EXPECT_TRUE(RecordedResource("b", ro.config->pods.at("b")).read_only);
  EXPECT_NE(rw.config->digest, ro.config->digest);
}

}  // namespace
}  // namespace podform
