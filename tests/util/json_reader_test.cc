#include "reconciler/util/json_reader.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace podform {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

const char* KindName(JsonViolation::Kind kind) {
  switch (kind) {
    case JsonViolation::Kind::kNotObject:
      return "not-object";
    case JsonViolation::Kind::kMissing:
      return "missing";
    case JsonViolation::Kind::kWrongType:
      return "wrong-type";
    case JsonViolation::Kind::kEmpty:
      return "empty";
    case JsonViolation::Kind::kBelowMinimum:
      return "below";
    case JsonViolation::Kind::kAboveMaximum:
      return "above";
    case JsonViolation::Kind::kUnknown:
      return "unknown";
  }
  return "?";
}

const char* ExpectedName(JsonExpected expected) {
  switch (expected) {
    case JsonExpected::kObject:
      return "object";
    case JsonExpected::kArray:
      return "array";
    case JsonExpected::kString:
      return "string";
    case JsonExpected::kNonEmptyString:
      return "non-empty-string";
    case JsonExpected::kInteger:
      return "integer";
    case JsonExpected::kNumber:
      return "number";
    case JsonExpected::kBool:
      return "bool";
    case JsonExpected::kStrings:
      return "strings";
    case JsonExpected::kStringMap:
      return "string-map";
  }
  return "?";
}

// One line for a violation: "KIND FOUND_PATH [expected=E] [found=TYPE]
// [limit=L] [unknown=a,b]" (the key is the last part of the path).
std::string Line(const JsonViolation& v) {
  std::string line = absl::StrCat(KindName(v.kind), " ", v.FoundPath());
  if (v.kind != JsonViolation::Kind::kMissing &&
      v.kind != JsonViolation::Kind::kUnknown &&
      v.kind != JsonViolation::Kind::kNotObject) {
    absl::StrAppend(&line, " expected=", ExpectedName(v.expected));
  }
  if (v.found != nullptr) {
    absl::StrAppend(&line, " found=", v.found->dump());
  }
  if (!v.limit.empty()) absl::StrAppend(&line, " limit=", v.limit);
  if (!v.unknown.empty()) {
    absl::StrAppend(&line, " unknown=", absl::StrJoin(v.unknown, ","));
  }
  return line;
}

// A fail-fast reader: the first violation is the error every read returns.
JsonReader FailFast(const json& value, const std::string& path,
                    JsonReader::Null null = JsonReader::Null::kIsValue) {
  return JsonReader(
      value, path,
      [](const JsonViolation& v) {
        return absl::InvalidArgumentError(Line(v));
      },
      null);
}

// A collect-all reader: every violation is recorded in `lines`.
JsonReader CollectAll(const json& value, const std::string& path,
                      std::vector<std::string>* lines) {
  return JsonReader(value, path, [lines](const JsonViolation& v) {
    lines->push_back(Line(v));
    return absl::OkStatus();
  });
}

TEST(JsonReaderTest, ReadsEachTypeInto) {
  json j = json::parse(R"({"s": "x", "n": 7, "f": 1.5, "b": true,
      "l": ["a", "b"], "m": {"k": "v"}, "o": {}, "a": [1]})");
  JsonReader r = FailFast(j, "$");
  std::string s;
  int64_t n = 0;
  double f = 0;
  bool b = false;
  std::vector<std::string> l;
  std::map<std::string, std::string> m;
  const json* o = nullptr;
  const json* a = nullptr;
  EXPECT_TRUE(r.String("s", &s).ok());
  EXPECT_TRUE(r.Integer("n", &n, 0).ok());
  EXPECT_TRUE(r.Number("f", &f).ok());
  EXPECT_TRUE(r.Bool("b", &b).ok());
  EXPECT_TRUE(r.Strings("l", &l).ok());
  EXPECT_TRUE(r.StringMap("m", &m).ok());
  EXPECT_TRUE(r.Object("o", &o).ok());
  EXPECT_TRUE(r.Array("a", &a).ok());
  EXPECT_EQ(s, "x");
  EXPECT_EQ(n, 7);
  EXPECT_EQ(f, 1.5);
  EXPECT_TRUE(b);
  EXPECT_THAT(l, ElementsAre("a", "b"));
  EXPECT_EQ(m, (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_EQ(o, &j.at("o"));
  EXPECT_EQ(a, &j.at("a"));
  EXPECT_TRUE(r.RefuseUnread().ok());
}

TEST(JsonReaderTest, AnAbsentMemberLeavesTheOutputOrIsMissing) {
  json j = json::object();
  JsonReader r = FailFast(j, "$");
  std::string s = "kept";
  std::optional<std::string> maybe;
  EXPECT_TRUE(r.String("s", &s).ok());
  EXPECT_TRUE(r.String("s", &maybe).ok());
  EXPECT_EQ(s, "kept");
  EXPECT_EQ(maybe, std::nullopt);
  EXPECT_EQ(r.String("s", &s, JsonReader::kRequired),
            absl::InvalidArgumentError("missing $.s"));
}

TEST(JsonReaderTest, NullIsAValueOrAbsent) {
  json j = json::parse(R"({"s": null})");
  std::string s = "kept";
  EXPECT_EQ(
      FailFast(j, "").String("s", &s),
      absl::InvalidArgumentError("wrong-type s expected=string found=null"));
  JsonReader absent = FailFast(j, "", JsonReader::Null::kIsAbsent);
  EXPECT_TRUE(absent.String("s", &s).ok());
  EXPECT_EQ(s, "kept");
  EXPECT_FALSE(absent.Has("s"));
  EXPECT_EQ(absent.String("s", &s, JsonReader::kRequired),
            absl::InvalidArgumentError("missing s"));
  EXPECT_TRUE(absent.RefuseUnread().ok());  // read, although null
}

TEST(JsonReaderTest, WrongTypesNameTheExpectationAndTheValue) {
  json j = json::parse(R"({"s": 1, "e": "", "n": 1.5, "f": "1", "b": 0,
      "o": [], "a": {}})");
  JsonReader r = FailFast(j, "a.b");
  std::string s;
  int64_t n = 0;
  double f = 0;
  bool b = false;
  const json* o = &j;
  EXPECT_EQ(r.String("s", &s), absl::InvalidArgumentError(
                                   "wrong-type a.b.s expected=string found=1"));
  EXPECT_EQ(r.NonEmptyString("s", &s),
            absl::InvalidArgumentError(
                "wrong-type a.b.s expected=non-empty-string found=1"));
  EXPECT_EQ(r.NonEmptyString("e", &s),
            absl::InvalidArgumentError(
                "empty a.b.e expected=non-empty-string found=\"\""));
  EXPECT_EQ(r.Integer("n", &n, 0),
            absl::InvalidArgumentError(
                "wrong-type a.b.n expected=integer found=1.5"));
  EXPECT_EQ(r.Number("f", &f),
            absl::InvalidArgumentError(
                "wrong-type a.b.f expected=number found=\"1\""));
  EXPECT_EQ(r.Bool("b", &b), absl::InvalidArgumentError(
                                 "wrong-type a.b.b expected=bool found=0"));
  EXPECT_EQ(
      r.Object("o", &o),
      absl::InvalidArgumentError("wrong-type a.b.o expected=object found=[]"));
  EXPECT_EQ(o, nullptr);
  EXPECT_EQ(r.Array("a", &o), absl::InvalidArgumentError(
                                  "wrong-type a.b.a expected=array found={}"));
  EXPECT_EQ(s, "");
  EXPECT_EQ(n, 0);
}

TEST(JsonReaderTest, IntegerBoundsAndTheEdgesOfInt64) {
  json j = json::parse(R"({"low": -1, "high": 11, "min": 0, "max": 10,
      "int64max": 9223372036854775807, "beyond": 9223372036854775808,
      "uint64max": 18446744073709551615, "int64min": -9223372036854775808})");
  JsonReader r = FailFast(j, "");
  int64_t n = 42;
  EXPECT_EQ(r.Integer("low", &n, 0, 10),
            absl::InvalidArgumentError(
                "below low expected=integer found=-1 limit=0"));
  EXPECT_EQ(r.Integer("high", &n, 0, 10),
            absl::InvalidArgumentError(
                "above high expected=integer found=11 limit=10"));
  EXPECT_EQ(n, 42);
  EXPECT_TRUE(r.Integer("min", &n, 0, 10).ok());
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(r.Integer("max", &n, 0, 10).ok());
  EXPECT_EQ(n, 10);
  EXPECT_TRUE(r.Integer("int64max", &n, 0).ok());
  EXPECT_EQ(n, INT64_MAX);
  EXPECT_TRUE(r.Integer("int64min", &n, INT64_MIN).ok());
  EXPECT_EQ(n, INT64_MIN);
  // Beyond int64 is above any maximum, never wrapped to a negative value.
  EXPECT_EQ(r.Integer("beyond", &n, 0),
            absl::InvalidArgumentError(
                "above beyond expected=integer found=9223372036854775808 "
                "limit=9223372036854775807"));
  EXPECT_EQ(r.Integer("uint64max", &n, INT64_MIN),
            absl::InvalidArgumentError(
                "above uint64max expected=integer found=18446744073709551615 "
                "limit=9223372036854775807"));
  // Into a narrower type, within the bounds given.
  int small = 0;
  EXPECT_TRUE(r.Integer("max", &small, 0, INT32_MAX).ok());
  EXPECT_EQ(small, 10);
}

TEST(JsonReaderTest, NumberHasAMinimum) {
  json j = json::parse(R"({"n": -0.5, "i": 3})");
  JsonReader r = FailFast(j, "$");
  double n = 0;
  EXPECT_EQ(r.Number("n", &n, JsonReader::kOptional, 0),
            absl::InvalidArgumentError(
                "below $.n expected=number found=-0.5 limit=0"));
  EXPECT_TRUE(r.Number("i", &n, JsonReader::kOptional, 0).ok());
  EXPECT_EQ(n, 3);
}

TEST(JsonReaderTest, FailFastStopsAtTheFirstBadElement) {
  json j = json::parse(R"({"l": ["a", 1, true], "m": {"a": 1, "b": "x",
      "c": null}})");
  JsonReader r = FailFast(j, "$");
  std::vector<std::string> l = {"kept"};
  std::map<std::string, std::string> m;
  EXPECT_EQ(
      r.Strings("l", &l),
      absl::InvalidArgumentError("wrong-type $.l[1] expected=strings found=1"));
  EXPECT_THAT(l, ElementsAre("kept"));
  EXPECT_EQ(r.StringMap("m", &m),
            absl::InvalidArgumentError(
                "wrong-type $.m.a expected=string-map found=1"));
  EXPECT_THAT(m, IsEmpty());
}

TEST(JsonReaderTest, CollectAllReportsEveryViolationAndYieldsNoValue) {
  json j = json::parse(R"({"l": ["a", 1, true], "m": {"a": 1, "b": "x",
      "c": null}, "n": -3, "s": 5, "x": 1, "y": 2})");
  std::vector<std::string> lines;
  JsonReader r = CollectAll(j, "$", &lines);
  std::optional<std::vector<std::string>> l;
  std::optional<std::map<std::string, std::string>> m;
  std::optional<int64_t> n;
  std::optional<std::string> s;
  EXPECT_TRUE(r.Strings("l", &l).ok());
  EXPECT_TRUE(r.StringMap("m", &m).ok());
  EXPECT_TRUE(r.Integer("n", &n, 0).ok());
  EXPECT_TRUE(r.String("s", &s).ok());
  EXPECT_TRUE(r.String("t", &s, JsonReader::kRequired).ok());
  EXPECT_TRUE(r.RefuseUnread().ok());
  EXPECT_EQ(l, std::nullopt);
  EXPECT_EQ(m, std::nullopt);
  EXPECT_EQ(n, std::nullopt);
  EXPECT_EQ(s, std::nullopt);
  EXPECT_THAT(lines,
              ElementsAre("wrong-type $.l[1] expected=strings found=1",
                          "wrong-type $.l[2] expected=strings found=true",
                          "wrong-type $.m.a expected=string-map found=1",
                          "wrong-type $.m.c expected=string-map found=null",
                          "below $.n expected=integer found=-3 limit=0",
                          "wrong-type $.s expected=string found=5",
                          "missing $.t", "unknown $ unknown=x,y"));
}

TEST(JsonReaderTest, UnknownMembers) {
  json j = json::parse(R"({"a": 1, "b": 2, "c": 3})");
  JsonReader r = FailFast(j, "root");
  EXPECT_TRUE(r.OnlyMembers({"a", "b", "c", "d"}).ok());
  EXPECT_EQ(r.OnlyMembers({"b"}),
            absl::InvalidArgumentError("unknown root unknown=a,c"));
  // Unread: neither read nor marked.
  EXPECT_TRUE(r.Has("a"));
  r.MarkRead("c");
  EXPECT_EQ(r.RefuseUnread(),
            absl::InvalidArgumentError("unknown root unknown=b"));
  EXPECT_FALSE(r.Has("zz"));  // an absent member is not unknown
  r.MarkRead("b");
  EXPECT_TRUE(r.RefuseUnread().ok());
}

TEST(JsonReaderTest, ExactMembersRefusesUnknownThenTheFirstMissingInOrder) {
  json j = json::parse(R"({"b": 1, "x": 2})");
  EXPECT_EQ(FailFast(j, "").ExactMembers({"b", "z", "a"}),
            absl::InvalidArgumentError("unknown  unknown=x"));
  json k = json::parse(R"({"b": 1})");
  EXPECT_EQ(FailFast(k, "o").ExactMembers({"z", "b", "a"}),
            absl::InvalidArgumentError("missing o.a"));
  EXPECT_TRUE(FailFast(k, "o").ExactMembers({"b"}).ok());
}

TEST(JsonReaderTest, ANonObjectIsReportedOnceAndHasNoMembers) {
  json j = json::parse("[1]");
  std::vector<std::string> lines;
  JsonReader r = CollectAll(j, "$.gpu", &lines);
  EXPECT_FALSE(r.is_object());
  EXPECT_TRUE(r.RequireObject().ok());
  std::optional<std::string> s;
  EXPECT_TRUE(r.String("id", &s, JsonReader::kRequired).ok());
  EXPECT_TRUE(r.RefuseUnread().ok());
  EXPECT_TRUE(r.OnlyMembers({}).ok());
  EXPECT_EQ(s, std::nullopt);
  EXPECT_THAT(lines, ElementsAre("not-object $.gpu found=[1]"));
}

TEST(JsonReaderTest, JsonTypeNameAndMemberPath) {
  EXPECT_EQ(JsonTypeName(json(nullptr)), "null");
  EXPECT_EQ(JsonTypeName(json(true)), "boolean");
  EXPECT_EQ(JsonTypeName(json(-1)), "integer");
  EXPECT_EQ(JsonTypeName(json(1u)), "integer");
  EXPECT_EQ(JsonTypeName(json(1.5)), "number");
  EXPECT_EQ(JsonTypeName(json("x")), "string");
  EXPECT_EQ(JsonTypeName(json::array()), "array");
  EXPECT_EQ(JsonTypeName(json::object()), "object");
  EXPECT_EQ(JsonMemberPath("", "k"), "k");
  EXPECT_EQ(JsonMemberPath("$.a", "k"), "$.a.k");
  EXPECT_EQ(JsonMemberPath("$.a", ""), "$.a");
}

}  // namespace
}  // namespace podform
