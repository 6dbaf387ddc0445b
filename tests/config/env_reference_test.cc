#include "reconciler/config/env_reference.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/config/test_util.h"

namespace podform {
namespace {

using ::podform::testing::FakeEnv;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const EnvLookup kEnv = FakeEnv({{"TOKEN", "t0k"}, {"EMPTY", ""}, {"_x1", "y"}});

TEST(ExpandEnvReferencesTest, PlainTextIsNotASecret) {
  EnvExpansion e = ExpandEnvReferences("/workspace/hf $5 {a} $", kEnv);
  EXPECT_EQ(e.value, "/workspace/hf $5 {a} $");
  EXPECT_FALSE(e.secret);
  EXPECT_THAT(e.malformed, IsEmpty());
  EXPECT_THAT(e.unset, IsEmpty());
}

TEST(ExpandEnvReferencesTest, ResolvesWholeAndEmbeddedReferences) {
  EXPECT_EQ(ExpandEnvReferences("${env:TOKEN}", kEnv).value, "t0k");
  EnvExpansion e =
      ExpandEnvReferences("https://u:${env:TOKEN}@h/${env:_x1}", kEnv);
  EXPECT_EQ(e.value, "https://u:t0k@h/y");
  EXPECT_TRUE(e.secret);
  EnvExpansion empty = ExpandEnvReferences("${env:EMPTY}", kEnv);
  EXPECT_EQ(empty.value, "");
  EXPECT_TRUE(empty.secret);  // set but empty is still set
  EXPECT_THAT(empty.unset, IsEmpty());
}

TEST(ExpandEnvReferencesTest, DoubleDollarBraceIsALiteral) {
  EnvExpansion e = ExpandEnvReferences("$${HOME}/x $${env:TOKEN} $$5", kEnv);
  EXPECT_EQ(e.value, "${HOME}/x ${env:TOKEN} $$5");
  EXPECT_FALSE(e.secret);
  EXPECT_THAT(e.malformed, IsEmpty());
  // Left to right: the first "$" is not followed by "${", so it is literal;
  // then "$${" is the escape.
  EXPECT_EQ(ExpandEnvReferences("$$${env:TOKEN}", kEnv).value, "$${env:TOKEN}");
}

TEST(ExpandEnvReferencesTest, ReportsUnsetNamesOnce) {
  EnvExpansion e =
      ExpandEnvReferences("${env:A}${env:TOKEN}${env:B}${env:A}", kEnv);
  EXPECT_THAT(e.unset, ElementsAre("A", "B"));
  EXPECT_TRUE(e.secret);
}

TEST(ExpandEnvReferencesTest, ReportsMalformedReferencesAsWritten) {
  EnvExpansion e = ExpandEnvReferences(
      "${HOME} ${env:} ${env:1X} ${ENV:TOKEN} ${env:A-B} ${env:TOKEN", kEnv);
  EXPECT_THAT(e.malformed,
              ElementsAre("${HOME}", "${env:}", "${env:1X}", "${ENV:TOKEN}",
                          "${env:A-B}", "${env:TOKEN"));
  EnvExpansion long_one =
      ExpandEnvReferences("${" + std::string(60, 'a') + "}", kEnv);
  EXPECT_THAT(long_one.malformed,
              ElementsAre("${" + std::string(38, 'a') + "..."));
}

TEST(EnvVariableNameTest, FollowsPosixShellNames) {
  EXPECT_TRUE(IsEnvVariableName("HF_TOKEN"));
  EXPECT_TRUE(IsEnvVariableName("_private"));
  EXPECT_TRUE(IsEnvVariableName("a1"));
  EXPECT_FALSE(IsEnvVariableName(""));
  EXPECT_FALSE(IsEnvVariableName("1A"));
  EXPECT_FALSE(IsEnvVariableName("A-B"));
  EXPECT_FALSE(IsEnvVariableName("A.B"));
}

TEST(ContainsEnvReferenceTest, LooksForTheReferencePrefix) {
  EXPECT_TRUE(ContainsEnvReference("x${env:A}"));
  EXPECT_TRUE(ContainsEnvReference("${env:"));
  EXPECT_FALSE(ContainsEnvReference("${HOME}"));
  EXPECT_FALSE(ContainsEnvReference("env:A"));
}

}  // namespace
}  // namespace podform
