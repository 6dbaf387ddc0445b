#ifndef PODFORM_RECONCILER_UTIL_JSON_READER_H_
#define PODFORM_RECONCILER_UTIL_JSON_READER_H_

// Reading one JSON object member by member, with typed reads, and saying
// exactly what is wrong where. The reader owns the mechanics (which members
// were read, unknown members, required members, type and range checks,
// paths); what a violation is called is the caller's: each violation goes,
// as a structured JsonViolation, to the caller's Report, which returns the
// Status the read returns. A Report that returns an error makes a fail-fast
// reader; one that records the violation and returns OK a collect-all one.

#include <array>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"

namespace podform {

// JSON Schema's name for the type of `value`: "null", "boolean", "integer",
// "number" (one with a fraction), "string", "array" or "object".
std::string JsonTypeName(const nlohmann::json& value);

// "PATH.KEY", or "KEY" when `path` is empty (the root).
std::string JsonMemberPath(const std::string& path, std::string_view key);

// What a read asked a member to be.
enum class JsonExpected {
  kObject,
  kArray,
  kString,
  kNonEmptyString,
  kInteger,  // an integer within the read's bounds
  kNumber,   // a finite number (integer or not)
  kBool,
  kStrings,    // an array of strings
  kStringMap,  // an object of strings
};

// One caller's words for each JsonExpected, in the enum's order.
using JsonExpectedWords = std::array<const char*, 9>;
static_assert(static_cast<size_t>(JsonExpected::kStringMap) + 1 ==
              std::tuple_size_v<JsonExpectedWords>);
inline const char* WordFor(const JsonExpectedWords& words,
                           JsonExpected expected) {
  return words[static_cast<size_t>(expected)];
}

// One thing wrong with what a JsonReader reads.
struct JsonViolation {
  enum class Kind {
    kNotObject,     // the value read (`found`) is not an object
    kMissing,       // the required member `key` is absent
    kWrongType,     // `found` is not what `expected` asks for
    kEmpty,         // `found` is "" where kNonEmptyString is expected
    kBelowMinimum,  // `found` is a number below `limit`
    kAboveMaximum,  // `found` is an integer above `limit` (or beyond int64)
    kUnknown,       // the object has `unknown` members
  };
  Kind kind = Kind::kWrongType;
  // The path of the object read ("" for the root).
  std::string path;
  // The member concerned; "" for kNotObject and kUnknown.
  std::string key;
  // Where in the member `found` is: "[3]" (an element of kStrings), ".NAME"
  // (a member of kStringMap); "" when `found` is the member itself.
  std::string item;
  JsonExpected expected = JsonExpected::kObject;
  // The offending value; nullptr for kMissing and kUnknown.
  const nlohmann::json* found = nullptr;
  // kBelowMinimum, kAboveMaximum: the bound, as absl::StrCat writes it.
  std::string limit;
  // kUnknown: the members, in the object's (sorted) order.
  std::vector<std::string> unknown;

  // JsonMemberPath(path, key): the path of the object itself when `key` is
  // empty.
  std::string MemberPath() const;
  // MemberPath() followed by `item`: the path of `found`.
  std::string FoundPath() const;
};

class JsonReader {
 public:
  // Receives each violation and returns what the read that found it
  // returns. An error stops that read (and so a fail-fast caller); OK lets
  // it go on to report the other violations it finds (in the elements of a
  // list, the members of a map), and the read then yields no value.
  using Report = std::function<absl::Status(const JsonViolation&)>;
  enum Presence { kOptional, kRequired };
  // Whether a member whose value is null counts as absent.
  enum class Null { kIsValue, kIsAbsent };

  // Reads `value`, found at `path`. `value` must outlive the reader. A value
  // that is not an object has no members: reads find nothing and report
  // nothing (RequireObject reports it).
  JsonReader(const nlohmann::json& value, std::string path, Report report,
             Null null = Null::kIsValue);

  // OK when the value is an object; else reports kNotObject.
  absl::Status RequireObject();
  bool is_object() const { return value_->is_object(); }

  // The member `key`, marked as read; nullptr when absent.
  const nlohmann::json* Find(std::string_view key);
  bool Has(std::string_view key) { return Find(key) != nullptr; }
  // Marks `key` as read without reading it.
  void MarkRead(std::string_view key) { read_.emplace(key); }

  // The typed reads. Each marks `key` as read. When the member is absent,
  // it reports kMissing if `presence` is kRequired, else leaves `*out` as
  // it is and returns OK. When the member is what was asked for, it sets
  // `*out` (a T or a std::optional<T>) and returns OK. Otherwise it reports
  // the violation, returns what the Report returned and leaves `*out`.
  template <typename Out>
  absl::Status String(std::string_view key, Out* out,
                      Presence presence = kOptional) {
    return Assign(ReadString(key, presence, /*non_empty=*/false), out);
  }
  // A string that is not "" (kEmpty).
  template <typename Out>
  absl::Status NonEmptyString(std::string_view key, Out* out,
                              Presence presence = kOptional) {
    return Assign(ReadString(key, presence, /*non_empty=*/true), out);
  }
  // An integer in [min, max]: kWrongType for anything else (a number with a
  // fraction included), kBelowMinimum or kAboveMaximum outside the bounds
  // (kAboveMaximum for an integer beyond int64 too).
  template <typename Out>
  absl::Status Integer(std::string_view key, Out* out, int64_t min,
                       int64_t max = std::numeric_limits<int64_t>::max(),
                       Presence presence = kOptional) {
    return Assign(ReadInteger(key, presence, min, max), out);
  }
  // A finite number >= `min`.
  template <typename Out>
  absl::Status Number(std::string_view key, Out* out,
                      Presence presence = kOptional,
                      double min = -std::numeric_limits<double>::infinity()) {
    return Assign(ReadNumber(key, presence, min), out);
  }
  template <typename Out>
  absl::Status Bool(std::string_view key, Out* out,
                    Presence presence = kOptional) {
    return Assign(ReadBool(key, presence), out);
  }
  // An array of strings; an element that is not one is reported with its
  // `item` ("[3]").
  template <typename Out>
  absl::Status Strings(std::string_view key, Out* out,
                       Presence presence = kOptional) {
    return Assign(ReadStrings(key, presence), out);
  }
  // An object of strings; a member that is not one is reported with its
  // `item` (".NAME").
  template <typename Out>
  absl::Status StringMap(std::string_view key, Out* out,
                         Presence presence = kOptional) {
    return Assign(ReadStringMap(key, presence), out);
  }
  // The member itself when it is an object (an array); `*out` is nullptr
  // when it is absent or not one.
  absl::Status Object(std::string_view key, const nlohmann::json** out,
                      Presence presence = kOptional);
  absl::Status Array(std::string_view key, const nlohmann::json** out,
                     Presence presence = kOptional);

  // Reports kUnknown with the members not among `keys`, if any.
  absl::Status OnlyMembers(std::initializer_list<std::string_view> keys);
  // OnlyMembers, then kMissing for the first of `keys` (in sorted order)
  // that is absent.
  absl::Status ExactMembers(std::initializer_list<std::string_view> keys);
  // Reports kUnknown with the members no read asked about, if any.
  absl::Status RefuseUnread();

  const std::string& path() const { return path_; }
  std::string MemberPath(std::string_view key) const {
    return JsonMemberPath(path_, key);
  }

 private:
  template <typename T>
  struct Result {
    absl::Status status;
    std::optional<T> value;
  };
  template <typename T, typename Out>
  static absl::Status Assign(Result<T> result, Out* out) {
    if (result.value.has_value()) *out = std::move(*result.value);
    return result.status;
  }

  // The member, or nullptr with the status of an absent one.
  const nlohmann::json* Member(std::string_view key, Presence presence,
                               absl::Status* status);
  JsonViolation Violation(JsonViolation::Kind kind, std::string_view key,
                          JsonExpected expected,
                          const nlohmann::json* found) const;
  absl::Status WrongType(std::string_view key, JsonExpected expected,
                         const nlohmann::json& found);

  Result<std::string> ReadString(std::string_view key, Presence presence,
                                 bool non_empty);
  Result<int64_t> ReadInteger(std::string_view key, Presence presence,
                              int64_t min, int64_t max);
  Result<double> ReadNumber(std::string_view key, Presence presence,
                            double min);
  Result<bool> ReadBool(std::string_view key, Presence presence);
  Result<std::vector<std::string>> ReadStrings(std::string_view key,
                                               Presence presence);
  Result<std::map<std::string, std::string>> ReadStringMap(std::string_view key,
                                                           Presence presence);
  absl::Status ReadContainer(std::string_view key, Presence presence,
                             JsonExpected expected, const nlohmann::json** out);

  const nlohmann::json* value_;
  std::string path_;
  Report report_;
  Null null_;
  std::set<std::string, std::less<>> read_;
};

}  // namespace podform

#endif  // PODFORM_RECONCILER_UTIL_JSON_READER_H_
