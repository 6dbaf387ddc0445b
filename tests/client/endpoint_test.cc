#include "reconciler/client/endpoint.h"

#include <map>

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

TEST(EndpointTest, FlagWinsOverEnvironmentOverDefault) {
  EXPECT_EQ(ResolveEndpoint("", Env({})).value(),
            "https://api.runpod.io/graphql");
  EXPECT_EQ(ResolveEndpoint("", nullptr).value(),
            "https://api.runpod.io/graphql");
  EXPECT_EQ(ResolveEndpoint(
                "", Env({{"RUNPOD_GRAPHQL_URL", "https://proxy.example/gql"}}))
                .value(),
            "https://proxy.example/gql");
  EXPECT_EQ(ResolveEndpoint(
                "http://127.0.0.1:8080/graphql",
                Env({{"RUNPOD_GRAPHQL_URL", "https://proxy.example/gql"}}))
                .value(),
            "http://127.0.0.1:8080/graphql");
}

// An empty variable (a CI script's unset one) is an error, never
// production.
TEST(EndpointTest, AnEmptyEnvironmentValueIsAnError) {
  absl::StatusOr<std::string> resolved =
      ResolveEndpoint("", Env({{"RUNPOD_GRAPHQL_URL", ""}}));
  EXPECT_EQ(resolved.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(resolved.status().message(),
            "RUNPOD_GRAPHQL_URL is set but empty; set it to a URL, or unset "
            "it to use https://api.runpod.io/graphql");
}

TEST(EndpointTest, PlainHttpOnlyToLoopback) {
  for (const char* url :
       {"http://127.0.0.1:4000/graphql", "http://127.255.3.4/graphql",
        "http://localhost:9/graphql", "http://LOCALHOST/graphql",
        "http://[::1]:8080/graphql", "https://api.runpod.io/graphql",
        "HTTPS://api.runpod.io/graphql"}) {
    EXPECT_TRUE(ResolveEndpoint(url, nullptr).ok()) << url;
  }
  EXPECT_EQ(
      ResolveEndpoint("http://api.runpod.io/graphql", nullptr).status(),
      absl::InvalidArgumentError(
          "--endpoint \"http://api.runpod.io/graphql\": plain http:// is "
          "allowed only to a loopback host (127.0.0.0/8, localhost, [::1]), "
          "because the API key would cross the network unencrypted; use "
          "https://"));
  EXPECT_EQ(
      ResolveEndpoint("",
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
    EXPECT_EQ(ResolveEndpoint(url, nullptr).status().code(),
              absl::StatusCode::kInvalidArgument)
        << url;
  }
}

TEST(EndpointTest, UnknownSchemesAndNonUrlsAreRefused) {
  EXPECT_EQ(ResolveEndpoint("ftp://api.runpod.io/graphql", nullptr).status(),
            absl::InvalidArgumentError(
                "--endpoint \"ftp://api.runpod.io/graphql\": unsupported "
                "scheme \"ftp\"; use https:// (or http:// to a loopback "
                "address)"));
  EXPECT_EQ(ResolveEndpoint("file:///etc/passwd", nullptr).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ResolveEndpoint("api.runpod.io/graphql", nullptr).status(),
            absl::InvalidArgumentError(
                "--endpoint: not a valid URL; expected https://HOST/graphql"));
}

TEST(EndpointTest, CredentialsInTheUrlAreRefusedWithoutBeingShown) {
  absl::Status status =
      ResolveEndpoint("https://user:SEKRIT@api.runpod.io/graphql", nullptr)
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
