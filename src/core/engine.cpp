// run_query: scope resolution, variables from JSON, the run and its result.
#include "engine.h"

#include "access.h"
#include "codec.h"
#include "error.h"
#include "query.h"
#include "thing.h"

namespace tdb {

Scope parse_scope(std::string_view s) {
    Scope sc;
    auto rest = [&](std::string_view prefix) -> bool {
        if (s.substr(0, prefix.size()) != prefix) return false;
        sc.name = std::string(s.substr(prefix.size()));
        return true;
    };
    if (s == "@thingsdb" || s == "@t" || s == "//thingsdb" || s == "@" + std::string("thingsdb")) {
        sc.kind = Scope::THINGSDB;
        return sc;
    }
    if (s == "@node" || s == "@n" || s.substr(0, 6) == "@node:" || s.substr(0, 3) == "@n:") {
        sc.kind = Scope::NODE;
        return sc;
    }
    sc.kind = Scope::COLLECTION;
    if (rest("@collection:") || rest("@:") || rest("//")) {
        if (!sc.name.empty()) return sc;
    }
    raisef(VALUE_ERR, "invalid scope; scopes must start with `@thingsdb`, `@node` or `@collection:`; got `%.*s`",
           static_cast<int>(s.size()), s.data());
}

std::string run_query(Storage& st, const QueryRequest& req) {
    Scope scope = parse_scope(req.scope);
    if (scope.kind == Scope::NODE)
        raise(LOOKUP_ERR, "the `@node` scope is not available; a node is the PostgreSQL server");
    Query q(st, scope);
    // QUERY before anything else (as ThingsDB); CHANGE once the code turns
    // out to be a change (Query::set_change).
    q.identity = req.identity;
    q.read_only = std::string(req.read_only);
    check_access(q, AUTH_QUERY);
    if (!req.vars_json.empty()) {
        Value vars = json_load_value(q, req.vars_json);
        if (!vars.is(VT::Thing)) raise(TYPE_ERR, "expecting `vars` to be a JSON object");
        for (Prop& p : vars.thing()->props()) {
            Value v = p.val;
            if (v.is(VT::List)) v.list()->tuple = false;
            q.bind(p.key, std::move(v));
        }
    }
    Value result = q.run(req.code);
    std::string out = q.to_json(result, q.deep());
    if (req.jobs_out)
        for (Query::Job& j : q.jobs) req.jobs_out->emplace_back(j.thing_id, std::move(j.json));
    return out;
}

}  // namespace tdb
