#include "reconciler/config/env_reference.h"

#include <algorithm>

namespace podform {
namespace {

constexpr size_t kMaxQuoted = 40;

bool IsNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

bool IsEnvVariableName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0])) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

bool ContainsEnvReference(std::string_view text) {
  return text.find("${env:") != std::string_view::npos;
}

bool ContainsVarReference(std::string_view text) {
  return text.find("${var:") != std::string_view::npos;
}

EnvExpansion ExpandEnvReferences(std::string_view text, const EnvLookup& env,
                                 const EnvLookup& vars) {
  EnvExpansion out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c != '$') {
      out.value.push_back(c);
      ++i;
      continue;
    }
    if (text.substr(i, 3) == "$${") {
      out.value.append("${");
      i += 3;
      continue;
    }
    if (text.substr(i, 2) != "${") {
      out.value.push_back('$');
      ++i;
      continue;
    }
    // "${": must be ${env:NAME} or ${var:NAME}.
    size_t close = text.find('}', i + 2);
    std::string_view inner = close == std::string_view::npos
                                 ? std::string_view()
                                 : text.substr(i + 2, close - (i + 2));
    constexpr std::string_view kEnv = "env:";
    constexpr std::string_view kVar = "var:";
    const bool is_env = inner.starts_with(kEnv);
    if (close != std::string_view::npos &&
        (is_env || inner.starts_with(kVar)) &&
        IsEnvVariableName(inner.substr(kEnv.size()))) {
      std::string name(inner.substr(kEnv.size()));
      const EnvLookup& lookup = is_env ? env : vars;
      std::vector<std::string>& missing =
          is_env ? out.unset : out.undefined_vars;
      std::optional<std::string> value = lookup ? lookup(name) : std::nullopt;
      if (value.has_value()) {
        out.value.append(*value);
      } else if (std::find(missing.begin(), missing.end(), name) ==
                 missing.end()) {
        missing.push_back(name);
      }
      if (is_env) out.secret = true;
      i = close + 1;
      continue;
    }
    size_t end = close == std::string_view::npos ? text.size() : close + 1;
    std::string quoted(text.substr(i, std::min(end - i, kMaxQuoted)));
    if (end - i > kMaxQuoted) quoted.append("...");
    out.malformed.push_back(std::move(quoted));
    i = end;
  }
  return out;
}

}  // namespace podform
