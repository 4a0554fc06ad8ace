// Wrapped things (thing.wrap('Type'), thing.wrap(&{...})) and anonymous
// types (&{...}, ano({...})): a view of a thing through a Type's fields.
#pragma once

#include "core/api/pure.h"

#include <memory>
#include <string>

#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

class Query;
struct Node;
struct TypeDef;

// VT::Ano: an anonymous type; its definition is not in the catalog.
struct AnoObj : Obj {
    std::shared_ptr<TypeDef> def;
};

// VT::Wrap: a thing shown through a Type (type_id) or an anonymous type.
struct WrapObj : Obj {
    Ref<Thing> thing;
    uint32_t type_id = 0;
    std::shared_ptr<TypeDef> ano;  // set for an anonymous type
    // "<Type>", what type() answers: kept up with a rename of the Type (a
    // stored wrap is read back by type id, see codec.cpp).
    mutable std::string label;
};

// The thing of a thing or of a wrap; nullptr for any other value.
inline Thing* thing_or_wrapped(const Value& v) {
    if (v.is(VT::Thing)) return v.thing();
    if (v.is(VT::Wrap)) return static_cast<WrapObj*>(v.object())->thing.get();
    return nullptr;
}

// Renders a wrapped value: the id (unless hidden), the fields of the type
// that the thing has with a fitting value, and the type's methods computed.
void render_wrap(Query& q, std::string& out, const Value& v, int deep);

// Reads property `name` of a wrapped value: only the fields of the wrapping
// type are visible (all of the thing's when that type no longer exists).
// With `optional` (w?.name) a missing one is nil instead of an error.
Value wrap_prop(Query& q, const Value& w, const std::string& name, bool optional);

// A wrap of t through def; `ano` keeps an anonymous type alive.
Value make_wrap(Thing* t, TypeDef& def, std::shared_ptr<TypeDef> ano);
// An anonymous type from its definition thing: 'spec' strings, '#' for the
// id, {..} for a nested thing and [{..}] for a list of them.
std::shared_ptr<TypeDef> ano_from_thing(Query& q, const Value& defs);
// The definition a wrap shows its thing through, or nullptr when its Type
// was deleted since.
TypeDef* wrap_def(Query& q, WrapObj* w);

// wrapped.method(..): the methods of the wrapping type (a hook of
// lang/query.h, installed by init_core()).
Value hook_wrap_method(Query& q, Value& self, const Node* n, bool& handled);

}  // namespace tdb
