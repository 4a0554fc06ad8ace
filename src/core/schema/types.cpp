// Types and enums: the catalog of a collection, field definitions with their
// conditions and defaults, and the checks on every value a Type instance or
// a restricted list/set receives (hooked into the evaluator at start-up).
#include "core/schema/types.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <algorithm>

#include "core/lang/ast.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/lang/names.h"
#include "core/lang/ops.h"
#include "core/model/regex.h"
#include "core/model/thing.h"
#include "core/model/datetime.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {
Catalog* g_catalog = nullptr;

}  // namespace

// ---- small helpers -----------------------------------------------------------

int64_t now_seconds(Query& q) { return static_cast<int64_t>(q.storage().now()); }

std::string json_str(std::string_view s) {
    std::string out;
    json_escape(out, s);
    return out;
}

std::string job_value(Query& q, const Value& v) { return q.to_json(v, 1); }

const char* spec_kind_name(SK k) {
    switch (k) {
        case SK::Any: return "any";
        case SK::Thing: return "thing";
        case SK::Raw: return "raw";
        case SK::Str: case SK::StrRange: case SK::Pattern: return "str";
        case SK::Utf8: return "utf8";
        case SK::Bytes: return "bytes";
        case SK::Bool: return "bool";
        case SK::Int: case SK::IntRange: return "int";
        case SK::UInt: return "uint";
        case SK::PInt: return "pint";
        case SK::NInt: return "nint";
        case SK::Float: case SK::FloatRange: return "float";
        case SK::Number: return "number";
        case SK::Datetime: return "datetime";
        case SK::Timeval: return "timeval";
        case SK::Regex: return "regex";
        case SK::Closure: return "closure";
        case SK::Error: return "error";
        case SK::Arr: return "list";
        case SK::Set: return "set";
        case SK::Type: return "thing";
        case SK::Enum: return "enum";
    }
    return "any";
}

// ---- definitions ---------------------------------------------------------------

Field* TypeDef::field(std::string_view n) {
    for (Field& f : fields)
        if (f.name == n) return &f;
    return nullptr;
}

int TypeDef::field_index(std::string_view n) const {
    for (size_t i = 0; i < fields.size(); ++i)
        if (fields[i].name == n) return static_cast<int>(i);
    return -1;
}

Method* TypeDef::method(std::string_view n) {
    for (Method& m : methods)
        if (m.name == n) return &m;
    return nullptr;
}

EnumMemberObj* EnumDef::member(std::string_view n) {
    for (auto& m : members)
        if (m->name == n) return m.get();
    return nullptr;
}

EnumMemberObj* EnumDef::member_by_mid(uint32_t mid) {
    for (auto& m : members)
        if (m->mid == mid) return m.get();
    return nullptr;
}

int EnumDef::index_of(const EnumMemberObj* m) const {
    for (size_t i = 0; i < members.size(); ++i)
        if (members[i].get() == m) return static_cast<int>(i);
    return -1;
}

// ---- the catalog -----------------------------------------------------------------

Catalog::Catalog(Query& query) : q(query) {
    prev_ = g_catalog;
    g_catalog = this;
    if (Collection* c = q.collection()) coll_id = c->id();
}

Catalog::~Catalog() {
    if (g_catalog == this) g_catalog = prev_;
}

Catalog* Catalog::current() { return g_catalog; }

Catalog& Catalog::of(Query& q) {
    if (q.types_state) return *static_cast<Catalog*>(q.types_state.get());
    auto c = std::make_shared<Catalog>(q);
    q.types_state = c;   // before loading: stored enum members resolve through it
    c->load();
    return *c;
}

TypeDef* Catalog::type(std::string_view name) {
    for (auto& t : types)
        if (t->name == name) return t.get();
    return nullptr;
}

TypeDef* Catalog::type(uint32_t id) {
    for (auto& t : types)
        if (t->id == id) return t.get();
    return nullptr;
}

EnumDef* Catalog::enum_(std::string_view name) {
    for (auto& e : enums)
        if (e->name == name) return e.get();
    return nullptr;
}

EnumDef* Catalog::enum_(uint32_t id) {
    for (auto& e : enums)
        if (e->id == id) return e.get();
    return nullptr;
}

uint32_t Catalog::next_type_id() const {
    uint32_t n = 0;
    for (auto& t : types) n = std::max(n, t->id + 1);
    return n;
}

uint32_t Catalog::next_enum_id() const {
    uint32_t n = 0;
    for (auto& e : enums) n = std::max(n, e->id + 1);
    return n;
}

namespace {

// Values of enum members in the catalog's JSON: plain JSON, {"!b": base64}
// bytes, {"!f": "inf"} floats and {"#": id} things.
void member_value_out(std::string& out, const Value& v) {
    switch (v.type()) {
        case VT::Int: out += std::to_string(v.as_int()); break;
        case VT::Float:
            if (std::isnan(v.as_float()) || std::isinf(v.as_float()))
                out += "{\"!f\":" + json_str(float_repr(v.as_float())) + "}";
            else
                out += float_repr(v.as_float());
            break;
        case VT::Str: json_escape(out, v.as_str()); break;
        case VT::Bytes: out += "{\"!b\":" + json_str(base64_encode(v.as_str())) + "}"; break;
        case VT::Thing: out += "{\"#\":" + std::to_string(v.thing()->id) + "}"; break;
        default: out += "null";
    }
}

Value member_value_in(Query& q, const Value& v) {
    if (!v.is(VT::Thing)) return v;
    auto& props = v.thing()->props();
    if (props.size() != 1) return v;
    const Prop& p = props[0];
    if (p.key == "#" && p.val.is(VT::Int) && q.collection())
        return q.collection()->thing_by_id(static_cast<uint64_t>(p.val.as_int()));
    if (p.key == "!b" && p.val.is(VT::Str)) {
        std::string b;
        base64_decode(p.val.as_str(), b);
        return Value::bytes(std::move(b));
    }
    if (p.key == "!f" && p.val.is(VT::Str))
        return Value::number(p.val.as_str() == "nan" ? NAN : p.val.as_str() == "-inf" ? -INFINITY : INFINITY);
    return v;
}

Value* prop_of(const Value& thing, const char* key) {
    if (!thing.is(VT::Thing)) return nullptr;
    return thing.thing()->get(key);
}

std::string methods_json(const std::vector<Method>& ms) {
    std::string out = "[";
    for (size_t i = 0; i < ms.size(); ++i) {
        if (i) out += ",";
        out += "[" + json_str(ms[i].name) + "," + json_str(ms[i].closure.closure()->source) + "]";
    }
    return out + "]";
}

void methods_in(std::vector<Method>& ms, const Value* v) {
    if (!v || !v->is(VT::List)) return;
    for (const Value& m : v->list()->items) {
        if (!m.is(VT::List) || m.list()->items.size() != 2) continue;
        ms.push_back({m.list()->items[0].as_str(), closure_from_source(m.list()->items[1].as_str())});
    }
}

}  // namespace

namespace {
// The catalog rows of collections as last read by this process (a backend),
// valid while the storage's catalog epoch stays the same: a warm query reads
// no catalog row. The rows are parsed again per query (the parsed form holds
// values of the query: closures, things of enum members).
struct RowCache {
    uint64_t epoch = 0;
    std::unordered_map<uint64_t, std::pair<std::vector<CatalogRow>, std::vector<CatalogRow>>> rows;
};
RowCache g_rows;
}  // namespace

void Catalog::load() {
    if (!coll_id) return;
    Storage& st = q.storage();
    uint64_t epoch = st.catalog_epoch();
    if (epoch != g_rows.epoch || !epoch) {
        g_rows.rows.clear();
        g_rows.epoch = epoch;
    }
    auto hit = g_rows.rows.find(coll_id);
    if (hit == g_rows.rows.end()) {
        auto loaded = std::make_pair(st.load_types(coll_id), st.load_enums(coll_id));
        hit = g_rows.rows.emplace(coll_id, std::move(loaded)).first;
    }
    // Copies: loading values below may run other catalog loads.
    const std::vector<CatalogRow> trows = hit->second.first;
    const std::vector<CatalogRow> erows = hit->second.second;
    std::vector<Value> tdefs;
    for (const CatalogRow& r : trows) {
        auto t = std::make_unique<TypeDef>();
        t->id = r.id;
        t->name = r.name;
        t->created_at = r.created_at;
        t->modified_at = r.modified_at;
        types.push_back(std::move(t));
        tdefs.push_back(json_load_value(q, r.def_json));
    }
    for (const CatalogRow& r : erows) {
        auto e = std::make_unique<EnumDef>();
        e->id = r.id;
        e->name = r.name;
        e->created_at = r.created_at;
        e->modified_at = r.modified_at;
        enums.push_back(std::move(e));
    }
    // Enum members first: field definitions refer to them, and stored
    // things (of member values) may hold members themselves.
    for (size_t i = 0; i < erows.size(); ++i) {
        Value def = json_load_value(q, erows[i].def_json);
        EnumDef& e = *enums[i];
        if (Value* n = prop_of(def, "next_mid"); n && n->is(VT::Int)) e.next_mid = static_cast<uint32_t>(n->as_int());
        Value* ms = prop_of(def, "members");
        if (ms && ms->is(VT::List)) {
            for (const Value& m : ms->list()->items) {
                if (!m.is(VT::List) || m.list()->items.size() != 3) continue;
                auto* mo = new EnumMemberObj();
                mo->enum_id = e.id;
                mo->name = m.list()->items[0].as_str();
                mo->mid = static_cast<uint32_t>(m.list()->items[2].as_int());
                e.members.emplace_back(mo);
            }
            // Values after all members exist (a thing value may refer back).
            for (size_t k = 0; k < ms->list()->items.size() && k < e.members.size(); ++k)
                e.members[k]->val = member_value_in(q, ms->list()->items[k].list()->items[1]);
        }
        methods_in(e.methods, prop_of(def, "methods"));
    }
    for (size_t i = 0; i < trows.size(); ++i) {
        TypeDef& t = *types[i];
        const Value& def = tdefs[i];
        if (Value* w = prop_of(def, "wrap_only")) t.wrap_only = truthy(*w);
        if (Value* h = prop_of(def, "hide_id")) t.hide_id = truthy(*h);
        if (Value* x = prop_of(def, "idx")) t.idx = truthy(*x);
        Value* fs = prop_of(def, "fields");
        if (fs && fs->is(VT::List)) {
            for (const Value& f : fs->list()->items) {
                if (!f.is(VT::List) || f.list()->items.size() != 2) continue;
                t.fields.push_back({f.list()->items[0].as_str(), f.list()->items[1].as_str(), Spec(), {}, nullptr});
            }
        }
        methods_in(t.methods, prop_of(def, "methods"));
        // Relations: {"field": "other type's field"}.
        if (Value* rs = prop_of(def, "relations"); rs && rs->is(VT::Thing))
            for (const Prop& p : rs->thing()->props())
                if (Field* f = t.field(p.key); f && p.val.is(VT::Str)) f->rel = p.val.as_str();
    }
    // Specs last: they refer to types and enums by name.
    for (auto& t : types)
        for (Field& f : t->fields) f.spec = parse_spec(*t, f.name, f.raw);
}

void Catalog::save(const TypeDef& t) {
    if (!coll_id) return;
    CatalogRow r;
    r.id = t.id;
    r.name = t.name;
    r.created_at = t.created_at;
    r.modified_at = t.modified_at;
    std::string d = "{\"wrap_only\":";
    d += t.wrap_only ? "true" : "false";
    d += ",\"hide_id\":";
    d += t.hide_id ? "true" : "false";
    d += ",\"idx\":";
    d += t.idx ? "true" : "false";
    d += ",\"relations\":{";
    bool first_rel = true;
    for (const Field& f : t.fields) {
        if (f.rel.empty()) continue;
        if (!first_rel) d += ",";
        first_rel = false;
        d += json_str(f.name) + ":" + json_str(f.rel);
    }
    d += "},\"fields\":[";
    for (size_t i = 0; i < t.fields.size(); ++i) {
        if (i) d += ",";
        d += "[" + json_str(t.fields[i].name) + "," + json_str(t.fields[i].raw) + "]";
    }
    d += "],\"methods\":" + methods_json(t.methods) + "}";
    r.def_json = std::move(d);
    q.storage().save_type(coll_id, r);
}

void Catalog::save(const EnumDef& e) {
    if (!coll_id) return;
    CatalogRow r;
    r.id = e.id;
    r.name = e.name;
    r.created_at = e.created_at;
    r.modified_at = e.modified_at;
    std::string d = "{\"members\":[";
    for (size_t i = 0; i < e.members.size(); ++i) {
        if (i) d += ",";
        d += "[" + json_str(e.members[i]->name) + ",";
        member_value_out(d, e.members[i]->val);
        d += "," + std::to_string(e.members[i]->mid) + "]";
    }
    d += "],\"next_mid\":" + std::to_string(e.next_mid) + ",\"methods\":" + methods_json(e.methods) + "}";
    r.def_json = std::move(d);
    q.storage().save_enum(coll_id, r);
}

std::vector<Value> Catalog::instances(uint32_t type_id) {
    std::vector<Value> out;
    std::unordered_set<const Thing*> seen;
    if (Collection* c = q.collection()) {
        for (uint64_t id : q.storage().things_of_type(coll_id, type_id)) {
            Value t = c->thing_by_id(id);
            if (t.is(VT::Thing) && t.thing()->type_id == type_id && seen.insert(t.thing()).second)
                out.push_back(t);
        }
    }
    for (auto& t : made)
        if (t->type_id == type_id && seen.insert(t.get()).second) out.push_back(make_thing(t.get()));
    return out;
}

// ---- definition parsing --------------------------------------------------------

namespace {

[[noreturn]] void bad_decl(int code, const std::string& field, const TypeDef& t, const std::string& what) {
    raise(code, fmt("invalid declaration for `%s` on type `%s`; %s", field.c_str(), t.name.c_str(), what.c_str()));
}

bool base_kind(std::string_view s, SK& k) {
    static const struct { const char* n; SK k; } kinds[] = {
        {"any", SK::Any}, {"thing", SK::Thing}, {"raw", SK::Raw}, {"str", SK::Str}, {"utf8", SK::Utf8},
        {"bytes", SK::Bytes}, {"bool", SK::Bool}, {"int", SK::Int}, {"uint", SK::UInt},
        {"pint", SK::PInt}, {"nint", SK::NInt}, {"float", SK::Float}, {"number", SK::Number},
        {"datetime", SK::Datetime}, {"timeval", SK::Timeval}, {"regex", SK::Regex},
        {"closure", SK::Closure}, {"error", SK::Error},
    };
    for (auto& e : kinds)
        if (s == e.n) { k = e.k; return true; }
    return false;
}

bool is_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c > 127) return false;
    return true;
}

// Follows non-nillable Type fields from `from`; true when they lead to `to`.
bool reaches(Catalog& cat, const TypeDef* from, uint32_t to, int depth) {
    if (depth > 64 || !from) return false;
    for (const Field& f : from->fields) {
        if (f.spec.kind != SK::Type || f.spec.nillable) continue;
        if (f.spec.ref == to) return true;
        if (reaches(cat, cat.type(f.spec.ref), to, depth + 1)) return true;
    }
    return false;
}

}  // namespace

Spec Catalog::parse_spec(TypeDef& t, const std::string& fname, const std::string& raw) {
    Spec sp;
    auto invalid = [&]() {
        if (!is_ascii(raw)) bad_decl(VALUE_ERR, fname, t, "type declarations must only contain valid ASCII characters");
        bad_decl(VALUE_ERR, fname, t, fmt("expecting a valid type declaration but got `%s` instead", raw.c_str()));
    };
    if (raw.empty()) bad_decl(VALUE_ERR, fname, t, "type declarations must not be empty");
    std::string s = raw;
    if (s.back() == '?') {
        sp.nillable = true;
        s.pop_back();
        if (s.empty()) invalid();
    }
    bool nested = false;
    SK* kind = &sp.kind;
    bool* nil = &sp.nillable;
    uint32_t* ref = &sp.ref;
    if (s[0] == '[' || s[0] == '{') {
        char close = s[0] == '[' ? ']' : '}';
        if (s.back() != close || s.size() < 2) invalid();
        sp.kind = s[0] == '[' ? SK::Arr : SK::Set;
        s = s.substr(1, s.size() - 2);
        if (s.empty()) return sp;   // items of any kind
        nested = true;
        kind = &sp.nkind;
        nil = &sp.nnillable;
        ref = &sp.nref;
        if (s.back() == '?') {
            sp.nnillable = true;
            s.pop_back();
            if (s.empty()) invalid();
        }
    }
    if (s[0] == '[')
        bad_decl(VALUE_ERR, fname, t, "unexpected `[`; nested array declarations are not allowed");
    if (s[0] == '{')
        bad_decl(VALUE_ERR, fname, t, "unexpected `{`; nested set declarations are not allowed");

    if (s[0] == '/') {
        if (nested) bad_decl(VALUE_ERR, fname, t, "nested pattern conditions are not allowed");
        // /pattern/flags<default>
        Value dval;
        bool has_dval = false;
        size_t end = s.size();
        if (s.back() == '>') {
            size_t lt = s.rfind('<');
            if (lt == std::string::npos || lt == 0)
                bad_decl(VALUE_ERR, fname, t, "pattern condition syntax is invalid");
            dval = Value::str(s.substr(lt + 1, s.size() - lt - 2));
            has_dval = true;
            end = lt;
        }
        std::string body = s.substr(0, end);
        std::string flags;
        if (body.size() >= 2 && body.back() == 'i') {
            flags = "i";
            body.pop_back();
        }
        if (body.size() < 2 || body.back() != '/')
            bad_decl(VALUE_ERR, fname, t, "pattern condition syntax is invalid");
        std::string pattern = body.substr(1, body.size() - 2);
        sp.regex = make_regex(pattern, flags);
        if (!has_dval) dval = sp.nillable ? Value() : Value::str("");
        if (dval.is(VT::Str) && !regex_test(sp.regex.regex(), dval.as_str()))
            bad_decl(VALUE_ERR, fname, t,
                     "a non-nillable pattern requires a valid default value; for example: /(e|h|l|o)+/<hello>");
        sp.kind = SK::Pattern;
        sp.dval = dval;
        return sp;
    }

    if (s.back() == '>') {
        if (nested) bad_decl(VALUE_ERR, fname, t, "nested range conditions are not allowed");
        size_t lt = s.find('<');
        std::string base = s.substr(0, lt == std::string::npos ? s.size() - 1 : lt);
        SK bk;
        if (!base_kind(base, bk) || (bk != SK::Int && bk != SK::Float && bk != SK::Str && bk != SK::Utf8)) {
            if (lt == std::string::npos && base_kind(base, bk) &&
                (bk == SK::Int || bk == SK::Float || bk == SK::Str || bk == SK::Utf8))
                ;
            else
                bad_decl(VALUE_ERR, fname, t,
                         "additional info <..> can be applied to `int`, `float`, `str`, `email`, `url` and `tel`");
        }
        if (lt == std::string::npos)
            bad_decl(VALUE_ERR, fname, t, fmt("expecting a `<` character after `%s`", base.c_str()));
        const char* p = s.c_str() + lt + 1;
        const char* stop = s.c_str() + s.size() - 1;   // the `>`
        auto missing_colon = [&]() {
            bad_decl(VALUE_ERR, fname, t, "expecting a colon (:) after the minimum value of the range");
        };
        auto smaller_max = [&]() {
            bad_decl(VALUE_ERR, fname, t,
                     "expecting the maximum value to be greater than or equal to the minimum value");
        };
        auto invalid_dval = [&]() {
            bad_decl(VALUE_ERR, fname, t, "the provided default value does not match the condition");
        };
        auto expect_end = [&](const char* at) {
            bad_decl(VALUE_ERR, fname, t,
                     fmt("expecting character `>` after `%.*s`", static_cast<int>(at - s.c_str()), s.c_str()));
        };
        auto read_int = [&](bool& present, int64_t dflt) -> int64_t {
            while (*p == ' ') ++p;
            if (*p == ':' || p == stop) { present = false; return dflt; }
            char* e;
            errno = 0;
            long long v = std::strtoll(p, &e, 10);
            if (errno == ERANGE) raise(OVERFLOW_ERR, "integer overflow");
            present = e != p;
            p = e;
            return present ? v : dflt;
        };
        auto read_float = [&](double dflt) -> double {
            while (*p == ' ') ++p;
            if (*p == ':' || p == stop) return dflt;
            char* e;
            double v = std::strtod(p, &e);
            if (e == p) return dflt;
            p = e;
            if (std::isnan(v))
                bad_decl(VALUE_ERR, fname, t, "not-a-number (nan) values are not allowed to specify a range");
            return v;
        };
        bool present;
        if (bk == SK::Str || bk == SK::Utf8) {
            int64_t mi = read_int(present, 0);
            if (mi < 0) bad_decl(VALUE_ERR, fname, t, "the minimum value for a string range must not be negative");
            if (*p != ':') missing_colon();
            ++p;
            int64_t ma = read_int(present, INT64_MAX);
            if (ma < mi) smaller_max();
            if (*p == ':') {
                ++p;
                std::string d(p, stop);
                int64_t n = static_cast<int64_t>(d.size());
                if (n < mi || n > ma) invalid_dval();
                sp.dval = Value::str(d);
                p = stop;
            } else if (sp.nillable) {
                sp.dval = Value();
            } else {
                sp.dval = Value::str(std::string(static_cast<size_t>(mi), '-'));
            }
            if (p != stop) expect_end(p);
            sp.kind = SK::StrRange;
            sp.imin = mi;
            sp.imax = ma;
            return sp;
        }
        if (bk == SK::Int) {
            int64_t mi = read_int(present, INT64_MIN);
            if (*p != ':') missing_colon();
            ++p;
            int64_t ma = read_int(present, INT64_MAX);
            if (ma < mi) smaller_max();
            if (*p == ':') {
                ++p;
                int64_t dv = read_int(present, 0);
                if (!present || dv < mi || dv > ma) invalid_dval();
                sp.dval = Value::integer(dv);
            } else if (sp.nillable) {
                sp.dval = Value();
            } else {
                sp.dval = Value::integer(mi < 0 && ma < 0 ? ma : mi > 0 && ma > 0 ? mi : 0);
            }
            if (p != stop) expect_end(p);
            sp.kind = SK::IntRange;
            sp.imin = mi;
            sp.imax = ma;
            return sp;
        }
        double mi = read_float(-INFINITY);
        if (*p != ':') missing_colon();
        ++p;
        double ma = read_float(INFINITY);
        if (ma < mi) smaller_max();
        if (*p == ':') {
            ++p;
            const char* before = p;
            double dv = read_float(NAN);
            if (p == before || dv < mi || dv > ma) invalid_dval();
            sp.dval = Value::number(dv);
        } else if (sp.nillable) {
            sp.dval = Value();
        } else {
            sp.dval = Value::number(mi < 0 && ma < 0 ? ma : mi > 0 && ma > 0 ? mi : 0.0);
        }
        if (p != stop) expect_end(p);
        sp.kind = SK::FloatRange;
        sp.fmin = mi;
        sp.fmax = ma;
        return sp;
    }

    SK bk;
    if (base_kind(s, bk)) {
        *kind = bk;
    } else if (TypeDef* dep = type(s)) {
        *kind = SK::Type;
        *ref = dep->id;
        bool top_strict = !nested && !sp.nillable;
        if (top_strict && (dep == &t || reaches(*this, dep, t.id, 0)))
            bad_decl(VALUE_ERR, fname, t,
                     fmt("missing `?` after declaration `%s`; circular dependencies must be nillable at least "
                         "at one point in the chain",
                         raw.c_str()));
    } else if (EnumDef* e = enum_(s)) {
        *kind = SK::Enum;
        *ref = e->id;
    } else {
        if (!is_ascii(s)) bad_decl(VALUE_ERR, fname, t, "type declarations must only contain valid ASCII characters");
        bad_decl(TYPE_ERR, fname, t, fmt("unknown type `%s` in declaration", s.c_str()));
    }
    (void)nil;
    if (sp.kind == SK::Set && nested) {
        if (sp.nnillable) bad_decl(TYPE_ERR, fname, t, "type `set` cannot contain a nillable type");
        if (sp.nkind != SK::Any && sp.nkind != SK::Thing && sp.nkind != SK::Type)
            bad_decl(TYPE_ERR, fname, t, fmt("type `set` cannot contain type `%s`", spec_kind_name(sp.nkind)));
    }
    return sp;
}

// ---- values ------------------------------------------------------------------------

namespace {

enum class CR { Ok, Type, Utf8, UInt, PInt, NInt, IRange, FRange, FNan, SRange, Pattern };

CR check_kind(SK k, bool nillable, uint32_t ref, const Spec* cond, const Value& v) {
    if (v.is_nil()) return nillable || k == SK::Any ? CR::Ok : CR::Type;
    switch (k) {
        case SK::Any: return CR::Ok;
        case SK::Thing: return v.is(VT::Thing) ? CR::Ok : CR::Type;
        case SK::Raw: return v.is(VT::Str) || v.is(VT::Bytes) ? CR::Ok : CR::Type;
        case SK::Str: return v.is(VT::Str) ? CR::Ok : CR::Type;
        case SK::Utf8:
            if (!v.is(VT::Str)) return CR::Type;
            return valid_utf8(v.as_str()) ? CR::Ok : CR::Utf8;
        case SK::Bytes: return v.is(VT::Bytes) ? CR::Ok : CR::Type;
        case SK::Bool: return v.is(VT::Bool) ? CR::Ok : CR::Type;
        case SK::Int: return v.is(VT::Int) ? CR::Ok : CR::Type;
        case SK::UInt: return !v.is(VT::Int) ? CR::Type : v.as_int() >= 0 ? CR::Ok : CR::UInt;
        case SK::PInt: return !v.is(VT::Int) ? CR::Type : v.as_int() > 0 ? CR::Ok : CR::PInt;
        case SK::NInt: return !v.is(VT::Int) ? CR::Type : v.as_int() < 0 ? CR::Ok : CR::NInt;
        case SK::Float: return v.is(VT::Float) ? CR::Ok : CR::Type;
        case SK::Number: return v.is(VT::Float) || v.is(VT::Int) ? CR::Ok : CR::Type;
        case SK::Datetime: return v.is(VT::Datetime) ? CR::Ok : CR::Type;
        case SK::Timeval: return v.is(VT::Timeval) ? CR::Ok : CR::Type;
        case SK::Regex: return v.is(VT::Regex) ? CR::Ok : CR::Type;
        case SK::Closure: return v.is(VT::Closure) ? CR::Ok : CR::Type;
        case SK::Error: return v.is(VT::Error) ? CR::Ok : CR::Type;
        case SK::Arr: return v.is(VT::List) ? CR::Ok : CR::Type;
        case SK::Set: return v.is(VT::Set) ? CR::Ok : CR::Type;
        case SK::Type: return v.is(VT::Thing) && v.thing()->type() == ref ? CR::Ok : CR::Type;
        case SK::Enum: return v.is(VT::EnumMember) && v.member()->enum_id == ref ? CR::Ok : CR::Type;
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
    }
    return CR::Type;
}

std::string range_num(int64_t v) { return std::to_string(v); }

[[noreturn]] void field_err(CR r, const TypeDef& t, const Field& f, const Value& v) {
    const char* tn = t.name.c_str();
    const char* fn = f.name.c_str();
    const Spec& sp = f.spec;
    switch (r) {
        case CR::Utf8: raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` only accepts valid UTF8 data", tn, fn);
        case CR::UInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` only accepts integer values greater than or equal to 0",
                   tn, fn);
        case CR::PInt:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` only accepts positive integer values", tn, fn);
        case CR::NInt:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` only accepts negative integer values", tn, fn);
        case CR::IRange:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an integer value between %s and %s (both "
                   "inclusive)",
                   tn, fn, range_num(sp.imin).c_str(), range_num(sp.imax).c_str());
        case CR::FRange:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires a float value between %f and %f (both inclusive)",
                   tn, fn, sp.fmin, sp.fmax);
        case CR::FNan:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires a float value between %f and %f but got nan (not "
                   "a number)",
                   tn, fn, sp.fmin, sp.fmax);
        case CR::SRange:
            if (sp.imin == sp.imax)
                raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` requires a string with a length of %lld", tn,
                       fn, static_cast<long long>(sp.imin));
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires a string with a length between %lld and %lld "
                   "(both inclusive)",
                   tn, fn, static_cast<long long>(sp.imin), static_cast<long long>(sp.imax));
        case CR::Pattern: {
            const RegexObj* re = sp.regex.regex();
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` has a requirement to match pattern /%s/%s", tn,
                   fn, re->pattern.c_str(), re->flags.c_str());
        }
        default:
            raisef(TYPE_ERR, "mismatch in type `%s`; type `%s` is invalid for property `%s` with definition `%s`",
                   tn, type_name(v), fn, f.raw.c_str());
    }
}

[[noreturn]] void item_err(CR r, const TypeDef& t, const Field& f) {
    const char* tn = t.name.c_str();
    const char* fn = f.name.c_str();
    switch (r) {
        case CR::Utf8:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` requires an array with UTF8 string values", tn,
                   fn);
        case CR::UInt:
            raisef(VALUE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with integer values greater than or "
                   "equal to 0",
                   tn, fn);
        case CR::PInt:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` requires an array with positive integer values",
                   tn, fn);
        case CR::NInt:
            raisef(VALUE_ERR, "mismatch in type `%s`; property `%s` requires an array with negative integer values",
                   tn, fn);
        default:
            raisef(TYPE_ERR,
                   "mismatch in type `%s`; property `%s` requires an array with items that match definition `%s`",
                   tn, fn, f.raw.c_str());
    }
}

CR check_item(const Spec& sp, const Value& v) { return check_kind(sp.nkind, sp.nnillable, sp.nref, nullptr, v); }

}  // namespace

void Catalog::check_field(const TypeDef& t, const Field& f, Value& v) {
    const Spec& sp = f.spec;
    CR r = check_kind(sp.kind, sp.nillable, sp.ref, &sp, v);
    if (r != CR::Ok) field_err(r, t, f, v);
    if (sp.kind == SK::Arr && v.is(VT::List) && sp.nkind != SK::Any) {
        for (const Value& item : v.list()->items) {
            CR ir = check_item(sp, item);
            if (ir != CR::Ok) item_err(ir, t, f);
        }
    } else if (sp.kind == SK::Set && v.is(VT::Set) && sp.nkind == SK::Type) {
        for (auto& th : v.set()->items) {
            if (th->type() != sp.nref)
                raisef(TYPE_ERR,
                       "mismatch in type `%s`; property `%s` has definition `%s` but got a set with type `%s` "
                       "instead",
                       t.name.c_str(), f.name.c_str(), f.raw.c_str(), type_name(make_thing(th.get())));
        }
    }
}

bool field_maps(const Field& f, const Value& v) {
    const Spec& sp = f.spec;
    if (v.is_nil()) return sp.nillable || sp.kind == SK::Any;
    if (f.ano) return sp.kind == SK::Arr ? v.is(VT::List) : v.is(VT::Thing) || v.is(VT::Wrap);
    switch (sp.kind) {
        case SK::Type: case SK::Thing: return v.is(VT::Thing) || v.is(VT::Wrap);
        case SK::Arr: return v.is(VT::List);
        case SK::Set: return v.is(VT::Set);
        default: return check_kind(sp.kind, sp.nillable, sp.ref, &sp, v) == CR::Ok;
    }
}

Field* relation_peer(Catalog& c, const Field& f, TypeDef** peer_type) {
    if (f.rel.empty()) return nullptr;
    TypeDef* o = c.type(f.spec.kind == SK::Set ? f.spec.nref : f.spec.ref);
    if (peer_type) *peer_type = o;
    return o ? o->field(f.rel) : nullptr;
}

Value Catalog::default_value(const TypeDef& t, const Field& f) {
    const Spec& sp = f.spec;
    switch (sp.kind) {
        case SK::IntRange: case SK::FloatRange: case SK::StrRange: case SK::Pattern: return sp.dval;
        default: break;
    }
    if (sp.nillable) return Value();
    switch (sp.kind) {
        case SK::Any: return Value();
        case SK::Thing: return new_thing();
        case SK::Raw: case SK::Str: case SK::Utf8: return Value::str("");
        case SK::Bytes: return Value::bytes("");
        case SK::Bool: return Value::boolean(false);
        case SK::Int: case SK::UInt: case SK::Number: return Value::integer(0);
        case SK::PInt: return Value::integer(1);
        case SK::NInt: return Value::integer(-1);
        case SK::Float: return Value::number(0.0);
        case SK::Regex: return make_regex(".*", "");
        case SK::Closure: return closure_from_source("||nil");
        case SK::Error: return make_error(-100, "custom error");
        case SK::Arr: return make_list();
        case SK::Set: return Value::obj(VT::Set, new SetObj());
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
        case SK::Datetime: case SK::Timeval:
            // As ThingsDB: the current time (the transaction's, here).
            return make_datetime(static_cast<int64_t>(q.storage().now()), 0, tz_utc(), sp.kind == SK::Timeval);
        default:
            (void)t;
            return Value();
    }
}

Value Catalog::new_instance(TypeDef& t) {
    Thing* th = new Thing();
    Value out = make_thing(th);
    th->type_id = t.id;
    th->props_.reserve(t.fields.size());
    for (size_t i = 0; i < t.fields.size(); ++i) {
        Value v = q.assignable(default_value(t, t.fields[i]), th, false);
        th->props_.push_back({t.fields[i].name, std::move(v)});
        Value& stored = th->props_.back().val;
        if (stored.is(VT::List)) stored.list()->owner = {th, t.fields[i].name};
        else if (stored.is(VT::Set)) stored.set()->owner = {th, t.fields[i].name};
    }
    made.emplace_back(th);
    return out;
}


// ---- relations -------------------------------------------------------------------
// A relation ties field f of type A (`B?` or `{B}`) to field g of type B
// (`A?` or `{A}`): whenever a.f gains or loses b, b.g gains or loses a, as
// ThingsDB keeps both sides. The other side is changed directly (with the
// usual notifications for dirt and events), never through these hooks again.

namespace {

int g_rel_depth = 0;

struct RelGuard {
    RelGuard() { ++g_rel_depth; }
    ~RelGuard() { --g_rel_depth; }
};

Thing* thing_of(const Value& v) { return v.is(VT::Thing) ? v.thing() : nullptr; }

void rel_put(Query& q, Thing* x, const std::string& key, Value v) {
    Value* cur = x->get(key);
    if (!cur) return;
    *cur = q.assignable(std::move(v), x, false);
    q.prop_set(x, key);
}

void rel_add(Query& q, Thing* x, const std::string& key, Thing* y) {
    Value* cur = x->get(key);
    if (!cur || !cur->is(VT::Set) || cur->set()->has(y)) return;
    SetObj* s = cur->set();
    Value keep = q.assignable(make_thing(y), x, false);   // gives y an id under a stored x
    s->add(y);
    q.set_add(s, {y});
}

void rel_remove(Query& q, Thing* x, const std::string& key, Thing* y) {
    Value* cur = x->get(key);
    if (!cur || !cur->is(VT::Set) || !cur->set()->has(y)) return;
    SetObj* s = cur->set();
    Ref<Thing> keep(y);
    s->remove(y);
    q.set_remove(s, {y});
}

// x no longer points at a through its field g.
void unlink_side(Query& q, Thing* x, const Field& g, Thing* a) {
    if (g.spec.kind == SK::Set) {
        rel_remove(q, x, g.name, a);
        return;
    }
    Value* cur = x->get(g.name);
    if (cur && thing_of(*cur) == a) rel_put(q, x, g.name, Value());
}

// x points at a through its field g; when g holds one thing, x's previous
// partner (through a's field f) lets go of x first.
void link_side(Query& q, Thing* x, const Field& g, const Field& f, Thing* a) {
    if (g.spec.kind == SK::Set) {
        rel_add(q, x, g.name, a);
        return;
    }
    Value* cur = x->get(g.name);
    Thing* old = cur ? thing_of(*cur) : nullptr;
    if (old == a) return;
    if (old) unlink_side(q, old, f, x);
    rel_put(q, x, g.name, make_thing(a));
}

// a.f is about to become v.
void rel_on_prop(Query& q, Catalog& c, Thing* a, const Field& f, const Value& v) {
    if (g_rel_depth) return;
    Field* g = relation_peer(c, f, nullptr);
    if (!g) return;
    RelGuard guard;
    Field fc = f, gc = *g;   // the catalog may not move, but be safe
    Value* cur = a->get(f.name);
    if (f.spec.kind == SK::Set) {
        std::vector<Ref<Thing>> before;
        if (cur && cur->is(VT::Set)) before = cur->set()->items;
        SetObj* now = v.is(VT::Set) ? v.set() : nullptr;
        for (auto& o : before)
            if (!now || !now->has(o.get())) unlink_side(q, o.get(), gc, a);
        if (now)
            for (auto& n : std::vector<Ref<Thing>>(now->items))
                if (!cur || !cur->is(VT::Set) || !cur->set()->has(n.get())) link_side(q, n.get(), gc, fc, a);
        return;
    }
    Value old = cur ? *cur : Value();
    Thing* ot = thing_of(old);
    Thing* nt = thing_of(v);
    if (ot == nt) return;
    if (ot) unlink_side(q, ot, gc, a);
    if (nt) link_side(q, nt, gc, fc, a);
}

// Makes the other side follow what a.f holds now (new instances, new relations).
void rel_follow(Query& q, Catalog& c, Thing* a, const Field& f) {
    Field* g = relation_peer(c, f, nullptr);
    Value* cur = a->get(f.name);
    if (!g || !cur) return;
    RelGuard guard;
    Field fc = f, gc = *g;
    if (cur->is(VT::Set)) {
        for (auto& n : std::vector<Ref<Thing>>(cur->set()->items)) link_side(q, n.get(), gc, fc, a);
    } else if (Thing* nt = thing_of(*cur)) {
        link_side(q, nt, gc, fc, a);
    }
}

}  // namespace

void hook_set_remove(Query& q, SetObj* s, const std::vector<Thing*>& removed) {
    if (g_rel_depth) return;
    Thing* a = s->owner.thing;
    Catalog& c = Catalog::of(q);
    TypeDef* t = c.type(a->type_id);
    Field* f = t ? t->field(s->owner.key) : nullptr;
    Field* g = f ? relation_peer(c, *f, nullptr) : nullptr;
    if (!g) return;
    RelGuard guard;
    Field gc = *g;
    for (Thing* r : removed) unlink_side(q, r, gc, a);
}

void relation_follow_all(Catalog& c, TypeDef& t, const std::string& field) {
    for (Value& iv : c.instances(t.id)) {
        TypeDef* now = c.type(t.id);
        Field* f = now ? now->field(field) : nullptr;
        if (f) rel_follow(c.q, c, iv.thing(), *f);
    }
}

// ---- hooks into the evaluator ----------------------------------------------------

const char* hook_type_name(const Value& v) {
    if (v.is(VT::Wrap)) return static_cast<const WrapObj*>(v.object())->label.c_str();
    Catalog* c = Catalog::current();
    if (!c && Query::current()) c = &Catalog::of(*Query::current());
    if (v.is(VT::EnumMember)) {
        EnumDef* e = c ? c->enum_(v.member()->enum_id) : nullptr;
        return e ? e->name.c_str() : "enum";
    }
    TypeDef* t = c ? c->type(v.thing()->type_id) : nullptr;
    return t ? t->name.c_str() : "thing";
}

Value hook_stored_member(uint32_t enum_id, uint32_t mid) {
    Query* q = Query::current();
    if (!q) return Value();
    EnumDef* e = Catalog::of(*q).enum_(enum_id);
    EnumMemberObj* m = e ? e->member_by_mid(mid) : nullptr;
    return m ? Value::obj(VT::EnumMember, m) : Value();
}

void hook_assign(Query& q, Value& v, Thing* owner, const std::string& key, Query::Into into) {
    Catalog& cat = Catalog::of(q);
    TypeDef* t = cat.type(owner->type_id);
    if (!t) return;
    Field* f = t->field(key);
    if (into == Query::Into::Prop) {
        if (!f) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", t->name.c_str(), key.c_str());
        cat.check_field(*t, *f, v);
        if (!f->rel.empty()) rel_on_prop(q, cat, owner, *f, v);
        return;
    }
    if (!f) return;
    const Spec& sp = f->spec;
    if (into == Query::Into::List && sp.kind == SK::Arr && sp.nkind != SK::Any) {
        CR r = check_item(sp, v);
        if (r == CR::Type) raisef(TYPE_ERR, "type `%s` is not allowed in restricted array", type_name(v));
        if (r != CR::Ok) item_err(r, *t, *f);
    } else if (into == Query::Into::Set && sp.kind == SK::Set && sp.nkind == SK::Type) {
        if (!v.is(VT::Thing) || v.thing()->type() != sp.nref)
            raisef(TYPE_ERR, "type `%s` is not allowed in restricted set", type_name(v));
        if (!f->rel.empty() && !g_rel_depth) {
            Field* g = relation_peer(cat, *f, nullptr);
            if (g) {
                RelGuard guard;
                Field fc = *f, gc = *g;
                link_side(q, v.thing(), gc, fc, owner);
            }
        }
    }
}

// A new instance of t from checked values by field index; the other fields
// get their defaults. Relations follow the given values.
static Value build_instance(Query& q, Catalog& cat, TypeDef& t0, std::vector<std::pair<int, Value>>& given) {
    TypeDef* t = &t0;
    uint32_t tid = t->id;
    Thing* th = new Thing();
    Value out = make_thing(th);
    th->type_id = tid;
    th->props_.reserve(t->fields.size());
    for (size_t i = 0; i < t->fields.size(); ++i) {
        Value v;
        bool has = false;
        for (auto& g : given)
            if (g.first == static_cast<int>(i)) { v = g.second; has = true; }
        if (!has) v = cat.default_value(*t, t->fields[i]);
        v = q.assignable(std::move(v), th, false);
        th->props_.push_back({t->fields[i].name, std::move(v)});
        Value& stored = th->props_.back().val;
        if (stored.is(VT::List)) stored.list()->owner = {th, t->fields[i].name};
        else if (stored.is(VT::Set)) stored.set()->owner = {th, t->fields[i].name};
    }
    cat.made.emplace_back(th);
    for (auto& g : given) {
        t = cat.type(tid);
        if (t && !t->fields[static_cast<size_t>(g.first)].rel.empty())
            rel_follow(q, cat, th, t->fields[static_cast<size_t>(g.first)]);
    }
    return out;
}

Value hook_instance(Query& q, const Node* n, bool& handled) {
    if (n->kind != NK::Instance) return Value();
    Catalog& cat = Catalog::of(q);
    const std::string& name = interned(n->name);
    TypeDef* t = cat.type(name);
    if (!t) return Value();
    handled = true;
    if (t->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", t->name.c_str());
    uint32_t tid = t->id;
    std::vector<std::pair<int, Value>> given;
    for (size_t i = 0; i < n->kids.size(); ++i) {
        const std::string& key = interned(n->names[i]);
        if (cat.type(tid)->field_index(key) < 0)
            raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), key.c_str());
        Value v = q.eval(n->kids[i]);
        t = cat.type(tid);
        if (!t) raisef(LOOKUP_ERR, "type `%s` is undefined", name.c_str());
        int idx = t->field_index(key);
        if (idx < 0) raisef(LOOKUP_ERR, "type `%s` has no property `%s`", name.c_str(), key.c_str());
        cat.check_field(*t, t->fields[static_cast<size_t>(idx)], v);
        given.emplace_back(idx, std::move(v));
    }
    return build_instance(q, cat, *t, given);
}

Value hook_call(Query& q, const Node* n, bool& handled) {
    if (!q.collection()) return Value();
    Catalog& cat = Catalog::of(q);
    const std::string& name = interned(n->name);
    TypeDef* t = cat.type(name);
    if (!t) return Value();
    handled = true;
    int nargs = static_cast<int>(n->kids.size());
    if (nargs > 1)
        raisef(NUM_ARGUMENTS_ERR, "type `%s` takes at most 1 argument but %d were given", name.c_str(), nargs);
    if (nargs == 0) {
        if (t->wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", t->name.c_str());
        return cat.new_instance(*t);
    }
    uint32_t tid = t->id;
    Value idv = q.eval(n->kids[0]);
    if (!idv.is(VT::Int))
        raisef(TYPE_ERR, "function `%s` expects argument 1 to be of type `int` but got type `%s` instead",
               name.c_str(), type_name(idv));
    Value th = q.need_collection().thing_by_id(static_cast<uint64_t>(idv.as_int()));
    if (!th.is(VT::Thing))
        raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %lld", q.need_collection().row().name.c_str(),
               static_cast<long long>(idv.as_int()));
    if (th.thing()->type() != tid)
        raisef(TYPE_ERR, "thing `#%lld` is of type `%s` and not of type `%s`", static_cast<long long>(idv.as_int()),
               type_name(th), name.c_str());
    return th;
}

Value hook_method(Query& q, Value& self, const Node* n, bool& handled) {
    if (!self.is(VT::Thing)) return Value();   // wrapped values: wrap.cpp
    Catalog& cat = Catalog::of(q);
    TypeDef* t = cat.type(self.thing()->type_id);
    if (!t) return Value();
    const std::string& name = interned(n->name);
    Method* m = t->method(name);
    if (!m) {
        if (self.thing()->get(name)) return Value();
        handled = true;
        if (n->optional) return Value();
        raisef(LOOKUP_ERR, "type `%s` has no property or method `%s`", t->name.c_str(), name.c_str());
    }
    handled = true;
    Value c = m->closure;
    int np = static_cast<int>(c.closure()->params.size());
    std::vector<Value> args{self};
    for (size_t i = 1; i < n->kids.size() && static_cast<int>(i) < np; ++i) args.push_back(q.eval(n->kids[i]));
    return q.call(c, args.data(), static_cast<int>(args.size()));
}

void check_set_item(Query& q, Thing* owner, const std::string& key, const Value& v) {
    if (!owner || owner->type() == kNoType || !q.collection()) return;
    TypeDef* t = Catalog::of(q).type(owner->type_id);
    Field* f = t ? t->field(key) : nullptr;
    if (!f) return;
    const Spec& sp = f->spec;
    if (sp.kind == SK::Set && sp.nkind == SK::Type && (!v.is(VT::Thing) || v.thing()->type() != sp.nref))
        raisef(TYPE_ERR, "type `%s` is not allowed in restricted set", type_name(v));
}

Value Catalog::instance_from(TypeDef& t, Thing* from) {
    if (t.wrap_only) raisef(TYPE_ERR, "type `%s` has wrap-only mode enabled", t.name.c_str());
    std::vector<std::pair<int, Value>> given;
    if (from->type() != kNoType) {
        if (from->type_id != t.id)
            raisef(TYPE_ERR, "cannot create an instance of type `%s` from type `%s`", t.name.c_str(),
                   type_name(make_thing(from)));
        for (size_t i = 0; i < t.fields.size(); ++i)
            if (Value* v = from->get(t.fields[i].name)) given.emplace_back(static_cast<int>(i), *v);
    } else {
        // Extra properties of the thing are left out; missing ones get defaults.
        for (size_t i = 0; i < t.fields.size(); ++i) {
            Value* v = from->get(t.fields[i].name);
            if (!v) continue;
            Value x = *v;
            check_field(t, t.fields[i], x);
            given.emplace_back(static_cast<int>(i), std::move(x));
        }
    }
    return build_instance(q, *this, t, given);
}

}  // namespace tdb
