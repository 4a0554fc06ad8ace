// Value restrictions (thing.restrict(), fn/thing.cpp): a thing that only takes
// values of one definition, as ThingsDB's value restriction. The restriction
// is kept with the thing (Thing::restriction) and stored with its properties
// under the reserved key "!" (codec.h); every later assignment is checked.
#include "core/model/restrict.h"

#include <cinttypes>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/lang/query.h"
#include "core/model/thing.h"
#include "core/schema/types.h"

namespace tdb {

namespace {

constexpr uint64_t kNillable = 1u << 8;

RK kind_of(uint64_t r) { return static_cast<RK>(r & 0xff); }
uint32_t id_of(uint64_t r) { return static_cast<uint32_t>(r >> 32); }
uint64_t pack(RK k, bool nillable, uint32_t id) {
    return static_cast<uint64_t>(k) | (nillable ? kNillable : 0) |
           (static_cast<uint64_t>(id) << 32);
}

// The names ThingsDB's definitions use for the built-in kinds (its field
// map): a list is `[]` and a set `{}` here, as in ThingsDB.
struct Builtin {
    const char* name;
    RK kind;
};
constexpr Builtin kBuiltins[] = {
    {"thing", RK::Thing},     {"raw", RK::Raw},       {"str", RK::Str},
    {"utf8", RK::Utf8},       {"bytes", RK::Bytes},   {"int", RK::Int},
    {"uint", RK::UInt},       {"pint", RK::PInt},     {"nint", RK::NInt},
    {"float", RK::Float},     {"number", RK::Number}, {"bool", RK::Bool},
    {"[]", RK::Arr},          {"{}", RK::Set},        {"datetime", RK::Datetime},
    {"timeval", RK::Timeval}, {"regex", RK::Regex},   {"closure", RK::Closure},
    {"error", RK::Error},     {"room", RK::Room},     {"task", RK::Task},
    {"email", RK::Email},     {"url", RK::Url},       {"tel", RK::Tel},
};

const char* builtin_name(RK k) {
    for (const Builtin& b : kBuiltins)
        if (b.kind == k) return b.name;
    return nullptr;
}

bool builtin_kind(std::string_view s, RK& k) {
    for (const Builtin& b : kBuiltins)
        if (s == b.name) {
            k = b.kind;
            return true;
        }
    return false;
}

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c > 127) return false;
    return true;
}

Catalog* catalog(Query& q) { return q.collection() ? &Catalog::of(q) : nullptr; }

}  // namespace

// ThingsDB's ti_spec_from_raw for thing.restrict(): a built-in name (a `?`
// after it is dropped, as ThingsDB does), a Type or an enum (`?` allows nil),
// no conditions.
uint64_t parse_restriction(Query& q, const std::string& raw) {
    std::string_view s = raw;
    bool nillable = false;
    if (s.empty()) raise(VALUE_ERR, "restriction must not be empty");
    if (s.back() == '?') {
        nillable = true;
        s.remove_suffix(1);
        if (s.empty()) raise(VALUE_ERR, "restriction must not be empty");
    }
    if (s.front() == '/') raise(VALUE_ERR, "restriction must not contain a pattern condition");
    if (s.back() == '>') raise(VALUE_ERR, "restriction must not contain a range condition");
    if (s == "any") return 0;
    RK k;
    if (builtin_kind(s, k)) return pack(k, false, 0);
    if (Catalog* c = catalog(q)) {
        if (TypeDef* t = c->type(s)) return pack(RK::Type, nillable, t->id);
        if (EnumDef* e = c->enum_(s)) return pack(RK::Enum, nillable, e->id);
    }
    if (!is_ascii(s)) raise(VALUE_ERR, "restriction must only contain valid ASCII characters");
    raisef(VALUE_ERR, "failed to set restriction; unknown type `%.*s`", static_cast<int>(s.size()),
           s.data());
}

// ThingsDB's ti_val_is_spec.
bool restriction_allows(uint64_t r, const Value& v) {
    RK k = kind_of(r);
    if (k == RK::None) return true;
    if ((r & kNillable) && v.is_nil()) return true;
    switch (k) {
        case RK::None:
            return true;
        case RK::Thing:
            return v.is(VT::Thing);
        case RK::Raw:
            return v.is(VT::Str) || v.is(VT::Bytes);
        case RK::Str:
            return v.is(VT::Str);
        case RK::Utf8:
            return v.is(VT::Str) && valid_utf8(v.as_str());
        case RK::Bytes:
            return v.is(VT::Bytes);
        case RK::Int:
            return v.is(VT::Int);
        case RK::UInt:
            return v.is(VT::Int) && v.as_int() >= 0;
        case RK::PInt:
            return v.is(VT::Int) && v.as_int() > 0;
        case RK::NInt:
            return v.is(VT::Int) && v.as_int() < 0;
        case RK::Float:
            return v.is(VT::Float);
        case RK::Number:
            return v.is(VT::Int) || v.is(VT::Float);
        case RK::Bool:
            return v.is(VT::Bool);
        case RK::Arr:
            return v.is(VT::List);
        case RK::Set:
            return v.is(VT::Set);
        case RK::Datetime:
            return v.is(VT::Datetime);
        case RK::Timeval:
            return v.is(VT::Timeval);
        case RK::Regex:
            return v.is(VT::Regex);
        case RK::Closure:
            return v.is(VT::Closure);
        case RK::Error:
            return v.is(VT::Error);
        case RK::Room:
            return v.is(VT::Room);
        case RK::Task:
            return v.is(VT::Task);
        case RK::Email:
            return v.is(VT::Str) && restriction_pattern_ok('e', v.as_str());
        case RK::Url:
            return v.is(VT::Str) && restriction_pattern_ok('u', v.as_str());
        case RK::Tel:
            return v.is(VT::Str) && restriction_pattern_ok('t', v.as_str());
        case RK::Type:
            return v.is(VT::Thing) && v.thing()->type() == id_of(r);
        case RK::Enum:
            return v.is(VT::EnumMember) && v.member()->enum_id == id_of(r);
    }
    return false;
}

// A Type or enum restriction whose Type or enum is gone counts as none (as
// ThingsDB drops it with the type).
uint64_t live_restriction(Query& q, uint64_t r) {
    RK k = kind_of(r);
    if (k != RK::Type && k != RK::Enum) return r;
    Catalog* c = catalog(q);
    if (!c) return r;
    bool exists = k == RK::Type ? c->type(id_of(r)) != nullptr : c->enum_(id_of(r)) != nullptr;
    return exists ? r : 0;
}

// restriction(): the definition as ThingsDB's ti_spec_raw writes it.
Value restriction_value(Query& q, uint64_t r) {
    r = live_restriction(q, r);
    if (!r) return Value::nil();
    RK k = kind_of(r);
    std::string name;
    if (k == RK::Type || k == RK::Enum) {
        Catalog& c = Catalog::of(q);
        name = k == RK::Type ? c.type(id_of(r))->name : c.enum_(id_of(r))->name;
        if (r & kNillable) name.push_back('?');
    } else {
        name = builtin_name(k);
    }
    return Value::str(name);
}

// ---- stored form: a built-in name, or ":t<type_id>@<created_at>" / ":e..."
// (and "?"), so a restriction to a deleted Type or enum does not pass to a
// later one that gets the same id.

static int64_t created_at(Query& q, RK k, uint32_t id) {
    Catalog& c = Catalog::of(q);
    if (k == RK::Type) {
        TypeDef* t = c.type(id);
        return t ? t->created_at : -1;
    }
    EnumDef* e = c.enum_(id);
    return e ? e->created_at : -1;
}

std::string encode_restriction(uint64_t r) {
    RK k = kind_of(r);
    if (k != RK::Type && k != RK::Enum) {
        const char* n = builtin_name(k);
        return n ? n : "";
    }
    Query* q = Query::current();
    int64_t at = q && q->collection() ? created_at(*q, k, id_of(r)) : 0;
    if (at < 0) return "";  // the Type or enum is gone: no restriction
    std::string out = k == RK::Type ? ":t" : ":e";
    out += std::to_string(id_of(r)) + "@" + std::to_string(at);
    if (r & kNillable) out.push_back('?');
    return out;
}

uint64_t decode_restriction(const std::string& s) {
    RK k;
    if (builtin_kind(s, k)) return pack(k, false, 0);
    if (s.size() < 4 || s[0] != ':' || (s[1] != 't' && s[1] != 'e')) return 0;
    k = s[1] == 't' ? RK::Type : RK::Enum;
    char* end = nullptr;
    unsigned long long id = std::strtoull(s.c_str() + 2, &end, 10);
    if (*end != '@') return 0;
    long long at = std::strtoll(end + 1, &end, 10);
    bool nillable = *end == '?';
    Query* q = Query::current();
    if (q && q->collection() && created_at(*q, k, static_cast<uint32_t>(id)) != at) return 0;
    return pack(k, nillable, static_cast<uint32_t>(id));
}

// list.restriction() / set.restriction(): the item definition of the Type
// field that holds the list or set ('[int]' gives "int"), else nil.
Value container_restriction(Query& q, const Owner& owner, SK container) {
    Thing* t = owner.thing;
    if (!t || !q.collection() || t->type() == kNoType) return Value::nil();
    Catalog& c = Catalog::of(q);
    TypeDef* td = c.type(t->type());
    Field* f = td ? td->field(owner.key) : nullptr;
    if (!f || f->migrating || f->spec.kind != container || f->spec.nkind == SK::Any)
        return Value::nil();
    std::string name;
    if (f->spec.nkind == SK::Type) {
        TypeDef* nt = c.type(f->spec.nref);
        if (!nt) return Value::nil();
        name = nt->name;
    } else if (f->spec.nkind == SK::Enum) {
        EnumDef* ne = c.enum_(f->spec.nref);
        if (!ne) return Value::nil();
        name = ne->name;
    } else {
        name = spec_kind_name(f->spec.nkind);
    }
    if (f->spec.nnillable) name.push_back('?');
    return Value::str(name);
}

void check_restriction(Query& q, const Thing* t, const Value& v) {
    if (!t->restriction || t->type_id != kNoType) return;
    if (restriction_allows(t->restriction, v)) return;
    if (!live_restriction(q, t->restriction)) return;
    raise(TYPE_ERR, "restriction mismatch");
}

}  // namespace tdb
