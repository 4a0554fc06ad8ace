// Procedures: named closures of a scope and the per-backend cache of their
// parsed closures.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/api/procedures.h"
#include "core/api/storage.h"
#include "core/model/value.h"

namespace tdb {

class Query;

// A procedure with its closure parsed once per backend.
struct Procedure {
    ProcedureRow row;
    Value closure;    // a stored ClosureObj
    std::string doc;  // the first statement of a block body, when a string
};

// The procedure of a scope, from the cache or read and parsed once; nullptr
// when there is none. Shared: a running procedure outlives a cache flush.
std::shared_ptr<const Procedure> find_procedure(Storage& st, uint64_t scope_id,
                                                std::string_view name);
// Drops what the cache knows of one name (after this session changed it).
void forget_procedure(uint64_t scope_id, std::string_view name);
// How many closures the cache parsed so far (for tests: a warm run parses none).
uint64_t procedure_parse_count();

// The doc string of a closure: its body's first statement when that is a
// string literal and the body is a block, else "".
std::string closure_doc(const Value& closure);

// procedure_info(): doc, name, created_at, definition, with_side_effects,
// arguments (ThingsDB's key order).
Value procedure_info(const Procedure& p, bool with_definition);

// Calls the procedure in the query as a call by name or run() does: the
// query must already be a change when the closure has side effects.
Value call_procedure(Query& q, const Procedure& p, const Value* args, int n);

// new_procedure(name, closure) in the query (the checks and messages of
// ThingsDB, the row, the cache and the event job); returns the name.
Value add_procedure(Query& q, const std::string& name, const Value& closure);

}  // namespace tdb
