#include "reconciler/graphql/executor.h"

#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "reconciler/graphql/lexer.h"
#include "reconciler/graphql/messages.h"
#include "reconciler/graphql/parser.h"
#include "reconciler/graphql/validation.h"
#include "reconciler/graphql/values.h"

namespace podform::graphql {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;
using Sel = ast::Selection;

constexpr char kCodePayload[] = "type.podform.dev/graphql.error-code";

// Appends a key known to be new, without ordered_map's linear search.
void Append(ojson* object, const std::string& key, ojson value) {
  static_cast<ojson::object_t::Container&>(object->get_ref<ojson::object_t&>())
      .emplace_back(key, std::move(value));
}

ojson Location(const LineIndex& lines, size_t offset) {
  const auto [line, column] = lines.Locate(offset);
  ojson loc = ojson::object();
  Append(&loc, "line", line);
  Append(&loc, "column", column);
  return loc;
}

ojson ErrorEntry(const std::string& message, const LineIndex* lines,
                 const std::vector<size_t>& locations, const ojson* path,
                 const std::string& code) {
  ojson e = ojson::object();
  Append(&e, "message", SanitizeUtf8(message));
  if (lines != nullptr && !locations.empty()) {
    ojson locs = ojson::array();
    for (size_t offset : locations) locs.push_back(Location(*lines, offset));
    Append(&e, "locations", std::move(locs));
  }
  if (path != nullptr) Append(&e, "path", *path);
  ojson ext = ojson::object();
  Append(&ext, "code", code);
  Append(&e, "extensions", std::move(ext));
  return e;
}

ExecutionResult Fail(int status, ojson errors) {
  ExecutionResult result;
  result.http_status = status;
  result.body = ojson::object();
  Append(&result.body, "errors", std::move(errors));
  return result;
}

ExecutionResult BadRequest(const std::string& message,
                           const std::string& code) {
  ojson errors = ojson::array();
  errors.push_back(ErrorEntry(message, nullptr, {}, nullptr, code));
  return Fail(400, std::move(errors));
}

// One field of a planned selection: all field nodes sharing a response key.
struct FieldPlan;
struct SelectionPlan {
  std::vector<FieldPlan> fields;
};
struct FieldPlan {
  std::string key;
  const Field* def = nullptr;
  const TypeDef* named = nullptr;  // the innermost type of def->type
  std::vector<const Sel*> nodes;
  const Resolver* resolver = nullptr;
  // Computed on first use, shared by every object of a list.
  bool args_ready = false;
  json args;
  std::optional<std::string> args_error;
  size_t args_error_loc = 0;
  std::unique_ptr<SelectionPlan> sub;
};

// A response path, linked through the stack.
struct PathFrame {
  const PathFrame* up;
  const std::string* key;  // null for a list index
  size_t index;
};

// The state of one execution (graphql-js's ExecutionContext).
class Execution {
 public:
  Execution(const Schema& schema,
            const std::map<std::string, Resolver, std::less<>>& resolvers,
            const ast::Document& doc, const LineIndex& lines,
            const json& variables, void* context, long max_values)
      : schema_(schema),
        resolvers_(resolvers),
        lines_(lines),
        variables_(variables),
        context_(context),
        max_values_(max_values) {
    for (const ast::FragmentDefinition& f : doc.fragments)
      fragments_[f.name] = &f;
  }

  // Executes the operation's root selection set; returns the data (null when
  // a non-null root field failed).
  ojson Run(const ast::OperationDefinition& op, const TypeDef& root) {
    static const json kNull;
    SelectionPlan plan;
    std::map<std::string, size_t> index;
    std::set<std::string> visited;
    Collect(root, op.selection_set, &visited, &plan, &index);
    ojson data;
    if (!ExecuteSelection(plan, root, kNull, nullptr, &data)) data = nullptr;
    return data;
  }

  ojson TakeErrors() { return std::move(errors_); }

 private:
  bool Included(const std::vector<ast::Directive>& directives) const {
    static const TypeRef kBoolean =
        TypeRef::NonNullOf(TypeRef::Named("Boolean"));
    for (const ast::Directive& d : directives) {
      if (d.name != "skip" && d.name != "include") continue;
      for (const ast::Argument& arg : d.arguments) {
        if (arg.name != "if") continue;
        std::optional<json> v =
            ValueFromLiteral(schema_, arg.value, kBoolean, &variables_);
        if (!v || !v->is_boolean()) continue;
        if (d.name == "skip" && v->get<bool>()) return false;
        if (d.name == "include" && !v->get<bool>()) return false;
      }
    }
    return true;
  }

  // graphql-js collectFields() for an object type.
  void Collect(const TypeDef& type, const ast::SelectionSet& set,
               std::set<std::string>* visited, SelectionPlan* plan,
               std::map<std::string, size_t>* index) {
    for (const Sel& sel : set.selections) {
      ++work_;
      if (!Included(sel.directives)) continue;
      switch (sel.kind) {
        case Sel::Kind::kField: {
          const std::string& key = sel.ResponseKey();
          auto [it, inserted] = index->emplace(key, plan->fields.size());
          if (inserted) {
            FieldPlan field;
            field.key = key;
            field.def = sel.name == "__typename" ? &TypenameField()
                                                 : type.FindField(sel.name);
            field.named = schema_.FindType(field.def->type.NamedType());
            const auto r = resolvers_.find(type.name + "." + sel.name);
            if (r != resolvers_.end()) field.resolver = &r->second;
            plan->fields.push_back(std::move(field));
          }
          plan->fields[it->second].nodes.push_back(&sel);
          break;
        }
        case Sel::Kind::kFragmentSpread: {
          if (!visited->insert(sel.name).second) break;
          const auto it = fragments_.find(sel.name);
          if (it == fragments_.end() ||
              it->second->type_condition != type.name) {
            break;
          }
          Collect(type, it->second->selection_set, visited, plan, index);
          break;
        }
        case Sel::Kind::kInlineFragment:
          if (!sel.type_condition.empty() && sel.type_condition != type.name) {
            break;
          }
          Collect(type, *sel.selection_set, visited, plan, index);
          break;
      }
    }
  }

  ojson PathJson(const PathFrame* path) const {
    std::vector<const PathFrame*> frames;
    for (const PathFrame* p = path; p; p = p->up) frames.push_back(p);
    ojson out = ojson::array();
    for (auto it = frames.rbegin(); it != frames.rend(); ++it) {
      if ((*it)->key) {
        out.push_back(*(*it)->key);
      } else {
        out.push_back((*it)->index);
      }
    }
    return out;
  }

  void Error(const std::string& message, size_t loc, const PathFrame* path,
             const std::string& code) {
    const ojson p = PathJson(path);
    errors_.push_back(ErrorEntry(message, &lines_, {loc}, &p, code));
  }

  // graphql-js getArgumentValues(), once per planned field.
  void PrepareArgs(FieldPlan* f) {
    f->args_ready = true;
    f->args = json::object();
    const Sel& node = *f->nodes[0];
    for (const InputValue& def : f->def->arguments) {
      const ast::Argument* arg = nullptr;
      for (const ast::Argument& a : node.arguments) {
        if (a.name == def.name) arg = &a;
      }
      const std::string type = def.type.ToString();
      if (arg == nullptr) {
        if (def.default_value) {
          f->args[def.name] = *def.default_value;
        } else if (def.type.IsNonNull()) {
          f->args_error = "Argument \"" + def.name + "\" of required type \"" +
                          type + "\" was not provided.";
          f->args_error_loc = node.loc;
          return;
        }
        continue;
      }
      bool is_null = arg->value.kind == ast::Value::Kind::kNull;
      if (arg->value.kind == ast::Value::Kind::kVariable) {
        const auto v = variables_.find(arg->value.text);
        if (v == variables_.end()) {
          if (def.default_value) {
            f->args[def.name] = *def.default_value;
          } else if (def.type.IsNonNull()) {
            f->args_error =
                "Argument \"" + def.name + "\" of required type \"" + type +
                "\" was provided the variable \"$" + arg->value.text +
                "\" which was not provided a runtime value.";
            f->args_error_loc = arg->value.loc;
            return;
          }
          continue;
        }
        is_null = v->is_null();
      }
      if (is_null && def.type.IsNonNull()) {
        f->args_error = "Argument \"" + def.name + "\" of non-null type \"" +
                        type + "\" must not be null.";
        f->args_error_loc = arg->value.loc;
        return;
      }
      std::optional<json> value =
          ValueFromLiteral(schema_, arg->value, def.type, &variables_);
      if (!value) {
        f->args_error = "Argument \"" + def.name + "\" has invalid value " +
                        PrintValue(arg->value) + ".";
        f->args_error_loc = arg->value.loc;
        return;
      }
      f->args[def.name] = std::move(*value);
    }
  }

  // Returns false when the object must become null (a non-null field of it
  // failed; the error is already recorded).
  bool ExecuteSelection(SelectionPlan& plan, const TypeDef& type,
                        const json& parent, const PathFrame* path, ojson* out) {
    *out = ojson::object();
    out->get_ref<ojson::object_t&>().reserve(plan.fields.size());
    for (FieldPlan& f : plan.fields) {
      ojson value;
      if (!ExecuteField(f, type, parent, path, &value)) return false;
      Append(out, f.key, std::move(value));
    }
    return true;
  }

  bool ExecuteField(FieldPlan& f, const TypeDef& type, const json& parent,
                    const PathFrame* path, ojson* out) {
    static const json kNull;
    const PathFrame frame{path, &f.key, 0};
    const bool non_null = f.def->type.IsNonNull();
    if (aborted_) {
      *out = nullptr;
      return !non_null;
    }
    if (f.def == &TypenameField()) {
      *out = type.name;
      return true;
    }
    const json* value = &kNull;
    json owned;
    if (f.resolver != nullptr) {
      if (!f.args_ready) PrepareArgs(&f);
      if (f.args_error) {
        Error(*f.args_error, f.args_error_loc, &frame, "BAD_USER_INPUT");
        *out = nullptr;
        return !non_null;
      }
      if (!Resolve(f, type, parent, &frame, &owned)) {
        *out = nullptr;
        return !non_null;
      }
      value = &owned;
    } else if (parent.is_object()) {
      const auto it = parent.find(f.def->name);
      if (it != parent.end()) value = &*it;
    }
    if (!Complete(f.def->type, f, type, *value, &frame, out)) {
      *out = nullptr;
      return !non_null;
    }
    return true;
  }

  bool Resolve(FieldPlan& f, const TypeDef& type, const json& parent,
               const PathFrame* path, json* out) {
    const ResolveInfo info{parent, f.args, f.def->name, type.name, context_};
    absl::StatusOr<json> result;
    try {
      result = (*f.resolver)(info);
    } catch (const std::exception& e) {
      Error(e.what(), f.nodes[0]->loc, path, "INTERNAL_SERVER_ERROR");
      return false;
    } catch (...) {
      Error("Unexpected error.", f.nodes[0]->loc, path,
            "INTERNAL_SERVER_ERROR");
      return false;
    }
    if (!result.ok()) {
      const absl::Status& s = result.status();
      const auto code = s.GetPayload(kCodePayload);
      Error(std::string(s.message()), f.nodes[0]->loc, path,
            code ? std::string(*code) : "INTERNAL_SERVER_ERROR");
      return false;
    }
    *out = std::move(*result);
    return true;
  }

  // graphql-js completeValue(). Returns false when the failure must
  // propagate to the nearest nullable position (the error is recorded).
  bool Complete(const TypeRef& type, FieldPlan& f, const TypeDef& parent_type,
                const json& value, const PathFrame* path, ojson* out) {
    if (++work_ > max_values_) {
      if (!aborted_) {
        aborted_ = true;
        Error("The response would hold more than " +
                  std::to_string(max_values_) + " values; execution stopped.",
              f.nodes[0]->loc, path, "INTERNAL_SERVER_ERROR");
      }
      return false;
    }
    if (type.IsNonNull()) {
      if (!Complete(*type.of, f, parent_type, value, path, out)) return false;
      if (out->is_null()) {
        Error("Cannot return null for non-nullable field " + parent_type.name +
                  "." + f.def->name + ".",
              f.nodes[0]->loc, path, "INTERNAL_SERVER_ERROR");
        return false;
      }
      return true;
    }
    if (value.is_null()) {
      *out = nullptr;
      return true;
    }
    if (type.IsList()) {
      if (!value.is_array()) {
        Error("Expected Iterable, but did not find one for field \"" +
                  parent_type.name + "." + f.def->name + "\".",
              f.nodes[0]->loc, path, "INTERNAL_SERVER_ERROR");
        return false;
      }
      const TypeRef& item_type = *type.of;
      *out = ojson::array();
      out->get_ref<ojson::array_t&>().reserve(value.size());
      for (size_t i = 0; i < value.size(); ++i) {
        const PathFrame frame{path, nullptr, i};
        ojson item;
        if (!Complete(item_type, f, parent_type, value[i], &frame, &item)) {
          if (item_type.IsNonNull()) return false;
          item = nullptr;
        }
        out->push_back(std::move(item));
      }
      return true;
    }
    const TypeDef* named = f.named;
    if (named->IsLeaf()) {
      std::string error;
      if (!SerializeLeaf(*named, value, out, &error)) {
        Error(error, f.nodes[0]->loc, path, "INTERNAL_SERVER_ERROR");
        return false;
      }
      return true;
    }
    if (!f.sub) {
      f.sub = std::make_unique<SelectionPlan>();
      std::map<std::string, size_t> index;
      std::set<std::string> visited;
      for (const Sel* node : f.nodes) {
        if (node->selection_set) {
          Collect(*named, *node->selection_set, &visited, f.sub.get(), &index);
        }
      }
    }
    return ExecuteSelection(*f.sub, *named, value, path, out);
  }

  const Schema& schema_;
  const std::map<std::string, Resolver, std::less<>>& resolvers_;
  const LineIndex& lines_;
  const json& variables_;
  void* context_;
  long max_values_;
  std::map<std::string, const ast::FragmentDefinition*> fragments_;
  ojson errors_ = ojson::array();
  long work_ = 0;
  bool aborted_ = false;
};

// graphql-js coerceVariableValues(); errors as ready response entries.
json CoerceVariables(const Schema& schema, const ast::OperationDefinition& op,
                     const json& inputs, const LineIndex& lines,
                     ojson* errors) {
  json coerced = json::object();
  for (const ast::VariableDefinition& var : op.variables) {
    auto report = [&](const std::string& message) {
      errors->push_back(
          ErrorEntry(message, &lines, {var.loc}, nullptr, "BAD_USER_INPUT"));
    };
    const std::string type = var.type.ToString();
    const auto it = inputs.find(var.name);
    if (it == inputs.end()) {
      if (var.default_value) {
        std::optional<json> v =
            ValueFromLiteral(schema, *var.default_value, var.type, nullptr);
        if (v) coerced[var.name] = std::move(*v);
      } else if (var.type.IsNonNull()) {
        report("Variable \"$" + var.name + "\" of required type \"" + type +
               "\" was not provided.");
      }
      continue;
    }
    if (it->is_null() && var.type.IsNonNull()) {
      report("Variable \"$" + var.name + "\" of non-null type \"" + type +
             "\" must not be null.");
      continue;
    }
    coerced[var.name] = CoerceInputValue(
        schema, *it, var.type,
        [&](const std::string& path, const json& value,
            const std::string& message) {
          std::string prefix = "Variable \"$" + var.name +
                               "\" got invalid value " + Inspect(value);
          if (!path.empty()) prefix += " at \"" + var.name + path + "\"";
          report(prefix + "; " + message);
        });
  }
  return coerced;
}

ExecutionResult ExecuteDocument(
    const Schema& schema,
    const std::map<std::string, Resolver, std::less<>>& resolvers,
    const std::string& query, const json& variables,
    const std::string& operation_name, void* context, long max_values) {
  ast::Document doc;
  SyntaxError syntax;
  const LineIndex lines(query);
  if (!ParseDocument(query, &doc, &syntax)) {
    ojson errors = ojson::array();
    errors.push_back(ErrorEntry(syntax.message, &lines, {syntax.offset},
                                nullptr, "GRAPHQL_PARSE_FAILED"));
    return Fail(400, std::move(errors));
  }
  if (std::vector<ValidationError> invalid = Validate(schema, doc);
      !invalid.empty()) {
    ojson errors = ojson::array();
    for (const ValidationError& e : invalid) {
      errors.push_back(ErrorEntry(e.message, &lines, e.locations, nullptr,
                                  "GRAPHQL_VALIDATION_FAILED"));
    }
    return Fail(400, std::move(errors));
  }
  const ast::OperationDefinition* op = nullptr;
  for (const ast::OperationDefinition& candidate : doc.operations) {
    if (operation_name.empty()) {
      if (op != nullptr) {
        return BadRequest(
            "Must provide operation name if query contains multiple "
            "operations.",
            "OPERATION_RESOLUTION_FAILURE");
      }
      op = &candidate;
    } else if (candidate.name == operation_name) {
      op = &candidate;
    }
  }
  if (op == nullptr) {
    return BadRequest(operation_name.empty() ? "Must provide an operation."
                                             : "Unknown operation named \"" +
                                                   operation_name + "\".",
                      "OPERATION_RESOLUTION_FAILURE");
  }
  if (!variables.is_null() && !variables.is_object()) {
    return BadRequest(
        "`variables` in a POST body should be provided as an object.",
        "BAD_REQUEST");
  }
  ojson variable_errors = ojson::array();
  const json coerced = CoerceVariables(
      schema, *op, variables.is_object() ? variables : json::object(), lines,
      &variable_errors);
  if (!variable_errors.empty()) return Fail(400, std::move(variable_errors));

  const TypeDef* root =
      op->operation == ast::OperationType::kQuery      ? schema.query_type()
      : op->operation == ast::OperationType::kMutation ? schema.mutation_type()
                                                       : nullptr;
  ExecutionResult result;
  result.body = ojson::object();
  if (root == nullptr) {
    static const char* const kNames[] = {"query", "mutation", "subscription"};
    ojson errors = ojson::array();
    errors.push_back(
        ErrorEntry(std::string("Schema is not configured to execute ") +
                       kNames[static_cast<int>(op->operation)] + " operation.",
                   &lines, {op->loc}, nullptr, "INTERNAL_SERVER_ERROR"));
    Append(&result.body, "errors", std::move(errors));
    Append(&result.body, "data", nullptr);
    return result;
  }
  Execution execution(schema, resolvers, doc, lines, coerced, context,
                      max_values);
  ojson data = execution.Run(*op, *root);
  ojson errors = execution.TakeErrors();
  if (!errors.empty()) Append(&result.body, "errors", std::move(errors));
  Append(&result.body, "data", std::move(data));
  return result;
}

ExecutionResult InternalError(const char* what) {
  ExecutionResult r = BadRequest(std::string("Internal server error: ") + what,
                                 "INTERNAL_SERVER_ERROR");
  r.http_status = 500;
  return r;
}

}  // namespace

absl::Status ResolverError(std::string message, std::string code) {
  absl::Status status(absl::StatusCode::kUnknown, message);
  status.SetPayload(kCodePayload, absl::Cord(code));
  return status;
}

Executor::Executor(const Schema& schema) : schema_(schema) {}

void Executor::SetResolver(const std::string& type_and_field,
                           Resolver resolver) {
  resolvers_[type_and_field] = std::move(resolver);
}

ExecutionResult Executor::Execute(const std::string& query,
                                  const nlohmann::json& variables,
                                  const std::string& operation_name,
                                  void* context) const {
  try {
    return ExecuteDocument(schema_, resolvers_, query, variables,
                           operation_name, context, max_result_values_);
  } catch (const std::exception& e) {
    return InternalError(e.what());
  }
}

ExecutionResult Executor::ExecuteBody(std::string_view http_body,
                                      void* context) const {
  const json body = json::parse(http_body.begin(), http_body.end(), nullptr,
                                /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    return BadRequest("POST body is not valid JSON.", "BAD_REQUEST");
  }
  if (!body.is_object()) {
    return BadRequest("POST body must be a JSON object.", "BAD_REQUEST");
  }
  const auto query = body.find("query");
  if (query == body.end() || !query->is_string() ||
      query->get_ref<const std::string&>().empty()) {
    return BadRequest(
        "GraphQL operations must contain a non-empty `query` or a "
        "`persistedQuery` extension.",
        "BAD_REQUEST");
  }
  static const json kNull;
  const auto variables = body.find("variables");
  const json& vars = variables == body.end() ? kNull : *variables;
  if (!vars.is_null() && !vars.is_object()) {
    return BadRequest(
        "`variables` in a POST body should be provided as an object.",
        "BAD_REQUEST");
  }
  const auto name = body.find("operationName");
  if (name != body.end() && !name->is_null() && !name->is_string()) {
    return BadRequest("`operationName` in a POST body should be a string.",
                      "BAD_REQUEST");
  }
  return Execute(query->get_ref<const std::string&>(), vars,
                 name == body.end() || name->is_null()
                     ? std::string()
                     : name->get_ref<const std::string&>(),
                 context);
}

absl::Status ValidateDocument(const Schema& schema, std::string_view document) {
  ast::Document doc;
  SyntaxError syntax;
  const LineIndex lines(document);
  auto located = [&](size_t offset, const std::string& message) {
    const auto [line, column] = lines.Locate(offset);
    return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  };
  if (!ParseDocument(document, &doc, &syntax)) {
    return absl::InvalidArgumentError(located(syntax.offset, syntax.message));
  }
  const std::vector<ValidationError> errors = Validate(schema, doc);
  if (errors.empty()) return absl::OkStatus();
  std::string message;
  for (const ValidationError& e : errors) {
    if (!message.empty()) message += "\n";
    message +=
        e.locations.empty() ? e.message : located(e.locations[0], e.message);
  }
  return absl::InvalidArgumentError(message);
}

}  // namespace podform::graphql
