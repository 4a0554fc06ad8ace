// A Query's life: the query being evaluated, the configured limits, opening
// the scope (collection lookup and lock), run() from source text to result,
// polling for cancels and quotas, and the checks that make it a change.
#include "core/lang/query.h"

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/lang/ast.h"
#include "core/model/datetime.h"
#include "core/model/room.h"

namespace tdb {

namespace {
// The innermost query being evaluated; a query opened while another runs
// (watch_init, a nested run) restores the outer one when it ends.
Query* g_current_query = nullptr;
}  // namespace

Query* Query::current() { return g_current_query; }

unsigned g_poll_ticks = 0;
void poll_now() {
    if (g_current_query) g_current_query->poll_check();
}
bool query_running() { return g_current_query != nullptr; }

void check_list_size(size_t n) {
    if (g_current_query && n > g_current_query->limits().max_list)
        raisef(MAX_QUOTA_ERR, "maximum array size quota of %zu has been reached",
               g_current_query->limits().max_list);
}

Limits& configured_limits() {
    static Limits limits;
    return limits;
}

Query::Query(Storage& st, const Scope& scope)
    : st_(st), scope_(scope), limits_(configured_limits()), things_base_(things_made) {
    prev_current_ = g_current_query;
    if (!prev_current_) g_poll_ticks = 0;  // a query polls as if it ran alone
    g_current_query = this;
    struct Restore {  // the constructor may throw: no destructor runs then
        Query* q;
        bool armed = true;
        ~Restore() {
            if (armed) g_current_query = q->prev_current_;
        }
    } restore{this};
    if (scope.kind == Scope::COLLECTION) {
        CollectionRow row;
        if (scope.name.empty()) {  // "@:123"
            if (!st.find_collection_by_id(scope.id, row))
                raisef(LOOKUP_ERR, "`collection:%llu` not found",
                       static_cast<unsigned long long>(scope.id));
            scope_.name = row.name;  // labels and events name the collection
        } else if (!st.find_collection(scope.name, row)) {
            raisef(LOOKUP_ERR, "collection `%s` not found", scope.name.c_str());
        }
        coll_.emplace(st, row);    // locked at its first use
        deep_ = row.default_deep;  // set_default_deep()
    }
    restore.armed = false;
    prev_max_str_ = max_str_size;
    max_str_size = limits_.max_str;
    take_spare();
}

namespace {
// The emptied buffers of the last outermost query; kept only while small.
struct Spare {
    std::vector<int32_t> top;
    std::vector<Query::Var> vars;
    std::vector<std::shared_ptr<Program>> programs;
    bool lent = false;
};
Spare g_spare;
constexpr size_t kSpareMax = 256;
}  // namespace

void Query::take_spare() {
    if (g_spare.lent) return;
    top_.swap(g_spare.top);
    vars.swap(g_spare.vars);
    programs.swap(g_spare.programs);
    g_spare.lent = true;
    spare_taken_ = true;
}

void Query::return_spare() {
    if (!spare_taken_) return;
    top_.clear();
    vars.clear();
    programs.clear();
    if (top_.capacity() <= kSpareMax && vars.capacity() <= kSpareMax &&
        programs.capacity() <= kSpareMax) {
        top_.swap(g_spare.top);
        vars.swap(g_spare.vars);
        programs.swap(g_spare.programs);
    }
    g_spare.lent = false;
}

Query::~Query() {
    // Values first: they may point into the collection's identity map.
    types_state.reset();
    tasks_state.reset();
    vars.clear();
    ret_val_ = Value();
    coll_.reset();
    return_spare();
    g_current_query = prev_current_;
    max_str_size = prev_max_str_;
    if (!g_current_query) {
        release_all_things();
        dt_restore_process_zone();  // no query leaves the C library's zone behind
    }
}

void Query::lock_collection() {
    st_.lock_collection(coll_->id(), false);  // shared; mod_type takes it exclusive
    coll_locked_ = true;
}

Collection& Query::need_collection() {
    if (coll_ && !coll_locked_) lock_collection();
    if (!coll_)
        raisef(LOOKUP_ERR,
               "the `root` of the `%s` scope is inaccessible; you might want to query a "
               "`@collection` scope?",
               scope_.kind == Scope::THINGSDB ? "@thingsdb" : "@node");
    return *coll_;
}

void Query::bind(const std::string& name, Value v) {
    int id = intern(name);
    push_var(id, var_slot(id), std::move(v));
}

Value Query::run(std::string_view code) { return run(parse(code, limits_.max_parse_depth)); }

void Query::become_writer() {
    reader_by_code = false;
    st_.set_reader(false);
    // Waits for a mod_type now; a collection not used yet is locked as a writer's at its first
    // use.
    if (coll_ && coll_locked_) st_.lock_collection(coll_->id(), false);
}

Value Query::run(std::shared_ptr<Program> prog) {
    programs.push_back(prog);
    if (prog->nse) nse_ = true;
    if (prog->side_effects) set_change(true);  // checks CHANGE (access.h)
    cur_prog_ = prog.get();
    Value result;
    try {
        result = eval(prog->root);
    } catch (const ReturnSignal&) {
    }
    if (ctrl_ == Ctrl::Return) result = std::move(ret_val_);
    ctrl_ = Ctrl::None;
    // The polls look every 1024 steps: a query that ends between two of
    // them is held to the same count.
    check_things_quota();
    flush();
    return result;
}

void Query::flush() {
    if (!coll_ || !coll_locked_) return;  // a collection never used has nothing to write
    coll_->flush();
    // A room deleted by the flush (nothing refers to it any more) tells its joined sessions.
    for (uint64_t id : coll_->take_deleted_rooms()) {
        std::string json = "{\"room\":\"delete\",\"scope\":";
        json_escape(json, scope_label());
        json += ",\"id\":" + std::to_string(id) + "}";
        add_room_event(*this, id, std::move(json));
    }
}

void Query::check_things_quota() const {
    if (things_made - things_base_ > limits_.max_things)
        raisef(MAX_QUOTA_ERR, "maximum number of things per query quota of %zu has been reached",
               limits_.max_things);
}

void Query::poll_check() {
    st_.check_interrupts();
    check_things_quota();
}

void Query::require_change() {
    if (!change_)
        raisef(OPERATION_ERR, "operation on a stored thing; %s(...)` to enforce a change",
               enforce_hint());
}

std::string Query::scope_label() const {
    switch (scope_.kind) {
        case Scope::THINGSDB:
            return "@thingsdb";
        case Scope::NODE:
            return "@node";
        default:
            return "@:" + scope_.name;
    }
}

const char* Query::scope_kind_label() const {
    switch (scope_.kind) {
        case Scope::THINGSDB:
            return "@thingsdb";
        case Scope::NODE:
            return "@node";
        default:
            return "@collection";
    }
}

}  // namespace tdb
