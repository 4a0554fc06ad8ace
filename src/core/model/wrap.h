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
struct TypeDef;

// VT::Ano: an anonymous type; its definition is not in the catalog.
struct AnoObj : Obj {
    std::shared_ptr<TypeDef> def;
};

// VT::Wrap: a thing shown through a Type (type_id) or an anonymous type.
struct WrapObj : Obj {
    Ref<Thing> thing;
    uint32_t type_id = 0;
    std::shared_ptr<TypeDef> ano;   // set for an anonymous type
    std::string label;              // "<Type>", what type() answers
};

// Renders a wrapped value: the id (unless hidden), the fields of the type
// that the thing has with a fitting value, and the type's methods computed.
void render_wrap(Query& q, std::string& out, const Value& v, int deep);

// Reads property `name` of a wrapped value: only the fields of the wrapping
// type are visible (all of the thing's when that type no longer exists).
// With `optional` (w?.name) a missing one is nil instead of an error.
Value wrap_prop(Query& q, const Value& w, const std::string& name, bool optional);

void register_wrap_functions();   // called from register_type_functions()

}  // namespace tdb
