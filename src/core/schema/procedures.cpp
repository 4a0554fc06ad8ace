// Procedures: the per-backend cache of parsed closures, procedure_info, and
// the code-free path that runs a procedure for tdb_run and tdb_call.
#include "core/schema/procedures.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "core/api/access.h"
#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/api/engine.h"
#include "core/api/error.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/model/datetime.h"
#include "core/model/thing.h"

namespace tdb {

// ---- the cache -----------------------------------------------------------
//
// Parsed closures keyed by scope id and name. It is valid while the
// storage's procedures_epoch() stays the same: the PostgreSQL storage moves
// the epoch on a relcache invalidation of thingsdb.procedures (sent by every
// change, delivered to other sessions when the change commits, replayed here
// when it rolls back). Names that do not exist are cached too (as nullptr),
// so a call of an undefined function does not read the table every time.
// Epoch 0: the cache is neither read nor filled (the storage's reads may see
// rows older than the cache holds: a transaction snapshot).

namespace {

struct Cache {
    uint64_t epoch = 0;
    bool primed = false;
    std::unordered_map<std::string, std::shared_ptr<const Procedure>> entries;
};

Cache& cache() {
    static Cache c;
    return c;
}

uint64_t parse_count = 0;
constexpr size_t kMaxEntries = 10000;  // a runaway of unknown names empties it

std::string cache_key(uint64_t scope_id, std::string_view name) {
    std::string key = std::to_string(scope_id);
    key.push_back(':');
    key.append(name);
    return key;
}

std::shared_ptr<const Procedure> load(const ProcedureRow& row) {
    auto p = std::make_shared<Procedure>();
    p->row = row;
    p->closure = closure_from_source(row.definition);
    ++parse_count;
    p->doc = closure_doc(p->closure);
    return p;
}

}  // namespace

std::shared_ptr<const Procedure> find_procedure(Storage& st, uint64_t scope_id,
                                                std::string_view name) {
    Cache& c = cache();
    uint64_t epoch = st.procedures_epoch();
    if (epoch == 0) {
        ProcedureRow row;
        return st.find_procedure(scope_id, name, row) ? load(row) : nullptr;
    }
    if (!c.primed || epoch != c.epoch || c.entries.size() > kMaxEntries) {
        c.entries.clear();
        c.epoch = epoch;
        c.primed = true;
    }
    std::string key = cache_key(scope_id, name);
    auto it = c.entries.find(key);
    if (it != c.entries.end()) return it->second;
    ProcedureRow row;
    std::shared_ptr<const Procedure> p;
    if (st.find_procedure(scope_id, name, row)) p = load(row);
    c.entries.emplace(std::move(key), p);
    return p;
}

void forget_procedure(uint64_t scope_id, std::string_view name) {
    cache().entries.erase(cache_key(scope_id, name));
}

uint64_t procedure_parse_count() { return parse_count; }

// ---- names, docs, info ----------------------------------------------------

std::string closure_doc(const Value& closure) {
    const Node* body = closure.closure()->node->kids[0];
    if (body->kind != NK::Block || body->kids.empty()) return "";
    const Node* first = body->kids[0];
    if (first->kind == NK::Lit && first->lit.is(VT::Str)) return first->lit.as_str();
    return "";
}

Value procedure_info(const Procedure& p, bool with_definition) {
    const ClosureObj* c = p.closure.closure();
    Value out = new_thing();
    auto& props = out.thing()->props();
    props.push_back(Prop{"doc", Value::str(p.doc)});
    props.push_back(Prop{"name", Value::str(p.row.name)});
    props.push_back(Prop{"created_at", Value::integer(p.row.created_at)});
    // ThingsDB's ti_procedure_def: the formatted closure, not its text.
    if (with_definition)
        props.push_back(Prop{"definition", Value::str(format_closure(*c->prog, c->node))});
    props.push_back(Prop{"with_side_effects", Value::boolean(c->side_effects)});
    std::vector<Value> args;
    for (const std::string& a : c->params) args.push_back(Value::str(a));
    props.push_back(Prop{"arguments", make_list(std::move(args))});
    return out;
}

Value call_procedure(Query& q, const Procedure& p, const Value* args, int n) {
    Value closure = p.closure;  // keeps the closure alive should the cache flush
    // Closures made inside the body point into the procedure's program: the
    // query keeps it alive for as long as they may live.
    const auto& prog = closure.closure()->prog;
    bool known = false;
    for (const auto& kept : q.programs) known = known || kept == prog;
    if (!known) q.programs.push_back(prog);
    return q.call(closure, args, n);
}

// ---- the code-free path ---------------------------------------------------

namespace {

struct Found {
    Scope scope;
    std::shared_ptr<const Procedure> proc;
};

// The scope's procedure, else (when allowed) the @thingsdb one. The lookup
// needs the collection's id, so a Query is opened on the scope; it is
// re-opened on the @thingsdb scope when the procedure is found there.
std::unique_ptr<Query> open(Storage& st, const ProcedureRequest& req,
                            std::shared_ptr<const Procedure>& out, bool to_run = true) {
    Scope scope = parse_scope(req.scope);
    if (scope.kind == Scope::NODE)
        raise(LOOKUP_ERR, "the `@node` scope is not available; a node is the PostgreSQL server");
    if (!valid_name(req.name)) raise(VALUE_ERR, "procedure name must follow the naming rules");
    auto q = std::make_unique<Query>(st, scope);
    q->identity = req.identity;
    if (req.scope_out) *req.scope_out = std::string(req.scope);
    // Rights before the lookup: whether a procedure exists is told only to a
    // caller who may run (or read) in the scope searched.
    uint32_t need = to_run ? AUTH_RUN : AUTH_QUERY;
    // label(): the scope's label, written only for the error.
    auto denied = [&](uint64_t scope_id, auto&& label) -> std::unique_ptr<Error> {
        if (!req.identity) return nullptr;
        if ((rights(st, req.identity, scope_id) & need) == need) return nullptr;
        try {
            check_access(st, req.identity, scope_id, label(), need);
        } catch (const Error& e) {
            if (e.code() != FORBIDDEN_ERR) throw;
            return std::make_unique<Error>(e);
        }
        return nullptr;
    };
    std::unique_ptr<Error> first = denied(q->scope_id(), [&] { return q->scope_label(); });
    if (!first) out = find_procedure(st, q->scope_id(), req.name);
    if (!out && req.fallback_thingsdb && scope.kind != Scope::THINGSDB) {
        if (!denied(kThingsdbScopeId, [] { return std::string("@thingsdb"); }))
            out = find_procedure(st, 0, req.name);
        if (out) {
            if (req.scope_out) *req.scope_out = "@thingsdb";
            q.reset();
            Scope t;
            t.kind = Scope::THINGSDB;
            q = std::make_unique<Query>(st, t);
            q->identity = req.identity;
        }
    }
    if (!out && first) throw *first;
    if (!out)
        raisef(LOOKUP_ERR, "procedure `%.*s` not found", static_cast<int>(req.name.size()),
               req.name.data());
    q->read_only = std::string(req.read_only);
    if (to_run && !req.read_only.empty() && out->closure.closure()->side_effects)
        raisef(OPERATION_ERR, "procedure `%.*s` has side effects but %.*s",
               static_cast<int>(req.name.size()), req.name.data(),
               static_cast<int>(req.read_only.size()), req.read_only.data());
    if (to_run) {
        check_run_access(*q, out->closure.closure()->side_effects);
        // A procedure that cannot change data is a reader, as code that cannot (run_query):
        // it does not wait for a mod_type (Storage::set_reader). Any run that changes data
        // (its side effects, or wse() as it runs) becomes a writer first (Query::become_writer).
        q->reader_by_code = true;
        if (!out->closure.closure()->side_effects) st.set_reader(true);
    } else {
        check_access(*q, AUTH_QUERY);
    }
    return q;
}

Value arg_value(Query& q, ProcArg& a) {
    if (!a.is_json) return std::move(a.value);
    Value v = json_input_value(q, a.json);
    return v;
}

std::string finish(Query& q, const ProcedureRequest& req, const Procedure& p, const Value* args,
                   int n) {
    // ThingsDB runs a procedure with side effects as a change.
    if (p.closure.closure()->side_effects) q.set_change(true);
    Value result = call_procedure(q, p, args, n);
    q.check_things_quota();
    q.flush();
    std::string out = q.to_json(result, q.deep());
    if (req.jobs_out)
        for (Query::Job& j : q.jobs) req.jobs_out->emplace_back(j.thing_id, std::move(j.json));
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) !=
            std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// Puts a named parameter in its place; lookup_err naming it when unknown.
void place(std::vector<Value>& args, const std::vector<std::string>& params, const Procedure& p,
           const std::string& name, Value v) {
    for (size_t i = 0; i < params.size(); ++i) {
        if (iequals(params[i], name)) {
            args[i] = std::move(v);
            return;
        }
    }
    raisef(LOOKUP_ERR, "procedure `%s` has no argument `%s`", p.row.name.c_str(), name.c_str());
}

}  // namespace

std::string run_procedure(Storage& st, const ProcedureRequest& req, std::vector<ProcArg> args) {
    init_core();
    std::shared_ptr<const Procedure> p;
    std::unique_ptr<Query> q = open(st, req, p);
    const size_t n = std::min(args.size(), p->closure.closure()->params.size());
    // A few arguments stay on the stack: a vector's allocation is a part of a short call.
    constexpr size_t kFew = 6;
    Value few[kFew];
    std::vector<Value> many;
    if (n > kFew) many.resize(n);
    Value* vals = n > kFew ? many.data() : few;
    for (size_t i = 0; i < n; ++i) vals[i] = arg_value(*q, args[i]);
    return finish(*q, req, *p, vals, static_cast<int>(n));
}

std::string call_procedure_json(Storage& st, const ProcedureRequest& req,
                                std::string_view params_json) {
    init_core();
    std::shared_ptr<const Procedure> p;
    std::unique_ptr<Query> q = open(st, req, p);
    const std::vector<std::string>& params = p->closure.closure()->params;
    std::vector<Value> args(params.size());
    Value given = params_json.empty() ? Value() : json_input_value(*q, params_json, true);
    if (given.is(VT::List)) {
        const auto& items = given.list()->items();
        // [{"name": .., "value": ..}, ...] when every item is such an object.
        bool named = !items.empty();
        for (const Value& it : items) {
            named = named && it.is(VT::Thing) && it.thing()->get("name") &&
                    it.thing()->get("name")->is(VT::Str);
        }
        if (named) {
            for (const Value& it : items) {
                Value* v = it.thing()->get("value");
                place(args, params, *p, it.thing()->get("name")->as_str(), v ? *v : Value());
            }
        } else {
            for (size_t i = 0; i < items.size() && i < args.size(); ++i) args[i] = items[i];
        }
    } else if (given.is(VT::Thing)) {
        for (Prop& prop : given.thing()->props()) place(args, params, *p, prop.key, prop.val);
    } else if (!given.is_nil()) {
        raisef(TYPE_ERR,
               "expecting `params` to be a JSON array or object but got type `%s` instead",
               type_name(given));
    }
    return finish(*q, req, *p, args.data(), static_cast<int>(args.size()));
}

std::string new_procedure_from_source(Storage& st, const ProcedureRequest& req,
                                      std::string_view source) {
    init_core();
    Scope scope = parse_scope(req.scope);
    if (scope.kind == Scope::NODE)
        raise(LOOKUP_ERR, "the `@node` scope is not available; a node is the PostgreSQL server");
    Query q(st, scope);
    q.identity = req.identity;
    q.read_only = std::string(req.read_only);
    check_access(q, AUTH_QUERY);
    q.set_change(true);  // checks CHANGE
    // Trimmed: the definition is kept as the closure's text.
    size_t b = 0, e = source.size();
    while (b < e && std::isspace(static_cast<unsigned char>(source[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(source[e - 1]))) --e;
    Value closure = closure_from_source(std::string(source.substr(b, e - b)));
    Value name = add_procedure(q, std::string(req.name), closure);
    if (req.jobs_out)
        for (Query::Job& j : q.jobs) req.jobs_out->emplace_back(j.thing_id, std::move(j.json));
    if (req.scope_out) *req.scope_out = std::string(req.scope);
    return name.as_str();
}

namespace {

Value describe(const Procedure& p) {
    Value info = procedure_info(p, true);
    std::vector<Value> params;
    int pos = 0;
    for (const std::string& a : p.closure.closure()->params) {
        Value d = new_thing();
        auto& props = d.thing()->props();
        props.push_back(Prop{"name", Value::str(a)});
        props.push_back(Prop{"position", Value::integer(++pos)});
        props.push_back(Prop{"param_type", Value::str("IN")});
        props.push_back(Prop{"type", Value::str("any")});
        props.push_back(Prop{"default", Value()});
        params.push_back(d);
    }
    info.thing()->props().push_back(Prop{"params", make_list(std::move(params))});
    return info;
}

}  // namespace

std::string describe_procedure_json(Storage& st, const ProcedureRequest& req) {
    init_core();
    std::shared_ptr<const Procedure> p;
    std::unique_ptr<Query> q = open(st, req, p, false);
    return q->to_json(describe(*p), 2);
}

std::string describe_procedures_json(Storage& st, std::string_view scope_text,
                                     const Identity* identity) {
    init_core();
    Scope scope = parse_scope(scope_text);
    if (scope.kind == Scope::NODE)
        raise(LOOKUP_ERR, "the `@node` scope is not available; a node is the PostgreSQL server");
    Query q(st, scope);
    q.identity = identity;
    check_access(q, AUTH_QUERY);
    std::vector<Value> out;
    for (const ProcedureRow& row : st.procedures(q.scope_id())) {
        std::shared_ptr<const Procedure> p = find_procedure(st, row.scope_id, row.name);
        if (p) out.push_back(describe(*p));
    }
    return q.to_json(make_list(std::move(out)), 3);
}

Value utc_datetime(int64_t ts) { return make_datetime(ts, 0, tz_utc()); }

}  // namespace tdb
