#ifndef PODFORM_RECONCILER_CONFIG_YAML_READER_H_
#define PODFORM_RECONCILER_CONFIG_YAML_READER_H_

// Typed, position-aware reading of yaml-cpp nodes for the config loader.
// Every reader reports its own problems to a Diagnostics and returns nullopt
// (or false) when the value cannot be used; none throws.
//
// Plain scalars are typed by the YAML 1.2 core schema, as editors see them:
// null (~, null, empty), booleans (true/false in three casings), integers
// (decimal, 0o octal, 0x hex), floats (1.5, 1e3, .inf, .nan); everything
// else, and every quoted or block scalar, is a string. So `protect: yes`
// is a string, and `size: "500"` is not an integer.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "reconciler/config/diagnostics.h"
#include "yaml-cpp/yaml.h"

namespace podform {

enum class YamlType {
  kNull,
  kBoolean,
  kInteger,
  kFloat,
  kString,
  kList,
  kMapping
};

YamlType TypeOf(const YAML::Node& node);

// The YAML 1.2 core schema's resolution of a plain (untagged) scalar:
//   kBoolean  true|True|TRUE|false|False|FALSE
//   kInteger  [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
//   kFloat    [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
//             | [-+]?\.(inf|Inf|INF) | \.nan|\.NaN|\.NAN
//   kString   anything else.
YamlType ResolvePlain(std::string_view text);

// "null", "a boolean", "an integer", "a number", "a string", "a list",
// "a mapping".
const char* DescribeType(YamlType type);

// yaml-cpp marks are 0-based; SourceLocation is 1-based ({0, 0} when the
// mark is unknown).
SourceLocation LocationOf(const YAML::Mark& mark);

// "PATH: " or "" for the top level: the prefix of every message.
std::string Where(const std::string& path);

// One key of a mapping and its value.
struct Entry {
  std::string key;
  std::string path;  // "pods.trainer.image"
  SourceLocation key_location;
  YAML::Node value;
  // Where the value is; the key's location when the value is null, since
  // yaml-cpp marks an empty value at the next token.
  SourceLocation value_location;
};

// The entries of `mapping` (the value at `path`), in document order. Reports
// keys that are not scalars, duplicate keys (only the first is returned)
// and, when `allowed` is not empty, keys not in it, with a suggestion.
std::vector<Entry> ReadMapping(const YAML::Node& mapping,
                               const std::string& path,
                               std::span<const std::string_view> allowed,
                               Diagnostics& diagnostics);

// True if the entry's value is a mapping, or null when `allow_null`;
// otherwise reports "PATH: expected a mapping, got TYPE".
bool ExpectMapping(const Entry& entry, bool allow_null,
                   Diagnostics& diagnostics);

// A string value. Reports a value of another type, an empty string when
// `allow_empty` is false ("PATH: must not be empty"), a ${env:...}
// reference, which is only resolved in env values, and a ${var:...}
// reference anywhere but in pods.KEY.image (whose caller resolves it).
std::optional<std::string> ReadString(const Entry& entry,
                                      Diagnostics& diagnostics,
                                      bool allow_empty = false);

// A string value (as ReadString) that is one of `allowed`; otherwise
// reports "PATH: must be A or B, got \"TEXT\"" (A, B or C for three).
std::optional<std::string> ReadOneOf(
    const Entry& entry, std::initializer_list<std::string_view> allowed,
    Diagnostics& diagnostics);

// An integer value, saturated to int64 (the text is kept for messages).
struct Integer {
  int64_t value = 0;
  std::string text;
};
std::optional<Integer> ReadInteger(const Entry& entry,
                                   Diagnostics& diagnostics);

// An upper bound for ReadIntegerInRange that means "no limit but int's".
inline constexpr int64_t kNoUpperBound = 2147483647;

// `entry`'s integer if it lies in [min, max]; otherwise reports
// "PATH: must be between MIN and MAX[ (UNIT)], got TEXT", or with
// max == kNoUpperBound "must be at least MIN" / "must be at most MAX".
std::optional<int64_t> ReadIntegerInRange(const Entry& entry, int64_t min,
                                          int64_t max, std::string_view unit,
                                          Diagnostics& diagnostics);

std::optional<bool> ReadBoolean(const Entry& entry, Diagnostics& diagnostics);

// A number (integer or float) of at least `min`; otherwise reports the type
// or "PATH: must be at least MIN, got TEXT". `.inf` and `.nan` are refused.
std::optional<double> ReadNumberAtLeast(const Entry& entry, double min,
                                        Diagnostics& diagnostics);

}  // namespace podform

#endif  // PODFORM_RECONCILER_CONFIG_YAML_READER_H_
