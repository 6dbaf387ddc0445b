// Execution: selection order, aliases, fragments, directives, variables,
// operation selection, errors with paths and null propagation.

#include "reconciler/graphql/executor.h"

#include <string>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/graphql/test_schema.h"

namespace podform::graphql {
namespace {

using nlohmann::json;
using test_support::Exec;
using test_support::MakeTestExecutor;

class ExecutorTest : public ::testing::Test {
 protected:
  const Executor exec_ = MakeTestExecutor();
};

TEST_F(ExecutorTest, ResultHasSelectedFieldsUnderAliasesInSelectionOrder) {
  EXPECT_EQ(
      Exec(exec_, "{ z: int bool, a: float __typename int str }"),
      R"(200 {"data":{"z":42,"bool":true,"a":0.5,"__typename":"Query","int":42,"str":"s"}})");
  EXPECT_EQ(
      Exec(exec_, "{ items { price name id } }"),
      R"(200 {"data":{"items":[{"price":1.5,"name":"first","id":"i1"},)"
      R"({"price":2,"name":"second","id":"i2"},{"price":null,"name":null,"id":"3"}]}})");
  // Repeated fields merge into the first position.
  EXPECT_EQ(
      Exec(exec_, "{ int str int user { name } str user { n: name } }"),
      R"(200 {"data":{"int":42,"str":"s","user":{"name":"ann","n":"ann"}}})");
}

TEST_F(ExecutorTest, FragmentsAndTypename) {
  EXPECT_EQ(
      Exec(exec_,
           "query { ...Q items { ...I ... on Item { tags } ... { color } } }\n"
           "fragment Q on Query { user { __typename name } }\n"
           "fragment I on Item { __typename id owner { ...O } }\n"
           "fragment O on User { name }"),
      R"(200 {"data":{"user":{"__typename":"User","name":"ann"},"items":[)"
      R"({"__typename":"Item","id":"i1","owner":{"name":"ann"},"tags":["a","b"],"color":"RED"},)"
      R"({"__typename":"Item","id":"i2","owner":null,"tags":[],"color":"BLUE"},)"
      R"({"__typename":"Item","id":"3","owner":null,"tags":null,"color":"GREEN"}]}})");
  EXPECT_EQ(Exec(exec_, "mutation { __typename }"),
            R"(200 {"data":{"__typename":"Mutation"}})");
}

TEST_F(ExecutorTest, SkipAndInclude) {
  const std::string doc =
      "query ($s: Boolean!, $i: Boolean = true) {"
      " a: int @skip(if: $s) b: int @include(if: $i) c: int @skip(if: false)"
      " ...F @include(if: $s) ... @skip(if: $s) { d: int } }"
      " fragment F on Query { e: int }";
  EXPECT_EQ(Exec(exec_, doc, {{"s", true}}),
            R"(200 {"data":{"b":42,"c":42,"e":42}})");
  EXPECT_EQ(Exec(exec_, doc, {{"s", false}, {"i", false}}),
            R"(200 {"data":{"a":42,"c":42,"d":42}})");
  // A field included by one of its occurrences is included.
  EXPECT_EQ(Exec(exec_, "{ int @skip(if: true) int }"),
            R"(200 {"data":{"int":42}})");
}

TEST_F(ExecutorTest, VariablesAreCoercedWithDefaults) {
  const std::string doc =
      "query ($s: String, $i: Int = 5, $f: Float, $c: Color, $l: [Int], "
      "$filter: Filter, $id: ID, $any: JSON, $n: [[Int!]]) "
      "{ echo(s: $s, i: $i, f: $f, c: $c, list: $l, filter: $filter, id: $id, "
      "any: $any, nested: $n) }";
  EXPECT_EQ(
      Exec(exec_, doc, json::parse(R"({"s": "x", "f": 2, "c": "BLUE", "l": 7,
                                "filter": {"name": "n", "inner": {}}, "id": 12,
                                "any": {"k": [1, {"z": null}]}, "n": [[1], 2]})")),
      R"(200 {"data":{"echo":{"any":{"k":[1,{"z":null}]},"c":"BLUE","f":2.0,)"
      R"("filter":{"color":"GREEN","inner":{"a":7},"name":"n"},"i":5,"id":"12",)"
      R"("list":[7],"nested":[[1],[2]],"s":"x"}}})");
  // Explicit null is passed; an absent variable without default omits the
  // argument.
  EXPECT_EQ(Exec(exec_, doc, json::parse(R"({"s": null, "i": null})")),
            R"(200 {"data":{"echo":{"i":null,"s":null}}})");
  // Variables nested in literals.
  EXPECT_EQ(
      Exec(exec_,
           "query ($n: String!, $t: String) { echo(filter: {name: $n, tags: "
           "[$t, \"u\"]}) }",
           {{"n", "v"}}),
      R"(200 {"data":{"echo":{"filter":{"color":"GREEN","name":"v","tags":[null,"u"]}}}})");
  EXPECT_EQ(Exec(exec_, "query ($c: Color = RED) { echo(c: $c) }"),
            R"(200 {"data":{"echo":{"c":"RED"}}})");
}

TEST_F(ExecutorTest, VariableValuesThatDoNotCoerceAreBadUserInput) {
  const std::string doc =
      "query ($x: Int!, $f: Filter, $l: [Int!], $c: Color) "
      "{ need(x: $x) echo(filter: $f, list: $l, c: $c) }";
  EXPECT_EQ(
      Exec(exec_, doc, json::object()),
      R"(400 {"errors":[{"message":"Variable \"$x\" of required type \"Int!\" )"
      R"(was not provided.","locations":[{"line":1,"column":8}],)"
      R"("extensions":{"code":"BAD_USER_INPUT"}}]})");
  EXPECT_EQ(
      Exec(exec_, doc, {{"x", nullptr}}),
      R"(400 {"errors":[{"message":"Variable \"$x\" of non-null type \"Int!\" )"
      R"(must not be null.","locations":[{"line":1,"column":8}],)"
      R"("extensions":{"code":"BAD_USER_INPUT"}}]})");
  ExecutionResult r = exec_.Execute(
      doc, json::parse(R"({"x": "1", "f": {"nam": "a", "inner": {"a": 1.5}},
                      "l": [1, null, 3000000000], "c": "PINK"})"),
      "", nullptr);
  EXPECT_EQ(r.http_status, 400);
  std::vector<std::string> messages;
  for (const auto& e : r.body["errors"]) {
    EXPECT_EQ(e["extensions"]["code"], "BAD_USER_INPUT");
    messages.push_back(e["message"]);
  }
  EXPECT_EQ(
      messages,
      (std::vector<std::string>{
          "Variable \"$x\" got invalid value \"1\"; Int cannot represent "
          "non-integer value: \"1\"",
          "Variable \"$f\" got invalid value { inner: { a: 1.5 }, nam: \"a\" "
          "}; "
          "Field \"name\" of required type \"String!\" was not provided.",
          "Variable \"$f\" got invalid value 1.5 at \"f.inner.a\"; Int "
          "cannot represent non-integer value: 1.5",
          "Variable \"$f\" got invalid value { inner: { a: 1.5 }, nam: \"a\" "
          "}; "
          "Field \"nam\" is not defined by type \"Filter\". Did you mean "
          "\"name\"?",
          "Variable \"$l\" got invalid value null at \"l[1]\"; Expected "
          "non-nullable type \"Int!\" not to be null.",
          "Variable \"$l\" got invalid value 3000000000 at \"l[2]\"; Int "
          "cannot represent non 32-bit signed integer value: 3000000000",
          "Variable \"$c\" got invalid value \"PINK\"; Value \"PINK\" does "
          "not exist in \"Color\" enum.",
      }));
  EXPECT_EQ(
      Exec(exec_, "query ($f: Filter) { echo(filter: $f) }", {{"f", "x"}}),
      R"(400 {"errors":[{"message":"Variable \"$f\" got invalid value \"x\"; )"
      R"(Expected type \"Filter\" to be an object.","locations":[{"line":1,"column":8}],)"
      R"("extensions":{"code":"BAD_USER_INPUT"}}]})");
}

TEST_F(ExecutorTest, OperationNameSelectsTheOperation) {
  const std::string doc =
      "query A { int } query B { str } mutation C { step(n: 4) }";
  EXPECT_EQ(Exec(exec_, doc, nullptr, "B"), R"(200 {"data":{"str":"s"}})");
  EXPECT_EQ(Exec(exec_, doc, nullptr, "A"), R"(200 {"data":{"int":42}})");
  test_support::TestContext ctx;
  EXPECT_EQ(Exec(exec_, doc, nullptr, "C", &ctx), R"(200 {"data":{"step":1}})");
  EXPECT_EQ(ctx.steps, std::vector<int>{4});
  EXPECT_EQ(
      Exec(exec_, doc),
      R"(400 {"errors":[{"message":"Must provide operation name if query contains )"
      R"(multiple operations.","extensions":{"code":"OPERATION_RESOLUTION_FAILURE"}}]})");
  EXPECT_EQ(Exec(exec_, doc, nullptr, "D"),
            R"(400 {"errors":[{"message":"Unknown operation named \"D\".",)"
            R"("extensions":{"code":"OPERATION_RESOLUTION_FAILURE"}}]})");
  EXPECT_EQ(Exec(exec_, "query A { int }", nullptr, "A"),
            R"(200 {"data":{"int":42}})");
  EXPECT_EQ(Exec(exec_, "{ int }", nullptr, "A"),
            R"(400 {"errors":[{"message":"Unknown operation named \"A\".",)"
            R"("extensions":{"code":"OPERATION_RESOLUTION_FAILURE"}}]})");
}

TEST_F(ExecutorTest, MutationsRunSeriallyInOrderAndErrorsDoNotStopThem) {
  test_support::TestContext ctx;
  EXPECT_EQ(
      Exec(exec_,
           "mutation { c: step(n: 3) f: failStep(n: 1) a: step(n: 1) b: "
           "step(n: 2) }",
           nullptr, "", &ctx),
      R"(200 {"errors":[{"message":"step refused","locations":[{"line":1,"column":26}],)"
      R"("path":["f"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],)"
      R"("data":{"c":1,"f":null,"a":3,"b":4}})");
  EXPECT_EQ(ctx.steps, (std::vector<int>{3, -1, 1, 2}));
}

TEST_F(ExecutorTest, NothingRunsWhenTheRequestIsRejected) {
  test_support::TestContext ctx;
  EXPECT_EQ(Exec(exec_, "mutation { step(n: 1) nope }", nullptr, "", &ctx)
                .substr(0, 4),
            "400 ");
  EXPECT_EQ(
      Exec(exec_, "mutation { step(n: 1) ", nullptr, "", &ctx).substr(0, 4),
      "400 ");
  EXPECT_EQ(
      Exec(exec_, "mutation ($n: Int!) { step(n: $n) }", {{"n", "x"}}, "", &ctx)
          .substr(0, 4),
      "400 ");
  EXPECT_EQ(Exec(exec_, "mutation A { step(n: 1) } mutation B { step(n: 2) }",
                 nullptr, "", &ctx)
                .substr(0, 4),
            "400 ");
  EXPECT_TRUE(ctx.steps.empty());
}

TEST_F(ExecutorTest, ResolverErrorsCarryPathAndCode) {
  EXPECT_EQ(
      Exec(exec_, "{ int x: fail str }"),
      R"(200 {"errors":[{"message":"boom","locations":[{"line":1,"column":7}],)"
      R"("path":["x"],"extensions":{"code":"RUNPOD"}}],)"
      R"("data":{"int":42,"x":null,"str":"s"}})");
  EXPECT_EQ(
      Exec(exec_, "{ item(id: \"nope\") { id } }"),
      R"(200 {"errors":[{"message":"no item \"nope\"","locations":[{"line":1,"column":3}],)"
      R"("path":["item"],"extensions":{"code":"NOT_FOUND"}}],"data":{"item":null}})");
  EXPECT_EQ(
      Exec(exec_, "{ throws int }"),
      R"(200 {"errors":[{"message":"kaboom","locations":[{"line":1,"column":3}],)"
      R"("path":["throws"],"extensions":{"code":"INTERNAL_SERVER_ERROR"}}],)"
      R"("data":{"throws":null,"int":42}})");
  EXPECT_EQ(
      Exec(exec_, "{ badInt notList }"),
      R"(200 {"errors":[{"message":"Int cannot represent non-integer value: \"abc\"",)"
      R"("locations":[{"line":1,"column":3}],"path":["badInt"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}},)"
      R"({"message":"Expected Iterable, but did not find one for field \"Query.notList\".",)"
      R"("locations":[{"line":1,"column":10}],"path":["notList"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}}],)"
      R"("data":{"badInt":null,"notList":null}})");
}

TEST_F(ExecutorTest, ResponsesStayValidUtf8) {
  EXPECT_EQ(
      Exec(exec_, "{ badUtf8 badJson failBadUtf8 }"),
      R"(200 {"errors":[{"message":"String cannot represent a value that is not valid UTF-8",)"
      R"("locations":[{"line":1,"column":3}],"path":["badUtf8"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}},)"
      R"({"message":"JSON cannot represent a value nested more than 64 levels deep or )"
      R"(holding invalid UTF-8","locations":[{"line":1,"column":11}],"path":["badJson"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}},)"
      R"({"message":"bad )"
      "\xEF\xBF\xBD"
      R"( byte","locations":[{"line":1,"column":19}],)"
      R"("path":["failBadUtf8"],"extensions":{"code":"RUNPOD"}}],)"
      R"("data":{"badUtf8":null,"badJson":null,"failBadUtf8":null}})");
}

TEST_F(ExecutorTest, NullPropagatesToTheNearestNullableField) {
  // parts: [Part!] - a part without its non-null serial nulls the whole list.
  EXPECT_EQ(
      Exec(exec_, "{ items { id parts { serial label } } }"),
      R"(200 {"errors":[{"message":"Cannot return null for non-nullable field Part.serial.",)"
      R"("locations":[{"line":1,"column":22}],"path":["items",1,"parts",1,"serial"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}}],)"
      R"("data":{"items":[{"id":"i1","parts":[{"serial":1,"label":"x"}]},)"
      R"({"id":"i2","parts":null},{"id":"3","parts":null}]}})");
  // A non-null root field takes the whole data with it.
  EXPECT_EQ(
      Exec(exec_, "{ int nonNullItem { id } }"),
      R"(200 {"errors":[{"message":"Cannot return null for non-nullable field )"
      R"(Query.nonNullItem.","locations":[{"line":1,"column":7}],"path":["nonNullItem"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null})");
  EXPECT_EQ(
      Exec(exec_, "{ failNonNull }"),
      R"(200 {"errors":[{"message":"Cannot return null for non-nullable field )"
      R"(Query.failNonNull.","locations":[{"line":1,"column":3}],"path":["failNonNull"],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null})");
  // User.name is String!: a user object without it becomes null.
  EXPECT_EQ(
      Exec(exec_, "{ items { owner { name } } }"),
      R"(200 {"data":{"items":[{"owner":{"name":"ann"}},{"owner":null},{"owner":null}]}})");
}

TEST_F(ExecutorTest, ArgumentsReachResolvers) {
  EXPECT_EQ(
      Exec(exec_, "{ user { items { id } two: items(first: 1) { id } } }"),
      R"(200 {"data":{"user":{"items":[{"id":"i1"},{"id":"i2"}],"two":[{"id":"i1"}]}}})");
  EXPECT_EQ(
      Exec(exec_, "query ($n: Int) { user { items(first: $n) { id } } }",
           {{"n", 3}}),
      R"(200 {"data":{"user":{"items":[{"id":"i1"},{"id":"i2"},{"id":"3"}]}}})");
  // A variable without a value leaves the argument to its default.
  EXPECT_EQ(Exec(exec_, "query ($n: Int) { user { items(first: $n) { id } } }"),
            R"(200 {"data":{"user":{"items":[{"id":"i1"},{"id":"i2"}]}}})");
  EXPECT_EQ(
      Exec(exec_, "{ item(id: 3) { id name } }"),
      R"(200 {"errors":[{"message":"no item \"3\"","locations":[{"line":1,"column":3}],)"
      R"("path":["item"],"extensions":{"code":"NOT_FOUND"}}],"data":{"item":null}})");
}

TEST_F(ExecutorTest, SubscriptionsAreNotServed) {
  EXPECT_EQ(
      Exec(exec_, "subscription { int }"),
      R"(200 {"errors":[{"message":"Schema is not configured to execute subscription )"
      R"(operation.","locations":[{"line":1,"column":1}],)"
      R"("extensions":{"code":"INTERNAL_SERVER_ERROR"}}],"data":null})");
}

TEST_F(ExecutorTest, RequestBodies) {
  auto body = [&](const std::string& text) {
    ExecutionResult r = exec_.ExecuteBody(text, nullptr);
    return std::to_string(r.http_status) + " " + r.body.dump();
  };
  EXPECT_EQ(
      body(
          R"({"query": "query Q($x: Int!) { need(x: $x) }", "variables": {"x": 3},)"
          R"( "operationName": "Q"})"),
      R"(200 {"data":{"need":3}})");
  EXPECT_EQ(
      body(R"({"query": "{ int }", "variables": null, "operationName": null})"),
      R"(200 {"data":{"int":42}})");
  EXPECT_EQ(body(R"({"query": "{ int }")"),
            R"(400 {"errors":[{"message":"POST body is not valid JSON.",)"
            R"("extensions":{"code":"BAD_REQUEST"}}]})");
  EXPECT_EQ(body(R"(["{ int }"])"),
            R"(400 {"errors":[{"message":"POST body must be a JSON object.",)"
            R"("extensions":{"code":"BAD_REQUEST"}}]})");
  const std::string missing =
      R"(400 {"errors":[{"message":"GraphQL operations must contain a non-empty `query` )"
      R"(or a `persistedQuery` extension.","extensions":{"code":"BAD_REQUEST"}}]})";
  EXPECT_EQ(body(R"({"variables": {}})"), missing);
  EXPECT_EQ(body(R"({"query": ""})"), missing);
  EXPECT_EQ(body(R"({"query": 5})"), missing);
  EXPECT_EQ(
      body(R"({"query": "{ int }", "variables": [1]})"),
      R"(400 {"errors":[{"message":"`variables` in a POST body should be provided )"
      R"(as an object.","extensions":{"code":"BAD_REQUEST"}}]})");
  EXPECT_EQ(
      body(R"({"query": "{ int }", "operationName": 1})"),
      R"(400 {"errors":[{"message":"`operationName` in a POST body should be a string.",)"
      R"("extensions":{"code":"BAD_REQUEST"}}]})");
}

}  // namespace
}  // namespace podform::graphql
