#ifndef PODFORM_RECONCILER_GRAPHQL_SCHEMA_H_
#define PODFORM_RECONCILER_GRAPHQL_SCHEMA_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "nlohmann/json_fwd.hpp"

namespace podform::graphql {

// A type reference as written in SDL or a variable definition: a named type,
// a list of a type, or a non-null type ("[String!]!").
struct TypeRef {
  enum class Kind { kNamed, kList, kNonNull };
  Kind kind = Kind::kNamed;
  std::string name;                   // kNamed only
  std::shared_ptr<const TypeRef> of;  // kList and kNonNull only

  static TypeRef Named(std::string name);
  static TypeRef ListOf(TypeRef inner);
  static TypeRef NonNullOf(TypeRef inner);

  bool IsNonNull() const { return kind == Kind::kNonNull; }
  bool IsList() const { return kind == Kind::kList; }
  // The innermost named type ("String" for "[String!]!").
  const std::string& NamedType() const;
  // The type without its outer non-null wrapper (itself if nullable).
  const TypeRef& Nullable() const;
  // SDL spelling, e.g. "[EnvironmentVariableInput]" or "String!".
  std::string ToString() const;
};
bool operator==(const TypeRef& a, const TypeRef& b);

// An argument of a field, or a field of an input object type.
struct InputValue {
  std::string name;
  TypeRef type;
  // The default value (already coerced to `type`), or nullptr if none was
  // declared. A declared default of `null` is a json null, not nullptr.
  std::shared_ptr<const nlohmann::json> default_value;
};

// A field of an object type.
struct Field {
  std::string name;
  std::vector<InputValue> arguments;  // declaration order
  TypeRef type;
  // The argument named `name`, or nullptr.
  const InputValue* FindArgument(std::string_view name) const;
};

enum class TypeKind { kScalar, kObject, kInputObject, kEnum };

// A named type of the schema. Only the members matching `kind` are used.
struct TypeDef {
  std::string name;
  TypeKind kind = TypeKind::kScalar;
  std::vector<Field> fields;             // kObject, declaration order
  std::vector<InputValue> input_fields;  // kInputObject, declaration order
  std::vector<std::string> enum_values;  // kEnum, declaration order

  const Field* FindField(std::string_view name) const;
  const InputValue* FindInputField(std::string_view name) const;
  bool HasEnumValue(std::string_view value) const;
  // Scalars and enums: no selection set.
  bool IsLeaf() const {
    return kind == TypeKind::kScalar || kind == TypeKind::kEnum;
  }
  // Valid as a variable / argument type: scalars, enums, input objects.
  bool IsInput() const { return kind != TypeKind::kObject; }
  // Valid as a fragment type condition / selection parent.
  bool IsComposite() const { return kind == TypeKind::kObject; }
};

// A parsed GraphQL schema (SDL): scalar, type (object), input, enum and
// schema definitions, with comments, descriptions ("..." / """...""") and
// directives accepted and ignored. The built-in scalars Int, Float, String,
// Boolean and ID are always present. Root types come from `schema { query:
// X mutation: Y }` or default to the types named Query and Mutation.
// Interfaces, unions, subscriptions and type extensions are not supported
// (Parse rejects them). Immutable after Parse; safe to share across threads.
class Schema {
 public:
  // Parses and checks SDL: every referenced type exists, field and argument
  // types are output/input types as appropriate, names are unique, defaults
  // coerce to their types, the query root exists.
  // Errors: InvalidArgument "LINE:COL: message" (first error only).
  static absl::StatusOr<Schema> Parse(std::string_view sdl);

  // The RunPod schema embedded from schema/runpod.graphql, parsed once and
  // cached. Aborts the process if it fails to parse (a test guards this).
  static const Schema& RunPod();

  // The named type, or nullptr.
  const TypeDef* FindType(std::string_view name) const;
  // Every type, built-in scalars first, then in declaration order.
  const std::vector<TypeDef>& types() const { return types_; }
  // The query root type (never nullptr after a successful Parse).
  const TypeDef* query_type() const;
  // The mutation root type, or nullptr if the schema has none.
  const TypeDef* mutation_type() const;

 private:
  friend class SchemaBuilder;
  std::vector<TypeDef> types_;
  std::map<std::string, size_t, std::less<>> index_;
  std::string query_type_name_;
  std::string mutation_type_name_;
};

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_SCHEMA_H_
