// Types and enums: the catalog of a collection as one query sees it. Loading
// and saving its rows (with the per-process row cache and its epoch rule),
// lookups by name and id, and the hooks that name types and resolve members.
#include "core/schema/types.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/lang/ops.h"
#include "core/model/thing.h"
#include "core/model/wrap.h"
#include "core/io/json_object.h"

namespace tdb {

namespace {
Catalog* g_catalog = nullptr;

}  // namespace

// ---- small helpers -----------------------------------------------------------

int64_t now_seconds(Query& q) { return static_cast<int64_t>(q.storage().now()); }

std::string job_value(Query& q, const Value& v) { return q.to_json(v, 1); }

Catalog& cat_of(Query& q) {
    q.need_collection();
    return Catalog::of(q);
}

uint64_t root_id(Query& q) { return q.need_collection().id(); }

void add_catalog_job(Query& q, std::string_view task, const std::string& body) {
    q.add_job(root_id(q), JsonObject().raw(task, body).text());
}

std::string fields_json(const TypeDef& t) {
    JsonArray out;
    for (const Field& f : t.fields) out.raw(JsonArray().str(f.name).str(f.raw).text());
    return out.text();
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

// ---- locks -------------------------------------------------------------------------

void check_unlocked(const TypeDef& t) {
    if (t.locked)
        raisef(OPERATION_ERR, "cannot change type `%s` while the type is in use", t.name.c_str());
}

void check_unlocked(const EnumDef& e) {
    if (e.locked)
        raisef(OPERATION_ERR, "cannot change enum `%s` while the enumerator is being used",
               e.name.c_str());
}

void check_usable(const TypeDef& t) {
    if (t.locked)
        raisef(OPERATION_ERR, "cannot use type `%s` while the type is locked", t.name.c_str());
}

CatalogLock::CatalogLock(Catalog& c, TypeDef& t) : c_(c), id_(t.id), enum_(false) {
    check_unlocked(t);
    t.locked = true;
}

CatalogLock::CatalogLock(Catalog& c, EnumDef& e) : c_(c), id_(e.id), enum_(true) {
    check_unlocked(e);
    e.locked = true;
}

// By id: a locked definition cannot be deleted, the lookup finds it.
CatalogLock::~CatalogLock() {
    if (enum_) {
        if (EnumDef* e = c_.enum_(id_)) e->locked = false;
    } else if (TypeDef* t = c_.type(id_)) {
        t->locked = false;
    }
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
    q.types_state = c;  // before loading: stored enum members resolve through it
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
        case VT::Int:
            out += std::to_string(v.as_int());
            break;
        case VT::Float:
            if (std::isnan(v.as_float()) || std::isinf(v.as_float()))
                out += JsonObject().str("!f", float_repr(v.as_float())).text();
            else
                out += float_repr(v.as_float());
            break;
        case VT::Str:
            json_escape(out, v.as_str());
            break;
        case VT::Bytes:
            out += JsonObject().str("!b", base64_encode(v.as_str())).text();
            break;
        case VT::Thing:
            out += JsonObject().raw("#", std::to_string(v.thing()->id)).text();
            break;
        default:
            out += "null";
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
        return Value::number(p.val.as_str() == "nan"    ? NAN
                             : p.val.as_str() == "-inf" ? -INFINITY
                                                        : INFINITY);
    return v;
}

Value* prop_of(const Value& thing, const char* key) {
    if (!thing.is(VT::Thing)) return nullptr;
    return thing.thing()->get(key);
}

// [["name","closure source"],...]
std::string methods_json(const std::vector<Method>& ms) {
    JsonArray out;
    for (const Method& m : ms)
        out.raw(JsonArray().str(m.name).str(m.closure.closure()->source).text());
    return out.text();
}

void methods_in(std::vector<Method>& ms, const Value* v) {
    if (!v || !v->is(VT::List)) return;
    for (const Value& m : v->list()->items()) {
        if (!m.is(VT::List) || m.list()->items().size() != 2) continue;
        ms.push_back(
            {m.list()->items()[0].as_str(), closure_from_source(m.list()->items()[1].as_str())});
    }
}

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
        tdefs.push_back(json_catalog_value(r.def_json));
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
        Value def = json_catalog_value(erows[i].def_json);
        EnumDef& e = *enums[i];
        if (Value* n = prop_of(def, "next_mid"); n && n->is(VT::Int))
            e.next_mid = static_cast<uint32_t>(n->as_int());
        Value* ms = prop_of(def, "members");
        if (ms && ms->is(VT::List)) {
            for (const Value& m : ms->list()->items()) {
                if (!m.is(VT::List) || m.list()->items().size() != 3) continue;
                auto* mo = new EnumMemberObj();
                mo->enum_id = e.id;
                mo->name = m.list()->items()[0].as_str();
                mo->mid = static_cast<uint32_t>(m.list()->items()[2].as_int());
                e.members.emplace_back(mo);
            }
            // Values after all members exist (a thing value may refer back).
            for (size_t k = 0; k < ms->list()->items().size() && k < e.members.size(); ++k)
                e.members[k]->val = member_value_in(q, ms->list()->items()[k].list()->items()[1]);
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
            for (const Value& f : fs->list()->items()) {
                if (!f.is(VT::List) || f.list()->items().size() != 2) continue;
                t.fields.push_back({f.list()->items()[0].as_str(),
                                    f.list()->items()[1].as_str(),
                                    Spec(),
                                    {},
                                    nullptr});
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
    JsonObject relations;  // {"field": "other type's field"}
    for (const Field& f : t.fields)
        if (!f.rel.empty()) relations.str(f.name, f.rel);
    r.def_json = JsonObject()
                     .boolean("wrap_only", t.wrap_only)
                     .boolean("hide_id", t.hide_id)
                     .boolean("idx", t.idx)
                     .raw("relations", relations.text())
                     .raw("fields", fields_json(t))
                     .raw("methods", methods_json(t.methods))
                     .text();
    q.storage().save_type(coll_id, r);
}

void Catalog::save(const EnumDef& e) {
    if (!coll_id) return;
    CatalogRow r;
    r.id = e.id;
    r.name = e.name;
    r.created_at = e.created_at;
    r.modified_at = e.modified_at;
    JsonArray members;  // [name, value, member id]
    for (auto& m : e.members) {
        std::string val;
        member_value_out(val, m->val);
        members.raw(JsonArray().str(m->name).raw(val).num(m->mid).text());
    }
    r.def_json = JsonObject()
                     .raw("members", members.text())
                     .num("next_mid", e.next_mid)
                     .raw("methods", methods_json(e.methods))
                     .text();
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
        if (t->type_id == type_id && seen.insert(t.get()).second)
            out.push_back(make_thing(t.get()));
    return out;
}

// ---- hooks: names of types, stored enum members ------------------------------

const char* hook_type_name(const Value& v) {
    Catalog* c = Catalog::current();
    if (!c && Query::current() && Query::current()->collection())
        c = &Catalog::of(*Query::current());
    if (v.is(VT::Wrap)) {
        const auto* w = static_cast<const WrapObj*>(v.object());
        TypeDef* t = !w->ano && c ? c->type(w->type_id) : nullptr;
        if (t && w->label.compare(1, w->label.size() - 2, t->name) != 0)
            w->label = "<" + t->name + ">";
        return w->label.c_str();
    }
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

}  // namespace tdb
