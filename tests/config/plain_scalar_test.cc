// ResolvePlain and IsAddressKey are hand-written matchers of regular
// languages (the YAML 1.2 core schema's plain scalars; address keys). The
// languages are written once more here as std::regex, the oracle: both must
// agree on every string tried.

#include <random>
#include <regex>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "reconciler/config/drafts.h"
#include "reconciler/config/yaml_reader.h"

namespace podform {
namespace {

YamlType Oracle(const std::string& text) {
  static const std::regex kBoolean("true|True|TRUE|false|False|FALSE");
  static const std::regex kInteger("[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?|"
      "[-+]?\\.(inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN");
  if (std::regex_match(text, kBoolean)) return YamlType::kBoolean;
  if (std::regex_match(text, kInteger)) return YamlType::kInteger;
  if (std::regex_match(text, kFloat)) return YamlType::kFloat;
  return YamlType::kString;
}

bool AddressOracle(const std::string& key) {
  static const std::regex kPattern("[a-z0-9][a-z0-9_-]{0,62}");
  return std::regex_match(key, kPattern);
}

TEST(PlainScalarTest, ResolvesEachKindAsTheCoreSchema) {
  const std::vector<std::pair<std::string, YamlType>> cases = {
      {"true", YamlType::kBoolean},   {"FALSE", YamlType::kBoolean},
      {"tRue", YamlType::kString},    {"0", YamlType::kInteger},
      {"-12", YamlType::kInteger},    {"+7", YamlType::kInteger},
      {"0o17", YamlType::kInteger},   {"0o8", YamlType::kString},
      {"0x1fA", YamlType::kInteger},  {"-0x1", YamlType::kString},
      {"0x", YamlType::kString},      {"1.5", YamlType::kFloat},
      {"1.", YamlType::kFloat},       {".5", YamlType::kFloat},
      {".", YamlType::kString},       {"1e5", YamlType::kFloat},
      {"1.e-5", YamlType::kFloat},    {".e5", YamlType::kString},
      {"1e", YamlType::kString},      {"1e+", YamlType::kString},
      {"-.inf", YamlType::kFloat},    {".NaN", YamlType::kFloat},
      {"+.nan", YamlType::kString},   {".Nan", YamlType::kString},
      {"", YamlType::kString},        {"ten", YamlType::kString},
      {"1_000", YamlType::kString},   {" 1", YamlType::kString},
  };
  for (const auto& [text, type] : cases) {
    EXPECT_EQ(ResolvePlain(text), type) << '"' << text << '"';
    EXPECT_EQ(Oracle(text), type) << '"' << text << '"';
  }
}

TEST(PlainScalarTest, AgreesWithTheRegularExpressionsOnRandomStrings) {
  // Characters that matter to the languages, and a few that do not.
  const std::string alphabet = "0178.+-eExXoOabfAFinINtTruslS_ z";
  std::mt19937 random(20261206);
  std::uniform_int_distribution<size_t> length(0, 8);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  int disagreements = 0;
  for (int i = 0; i < 100000 && disagreements < 10; ++i) {
    std::string text(length(random), ' ');
    for (char& c : text) c = alphabet[pick(random)];
    if (ResolvePlain(text) != Oracle(text)) {
      ADD_FAILURE() << '"' << text << "\": "
                    << DescribeType(ResolvePlain(text)) << " against "
                    << DescribeType(Oracle(text));
      ++disagreements;
    }
  }
}

TEST(AddressKeyTest, AgreesWithTheRegularExpression) {
  EXPECT_TRUE(IsAddressKey("a"));
  EXPECT_TRUE(IsAddressKey("0data_set-2"));
  EXPECT_TRUE(IsAddressKey(std::string(63, 'a')));
  EXPECT_FALSE(IsAddressKey(std::string(64, 'a')));
  EXPECT_FALSE(IsAddressKey(""));
  EXPECT_FALSE(IsAddressKey("-a"));
  EXPECT_FALSE(IsAddressKey("_a"));
  EXPECT_FALSE(IsAddressKey("Data"));
  const std::string alphabet = "az09_-A.";
  std::mt19937 random(61);
  std::uniform_int_distribution<size_t> length(0, 66);
  std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
  for (int i = 0; i < 20000; ++i) {
    std::string key(length(random), ' ');
    // Mostly valid characters, so that long valid keys are tried too.
    for (char& c : key) c = alphabet[pick(random) % (i % 2 ? 6 : 8)];
    ASSERT_EQ(IsAddressKey(key), AddressOracle(key)) << '"' << key << '"';
  }
}

}  // namespace
}  // namespace podform
