#include "reconciler/graphql/overlap.h"

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <utility>

#include "reconciler/graphql/messages.h"

namespace podform::graphql {
namespace {

using Sel = ast::Selection;

// Field occurrences visited before giving up on a hostile document.
constexpr long kWorkBudget = 2000000;

class ConflictFinder {
 public:
  ConflictFinder(const Schema& schema, const FragmentLookup& fragments,
                 std::vector<ValidationError>* errors)
      : schema_(schema), fragments_(fragments), errors_(errors) {}

  bool Run(const ast::SelectionSet& root, const TypeDef* root_type) {
    CheckLevel({Source{&root, root_type, nullptr}});
    return budget_ >= 0;
  }

 private:
  // The chain of field nodes above an occurrence, innermost first.
  struct Ancestor {
    const Sel* node;
    const Ancestor* up;
  };
  struct Occurrence {
    const Sel* node;
    const Field* def;  // null when the field is unknown
    const Ancestor* up;
  };
  struct Source {
    const ast::SelectionSet* set;
    const TypeDef* parent;  // null when unknown
    const Ancestor* up;
  };
  using Groups = std::vector<std::pair<std::string, std::vector<Occurrence>>>;

  const TypeDef* Composite(const std::string& name) const {
    const TypeDef* t = schema_.FindType(name);
    return t != nullptr && t->IsComposite() ? t : nullptr;
  }

  void Collect(const ast::SelectionSet& set, const TypeDef* parent,
               const Ancestor* up, std::set<std::string>* visited,
               Groups* groups, std::map<std::string, size_t>* index) {
    for (const Sel& sel : set.selections) {
      if (--budget_ < 0) return;
      switch (sel.kind) {
        case Sel::Kind::kField: {
          const Field* def = nullptr;
          if (parent != nullptr) {
            def = sel.name == "__typename" ? &TypenameField()
                                           : parent->FindField(sel.name);
          }
          const std::string& key = sel.ResponseKey();
          auto [it, inserted] = index->emplace(key, groups->size());
          if (inserted) groups->emplace_back(key, std::vector<Occurrence>{});
          (*groups)[it->second].second.push_back({&sel, def, up});
          break;
        }
        case Sel::Kind::kFragmentSpread: {
          if (!visited->insert(sel.name).second) break;
          const ast::FragmentDefinition* frag = fragments_(sel.name);
          if (frag == nullptr) break;
          Collect(frag->selection_set, Composite(frag->type_condition), up,
                  visited, groups, index);
          break;
        }
        case Sel::Kind::kInlineFragment:
          Collect(*sel.selection_set,
                  sel.type_condition.empty() ? parent
                                             : Composite(sel.type_condition),
                  up, visited, groups, index);
          break;
      }
    }
  }

  // Field name plus arguments, order-insensitive: equal shapes merge.
  static std::string ShapeKey(const Sel& node) {
    std::vector<std::string> args;
    for (const ast::Argument& arg : node.arguments) {
      args.push_back(arg.name + ":" + PrintValue(arg.value));
    }
    std::sort(args.begin(), args.end());
    std::string key = node.name + "(";
    for (const std::string& a : args) key += a + "\n";
    return key;
  }

  void Report(const Occurrence& a, const Occurrence& b) {
    std::vector<const Sel*> chain_a{a.node}, chain_b{b.node};
    for (const Ancestor* p = a.up; p; p = p->up) chain_a.push_back(p->node);
    for (const Ancestor* p = b.up; p; p = p->up) chain_b.push_back(p->node);
    std::reverse(chain_a.begin(), chain_a.end());
    std::reverse(chain_b.begin(), chain_b.end());
    size_t k = 0;
    while (k + 1 < chain_a.size() && k + 1 < chain_b.size() &&
           chain_a[k] == chain_b[k]) {
      ++k;
    }
    std::string reason;
    if (a.node->name != b.node->name) {
      reason = "\"" + a.node->name + "\" and \"" + b.node->name +
               "\" are different fields";
    } else {
      reason = "they have differing arguments";
    }
    ValidationError error;
    error.message =
        "Fields \"" + chain_a[k]->ResponseKey() + "\" conflict because ";
    for (size_t i = k + 1; i < chain_a.size(); ++i) {
      error.message +=
          "subfields \"" + chain_a[i]->ResponseKey() + "\" conflict because ";
    }
    error.message += reason +
                     ". Use different aliases on the fields to fetch both if "
                     "this was intentional.";
    for (size_t i = k; i < chain_a.size(); ++i) {
      error.locations.push_back(chain_a[i]->loc);
    }
    for (size_t i = k; i < chain_b.size(); ++i) {
      error.locations.push_back(chain_b[i]->loc);
    }
    errors_->push_back(std::move(error));
  }

  void CheckLevel(const std::vector<Source>& sources) {
    Groups groups;
    std::map<std::string, size_t> index;
    std::set<std::string> visited;
    for (const Source& s : sources) {
      Collect(*s.set, s.parent, s.up, &visited, &groups, &index);
    }
    if (budget_ < 0) return;
    for (const auto& [key, occurrences] : groups) {
      // Partition the occurrences into shapes, in order of appearance.
      std::vector<std::pair<std::string, std::vector<const Occurrence*>>>
          shapes;
      std::map<std::string, size_t> shape_index;
      for (const Occurrence& occ : occurrences) {
        std::string shape = ShapeKey(*occ.node);
        auto [it, inserted] = shape_index.emplace(shape, shapes.size());
        if (inserted) {
          shapes.emplace_back(std::move(shape),
                              std::vector<const Occurrence*>{&occ});
        } else {
          shapes[it->second].second.push_back(&occ);
        }
      }
      for (size_t i = 1; i < shapes.size(); ++i) {
        if (errors_->size() > kMaxValidationErrors) break;
        Report(*shapes[0].second[0], *shapes[i].second[0]);
      }
      for (const auto& [shape, members] : shapes) {
        std::vector<Source> subs;
        std::vector<const Sel*> memo_key;
        for (const Occurrence* occ : members) {
          if (occ->def == nullptr || occ->node->selection_set == nullptr) {
            continue;
          }
          const TypeDef* type = Composite(occ->def->type.NamedType());
          if (type == nullptr) continue;
          ancestors_.push_back(Ancestor{occ->node, occ->up});
          subs.push_back(
              {occ->node->selection_set.get(), type, &ancestors_.back()});
          memo_key.push_back(occ->node);
        }
        if (subs.empty()) continue;
        std::sort(memo_key.begin(), memo_key.end());
        if (!checked_.insert(std::move(memo_key)).second) continue;
        CheckLevel(subs);
        if (budget_ < 0) return;
      }
    }
  }

  const Schema& schema_;
  const FragmentLookup& fragments_;
  std::vector<ValidationError>* errors_;
  std::deque<Ancestor> ancestors_;
  std::set<std::vector<const Sel*>> checked_;
  long budget_ = kWorkBudget;
};

}  // namespace

bool FindFieldConflicts(const Schema& schema, const FragmentLookup& fragments,
                        const ast::SelectionSet& root, const TypeDef* root_type,
                        std::vector<ValidationError>* errors) {
  return ConflictFinder(schema, fragments, errors).Run(root, root_type);
}

}  // namespace podform::graphql
