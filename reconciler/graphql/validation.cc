#include "reconciler/graphql/validation.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "reconciler/graphql/messages.h"
#include "reconciler/graphql/overlap.h"
#include "reconciler/graphql/values.h"

namespace podform::graphql {
namespace {

using Sel = ast::Selection;
using DefKind = ast::Document::DefinitionKind;

constexpr int kInfiniteDepth = 1 << 28;

struct DirectiveDef {
  std::string name;
  std::vector<std::string> locations;
  std::vector<InputValue> arguments;
};

const std::vector<DirectiveDef>& Directives() {
  static const std::vector<DirectiveDef>* const defs = [] {
    InputValue if_arg;
    if_arg.name = "if";
    if_arg.type = TypeRef::NonNullOf(TypeRef::Named("Boolean"));
    InputValue reason;
    reason.name = "reason";
    reason.type = TypeRef::Named("String");
    reason.default_value =
        std::make_shared<const nlohmann::json>("No longer supported");
    InputValue url;
    url.name = "url";
    url.type = TypeRef::NonNullOf(TypeRef::Named("String"));
    const std::vector<std::string> executable = {"FIELD", "FRAGMENT_SPREAD",
                                                 "INLINE_FRAGMENT"};
    return new std::vector<DirectiveDef>{
        {"include", executable, {if_arg}},
        {"skip", executable, {if_arg}},
        {"deprecated",
         {"FIELD_DEFINITION", "ARGUMENT_DEFINITION", "INPUT_FIELD_DEFINITION",
          "ENUM_VALUE"},
         {reason}},
        {"specifiedBy", {"SCALAR"}, {url}},
    };
  }();
  return *defs;
}

const DirectiveDef* FindDirective(const std::string& name) {
  for (const DirectiveDef& d : Directives()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// graphql-js isTypeSubTypeOf() for schemas without abstract types.
bool IsSubType(const TypeRef& sub, const TypeRef& super) {
  if (sub == super) return true;
  if (super.IsNonNull())
    return sub.IsNonNull() && IsSubType(*sub.of, *super.of);
  if (sub.IsNonNull()) return IsSubType(*sub.of, super);
  if (super.IsList()) return sub.IsList() && IsSubType(*sub.of, *super.of);
  return false;
}

// graphql-js getFragmentSpreads(): the spreads in a selection set, in its
// (stack-based) order.
std::vector<const Sel*> SpreadsOf(const ast::SelectionSet& root) {
  std::vector<const Sel*> spreads;
  std::vector<const ast::SelectionSet*> stack{&root};
  while (!stack.empty()) {
    const ast::SelectionSet* set = stack.back();
    stack.pop_back();
    for (const Sel& sel : set->selections) {
      if (sel.kind == Sel::Kind::kFragmentSpread) {
        spreads.push_back(&sel);
      } else if (sel.selection_set) {
        stack.push_back(sel.selection_set.get());
      }
    }
  }
  return spreads;
}

struct VariableUsage {
  std::string name;
  size_t loc;
  const TypeRef* type;  // the input type expected there; null when unknown
  bool location_has_default;
};

class Validator {
 public:
  Validator(const Schema& schema, const ast::Document& doc)
      : schema_(schema), doc_(doc) {}

  std::vector<ValidationError> Run() {
    for (size_t i = 0; i < doc_.fragments.size(); ++i) {
      fragment_by_name_[doc_.fragments[i].name] = i;  // the last one wins
    }
    op_usages_.resize(doc_.operations.size());
    frag_usages_.resize(doc_.fragments.size());
    AnalyzeFragments();

    // ExecutableDefinitions (on entering the document).
    for (const ast::TypeSystemDefinition& def : doc_.type_system) {
      Report(def.kind == ast::TypeSystemDefinition::Kind::kSchema
                 ? "The schema definition is not executable."
                 : "The \"" + def.name + "\" definition is not executable.",
             {def.loc});
    }
    std::vector<std::pair<size_t, size_t>> leave_marks;  // (error index, op)
    for (const auto& [kind, index] : doc_.order) {
      if (kind == DefKind::kOperation) {
        VisitOperation(index);
        leave_marks.emplace_back(errors_.size(), index);
      } else if (kind == DefKind::kFragment) {
        VisitFragment(index);
      }
    }
    // Operation "leave" rules need the variable usages of fragments defined
    // after the operation, so they run now and go where they belong.
    for (auto it = leave_marks.rbegin(); it != leave_marks.rend(); ++it) {
      std::vector<ValidationError> leave = LeaveOperation(it->second);
      errors_.insert(errors_.begin() + static_cast<long>(it->first),
                     std::make_move_iterator(leave.begin()),
                     std::make_move_iterator(leave.end()));
    }
    NoUnusedFragments();
    if (errors_.size() > kMaxValidationErrors) {
      errors_.resize(kMaxValidationErrors);
      errors_.push_back(
          {"Too many validation errors, error limit reached. Validation "
           "aborted.",
           {}});
    }
    return std::move(errors_);
  }

 private:
  // Errors past the limit are never shown: operation "leave" errors are only
  // ever inserted at or after the current end, so once the limit is passed
  // nothing more needs recording.
  bool Full() const { return errors_.size() > kMaxValidationErrors; }
  void Report(std::string message, std::vector<size_t> locations) {
    if (Full()) return;
    errors_.push_back({std::move(message), std::move(locations)});
  }

  const ast::FragmentDefinition* GetFragment(const std::string& name) const {
    const auto it = fragment_by_name_.find(name);
    return it == fragment_by_name_.end() ? nullptr
                                         : &doc_.fragments[it->second];
  }
  long FragmentIndex(const std::string& name) const {
    const auto it = fragment_by_name_.find(name);
    return it == fragment_by_name_.end() ? -1 : static_cast<long>(it->second);
  }

  const TypeDef* Composite(const TypeDef* t) const {
    return t != nullptr && t->IsComposite() ? t : nullptr;
  }

  // NoFragmentCycles (graphql-js's depth-first search, run iteratively) and
  // the nesting depth of each fragment, computed in the search's post-order.
  void AnalyzeFragments() {
    const size_t n = doc_.fragments.size();
    cycle_errors_.resize(n);
    fragment_depth_.assign(n, kInfiniteDepth);
    std::vector<const std::vector<const Sel*>*> spreads(n);
    for (size_t i = 0; i < n; ++i) {
      spreads[i] = &CachedSpreads(doc_.fragments[i].selection_set);
    }
    std::set<std::string> visited;
    std::map<std::string, size_t> path_index;
    std::vector<const Sel*> path;
    struct Frame {
      size_t fragment;
      size_t next;
    };
    for (size_t root = 0; root < n; ++root) {
      const std::string& root_name = doc_.fragments[root].name;
      if (!visited.insert(root_name).second) continue;
      if (spreads[root]->empty()) {
        fragment_depth_[root] = Depth(doc_.fragments[root].selection_set);
        continue;
      }
      std::vector<Frame> stack{{root, 0}};
      path_index[root_name] = path.size();
      while (!stack.empty()) {
        Frame& frame = stack.back();
        const std::vector<const Sel*>& list = *spreads[frame.fragment];
        if (frame.next == list.size()) {
          const size_t done = frame.fragment;
          path_index.erase(doc_.fragments[done].name);
          fragment_depth_[done] = Depth(doc_.fragments[done].selection_set);
          stack.pop_back();
          if (!stack.empty()) path.pop_back();
          continue;
        }
        const Sel* spread = list[frame.next++];
        path.push_back(spread);
        const auto cycle = path_index.find(spread->name);
        if (cycle != path_index.end()) {
          std::string via;
          std::vector<size_t> locations;
          for (size_t i = cycle->second; i < path.size(); ++i) {
            if (i + 1 < path.size()) {
              via += (via.empty() ? "\"" : ", \"") + path[i]->name + "\"";
            }
            locations.push_back(path[i]->loc);
          }
          cycle_errors_[root].push_back(
              {"Cannot spread fragment \"" + spread->name + "\" within itself" +
                   (via.empty() ? "." : " via " + via + "."),
               std::move(locations)});
          path.pop_back();
          continue;
        }
        const long target = FragmentIndex(spread->name);
        if (target < 0 || !visited.insert(spread->name).second) {
          path.pop_back();
          continue;
        }
        if (spreads[target]->empty()) {
          fragment_depth_[target] = Depth(doc_.fragments[target].selection_set);
          path.pop_back();
          continue;
        }
        path_index[spread->name] = path.size();
        stack.push_back({static_cast<size_t>(target), 0});
      }
    }
  }

  // Nesting of a selection set through fields and fragments; kInfiniteDepth
  // when it reaches a fragment cycle.
  int Depth(const ast::SelectionSet& set) const {
    int deepest = 0;
    for (const Sel& sel : set.selections) {
      int d = 0;
      if (sel.kind == Sel::Kind::kFragmentSpread) {
        const long target = FragmentIndex(sel.name);
        d = target < 0 ? 0 : fragment_depth_[target];
      } else if (sel.selection_set) {
        d = Depth(*sel.selection_set);
      }
      deepest = std::max(deepest, d);
    }
    return std::min(kInfiniteDepth, deepest + 1);
  }

  void VisitOperation(size_t index) {
    const ast::OperationDefinition& op = doc_.operations[index];
    // UniqueOperationNames, LoneAnonymousOperation.
    if (!op.name.empty()) {
      auto [it, inserted] = operation_names_.emplace(op.name, op.name_loc);
      if (!inserted) {
        Report("There can be only one operation named \"" + op.name + "\".",
               {it->second, op.name_loc});
      }
    } else if (doc_.operations.size() > 1) {
      Report("This anonymous operation must be the only defined operation.",
             {op.loc});
    }
    // UniqueVariableNames.
    std::vector<std::pair<std::string, std::vector<size_t>>> by_name;
    std::map<std::string, size_t> var_index;
    for (const ast::VariableDefinition& var : op.variables) {
      auto [it, inserted] = var_index.emplace(var.name, by_name.size());
      if (inserted) {
        by_name.push_back({var.name, {var.loc + 1}});
      } else {
        by_name[it->second].second.push_back(var.loc + 1);
      }
    }
    for (const auto& [name, locs] : by_name) {
      if (locs.size() > 1) {
        Report("There can be only one variable named \"$" + name + "\".", locs);
      }
    }
    UniqueDirectives(op.directives);
    current_usages_ = nullptr;  // default values are constant
    for (const ast::VariableDefinition& var : op.variables) {
      const TypeDef* named = schema_.FindType(var.type.NamedType());
      if (named != nullptr && !named->IsInput()) {
        Report("Variable \"$" + var.name + "\" cannot be non-input type \"" +
                   var.type.ToString() + "\".",
               {var.type_loc});
      }
      UniqueDirectives(var.directives);
      KnownType(var.type.NamedType(), var.named_type_loc);
      if (var.default_value) {
        VisitValue(*var.default_value,
                   named != nullptr && named->IsInput() ? &var.type : nullptr,
                   false, true);
      }
      VisitDirectives(var.directives, "VARIABLE_DEFINITION");
    }
    current_usages_ = &op_usages_[index];
    static const char* const kLocation[] = {"QUERY", "MUTATION",
                                            "SUBSCRIPTION"};
    VisitDirectives(op.directives, kLocation[static_cast<int>(op.operation)]);
    const TypeDef* root = nullptr;
    if (op.operation == ast::OperationType::kQuery) root = schema_.query_type();
    if (op.operation == ast::OperationType::kMutation) {
      root = schema_.mutation_type();
    }
    // OverlappingFieldsCanBeMerged, once for the whole operation, and the
    // nesting limit that keeps every later recursion shallow.
    const int depth = Depth(op.selection_set);
    if (depth > kMaxSelectionDepth && depth < kInfiniteDepth) {
      Report("Selections are nested more than " +
                 std::to_string(kMaxSelectionDepth) +
                 " levels deep (counting fragments).",
             {op.loc});
    } else if (depth < kInfiniteDepth) {
      const FragmentLookup lookup = [this](const std::string& name) {
        return GetFragment(name);
      };
      if (!Full() && !FindFieldConflicts(schema_, lookup, op.selection_set,
                                         root, &errors_)) {
        Report("The document is too complex to validate.", {op.loc});
      }
    }
    VisitSelectionSet(op.selection_set, root);
  }

  void VisitFragment(size_t index) {
    const ast::FragmentDefinition& frag = doc_.fragments[index];
    const TypeDef* type = schema_.FindType(frag.type_condition);
    if (type != nullptr && !type->IsComposite()) {
      Report("Fragment \"" + frag.name +
                 "\" cannot condition on non composite type \"" +
                 frag.type_condition + "\".",
             {frag.type_condition_loc});
    }
    auto [it, inserted] = fragment_names_.emplace(frag.name, frag.name_loc);
    if (!inserted) {
      Report("There can be only one fragment named \"" + frag.name + "\".",
             {it->second, frag.name_loc});
    }
    for (const ValidationError& e : cycle_errors_[index]) errors_.push_back(e);
    UniqueDirectives(frag.directives);
    KnownType(frag.type_condition, frag.type_condition_loc);
    current_usages_ = &frag_usages_[index];
    VisitDirectives(frag.directives, "FRAGMENT_DEFINITION");
    VisitSelectionSet(frag.selection_set, Composite(type));
  }

  void KnownType(const std::string& name, size_t loc) {
    if (schema_.FindType(name) != nullptr) return;
    std::vector<std::string> names;
    for (const TypeDef& t : schema_.types()) names.push_back(t.name);
    Report("Unknown type \"" + name + "\"." +
               DidYouMean(SuggestionList(name, names)),
           {loc});
  }

  void UniqueDirectives(const std::vector<ast::Directive>& directives) {
    std::map<std::string, size_t> seen;
    for (const ast::Directive& d : directives) {
      if (FindDirective(d.name) == nullptr) continue;
      auto [it, inserted] = seen.emplace(d.name, d.loc);
      if (!inserted) {
        Report("The directive \"@" + d.name +
                   "\" can only be used once at this location.",
               {it->second, d.loc});
      }
    }
  }

  void UniqueArguments(const std::vector<ast::Argument>& args) {
    std::vector<std::pair<std::string, std::vector<size_t>>> by_name;
    std::map<std::string, size_t> arg_index;
    for (const ast::Argument& arg : args) {
      auto [it, inserted] = arg_index.emplace(arg.name, by_name.size());
      if (inserted) {
        by_name.push_back({arg.name, {arg.loc}});
      } else {
        by_name[it->second].second.push_back(arg.loc);
      }
    }
    for (const auto& [name, locs] : by_name) {
      if (locs.size() > 1) {
        Report("There can be only one argument named \"" + name + "\".", locs);
      }
    }
  }

  static bool HasArgument(const std::vector<ast::Argument>& args,
                          const std::string& name) {
    for (const ast::Argument& a : args) {
      if (a.name == name) return true;
    }
    return false;
  }

  static const InputValue* FindIn(const std::vector<InputValue>& defs,
                                  const std::string& name) {
    for (const InputValue& d : defs) {
      if (d.name == name) return &d;
    }
    return nullptr;
  }

  static std::vector<std::string> Names(const std::vector<InputValue>& defs) {
    std::vector<std::string> names;
    for (const InputValue& d : defs) names.push_back(d.name);
    return names;
  }

  void VisitDirectives(const std::vector<ast::Directive>& directives,
                       const std::string& location) {
    for (const ast::Directive& d : directives) {
      const DirectiveDef* def = FindDirective(d.name);
      if (def == nullptr) {
        Report("Unknown directive \"@" + d.name + "\".", {d.loc});
      } else if (std::find(def->locations.begin(), def->locations.end(),
                           location) == def->locations.end()) {
        Report("Directive \"@" + d.name + "\" may not be used on " + location +
                   ".",
               {d.loc});
      }
      if (def != nullptr) {
        for (const ast::Argument& arg : d.arguments) {
          if (FindIn(def->arguments, arg.name) == nullptr) {
            Report(
                "Unknown argument \"" + arg.name + "\" on directive \"@" +
                    d.name + "\"." +
                    DidYouMean(SuggestionList(arg.name, Names(def->arguments))),
                {arg.loc});
          }
        }
      }
      UniqueArguments(d.arguments);
      for (const ast::Argument& arg : d.arguments) {
        const InputValue* arg_def =
            def != nullptr ? FindIn(def->arguments, arg.name) : nullptr;
        VisitValue(arg.value, arg_def ? &arg_def->type : nullptr,
                   arg_def != nullptr && arg_def->default_value != nullptr,
                   true);
      }
      if (def != nullptr) {
        for (const InputValue& arg_def : def->arguments) {
          if (arg_def.type.IsNonNull() && !arg_def.default_value &&
              !HasArgument(d.arguments, arg_def.name)) {
            Report("Directive \"@" + d.name + "\" argument \"" + arg_def.name +
                       "\" of type \"" + arg_def.type.ToString() +
                       "\" is required, but it was not provided.",
                   {d.loc});
          }
        }
      }
    }
  }

  void VisitSelectionSet(const ast::SelectionSet& set, const TypeDef* parent) {
    for (const Sel& sel : set.selections) {
      switch (sel.kind) {
        case Sel::Kind::kField:
          VisitField(sel, parent);
          break;
        case Sel::Kind::kFragmentSpread:
          VisitSpread(sel, parent);
          break;
        case Sel::Kind::kInlineFragment:
          VisitInlineFragment(sel, parent);
          break;
      }
    }
  }

  void VisitField(const Sel& sel, const TypeDef* parent) {
    const Field* def = nullptr;
    if (parent != nullptr) {
      def = sel.name == "__typename" ? &TypenameField()
                                     : parent->FindField(sel.name);
    }
    const TypeDef* named =
        def != nullptr ? schema_.FindType(def->type.NamedType()) : nullptr;
    // ScalarLeafs.
    if (named != nullptr) {
      if (named->IsLeaf() && sel.selection_set) {
        Report("Field \"" + sel.name +
                   "\" must not have a selection since type \"" +
                   def->type.ToString() + "\" has no subfields.",
               {sel.selection_set->loc});
      } else if (!named->IsLeaf() && !sel.selection_set) {
        Report("Field \"" + sel.name + "\" of type \"" + def->type.ToString() +
                   "\" must have a selection of subfields. Did you mean \"" +
                   sel.name + " { ... }\"?",
               {sel.loc});
      }
    }
    // FieldsOnCorrectType.
    if (parent != nullptr && def == nullptr && !Full()) {
      std::vector<std::string> names;
      for (const Field& f : parent->fields) names.push_back(f.name);
      Report("Cannot query field \"" + sel.name + "\" on type \"" +
                 parent->name + "\"." +
                 DidYouMean(SuggestionList(sel.name, names)),
             {sel.loc});
    }
    UniqueDirectives(sel.directives);
    UniqueArguments(sel.arguments);
    for (const ast::Argument& arg : sel.arguments) {
      const InputValue* arg_def =
          def != nullptr ? def->FindArgument(arg.name) : nullptr;
      if (def != nullptr && arg_def == nullptr) {
        Report("Unknown argument \"" + arg.name + "\" on field \"" +
                   parent->name + "." + def->name + "\"." +
                   DidYouMean(SuggestionList(arg.name, Names(def->arguments))),
               {arg.loc});
      }
      VisitValue(arg.value, arg_def ? &arg_def->type : nullptr,
                 arg_def != nullptr && arg_def->default_value != nullptr, true);
    }
    VisitDirectives(sel.directives, "FIELD");
    if (sel.selection_set)
      VisitSelectionSet(*sel.selection_set, Composite(named));
    // ProvidedRequiredArguments (on leaving the field).
    if (def != nullptr) {
      for (const InputValue& arg_def : def->arguments) {
        if (arg_def.type.IsNonNull() && !arg_def.default_value &&
            !HasArgument(sel.arguments, arg_def.name)) {
          Report("Field \"" + def->name + "\" argument \"" + arg_def.name +
                     "\" of type \"" + arg_def.type.ToString() +
                     "\" is required, but it was not provided.",
                 {sel.loc});
        }
      }
    }
  }

  void VisitSpread(const Sel& sel, const TypeDef* parent) {
    const ast::FragmentDefinition* frag = GetFragment(sel.name);
    if (frag == nullptr) {
      Report("Unknown fragment \"" + sel.name + "\".", {sel.name_loc});
    } else if (parent != nullptr) {
      const TypeDef* type = Composite(schema_.FindType(frag->type_condition));
      if (type != nullptr && type != parent) {
        Report("Fragment \"" + sel.name +
                   "\" cannot be spread here as objects of type \"" +
                   parent->name + "\" can never be of type \"" + type->name +
                   "\".",
               {sel.loc});
      }
    }
    UniqueDirectives(sel.directives);
    VisitDirectives(sel.directives, "FRAGMENT_SPREAD");
  }

  void VisitInlineFragment(const Sel& sel, const TypeDef* parent) {
    const TypeDef* type = parent;
    if (!sel.type_condition.empty()) {
      const TypeDef* cond = schema_.FindType(sel.type_condition);
      if (cond != nullptr && !cond->IsComposite()) {
        Report("Fragment cannot condition on non composite type \"" +
                   sel.type_condition + "\".",
               {sel.type_condition_loc});
      }
      type = Composite(cond);
    }
    if (type != nullptr && parent != nullptr && type != parent) {
      Report("Fragment cannot be spread here as objects of type \"" +
                 parent->name + "\" can never be of type \"" + type->name +
                 "\".",
             {sel.loc});
    }
    UniqueDirectives(sel.directives);
    if (!sel.type_condition.empty()) {
      KnownType(sel.type_condition, sel.type_condition_loc);
    }
    VisitDirectives(sel.directives, "INLINE_FRAGMENT");
    VisitSelectionSet(*sel.selection_set, type);
  }

  // ValuesOfCorrectType (while `report`), UniqueInputFieldNames, and the
  // recording of variable usages with the type expected where they occur.
  void VisitValue(const ast::Value& value, const TypeRef* type,
                  bool has_default, bool report) {
    using Kind = ast::Value::Kind;
    switch (value.kind) {
      case Kind::kVariable:
        if (current_usages_ != nullptr) {
          current_usages_->push_back(
              {value.text, value.loc, type, has_default});
        }
        return;
      case Kind::kList: {
        const TypeRef* nullable = type ? &type->Nullable() : nullptr;
        const bool is_list = nullable != nullptr && nullable->IsList();
        const TypeRef* item = is_list ? nullable->of.get() : nullable;
        if (report && !is_list) {
          ValidLeafValue(value, item);
          report = false;
        }
        for (const ast::Value& v : value.list)
          VisitValue(v, item, false, report);
        return;
      }
      case Kind::kObject: {
        const TypeDef* named =
            type ? schema_.FindType(type->NamedType()) : nullptr;
        const bool is_input_object =
            named != nullptr && named->kind == TypeKind::kInputObject;
        if (report && !is_input_object) {
          ValidLeafValue(value, type);
          report = false;
        }
        if (report) {
          for (const InputValue& f : named->input_fields) {
            const bool provided = std::any_of(
                value.fields.begin(), value.fields.end(),
                [&](const ast::ObjectField& of) { return of.name == f.name; });
            if (!provided && f.type.IsNonNull() && !f.default_value) {
              Report("Field \"" + named->name + "." + f.name +
                         "\" of required type \"" + f.type.ToString() +
                         "\" was not provided.",
                     {value.loc});
            }
          }
        }
        std::map<std::string, size_t> seen;
        for (const ast::ObjectField& field : value.fields) {
          const InputValue* field_def =
              is_input_object ? named->FindInputField(field.name) : nullptr;
          if (report && field_def == nullptr) {
            Report("Field \"" + field.name + "\" is not defined by type \"" +
                       named->name + "\"." +
                       DidYouMean(SuggestionList(field.name,
                                                 Names(named->input_fields))),
                   {field.loc});
          }
          auto [it, inserted] = seen.emplace(field.name, field.loc);
          if (!inserted) {
            Report("There can be only one input field named \"" + field.name +
                       "\".",
                   {it->second, field.loc});
          }
          VisitValue(
              field.value, field_def ? &field_def->type : nullptr,
              field_def != nullptr && field_def->default_value != nullptr,
              report);
        }
        return;
      }
      case Kind::kNull:
        if (report && type != nullptr && type->IsNonNull()) {
          Report("Expected value of type \"" + type->ToString() +
                     "\", found null.",
                 {value.loc});
        }
        return;
      default:
        if (report) ValidLeafValue(value, type);
        return;
    }
  }

  // graphql-js isValidValueNode().
  void ValidLeafValue(const ast::Value& value, const TypeRef* location_type) {
    if (location_type == nullptr) return;
    const TypeDef* named = schema_.FindType(location_type->NamedType());
    if (named == nullptr) return;
    if (!named->IsLeaf()) {
      Report("Expected value of type \"" + location_type->ToString() +
                 "\", found " + PrintValue(value) + ".",
             {value.loc});
      return;
    }
    if (std::optional<std::string> error = CheckLeafLiteral(*named, value)) {
      Report(std::move(*error), {value.loc});
    }
  }

  const std::vector<const Sel*>& CachedSpreads(
      const ast::SelectionSet& set) const {
    auto it = spreads_cache_.find(&set);
    if (it == spreads_cache_.end()) {
      it = spreads_cache_.emplace(&set, SpreadsOf(set)).first;
    }
    return it->second;
  }

  // graphql-js getRecursivelyReferencedFragments(), as fragment indexes.
  const std::vector<size_t>& ReferencedFragments(
      const ast::SelectionSet& root) const {
    auto cached = referenced_cache_.find(&root);
    if (cached != referenced_cache_.end()) return cached->second;
    std::vector<size_t>& out = referenced_cache_[&root];
    std::set<std::string> collected;
    std::vector<const ast::SelectionSet*> stack{&root};
    while (!stack.empty()) {
      const ast::SelectionSet* set = stack.back();
      stack.pop_back();
      for (const Sel* spread : CachedSpreads(*set)) {
        if (!collected.insert(spread->name).second) continue;
        const long index = FragmentIndex(spread->name);
        if (index < 0) continue;
        out.push_back(static_cast<size_t>(index));
        stack.push_back(&doc_.fragments[index].selection_set);
      }
    }
    return out;
  }

  // NoUndefinedVariables, NoUnusedVariables, VariablesInAllowedPosition.
  std::vector<ValidationError> LeaveOperation(size_t index) const {
    const ast::OperationDefinition& op = doc_.operations[index];
    std::vector<const VariableUsage*> usages;
    for (const VariableUsage& u : op_usages_[index]) usages.push_back(&u);
    for (size_t f : ReferencedFragments(op.selection_set)) {
      for (const VariableUsage& u : frag_usages_[f]) usages.push_back(&u);
    }
    std::map<std::string, const ast::VariableDefinition*> defs;
    for (const ast::VariableDefinition& var : op.variables)
      defs[var.name] = &var;
    std::vector<ValidationError> out;
    for (const VariableUsage* u : usages) {
      if (defs.count(u->name)) continue;
      out.push_back({op.name.empty()
                         ? "Variable \"$" + u->name + "\" is not defined."
                         : "Variable \"$" + u->name +
                               "\" is not defined by operation \"" + op.name +
                               "\".",
                     {u->loc, op.loc}});
    }
    std::set<std::string> used;
    for (const VariableUsage* u : usages) used.insert(u->name);
    for (const ast::VariableDefinition& var : op.variables) {
      if (used.count(var.name)) continue;
      out.push_back({op.name.empty()
                         ? "Variable \"$" + var.name + "\" is never used."
                         : "Variable \"$" + var.name +
                               "\" is never used in operation \"" + op.name +
                               "\".",
                     {var.loc}});
    }
    for (const VariableUsage* u : usages) {
      const auto it = defs.find(u->name);
      if (it == defs.end() || u->type == nullptr) continue;
      const ast::VariableDefinition& var = *it->second;
      if (schema_.FindType(var.type.NamedType()) == nullptr) continue;
      bool allowed;
      if (u->type->IsNonNull() && !var.type.IsNonNull()) {
        const bool var_default =
            var.default_value != nullptr &&
            var.default_value->kind != ast::Value::Kind::kNull;
        allowed = (var_default || u->location_has_default) &&
                  IsSubType(var.type, *u->type->of);
      } else {
        allowed = IsSubType(var.type, *u->type);
      }
      if (!allowed) {
        out.push_back({"Variable \"$" + u->name + "\" of type \"" +
                           var.type.ToString() +
                           "\" used in position expecting type \"" +
                           u->type->ToString() + "\".",
                       {var.loc, u->loc}});
      }
    }
    return out;
  }

  void NoUnusedFragments() {
    std::set<std::string> used;
    for (const ast::OperationDefinition& op : doc_.operations) {
      for (size_t f : ReferencedFragments(op.selection_set)) {
        used.insert(doc_.fragments[f].name);
      }
    }
    for (const ast::FragmentDefinition& frag : doc_.fragments) {
      if (!used.count(frag.name)) {
        Report("Fragment \"" + frag.name + "\" is never used.", {frag.loc});
      }
    }
  }

  const Schema& schema_;
  const ast::Document& doc_;
  std::vector<ValidationError> errors_;
  std::map<std::string, size_t> fragment_by_name_;
  std::map<std::string, size_t> operation_names_;
  std::map<std::string, size_t> fragment_names_;
  std::vector<std::vector<ValidationError>> cycle_errors_;
  std::vector<int> fragment_depth_;
  std::vector<std::vector<VariableUsage>> op_usages_;
  std::vector<std::vector<VariableUsage>> frag_usages_;
  std::vector<VariableUsage>* current_usages_ = nullptr;
  mutable std::map<const ast::SelectionSet*, std::vector<const Sel*>>
      spreads_cache_;
  mutable std::map<const ast::SelectionSet*, std::vector<size_t>>
      referenced_cache_;
};

}  // namespace

const Field& TypenameField() {
  static const Field* const field = [] {
    auto* f = new Field;
    f->name = "__typename";
    f->type = TypeRef::NonNullOf(TypeRef::Named("String"));
    return f;
  }();
  return *field;
}

std::vector<ValidationError> Validate(const Schema& schema,
                                      const ast::Document& doc) {
  return Validator(schema, doc).Run();
}

}  // namespace podform::graphql
