#include "reconciler/graphql/parser.h"

#include <string>
#include <utility>

namespace podform::graphql {
namespace {

using ast::Value;

// Recursive descent over the lexer's tokens. Every method returns false on a
// syntax error, which is then in error_.
class Parser {
 public:
  explicit Parser(std::string_view source) : lexer_(source, kMaxTokens) {}

  bool ParseDocument(ast::Document* doc) {
    if (!Next()) return false;
    do {
      if (!ParseDefinition(doc)) return false;
    } while (tok().kind != TokenKind::kEof);
    return true;
  }

  const SyntaxError& error() const { return error_; }

 private:
  const Token& tok() const { return lexer_.token(); }

  bool Next() {
    if (!lexer_.Advance()) {
      error_ = lexer_.error();
      return false;
    }
    return true;
  }

  bool Fail(size_t offset, std::string message) {
    error_.message = "Syntax Error: " + std::move(message);
    error_.offset = offset;
    return false;
  }
  bool Unexpected(const Token& token) {
    return Fail(token.start, "Unexpected " + TokenDescription(token) + ".");
  }
  bool Unexpected() { return Unexpected(tok()); }

  bool Peek(TokenKind kind) const { return tok().kind == kind; }
  bool PeekKeyword(std::string_view word) const {
    return tok().kind == TokenKind::kName && tok().value == word;
  }

  bool Expect(TokenKind kind) {
    if (tok().kind == kind) return Next();
    return Fail(tok().start, "Expected " + TokenKindDescription(kind) +
                                 ", found " + TokenDescription(tok()) + ".");
  }
  // Consumes the token if it is of `kind`; *found tells whether it was.
  bool ExpectOptional(TokenKind kind, bool* found) {
    *found = tok().kind == kind;
    return *found ? Next() : true;
  }
  bool ExpectKeyword(std::string_view word) {
    if (PeekKeyword(word)) return Next();
    return Fail(tok().start, "Expected \"" + std::string(word) + "\", found " +
                                 TokenDescription(tok()) + ".");
  }
  bool ExpectOptionalKeyword(std::string_view word, bool* found) {
    *found = PeekKeyword(word);
    return *found ? Next() : true;
  }

  bool ParseName(std::string* name, size_t* loc) {
    if (tok().kind != TokenKind::kName) return Expect(TokenKind::kName);
    *name = tok().value;
    if (loc) *loc = tok().start;
    return Next();
  }

  bool Enter(size_t loc) {
    if (++depth_ > kMaxNestingDepth) {
      return Fail(loc, "Document is nested more than " +
                           std::to_string(kMaxNestingDepth) + " levels deep.");
    }
    return true;
  }
  void Leave() { --depth_; }

  bool ParseDefinition(ast::Document* doc) {
    if (Peek(TokenKind::kBraceL)) return ParseOperation(doc);
    const bool has_description =
        Peek(TokenKind::kString) || Peek(TokenKind::kBlockString);
    Token keyword = tok();
    if (has_description && !lexer_.Lookahead(&keyword)) {
      // The lookahead failed to lex; advancing reports the error.
      if (!Next()) return false;
      return Unexpected();
    }
    if (keyword.kind == TokenKind::kName) {
      const std::string& k = keyword.value;
      if (k == "schema" || k == "scalar" || k == "type" || k == "interface" ||
          k == "union" || k == "enum" || k == "input" || k == "directive") {
        return ParseTypeSystemDefinition(doc);
      }
      if (has_description) {
        return Fail(tok().start,
                    "Unexpected description, descriptions are supported only "
                    "on type definitions.");
      }
      if (k == "query" || k == "mutation" || k == "subscription") {
        return ParseOperation(doc);
      }
      if (k == "fragment") return ParseFragmentDefinition(doc);
    }
    return Unexpected(keyword);
  }

  bool ParseOperationType(ast::OperationType* type) {
    if (PeekKeyword("query")) {
      *type = ast::OperationType::kQuery;
    } else if (PeekKeyword("mutation")) {
      *type = ast::OperationType::kMutation;
    } else if (PeekKeyword("subscription")) {
      *type = ast::OperationType::kSubscription;
    } else {
      return Unexpected();
    }
    return Next();
  }

  bool ParseOperation(ast::Document* doc) {
    ast::OperationDefinition op;
    op.loc = tok().start;
    if (Peek(TokenKind::kBraceL)) {
      if (!ParseSelectionSet(&op.selection_set)) return false;
      doc->order.emplace_back(ast::Document::DefinitionKind::kOperation,
                              doc->operations.size());
      doc->operations.push_back(std::move(op));
      return true;
    }
    if (!ParseOperationType(&op.operation)) return false;
    if (Peek(TokenKind::kName) && !ParseName(&op.name, &op.name_loc)) {
      return false;
    }
    bool open;
    if (!ExpectOptional(TokenKind::kParenL, &open)) return false;
    if (open) {
      bool close = false;
      do {
        ast::VariableDefinition var;
        if (!ParseVariableDefinition(&var)) return false;
        op.variables.push_back(std::move(var));
        if (!ExpectOptional(TokenKind::kParenR, &close)) return false;
      } while (!close);
    }
    if (!ParseDirectives(false, &op.directives)) return false;
    if (!ParseSelectionSet(&op.selection_set)) return false;
    doc->order.emplace_back(ast::Document::DefinitionKind::kOperation,
                            doc->operations.size());
    doc->operations.push_back(std::move(op));
    return true;
  }

  bool ParseVariableDefinition(ast::VariableDefinition* var) {
    var->loc = tok().start;
    if (!Expect(TokenKind::kDollar)) return false;
    if (!ParseName(&var->name, nullptr)) return false;
    if (!Expect(TokenKind::kColon)) return false;
    var->type_loc = tok().start;
    if (!ParseTypeRef(&var->type, &var->named_type_loc)) return false;
    bool has_default;
    if (!ExpectOptional(TokenKind::kEquals, &has_default)) return false;
    if (has_default) {
      var->default_value = std::make_unique<Value>();
      if (!ParseValue(true, var->default_value.get())) return false;
    }
    return ParseDirectives(true, &var->directives);
  }

  bool ParseTypeRef(TypeRef* type, size_t* named_loc) {
    bool list;
    const size_t start = tok().start;
    if (!ExpectOptional(TokenKind::kBracketL, &list)) return false;
    if (list) {
      if (!Enter(start)) return false;
      TypeRef inner;
      if (!ParseTypeRef(&inner, named_loc)) return false;
      if (!Expect(TokenKind::kBracketR)) return false;
      Leave();
      *type = TypeRef::ListOf(std::move(inner));
    } else {
      std::string name;
      if (!ParseName(&name, named_loc)) return false;
      *type = TypeRef::Named(std::move(name));
    }
    bool bang;
    if (!ExpectOptional(TokenKind::kBang, &bang)) return false;
    if (bang) *type = TypeRef::NonNullOf(std::move(*type));
    return true;
  }

  bool ParseSelectionSet(ast::SelectionSet* set) {
    set->loc = tok().start;
    if (!Expect(TokenKind::kBraceL)) return false;
    if (!Enter(set->loc)) return false;
    bool close = false;
    do {
      ast::Selection sel;
      if (!ParseSelection(&sel)) return false;
      set->selections.push_back(std::move(sel));
      if (!ExpectOptional(TokenKind::kBraceR, &close)) return false;
    } while (!close);
    Leave();
    return true;
  }

  bool ParseSelection(ast::Selection* sel) {
    sel->loc = tok().start;
    if (Peek(TokenKind::kSpread)) {
      if (!Next()) return false;
      bool has_type_condition;
      if (!ExpectOptionalKeyword("on", &has_type_condition)) return false;
      if (!has_type_condition && Peek(TokenKind::kName)) {
        sel->kind = ast::Selection::Kind::kFragmentSpread;
        if (!ParseName(&sel->name, &sel->name_loc)) return false;
        return ParseDirectives(false, &sel->directives);
      }
      sel->kind = ast::Selection::Kind::kInlineFragment;
      if (has_type_condition &&
          !ParseName(&sel->type_condition, &sel->type_condition_loc)) {
        return false;
      }
      if (!ParseDirectives(false, &sel->directives)) return false;
      sel->selection_set = std::make_unique<ast::SelectionSet>();
      return ParseSelectionSet(sel->selection_set.get());
    }
    sel->kind = ast::Selection::Kind::kField;
    std::string first;
    size_t first_loc = 0;
    if (!ParseName(&first, &first_loc)) return false;
    bool aliased;
    if (!ExpectOptional(TokenKind::kColon, &aliased)) return false;
    if (aliased) {
      sel->alias = std::move(first);
      if (!ParseName(&sel->name, &sel->name_loc)) return false;
    } else {
      sel->name = std::move(first);
      sel->name_loc = first_loc;
    }
    if (!ParseArguments(false, &sel->arguments)) return false;
    if (!ParseDirectives(false, &sel->directives)) return false;
    if (Peek(TokenKind::kBraceL)) {
      sel->selection_set = std::make_unique<ast::SelectionSet>();
      return ParseSelectionSet(sel->selection_set.get());
    }
    return true;
  }

  bool ParseArguments(bool is_const, std::vector<ast::Argument>* args) {
    bool open;
    if (!ExpectOptional(TokenKind::kParenL, &open)) return false;
    if (!open) return true;
    bool close = false;
    do {
      ast::Argument arg;
      if (!ParseName(&arg.name, &arg.loc)) return false;
      if (!Expect(TokenKind::kColon)) return false;
      if (!ParseValue(is_const, &arg.value)) return false;
      args->push_back(std::move(arg));
      if (!ExpectOptional(TokenKind::kParenR, &close)) return false;
    } while (!close);
    return true;
  }

  bool ParseDirectives(bool is_const, std::vector<ast::Directive>* dirs) {
    while (Peek(TokenKind::kAt)) {
      ast::Directive dir;
      dir.loc = tok().start;
      if (!Next()) return false;
      if (!ParseName(&dir.name, nullptr)) return false;
      if (!ParseArguments(is_const, &dir.arguments)) return false;
      dirs->push_back(std::move(dir));
    }
    return true;
  }

  bool ParseFragmentDefinition(ast::Document* doc) {
    ast::FragmentDefinition frag;
    frag.loc = tok().start;
    if (!ExpectKeyword("fragment")) return false;
    if (PeekKeyword("on")) return Unexpected();
    if (!ParseName(&frag.name, &frag.name_loc)) return false;
    if (!ExpectKeyword("on")) return false;
    if (!ParseName(&frag.type_condition, &frag.type_condition_loc))
      return false;
    if (!ParseDirectives(false, &frag.directives)) return false;
    if (!ParseSelectionSet(&frag.selection_set)) return false;
    doc->order.emplace_back(ast::Document::DefinitionKind::kFragment,
                            doc->fragments.size());
    doc->fragments.push_back(std::move(frag));
    return true;
  }

  bool ParseValue(bool is_const, Value* value) {
    value->loc = tok().start;
    switch (tok().kind) {
      case TokenKind::kBracketL: {
        value->kind = Value::Kind::kList;
        if (!Enter(value->loc) || !Next()) return false;
        while (!Peek(TokenKind::kBracketR)) {
          value->list.emplace_back();
          if (!ParseValue(is_const, &value->list.back())) return false;
        }
        Leave();
        return Next();
      }
      case TokenKind::kBraceL: {
        value->kind = Value::Kind::kObject;
        if (!Enter(value->loc) || !Next()) return false;
        while (!Peek(TokenKind::kBraceR)) {
          ast::ObjectField field;
          if (!ParseName(&field.name, &field.loc)) return false;
          if (!Expect(TokenKind::kColon)) return false;
          if (!ParseValue(is_const, &field.value)) return false;
          value->fields.push_back(std::move(field));
        }
        Leave();
        return Next();
      }
      case TokenKind::kInt:
      case TokenKind::kFloat:
        value->kind = tok().kind == TokenKind::kInt ? Value::Kind::kInt
                                                    : Value::Kind::kFloat;
        value->text = tok().value;
        return Next();
      case TokenKind::kString:
      case TokenKind::kBlockString:
        value->kind = Value::Kind::kString;
        value->block = tok().kind == TokenKind::kBlockString;
        value->text = tok().value;
        return Next();
      case TokenKind::kName:
        if (tok().value == "true" || tok().value == "false") {
          value->kind = Value::Kind::kBoolean;
          value->boolean = tok().value == "true";
        } else if (tok().value == "null") {
          value->kind = Value::Kind::kNull;
        } else {
          value->kind = Value::Kind::kEnum;
          value->text = tok().value;
        }
        return Next();
      case TokenKind::kDollar:
        if (is_const) {
          const size_t start = tok().start;
          if (!Next()) return false;
          if (Peek(TokenKind::kName)) {
            return Fail(start, "Unexpected variable \"$" + tok().value +
                                   "\" in constant value.");
          }
          return Unexpected();
        }
        value->kind = Value::Kind::kVariable;
        if (!Next()) return false;
        return ParseName(&value->text, nullptr);
      default:
        return Unexpected();
    }
  }

  // Type system definitions (SDL), for Schema::Parse.
  bool SkipDescription() {
    if (Peek(TokenKind::kString) || Peek(TokenKind::kBlockString))
      return Next();
    return true;
  }

  bool ParseTypeSystemDefinition(ast::Document* doc) {
    using Kind = ast::TypeSystemDefinition::Kind;
    if (!SkipDescription()) return false;
    ast::TypeSystemDefinition def;
    def.loc = tok().start;
    const std::string keyword = tok().value;
    if (!Next()) return false;
    std::vector<ast::Directive> ignored;
    if (keyword == "schema") {
      def.kind = Kind::kSchema;
      if (!ParseDirectives(true, &ignored)) return false;
      if (!Expect(TokenKind::kBraceL)) return false;
      bool close = false;
      do {
        ast::OperationType op;
        if (!ParseOperationType(&op)) return false;
        if (!Expect(TokenKind::kColon)) return false;
        ast::NameRef type;
        if (!ParseName(&type.name, &type.loc)) return false;
        def.root_types.emplace_back(op, std::move(type));
        if (!ExpectOptional(TokenKind::kBraceR, &close)) return false;
      } while (!close);
      doc->order.emplace_back(ast::Document::DefinitionKind::kTypeSystem,
                              doc->type_system.size());
      doc->type_system.push_back(std::move(def));
      return true;
    }
    if (keyword == "directive") {
      def.kind = Kind::kDirective;
      if (!Expect(TokenKind::kAt)) return false;
      if (!ParseName(&def.name, &def.name_loc)) return false;
      if (!ParseInputValueDefinitions(TokenKind::kParenL, TokenKind::kParenR,
                                      &def.input_values)) {
        return false;
      }
      bool repeatable;
      if (!ExpectOptionalKeyword("repeatable", &repeatable)) return false;
      if (!ExpectKeyword("on")) return false;
      if (!ParseDelimitedNames(TokenKind::kPipe, &def.names)) return false;
      doc->order.emplace_back(ast::Document::DefinitionKind::kTypeSystem,
                              doc->type_system.size());
      doc->type_system.push_back(std::move(def));
      return true;
    }
    if (!ParseName(&def.name, &def.name_loc)) return false;
    if (keyword == "scalar") {
      def.kind = Kind::kScalar;
      if (!ParseDirectives(true, &ignored)) return false;
    } else if (keyword == "type" || keyword == "interface") {
      def.kind = keyword == "type" ? Kind::kObject : Kind::kInterface;
      bool implements;
      if (!ExpectOptionalKeyword("implements", &implements)) return false;
      if (implements && !ParseDelimitedNames(TokenKind::kAmp, &def.names)) {
        return false;
      }
      if (!ParseDirectives(true, &ignored)) return false;
      if (!ParseFieldDefinitions(&def.fields)) return false;
    } else if (keyword == "union") {
      def.kind = Kind::kUnion;
      if (!ParseDirectives(true, &ignored)) return false;
      bool eq;
      if (!ExpectOptional(TokenKind::kEquals, &eq)) return false;
      if (eq && !ParseDelimitedNames(TokenKind::kPipe, &def.names))
        return false;
    } else if (keyword == "enum") {
      def.kind = Kind::kEnum;
      if (!ParseDirectives(true, &ignored)) return false;
      bool open;
      if (!ExpectOptional(TokenKind::kBraceL, &open)) return false;
      bool close = !open;
      while (!close) {
        if (!SkipDescription()) return false;
        if (PeekKeyword("true") || PeekKeyword("false") ||
            PeekKeyword("null")) {
          return Fail(tok().start, TokenDescription(tok()) +
                                       " is reserved and cannot be used for "
                                       "an enum value.");
        }
        ast::NameRef value;
        if (!ParseName(&value.name, &value.loc)) return false;
        if (!ParseDirectives(true, &ignored)) return false;
        def.names.push_back(std::move(value));
        if (!ExpectOptional(TokenKind::kBraceR, &close)) return false;
      }
    } else {  // input
      def.kind = Kind::kInputObject;
      if (!ParseDirectives(true, &ignored)) return false;
      if (!ParseInputValueDefinitions(TokenKind::kBraceL, TokenKind::kBraceR,
                                      &def.input_values)) {
        return false;
      }
    }
    doc->order.emplace_back(ast::Document::DefinitionKind::kTypeSystem,
                            doc->type_system.size());
    doc->type_system.push_back(std::move(def));
    return true;
  }

  // A "&"- or "|"-separated list of names with an optional leading separator.
  bool ParseDelimitedNames(TokenKind delimiter,
                           std::vector<ast::NameRef>* out) {
    bool found;
    if (!ExpectOptional(delimiter, &found)) return false;
    do {
      ast::NameRef name;
      if (!ParseName(&name.name, &name.loc)) return false;
      out->push_back(std::move(name));
      if (!ExpectOptional(delimiter, &found)) return false;
    } while (found);
    return true;
  }

  bool ParseFieldDefinitions(std::vector<ast::FieldDefinition>* fields) {
    bool open;
    if (!ExpectOptional(TokenKind::kBraceL, &open)) return false;
    bool close = !open;
    while (!close) {
      if (!SkipDescription()) return false;
      ast::FieldDefinition field;
      if (!ParseName(&field.name, &field.loc)) return false;
      if (!ParseInputValueDefinitions(TokenKind::kParenL, TokenKind::kParenR,
                                      &field.arguments)) {
        return false;
      }
      if (!Expect(TokenKind::kColon)) return false;
      if (!ParseTypeRef(&field.type, &field.named_type_loc)) return false;
      std::vector<ast::Directive> ignored;
      if (!ParseDirectives(true, &ignored)) return false;
      fields->push_back(std::move(field));
      if (!ExpectOptional(TokenKind::kBraceR, &close)) return false;
    }
    return true;
  }

  bool ParseInputValueDefinitions(TokenKind open_kind, TokenKind close_kind,
                                  std::vector<ast::InputValueDefinition>* out) {
    bool open;
    if (!ExpectOptional(open_kind, &open)) return false;
    bool close = !open;
    while (!close) {
      if (!SkipDescription()) return false;
      ast::InputValueDefinition value;
      if (!ParseName(&value.name, &value.loc)) return false;
      if (!Expect(TokenKind::kColon)) return false;
      if (!ParseTypeRef(&value.type, &value.named_type_loc)) return false;
      bool has_default;
      if (!ExpectOptional(TokenKind::kEquals, &has_default)) return false;
      if (has_default) {
        value.default_value = std::make_unique<Value>();
        if (!ParseValue(true, value.default_value.get())) return false;
      }
      std::vector<ast::Directive> ignored;
      if (!ParseDirectives(true, &ignored)) return false;
      out->push_back(std::move(value));
      if (!ExpectOptional(close_kind, &close)) return false;
    }
    return true;
  }

  Lexer lexer_;
  SyntaxError error_;
  int depth_ = 0;
};

}  // namespace

bool ParseDocument(std::string_view source, ast::Document* doc,
                   SyntaxError* error) {
  if (source.size() > kMaxDocumentBytes) {
    error->message = "Syntax Error: Document is larger than " +
                     std::to_string(kMaxDocumentBytes) + " bytes.";
    error->offset = 0;
    return false;
  }
  size_t bad;
  if (!IsValidUtf8(source, &bad)) {
    error->message = "Syntax Error: Invalid UTF-8 sequence.";
    error->offset = bad;
    return false;
  }
  Parser parser(source);
  if (!parser.ParseDocument(doc)) {
    *error = parser.error();
    return false;
  }
  return true;
}

}  // namespace podform::graphql
