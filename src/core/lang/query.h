// One query: its scope, variables, change state and the evaluator's entry points.
#pragma once

#include "core/api/pure.h"

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/api/engine.h"
#include "core/fn/fn.h"
#include "core/api/storage.h"
#include "core/model/poll.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

struct Node;
struct Program;

// A closure value: the parsed body it points into and its source text.
struct ClosureObj : Obj {
    std::shared_ptr<Program> prog;  // keeps the AST alive
    const Node* node = nullptr;     // the closure node (params + body)
    std::string source;             // as written, for rendering
    std::vector<std::string> params;
    bool side_effects = false;  // its body may change stored data
    bool stored = false;        // read back from storage (not this query's code)
};

// A closure from its source text (stored closures, procedures).
Value closure_from_source(const std::string& source);

class Query;
struct Identity;

// Thrown by a `return` inside an expression (Node::stmt false), after it set
// the query's return value: caught where a closure's body or the query
// ends. No Error: try() does not catch it.
struct ReturnSignal {};
void check_change_access(Query& q);  // access.cpp

class Query {
public:
    Query(Storage& st, const Scope& scope);
    ~Query();

    Storage& storage() { return st_; }
    const Scope& scope() const { return scope_; }
    // The scope's collection (nullptr in @thingsdb). Its lock (Storage::lock_collection) is
    // taken at the first use: whatever reads or writes its things, Types, enums, rooms or tasks
    // gets it here, before the read, and a call that never does (a procedure computing from
    // its arguments) takes no lock. May raise (a lock wait ended by a timeout or deadlock).
    Collection* collection() {
        if (coll_ && !coll_locked_) lock_collection();
        return coll_.get();
    }
    // The id catalogs (procedures, types, enums) are kept under: the
    // collection's id, or 0 for the @thingsdb scope.
    uint64_t scope_id() const { return coll_ ? coll_->id() : 0; }
    Collection& need_collection();  // raises in @thingsdb
    const Limits& limits() const { return limits_; }

    // Runs a whole query text; the value of its last statement (or return).
    Value run(std::string_view code);
    // Writes the changes of the collection (Collection::flush) and records the events of
    // the rooms it deleted.
    void flush();
    Value run(std::shared_ptr<Program> prog);  // parsed already
    // Opened as a reader (Storage::set_reader) because its code has no side
    // effects: a change after all (wse()) takes the collection lock as a writer first.
    bool reader_by_code = false;
    int deep() const { return deep_; }
    void set_deep(int d) { deep_ = d; }
    void bind(const std::string& name, Value v);

    // Evaluating.
    Value eval(const Node* n);
    // Calls a closure with arguments; missing ones are nil, extra ignored.
    Value call(const Value& closure, const Value* args, int n);
    Value call(const Value& closure, std::initializer_list<Value> args) {
        return call(closure, args.begin(), static_cast<int>(args.size()));
    }
    Value call_with_nodes(const Value& closure, const Node* const* kids, int nkids);
    // thingsdb.max_things: polled, and once more before the changes are written.
    void check_things_quota() const;
    // Checks for cancel/timeouts every so many steps (model/poll.h).
    void poll() { poll_tick(); }
    // The check itself: the storage's interrupts and the things quota.
    void poll_check();

    // Changes. A query is a change when its code may change stored data;
    // wse() forces it. Mutating a stored thing outside a change is refused.
    bool is_change() const { return change_; }
    // How a refused change is enforced: "remove `nse" when the code called
    // nse() before anything that changes, else "use `wse".
    const char* enforce_hint() const { return nse_ ? "remove `nse" : "use `wse"; }
    // Becoming a change needs CHANGE on the scope (access.h).
    void set_change(bool c) {
        if (c && !change_ && !read_only.empty())
            raise(OPERATION_ERR, "the query changes data but " + read_only);
        if (c && !change_ && identity) check_change_access(*this);
        if (c && !change_ && reader_by_code) become_writer();
        change_ = c;
    }
    // Who runs the query (access.h); nullptr: no access checks.
    const Identity* identity = nullptr;
    // Read-only runs (tdb_query_ro, tdb_call_ro, a read-only transaction, a
    // hot standby): why becoming a change is refused (operation_err "the
    // query changes data but <read_only>"); empty: changes are allowed.
    std::string read_only;
    void require_change();  // operation_err when not a change
    void become_writer();

    // Before a value goes into a thing's property or a list/set of a thing:
    // lists become tuples inside lists, shared containers are copied, things
    // placed under a stored thing get ids. `owner` may be nullptr (not stored).
    Value assignable(Value v, Thing* owner, bool into_list);
    // The same for a property `key` of owner (Into::Prop), or an item of the
    // list or set that property holds: first checks the value against the
    // Type definition when owner is a Type instance (assign_hook, types.cpp).
    enum class Into : uint8_t { Prop, List, Set };
    Value assignable_to(Value v, Thing* owner, const std::string& key, Into into);
    // Notifications after a change, for dirt tracking and events.
    void prop_set(Thing* t, const std::string& key);
    void prop_del(Thing* t, const std::string& key);
    void list_splice(ListObj* l, size_t index, size_t ndel, size_t nadd);
    void set_add(SetObj* s, const std::vector<Thing*>& added);
    void set_remove(SetObj* s, const std::vector<Thing*>& removed);
    // Watch events: mutations of stored things in the order applied. Each
    // job is one mutation object of ThingsDB's update event, e.g.
    // {"set":{"name":"Iris"}}; collection-level jobs (types, enums,
    // procedures) go on the collection's root thing.
    struct Job {
        uint64_t thing_id;
        std::string json;
    };
    std::vector<Job> jobs;
    void add_job(uint64_t thing_id, std::string json) {
        jobs.push_back({thing_id, std::move(json)});
    }
    // Things of this query already sent whole in a job (events.cpp) carry this number in
    // Thing::sent_whole_in: later jobs refer to them by id, as ThingsDB unmarks a new thing
    // once packed. A number per query, never 0, so no set of ids grows with the things made.
    const uint32_t job_serial = next_job_serial();
    // Refuse to change a container or thing while it is iterated.
    void check_not_in_use(const Value& v);
    // A list or set is locked while a method iterates or extends it (InUseMark): the
    // property holding it can be neither replaced nor removed meanwhile (operation_err).
    void check_prop_free(Thing* t, const std::string& key);

    // Render a value as ThingsDB JSON (deep levels of things; io/render.cpp).
    std::string to_json(const Value& v, int deep);
    // Sets a property as `t.key = v` does (conversion, owner, dirt).
    void store_prop(Thing* t, const std::string& key, Value v);
    static uint32_t next_job_serial() {
        static uint32_t last = 0;
        if (++last == 0) ++last;
        return last;
    }
    std::string scope_label() const;  // "@thingsdb", "@:stuff"
    // The kind of scope as ThingsDB's "undefined in the ... scope" names it:
    // "@thingsdb", "@node" or "@collection".
    const char* scope_kind_label() const;
    // Variables by interned name: the innermost binding (ThingsDB looks a
    // name up through the whole stack, so a closure sees the variables of
    // the code that calls it); set_var binds in the current frame only.
    Value* find_var(int name);
    void set_var(int name, Value v);

private:
    enum class Ctrl : uint8_t { None, Break, Continue, Return };
    Value eval_assign(const Node* n);
    // Runs a built-in; an error about the call itself gets its documentation page.
    Value call_builtin(const FnDef* fn, Value* self, Args& a);
    Value eval_call(const Node* n);
    Value eval_method(const Node* n);
    Value eval_prop_assign(const Node* n);
    Value eval_index(const Node* n);
    Value eval_index_assign(const Node* n);
    Value eval_slice(const Node* n);
    Value eval_slice_assign(const Node* n);
    Value eval_for(const Node* n);
    Value ev(const Node* n);         // eval() inline, for the evaluator's own use
    Value eval_node(const Node* n);  // every kind; eval() answers the hot ones itself
    Value eval_binary(const Node* n);
    Value eval_invert(const Node* n);
    Value eval_chain(const Node* n);  // left-deep operator chains, by a loop
    Value eval_block(const Node* n);
    // The variable stack (see Var below).
    Value* find_slot(int slot);
    size_t set_slot(int name, int slot, Value v);  // index of the binding
    size_t push_var(int name, int slot, Value v);
    void pop_vars(size_t n);    // back to n bindings
    std::vector<int32_t> top_;  // per slot: index in vars of its innermost binding, or -1
    void grow_top(size_t slot);
    std::shared_ptr<Program> current_program_ref();
    Ctrl ctrl_ = Ctrl::None;
    Value ret_val_;
    Program* cur_prog_ = nullptr;
    size_t frame_base_ = 0;
    int call_depth_ = 0;
    Storage& st_;
    Scope scope_;
    std::unique_ptr<Collection> coll_;
    // lock_collection() ran (the lock is held, or a reader went on without it).
    bool coll_locked_ = false;
    void lock_collection();
    Limits limits_;
    int deep_ = 1;
    bool change_ = false;
    bool nse_ = false;
    uint64_t things_base_ = 0;  // things_made when the query started
    StackBase stack_base_;      // the outermost query records where its stack starts
    size_t prev_max_str_ = 0;

public:
    // The evaluator's state (see eval.cpp). Variables are a stack of
    // bindings, innermost last; a closure call pushes its frame and pops it
    // on return. Each name used as a variable has a slot (var_slot()): top_
    // holds per slot the index of its innermost binding, so a lookup is no
    // search, and a binding remembers the one it shadows (prev) for the pop.
    struct Var {
        int name;  // interned
        int slot;  // var_slot(name)
        int prev;  // index of the binding of the same slot it shadows, or -1
        Value val;
    };
    std::vector<Var> vars;
    int depth = 0;
    std::vector<std::shared_ptr<Program>> programs;

    // The query being evaluated (for hooks that get no Query, such as the
    // type name of a value); nullptr outside run_query.
    static Query* current();
    // State of the Type/enum layer for this query (types.cpp); opaque here.
    std::shared_ptr<void> types_state;
    // This query's task objects and the task it runs (fn/tasks.cpp).
    std::shared_ptr<void> tasks_state;
    // The futures made on each closure's code in this query (fn/future.cpp).
    std::unordered_map<const Node*, int> future_counts;
    // Sets the closure call depth, returning the one it replaces: a future's
    // closure starts at 0, as in the context of its own ThingsDB runs it in.
    int swap_call_depth(int d) {
        int old = call_depth_;
        call_depth_ = d;
        return old;
    }

private:
    Query* prev_current_ = nullptr;
};

// Layers above the evaluator (procedures, Types, enums) resolve what it does
// not know itself: a call `name(...)` that is no built-in and no variable, and
// the `Name{...}` instance and enum forms. A hook sets `handled` when the name
// was its own. init_core() (core/init.cpp) installs every hook, once.
using NodeHook = Value (*)(Query& q, const Node* n, bool& handled);
std::vector<NodeHook>& call_hooks();      // NK::Call fallbacks, in order
std::vector<NodeHook>& instance_hooks();  // NK::Instance and NK::EnumMember
// Methods of a Type instance that no built-in answers (its Type's methods).
using MethodHook = Value (*)(Query& q, Value& self, const Node* n, bool& handled);
std::vector<MethodHook>& method_hooks();
// Checks (and may convert) a value that goes into a Type instance (see
// Query::assignable_to); raises when the Type refuses it.
using AssignHook = void (*)(Query& q, Value& v, Thing* owner, const std::string& key,
                            Query::Into into);
extern AssignHook assign_hook;
// type() of a Type instance, an enum member or a wrap, whose names live in the
// collection's catalog (model/value.cpp; without it "thing", "enum", "<thing>").
extern const char* (*type_name_hook)(const Value& v);
// Things removed from a set held by a Type instance (relations; lang/eval.cpp).
extern void (*set_remove_hook)(Query& q, SetObj* s, const std::vector<Thing*>& removed);

int intern(std::string_view name);
const std::string& interned(int id);
// A small dense number per interned name used as a variable (parse() stores
// it in Var, Assign and Call nodes), indexing the query's bindings.
int var_slot(int name);

}  // namespace tdb
