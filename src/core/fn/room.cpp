// room(), is_room() and the room methods (id, name, set_name, emit), with ThingsDB's messages.
#include <string>

#include "core/api/codec.h"
#include "core/fn/builtins.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/model/room.h"

namespace tdb {

namespace {

// ThingsDB's render depth limit (MAX_DEEP_HINT).
constexpr int64_t kMaxDeep = 127;

[[noreturn]] void no_stored_rooms(Query& q) {
    raisef(LOOKUP_ERR,
           "scope `%s` has no stored rooms; you might want to query a `@collection` scope?",
           q.scope_label().c_str());
}

}  // namespace

// room(): a new room (an id once stored); room(id) and room(name): a stored room of the
// collection; room(room): that room.
Value fn_room(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return new_room();
    Value v = a.eval(0);
    if (v.is(VT::Room)) return v;
    if (!v.is(VT::Int) && !v.is(VT::Str))
        raisef(TYPE_ERR, "cannot convert type `%s` to `room`", type_name(v));
    Collection* c = q.collection();
    if (!c) no_stored_rooms(q);
    if (v.is(VT::Int)) {
        int64_t id = v.as_int();
        Value r = id > 0 ? c->room_by_id(static_cast<uint64_t>(id)) : Value::nil();
        if (r.is_nil())
            raisef(LOOKUP_ERR, "collection `%s` has no `room` with id %lld", c->row().name.c_str(),
                   static_cast<long long>(id));
        return r;
    }
    Value r = c->room_by_name(v.as_str());
    if (r.is_nil())
        raisef(LOOKUP_ERR, "collection `%s` has no `room` with name `%s`", c->row().name.c_str(),
               v.as_str().c_str());
    return r;
}

Value fn_is_room(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::boolean(a.eval(0).is(VT::Room));
}

Value m_room_id(Query&, Value* self, Args& a) {
    a.exactly(0);
    uint64_t id = self->room()->id;
    return id ? Value::integer(static_cast<int64_t>(id)) : Value::nil();
}

// ThingsDB names the function `rooom` in this one message; kept, as clients match on it.
Value m_room_name(Query& q, Value* self, Args& a) {
    if (a.size() != 0)
        a.fail(NUM_ARGUMENTS_ERR, "function `rooom` takes 0 arguments but %d %s given", a.size(),
               a.size() == 1 ? "was" : "were");
    Value keep = *self;
    const std::string& name = room_name(q, keep.room());
    return name.empty() ? Value::nil() : Value::str(name);
}

Value m_room_set_name(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    RoomObj* r = keep.room();
    if (!r->id)
        raise(OPERATION_ERR, "names can only be assigned to stored rooms (a room with an Id)");
    Collection& c = q.need_collection();
    Value arg = a.eval(0);
    std::string name;
    if (arg.is(VT::Str)) {
        name = arg.as_str();
        if (!valid_name(name)) raise(VALUE_ERR, "room name must follow the naming rules");
        Value prev = c.room_by_name(name);
        if (prev.is(VT::Room) && prev.room() == r) return Value::nil();
        if (!prev.is_nil()) raisef(LOOKUP_ERR, "room `%s` already exists", name.c_str());
    } else if (!arg.is_nil()) {
        a.bad_type(0, "str` or `nil", arg);
    }
    room_name(q, r);  // read before it changes
    r->name = name;
    if (!r->is_new) c.storage().set_room_name(c.id(), r->id, name);
    return Value::nil();
}

// room.emit(event, args...), room.emit(deep, event, args...) and
// room.emit(deep, flags, event, args...): the event goes to the sessions that joined the room
// when the transaction commits. A room without an id has nobody to hear it: nothing is sent.
// The flags are checked for their type and otherwise ignored, as `return`'s are here.
Value m_room_emit(Query& q, Value* self, Args& a) {
    a.at_least(1);
    Value keep = *self;
    int next = 0;
    int64_t deep = 1;
    Value v = a.eval(next++);
    if (v.is(VT::Int)) {
        if (a.size() == 1)
            raise(NUM_ARGUMENTS_ERR,
                  "function `emit` requires at least 2 arguments when `deep` is used but 1 was "
                  "given");
        deep = v.as_int();
        if (deep < 0 || deep > kMaxDeep)
            raisef(VALUE_ERR, "expecting a `deep` value between 0 and %d but got %lld instead",
                   static_cast<int>(kMaxDeep), static_cast<long long>(deep));
        v = a.eval(next++);
        if (v.is(VT::Int)) {
            if (a.size() == 2)
                raise(NUM_ARGUMENTS_ERR,
                      "function `emit` requires at least 3 arguments when `flags` is used but 2 "
                      "were given");
            v = a.eval(next++);
        }
    }
    if (!v.is(VT::Str))
        raisef(TYPE_ERR,
               "function `emit` expects the `event` argument to be of type `str` but got type "
               "`%s` instead",
               type_name(v));
    std::string json = "{\"room\":\"emit\",\"scope\":";
    json_escape(json, q.scope_label());
    json += ",\"id\":" + std::to_string(keep.room()->id) + ",\"event\":";
    json_escape(json, v.as_str());
    json += ",\"args\":[";
    for (int i = next; i < a.size(); ++i) {
        Value arg = a.eval(i);
        if (i > next) json.push_back(',');
        json += q.to_json(arg, static_cast<int>(deep));
    }
    json += "]}";
    if (keep.room()->id) add_room_event(q, keep.room()->id, std::move(json));
    return Value::nil();
}

}  // namespace tdb
