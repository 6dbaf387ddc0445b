#include "reconciler/graphql/schema.h"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <utility>

#include "absl/status/status.h"
#include "nlohmann/json.hpp"
#include "reconciler/graphql/lexer.h"
#include "reconciler/graphql/parser.h"
#include "reconciler/graphql/values.h"
#include "reconciler/util/embedded.h"

namespace podform::graphql {

TypeRef TypeRef::Named(std::string name) {
  TypeRef t;
  t.kind = Kind::kNamed;
  t.name = std::move(name);
  return t;
}

TypeRef TypeRef::ListOf(TypeRef inner) {
  TypeRef t;
  t.kind = Kind::kList;
  t.of = std::make_shared<const TypeRef>(std::move(inner));
  return t;
}

TypeRef TypeRef::NonNullOf(TypeRef inner) {
  TypeRef t;
  t.kind = Kind::kNonNull;
  t.of = std::make_shared<const TypeRef>(std::move(inner));
  return t;
}

const std::string& TypeRef::NamedType() const {
  const TypeRef* t = this;
  while (t->kind != Kind::kNamed) t = t->of.get();
  return t->name;
}

const TypeRef& TypeRef::Nullable() const {
  return kind == Kind::kNonNull ? *of : *this;
}

std::string TypeRef::ToString() const {
  switch (kind) {
    case Kind::kNamed:
      return name;
    case Kind::kList:
      return "[" + of->ToString() + "]";
    case Kind::kNonNull:
      return of->ToString() + "!";
  }
  return name;
}

bool operator==(const TypeRef& a, const TypeRef& b) {
  if (a.kind != b.kind) return false;
  if (a.kind == TypeRef::Kind::kNamed) return a.name == b.name;
  return *a.of == *b.of;
}

const InputValue* Field::FindArgument(std::string_view name) const {
  for (const InputValue& arg : arguments) {
    if (arg.name == name) return &arg;
  }
  return nullptr;
}

const Field* TypeDef::FindField(std::string_view name) const {
  for (const Field& field : fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

const InputValue* TypeDef::FindInputField(std::string_view name) const {
  for (const InputValue& field : input_fields) {
    if (field.name == name) return &field;
  }
  return nullptr;
}

bool TypeDef::HasEnumValue(std::string_view value) const {
  for (const std::string& v : enum_values) {
    if (v == value) return true;
  }
  return false;
}

const TypeDef* Schema::FindType(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &types_[it->second];
}

const TypeDef* Schema::query_type() const { return FindType(query_type_name_); }

const TypeDef* Schema::mutation_type() const {
  return mutation_type_name_.empty() ? nullptr : FindType(mutation_type_name_);
}

// Turns the SDL syntax tree into a Schema, checking it on the way.
class SchemaBuilder {
 public:
  explicit SchemaBuilder(std::string_view sdl) : sdl_(sdl), lines_(sdl) {}

  absl::StatusOr<Schema> Build() {
    ast::Document doc;
    SyntaxError syntax;
    if (!ParseDocument(sdl_, &doc, &syntax)) {
      return Error(syntax.offset, syntax.message);
    }
    if (!doc.operations.empty()) {
      return Error(doc.operations[0].loc,
                   "Executable definitions are not allowed in a schema.");
    }
    if (!doc.fragments.empty()) {
      return Error(doc.fragments[0].loc,
                   "Executable definitions are not allowed in a schema.");
    }
    for (const char* name : {"Int", "Float", "String", "Boolean", "ID"}) {
      TypeDef def;
      def.name = name;
      def.kind = TypeKind::kScalar;
      Add(std::move(def));
    }
    const ast::TypeSystemDefinition* schema_def = nullptr;
    for (const ast::TypeSystemDefinition& def : doc.type_system) {
      if (def.kind == ast::TypeSystemDefinition::Kind::kSchema) {
        if (schema_def != nullptr) {
          return Error(def.loc, "Must provide only one schema definition.");
        }
        schema_def = &def;
        continue;
      }
      if (absl::Status s = AddDefinition(def); !s.ok()) return s;
    }
    if (absl::Status s = CheckReferences(); !s.ok()) return s;
    if (absl::Status s = ComputeDefaults(); !s.ok()) return s;
    if (absl::Status s = SetRoots(schema_def); !s.ok()) return s;
    return std::move(schema_);
  }

 private:
  struct Pending {
    const ast::InputValueDefinition* def;
    std::string owner;  // "Type.field" for arguments, "Input" for input fields
    bool argument;
  };
  struct FieldLoc {
    std::string type, field;
    size_t loc;
  };

  absl::Status Error(size_t offset, const std::string& message) const {
    const auto [line, column] = lines_.Locate(offset);
    return absl::InvalidArgumentError(std::to_string(line) + ":" +
                                      std::to_string(column) + ": " + message);
  }

  void Add(TypeDef def) {
    schema_.index_.emplace(def.name, schema_.types_.size());
    schema_.types_.push_back(std::move(def));
  }

  absl::Status CheckName(const std::string& name, size_t loc) const {
    if (name.rfind("__", 0) == 0) {
      return Error(loc, "Name \"" + name +
                            "\" must not begin with \"__\", which is reserved "
                            "by GraphQL introspection.");
    }
    return absl::OkStatus();
  }

  absl::Status AddInputValues(const std::vector<ast::InputValueDefinition>& in,
                              const std::string& owner, bool arguments,
                              std::vector<InputValue>* out) {
    std::set<std::string> seen;
    for (const ast::InputValueDefinition& v : in) {
      if (absl::Status s = CheckName(v.name, v.loc); !s.ok()) return s;
      if (!seen.insert(v.name).second) {
        return Error(v.loc, arguments ? "Argument \"" + owner + "(" + v.name +
                                            ":)\" can only be defined once."
                                      : "Field \"" + owner + "." + v.name +
                                            "\" can only be defined once.");
      }
      InputValue value;
      value.name = v.name;
      value.type = v.type;
      out->push_back(std::move(value));
      pending_.push_back({&v, owner, arguments});
    }
    return absl::OkStatus();
  }

  absl::Status AddDefinition(const ast::TypeSystemDefinition& def) {
    using Kind = ast::TypeSystemDefinition::Kind;
    switch (def.kind) {
      case Kind::kInterface:
        return Error(def.loc, "Interface types are not supported.");
      case Kind::kUnion:
        return Error(def.loc, "Union types are not supported.");
      case Kind::kDirective:
        return Error(def.loc, "Directive definitions are not supported.");
      default:
        break;
    }
    if (absl::Status s = CheckName(def.name, def.name_loc); !s.ok()) return s;
    if (const TypeDef* existing = schema_.FindType(def.name)) {
      if (existing->kind == TypeKind::kScalar &&
          &schema_.types_[0] + 5 > existing) {
        return Error(def.name_loc,
                     "Type \"" + def.name +
                         "\" already exists in the schema. It cannot also be "
                         "defined in this type definition.");
      }
      return Error(def.name_loc,
                   "There can be only one type named \"" + def.name + "\".");
    }
    TypeDef type;
    type.name = def.name;
    switch (def.kind) {
      case Kind::kScalar:
        type.kind = TypeKind::kScalar;
        break;
      case Kind::kObject: {
        type.kind = TypeKind::kObject;
        if (!def.names.empty()) {
          return Error(def.names[0].loc, "Interfaces are not supported.");
        }
        if (def.fields.empty()) {
          return Error(def.name_loc,
                       "Type " + def.name + " must define one or more fields.");
        }
        std::set<std::string> seen;
        for (const ast::FieldDefinition& f : def.fields) {
          if (absl::Status s = CheckName(f.name, f.loc); !s.ok()) return s;
          if (!seen.insert(f.name).second) {
            return Error(f.loc, "Field \"" + def.name + "." + f.name +
                                    "\" can only be defined once.");
          }
          Field field;
          field.name = f.name;
          field.type = f.type;
          if (absl::Status s = AddInputValues(
                  f.arguments, def.name + "." + f.name, true, &field.arguments);
              !s.ok()) {
            return s;
          }
          type.fields.push_back(std::move(field));
          field_locs_.push_back({def.name, f.name, f.named_type_loc});
        }
        break;
      }
      case Kind::kInputObject:
        type.kind = TypeKind::kInputObject;
        if (def.input_values.empty()) {
          return Error(def.name_loc, "Input Object type " + def.name +
                                         " must define one or more fields.");
        }
        if (absl::Status s = AddInputValues(def.input_values, def.name, false,
                                            &type.input_fields);
            !s.ok()) {
          return s;
        }
        break;
      case Kind::kEnum: {
        type.kind = TypeKind::kEnum;
        if (def.names.empty()) {
          return Error(def.name_loc, "Enum type " + def.name +
                                         " must define one or more values.");
        }
        std::set<std::string> seen;
        for (const ast::NameRef& v : def.names) {
          if (!seen.insert(v.name).second) {
            return Error(v.loc, "Enum value \"" + def.name + "." + v.name +
                                    "\" can only be defined once.");
          }
          type.enum_values.push_back(v.name);
        }
        break;
      }
      default:
        break;
    }
    Add(std::move(type));
    return absl::OkStatus();
  }

  absl::Status CheckReferences() {
    for (const FieldLoc& f : field_locs_) {
      const Field* field = schema_.FindType(f.type)->FindField(f.field);
      const TypeDef* target = schema_.FindType(field->type.NamedType());
      if (target == nullptr) {
        return Error(f.loc,
                     "Unknown type \"" + field->type.NamedType() + "\".");
      }
      if (target->kind == TypeKind::kInputObject) {
        return Error(f.loc, "The type of " + f.type + "." + f.field +
                                " must be Output Type but got: " +
                                field->type.ToString() + ".");
      }
    }
    for (const Pending& p : pending_) {
      const TypeDef* target = schema_.FindType(p.def->type.NamedType());
      if (target == nullptr) {
        return Error(p.def->named_type_loc,
                     "Unknown type \"" + p.def->type.NamedType() + "\".");
      }
      if (!target->IsInput()) {
        const std::string what = p.argument ? p.owner + "(" + p.def->name + ":)"
                                            : p.owner + "." + p.def->name;
        return Error(p.def->named_type_loc,
                     "The type of " + what + " must be Input Type but got: " +
                         p.def->type.ToString() + ".");
      }
    }
    return absl::OkStatus();
  }

  InputValue* FindPending(const Pending& p) {
    if (p.argument) {
      const size_t dot = p.owner.find('.');
      TypeDef& type = schema_.types_[schema_.index_.at(p.owner.substr(0, dot))];
      for (Field& f : type.fields) {
        if (f.name != p.owner.substr(dot + 1)) continue;
        for (InputValue& a : f.arguments) {
          if (a.name == p.def->name) return &a;
        }
      }
      return nullptr;
    }
    TypeDef& type = schema_.types_[schema_.index_.at(p.owner)];
    for (InputValue& v : type.input_fields) {
      if (v.name == p.def->name) return &v;
    }
    return nullptr;
  }

  // Input object fields first (in order), so that argument defaults see the
  // defaults of the input fields they omit.
  absl::Status ComputeDefaults() {
    for (int pass = 0; pass < 2; ++pass) {
      for (const Pending& p : pending_) {
        if (p.argument != (pass == 1) || !p.def->default_value) continue;
        std::optional<nlohmann::json> value = ValueFromLiteral(
            schema_, *p.def->default_value, p.def->type, nullptr);
        if (!value) {
          const std::string what = p.argument
                                       ? p.owner + "(" + p.def->name + ":)"
                                       : p.owner + "." + p.def->name;
          return Error(p.def->default_value->loc,
                       "Invalid default value for " + what + ".");
        }
        FindPending(p)->default_value =
            std::make_shared<const nlohmann::json>(std::move(*value));
      }
    }
    return absl::OkStatus();
  }

  absl::Status SetRoots(const ast::TypeSystemDefinition* schema_def) {
    const ast::NameRef* query = nullptr;
    const ast::NameRef* mutation = nullptr;
    if (schema_def != nullptr) {
      for (const auto& [op, type] : schema_def->root_types) {
        if (!schema_.FindType(type.name)) {
          return Error(type.loc, "Unknown type \"" + type.name + "\".");
        }
        if (schema_.FindType(type.name)->kind != TypeKind::kObject) {
          return Error(type.loc, "Root type \"" + type.name +
                                     "\" must be an Object type.");
        }
        if (op == ast::OperationType::kQuery) query = &type;
        if (op == ast::OperationType::kMutation) mutation = &type;
      }
      if (query != nullptr) schema_.query_type_name_ = query->name;
      if (mutation != nullptr) schema_.mutation_type_name_ = mutation->name;
    } else {
      const TypeDef* q = schema_.FindType("Query");
      const TypeDef* m = schema_.FindType("Mutation");
      if (q != nullptr && q->kind == TypeKind::kObject) {
        schema_.query_type_name_ = "Query";
      }
      if (m != nullptr && m->kind == TypeKind::kObject) {
        schema_.mutation_type_name_ = "Mutation";
      }
    }
    if (schema_.query_type_name_.empty()) {
      return Error(schema_def ? schema_def->loc : 0,
                   "Query root type must be provided.");
    }
    return absl::OkStatus();
  }

  std::string_view sdl_;
  LineIndex lines_;
  Schema schema_;
  std::vector<Pending> pending_;
  std::vector<FieldLoc> field_locs_;
};

absl::StatusOr<Schema> Schema::Parse(std::string_view sdl) {
  return SchemaBuilder(sdl).Build();
}

const Schema& Schema::RunPod() {
  static const Schema* const schema = [] {
    absl::StatusOr<Schema> parsed =
        Parse(EmbeddedFile("schema/runpod.graphql"));
    if (!parsed.ok()) {
      std::fprintf(stderr, "schema/runpod.graphql: %s\n",
                   std::string(parsed.status().message()).c_str());
      std::abort();
    }
    return new Schema(std::move(*parsed));
  }();
  return *schema;
}

}  // namespace podform::graphql
