#include "reconciler/core/target.h"

#include <cstring>
#include <filesystem>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace podform {

std::string Target::ToString() const {
  std::string where = endpoint.empty() ? "an unknown endpoint" : endpoint;
  if (account.empty()) return where;
  return absl::StrCat("account ", account, " at ", where);
}

std::string NormalizeEndpoint(const std::string& url) {
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) return url;
  std::string scheme = url.substr(0, scheme_end);
  absl::AsciiStrToLower(&scheme);
  std::string rest = url.substr(scheme_end + 3);
  size_t authority_end = rest.find_first_of("/?#");
  std::string host = rest.substr(0, authority_end);
  std::string path =
      authority_end == std::string::npos ? "" : rest.substr(authority_end);
  if (size_t at = host.rfind('@'); at != std::string::npos) {
    host = host.substr(at + 1);
  }
  absl::AsciiStrToLower(&host);
  if ((scheme == "https" && absl::EndsWith(host, ":443")) ||
      (scheme == "http" && absl::EndsWith(host, ":80"))) {
    host.erase(host.rfind(':'));
  }
  path = path.substr(0, path.find_first_of("?#"));
  while (!path.empty() && path.back() == '/') path.pop_back();
  return absl::StrCat(scheme, "://", host, path);
}

std::string SandboxEndpoint(const std::string& data_path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(data_path, ec);
  if (ec) absolute = data_path;
  return absl::StrCat("sandbox:", absolute.lexically_normal().string());
}

namespace {

// The RunPod service an endpoint belongs to: one service answers REST v2 at
// ".../v2" and GraphQL at ".../graphql", so a lock file written over one API
// is at home over the other.
std::string ServiceOf(const std::string& endpoint) {
  if (absl::StartsWith(endpoint, "sandbox:")) return endpoint;
  for (const char* api : {"/v2", "/graphql"}) {
    if (absl::EndsWith(endpoint, api)) {
      return endpoint.substr(0, endpoint.size() - std::strlen(api));
    }
  }
  return endpoint;
}

}  // namespace

absl::Status CheckSameTarget(const Target& recorded, const Target& current,
                             const std::string& what) {
  if (recorded.empty()) return absl::OkStatus();
  bool same = !recorded.account.empty() && !current.account.empty()
                  ? recorded.account == current.account
                  : ServiceOf(recorded.endpoint) == ServiceOf(current.endpoint);
  if (same) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      what, " belongs to ", recorded.ToString(), ", but this run talks to ",
      current.ToString(),
      "; refusing to use it there (pass the --endpoint or --sandbox it was "
      "made with, or use another --state)"));
}

}  // namespace podform
