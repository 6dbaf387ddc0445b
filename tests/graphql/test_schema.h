#ifndef PODFORM_TESTS_GRAPHQL_TEST_SCHEMA_H_
#define PODFORM_TESTS_GRAPHQL_TEST_SCHEMA_H_

#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/executor.h"
#include "reconciler/graphql/schema.h"

namespace podform::graphql::test_support {

// A small schema that exercises every kind of type and wrapper.
inline constexpr char kTestSdl[] = R"(
# Test schema.
"""A JSON value, passed through as is."""
scalar JSON

enum Color { RED GREEN BLUE }

input Inner {
  a: Int = 7
  b: [String!]
}

input Filter {
  name: String!
  color: Color = GREEN
  inner: Inner
  tags: [String]
  limit: Int
}

type Part {
  serial: Int!
  label: String
}

type Item {
  id: ID!
  name: String
  color: Color
  price: Float
  tags: [String]
  parts: [Part!]
  owner: User
}

type User {
  name: String!
  items(first: Int = 2): [Item]
}

type Query {
  "Returns its arguments, as coerced."
  echo(s: String, i: Int, f: Float, b: Boolean, id: ID, c: Color, list: [Int],
       nested: [[Int!]], filter: Filter, any: JSON, strs: [String!]): JSON
  need(x: Int!): Int
  int: Int
  float: Float
  bool: Boolean
  str: String
  item(id: ID!): Item
  items: [Item]
  user: User
  fail: String
  failNonNull: String!
  throws: String
  nonNullItem: Item!
  badInt: Int
  notList: [Int]
  badUtf8: String
  badJson: JSON
  failBadUtf8: String
}

type Mutation {
  step(n: Int!): Int
  failStep(n: Int!): Int
}
)";

inline const Schema& TestSchema() {
  static const Schema* const schema = [] {
    absl::StatusOr<Schema> s = Schema::Parse(kTestSdl);
    if (!s.ok()) {
      ADD_FAILURE() << s.status();
      std::abort();
    }
    return new Schema(std::move(*s));
  }();
  return *schema;
}

// Items with parts and owners, as resolvers would return them.
inline const nlohmann::json& TestItems() {
  static const nlohmann::json* const items =
      new nlohmann::json(nlohmann::json::parse(R"([
    {"id": "i1", "name": "first", "color": "RED", "price": 1.5,
     "tags": ["a", "b"], "parts": [{"serial": 1, "label": "x"}],
     "owner": {"name": "ann"}},
    {"id": "i2", "name": "second", "color": "BLUE", "price": 2,
     "tags": [], "parts": [{"serial": 2}, {"label": "no serial"}],
     "owner": null},
    {"id": 3, "name": null, "color": "GREEN", "unselected": {"big": [1, 2, 3]}}
  ])"));
  return *items;
}

struct TestContext {
  std::vector<int> steps;
};

// An executor over TestSchema() with resolvers for the interesting fields.
inline Executor MakeTestExecutor() {
  using nlohmann::json;
  Executor exec(TestSchema());
  exec.SetResolver("Query.echo", [](const ResolveInfo& info) {
    return absl::StatusOr<json>(info.args);
  });
  exec.SetResolver("Query.need", [](const ResolveInfo& info) {
    return absl::StatusOr<json>(info.args["x"]);
  });
  exec.SetResolver("Query.int",
                   [](const ResolveInfo&) { return absl::StatusOr<json>(42); });
  exec.SetResolver("Query.float", [](const ResolveInfo&) {
    return absl::StatusOr<json>(0.5);
  });
  exec.SetResolver("Query.bool", [](const ResolveInfo&) {
    return absl::StatusOr<json>(true);
  });
  exec.SetResolver("Query.str", [](const ResolveInfo&) {
    return absl::StatusOr<json>("s");
  });
  exec.SetResolver("Query.items", [](const ResolveInfo&) {
    return absl::StatusOr<json>(TestItems());
  });
  exec.SetResolver("Query.item", [](const ResolveInfo& info) {
    for (const json& item : TestItems()) {
      if (item["id"] == info.args["id"]) return absl::StatusOr<json>(item);
    }
    return absl::StatusOr<json>(
        ResolverError("no item " + info.args["id"].dump(), "NOT_FOUND"));
  });
  exec.SetResolver("Query.user", [](const ResolveInfo&) {
    return absl::StatusOr<json>(json{{"name", "ann"}});
  });
  exec.SetResolver("User.items", [](const ResolveInfo& info) {
    const json& all = TestItems();
    json items = json::array();
    for (int i = 0; i < info.args["first"].get<int>() && i < 3; ++i) {
      items.push_back(all[i]);
    }
    return absl::StatusOr<json>(std::move(items));
  });
  exec.SetResolver("Query.fail", [](const ResolveInfo&) {
    return absl::StatusOr<json>(ResolverError("boom", "RUNPOD"));
  });
  exec.SetResolver("Query.failNonNull", [](const ResolveInfo&) {
    return absl::StatusOr<json>(nullptr);
  });
  exec.SetResolver("Query.throws",
                   [](const ResolveInfo&) -> absl::StatusOr<json> {
                     throw std::runtime_error("kaboom");
                   });
  exec.SetResolver("Query.nonNullItem", [](const ResolveInfo&) {
    return absl::StatusOr<json>(nullptr);
  });
  exec.SetResolver("Query.badInt", [](const ResolveInfo&) {
    return absl::StatusOr<json>("abc");
  });
  exec.SetResolver("Query.notList",
                   [](const ResolveInfo&) { return absl::StatusOr<json>(5); });
  exec.SetResolver("Query.badUtf8", [](const ResolveInfo&) {
    return absl::StatusOr<json>("a\xff");
  });
  exec.SetResolver("Query.badJson", [](const ResolveInfo&) {
    return absl::StatusOr<json>(json{{"k\xc3", 1}});
  });
  exec.SetResolver("Query.failBadUtf8", [](const ResolveInfo&) {
    return absl::StatusOr<json>(ResolverError("bad \xff byte", "RUNPOD"));
  });
  exec.SetResolver("Mutation.step", [](const ResolveInfo& info) {
    auto* ctx = static_cast<TestContext*>(info.context);
    ctx->steps.push_back(info.args["n"].get<int>());
    return absl::StatusOr<json>(static_cast<int>(ctx->steps.size()));
  });
  exec.SetResolver("Mutation.failStep", [](const ResolveInfo& info) {
    auto* ctx = static_cast<TestContext*>(info.context);
    ctx->steps.push_back(-info.args["n"].get<int>());
    return absl::StatusOr<json>(absl::FailedPreconditionError("step refused"));
  });
  return exec;
}

// "STATUS BODY" of executing `query`, for exact comparisons.
inline std::string Exec(const Executor& exec, const std::string& query,
                        const nlohmann::json& variables = nullptr,
                        const std::string& operation = "",
                        TestContext* ctx = nullptr) {
  TestContext local;
  ExecutionResult r =
      exec.Execute(query, variables, operation, ctx ? ctx : &local);
  return std::to_string(r.http_status) + " " + r.body.dump();
}

// The message of ValidateDocument against the test schema ("" when valid).
inline std::string Invalid(const std::string& document) {
  absl::Status s = ValidateDocument(TestSchema(), document);
  return std::string(s.message());
}

}  // namespace podform::graphql::test_support

#endif  // PODFORM_TESTS_GRAPHQL_TEST_SCHEMA_H_
