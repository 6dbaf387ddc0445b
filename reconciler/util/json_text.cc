#include "reconciler/util/json_text.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace podform {
namespace {

// nlohmann's message is "[json.exception.parse_error.101] parse error at
// line L, column C: syntax error while parsing value - WHAT".
std::string Describe(const nlohmann::json::parse_error& e, size_t size) {
  std::string what = e.what();
  std::string where;
  const std::string marker = "parse error at ";
  size_t at = what.find(marker);
  size_t colon = at == std::string::npos ? at : what.find(": ", at);
  if (colon == std::string::npos) {
    where = absl::StrCat("byte ", e.byte);
  } else {
    where = what.substr(at + marker.size(), colon - at - marker.size());
    what = what.substr(colon + 2);
  }
  if (e.byte > size) return absl::StrCat(where, ": unexpected end of input");
  size_t dash = what.find(" - ");
  if (dash != std::string::npos) what = what.substr(dash + 3);
  return absl::StrCat(where, ": ", what);
}

}  // namespace

absl::StatusOr<nlohmann::json> ParseJson(std::string_view text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return absl::InvalidArgumentError(Describe(e, text.size()));
  } catch (const nlohmann::json::out_of_range&) {
    return absl::InvalidArgumentError(
        "a number is too large to represent (beyond 1.8e308)");
  }
}

}  // namespace podform
