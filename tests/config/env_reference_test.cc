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

TEST(ExpandVarReferencesTest, VarsArePlainAndShareTheSyntax) {
  const EnvLookup vars = FakeEnv({{"TAG", "1.4"}, {"STAGE", "prod"}});
  EnvExpansion plain =
      ExpandEnvReferences("web:${var:TAG}-${var:STAGE}", kEnv, vars);
  EXPECT_EQ(plain.value, "web:1.4-prod");
  EXPECT_FALSE(plain.secret);
  EXPECT_THAT(plain.undefined_vars, IsEmpty());
  // One ${env:} makes the whole value a secret.
  EnvExpansion mixed =
      ExpandEnvReferences("${var:STAGE}:${env:TOKEN}", kEnv, vars);
  EXPECT_EQ(mixed.value, "prod:t0k");
  EXPECT_TRUE(mixed.secret);
  // $${ stays a literal; ${var:} with a bad name is malformed.
  EnvExpansion literal =
      ExpandEnvReferences("$${var:TAG} ${var:1X}", kEnv, vars);
  EXPECT_EQ(literal.value, "${var:TAG} ");
  EXPECT_THAT(literal.malformed, ElementsAre("${var:1X}"));
}

TEST(ExpandVarReferencesTest, UndefinedVarsAreListedOnceAndApartFromEnv) {
  const EnvLookup vars = FakeEnv({{"TAG", "1.4"}});
  EnvExpansion e = ExpandEnvReferences(
      "${var:NOPE}${env:MISSING}${var:NOPE}${var:ALSO}${var:TAG}", kEnv, vars);
  EXPECT_THAT(e.undefined_vars, ElementsAre("NOPE", "ALSO"));
  EXPECT_THAT(e.unset, ElementsAre("MISSING"));
  // Without a lookup, every var is undefined.
  EXPECT_THAT(ExpandEnvReferences("${var:TAG}", kEnv).undefined_vars,
              ElementsAre("TAG"));
  EXPECT_TRUE(ContainsVarReference("a${var:B}"));
  EXPECT_FALSE(ContainsVarReference("a${env:B}"));
}

}  // namespace
}  // namespace podform
