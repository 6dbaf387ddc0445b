#ifndef PODFORM_RECONCILER_GRAPHQL_OVERLAP_H_
#define PODFORM_RECONCILER_GRAPHQL_OVERLAP_H_

#include <functional>
#include <string>
#include <vector>

#include "reconciler/graphql/ast.h"
#include "reconciler/graphql/schema.h"
#include "reconciler/graphql/validation.h"

namespace podform::graphql {

using FragmentLookup =
    std::function<const ast::FragmentDefinition*(const std::string& name)>;

// OverlappingFieldsCanBeMerged for one operation: fields that share a
// response name must be the same field with the same arguments, and so on
// down their merged sub-selections. Appends one error per conflicting pair of
// field shapes, worded as graphql-js words it ("Fields "a" conflict because
// "id" and "name" are different fields. Use different aliases on the fields
// to fetch both if this was intentional.").
//
// REQUIRES: the selections under `root` nest at most kMaxSelectionDepth
// levels through fragments (no fragment cycles).
// Returns false (and appends nothing more) when the document is too large to
// check within a fixed amount of work.
bool FindFieldConflicts(const Schema& schema, const FragmentLookup& fragments,
                        const ast::SelectionSet& root, const TypeDef* root_type,
                        std::vector<ValidationError>* errors);

}  // namespace podform::graphql

#endif  // PODFORM_RECONCILER_GRAPHQL_OVERLAP_H_
