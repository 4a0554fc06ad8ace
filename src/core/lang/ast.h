// The syntax tree of ThingsDB code, produced by parse.cpp, walked by eval.cpp.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/value.h"

namespace tdb {

struct FnDef;

enum class NK : uint8_t {
    Lit,          // lit
    Template,     // kids: parts (Lit strings and expressions)
    Var,          // name
    Assign,       // name op= kids[0]
    Call,         // name(kids...)
    Root,         // `.` (the collection root)
    ThingById,    // #42 (lit: int)
    Prop,         // kids[0].name
    PropAssign,   // kids[0].name op= kids[1]
    Method,       // kids[0].name(kids[1..])
    Index,        // kids[0][kids[1]]
    IndexAssign,  // kids[0][kids[1]] op= kids[2]
    Slice,        // kids[0][kids[1]:kids[2]:kids[3]] (absent parts are nullptr; lit: the `:` count)
    SliceAssign,  // kids[0][a:b] = kids[3]... see parse.cpp
    ThingLit,     // {names[i]: kids[i]}
    ListLit,      // [kids]
    Instance,     // name{names[i]: kids[i]} (a Type instance)
    EnumMember,   // name{member} (names[0]) or name{closure} (kids[0])
    Not,          // !kids[0]
    Neg,          // -kids[0]
    Pos,          // +kids[0]
    Inv,          // ~kids[0]: `slot` tildes written in a row (their parity decides)
    Binary,       // kids[0] op kids[1]
    And,          // kids[0] && kids[1]
    Or,           // kids[0] || kids[1]
    Ternary,      // kids[0] ? kids[1] : kids[2]
    Block,        // { kids; }
    Closure,      // |names| kids[0]
    If,           // if (kids[0]) kids[1] else kids[2]
    For,          // for (names in kids[0]) kids[1]
    Return,       // return kids[0], kids[1], kids[2]
    Break,
    Continue,
};

enum class Op : uint8_t {
    None,
    Mul,
    Div,
    Mod,
    Add,
    Sub,
    Shl,
    Shr,
    BitAnd,
    BitXor,
    BitOr,
    Lt,
    Gt,
    Eq,
    Ne,
    Le,
    Ge,
};

// Operator text, as used in messages: "+", "<=", ...
const char* op_text(Op op);

struct Node {
    NK kind;
    Op op = Op::None;       // binary operator, or the op of a compound assignment
    bool optional = false;  // reached through `..`
    // A Return where a statement ends (a block's, an if's or a for's, a
    // closure's body): it ends by the evaluator's control flag. Elsewhere (an
    // operand, an argument, a value assigned) it unwinds to the closure or
    // query (ReturnSignal): nothing around it is finished.
    bool stmt = false;
    uint8_t parens = 0;             // `(...)` written around it (the closure formatter)
    mutable bool fn_known = false;  // fn below was looked up (a Call node)
    int name = -1;                  // interned name (variables, properties, functions)
    uint32_t pos = 0;               // byte offset in the source
    // End offset: closures keep their source, literals their text; a chain
    // link and a ternary measure their length with it (format.cpp).
    uint32_t end = 0;
    int slot = -1;  // var_slot(name) of Var, Assign and Call nodes (set by parse())
    mutable const FnDef* fn =
        nullptr;  // the built-in a Call node names, or nullptr (once fn_known)
    Value lit;
    std::vector<Node*> kids;
    std::vector<int> names;
};

// Always owned by a shared_ptr (parse() makes it): a closure made while a program runs
// shares the ownership of that program, whichever way the program came (the query,
// a procedure, a Type method parsed from its source).
struct Program : std::enable_shared_from_this<Program> {
    std::string source;
    std::vector<std::unique_ptr<Node>> nodes;  // owns every node
    Node* root = nullptr;                      // a Block of statements
    bool side_effects = false;                 // may change stored data
    bool nse = false;                          // `nse()` comes before any change
    Node* make(NK k, uint32_t pos) {
        nodes.push_back(std::make_unique<Node>());
        Node* n = nodes.back().get();
        n->kind = k;
        n->pos = pos;
        return n;
    }
};

// Parses code; throws Error(SYNTAX_ERR) naming the position of the problem.
std::shared_ptr<Program> parse(std::string_view code, int max_depth = 1000);

// A closure's text as ThingsDB stores it: tokens without the white space
// between them (`|a, b| a * b` becomes `|a,b|a*b`), comments dropped.
std::string compact_closure(std::string_view src);

// ThingsDB's text of a closure node of p (str(closure), a method's or
// procedure's definition): format.cpp.
std::string format_closure(const Program& p, const Node* closure);

// True when a subtree may change stored data (assignments to properties or
// indexes, calls of built-ins flagged FN_CHANGE).
// in_futures false: what the arguments of a `future(..)` call do is not
// counted (ThingsDB runs a future's closure in a context of its own).
bool analyse_side_effects(const Node* n, bool in_futures = true);
// True when a subtree calls `future`.
bool analyse_calls_future(const Node* n);
// True when a call of `nse` comes (in the order of the code) before anything
// that may change stored data: the query does not become a change.
bool analyse_nse_first(const Node* n);

}  // namespace tdb
