// Every validation rule, with graphql-js's messages and locations.

#include <string>
#include <utility>

#include "gtest/gtest.h"
#include "reconciler/graphql/executor.h"
#include "tests/graphql/test_schema.h"

namespace podform::graphql {
namespace {

using test_support::Invalid;

struct Case {
  const char* document;
  const char* errors;  // ValidateDocument's message: "LINE:COL: message" lines
};

void ExpectAll(const Case* cases, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(Invalid(cases[i].document), cases[i].errors) << cases[i].document;
  }
}

TEST(ValidationTest, ValidDocumentsPass) {
  const char* valid[] = {
      "{ int }",
      "query { int float }",
      "query Q($x: Int!) { need(x: $x) }",
      "query Q($x: Int = 3) { need(x: $x) }",
      "query Q($f: Filter) { echo(filter: $f) }",
      "query Q($l: [Int!]!) { echo(list: $l) }",
      "query Q($n: String!) { echo(filter: {name: $n}, strs: [$n]) }",
      "query Q($b: Boolean!) { int @skip(if: $b) float @include(if: false) }",
      "{ a: int a: int }",
      "{ user { items(first: 1) { id } ...U } } fragment U on User { "
      "items(first: 1) { name } }",
      "{ items { ... on Item { id } ... { name } __typename } }",
      "query A { int } mutation B { step(n: 1) } query C { ...F } fragment F "
      "on Query { str }",
      "{ __typename }",
      "subscription S { int }",
  };
  for (const char* doc : valid) EXPECT_EQ(Invalid(doc), "") << doc;
}

TEST(ValidationTest, FieldsAndSelections) {
  const Case cases[] = {
      {"{ item(id: 1) { nam } }",
       "1:17: Cannot query field \"nam\" on type \"Item\". Did you mean "
       "\"name\"?"},
      {"{ nothingLikeIt }",
       "1:3: Cannot query field \"nothingLikeIt\" on type \"Query\"."},
      {"mutation { stop(n: 1) }",
       "1:12: Cannot query field \"stop\" on type \"Mutation\". Did you mean "
       "\"step\"?"},
      {"{ __schema { types { name } } }",
       "1:3: Cannot query field \"__schema\" on type \"Query\"."},
      {"{ int { x } }",
       "1:7: Field \"int\" must not have a selection since type \"Int\" has no "
       "subfields."},
      {"{ user }",
       "1:3: Field \"user\" of type \"User\" must have a selection of "
       "subfields. "
       "Did you mean \"user { ... }\"?"},
      {"{ items }",
       "1:3: Field \"items\" of type \"[Item]\" must have a selection of "
       "subfields. Did you mean \"items { ... }\"?"},
      {"{ nonNullItem { parts } }",
       "1:17: Field \"parts\" of type \"[Part!]\" must have a selection of "
       "subfields. Did you mean \"parts { ... }\"?"},
      // Nothing more is reported inside an unknown field.
      {"{ nope(x: 1) { deeper { still } } }",
       "1:3: Cannot query field \"nope\" on type \"Query\"."},
      {"{ __typename { x } }",
       "1:14: Field \"__typename\" must not have a selection since type "
       "\"String!\" has no subfields."},
  };
  ExpectAll(cases, std::size(cases));
}

TEST(ValidationTest, Arguments) {
  const Case cases[] = {
      {"{ need(y: 1) }",
       "1:8: Unknown argument \"y\" on field \"Query.need\". Did you mean "
       "\"x\"?\n"
       "1:3: Field \"need\" argument \"x\" of type \"Int!\" is required, but "
       "it "
       "was not provided."},
      {"{ need }",
       "1:3: Field \"need\" argument \"x\" of type \"Int!\" is required, but "
       "it "
       "was not provided."},
      {"{ need(x: 1, x: 2) }",
       "1:8: There can be only one argument named \"x\"."},
      {"{ int(x: 1) }", "1:7: Unknown argument \"x\" on field \"Query.int\"."},
      {"{ user { items(frist: 1) { id } } }",
       "1:16: Unknown argument \"frist\" on field \"User.items\". Did you mean "
       "\"first\"?"},
  };
  ExpectAll(cases, std::size(cases));
  // Both locations of a duplicate argument are listed.
  const Executor exec = test_support::MakeTestExecutor();
  EXPECT_EQ(
      test_support::Exec(exec, "{ need(x: 1, x: 2) }"),
      R"(400 {"errors":[{"message":"There can be only one argument named \"x\".",)"
      R"("locations":[{"line":1,"column":8},{"line":1,"column":14}],)"
      R"("extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})");
}

TEST(ValidationTest, LiteralsOfTheWrongType) {
  const Case cases[] = {
      {"{ echo(i: \"1\") }",
       "1:11: Int cannot represent non-integer value: \"1\""},
      {"{ echo(i: 1.5) }", "1:11: Int cannot represent non-integer value: 1.5"},
      {"{ echo(i: 2147483648) }",
       "1:11: Int cannot represent non 32-bit signed integer value: "
       "2147483648"},
      {"{ echo(i: -2147483649) }",
       "1:11: Int cannot represent non 32-bit signed integer value: "
       "-2147483649"},
      {"{ echo(f: true) }",
       "1:11: Float cannot represent non numeric value: true"},
      {"{ echo(f: \"1.5\") }",
       "1:11: Float cannot represent non numeric value: \"1.5\""},
      {"{ echo(s: 1) }", "1:11: String cannot represent a non string value: 1"},
      {"{ echo(s: RED) }",
       "1:11: String cannot represent a non string value: RED"},
      {"{ echo(b: 0) }",
       "1:11: Boolean cannot represent a non boolean value: 0"},
      {"{ echo(b: \"true\") }",
       "1:11: Boolean cannot represent a non boolean value: \"true\""},
      {"{ echo(id: 1.5) }",
       "1:12: ID cannot represent a non-string and non-integer value: 1.5"},
      {"{ echo(c: REDD) }",
       "1:11: Value \"REDD\" does not exist in \"Color\" enum. Did you mean "
       "the "
       "enum value \"RED\"?"},
      {"{ echo(c: \"RED\") }",
       "1:11: Enum \"Color\" cannot represent non-enum value: \"RED\". Did you "
       "mean the enum value \"RED\" or \"GREEN\"?"},
      {"{ echo(c: 1) }",
       "1:11: Enum \"Color\" cannot represent non-enum value: 1."},
      {"{ echo(list: [1, \"a\", 2]) }",
       "1:18: Int cannot represent non-integer value: \"a\""},
      {"{ echo(i: [1]) }", "1:11: Int cannot represent non-integer value: [1]"},
      {"{ echo(i: {a: 1}) }",
       "1:11: Int cannot represent non-integer value: {a: 1}"},
      {"{ echo(s: \"\"\"block\"\"\" i: \"\"\"x\"\"\") }",
       "1:26: Int cannot represent non-integer value: \"\"\"x\"\"\""},
      {"{ echo(filter: \"x\") }",
       "1:16: Expected value of type \"Filter\", found \"x\"."},
      {"{ echo(filter: [1]) }",
       "1:16: Expected value of type \"Filter\", found [1]."},
      {"{ echo(filter: RED) }",
       "1:16: Expected value of type \"Filter\", found RED."},
      {"{ need(x: null) }",
       "1:11: Expected value of type \"Int!\", found null."},
      {"{ echo(strs: [\"a\", null]) }",
       "1:20: Expected value of type \"String!\", found null."},
      {"{ echo(nested: [[1, null]]) }",
       "1:21: Expected value of type \"Int!\", found null."},
      {"{ item(id: true) { id } }",
       "1:12: ID cannot represent a non-string and non-integer value: true"},
  };
  ExpectAll(cases, std::size(cases));
}

TEST(ValidationTest, InputObjects) {
  const Case cases[] = {
      {"{ echo(filter: {nam: \"x\", color: RED}) }",
       "1:16: Field \"Filter.name\" of required type \"String!\" was not "
       "provided.\n"
       "1:17: Field \"nam\" is not defined by type \"Filter\". Did you mean "
       "\"name\"?"},
      {"{ echo(filter: {name: null}) }",
       "1:23: Expected value of type \"String!\", found null."},
      {"{ echo(filter: {name: \"a\", name: \"b\"}) }",
       "1:17: There can be only one input field named \"name\"."},
      {"{ echo(filter: {name: \"a\", inner: {a: \"x\", b: [null]}}) }",
       "1:39: Int cannot represent non-integer value: \"x\"\n"
       "1:48: Expected value of type \"String!\", found null."},
      {"{ echo(filter: {name: \"a\", color: GREY}) }",
       "1:35: Value \"GREY\" does not exist in \"Color\" enum. Did you mean "
       "the "
       "enum value \"GREEN\" or \"RED\"?"},
      {"{ echo(filter: {name: \"a\", inner: 5}) }",
       "1:35: Expected value of type \"Inner\", found 5."},
  };
  ExpectAll(cases, std::size(cases));
}

TEST(ValidationTest, Variables) {
  const Case cases[] = {
      {"query Q { need(x: $v) }",
       "1:19: Variable \"$v\" is not defined by operation \"Q\"."},
      {"{ need(x: $v) }", "1:11: Variable \"$v\" is not defined."},
      {"query Q($a: Int) { int }",
       "1:9: Variable \"$a\" is never used in operation \"Q\"."},
      {"query ($a: Int) { int }", "1:8: Variable \"$a\" is never used."},
      // As in graphql-js, the position check reports the variable too.
      {"query ($a: Item) { echo(any: $a) }",
       "1:12: Variable \"$a\" cannot be non-input type \"Item\".\n"
       "1:8: Variable \"$a\" of type \"Item\" used in position expecting type "
       "\"JSON\"."},
      {"query ($a: [Item!]) { echo(s: \"\") }",
       "1:12: Variable \"$a\" cannot be non-input type \"[Item!]\".\n"
       "1:8: Variable \"$a\" is never used."},
      {"query ($a: Strin) { echo(s: $a) }",
       "1:12: Unknown type \"Strin\". Did you mean \"String\"?"},
      {"query ($a: Int) { need(x: $a) }",
       "1:8: Variable \"$a\" of type \"Int\" used in position expecting type "
       "\"Int!\"."},
      {"query ($a: String) { echo(i: $a) }",
       "1:8: Variable \"$a\" of type \"String\" used in position expecting "
       "type "
       "\"Int\"."},
      {"query ($a: Int) { echo(list: $a) }",
       "1:8: Variable \"$a\" of type \"Int\" used in position expecting type "
       "\"[Int]\"."},
      {"query ($a: [Int]) { echo(nested: [$a]) }",
       "1:8: Variable \"$a\" of type \"[Int]\" used in position expecting type "
       "\"[Int!]\"."},
      {"query ($a: Int, $a: Int) { echo(i: $a) }",
       "1:9: There can be only one variable named \"$a\"."},
      {"query ($a: Int = \"x\") { echo(i: $a) }",
       "1:18: Int cannot represent non-integer value: \"x\""},
      {"query ($a: String) { echo(filter: {name: $a}) }",
       "1:8: Variable \"$a\" of type \"String\" used in position expecting "
       "type "
       "\"String!\"."},
      {"query ($b: Boolean) { int @skip(if: $b) }",
       "1:8: Variable \"$b\" of type \"Boolean\" used in position expecting "
       "type "
       "\"Boolean!\"."},
      // Usages inside fragments count for every operation that spreads them.
      {"query A { ...F } query B($v: Int!) { ...F } fragment F on Query { "
       "need(x: $v) }",
       "1:75: Variable \"$v\" is not defined by operation \"A\"."},
      {"query A($v: Int!) { ...F } fragment F on Query { need(x: $v) }", ""},
  };
  ExpectAll(cases, std::size(cases));
  // Allowed: a non-null position with a default on either side.
  EXPECT_EQ(Invalid("query ($a: Int = 1) { need(x: $a) }"), "");
  EXPECT_EQ(Invalid("query ($a: Int) { user { items(first: $a) { id } } }"),
            "");
  EXPECT_EQ(Invalid("query ($a: [Int!]!) { echo(list: $a, nested: [$a]) }"),
            "");
  const Executor exec = test_support::MakeTestExecutor();
  EXPECT_EQ(
      test_support::Exec(exec, "query Q { need(x: $v) }"),
      R"(400 {"errors":[{"message":"Variable \"$v\" is not defined by operation \"Q\".",)"
      R"("locations":[{"line":1,"column":19},{"line":1,"column":1}],)"
      R"("extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})");
}

TEST(ValidationTest, Fragments) {
  const Case cases[] = {
      {"{ ...F }", "1:6: Unknown fragment \"F\"."},
      {"{ int } fragment F on Query { int }",
       "1:9: Fragment \"F\" is never used."},
      {"{ ...F } fragment F on Int { int }",
       "1:24: Fragment \"F\" cannot condition on non composite type \"Int\"."},
      {"{ ...F } fragment F on Nope { int }", "1:24: Unknown type \"Nope\"."},
      {"{ ... on Int { int } }",
       "1:10: Fragment cannot condition on non composite type \"Int\"."},
      {"{ ... on Filter { int } }",
       "1:10: Fragment cannot condition on non composite type \"Filter\"."},
      {"{ ... on Item { id } }",
       "1:3: Fragment cannot be spread here as objects of type \"Query\" can "
       "never "
       "be of type \"Item\"."},
      {"{ ...F } fragment F on Item { id }",
       "1:3: Fragment \"F\" cannot be spread here as objects of type \"Query\" "
       "can "
       "never be of type \"Item\"."},
      {"{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }",
       "1:32: Cannot spread fragment \"A\" within itself via \"B\"."},
      {"{ ...A } fragment A on Query { int ...A }",
       "1:36: Cannot spread fragment \"A\" within itself."},
      {"{ ...A } fragment A on Query { int } fragment A on Query { str }",
       "1:19: There can be only one fragment named \"A\"."},
      {"{ ...A } fragment A on Query { user { ...B } } "
       "fragment B on User { items { owner { ...C } } } "
       "fragment C on User { ...A }",
       "1:39: Cannot spread fragment \"A\" within itself via \"B\", \"C\".\n"
       "1:117: Fragment \"A\" cannot be spread here as objects of type "
       "\"User\" "
       "can never be of type \"Query\"."},
  };
  ExpectAll(cases, std::size(cases));
  const Executor exec = test_support::MakeTestExecutor();
  EXPECT_EQ(
      test_support::Exec(
          exec,
          "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
      R"(400 {"errors":[{"message":"Cannot spread fragment \"A\" within itself via \"B\".",)"
      R"("locations":[{"line":1,"column":32},{"line":1,"column":61}],)"
      R"("extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})");
}

TEST(ValidationTest, OperationsAndDefinitions) {
  const Case cases[] = {
      {"query A { int } query A { str }",
       "1:7: There can be only one operation named \"A\"."},
      {"{ int } query B { str }",
       "1:1: This anonymous operation must be the only defined operation."},
      {"{ int } type Foo { a: Int }",
       "1:9: The \"Foo\" definition is not executable."},
      {"{ int } schema { query: Query }",
       "1:9: The schema definition is not executable."},
  };
  ExpectAll(cases, std::size(cases));
  const Executor exec = test_support::MakeTestExecutor();
  EXPECT_EQ(
      test_support::Exec(exec, "query A { int } query A { str }", nullptr, "A"),
      R"(400 {"errors":[{"message":"There can be only one operation named \"A\".",)"
      R"("locations":[{"line":1,"column":7},{"line":1,"column":23}],)"
      R"("extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})");
}

TEST(ValidationTest, Directives) {
  const Case cases[] = {
      {"{ int @foo }", "1:7: Unknown directive \"@foo\"."},
      {"query @skip(if: true) { int }",
       "1:7: Directive \"@skip\" may not be used on QUERY."},
      {"{ int @deprecated }",
       "1:7: Directive \"@deprecated\" may not be used on FIELD."},
      {"{ int @skip }",
       "1:7: Directive \"@skip\" argument \"if\" of type \"Boolean!\" is "
       "required, "
       "but it was not provided."},
      {"{ int @skip(if: true) @skip(if: false) }",
       "1:7: The directive \"@skip\" can only be used once at this location."},
      {"{ int @skip(iff: true) }",
       "1:13: Unknown argument \"iff\" on directive \"@skip\". Did you mean "
       "\"if\"?\n"
       "1:7: Directive \"@skip\" argument \"if\" of type \"Boolean!\" is "
       "required, "
       "but it was not provided."},
      {"{ int @include(if: 1) }",
       "1:20: Boolean cannot represent a non boolean value: 1"},
      {"{ ...F @include(if: null) } fragment F on Query { int }",
       "1:21: Expected value of type \"Boolean!\", found null."},
  };
  ExpectAll(cases, std::size(cases));
}

TEST(ValidationTest, OverlappingFields) {
  const Case cases[] = {
      {"{ a: int a: float }",
       "1:3: Fields \"a\" conflict because \"int\" and \"float\" are different "
       "fields. Use different aliases on the fields to fetch both if this was "
       "intentional."},
      {"{ need(x: 1) need(x: 2) }",
       "1:3: Fields \"need\" conflict because they have differing arguments. "
       "Use "
       "different aliases on the fields to fetch both if this was "
       "intentional."},
      {"{ user { items { a: id } } user { items { a: name } } }",
       "1:3: Fields \"user\" conflict because subfields \"items\" conflict "
       "because "
       "subfields \"a\" conflict because \"id\" and \"name\" are different "
       "fields. Use different aliases on the fields to fetch both if this was "
       "intentional."},
      {"{ ...F a: str } fragment F on Query { a: int }",
       "1:39: Fields \"a\" conflict because \"int\" and \"str\" are different "
       "fields. Use different aliases on the fields to fetch both if this was "
       "intentional."},
  };
  ExpectAll(cases, std::size(cases));
  const Executor exec = test_support::MakeTestExecutor();
  EXPECT_EQ(
      test_support::Exec(
          exec, "{ user { items { a: id } } user { items { a: name } } }"),
      R"(400 {"errors":[{"message":"Fields \"user\" conflict because subfields \"items\" )"
      R"(conflict because subfields \"a\" conflict because \"id\" and \"name\" are )"
      R"(different fields. Use different aliases on the fields to fetch both if this )"
      R"(was intentional.","locations":[{"line":1,"column":3},{"line":1,"column":10},)"
      R"({"line":1,"column":18},{"line":1,"column":28},{"line":1,"column":35},)"
      R"({"line":1,"column":43}],"extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}}]})");
}

TEST(ValidationTest, ReportsEveryErrorUpToTheLimit) {
  EXPECT_EQ(Invalid("query Q($u: Int) { a b(x: 1) need(x: \"s\") user }"),
            "1:20: Cannot query field \"a\" on type \"Query\".\n"
            "1:22: Cannot query field \"b\" on type \"Query\".\n"
            "1:38: Int cannot represent non-integer value: \"s\"\n"
            "1:43: Field \"user\" of type \"User\" must have a selection of "
            "subfields. Did you mean \"user { ... }\"?\n"
            "1:9: Variable \"$u\" is never used in operation \"Q\".");
  std::string many = "{";
  for (int i = 0; i < 150; ++i) many += " f" + std::to_string(i);
  many += " }";
  const Executor exec = test_support::MakeTestExecutor();
  ExecutionResult r = exec.Execute(many, nullptr, "", nullptr);
  EXPECT_EQ(r.http_status, 400);
  ASSERT_EQ(r.body["errors"].size(), 101u);
  EXPECT_EQ(r.body["errors"][0]["message"],
            "Cannot query field \"f0\" on type \"Query\".");
  EXPECT_EQ(
      r.body["errors"][100].dump(),
      R"({"message":"Too many validation errors, error limit reached. )"
      R"(Validation aborted.","extensions":{"code":"GRAPHQL_VALIDATION_FAILED"}})");
}

TEST(ValidationTest, RejectsSelectionsNestedTooDeepThroughFragments) {
  // Each fragment adds three levels: its own selection set, items and owner.
  std::string doc = "{ user { ...U0 } }";
  for (int i = 0; i < 50; ++i) {
    doc += " fragment U" + std::to_string(i) + " on User { items { owner { " +
           (i < 49 ? "...U" + std::to_string(i + 1) : std::string("name")) +
           " } } }";
  }
  EXPECT_EQ(Invalid(doc),
            "1:1: Selections are nested more than 128 levels deep (counting "
            "fragments).");
}

}  // namespace
}  // namespace podform::graphql
