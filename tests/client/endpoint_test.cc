#include "reconciler/client/endpoint.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace podform {
namespace {

EnvGetter Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

// "api url" for what ResolveApi chose, or the error message.
std::string Resolved(const std::string& api, const std::string& endpoint,
                     const EnvGetter& env) {
  absl::StatusOr<ApiTarget> target = ResolveApi(api, endpoint, env);
  if (!target.ok()) return std::string(target.status().message());
  return std::string(ApiName(target->api)) + " " + target->url;
}

TEST(EndpointTest, RestByDefault) {
  EXPECT_EQ(Resolved("", "", Env({})), "rest https://api.runpod.io/v2");
  EXPECT_EQ(Resolved("", "", nullptr), "rest https://api.runpod.io/v2");
  EXPECT_EQ(std::string(ApiTitle(kDefaultApi)), "REST v2");
}

TEST(EndpointTest, FlagWinsOverEnvironmentOverDefault) {
  const EnvGetter both = Env({{"RUNPOD_API_URL", "https://proxy.example/v2"},
                              {"RUNPOD_GRAPHQL_URL",
                               "https://proxy.example/gql"}});
  EXPECT_EQ(Resolved("", "http://127.0.0.1:8080/v2", both),
            "rest http://127.0.0.1:8080/v2");
  // An endpoint whose path ends in /graphql selects GraphQL.
  EXPECT_EQ(Resolved("", "http://127.0.0.1:8080/graphql", both),
            "graphql http://127.0.0.1:8080/graphql");
  // Without --endpoint, RUNPOD_API_URL wins, then RUNPOD_GRAPHQL_URL (which
  // alone selects GraphQL, whatever its path).
  EXPECT_EQ(Resolved("", "", both), "rest https://proxy.example/v2");
  EXPECT_EQ(Resolved("", "",
                     Env({{"RUNPOD_GRAPHQL_URL", "https://proxy.example/gql"}})),
            "graphql https://proxy.example/gql");
  EXPECT_EQ(Resolved("", "",
                     Env({{"RUNPOD_API_URL", "https://proxy.example/graphql"}})),
            "graphql https://proxy.example/graphql");
}

TEST(EndpointTest, ApiFlagChoosesTheProtocolAndItsVariable) {
  const EnvGetter both = Env({{"RUNPOD_API_URL", "https://proxy.example/v2"},
                              {"RUNPOD_GRAPHQL_URL",
                               "https://proxy.example/gql"}});
  EXPECT_EQ(Resolved("graphql", "", Env({})),
            "graphql https://api.runpod.io/graphql");
  EXPECT_EQ(Resolved("graphql", "", both), "graphql https://proxy.example/gql");
  EXPECT_EQ(Resolved("rest", "", both), "rest https://proxy.example/v2");
  EXPECT_EQ(Resolved("rest", "", Env({{"RUNPOD_GRAPHQL_URL",
                                       "https://proxy.example/gql"}})),
            "rest https://api.runpod.io/v2");
  EXPECT_EQ(Resolved("graphql", "https://proxy.example/anything", both),
            "graphql https://proxy.example/anything");
  EXPECT_EQ(Resolved("rest", "https://api.runpod.io/graphql", nullptr),
            "--api rest: --endpoint \"https://api.runpod.io/graphql\" is a "
            "GraphQL endpoint; give the REST base URL (e.g. "
            "https://api.runpod.io/v2) or use --api graphql");
  EXPECT_EQ(Resolved("soap", "", nullptr),
            "--api \"soap\": expected \"rest\" or \"graphql\"");
  EXPECT_TRUE(IsGraphQLUrl("https://api.runpod.io/graphql/"));
  EXPECT_TRUE(IsGraphQLUrl("http://127.0.0.1:1/graphql?x=1"));
  EXPECT_FALSE(IsGraphQLUrl("https://api.runpod.io/v2"));
  EXPECT_FALSE(IsGraphQLUrl("https://graphql.example/v2"));
}

// An empty variable (a CI script's unset one) is an error, never
// production.
TEST(EndpointTest, AnEmptyEnvironmentValueIsAnError) {
  for (const char* name : {"RUNPOD_API_URL", "RUNPOD_GRAPHQL_URL"}) {
    absl::StatusOr<ApiTarget> resolved = ResolveApi("", "", Env({{name, ""}}));
    EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(resolved.status().message(),
              absl::StrCat(name, " is set but empty; set it to a URL, or "
                                 "unset it"));
  }
}

TEST(EndpointTest, PlainHttpOnlyToLoopback) {
  for (const char* url :
       {"http://127.0.0.1:4000/graphql", "http://127.255.3.4/graphql",
        "http://localhost:9/graphql", "http://LOCALHOST/graphql",
        "http://[::1]:8080/graphql", "https://api.runpod.io/graphql",
        "HTTPS://api.runpod.io/graphql"}) {
    EXPECT_TRUE(ResolveApi("", url, nullptr).ok()) << url;
  }
  EXPECT_EQ(
      ResolveApi("", "http://api.runpod.io/graphql", nullptr).status(),
      absl::InvalidArgumentError(
          "--endpoint \"http://api.runpod.io/graphql\": plain http:// is "
          "allowed only to a loopback host (127.0.0.0/8, localhost, [::1]), "
          "because the API key would cross the network unencrypted; use "
          "https://"));
  EXPECT_EQ(
      ResolveApi("", "",
                      Env({{"RUNPOD_GRAPHQL_URL",
                            "http://10.0.0.7:8080/graphql?api_key=SEKRIT"}}))
          .status(),
      absl::InvalidArgumentError(
          "RUNPOD_GRAPHQL_URL \"http://10.0.0.7:8080/graphql\": plain http:// "
          "is allowed only to a loopback host (127.0.0.0/8, localhost, "
          "[::1]), because the API key would cross the network unencrypted; "
          "use https://"));
  // Names that merely look like loopback.
  for (const char* url :
       {"http://localhost.example.com/graphql", "http://127.0.0.1.nip.io/g",
        "http://128.0.0.1/graphql", "http://[::2]/graphql",
        "http://0.0.0.0/graphql"}) {
    EXPECT_EQ(ResolveApi("", url, nullptr).status().code(),
              absl::StatusCode::kInvalidArgument)
        << url;
  }
}

TEST(EndpointTest, UnknownSchemesAndNonUrlsAreRefused) {
  EXPECT_EQ(ResolveApi("", "ftp://api.runpod.io/graphql", nullptr).status(),
            absl::InvalidArgumentError(
                "--endpoint \"ftp://api.runpod.io/graphql\": unsupported "
                "scheme \"ftp\"; use https:// (or http:// to a loopback "
                "address)"));
  EXPECT_EQ(ResolveApi("", "file:///etc/passwd", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveApi("", "api.runpod.io/graphql", nullptr).status(),
            absl::InvalidArgumentError(
                "--endpoint: not a valid URL; expected https://HOST/v2 (REST) or "
                "https://HOST/graphql"));
}

TEST(EndpointTest, CredentialsInTheUrlAreRefusedWithoutBeingShown) {
  absl::Status status =
      ResolveApi("", "https://user:SEKRIT@api.runpod.io/graphql", nullptr)
          .status();
  EXPECT_EQ(status,
            absl::InvalidArgumentError(
                "--endpoint \"https://api.runpod.io/graphql\": credentials in "
                "the URL are not allowed; the API key comes from "
                "RUNPOD_API_KEY"));
}

TEST(EndpointTest, IsLoopbackHost) {
  EXPECT_TRUE(IsLoopbackHost("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackHost("127.1.2.3"));
  EXPECT_TRUE(IsLoopbackHost("localhost"));
  EXPECT_TRUE(IsLoopbackHost("[::1]"));
  EXPECT_TRUE(IsLoopbackHost("::1"));
  EXPECT_TRUE(IsLoopbackHost("[0:0:0:0:0:0:0:1]"));
  EXPECT_FALSE(IsLoopbackHost("127.1"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
  EXPECT_FALSE(IsLoopbackHost("::"));
  EXPECT_FALSE(IsLoopbackHost(""));
  EXPECT_FALSE(IsLoopbackHost("localhost."));
}

TEST(EndpointTest, DisplayUrlDropsCredentialsQueryAndFragment) {
  EXPECT_EQ(DisplayUrl("https://u:p@api.runpod.io:8443/graphql?api_key=K#f"),
            "https://api.runpod.io:8443/graphql");
  EXPECT_EQ(DisplayUrl("http://127.0.0.1:1234/graphql"),
            "http://127.0.0.1:1234/graphql");
  EXPECT_EQ(DisplayUrl("not a url"), "(unparseable URL)");
}

}  // namespace
}  // namespace podform
