// Values against a definition: the checks (with ThingsDB's messages) for a
// Type's property and the items of its restricted lists and sets, a field's
// default value, and the assign hook through which every such value passes.
#include <cmath>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/model/datetime.h"
#include "core/model/regex.h"
#include "core/model/task.h"
#include "core/model/restrict.h"
#include "core/model/room.h"
#include "core/model/thing.h"
#include "core/schema/types.h"
#include "core/schema/types_internal.h"

namespace tdb {

namespace {

enum class CR {
    Ok,
    Type,
    Utf8,
    UInt,
    PInt,
    NInt,
    IRange,
    FRange,
    FNan,
    SRange,
    Pattern,
    Email,
    Url,
    Tel
};

CR check_kind(SK k, bool nillable, uint32_t ref, const Spec* cond, const Value& v) {
    if (v.is_nil()) return nillable || k == SK::Any || k == SK::AnyEnum ? CR::Ok : CR::Type;
    switch (k) {
        case SK::Any:
            return CR::Ok;
        case SK::Thing:
            return v.is(VT::Thing) ? CR::Ok : CR::Type;
        case SK::Raw:
            return v.is(VT::Str) || v.is(VT::Bytes) ? CR::Ok : CR::Type;
        case SK::Str:
            return v.is(VT::Str) ? CR::Ok : CR::Type;
        case SK::Utf8:
            if (!v.is(VT::Str)) return CR::Type;
            return valid_utf8(v.as_str()) ? CR::Ok : CR::Utf8;
        case SK::Bytes:
            return v.is(VT::Bytes) ? CR::Ok : CR::Type;
        case SK::Bool:
            return v.is(VT::Bool) ? CR::Ok : CR::Type;
        case SK::Int:
            return v.is(VT::Int) ? CR::Ok : CR::Type;
        case SK::UInt:
            return !v.is(VT::Int) ? CR::Type : v.as_int() >= 0 ? CR::Ok : CR::UInt;
        case SK::PInt:
            return !v.is(VT::Int) ? CR::Type : v.as_int() > 0 ? CR::Ok : CR::PInt;
        case SK::NInt:
            return !v.is(VT::Int) ? CR::Type : v.as_int() < 0 ? CR::Ok : CR::NInt;
        case SK::Float:
            return v.is(VT::Float) ? CR::Ok : CR::Type;
        case SK::Number:
            return v.is(VT::Float) || v.is(VT::Int) ? CR::Ok : CR::Type;
        case SK::Datetime:
            return v.is(VT::Datetime) ? CR::Ok : CR::Type;
        case SK::Timeval:
            return v.is(VT::Timeval) ? CR::Ok : CR::Type;
        case SK::Regex:
            return v.is(VT::Regex) ? CR::Ok : CR::Type;
        case SK::Closure:
            return v.is(VT::Closure) ? CR::Ok : CR::Type;
        case SK::Task:
            return v.is(VT::Task) ? CR::Ok : CR::Type;
        case SK::Error:
            return v.is(VT::Error) ? CR::Ok : CR::Type;
        case SK::Room:
            return v.is(VT::Room) ? CR::Ok : CR::Type;
        case SK::Arr:
            return v.is(VT::List) ? CR::Ok : CR::Type;
        case SK::Set:
            return v.is(VT::Set) ? CR::Ok : CR::Type;
        case SK::Type:
            return v.is(VT::Thing) && v.thing()->type() == ref ? CR::Ok : CR::Type;
        case SK::Enum:
            return v.is(VT::EnumMember) && v.member()->enum_id == ref ? CR::Ok : CR::Type;
        case SK::IntRange:
            if (!v.is(VT::Int)) return CR::Type;
            return v.as_int() >= cond->imin && v.as_int() <= cond->imax ? CR::Ok : CR::IRange;
        case SK::FloatRange:
            if (!v.is(VT::Float)) return CR::Type;
            if (std::isnan(v.as_float())) return CR::FNan;
            return v.as_float() >= cond->fmin && v.as_float() <= cond->fmax ? CR::Ok : CR::FRange;
        case SK::StrRange: {
            if (!v.is(VT::Str)) return CR::Type;
            int64_t n = static_cast<int64_t>(v.as_str().size());
            return n >= cond->imin && n <= cond->imax ? CR::Ok : CR::SRange;
        }
        case SK::Pattern:
            if (!v.is(VT::Str)) return CR::Type;
            return regex_test(cond->regex.regex(), v.as_str()) ? CR::Ok : CR::Pattern;
        case SK::Email:
        case SK::Url:
        case SK::Tel: {
            if (!v.is(VT::Str)) return CR::Type;
            if (spec_text_ok(k, v.as_str())) return CR::Ok;
            return k == SK::Email ? CR::Email : k == SK::Url ? CR::Url : CR::Tel;
        }
        case SK::AnyEnum:
            return v.is(VT::EnumMember) ? CR::Ok : CR::Type;
    }
    return CR::Type;
}

std::string range_num(int64_t v) { return std::to_string(v); }

[[noreturn]] void field_err(CR r, const TypeDef& t, const Field& f, const Value& v) {
    const char* tn = t.name.c_str();
    const char* fn = f.name.c_str();
    const Spec& sp = f.spec;
    switch (r) {
        case CR::Utf8:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` only accepts valid UTF8 data",
                   tn, fn);
        case CR::UInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` only accepts integer values greater than "
                   "or equal to 0",
                   tn, fn);
        case CR::PInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` only accepts positive integer values", tn,
                   fn);
        case CR::NInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` only accepts negative integer values", tn,
                   fn);
        case CR::IRange:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an integer value between %s and "
                   "%s (both "
                   "inclusive)",
                   tn, fn, range_num(sp.imin).c_str(), range_num(sp.imax).c_str());
        case CR::FRange:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires a float value between %f and %f "
                   "(both inclusive)",
                   tn, fn, sp.fmin, sp.fmax);
        case CR::FNan:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires a float value between %f and %f "
                   "but got nan (not "
                   "a number)",
                   tn, fn, sp.fmin, sp.fmax);
        case CR::SRange:
            if (sp.imin == sp.imax)
                raisef(
                    VALUE_ERR,
                    "mismatch in type `%s`; property `%s` requires a string with a length of %lld",
                    tn, fn, static_cast<long long>(sp.imin));
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires a string with a length between "
                   "%lld and %lld "
                   "(both inclusive)",
                   tn, fn, static_cast<long long>(sp.imin), static_cast<long long>(sp.imax));
        case CR::Pattern: {
            const RegexObj* re = sp.regex.regex();
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` has a requirement to match pattern /%s/%s",
                   tn, fn, re->pattern.c_str(), re->flags.c_str());
        }
        case CR::Email:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` only accepts an email address",
                   tn, fn);
        case CR::Url:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` only accepts a URL", tn, fn);
        case CR::Tel:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` only accepts a telephone number", tn, fn);
        default:
            raisef(TYPE_ERR,
                   "mismatch in type `%s`; type `%s` is invalid for property `%s` with definition "
                   "`%s`",
                   tn, type_name(v), fn, f.raw.c_str());
    }
}

[[noreturn]] void item_err(CR r, const TypeDef& t, const Field& f) {
    const char* tn = t.name.c_str();
    const char* fn = f.name.c_str();
    switch (r) {
        case CR::Utf8:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with UTF8 string values",
                   tn, fn);
        case CR::UInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with integer values "
                   "greater than or "
                   "equal to 0",
                   tn, fn);
        case CR::PInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with positive integer "
                   "values",
                   tn, fn);
        case CR::NInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with negative integer "
                   "values",
                   tn, fn);
        default:
            raisef(TYPE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with items that matches "
                   "definition `%s`",
                   tn, fn, f.raw.c_str());
    }
}

CR check_item(const Spec& sp, const Value& v) {
    return check_kind(sp.nkind, sp.nnillable, sp.nref, nullptr, v);
}

}  // namespace

bool spec_text_ok(SK k, const std::string& s) {
    if (s.empty()) return false;
    if (k == SK::Email) return restriction_pattern_ok('e', s);
    if (k == SK::Url) return restriction_pattern_ok('u', s);
    // a telephone number: digits, optionally grouped by spaces, dots, dashes
    // or parentheses, after an optional leading `+`
    bool digit = false;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c >= '0' && c <= '9')
            digit = true;
        else if (!(c == ' ' || c == '.' || c == '-' || c == '(' || c == ')' ||
                   (c == '+' && i == 0)))
            return false;
    }
    return digit;
}

void Catalog::check_field(const TypeDef& t, const Field& f, Value& v) {
    const Spec& sp = f.spec;
    if ((sp.kind == SK::Any || f.migrating) && v.is(VT::Future))
        raisef(TYPE_ERR,
               "mismatch in type `%s`; property `%s` allows `any` type with the exception of the "
               "`future` and `module` type",
               t.name.c_str(), f.name.c_str());
    if (f.migrating) return;
    CR r = check_kind(sp.kind, sp.nillable, sp.ref, &sp, v);
    if (r != CR::Ok) field_err(r, t, f, v);
    if (sp.restrict && v.is(VT::Thing) && v.thing()->type() == kNoType &&
        v.thing()->restriction != sp.restrict) {
        for (const Prop& p : v.thing()->props())
            if (!restriction_allows(sp.restrict, p.val))
                raisef(TYPE_ERR,
                       "mismatch in type `%s`; property `%s` requires a thing with values that "
                       "matches definition `%s`",
                       t.name.c_str(), f.name.c_str(), f.raw.c_str());
        Thing* th = v.thing();
        th->restriction = sp.restrict;
        if (th->id && th->coll) th->coll->mark_dirty(th);
    }
    if (sp.kind == SK::Arr && v.is(VT::List) && sp.nkind != SK::Any) {
        for (const Value& item : v.list()->items()) {
            CR ir = check_item(sp, item);
            if (ir != CR::Ok) item_err(ir, t, f);
        }
    } else if (sp.kind == SK::Set && v.is(VT::Set) && sp.nkind == SK::Type) {
        for (auto& th : v.set()->items) {
            if (th->type() != sp.nref)
                raisef(TYPE_ERR,
                       "mismatch in type `%s`; property `%s` has definition `%s` but got a set "
                       "with type `%s` "
                       "instead",
                       t.name.c_str(), f.name.c_str(), f.raw.c_str(),
                       type_name(make_thing(th.get())));
        }
    }
}

bool field_maps(const Field& f, const Value& v) {
    const Spec& sp = f.spec;
    if ((sp.flags & kFlagSkipFalse) && !truthy(v)) return false;
    if (v.is_nil()) return !(sp.flags & kFlagSkipNil) && (sp.nillable || sp.kind == SK::Any);
    if (v.is(VT::EnumMember) && !f.ano) {
        // a member shows as its name ('*') or its value, unless an enum is asked for
        if (sp.kind == SK::AnyEnum || sp.kind == SK::Enum)
            return check_kind(sp.kind, sp.nillable, sp.ref, &sp, v) == CR::Ok;
        Value shown = (sp.flags & kFlagName) ? Value::str(v.member()->name) : v.member()->val;
        return sp.kind == SK::Any || check_kind(sp.kind, sp.nillable, sp.ref, &sp, shown) == CR::Ok;
    }
    if (f.ano) return sp.kind == SK::Arr ? v.is(VT::List) : v.is(VT::Thing) || v.is(VT::Wrap);
    switch (sp.kind) {
        case SK::Type:
        case SK::Thing:
            return v.is(VT::Thing) || v.is(VT::Wrap);
        case SK::Arr:
            // a set shows as a list when its things can be items
            return v.is(VT::List) ||
                   (v.is(VT::Set) &&
                    (sp.nkind == SK::Any || sp.nkind == SK::Thing || sp.nkind == SK::Type));
        case SK::Set:
            return v.is(VT::Set);
        default:
            return check_kind(sp.kind, sp.nillable, sp.ref, &sp, v) == CR::Ok;
    }
}

namespace {

Catalog* catalog_now() {
    Catalog* c = Catalog::current();
    if (!c && Query::current()) c = &Catalog::of(*Query::current());
    return c;
}

bool is_utf8_range(const Field& f) {
    return f.spec.kind == SK::StrRange && f.raw.find("utf8<") != std::string::npos;
}

// The kind an enum's members have ('int', 'float', 'str', 'bytes', 'thing').
SK enum_value_kind(uint32_t enum_id) {
    Catalog* c = catalog_now();
    EnumDef* e = c ? c->enum_(enum_id) : nullptr;
    if (!e || e->members.empty()) return SK::Any;
    const Value& v = e->members[0]->val;
    if (v.is(VT::Int)) return SK::Int;
    if (v.is(VT::Float)) return SK::Float;
    if (v.is(VT::Str)) return SK::Str;
    if (v.is(VT::Bytes)) return SK::Bytes;
    return SK::Thing;
}

bool kind_in(SK k, std::initializer_list<SK> ks) {
    for (SK x : ks)
        if (x == k) return true;
    return false;
}

// The items of list/set definition f can be items of list definition t.
bool nested_maps(const Field& t, const Field& f) {
    const Spec &ts = t.spec, &fs = f.spec;
    if (ts.nkind == SK::Any && !ts.nnillable) return true;
    if (!ts.nnillable && fs.nnillable) return false;
    if (ts.nkind == SK::Enum) return fs.nkind == SK::Enum && fs.nref == ts.nref;
    SK fk = fs.nkind == SK::Enum ? enum_value_kind(fs.nref) : fs.nkind;
    if (ts.nkind == fk && (fk != SK::Type || fs.nref == ts.nref)) return true;
    switch (ts.nkind) {
        case SK::Any:
            return true;
        case SK::Thing:
            return fk == SK::Type || fs.kind == SK::Set;
        case SK::Raw:
            return kind_in(fk, {SK::Str, SK::Utf8, SK::Bytes, SK::Email, SK::Url, SK::Tel});
        case SK::Int:
            return kind_in(fk, {SK::UInt, SK::PInt, SK::NInt});
        case SK::UInt:
            return fk == SK::PInt;
        case SK::Number:
            return kind_in(fk, {SK::Int, SK::UInt, SK::PInt, SK::NInt, SK::Float});
        case SK::Str:
            return kind_in(fk, {SK::Utf8, SK::Email, SK::Url, SK::Tel});
        case SK::Type:
            return fk == SK::Type || fk == SK::Thing || fs.kind == SK::Set;
        default:
            return false;
    }
}

}  // namespace

bool field_maps_field(const Field& t, const Field& f) {
    const Spec &ts = t.spec, &fs = f.spec;
    if (ts.kind == SK::Any) return true;
    if (!ts.nillable && fs.nillable) return false;
    if (ts.kind == SK::Enum) return fs.kind == SK::Enum && fs.ref == ts.ref;
    if (ts.kind == SK::AnyEnum) return fs.kind == SK::Enum || fs.kind == SK::AnyEnum;
    // '*' shows a member by its name: then an enum field holds strings.
    SK fk = fs.kind != SK::Enum           ? fs.kind
            : (ts.flags & kFlagName) != 0 ? SK::Str
                                          : enum_value_kind(fs.ref);
    switch (ts.kind) {
        case SK::Any:
            return true;
        case SK::Thing:
        case SK::Type:
            return fk == SK::Thing || fk == SK::Type;
        case SK::Raw:
            return kind_in(fk, {SK::Raw, SK::Str, SK::Utf8, SK::Bytes, SK::Email, SK::Url, SK::Tel,
                                SK::Pattern, SK::StrRange});
        case SK::Str:
            return kind_in(
                fk, {SK::Str, SK::Utf8, SK::Email, SK::Url, SK::Tel, SK::Pattern, SK::StrRange});
        case SK::Utf8:
            return fk == SK::Utf8 || is_utf8_range(f);
        case SK::Int:
            return kind_in(fk, {SK::Int, SK::UInt, SK::PInt, SK::NInt, SK::IntRange});
        case SK::UInt:
            return fk == SK::UInt || fk == SK::PInt || (fk == SK::IntRange && fs.imin >= 0);
        case SK::PInt:
            return fk == SK::PInt || (fk == SK::IntRange && fs.imin > 0);
        case SK::NInt:
            return fk == SK::NInt || (fk == SK::IntRange && fs.imax < 0);
        case SK::Float:
            return fk == SK::Float || fk == SK::FloatRange;
        case SK::Number:
            return kind_in(fk, {SK::Number, SK::Float, SK::Int, SK::UInt, SK::PInt, SK::NInt,
                                SK::IntRange, SK::FloatRange});
        case SK::Arr:
            return (fk == SK::Arr || fk == SK::Set) && nested_maps(t, f);
        case SK::Set:
            return fk == SK::Set;
        case SK::Pattern: {
            if (fk != SK::Pattern || !ts.regex.is(VT::Regex) || !fs.regex.is(VT::Regex))
                return false;
            const RegexObj* a = ts.regex.regex();
            const RegexObj* b = fs.regex.regex();
            return a->pattern == b->pattern && a->flags == b->flags;
        }
        case SK::IntRange:
            return fk == SK::IntRange && fs.imin >= ts.imin && fs.imax <= ts.imax;
        case SK::FloatRange:
            return fk == SK::FloatRange && fs.fmin >= ts.fmin && fs.fmax <= ts.fmax;
        case SK::StrRange:
            if (is_utf8_range(t) && !is_utf8_range(f)) return false;
            return fk == SK::StrRange && fs.imin >= ts.imin && fs.imax <= ts.imax;
        default:
            return fk == ts.kind;
    }
}

bool field_shows(const Field& f, Thing* t, const Value& v) {
    if (t && t->type_id != kNoType && !f.ano) {
        Catalog* c = catalog_now();
        TypeDef* from = c ? c->type(t->type_id) : nullptr;
        Field* ff = from ? from->field(f.name) : nullptr;
        if (ff) {
            const Spec& sp = f.spec;
            if ((sp.flags & kFlagSkipFalse) && !truthy(v)) return false;
            if ((sp.flags & kFlagSkipNil) && v.is_nil()) return false;
            return field_maps_field(f, *ff);
        }
    }
    return field_maps(f, v);
}

Value Catalog::default_value(const TypeDef& t, const Field& f) {
    const Spec& sp = f.spec;
    if (f.migrating) return Value();  // `any` meanwhile
    if (sp.has_dval) return sp.dval;
    if (sp.has_member) {
        EnumDef* e = enum_(sp.ref);
        EnumMemberObj* m = e ? e->member_by_mid(sp.dmid) : nullptr;
        if (m) return Value::obj(VT::EnumMember, m);
    }
    if (sp.restrict && !sp.nillable) {
        Value th = new_thing();
        th.thing()->restriction = sp.restrict;
        return th;
    }
    switch (sp.kind) {
        case SK::IntRange:
        case SK::FloatRange:
        case SK::StrRange:
        case SK::Pattern:
            return sp.dval;
        default:
            break;
    }
    if (sp.nillable) return Value();
    switch (sp.kind) {
        case SK::Any:
            return Value();
        case SK::Thing:
            return new_thing();
        case SK::Raw:
        case SK::Str:
        case SK::Utf8:
        case SK::Email:
        case SK::Url:
        case SK::Tel:
            return Value::str("");
        case SK::Bytes:
            return Value::bytes("");
        case SK::Bool:
            return Value::boolean(false);
        case SK::Int:
        case SK::UInt:
        case SK::Number:
            return Value::integer(0);
        case SK::PInt:
            return Value::integer(1);
        case SK::NInt:
            return Value::integer(-1);
        case SK::Float:
            return Value::number(0.0);
        case SK::Regex:
            return make_regex(".*", "");
        case SK::Closure:
            return closure_from_source("||nil");
        case SK::Task:
            return empty_task();  // ThingsDB's nil task
        case SK::Error:
            return make_error(-100, "custom error");
        case SK::Room:
            return new_room();
        case SK::Arr:
            return make_list();
        case SK::Set:
            return Value::obj(VT::Set, new SetObj());
        case SK::Type: {
            TypeDef* dep = type(sp.ref);
            if (!dep) return Value();
            return new_instance(*dep);
        }
        case SK::Enum: {
            EnumDef* e = enum_(sp.ref);
            if (!e || e->members.empty()) return Value();
            return Value::obj(VT::EnumMember, e->members[0].get());
        }
        case SK::Datetime:
        case SK::Timeval:
            // As ThingsDB: the current time (the transaction's, here).
            return make_datetime(static_cast<int64_t>(q.storage().now()), 0, tz_utc(),
                                 sp.kind == SK::Timeval);
        default:
            (void)t;
            return Value();
    }
}

void relation_needs_id(const TypeDef& t, const Field& f, const Thing* owner, const Value& v) {
    if (owner->id || f.rel.empty()) return;
    bool links = v.is(VT::Thing) || (v.is(VT::Set) && !v.set()->items.empty());
    if (links)
        raisef(TYPE_ERR,
               "mismatch in type `%s` on property `%s`; relations must be created using a "
               "property on a stored thing (a thing with an Id)",
               t.name.c_str(), f.name.c_str());
}

void check_set_item(Query& q, Thing* owner, const std::string& key, const Value& v) {
    if (!owner || owner->type() == kNoType || !q.collection()) return;
    TypeDef* t = Catalog::of(q).type(owner->type_id);
    Field* f = t ? t->field(key) : nullptr;
    if (!f || f->migrating) return;
    const Spec& sp = f->spec;
    if (sp.kind == SK::Set && sp.nkind == SK::Type &&
        (!v.is(VT::Thing) || v.thing()->type() != sp.nref))
        raisef(TYPE_ERR, "type `%s` is not allowed in restricted set", type_name(v));
    if (!f->rel.empty() && !owner->id)
        raise(TYPE_ERR,
              "relations must be created using a property on a stored thing (a thing with an Id)");
}

void hook_assign(Query& q, Value& v, Thing* owner, const std::string& key, Query::Into into) {
    Catalog& cat = Catalog::of(q);
    TypeDef* t = cat.type(owner->type_id);
    if (!t) return;
    Field* f = t->field(key);
    if (into == Query::Into::Prop) {
        if (!f) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", t->name.c_str(), key.c_str());
        cat.check_field(*t, *f, v);
        if (!f->rel.empty()) {
            relation_needs_id(*t, *f, owner, v);
            relation_on_prop(q, cat, owner, *f, v);
        }
        return;
    }
    if (!f || f->migrating) return;
    const Spec& sp = f->spec;
    if (into == Query::Into::List && sp.kind == SK::Arr && sp.nkind != SK::Any) {
        CR r = check_item(sp, v);
        if (r == CR::Type)
            raisef(TYPE_ERR, "type `%s` is not allowed in restricted array", type_name(v));
        if (r != CR::Ok) item_err(r, *t, *f);
    } else if (into == Query::Into::Set && sp.kind == SK::Set && sp.nkind == SK::Type) {
        if (!v.is(VT::Thing) || v.thing()->type() != sp.nref)
            raisef(TYPE_ERR, "type `%s` is not allowed in restricted set", type_name(v));
        if (!f->rel.empty() && !owner->id)
            raise(TYPE_ERR,
                  "relations must be created using a property on a stored thing (a thing with "
                  "an Id)");
        if (!f->rel.empty()) relation_on_set_add(q, cat, owner, *f, v.thing());
    }
}

}  // namespace tdb
