#ifndef PODFORM_RECONCILER_GRAPHQL_AST_H_
#define PODFORM_RECONCILER_GRAPHQL_AST_H_

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "reconciler/graphql/schema.h"

// The syntax tree of a GraphQL document (executable definitions and type
// system definitions). Every node records `loc`, the byte offset of its first
// character in the source; LineIndex (lexer.h) turns it into LINE:COL.
namespace podform::graphql::ast {

struct ObjectField;

struct Value {
  enum class Kind {
    kVariable,
    kInt,
    kFloat,
    kString,
    kBoolean,
    kNull,
    kEnum,
    kList,
    kObject
  };
  Kind kind = Kind::kNull;
  size_t loc = 0;
  // kVariable: the name without "$"; kInt/kFloat: the literal as written;
  // kString: the decoded value; kEnum: the name.
  std::string text;
  bool boolean = false;             // kBoolean
  bool block = false;               // kString written as """block string"""
  std::vector<Value> list;          // kList
  std::vector<ObjectField> fields;  // kObject, as written
};

struct ObjectField {
  std::string name;
  size_t loc = 0;  // the name
  Value value;
};

struct Argument {
  std::string name;
  size_t loc = 0;  // the name
  Value value;
};

struct Directive {
  std::string name;  // without "@"
  size_t loc = 0;    // the "@"
  std::vector<Argument> arguments;
};

struct Selection;

struct SelectionSet {
  size_t loc = 0;  // the "{"
  std::vector<Selection> selections;
};

struct Selection {
  enum class Kind { kField, kFragmentSpread, kInlineFragment };
  Kind kind = Kind::kField;
  size_t loc = 0;     // field: alias or name; fragments: the "..."
  std::string alias;  // field only; "" when none
  std::string name;   // field name, or fragment name of a spread
  size_t name_loc = 0;
  std::vector<Argument> arguments;  // field only
  std::vector<Directive> directives;
  std::string type_condition;  // inline fragment; "" when none
  size_t type_condition_loc = 0;
  // Field: null when the field has no selection set. Inline fragment: set.
  std::unique_ptr<SelectionSet> selection_set;

  const std::string& ResponseKey() const {
    return alias.empty() ? name : alias;
  }
};

struct VariableDefinition {
  std::string name;  // without "$"
  size_t loc = 0;    // the "$"
  TypeRef type;
  size_t type_loc = 0;
  size_t named_type_loc = 0;             // the innermost named type
  std::unique_ptr<Value> default_value;  // null when none
  std::vector<Directive> directives;
};

enum class OperationType { kQuery, kMutation, kSubscription };

struct OperationDefinition {
  OperationType operation = OperationType::kQuery;
  std::string name;  // "" when anonymous
  size_t loc = 0;    // the keyword, or "{" for the shorthand form
  size_t name_loc = 0;
  std::vector<VariableDefinition> variables;
  std::vector<Directive> directives;
  SelectionSet selection_set;
};

struct FragmentDefinition {
  std::string name;
  size_t loc = 0;  // the keyword "fragment"
  size_t name_loc = 0;
  std::string type_condition;
  size_t type_condition_loc = 0;
  std::vector<Directive> directives;
  SelectionSet selection_set;
};

// An argument of a field definition or directive definition, or an input
// object field definition.
struct InputValueDefinition {
  std::string name;
  size_t loc = 0;
  TypeRef type;
  size_t named_type_loc = 0;
  std::unique_ptr<Value> default_value;
};

struct FieldDefinition {
  std::string name;
  size_t loc = 0;
  std::vector<InputValueDefinition> arguments;
  TypeRef type;
  size_t named_type_loc = 0;
};

struct NameRef {
  std::string name;
  size_t loc = 0;
};

struct TypeSystemDefinition {
  enum class Kind {
    kSchema,
    kScalar,
    kObject,
    kInterface,
    kUnion,
    kEnum,
    kInputObject,
    kDirective
  };
  Kind kind = Kind::kScalar;
  size_t loc = 0;    // the keyword (after any description)
  std::string name;  // "" for kSchema
  size_t name_loc = 0;
  std::vector<FieldDefinition> fields;  // kObject, kInterface
  std::vector<InputValueDefinition>
      input_values;  // kInputObject; kDirective args
  std::vector<NameRef>
      names;  // kEnum values, kUnion members, kObject interfaces
  // kSchema: (operation, type name).
  std::vector<std::pair<OperationType, NameRef>> root_types;
};

struct Document {
  // Definitions in document order: which vector, and the index in it.
  enum class DefinitionKind { kOperation, kFragment, kTypeSystem };
  std::vector<std::pair<DefinitionKind, size_t>> order;
  std::vector<OperationDefinition> operations;
  std::vector<FragmentDefinition> fragments;
  std::vector<TypeSystemDefinition> type_system;
};

}  // namespace podform::graphql::ast

#endif  // PODFORM_RECONCILER_GRAPHQL_AST_H_
