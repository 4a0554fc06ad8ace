// The tasks of mod_type(name, task, ...), one function each (fn/mod_type.cpp);
// f_mod_type in fn/types.cpp checks the first two arguments and picks one.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>

#include "core/fn/fn.h"
#include "core/schema/types.h"

namespace tdb {

// What a task works on. A task looks the type up again by id after each
// argument it evaluates: code in an argument may change the catalog. Its
// Args carry the task's name and page ("mod_type` with task `add").
struct ModType {
    Query& q;
    Catalog& c;
    Args& a;
    const std::string& name;  // the type's name as given
    uint32_t tid;
    const std::string& prop;  // argument 3 of add, del, mod, ren and rel: a valid name
};

Value mod_type_add(ModType& ctx);  // add a field or method (with an initial value)
Value mod_type_del(ModType& ctx);  // delete a field or method
Value mod_type_ren(ModType& ctx);  // rename a field or method
Value mod_type_mod(ModType& ctx);  // a new definition (with a migration) or closure
Value mod_type_wpo(ModType& ctx);  // wrap-only mode on or off
Value mod_type_hid(ModType& ctx);  // hide_id on or off
Value mod_type_all(ModType& ctx);  // call a closure on every instance
Value mod_type_idx(ModType& ctx);  // an index of the instances on or off
Value mod_type_rel(ModType& ctx);  // make or remove a relation

}  // namespace tdb
