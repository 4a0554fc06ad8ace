// Watch events: jobs in ThingsDB's mutation format (the mutation form of the
// value walk, walk.h) and the init event of a watch.
#include "core/api/events.h"

#include <cmath>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/fn.h"
#include "core/io/json_text.h"
#include "core/io/walk.h"
#include "core/lang/ast.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

// The mutation form of the value walk (walk.h).
struct MutationForm {
    JsonText out;
    Query& q;

    // JSON has no inf or nan: they are strings, as in results.
    void number(double d) {
        if (std::isnan(d) || std::isinf(d))
            out.valid_str(float_repr(d));
        else
            out.number(d);
    }
    void bytes(std::string_view s) { out.valid_str(base64_encode(s)); }
    void thing(Thing* t) {
        if (!t->stored()) {  // not placed under a stored thing (emit arguments)
            whole(t);
            return;
        }
        // ThingsDB packs a new thing completely once per change and refers to
        // it by id afterwards; a receiver has seen it by then.
        if (t->is_new && t->sent_whole_in != q.job_serial) {
            t->sent_whole_in = q.job_serial;
            whole(t);
            return;
        }
        out.begin_object();
        out.tag("#");
        out.uinteger(t->id);
        out.end_object();
    }
    // A thing with its properties: {"#": id, key: value, ...}, or for a Type
    // instance {".": type_id, "#": id, "": [values in field order]}.
    void whole(Thing* t) {
        // New things nested in one change are packed inside each other:
        // deeper than the nesting limit is an error, not a stack overflow.
        static thread_local int nesting = 0;
        NestingGuard guard(nesting);
        out.begin_object();
        if (t->type_id != kNoType) {
            out.tag(".");
            out.uinteger(t->type_id);
            if (t->id) {
                out.tag("#");
                out.uinteger(t->id);
            }
            out.tag("");
            out.begin_array();
            for (Prop& p : t->props()) walk(*this, p.val);
            out.end_array();
            out.end_object();
            return;
        }
        if (t->id) {
            out.tag("#");
            out.uinteger(t->id);
        }
        for (Prop& p : t->props()) {
            out.key(p.key);
            walk(*this, p.val);
        }
        out.end_object();
    }
    void set(const SetObj* s) {
        out.begin_object();
        out.tag("$");
        out.begin_array();
        for (auto& t : s->items) poll_tick(), thing(t.get());
        out.end_array();
        out.end_object();
    }
    void closure(const ClosureObj& c) {
        out.begin_object();
        out.tag("/");
        out.str(compact_closure(c.source));
        out.end_object();
    }
    void regex(const RegexObj& r) {
        out.begin_object();
        out.tag("*");
        out.str("/" + r.pattern + "/" + r.flags);
        out.end_object();
    }
    void error(const ErrorObj& e) {
        out.begin_object();
        out.tag("!");
        out.begin_array();
        out.str(e.msg);
        out.integer(e.code);
        out.end_array();
        out.end_object();
    }
    // The other kinds as in results, with things as references (deep 0).
    void as_result(const Value& v) { out.raw(q.to_json(v, 0)); }
    void datetime(const Value& v) { as_result(v); }
    void member(const Value& v) { as_result(v); }
    void wrap(const Value& v) { as_result(v); }
    void future(const Value& v) { as_result(v); }
    void ano(const Value& v) { as_result(v); }
    void room(const RoomObj& r) { out.str(room_client_text(r)); }
    void task(const Value& v) { as_result(v); }
};

// {"<kind>":{<key>: — the value follows in the same string (a value holding many new
// things is megabytes: it is written once, never copied into place), then keyed_end.
std::string keyed_begin(const char* kind, const std::string& key) {
    std::string out = "{\"";
    out += kind;
    out += "\":{";
    json_escape(out, key);
    out.push_back(':');
    return out;
}

void keyed_end(std::string& out) { out += "}}"; }

std::string keyed(const char* kind, const std::string& key, const std::string& value) {
    std::string out = keyed_begin(kind, key);
    out += value;
    keyed_end(out);
    return out;
}

}  // namespace

void mutation_value(Query& q, std::string& out, const Value& v) {
    MutationForm f{JsonText(out), q};
    walk(f, v);
}

bool records_jobs(const Thing* t) { return t && t->stored() && t->coll && !t->is_new; }

std::string job_set(Query& q, const std::string& key, const Value& v) {
    std::string out = keyed_begin("set", key);
    mutation_value(q, out, v);
    keyed_end(out);
    return out;
}

std::string job_del(const std::string& key) {
    std::string out = "{\"del\":";
    json_escape(out, key);
    out.push_back('}');
    return out;
}

std::string job_splice(Query& q, const std::string& key, const ListObj* l, size_t index,
                       size_t ndel, size_t nadd) {
    std::string out = keyed_begin("splice", key);
    MutationForm f{JsonText(out), q};
    f.out.begin_array();
    f.out.uinteger(index);
    f.out.uinteger(ndel);
    for (size_t i = index; i < index + nadd; ++i) walk(f, l->at(i));
    f.out.end_array();
    keyed_end(out);
    return out;
}

std::string job_add(Query& q, const std::string& key, const std::vector<Thing*>& added) {
    std::string out = keyed_begin("add", key);
    MutationForm f{JsonText(out), q};
    f.out.begin_array();
    for (Thing* t : added) f.thing(t);
    f.out.end_array();
    keyed_end(out);
    return out;
}

std::string job_remove(const std::string& key, const std::vector<Thing*>& removed) {
    std::string val = "[";
    for (size_t i = 0; i < removed.size(); ++i) {
        if (i) val.push_back(',');
        val += std::to_string(removed[i]->id);
    }
    val.push_back(']');
    return keyed("remove", key, val);
}

std::string job_event(Query& q, const std::string& event, const std::vector<Value>& args) {
    std::string out;
    MutationForm f{JsonText(out), q};
    f.out.begin_object();
    f.out.tag("event");
    f.out.begin_array();
    f.out.str(event);
    for (const Value& v : args) walk(f, v);
    f.out.end_array();
    f.out.end_object();
    return out;
}

std::string watch_init(Storage& st, std::string_view scope_text, uint64_t thing_id,
                       int64_t change_id) {
    init_core();
    Scope scope = parse_scope(scope_text);
    std::string out = "{\"event\":" + std::to_string(change_id) + ",\"thing\":";
    if (thing_id == 0) {  // the @thingsdb scope's changes (users, collections, ...)
        out += "{\"#\":0},\"collection\":null}";
        return out;
    }
    if (scope.kind != Scope::COLLECTION)
        raise(LOOKUP_ERR, "things can only be watched in a collection scope");
    Query q(st, scope);
    Collection& c = q.need_collection();
    Value v = c.thing_by_id(thing_id);
    if (!v.is(VT::Thing))
        raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %llu", c.row().name.c_str(),
               static_cast<unsigned long long>(thing_id));
    MutationForm f{JsonText(out), q};
    f.whole(v.thing());
    out += ",\"collection\":";
    json_escape(out, c.row().name);
    if (thing_id == c.id()) {
        // The collection's catalogs, as ThingsDB's init event has them: the
        // result of the built-in `<key>_info()`.
        for (const char* key : {"types", "enums", "procedures"}) {
            std::string info = std::string(key) + "_info";
            if (!find_function(info)) continue;
            out += ",";
            json_escape(out, key);
            out += ":" + q.to_json(q.run(info + "()"), 3);
        }
    }
    out.push_back('}');
    return out;
}

}  // namespace tdb
