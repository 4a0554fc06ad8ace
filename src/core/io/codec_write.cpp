// Values into the stored form of properties (encode_props): plain JSON where
// JSON can say it, tagged objects elsewhere. One writer, the stored form of
// the value walk (walk.h), for both outputs: JSON text and PropsEncoder events.
#include <cmath>
#include <type_traits>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/io/json_text.h"
#include "core/io/walk.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/chunked_list.h"
#include "core/model/datetime.h"
#include "core/model/lazy_list.h"
#include "core/model/regex.h"
#include "core/model/task.h"
#include "core/model/thing.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {

[[noreturn]] void not_utf8() {
    raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
}

// The calls of JsonText (json_text.h) as PropsEncoder events. Strings are
// checked before the first event of their value, so a failing value sends
// no event at all.
struct EncoderOut {
    PropsEncoder& e;

    void begin_object() { e.begin_object(); }
    void end_object() { e.end_object(); }
    void begin_array() { e.begin_array(); }
    void end_array() { e.end_array(); }
    void key(std::string_view k) {
        check(k);
        e.key(k);
    }
    void tag(const char* k) { e.key(k); }
    void null() { e.null(); }
    void boolean(bool b) { e.boolean(b); }
    void integer(int64_t i) { e.integer(i); }
    void uinteger(uint64_t i) { e.integer(static_cast<int64_t>(i)); }
    void number(double d) { e.number(d, float_repr(d)); }
    void str(std::string_view s) {
        check(s);
        e.string(s);
    }
    void valid_str(std::string_view s) { e.string(s); }
    void check(std::string_view s) {
        if (!valid_utf8(s)) not_utf8();
    }
};

// The tagged objects: {"!f": "inf"} floats JSON cannot hold, {"!b": base64}
// bytes, {"#": id} things, {"!s": [ids]} sets, {"!c": source} closures,
// {"!r": "/pattern/flags"} regexes, {"!e": [code, msg]} errors, {"!d": [ts,
// offset, zone or null]} datetimes ("!t" timevals), {"!m": [enum_id, member
// id]} enum members. refs collects the ids of the things referenced.
template <class Out>
struct StoredForm {
    Out out;
    std::vector<uint64_t>* refs;

    void tagged_str(const char* tag, std::string_view s) {
        out.begin_object();
        out.tag(tag);
        out.valid_str(s);
        out.end_object();
    }
    void number(double d) {
        if (std::isnan(d) || std::isinf(d))
            tagged_str("!f", float_repr(d));
        else
            out.number(d);
    }
    void bytes(std::string_view s) { tagged_str("!b", base64_encode(s)); }
    void thing(Thing* t) {
        out.begin_object();
        out.tag("#");
        out.uinteger(t->id);
        out.end_object();
        if (refs) refs->push_back(t->id);
    }
    void set(const SetObj* s) {
        out.begin_object();
        out.tag("!s");
        out.begin_array();
        for (auto& t : s->items) {
            poll_tick();
            out.uinteger(t->id);
            if (refs) refs->push_back(t->id);
        }
        out.end_array();
        out.end_object();
    }
    void closure(const ClosureObj& c) {
        out.check(c.source);
        tagged_str("!c", c.source);
    }
    void regex(const RegexObj& r) {
        std::string text = "/" + r.pattern + "/" + r.flags;
        out.check(text);
        tagged_str("!r", text);
    }
    void member(const Value& v) {
        out.begin_object();
        out.tag("!m");
        out.begin_array();
        out.uinteger(v.member()->enum_id);
        out.uinteger(v.member()->mid);
        out.end_array();
        out.end_object();
    }
    void error(const ErrorObj& e) {
        out.check(e.msg);
        out.begin_object();
        out.tag("!e");
        out.begin_array();
        out.integer(e.code);
        out.valid_str(e.msg);
        out.end_array();
        out.end_object();
    }
    void datetime(const Value& v) {
        const DatetimeObj* d = v.datetime();
        if (d->tz) out.check(d->tz->name);
        out.begin_object();
        out.tag(v.is(VT::Timeval) ? "!t" : "!d");
        out.begin_array();
        out.integer(d->ts);
        out.integer(d->offset);
        if (d->tz)
            out.valid_str(d->tz->name);
        else
            out.null();
        out.end_array();
        out.end_object();
    }
    // Anonymous types and futures never reach a stored thing, nor does a
    // wrap through an anonymous type.
    [[noreturn]] void cannot_store(const Value& v) {
        raisef(TYPE_ERR, "cannot store type `%s`", type_name(v));
    }
    // A wrap through a Type is {"!w": [type_id, {"#": id}]} (ThingsDB keeps
    // wraps too): its thing is stored with it (Collection::attach_walk).
    void wrap(const Value& v) {
        const auto* w = static_cast<const WrapObj*>(v.object());
        if (w->ano || !w->thing->id) cannot_store(v);
        out.begin_object();
        out.tag("!w");
        out.begin_array();
        out.uinteger(w->type_id);
        thing(w->thing.get());
        out.end_array();
        out.end_object();
    }
    void future(const Value& v) { cannot_store(v); }
    void ano(const Value& v) { cannot_store(v); }
    // A stored room is {"!o": id}, counted in the room's row (kRoomRef); a room reaches a
    // stored thing only through Query::assignable, which gives it its id.
    void room(const RoomObj& r) {
        out.begin_object();
        out.tag("!o");
        out.uinteger(r.id);
        out.end_object();
        if (refs && r.id) refs->push_back(r.id | kRoomRef);
    }
    // A task as its id: the row in thingsdb.tasks is the task ({"!k": id}).
    void task(const Value& v) {
        out.begin_object();
        out.tag("!k");
        out.uinteger(v.task()->id);
        out.end_object();
    }
};

// The properties object, with a restriction (restrict.h) first under the
// reserved key "!".
// A list kept in chunks: its directory {"!L": [{"#": chunk}, count, ...]} (chunked_list.h).
void write_chunk_dir(EncoderOut& out, const std::vector<uint64_t>& ids,
                     const std::vector<uint32_t>& counts) {
    out.begin_object();
    out.tag("!L");
    out.begin_array();
    for (size_t i = 0; i < ids.size(); ++i) {
        poll_tick();
        out.begin_object();
        out.tag("#");
        out.uinteger(ids[i]);
        out.end_object();
        out.uinteger(counts[i]);
    }
    out.end_array();
    out.end_object();
}

template <class Out>
void write_props(StoredForm<Out>& f, const Thing* t,
                 std::vector<std::shared_ptr<const ListSource>>* kept = nullptr,
                 const ChunkPlan* plan = nullptr) {
    Out& out = f.out;
    out.begin_object();
    if (t->restriction && t->type_id == kNoType && restriction_encode_hook) {
        std::string r = restriction_encode_hook(t->restriction);
        if (!r.empty()) {
            out.check(r);
            out.tag("!");
            out.valid_str(r);
        }
    }
    for (const Prop& p : t->props_) {
        out.key(p.key);
        if constexpr (std::is_same_v<Out, EncoderOut>) {
            const ListSource* src = p.val.is(VT::List) ? intact_source(p.val.list()) : nullptr;
            // A chunked list still as stored keeps its chunks (and the count they hold).
            if (const ChunkedList* c = kept ? as_chunked(src) : nullptr) {
                write_chunk_dir(out, c->chunk_ids(), c->counts());
                kept->push_back(p.val.list()->lazy->src);
                continue;
            }
            // A list cut into chunks for this write: the parent references its chunks.
            if (const ChunkPlan::Entry* e =
                    plan && p.val.is(VT::List) ? plan->find(p.val.list()) : nullptr) {
                write_chunk_dir(out, e->ids, e->counts);
                if (e->keeps_source && kept)
                    kept->push_back(p.val.list()->lazy->src);
                else if (f.refs)
                    f.refs->insert(f.refs->end(), e->ids.begin(), e->ids.end());
                continue;
            }
            if (kept && src && out.e.copy_list(*src)) {
                kept->push_back(p.val.list()->lazy->src);
                continue;
            }
        }
        walk(f, p.val);
    }
    out.end_object();
}

}  // namespace

std::string encode_props(const Thing* t, std::vector<uint64_t>* refs) {
    std::string text;
    StoredForm<JsonText> f{JsonText(text), refs};
    write_props(f, t);
    return text;
}

void encode_props(const Thing* t, std::vector<uint64_t>* refs, PropsEncoder& enc,
                  std::vector<std::shared_ptr<const ListSource>>* kept, const ChunkPlan* plan) {
    StoredForm<EncoderOut> f{EncoderOut{enc}, refs};
    write_props(f, t, kept, plan);
}

}  // namespace tdb
