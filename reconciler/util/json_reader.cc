#include "reconciler/util/json_reader.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace podform {

using nlohmann::json;

std::string JsonTypeName(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "integer";
    case json::value_t::number_float:
      return "number";
    case json::value_t::string:
      return "string";
    case json::value_t::array:
      return "array";
    case json::value_t::object:
      return "object";
    default:
      return "value";
  }
}

std::string JsonMemberPath(const std::string& path, std::string_view key) {
  if (key.empty()) return path;
  return path.empty() ? std::string(key)
                      : absl::StrCat(path, ".", std::string(key));
}

std::string JsonViolation::MemberPath() const {
  return JsonMemberPath(path, key);
}

std::string JsonViolation::FoundPath() const {
  return absl::StrCat(MemberPath(), item);
}

JsonReader::JsonReader(const json& value, std::string path, Report report,
                       Null null)
    : value_(&value),
      path_(std::move(path)),
      report_(std::move(report)),
      null_(null) {}

absl::Status JsonReader::RequireObject() {
  if (is_object()) return absl::OkStatus();
  return report_(Violation(JsonViolation::Kind::kNotObject, "",
                           JsonExpected::kObject, value_));
}

const json* JsonReader::Find(std::string_view key) {
  MarkRead(key);
  if (!is_object()) return nullptr;
  auto it = value_->find(std::string(key));
  if (it == value_->end()) return nullptr;
  if (null_ == Null::kIsAbsent && it->is_null()) return nullptr;
  return &*it;
}

const json* JsonReader::Member(std::string_view key, Presence presence,
                               absl::Status* status) {
  const json* member = Find(key);
  if (member == nullptr && presence == kRequired && is_object()) {
    *status = report_(Violation(JsonViolation::Kind::kMissing, key,
                                JsonExpected::kObject, nullptr));
  }
  return member;
}

JsonViolation JsonReader::Violation(JsonViolation::Kind kind,
                                    std::string_view key, JsonExpected expected,
                                    const json* found) const {
  JsonViolation violation;
  violation.kind = kind;
  violation.path = path_;
  violation.key = std::string(key);
  violation.expected = expected;
  violation.found = found;
  return violation;
}

absl::Status JsonReader::WrongType(std::string_view key, JsonExpected expected,
                                   const json& found) {
  return report_(
      Violation(JsonViolation::Kind::kWrongType, key, expected, &found));
}

JsonReader::Result<std::string> JsonReader::ReadString(std::string_view key,
                                                       Presence presence,
                                                       bool non_empty) {
  Result<std::string> result;
  const json* v = Member(key, presence, &result.status);
  if (v == nullptr) return result;
  JsonExpected expected =
      non_empty ? JsonExpected::kNonEmptyString : JsonExpected::kString;
  if (!v->is_string()) {
    result.status = WrongType(key, expected, *v);
  } else if (non_empty && v->get_ref<const std::string&>().empty()) {
    result.status =
        report_(Violation(JsonViolation::Kind::kEmpty, key, expected, v));
  } else {
    result.value = v->get<std::string>();
  }
  return result;
}

JsonReader::Result<int64_t> JsonReader::ReadInteger(std::string_view key,
                                                    Presence presence,
                                                    int64_t min, int64_t max) {
  Result<int64_t> result;
  const json* v = Member(key, presence, &result.status);
  if (v == nullptr) return result;
  if (!v->is_number_integer()) {
    result.status = WrongType(key, JsonExpected::kInteger, *v);
    return result;
  }
  bool beyond_int64 =
      v->is_number_unsigned() &&
      v->get<uint64_t>() >
          static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (beyond_int64 || v->get<int64_t>() > max) {
    JsonViolation violation = Violation(JsonViolation::Kind::kAboveMaximum, key,
                                        JsonExpected::kInteger, v);
    violation.limit = absl::StrCat(max);
    result.status = report_(violation);
  } else if (v->get<int64_t>() < min) {
    JsonViolation violation = Violation(JsonViolation::Kind::kBelowMinimum, key,
                                        JsonExpected::kInteger, v);
    violation.limit = absl::StrCat(min);
    result.status = report_(violation);
  } else {
    result.value = v->get<int64_t>();
  }
  return result;
}

JsonReader::Result<double> JsonReader::ReadNumber(std::string_view key,
                                                  Presence presence,
                                                  double min) {
  Result<double> result;
  const json* v = Member(key, presence, &result.status);
  if (v == nullptr) return result;
  if (!v->is_number() || !std::isfinite(v->get<double>())) {
    result.status = WrongType(key, JsonExpected::kNumber, *v);
  } else if (v->get<double>() < min) {
    JsonViolation violation = Violation(JsonViolation::Kind::kBelowMinimum, key,
                                        JsonExpected::kNumber, v);
    violation.limit = absl::StrCat(min);
    result.status = report_(violation);
  } else {
    result.value = v->get<double>();
  }
  return result;
}

JsonReader::Result<bool> JsonReader::ReadBool(std::string_view key,
                                              Presence presence) {
  Result<bool> result;
  const json* v = Member(key, presence, &result.status);
  if (v == nullptr) return result;
  if (!v->is_boolean()) {
    result.status = WrongType(key, JsonExpected::kBool, *v);
  } else {
    result.value = v->get<bool>();
  }
  return result;
}

JsonReader::Result<std::vector<std::string>> JsonReader::ReadStrings(
    std::string_view key, Presence presence) {
  Result<std::vector<std::string>> result;
  const json* v = Member(key, presence, &result.status);
  if (v == nullptr) return result;
  if (!v->is_array()) {
    result.status = WrongType(key, JsonExpected::kStrings, *v);
    return result;
  }
  std::vector<std::string> strings;
  bool all_strings = true;
  for (size_t i = 0; i < v->size(); ++i) {
    const json& element = (*v)[i];
    if (element.is_string()) {
      strings.push_back(element.get<std::string>());
      continue;
    }
    all_strings = false;
    JsonViolation violation = Violation(JsonViolation::Kind::kWrongType, key,
                                        JsonExpected::kStrings, &element);
    violation.item = absl::StrCat("[", i, "]");
    result.status = report_(violation);
    if (!result.status.ok()) return result;
  }
  if (all_strings) result.value = std::move(strings);
  return result;
}

JsonReader::Result<std::map<std::string, std::string>>
JsonReader::ReadStringMap(std::string_view key, Presence presence) {
  Result<std::map<std::string, std::string>> result;
  const json* v = Member(key, presence, &result.status);
  if (v == nullptr) return result;
  if (!v->is_object()) {
    result.status = WrongType(key, JsonExpected::kStringMap, *v);
    return result;
  }
  std::map<std::string, std::string> strings;
  bool all_strings = true;
  for (const auto& [name, member] : v->items()) {
    if (member.is_string()) {
      strings[name] = member.get<std::string>();
      continue;
    }
    all_strings = false;
    JsonViolation violation = Violation(JsonViolation::Kind::kWrongType, key,
                                        JsonExpected::kStringMap, &member);
    violation.item = absl::StrCat(".", name);
    result.status = report_(violation);
    if (!result.status.ok()) return result;
  }
  if (all_strings) result.value = std::move(strings);
  return result;
}

absl::Status JsonReader::ReadContainer(std::string_view key, Presence presence,
                                       JsonExpected expected,
                                       const json** out) {
  *out = nullptr;
  absl::Status status;
  const json* v = Member(key, presence, &status);
  if (v == nullptr) return status;
  bool fits =
      expected == JsonExpected::kObject ? v->is_object() : v->is_array();
  if (!fits) return WrongType(key, expected, *v);
  *out = v;
  return absl::OkStatus();
}

absl::Status JsonReader::Object(std::string_view key, const json** out,
                                Presence presence) {
  return ReadContainer(key, presence, JsonExpected::kObject, out);
}

absl::Status JsonReader::Array(std::string_view key, const json** out,
                               Presence presence) {
  return ReadContainer(key, presence, JsonExpected::kArray, out);
}

absl::Status JsonReader::OnlyMembers(
    std::initializer_list<std::string_view> keys) {
  if (!is_object()) return absl::OkStatus();
  JsonViolation violation = Violation(JsonViolation::Kind::kUnknown, "",
                                      JsonExpected::kObject, nullptr);
  for (const auto& [key, value] : value_->items()) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      violation.unknown.push_back(key);
    }
  }
  if (violation.unknown.empty()) return absl::OkStatus();
  return report_(violation);
}

absl::Status JsonReader::ExactMembers(
    std::initializer_list<std::string_view> keys) {
  absl::Status status = OnlyMembers(keys);
  if (!status.ok() || !is_object()) return status;
  std::vector<std::string_view> sorted(keys);
  std::sort(sorted.begin(), sorted.end());
  for (std::string_view key : sorted) {
    if (!value_->contains(std::string(key))) {
      return report_(Violation(JsonViolation::Kind::kMissing, key,
                               JsonExpected::kObject, nullptr));
    }
  }
  return absl::OkStatus();
}

absl::Status JsonReader::RefuseUnread() {
  if (!is_object()) return absl::OkStatus();
  JsonViolation violation = Violation(JsonViolation::Kind::kUnknown, "",
                                      JsonExpected::kObject, nullptr);
  for (const auto& [key, value] : value_->items()) {
    if (read_.count(key) == 0) violation.unknown.push_back(key);
  }
  if (violation.unknown.empty()) return absl::OkStatus();
  return report_(violation);
}

}  // namespace podform
