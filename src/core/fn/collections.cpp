// Collection management in the @thingsdb scope: new, del, rename, has, info.
#include <cinttypes>
#include <string>
#include <vector>

#include "core/api/codec.h"
#include "core/api/engine.h"
#include "core/api/access.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/api/storage.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

namespace {

void check_new_name(Storage& st, const std::string& name) {
    if (!valid_name(name)) raise(VALUE_ERR, "collection name must follow the naming rules");
    CollectionRow existing;
    if (st.find_collection(name, existing))
        raisef(LOOKUP_ERR, "collection `%s` already exists", name.c_str());
}

// A collection given by name or by id (ThingsDB's ti_collections_get_by_val).
// Returns false when it does not exist and `missing` is set to the message.
bool lookup(Storage& st, const Value& v, CollectionRow& out, std::string& missing) {
    if (v.is(VT::Str)) {
        if (st.find_collection(v.as_str(), out)) return true;
        missing = fmt("collection `%s` not found", v.as_str().c_str());
        return false;
    }
    if (v.is(VT::Int)) {
        uint64_t id = static_cast<uint64_t>(v.as_int());
        if (st.find_collection_by_id(id, out)) return true;
        missing = fmt("`collection:%" PRIu64 "` not found", id);
        return false;
    }
    raisef(TYPE_ERR, "expecting type `str` or `int` as collection but got type `%s` instead",
           type_name(v));
}

CollectionRow need(Storage& st, const Value& v) {
    CollectionRow row;
    std::string missing;
    if (!lookup(st, v, row, missing)) raise(LOOKUP_ERR, missing);
    return row;
}

// collection_info(): the keys and order of ThingsDB v1; next_free_id is the
// id the next new thing gets (one sequence numbers the things of all
// collections here).
Value info(Storage& st, const CollectionRow& row) {
    Value out = new_thing();
    auto& p = out.thing()->props();
    p.push_back(Prop{"collection_id", Value::integer(static_cast<int64_t>(row.id))});
    p.push_back(Prop{"name", Value::str(row.name)});
    p.push_back(Prop{"created_at", Value::integer(row.created_at)});
    p.push_back(Prop{"things", Value::integer(st.count_things(row.id))});
    p.push_back(Prop{"time_zone", Value::str(row.time_zone)});
    p.push_back(Prop{"default_deep", Value::integer(row.default_deep)});
    p.push_back(Prop{"next_free_id", Value::integer(static_cast<int64_t>(st.next_free_id()))});
    return out;
}

}  // namespace

Value fn_new_collection(Query& q, Value*, Args& a) {
    a.exactly(1);
    std::string name = a.str_arg(0);
    check_new_name(q.storage(), name);
    CollectionRow row = q.storage().create_collection(name);
    grant_new_collection(q, row.id);  // its creator gets FULL, as in ThingsDB
    std::string job = "{\"new_collection\":{\"name\":";
    json_escape(job, row.name);
    job += ",\"root\":" + std::to_string(row.id) +
           ",\"created_at\":" + std::to_string(row.created_at) + "}}";
    q.add_job(0, std::move(job));  // @thingsdb changes go on thing 0
    return Value::integer(static_cast<int64_t>(row.id));
}

Value fn_del_collection(Query& q, Value*, Args& a) {
    a.exactly(1);
    CollectionRow row = need(q.storage(), a.eval(0));
    q.storage().delete_collection(row.id);
    q.add_job(0, "{\"del_collection\":" + std::to_string(row.id) + "}");
    return Value::nil();
}

Value fn_rename_collection(Query& q, Value*, Args& a) {
    a.exactly(2);
    CollectionRow row = need(q.storage(), a.eval(0));
    std::string name = a.str_arg(1);
    check_new_name(q.storage(), name);
    q.storage().rename_collection(row.id, name);
    std::string job = "{\"rename_collection\":{\"id\":" + std::to_string(row.id) + ",\"name\":";
    json_escape(job, name);
    q.add_job(0, job + "}}");
    return Value::nil();
}

Value fn_has_collection(Query& q, Value*, Args& a) {
    a.exactly(1);
    CollectionRow row;
    std::string missing;
    return Value::boolean(lookup(q.storage(), a.eval(0), row, missing));
}

Value fn_collection_info(Query& q, Value*, Args& a) {
    a.exactly(1);
    return info(q.storage(), need(q.storage(), a.eval(0)));
}

Value fn_collections_info(Query& q, Value*, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    for (const CollectionRow& row : q.storage().collections()) {
        q.poll();
        out.push_back(info(q.storage(), row));
    }
    return make_list(std::move(out));
}

// set_default_deep(scope, deep): the default render depth of a collection's
// queries. The scope is a scope text ('@:stuff') or, as ThingsDB falls back
// to, a collection name or id.
Value fn_set_default_deep(Query& q, Value*, Args& a) {
    a.exactly(2);
    Value target = a.eval(0);
    CollectionRow row;
    bool found = false;
    if (target.is(VT::Str)) {
        const std::string& s = target.as_str();
        if (!s.empty() && (s[0] == '@' || s[0] == '/')) {
            Scope sc = parse_scope(s);
            if (sc.kind != Scope::COLLECTION)
                raisef(OPERATION_ERR,
                       "the default deep of the `%s` scope is always 1 here; "
                       "only collections have a default deep",
                       sc.kind == Scope::NODE ? "@node" : "@thingsdb");
            row = need(q.storage(), sc.name.empty() ? Value::integer(static_cast<int64_t>(sc.id))
                                                    : Value::str(sc.name));
            found = true;
        }
    }
    if (!found) {
        if (!target.is(VT::Str) && !target.is(VT::Int))
            raisef(TYPE_ERR, "expecting a scope to be of type `str` but got type `%s` instead",
                   type_name(target));
        row = need(q.storage(), target);
    }
    Value d = a.eval(1);
    if (!d.is(VT::Int))
        raisef(TYPE_ERR, "expecting `deep` to be of type `int` but got type `%s` instead",
               type_name(d));
    if (d.as_int() < 0 || d.as_int() > 127)
        raisef(VALUE_ERR, "expecting a `deep` value between 0 and 127 but got %lld instead",
               static_cast<long long>(d.as_int()));
    q.storage().set_collection_default_deep(row.id, static_cast<int>(d.as_int()));
    q.add_job(0, "{\"set_default_deep\":{\"scope_id\":" + std::to_string(row.id) +
                     ",\"deep\":" + std::to_string(d.as_int()) + "}}");
    return Value::nil();
}

}  // namespace tdb
