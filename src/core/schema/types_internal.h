// Between the files of schema/ only: how a change of a relation field reaches
// the other side (relations.cpp), for the assign hook and new instances.
#pragma once

#include "core/api/pure.h"

#include "core/schema/types.h"

namespace tdb {

// a.f is about to become v: the things a.f lets go of and gains follow.
void relation_on_prop(Query& q, Catalog& c, Thing* a, const Field& f, const Value& v);
// `added` joins the set in owner's field f (a set with a relation).
void relation_on_set_add(Query& q, Catalog& c, Thing* owner, const Field& f, Thing* added);
// The other side follows what a.f holds now (a new instance, a new relation).
void relation_follow(Query& q, Catalog& c, Thing* a, const Field& f);

}  // namespace tdb
