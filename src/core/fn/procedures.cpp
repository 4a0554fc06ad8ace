// The procedures API (new_procedure, mod_procedure, del_procedure,
// rename_procedure, has_procedure, procedure_doc, procedure_info,
// procedures_info, run) and calling a procedure by name (call_by_name).
#include <string>
#include <vector>

#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/names.h"
#include "core/schema/procedures.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

namespace {

// ThingsDB's ti_raw_err_not_found: an invalid name is a value_err, a valid
// one that is not there a lookup_err.
[[noreturn]] void not_found(const std::string& name) {
    if (!valid_name(name)) raise(VALUE_ERR, "procedure name must follow the naming rules");
    raisef(LOOKUP_ERR, "procedure `%s` not found", name.c_str());
}

std::shared_ptr<const Procedure> need(Query& q, const std::string& name) {
    auto p = find_procedure(q.storage(), q.scope_id(), name);
    if (!p) not_found(name);
    return p;
}

// The definition kept for a closure given in the query: its source as written.
std::string definition_of(const Value& closure) { return closure.closure()->source; }

// A closure must not depend on the query it was written in: it is parsed
// again from its source, as ThingsDB's ti_closure_unbound does.
Value unbound(const Value& closure) { return closure_from_source(definition_of(closure)); }

// Events: procedure changes are jobs of the collection's root thing, or of
// thing 0 in the @thingsdb scope (see events.h).
void job(Query& q, const std::string& json) {
    q.add_job(q.collection() ? q.collection()->id() : 0, json);
}

std::string quoted(const std::string& s) {
    std::string out;
    json_escape(out, s);
    return out;
}

std::string procedure_job(const char* kind, const ProcedureRow& row) {
    return std::string("{\"") + kind + "\":{\"name\":" + quoted(row.name) +
           ",\"created_at\":" + std::to_string(row.created_at) +
           ",\"closure\":{\"/\":" + quoted(compact_closure(row.definition)) + "}}}";
}

}  // namespace

Value fn_new_procedure(Query& q, Value*, Args& a) {
    a.exactly(2);
    std::string name = a.str_arg(0);
    if (!valid_name(name)) raise(VALUE_ERR, "procedure name must follow the naming rules");
    return add_procedure(q, name, a.closure_arg(1));
}

Value fn_mod_procedure(Query& q, Value*, Args& a) {
    a.exactly(2);
    std::string name = a.str_arg(0);
    ProcedureRow row = need(q, name)->row;
    Value closure = a.closure_arg(1);
    unbound(closure);
    row.definition = definition_of(closure);
    row.created_at = static_cast<int64_t>(q.storage().now());
    q.storage().update_procedure(row);
    forget_procedure(row.scope_id, name);
    job(q, procedure_job("mod_procedure", row));
    return Value::nil();
}

Value fn_del_procedure(Query& q, Value*, Args& a) {
    a.exactly(1);
    std::string name = a.str_arg(0);
    need(q, name);
    q.storage().delete_procedure(q.scope_id(), name);
    forget_procedure(q.scope_id(), name);
    job(q, "{\"del_procedure\":" + quoted(name) + "}");
    return Value::nil();
}

Value fn_rename_procedure(Query& q, Value*, Args& a) {
    a.exactly(2);
    std::string name = a.str_arg(0);
    need(q, name);
    std::string new_name = a.str_arg(1);
    if (!valid_name(new_name)) raise(VALUE_ERR, "procedure name must follow the naming rules");
    if (find_procedure(q.storage(), q.scope_id(), new_name))
        raisef(LOOKUP_ERR, "procedure `%s` already exists", new_name.c_str());
    q.storage().rename_procedure(q.scope_id(), name, new_name);
    forget_procedure(q.scope_id(), name);
    forget_procedure(q.scope_id(), new_name);
    job(q,
        "{\"rename_procedure\":{\"old\":" + quoted(name) + ",\"name\":" + quoted(new_name) + "}}");
    return Value::nil();
}

Value fn_has_procedure(Query& q, Value*, Args& a) {
    a.exactly(1);
    std::string name = a.str_arg(0);
    return Value::boolean(find_procedure(q.storage(), q.scope_id(), name) != nullptr);
}

Value fn_procedure_doc(Query& q, Value*, Args& a) {
    a.exactly(1);
    return Value::str(need(q, a.str_arg(0))->doc);
}

// The definition is for callers allowed to change the scope; until access
// rights exist every caller is.
Value fn_procedure_info(Query& q, Value*, Args& a) {
    a.exactly(1);
    return procedure_info(*need(q, a.str_arg(0)), true);
}

Value fn_procedures_info(Query& q, Value*, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    for (const ProcedureRow& row : q.storage().procedures(q.scope_id())) {
        q.poll();
        auto p = find_procedure(q.storage(), row.scope_id, row.name);
        if (p) out.push_back(procedure_info(*p, true));
    }
    return make_list(std::move(out));
}

// Only as many arguments as the closure takes are evaluated (ThingsDB's
// run__procedure); missing ones are nil.
static Value call_with_args(Query& q, const Procedure& p, const Node* const* kids, int nkids) {
    int np = static_cast<int>(p.closure.closure()->params.size());
    std::vector<Value> args;
    for (int i = 0; i < nkids && i < np; ++i) {
        Value v = q.eval(kids[i]);
        if (v.is(VT::List) && v.list()->tuple) v = make_list(v.list()->items());
        args.push_back(std::move(v));
    }
    return call_procedure(q, p, args.data(), static_cast<int>(args.size()));
}

Value fn_run(Query& q, Value*, Args& a) {
    a.at_least(1);
    std::string name = a.str_arg(0);
    auto p = need(q, name);
    std::vector<const Node*> kids;
    for (int i = 1; i < a.size(); ++i) kids.push_back(a.node(i));
    return call_with_args(q, *p, kids.data(), static_cast<int>(kids.size()));
}

// `create_user('cato')`: a call that is no built-in and no variable may be a
// procedure of the scope.
Value call_by_name(Query& q, const Node* n, bool& handled) {
    auto p = find_procedure(q.storage(), q.scope_id(), interned(n->name));
    if (!p) return Value();
    handled = true;
    return call_with_args(q, *p, n->kids.data(), static_cast<int>(n->kids.size()));
}

Value add_procedure(Query& q, const std::string& name, const Value& closure) {
    if (!valid_name(name)) raise(VALUE_ERR, "procedure name must follow the naming rules");
    unbound(closure);
    Storage& st = q.storage();
    ProcedureRow row;
    if (st.find_procedure(q.scope_id(), name, row))
        raisef(LOOKUP_ERR, "procedure `%s` already exists", name.c_str());
    row.scope_id = q.scope_id();
    row.name = name;
    row.definition = definition_of(closure);
    row.created_at = static_cast<int64_t>(st.now());
    st.insert_procedure(row);
    forget_procedure(row.scope_id, name);
    job(q, procedure_job("new_procedure", row));
    return Value::str(name);
}

}  // namespace tdb
