// Running a procedure from outside the language (tdb_run, tdb_call) and
// describing procedures; the procedures themselves: schema/procedures.h.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/api/storage.h"
#include "core/model/value.h"

namespace tdb {

struct Identity;  // access.h

// ---- the code-free path of tdb_run / tdb_call ------------------------------

// One argument given from outside: a value, or JSON text that is loaded in
// the query (so objects become things).
struct ProcArg {
    Value value;
    std::string json;
    bool is_json = false;
};

struct ProcedureRequest {
    std::string_view scope;         // where to look first
    bool fallback_thingsdb = true;  // then in @thingsdb
    std::string_view name;
    const Identity* identity = nullptr;  // nullptr: no access checks
    // Receives the watch-event jobs of a successful run (see QueryRequest).
    std::vector<std::pair<uint64_t, std::string>>* jobs_out = nullptr;
    // Receives the scope the procedure was found in ("@thingsdb" after the
    // fallback, else `scope` as given).
    std::string* scope_out = nullptr;
    // Non-empty: a read-only run (tdb_call_ro, a hot standby): a procedure
    // with side effects is refused with this reason (Query::read_only).
    std::string_view read_only;
};

// tdb_new_procedure: new_procedure with the closure given as source text, in
// req.scope (no fallback). Returns the name.
std::string new_procedure_from_source(Storage& st, const ProcedureRequest& req,
                                      std::string_view source);

// Runs a procedure with positional arguments (missing ones nil, extra ones
// ignored); a procedure with side effects runs as a change. The caller needs
// RUN on the scope the procedure is found in (and CHANGE for one with side
// effects), as a ThingsDB run request. Returns the
// result as JSON text; throws Error (lookup_err when there is no such
// procedure).
std::string run_procedure(Storage& st, const ProcedureRequest& req, std::vector<ProcArg> args);
// The same with the arguments in an array of n (their values are moved out).
std::string run_procedure(Storage& st, const ProcedureRequest& req, ProcArg* args, size_t n);

// Runs a procedure with parameters as JSON: an array (positional), an object
// (by argument name) or an array of {"name": .., "value": ..} objects. Names
// match the closure's arguments case-insensitively; an unknown name is a
// lookup_err that names it.
std::string call_procedure_json(Storage& st, const ProcedureRequest& req,
                                std::string_view params_json);

// Discovery, in DreamFactory's style: procedure_info plus "params", one
// {"name", "position", "param_type", "type", "default"} per argument
// (position from 1, param_type "IN", type "any", default null). With a name:
// that procedure's object (looked up as run_procedure does); without: an
// array of every procedure of the scope, by name.
std::string describe_procedure_json(Storage& st, const ProcedureRequest& req);
std::string describe_procedures_json(Storage& st, std::string_view scope,
                                     const Identity* identity = nullptr);

// A datetime argument: seconds since the epoch, in UTC.
Value utc_datetime(int64_t ts);

}  // namespace tdb
