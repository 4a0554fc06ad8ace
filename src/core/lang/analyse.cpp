// What is read from code besides its tree: whether it may change stored data
// (analyse_side_effects, which makes a query a change), and a closure's text
// as ThingsDB stores it (compact_closure).
#include <cctype>
#include <vector>

#include "core/fn/fn.h"
#include "core/lang/parser.h"
#include "core/lang/query.h"

namespace tdb {

std::string compact_closure(std::string_view src) {
    // ThingsDB writes a stored closure as its tokens without the space
    // between them; a space stays only where two names or numbers would
    // otherwise run together (`return x`).
    std::string out;
    out.reserve(src.size());
    bool pending_space = false;
    size_t i = 0;
    auto emit = [&](char c) {
        if (pending_space && !out.empty() && is_name_char(out.back()) && is_name_char(c))
            out.push_back(' ');
        pending_space = false;
        out.push_back(c);
    };
    auto copy_quoted = [&](char q) {
        emit(src[i++]);
        while (i < src.size()) {
            char c = src[i++];
            out.push_back(c);
            if (c == q) {
                if (i < src.size() && src[i] == q && q != '/') {
                    out.push_back(src[i++]);
                    continue;
                }
                break;
            }
            if (q == '/' && c == '\\' && i < src.size()) out.push_back(src[i++]);
        }
    };
    while (i < src.size()) {
        char c = src[i];
        if (std::isspace(static_cast<unsigned char>(c))) {
            pending_space = true;
            ++i;
            continue;
        }
        if (c == '/' && i + 1 < src.size() && src[i + 1] == '/') {
            while (i < src.size() && src[i] != '\n') ++i;
            pending_space = true;
            continue;
        }
        if (c == '/' && i + 1 < src.size() && src[i + 1] == '*') {
            size_t e = src.find("*/", i + 2);
            i = e == std::string_view::npos ? src.size() : e + 2;
            pending_space = true;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            copy_quoted(c);
            continue;
        }
        // A slash where an operand starts opens a regex literal.
        if (c == '/') {
            char prev = out.empty() ? '(' : out.back();
            if (!(is_name_char(prev) || prev == ')' || prev == ']' || prev == '}' || prev == '\'' ||
                  prev == '"' || prev == '`')) {
                copy_quoted('/');
                while (i < src.size() && std::islower(static_cast<unsigned char>(src[i])))
                    out.push_back(src[i++]);
                continue;
            }
        }
        emit(c);
        ++i;
    }
    return out;
}

// The methods ThingsDB's binder does not count as a change when called
// directly on a variable (its FN__FLAG_XVAR functions).
static bool changes_only_var(const std::string& name) {
    static const char* const names[] = {"add",  "extend", "extend_unique", "fill",   "pop",
                                        "push", "shift",  "splice",        "unshift"};
    for (const char* n : names)
        if (name == n) return true;
    return false;
}

namespace {

// Whether node n itself (not its subtree) may change stored data.
bool node_changes(const Node* n) {
    switch (n->kind) {
        case NK::PropAssign:
        case NK::IndexAssign:
        case NK::SliceAssign:
            return true;
        case NK::Call: {
            // As a function (not a method): `set(..)` makes a set, no change.
            const FnDef* d = find_function(interned(n->name));
            return d && (d->flags & FN_CHANGE);
        }
        case NK::Method:
            // A room's emit is no change (ThingsDB v1: an event, not a change), so a query
            // that only emits runs read-only too; a thing's emit (watch events) makes its
            // query a change when it runs (m_thing_emit).
            if (interned(n->name) == "emit") return false;
            // A list or set method called right on a variable does not make
            // the query a change, as ThingsDB binds push, pop, ...: on a
            // stored list or set it then fails unless something else does.
            return name_may_change(interned(n->name)) &&
                   !(n->kids[0]->kind == NK::Var && changes_only_var(interned(n->name)));
        default:
            return false;
    }
}

bool is_future_call(const Node* n) {
    static const int future_name = intern("future");
    return n->kind == NK::Call && n->name == future_name;
}

// Whether a node under root (root included) is a hit, not looking below the nodes that
// enter refuses. A loop over an explicit stack: operator and postfix chains are as deep
// as the code is long (the parser builds them without recursion).
template <class Hit, class Enter>
bool find_node(const Node* root, Hit hit, Enter enter) {
    std::vector<const Node*> todo;
    if (root) todo.push_back(root);
    while (!todo.empty()) {
        const Node* n = todo.back();
        todo.pop_back();
        if (hit(n)) return true;
        if (!enter(n)) continue;
        for (const Node* k : n->kids)
            if (k) todo.push_back(k);
    }
    return false;
}

}  // namespace

bool analyse_side_effects(const Node* root, bool in_futures) {
    return find_node(root, node_changes,
                     [in_futures](const Node* n) { return in_futures || !is_future_call(n); });
}

bool analyse_calls_future(const Node* root) {
    return find_node(root, is_future_call, [](const Node*) { return true; });
}

// The nodes in the order of the code (children pushed last to first): as
// ThingsDB binds a query, an `nse()` met before anything that may change
// keeps the query from becoming a change.
bool analyse_nse_first(const Node* root) {
    std::vector<const Node*> todo;
    if (root) todo.push_back(root);
    while (!todo.empty()) {
        const Node* n = todo.back();
        todo.pop_back();
        if (n->kind == NK::Call && interned(n->name) == "nse") {
            // Its argument is bound before nse() itself.
            for (const Node* k : n->kids)
                if (k && analyse_side_effects(k)) return false;
            return true;
        }
        if (node_changes(n)) return false;
        for (auto it = n->kids.rbegin(); it != n->kids.rend(); ++it)
            if (*it) todo.push_back(*it);
    }
    return false;
}

}  // namespace tdb
