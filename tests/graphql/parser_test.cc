// Literal forms, syntax errors and SDL parsing.

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/executor.h"
#include "reconciler/graphql/schema.h"
#include "tests/graphql/test_schema.h"

namespace podform::graphql {
namespace {

using nlohmann::json;
using test_support::Invalid;
using test_support::MakeTestExecutor;
using test_support::TestSchema;

// The arguments Query.echo received for `args` (as JSON text), or the whole
// response when the request did not execute cleanly.
std::string Echo(const std::string& args) {
  static const Executor exec = MakeTestExecutor();
  test_support::TestContext ctx;
  ExecutionResult r = exec.Execute("{ echo(" + args + ") }", nullptr, "", &ctx);
  if (r.http_status != 200 || r.body.contains("errors")) {
    return std::to_string(r.http_status) + " " + r.body.dump();
  }
  return r.body["data"]["echo"].dump();
}

TEST(LiteralTest, StringsWithEveryEscape) {
  EXPECT_EQ(json::parse(Echo(R"(s: "a\"b\\c\/d\be\ff\ng\rh\ti")"))["s"],
            "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(json::parse(
                Echo(R"(s: "\u00e9\u20AC\uD83D\uDE00\u{1F600}\u{41}ü")"))["s"],
            "\u00e9\u20ac\U0001F600\U0001F600A\u00fc");
  EXPECT_EQ(Echo(R"(s: "")"), R"({"s":""})");
  EXPECT_EQ(Echo(R"(s: "# not a comment, ")"), R"({"s":"# not a comment, "})");
}

TEST(LiteralTest, BlockStringsStripIndentation) {
  EXPECT_EQ(
      json::parse(Echo("s: \"\"\"\n    Hello,\n      World!\n\n    Yours,\n"
                       "      GraphQL.\n  \"\"\""))["s"],
      "Hello,\n  World!\n\nYours,\n  GraphQL.");
  EXPECT_EQ(json::parse(Echo(R"(s: """  x \""" y \n  """)"))["s"],
            "  x \"\"\" y \\n  ");
  // A tab is indentation like a space.
  EXPECT_EQ(
      json::parse(Echo("s: \"\"\"\r\n  a\r\n\t b\r\n   c\r\n\"\"\""))["s"],
      "a\nb\n c");
  EXPECT_EQ(json::parse(Echo("s: \"\"\"\"\"\""))["s"], "");
}

TEST(LiteralTest, IntsFloatsBooleansNullEnums) {
  EXPECT_EQ(Echo("i: -0"), R"({"i":0})");
  EXPECT_EQ(Echo("i: 2147483647, list: [0, -2147483648, 17]"),
            R"({"i":2147483647,"list":[0,-2147483648,17]})");
  EXPECT_EQ(Echo("f: 1.5"), R"({"f":1.5})");
  EXPECT_EQ(Echo("f: -0.25"), R"({"f":-0.25})");
  EXPECT_EQ(Echo("f: 1e3"), R"({"f":1000.0})");
  EXPECT_EQ(Echo("f: 1.5E-2"), R"({"f":0.015})");
  EXPECT_EQ(Echo("f: 3"), R"({"f":3.0})");
  EXPECT_EQ(Echo("b: true"), R"({"b":true})");
  EXPECT_EQ(Echo("b: false"), R"({"b":false})");
  EXPECT_EQ(Echo("s: null, i: null"), R"({"i":null,"s":null})");
  EXPECT_EQ(Echo("c: BLUE"), R"({"c":"BLUE"})");
  EXPECT_EQ(Echo("id: 123"), R"({"id":"123"})");
  EXPECT_EQ(Echo("id: \"x\""), R"({"id":"x"})");
}

TEST(LiteralTest, ListsAndInputObjects) {
  EXPECT_EQ(Echo("nested: [[1], [2, 3], []]"), R"({"nested":[[1],[2,3],[]]})");
  // A single value where a list is expected is a list of one.
  EXPECT_EQ(Echo("list: 5"), R"({"list":[5]})");
  EXPECT_EQ(Echo("nested: 1"), R"({"nested":[[1]]})");
  EXPECT_EQ(Echo("list: [1, null]"), R"({"list":[1,null]})");
  // Defaults of input fields are applied; absent fields stay absent.
  EXPECT_EQ(
      Echo(R"(filter: {name: "n", inner: {b: ["x"]}})"),
      R"({"filter":{"color":"GREEN","inner":{"a":7,"b":["x"]},"name":"n"}})");
  EXPECT_EQ(
      Echo(R"(filter: {name: "n", color: RED, tags: "t", limit: null})"),
      R"({"filter":{"color":"RED","limit":null,"name":"n","tags":["t"]}})");
  // A custom scalar takes any literal as written.
  EXPECT_EQ(Echo(R"(any: {a: [1, 2.5, "s", true, null, ENUMV], b: {c: {}}})"),
            R"({"any":{"a":[1,2.5,"s",true,null,"ENUMV"],"b":{"c":{}}}})");
}

TEST(LiteralTest, CommentsCommasAndByteOrderMark) {
  EXPECT_EQ(Echo(",i:1,,, # a comment ) }\n s: \"x\",,"), R"({"i":1,"s":"x"})");
  const Executor exec = MakeTestExecutor();
  EXPECT_EQ(test_support::Exec(exec, "\xEF\xBB\xBF# lead\n{int}#trail"),
            R"(200 {"data":{"int":42}})");
}

TEST(SyntaxTest, ErrorsAreLocatedAndWordedAsGraphqlJs) {
  const std::pair<std::string, std::string> cases[] = {
      {"{ }", "1:3: Syntax Error: Expected Name, found \"}\"."},
      {"{", "1:2: Syntax Error: Expected Name, found <EOF>."},
      {"", "1:1: Syntax Error: Unexpected <EOF>."},
      {"  # only a comment", "1:19: Syntax Error: Unexpected <EOF>."},
      {"{ a(x: \"abc) }", "1:15: Syntax Error: Unterminated string."},
      {"{ a(x: \"ab\nc\") }", "1:11: Syntax Error: Unterminated string."},
      {"{ a(x: \"\"\"abc) }", "1:17: Syntax Error: Unterminated string."},
      {"{ a(x: \"\\q\") }",
       "1:9: Syntax Error: Invalid character escape sequence: \"\\q\"."},
      {"{ a(x: \"\\u12G4\") }",
       "1:9: Syntax Error: Invalid Unicode escape sequence: \"\\u12G4\"."},
      {"{ a(x: \"\\uD800\") }",
       "1:9: Syntax Error: Invalid Unicode escape sequence: \"\\uD800\"."},
      {"{ a(x: \"\\u{110000}\") }",
       "1:9: Syntax Error: Invalid Unicode escape sequence: \"\\u{110000}\"."},
      {"{ a(x: 01) }",
       "1:9: Syntax Error: Invalid number, unexpected digit after 0: \"1\"."},
      {"{ a(x: 1.) }",
       "1:10: Syntax Error: Invalid number, expected digit but got: \")\"."},
      {"{ a(x: 1a) }",
       "1:9: Syntax Error: Invalid number, expected digit but got: \"a\"."},
      {"{ a(x: 1e) }",
       "1:10: Syntax Error: Invalid number, expected digit but got: \")\"."},
      {"{ a(x: -) }",
       "1:9: Syntax Error: Invalid number, expected digit but got: \")\"."},
      {"{ a(x: 'x') }",
       "1:8: Syntax Error: Unexpected single quote character ('), did you "
       "mean to use a double quote (\")?"},
      {"{ a ? }", "1:5: Syntax Error: Unexpected character: \"?\"."},
      {"{ a \x01 }", "1:5: Syntax Error: Unexpected character: U+0001."},
      {"{ a .b }", "1:5: Syntax Error: Unexpected character: \".\"."},
      {"{ a(x: \"\xff\") }", "1:9: Syntax Error: Invalid UTF-8 sequence."},
      {"query ($v: Int = $w) { a }",
       "1:18: Syntax Error: Unexpected variable \"$w\" in constant value."},
      {"query () { a }", "1:8: Syntax Error: Expected \"$\", found \")\"."},
      {"{ a() }", "1:5: Syntax Error: Expected Name, found \")\"."},
      {"fragment on on Query { a }",
       "1:10: Syntax Error: Unexpected Name \"on\"."},
      {"fragment F Query { a }",
       "1:12: Syntax Error: Expected \"on\", found Name \"Query\"."},
      {"mutation", "1:9: Syntax Error: Expected \"{\", found <EOF>."},
      {"qurey { a }", "1:1: Syntax Error: Unexpected Name \"qurey\"."},
      {"\"desc\" query { a }",
       "1:1: Syntax Error: Unexpected description, descriptions are supported "
       "only on type definitions."},
      {"{ a(x: 1 }", "1:10: Syntax Error: Expected Name, found \"}\"."},
      {"{ a(x: [1, 2) }", "1:13: Syntax Error: Unexpected \")\"."},
      {"{ a(x: {b 1}) }",
       "1:11: Syntax Error: Expected \":\", found Int \"1\"."},
      {"{ a(x: \"s\" \"t\") }",
       "1:12: Syntax Error: Expected Name, found String \"t\"."},
      {"{ a } }", "1:7: Syntax Error: Unexpected \"}\"."},
      {"{\n  a\n  b(\r\n}", "4:1: Syntax Error: Expected Name, found \"}\"."},
      {"query Q($a: [Int!]!, $b: Int = [) { a }",
       "1:33: Syntax Error: Unexpected \")\"."},
      {"{ ... on { a } }", "1:10: Syntax Error: Expected Name, found \"{\"."},
      {"{ é }", "1:3: Syntax Error: Unexpected character: U+00E9."},
      {"{ a(x: \"😀\" b }", "1:15: Syntax Error: Expected \":\", found \"}\"."},
  };
  for (const auto& [document, message] : cases) {
    EXPECT_EQ(Invalid(document), message) << document;
  }
}

TEST(SyntaxTest, ParseErrorResponse) {
  const Executor exec = MakeTestExecutor();
  EXPECT_EQ(
      test_support::Exec(exec, "{ int "),
      R"(400 {"errors":[{"message":"Syntax Error: Expected Name, found <EOF>.",)"
      R"("locations":[{"line":1,"column":7}],)"
      R"("extensions":{"code":"GRAPHQL_PARSE_FAILED"}}]})");
}

TEST(SyntaxTest, HostileNestingAndSizeAreRejected) {
  // 64 levels are fine (the selection set is one of them), 65 are not.
  std::string ok =
      "{ echo(any: " + std::string(63, '[') + std::string(63, ']') + ") }";
  EXPECT_EQ(Invalid(ok), "");
  std::string deep =
      "{ echo(nested: " + std::string(64, '[') + std::string(64, ']') + ") }";
  EXPECT_EQ(Invalid(deep),
            "1:79: Syntax Error: Document is nested more than 64 levels deep.");
  std::string selections;
  for (int i = 0; i < 100000; ++i) selections += "{a";
  EXPECT_EQ(
      Invalid(selections),
      "1:129: Syntax Error: Document is nested more than 64 levels deep.");
  std::string many = "{";
  for (int i = 0; i < 100000; ++i) many += " a";
  many += "}";
  EXPECT_EQ(
      Invalid(many),
      "1:200001: Syntax Error: Document contains more than 100000 tokens. "
      "Parsing aborted.");
  EXPECT_EQ(Invalid("{a}" + std::string(1 << 20, ' ')),
            "1:1: Syntax Error: Document is larger than 1048576 bytes.");
}

TEST(SchemaTest, ParsesDescriptionsDirectivesDefaultsAndRoots) {
  absl::StatusOr<Schema> s = Schema::Parse(R"(
    """Doc"""
    schema @x { query: Root mutation: Change }
    "d" type Root @key(fields: "id") {
      "field doc" a(x: Int = 3 @deprecated, y: [Color!] = [RED], z: In = {}): Int @deprecated(reason: "r")
    }
    type Change { b: Boolean }
    enum Color { "red" RED @deprecated BLUE }
    input In { p: Int = 1, q: String }
    scalar Time @specifiedBy(url: "https://example.com")
  )");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->query_type()->name, "Root");
  EXPECT_EQ(s->mutation_type()->name, "Change");
  const Field* a = s->FindType("Root")->FindField("a");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type.ToString(), "Int");
  EXPECT_EQ(a->FindArgument("x")->default_value->dump(), "3");
  EXPECT_EQ(a->FindArgument("y")->type.ToString(), "[Color!]");
  EXPECT_EQ(a->FindArgument("y")->default_value->dump(), R"(["RED"])");
  EXPECT_EQ(a->FindArgument("z")->default_value->dump(), R"({"p":1})");
  EXPECT_EQ(s->FindType("Color")->enum_values,
            (std::vector<std::string>{"RED", "BLUE"}));
  EXPECT_EQ(s->FindType("Time")->kind, TypeKind::kScalar);
  EXPECT_EQ(s->FindType("ID")->kind, TypeKind::kScalar);
  EXPECT_EQ(s->FindType("Nope"), nullptr);

  absl::StatusOr<Schema> no_mutation = Schema::Parse("type Query { a: Int }");
  ASSERT_TRUE(no_mutation.ok());
  EXPECT_EQ(no_mutation->mutation_type(), nullptr);
}

TEST(SchemaTest, RejectsInvalidSchemas) {
  const std::pair<std::string, std::string> cases[] = {
      {"type Query { a: Nope }", "1:17: Unknown type \"Nope\"."},
      {"type Query { a: Int } type Query { b: Int }",
       "1:28: There can be only one type named \"Query\"."},
      {"scalar Int type Query { a: Int }",
       "1:8: Type \"Int\" already exists in the schema. It cannot also be "
       "defined in this type definition."},
      {"type Mutation { a: Int }", "1:1: Query root type must be provided."},
      {"type Query { a(x: Int = \"s\"): Int }",
       "1:25: Invalid default value for Query.a(x:)."},
      {"type Query { a(x: F): Int } type F { b: Int }",
       "1:19: The type of Query.a(x:) must be Input Type but got: F."},
      {"input I { a: Int } type Query { f: [I] }",
       "1:37: The type of Query.f must be Output Type but got: [I]."},
      {"type Query { a: Int a: Int }",
       "1:21: Field \"Query.a\" can only be defined once."},
      {"type Query { a(x: Int, x: Int): Int }",
       "1:24: Argument \"Query.a(x:)\" can only be defined once."},
      {"enum E { A A } type Query { a: E }",
       "1:12: Enum value \"E.A\" can only be defined once."},
      {"type Query { __a: Int }",
       "1:14: Name \"__a\" must not begin with \"__\", which is reserved by "
       "GraphQL introspection."},
      {"type Query", "1:6: Type Query must define one or more fields."},
      {"interface X { a: Int } type Query { a: Int }",
       "1:1: Interface types are not supported."},
      {"union U = A | B type Query { a: Int }",
       "1:1: Union types are not supported."},
      {"type Query implements X { a: Int }",
       "1:23: Interfaces are not supported."},
      {"type Query { a: Int } { a }",
       "1:23: Executable definitions are not allowed in a schema."},
      {"type Query { a: Int! = 1 }",
       "1:22: Syntax Error: Expected Name, found \"=\"."},
      {"schema { query: Q }", "1:17: Unknown type \"Q\"."},
      {"enum E { true } type Query { a: E }",
       "1:10: Syntax Error: Name \"true\" is reserved and cannot be used for "
       "an "
       "enum value."},
  };
  for (const auto& [sdl, message] : cases) {
    absl::StatusOr<Schema> s = Schema::Parse(sdl);
    ASSERT_FALSE(s.ok()) << sdl;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.status().message(), message) << sdl;
  }
}

}  // namespace
}  // namespace podform::graphql
