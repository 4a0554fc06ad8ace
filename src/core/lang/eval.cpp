// The evaluator: the node dispatch (eval_node, with the hot kinds inline in
// ev), variables, calls of built-ins, closures and methods, loops. Interned
// names and the hooks of later layers live here too; indexing, slicing and
// assignments into things and lists are eval_assign.cpp.
#include <algorithm>
#include <cmath>
#include <deque>
#include <unordered_map>

#include "core/api/access.h"
#include "core/api/error.h"
#include "core/lang/ast.h"
#include "core/lang/eval_util.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/wrap.h"

namespace tdb {

// ---- interned names ------------------------------------------------------

namespace {
// interned() hands out references that callers keep while they evaluate code,
// and evaluating code interns names (a closure or a Type's method parsed from
// its text): a deque keeps its elements in place as it grows.
struct Names {
    std::unordered_map<std::string, int> ids;
    std::deque<std::string> names;
};
Names& names() {
    static Names n;
    return n;
}
}  // namespace

int intern(std::string_view name) {
    Names& n = names();
    auto it = n.ids.find(std::string(name));
    if (it != n.ids.end()) return it->second;
    int id = static_cast<int>(n.names.size());
    n.names.emplace_back(name);
    n.ids.emplace(n.names.back(), id);
    return id;
}

const std::string& interned(int id) { return names().names[static_cast<size_t>(id)]; }

namespace {
std::vector<int> g_var_slots;  // per interned name: its slot, or -1
int g_next_slot = 0;

inline int slot_of_name(int name) {
    if (static_cast<size_t>(name) < g_var_slots.size()) {
        int s = g_var_slots[static_cast<size_t>(name)];
        if (s >= 0) return s;
    }
    return var_slot(name);
}
}  // namespace

int var_slot(int name) {
    if (static_cast<size_t>(name) >= g_var_slots.size())
        g_var_slots.resize(static_cast<size_t>(name) + 1, -1);
    int& s = g_var_slots[static_cast<size_t>(name)];
    if (s < 0) s = g_next_slot++;
    return s;
}

// Room for every slot known so far at once: a query's first bindings grow it once, not once per
// new name.
void Query::grow_top(size_t slot) {
    size_t want = std::max(slot + 1, static_cast<size_t>(g_next_slot));
    top_.resize(want, -1);
}

// ---- hooks filled in by later layers (procedures, types, enums) ----------

std::vector<NodeHook>& call_hooks() {
    static std::vector<NodeHook> hooks;
    return hooks;
}

std::vector<NodeHook>& instance_hooks() {
    static std::vector<NodeHook> hooks;
    return hooks;
}

std::vector<MethodHook>& method_hooks() {
    static std::vector<MethodHook> hooks;
    return hooks;
}

AssignHook assign_hook = nullptr;

// Relations between Types (types.cpp) keep the other side of a removed
// thing consistent, stored or not.
void (*set_remove_hook)(Query& q, SetObj* s, const std::vector<Thing*>& removed) = nullptr;

// ---- variables ------------------------------------------------------------
// The innermost binding of a slot is top_[slot]: a lookup reads it (the
// whole stack is visible, as ThingsDB's lookup walks every frame), an
// assignment replaces it when it lies in the current frame (index >=
// frame_base_) and else pushes a new binding that shadows it.

[[gnu::always_inline]] inline Value* Query::find_slot(int slot) {
    if (static_cast<size_t>(slot) < top_.size()) {
        int i = top_[static_cast<size_t>(slot)];
        if (i >= 0) return &vars[static_cast<size_t>(i)].val;
    }
    return nullptr;
}

size_t Query::push_var(int name, int slot, Value v) {
    size_t s = static_cast<size_t>(slot);
    if (s >= top_.size()) grow_top(s);
    size_t i = vars.size();
    vars.push_back({name, slot, top_[s], std::move(v)});
    top_[s] = static_cast<int32_t>(i);
    return i;
}

[[gnu::always_inline]] inline size_t Query::set_slot(int name, int slot, Value v) {
    if (static_cast<size_t>(slot) < top_.size()) {
        int i = top_[static_cast<size_t>(slot)];
        if (i >= 0 && static_cast<size_t>(i) >= frame_base_) {
            vars[static_cast<size_t>(i)].val = std::move(v);
            return static_cast<size_t>(i);
        }
    }
    return push_var(name, slot, std::move(v));
}

[[gnu::always_inline]] inline void Query::pop_vars(size_t n) {
    while (vars.size() > n) {
        Var& b = vars.back();
        top_[static_cast<size_t>(b.slot)] = b.prev;
        vars.pop_back();
    }
}

Value* Query::find_var(int name) { return find_slot(slot_of_name(name)); }

// The hot node kinds are answered here, without a call of eval_node()
// (whose entry and exit alone cost more than a variable lookup):
// literals, bound variables, binary operators, assignments and blocks. The
// evaluator's own recursion uses this inline form; eval() is its entry.
[[gnu::always_inline]] inline Value Query::ev(const Node* n) {
    switch (n->kind) {
        case NK::Lit:
            return n->lit;
        case NK::Var:
            if (Value* v = find_slot(n->slot)) return *v;
            break;
        case NK::Binary:
            return eval_binary(n);
        case NK::Assign:
            return eval_assign(n);
        case NK::Block:
            return eval_block(n);
        default:
            break;
    }
    return eval_node(n);
}

void Query::set_var(int name, Value v) { set_slot(name, slot_of_name(name), std::move(v)); }

// ---- closures -------------------------------------------------------------

Value closure_from_source(const std::string& source) {
    std::shared_ptr<Program> prog;
    try {
        prog = parse(source);
    } catch (const Error&) {
        raise(SYNTAX_ERR, "invalid syntax in closure");
    }
    if (prog->root->kids.size() != 1)
        raise(BAD_DATA_ERR, "closure is expecting exactly one statement");
    const Node* n = prog->root->kids[0];
    if (n->kind != NK::Closure) raise(LOOKUP_ERR, "node is not a closure");
    auto* c = new ClosureObj();
    c->prog = prog;
    c->node = n;
    c->source = source;
    for (int nm : n->names) c->params.push_back(interned(nm));
    c->side_effects = analyse_side_effects(n->kids[0]);
    c->stored = true;
    return Value::obj(VT::Closure, c);
}

Value Query::call(const Value& closure, const Value* args, int n) {
    ClosureObj* c = closure.closure();
    if (c->stored && c->side_effects && !change_)
        raise(OPERATION_ERR,
              "closures with side effects require a change but none is created; use `wse(...)` "
              "to enforce a change; see https://docs.thingsdb.io/v1/collection-api/wse");
    if (call_depth_ >= limits_.max_call_depth)
        raise(OPERATION_ERR, "maximum recursion depth exceeded");
    poll();
    Ref<ClosureObj> keep(c);  // the closure may be dropped by its own body
    struct Frame {
        Query& q;
        size_t vars_size, base;
        Program* prog;
        ~Frame() {
            q.pop_vars(vars_size);
            q.frame_base_ = base;
            q.cur_prog_ = prog;
            --q.call_depth_;
        }
    } frame{*this, vars.size(), frame_base_, cur_prog_};
    ++call_depth_;
    const Node* node = c->node;
    frame_base_ = vars.size();
    const int np = static_cast<int>(node->names.size());
    // The first frame makes room for a few more bindings than its parameters at once.
    if (vars.capacity() < vars.size() + static_cast<size_t>(np))
        vars.reserve(std::max<size_t>(16, 2 * (vars.size() + static_cast<size_t>(np))));
    for (int i = 0; i < np; ++i) {
        const int name = node->names[static_cast<size_t>(i)];
        const int slot = slot_of_name(name);
        if (static_cast<size_t>(slot) >= top_.size()) grow_top(static_cast<size_t>(slot));
        int32_t& top = top_[static_cast<size_t>(slot)];
        const int prev = top;
        top = static_cast<int32_t>(vars.size());
        if (i >= n)
            vars.push_back({name, slot, prev, Value()});
        else if (args[i].is(VT::List) && args[i].list()->tuple)
            vars.push_back({name, slot, prev, make_list(args[i].list()->items())});
        else
            vars.push_back({name, slot, prev, args[i]});
    }
    cur_prog_ = c->prog.get();
    Value r;
    try {
        r = ev(node->kids[0]);
    } catch (const ReturnSignal&) {
    }
    if (ctrl_ != Ctrl::None) {
        if (ctrl_ == Ctrl::Return) r = std::move(ret_val_);
        ctrl_ = Ctrl::None;
    }
    return r;
}

// ---- the evaluator ------------------------------------------------------

namespace {

// False when an operand is no int, or on overflow or a zero/negative
// divisor: binary() then gives the result or ThingsDB's error.
[[gnu::always_inline]] inline bool int_binary(Op op, const Value& a, const Value& b, Value& out) {
    if (!a.is(VT::Int) || !b.is(VT::Int)) return false;
    int64_t x = a.as_int(), y = b.as_int(), r = 0;
    switch (op) {
        case Op::Add:
            if (__builtin_add_overflow(x, y, &r)) return false;
            break;
        case Op::Sub:
            if (__builtin_sub_overflow(x, y, &r)) return false;
            break;
        case Op::Mul:
            if (__builtin_mul_overflow(x, y, &r)) return false;
            break;
        case Op::Mod:
            if (y <= 0) return false;
            r = x % y;
            break;
        case Op::Lt:
            out = Value::boolean(x < y);
            return true;
        case Op::Gt:
            out = Value::boolean(x > y);
            return true;
        case Op::Le:
            out = Value::boolean(x <= y);
            return true;
        case Op::Ge:
            out = Value::boolean(x >= y);
            return true;
        case Op::Eq:
            out = Value::boolean(x == y);
            return true;
        case Op::Ne:
            out = Value::boolean(x != y);
            return true;
        default:
            return false;
    }
    out = Value::integer(r);
    return true;
}

}  // namespace

Value Query::eval(const Node* n) { return ev(n); }

Value Query::eval_block(const Node* n) {
    check_stack_depth();  // ev() answers blocks without eval_node()
    const size_t nk = n->kids.size();
    if (nk == 0) return Value();
    for (size_t i = 0; i + 1 < nk; ++i) {
        Value v = ev(n->kids[i]);
        if (ctrl_ != Ctrl::None) return v;
    }
    return ev(n->kids[nk - 1]);
}

// Operands that are literals or bound variables are read in place (a
// variable only while the other operand cannot change the variables), and
// arithmetic and comparisons of two ints skip the general operator rules.
Value Query::eval_binary(const Node* n) {
    const Node* l = n->kids[0];
    const Node* r = n->kids[1];
    check_stack_depth();  // ev() answers operators without eval_node()
    if (l->kind == NK::Binary && l->kids[0]->kind == NK::Binary) return eval_chain(n);
    Value ta, tb;
    const Value* a = nullptr;
    const Value* b = nullptr;
    if (r->kind == NK::Lit || r->kind == NK::Var) {
        if (l->kind == NK::Lit)
            a = &l->lit;
        else if (l->kind == NK::Var)
            a = find_slot(l->slot);
        if (!a) {
            ta = ev(l);
            a = &ta;
        }
        if (r->kind == NK::Lit)
            b = &r->lit;
        else
            b = find_slot(r->slot);
        if (!b) {
            tb = eval_node(r);
            b = &tb;
        }
    } else {
        ta = ev(l);
        a = &ta;
        tb = ev(r);
        b = &tb;
    }
    if (a->is(VT::Int) && b->is(VT::Int)) {
        Value out;
        if (int_binary(n->op, *a, *b, out)) return out;
    }
    return binary(n->op, *a, *b);
}

// `~` (a run of `slot` tildes) with the signs written after it: the value
// below the signs is taken first, as ThingsDB applies one sequence of prefix
// operators (prefix_invert).
Value Query::eval_invert(const Node* n) {
    const Node* m = n->kids[0];
    bool neg = false;
    while (m->kind == NK::Neg || m->kind == NK::Pos) {
        if (m->kind == NK::Neg) neg = !neg;
        m = m->kids[0];
    }
    return prefix_invert(n->slot & 1, neg, m->kind == NK::Not, eval(m));
}

// Left-associative operator chains (`1 + 1 + ...`, `a && b || c ...`) are as
// deep as the code is long: their left spine is walked with a loop, and each
// right operand evaluated on the way back up, in the order of the source.
static bool chain_kind(const Node* n) {
    return n->kind == NK::Binary || n->kind == NK::And || n->kind == NK::Or;
}

Value Query::eval_chain(const Node* n) {
    check_stack_depth();
    std::vector<const Node*> spine;
    const Node* p = n;
    for (; chain_kind(p); p = p->kids[0]) spine.push_back(p);
    Value acc = ev(p);
    for (size_t i = spine.size(); i-- > 0;) {
        const Node* s = spine[i];
        if (s->kind == NK::And) {
            if (truthy(acc)) acc = ev(s->kids[1]);
        } else if (s->kind == NK::Or) {
            if (!truthy(acc)) acc = ev(s->kids[1]);
        } else {
            Value b = ev(s->kids[1]);
            Value out;
            if (acc.is(VT::Int) && b.is(VT::Int) && int_binary(s->op, acc, b, out))
                acc = std::move(out);
            else
                acc = binary(s->op, acc, b);
        }
    }
    return acc;
}

Value Query::eval_node(const Node* n) {
    // Whatever the settings allow (nesting of code times nesting of calls),
    // the evaluator stays within the stack guard (error.h).
    check_stack_depth();
    switch (n->kind) {
        case NK::Lit:
            return n->lit;
        case NK::Template: {
            std::string s;
            for (const Node* k : n->kids) s += to_display(eval(k));
            return Value::str(std::move(s));
        }
        case NK::Var: {
            Value* v = find_var(n->name);  // eval() found no binding by slot
            if (!v) {
                Value c;  // QUERY, CHANGE, ... FULL (access.h)
                if (access_constant(interned(n->name), c)) return c;
                if (math_constant(interned(n->name), c)) return c;  // MATH_PI, INT_MAX, ...
                raisef(LOOKUP_ERR, "variable `%s` is undefined", interned(n->name).c_str());
            }
            return *v;
        }
        case NK::Assign:
            return eval_assign(n);
        case NK::Call:
            return eval_call(n);
        case NK::Root:
            return need_collection().root();
        case NK::ThingById: {
            Value t = need_collection().thing_by_id(static_cast<uint64_t>(n->lit.as_int()));
            if (t.is_nil())
                raisef(LOOKUP_ERR, "collection `%s` has no `thing` with id %lld",
                       need_collection().row().name.c_str(),
                       static_cast<long long>(n->lit.as_int()));
            return t;
        }
        case NK::Prop: {
            Value obj = eval(n->kids[0]);
            if (n->optional && obj.is_nil()) return obj;
            if (obj.is(VT::Wrap))
                return wrap_prop(*this, obj, interned(n->name), n->optional);  // wrap.cpp
            if (!obj.is(VT::Thing)) raisef(TYPE_ERR, "type `%s` has no properties", type_name(obj));
            Value* v = obj.thing()->get(interned(n->name));
            if (!v) {
                if (n->optional) return Value();
                raisef(LOOKUP_ERR, "thing %s has no property `%s`",
                       thing_label(obj.thing()).c_str(), interned(n->name).c_str());
            }
            return *v;
        }
        case NK::PropAssign:
            return eval_prop_assign(n);
        case NK::Method:
            return eval_method(n);
        case NK::Index:
            return eval_index(n);
        case NK::IndexAssign:
            return eval_index_assign(n);
        case NK::Slice:
            return eval_slice(n);
        case NK::SliceAssign:
            return eval_slice_assign(n);
        case NK::ThingLit: {
            Thing* t = new Thing();
            Value out = make_thing(t);
            t->props_.reserve(n->kids.size());
            for (size_t i = 0; i < n->kids.size(); ++i) {
                Value v = assignable(eval(n->kids[i]), t, false);
                const std::string& key = interned(n->names[i]);
                Value* cur = t->get(key);
                if (cur)
                    *cur = std::move(v);
                else
                    t->props_.push_back({key, std::move(v)});
                Value& stored = cur ? *cur : t->props_.back().val;
                if (stored.is(VT::List))
                    stored.list()->owner = {t, key};
                else if (stored.is(VT::Set))
                    stored.set()->owner = {t, key};
            }
            return out;
        }
        case NK::ListLit: {
            check_list_size(n->kids.size());
            auto* l = new ListObj();
            Value out = Value::obj(VT::List, l);
            l->items().reserve(n->kids.size());
            for (const Node* k : n->kids) l->items().push_back(assignable(eval(k), nullptr, true));
            return out;
        }
        case NK::Instance:
        case NK::EnumMember: {
            for (NodeHook h : instance_hooks()) {
                bool handled = false;
                Value v = h(*this, n, handled);
                if (handled) return v;
            }
            raisef(LOOKUP_ERR,
                   n->kind == NK::Instance ? "type `%s` is undefined" : "enum `%s` is undefined",
                   interned(n->name).c_str());
        }
        case NK::Not:
            return Value::boolean(!truthy(eval(n->kids[0])));
        case NK::Neg:
        case NK::Pos:
            return prefix_sign(n->kind == NK::Neg, eval(n->kids[0]));
        case NK::Inv:
            return eval_invert(n);
        case NK::Binary:
            return eval_binary(n);
        case NK::And: {
            if (chain_kind(n->kids[0])) return eval_chain(n);
            Value a = eval(n->kids[0]);
            return truthy(a) ? eval(n->kids[1]) : a;
        }
        case NK::Or: {
            if (chain_kind(n->kids[0])) return eval_chain(n);
            Value a = eval(n->kids[0]);
            return truthy(a) ? a : eval(n->kids[1]);
        }
        case NK::Ternary:
            return truthy(eval(n->kids[0])) ? eval(n->kids[1]) : eval(n->kids[2]);
        case NK::Block:
            return eval_block(n);
        case NK::Closure: {
            auto* c = new ClosureObj();
            Value out = Value::obj(VT::Closure, c);
            c->prog = current_program_ref();
            c->node = n;
            c->source = cur_prog_->source.substr(n->pos, n->end - n->pos);
            while (!c->source.empty() && std::isspace(static_cast<unsigned char>(c->source.back())))
                c->source.pop_back();
            for (int nm : n->names) c->params.push_back(interned(nm));
            c->side_effects = analyse_side_effects(n->kids[0]);
            return out;
        }
        case NK::If: {
            if (truthy(eval(n->kids[0])))
                eval(n->kids[1]);
            else if (n->kids.size() > 2)
                eval(n->kids[2]);
            return Value();
        }
        case NK::For:
            return eval_for(n);
        case NK::Return: {
            Value v = n->kids.empty() ? Value() : eval(n->kids[0]);
            if (n->kids.size() > 1) {
                Value d = eval(n->kids[1]);
                if (!d.is(VT::Int))
                    raisef(TYPE_ERR,
                           "expecting `deep` to be of type `int` but got type `%s` instead",
                           type_name(d));
                if (d.as_int() < 0 || d.as_int() > 127)
                    raisef(VALUE_ERR,
                           "expecting a `deep` value between 0 and 127 but got %lld instead",
                           static_cast<long long>(d.as_int()));
                deep_ = static_cast<int>(d.as_int());
            }
            if (n->kids.size() > 2) eval(n->kids[2]);
            ret_val_ = std::move(v);
            ctrl_ = Ctrl::Return;
            if (!n->stmt) throw ReturnSignal{};
            return Value();
        }
        case NK::Break:
            ctrl_ = Ctrl::Break;
            return Value();
        case NK::Continue:
            ctrl_ = Ctrl::Continue;
            return Value();
    }
    return Value();
}

std::shared_ptr<Program> Query::current_program_ref() { return cur_prog_->shared_from_this(); }

Value Query::eval_assign(const Node* n) {
    check_stack_depth();  // ev() answers assignments without eval_node()
    Value v = ev(n->kids[0]);
    if (n->op != Op::None) {
        // A compound assignment updates the variable where it lives, also
        // from inside a closure.
        Value* cur = find_slot(n->slot >= 0 ? n->slot : slot_of_name(n->name));
        if (!cur) raisef(LOOKUP_ERR, "variable `%s` is undefined", interned(n->name).c_str());
        Value r;
        if (int_binary(n->op, *cur, v, r)) {
            *cur = r;
            return r;
        }
        v = binary(n->op, *cur, v);
        if (v.is(VT::List) && v.list()->tuple) v = make_list(v.list()->items());
        *cur = v;
        return v;
    }
    // A variable holds a list, never a tuple (ThingsDB copies it back). A
    // list or set a thing holds is shared: `x = .list; x.push(1)` changes
    // .list, in a query that is a change (fn/list.cpp, fn/set.cpp).
    if (v.is(VT::List) && v.list()->tuple) v = make_list(v.list()->items());
    set_slot(n->name, n->slot >= 0 ? n->slot : slot_of_name(n->name), v);
    return v;
}

Value Query::call_builtin(const FnDef* fn, Value* self, Args& a) {
    try {
        return fn->impl(*this, self, a);
    } catch (const Error& e) {
        std::string msg;
        if (documented_error(e, a, msg)) throw Error(e.code(), std::move(msg), e.hint());
        throw;
    }
}

Value Query::eval_call(const Node* n) {
    const std::string& name = interned(n->name);
    // The built-ins are registered once, so a node's lookup holds for good.
    if (!n->fn_known) {
        n->fn = find_function(name);
        n->fn_known = true;
    }
    const FnDef* fn = n->fn;
    if (fn) {
        unsigned need = scope_.kind == Scope::THINGSDB ? FN_THINGSDB : FN_COLLECTION;
        if (!(fn->flags & need)) {
            raisef(LOOKUP_ERR,
                   "function `%s` is undefined in the `%s` scope; you might want to query %s?",
                   name.c_str(), scope_kind_label(),
                   (fn->flags & FN_THINGSDB) ? "the `@thingsdb` scope" : "a `@collection` scope");
        }
        Args a(*this, fn->name, n->kids.data(), static_cast<int>(n->kids.size()));
        return call_builtin(fn, nullptr, a);
    }
    if (Value* v = find_var(n->name)) {
        if (!v->is(VT::Closure))
            raisef(TYPE_ERR, "variable `%s` is of type `%s` and is not callable", name.c_str(),
                   type_name(*v));
        Value c = *v;
        return call_with_nodes(c, n->kids.data(), static_cast<int>(n->kids.size()));
    }
    for (NodeHook h : call_hooks()) {
        bool handled = false;
        Value v = h(*this, n, handled);
        if (handled) return v;
    }
    // ThingsDB's functions of the node scope, and of the @thingsdb scope
    // that manage nodes and modules: there is no such scope or service here,
    // but ThingsDB's hint tells where the code was meant to run.
    static const std::string_view node_fns[] = {
        "backup_info",    "backups_info",  "backups_ok", "counters",   "del_backup",
        "has_backup",     "new_backup",    "node_info",  "nodes_info", "reset_counters",
        "restart_module", "set_log_level", "shutdown"};
    static const std::string_view thingsdb_fns[] = {
        "new_node",         "del_node",      "has_node",     "new_module",    "del_module",
        "has_module",       "module_info",   "modules_info", "rename_module", "set_module_conf",
        "set_module_scope", "deploy_module", "restore"};
    const char* hint = nullptr;
    for (std::string_view f : node_fns)
        if (f == name) hint = "a `@node` scope";
    if (scope_.kind != Scope::THINGSDB)
        for (std::string_view f : thingsdb_fns)
            if (f == name) hint = "the `@thingsdb` scope";
    if (hint)
        raisef(LOOKUP_ERR,
               "function `%s` is undefined in the `%s` scope; you might want to query %s?",
               name.c_str(), scope_kind_label(), hint);
    raisef(LOOKUP_ERR, "function `%s` is undefined", name.c_str());
}

Value Query::call_with_nodes(const Value& closure, const Node* const* kids, int nkids) {
    // Only as many arguments as the closure takes are evaluated.
    int np = static_cast<int>(closure.closure()->params.size());
    std::vector<Value> args;
    for (int i = 0; i < nkids && i < np; ++i) args.push_back(ev(kids[i]));
    return call(closure, args.data(), static_cast<int>(args.size()));
}

Value Query::eval_method(const Node* n) {
    Value obj = eval(n->kids[0]);
    if (n->optional && obj.is_nil()) return obj;
    const std::string& name = interned(n->name);
    const FnDef* fn = find_method(obj.type(), name);
    if (fn) {
        Args a(*this, fn->name, n->kids.data() + 1, static_cast<int>(n->kids.size()) - 1,
               obj.type());
        return call_builtin(fn, &obj, a);
    }
    if ((obj.is(VT::Thing) && obj.thing()->type_id != kNoType) || obj.is(VT::Wrap) ||
        obj.is(VT::EnumMember)) {
        for (MethodHook h : method_hooks()) {
            bool handled = false;
            Value v = h(*this, obj, n, handled);
            if (handled) return v;
        }
    }
    if (obj.is(VT::Thing)) {
        Value* p = obj.thing()->get(name);
        if (p && p->is(VT::Closure)) {
            Value c = *p;
            return call_with_nodes(c, n->kids.data() + 1, static_cast<int>(n->kids.size()) - 1);
        }
        if (p)
            raisef(TYPE_ERR, "property `%s` is of type `%s` and is not callable", name.c_str(),
                   type_name(*p));
        if (n->optional) return Value();
        raisef(LOOKUP_ERR, "thing %s has no property or method `%s`",
               thing_label(obj.thing()).c_str(), name.c_str());
    }
    raisef(LOOKUP_ERR, "type `%s` has no function `%s`", type_name(obj), name.c_str());
}

Value Query::eval_for(const Node* n) {
    Value it = eval(n->kids[0]);
    const Node* body = n->kids[1];
    const std::vector<int>& names = n->names;
    // The loop's variables are bound in the current frame at the first step
    // and stay at the same index in vars (deeper frames are popped before
    // the next step), so later steps store into them directly.
    const int slot0 = slot_of_name(names[0]);
    const int slot1 = names.size() > 1 ? slot_of_name(names[1]) : -1;
    size_t at0 = SIZE_MAX, at1 = SIZE_MAX;
    // One step of the loop; false when the loop must stop.
    auto step = [&](Value && a, Value && b) __attribute__((always_inline))->bool {
        poll();
        if (at0 == SIZE_MAX) {
            at0 = set_slot(names[0], slot0, std::move(a));
            if (slot1 >= 0) at1 = set_slot(names[1], slot1, std::move(b));
        } else {
            vars[at0].val = std::move(a);
            if (slot1 >= 0) vars[at1].val = std::move(b);
        }
        ev(body);
        if (ctrl_ == Ctrl::Continue) ctrl_ = Ctrl::None;
        if (ctrl_ == Ctrl::Break) {
            ctrl_ = Ctrl::None;
            return false;
        }
        return ctrl_ == Ctrl::None;
    };
    struct InUse {
        uint32_t* c;
        explicit InUse(uint32_t* c) : c(c) {
            if (c) ++*c;
        }
        ~InUse() {
            if (c) --*c;
        }
    };
    switch (it.type()) {
        case VT::List: {
            InUse lock(&it.list()->in_use);
            auto& items = it.list()->items();
            for (size_t i = 0; i < items.size(); ++i) {
                Value item = items[i];
                if (item.is(VT::List) && item.list()->tuple) item = make_list(item.list()->items());
                if (!step(std::move(item),
                          slot1 >= 0 ? Value::integer(static_cast<int64_t>(i)) : Value()))
                    break;
            }
            break;
        }
        case VT::Thing: {
            InUse lock(&it.thing()->in_use);
            auto& props = it.thing()->props();
            for (size_t i = 0; i < props.size(); ++i) {
                if (!step(Value::str(props[i].key), Value(props[i].val))) break;
            }
            break;
        }
        case VT::Set: {
            InUse lock(&it.set()->in_use);
            auto items = it.set()->items;
            for (auto& t : items) {
                Value tv = make_thing(t.get());
                Value id = t->id ? Value::integer(static_cast<int64_t>(t->id)) : Value();
                if (!step(std::move(tv), std::move(id))) break;
            }
            break;
        }
        default:
            raisef(TYPE_ERR, "type `%s` is not iterable", type_name(it));
    }
    return Value();
}

}  // namespace tdb
