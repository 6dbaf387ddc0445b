#include "reconciler/client/rest_schema.h"

#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "reconciler/util/embedded.h"

namespace podform {
namespace {

using nlohmann::json;

constexpr char kDeclarationPath[] = "schema/rest-requests.json";

const json* Declaration() {
  static const json* declaration = [] {
    json parsed = json::parse(EmbeddedFile(kDeclarationPath), nullptr,
                              /*allow_exceptions=*/false);
    if (!parsed.is_object() || !parsed.contains("operations") ||
        !parsed.contains("schemas")) {
      return static_cast<json*>(nullptr);
    }
    return new json(std::move(parsed));
  }();
  return declaration;
}

// Does `path` (no query) match `pattern`, where "{x}" is one non-empty
// segment?
bool PathMatches(const std::string& pattern, const std::string& path) {
  std::vector<std::string> want = absl::StrSplit(pattern, '/');
  std::vector<std::string> got = absl::StrSplit(path, '/');
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    if (!want[i].empty() && want[i].front() == '{') {
      if (got[i].empty()) return false;
    } else if (want[i] != got[i]) {
      return false;
    }
  }
  return true;
}

class Checker {
 public:
  explicit Checker(const json& schemas) : schemas_(schemas) {}

  void Check(const json& value, const json& schema, const std::string& at) {
    const json* s = &schema;
    if (auto ref = s->find("$ref"); ref != s->end()) {
      auto named = schemas_.find(ref->get<std::string>());
      if (named == schemas_.end()) {
        Problem(at, "the declaration names an unknown schema");
        return;
      }
      s = &*named;
    }
    if (auto values = s->find("enum"); values != s->end()) {
      bool found = false;
      for (const json& v : *values) found = found || v == value;
      if (!found) {
        Problem(at, absl::StrCat(value.dump(), " is not one of ",
                                 values->dump()));
      }
      return;
    }
    std::string type = s->value("type", "");
    if (type == "object") {
      CheckObject(value, *s, at);
    } else if (type == "array") {
      if (!value.is_array()) return Problem(at, "expected an array");
      if (s->contains("minItems") &&
          value.size() < s->at("minItems").get<size_t>()) {
        Problem(at, absl::StrCat("fewer than ", s->at("minItems").dump(),
                                 " items"));
      }
      if (s->contains("maxItems") &&
          value.size() > s->at("maxItems").get<size_t>()) {
        Problem(at, absl::StrCat("more than ", s->at("maxItems").dump(),
                                 " items"));
      }
      for (size_t i = 0; i < value.size(); ++i) {
        Check(value[i], s->at("items"), absl::StrCat(at, "[", i, "]"));
      }
    } else if (type == "string") {
      if (!value.is_string()) return Problem(at, "expected a string");
      if (s->contains("minLength") &&
          value.get_ref<const std::string&>().size() <
              s->at("minLength").get<size_t>()) {
        Problem(at, "is too short");
      }
    } else if (type == "integer") {
      if (!value.is_number_integer()) return Problem(at, "expected an integer");
      int64_t n = value.get<int64_t>();
      if (s->contains("minimum") && n < s->at("minimum").get<int64_t>()) {
        Problem(at, absl::StrCat(n, " is below ", s->at("minimum").dump()));
      }
      if (s->contains("maximum") && n > s->at("maximum").get<int64_t>()) {
        Problem(at, absl::StrCat(n, " is above ", s->at("maximum").dump()));
      }
    } else if (type == "number") {
      // Any JSON number, integer or not (RunPod's number(float)).
      if (!value.is_number()) return Problem(at, "expected a number");
      double n = value.get<double>();
      if (s->contains("minimum") && n < s->at("minimum").get<double>()) {
        Problem(at, absl::StrCat(value.dump(), " is below ",
                                 s->at("minimum").dump()));
      }
      if (s->contains("maximum") && n > s->at("maximum").get<double>()) {
        Problem(at, absl::StrCat(value.dump(), " is above ",
                                 s->at("maximum").dump()));
      }
    } else if (type == "boolean") {
      if (!value.is_boolean()) Problem(at, "expected a boolean");
    } else {
      Problem(at, "the declaration has no type here");
    }
  }

  void Problem(const std::string& at, const std::string& what) {
    problems_.push_back(absl::StrCat(at, ": ", what));
  }

  const std::vector<std::string>& problems() const { return problems_; }

 private:
  void CheckObject(const json& value, const json& s, const std::string& at) {
    if (!value.is_object()) return Problem(at, "expected an object");
    if (s.contains("minProperties") &&
        value.size() < s.at("minProperties").get<size_t>()) {
      Problem(at, "has too few members");
    }
    if (auto required = s.find("required"); required != s.end()) {
      for (const json& name : *required) {
        if (!value.contains(name.get<std::string>())) {
          Problem(at, absl::StrCat("missing member \"",
                                   name.get<std::string>(), "\""));
        }
      }
    }
    static const json kNone = json::object();
    const json& properties =
        s.contains("properties") ? s.at("properties") : kNone;
    auto extra = s.find("additionalProperties");
    for (const auto& [key, member] : value.items()) {
      std::string member_at = absl::StrCat(at, ".", key);
      if (auto p = properties.find(key); p != properties.end()) {
        Check(member, *p, member_at);
      } else if (extra != s.end() && extra->is_object()) {
        Check(member, *extra, member_at);
      } else {
        Problem(at, absl::StrCat("unknown member \"", key, "\""));
      }
    }
  }

  const json& schemas_;
  std::vector<std::string> problems_;
};

}  // namespace

absl::Status CheckRestRequest(const HttpRequest& request) {
  const json* declaration = Declaration();
  if (declaration == nullptr) {
    return absl::InternalError(
        absl::StrCat(kDeclarationPath, " is not embedded or not readable"));
  }
  std::string path = request.path.substr(0, request.path.find('?'));
  std::string query = request.path.size() > path.size()
                          ? request.path.substr(path.size() + 1)
                          : "";
  std::string name = absl::StrCat(request.method, " ", path);
  const json* operation = nullptr;
  for (const json& op : declaration->at("operations")) {
    if (op.at("method") == request.method &&
        PathMatches(op.at("path").get<std::string>(), path)) {
      operation = &op;
      break;
    }
  }
  if (operation == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": not a declared operation"));
  }
  Checker checker(declaration->at("schemas"));
  if (!query.empty()) {
    static const json kNone = json::object();
    const json& params =
        operation->contains("query") ? operation->at("query") : kNone;
    for (absl::string_view pair : absl::StrSplit(query, '&')) {
      std::vector<std::string> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
      std::string key = kv[0];
      std::string text = kv.size() > 1 ? kv[1] : "";
      auto param = params.find(key);
      if (param == params.end()) {
        checker.Problem("query", absl::StrCat("unknown parameter \"", key,
                                              "\""));
        continue;
      }
      json value = text;
      int64_t number = 0;
      if (param->value("type", "") == "integer") {
        if (absl::SimpleAtoi(text, &number)) {
          value = number;
        }
      }
      checker.Check(value, *param, absl::StrCat("query.", key));
    }
  }
  if (auto body_schema = operation->find("body");
      body_schema != operation->end()) {
    json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded()) {
      checker.Problem("$", "the body is not JSON");
    } else {
      checker.Check(body, json{{"$ref", *body_schema}}, "$");
    }
  } else if (!request.body.empty()) {
    checker.Problem("$", "this operation takes no body");
  }
  if (checker.problems().empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(name, ": ", absl::StrJoin(checker.problems(), "; ")));
}

}  // namespace podform
