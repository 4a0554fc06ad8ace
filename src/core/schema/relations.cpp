// Relations (mod_type 'rel'): a relation ties field f of type A (`B?` or
// `{B}`) to field g of type B (`A?` or `{A}`); whenever a.f gains or loses b,
// b.g gains or loses a, as ThingsDB keeps both sides.
#include "core/model/thing.h"
#include "core/schema/types.h"
#include "core/schema/types_internal.h"

#include <unordered_set>

namespace tdb {

Field* relation_peer(Catalog& c, const Field& f, TypeDef** peer_type) {
    if (f.rel.empty()) return nullptr;
    TypeDef* o = c.type(f.spec.kind == SK::Set ? f.spec.nref : f.spec.ref);
    if (peer_type) *peer_type = o;
    return o ? o->field(f.rel) : nullptr;
}

// The other side is changed directly (with the usual notifications for dirt
// and events), never through the hooks again: g_rel_depth stops them.

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
    Value keep = q.assignable(make_thing(y), x, false);  // gives y an id under a stored x
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

}  // namespace

void relation_on_prop(Query& q, Catalog& c, Thing* a, const Field& f, const Value& v) {
    if (g_rel_depth) return;
    Field* g = relation_peer(c, f, nullptr);
    if (!g) return;
    RelGuard guard;
    // Copies, not references into the catalog: the changes below run code.
    Field fc = f, gc = *g;
    Value* cur = a->get(f.name);
    if (f.spec.kind == SK::Set) {
        std::vector<Ref<Thing>> before;
        if (cur && cur->is(VT::Set)) before = cur->set()->items;
        SetObj* now = v.is(VT::Set) ? v.set() : nullptr;
        for (auto& o : before)
            if (!now || !now->has(o.get())) unlink_side(q, o.get(), gc, a);
        if (now)
            for (auto& n : std::vector<Ref<Thing>>(now->items))
                if (!cur || !cur->is(VT::Set) || !cur->set()->has(n.get()))
                    link_side(q, n.get(), gc, fc, a);
        return;
    }
    Value old = cur ? *cur : Value();
    Thing* ot = thing_of(old);
    Thing* nt = thing_of(v);
    if (ot == nt) return;
    if (ot) unlink_side(q, ot, gc, a);
    if (nt) link_side(q, nt, gc, fc, a);
}

void relation_follow(Query& q, Catalog& c, Thing* a, const Field& f) {
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

void relation_on_set_add(Query& q, Catalog& c, Thing* owner, const Field& f, Thing* added) {
    if (g_rel_depth) return;
    Field* g = relation_peer(c, f, nullptr);
    if (!g) return;
    RelGuard guard;
    Field fc = f, gc = *g;
    link_side(q, added, gc, fc, owner);
}

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
        c.q.poll();
        TypeDef* now = c.type(t.id);
        Field* f = now ? now->field(field) : nullptr;
        if (f) relation_follow(c.q, c, iv.thing(), *f);
    }
}

namespace {

unsigned long long id_of(const Thing* t) { return static_cast<unsigned long long>(t->id); }

// x.f points at o while o.g points at a third thing: the two sides disagree.
void check_single(Thing* x, const Field& f, const Field& g) {
    Value* v = x->get(f.name);
    Thing* o = v ? thing_of(*v) : nullptr;
    if (!o) return;
    Value* back = o->get(g.name);
    Thing* me = back ? thing_of(*back) : nullptr;
    if (!me || me == x) return;
    if (x->id)
        raisef(TYPE_ERR,
               "failed to create relation; property `%s` on `#%llu` is referring to `#%llu` "
               "while property `%s` on `#%llu` is referring to `#%llu`",
               f.name.c_str(), id_of(x), id_of(o), g.name.c_str(), id_of(o), id_of(me));
    raisef(TYPE_ERR,
           "failed to create relation; property `%s` on a `thing` is referring to a second "
           "`thing` while property `%s` on that second thing is referring to a third `thing`",
           f.name.c_str(), g.name.c_str());
}

}  // namespace

void relation_check(Catalog& c, const TypeDef& t, const Field& f, const TypeDef& ot,
                    const Field& of) {
    bool fset = f.spec.kind == SK::Set, oset = of.spec.kind == SK::Set;
    // Two sets: any state can be made mutual by adding the missing sides.
    if (fset && oset) return;
    if (!fset && !oset) {
        for (Value& iv : c.instances(t.id)) {
            c.q.poll();
            check_single(iv.thing(), f, of);
        }
        for (Value& iv : c.instances(ot.id)) {
            c.q.poll();
            check_single(iv.thing(), of, f);
        }
        return;
    }
    // One set: every member of a set must point at that set's owner (or at
    // nothing) and belong to one set only.
    const Field& sf = fset ? of : f;      // the field that holds one thing
    const Field& setf = fset ? f : of;    // the set
    const TypeDef& sett = fset ? t : ot;  // the type with the set
    std::unordered_set<const Thing*> seen;
    for (Value& iv : c.instances(sett.id)) {
        Thing* p = iv.thing();
        Value* sv = p->get(setf.name);
        if (!sv || !sv->is(VT::Set)) continue;
        for (auto& m : std::vector<Ref<Thing>>(sv->set()->items)) {
            c.q.poll();
            Thing* x = m.get();
            Value* ov = x->get(sf.name);
            Thing* other = ov ? thing_of(*ov) : nullptr;
            if (other && other != p) {
                if (x->id)
                    raisef(TYPE_ERR,
                           "failed to create relation; thing `#%llu` belongs to a set `%s` on "
                           "`#%llu` but is referring to `#%llu`",
                           id_of(x), setf.name.c_str(), id_of(p), id_of(other));
                raisef(TYPE_ERR,
                       "failed to create relation; at least one thing belongs to a set (`%s.%s`) "
                       "of a different thing than the thing it is referring to (`%s.%s`)",
                       sett.name.c_str(), setf.name.c_str(), (fset ? ot : t).name.c_str(),
                       sf.name.c_str());
            }
            if (!seen.insert(x).second) {
                if (x->id)
                    raisef(TYPE_ERR,
                           "failed to create relation; thing `#%llu` belongs to at least two "
                           "different sets; (property `%s` on type `%s`)",
                           id_of(x), setf.name.c_str(), sett.name.c_str());
                raisef(TYPE_ERR,
                       "failed to create relation; at least one thing belongs to at least two "
                       "different sets; (property `%s` on type `%s`)",
                       setf.name.c_str(), sett.name.c_str());
            }
        }
    }
}

void relation_make(Catalog& c, uint32_t tid, const std::string& field, uint32_t otid,
                   const std::string& ofield) {
    // Each side follows the other: what either side holds ends up on both.
    TypeDef* t = c.type(tid);
    if (t) relation_follow_all(c, *t, field);
    TypeDef* ot = c.type(otid);
    if (ot && (ot != t || ofield != field)) relation_follow_all(c, *ot, ofield);
}

}  // namespace tdb
