// The grammar: statements (if, for, return, ...), expressions by precedence
// climbing, postfix chains and indexes, thing and list literals, closures;
// and parse(), the entry. Reading bytes is inline in parser.h, the literals
// (numbers, strings, templates, regexes) are parse_literals.cpp.
#include "core/lang/parser.h"

#include <cmath>

#include "core/lang/query.h"

namespace tdb {

namespace {

// Binding strength of binary operators: higher binds tighter (ThingsDB's
// opr0 `* / %`, opr1 `+ -`, opr2 `<< >>`, .. opr8 `||`; the ternary is
// handled below them all).
int precedence(Op op) {
    switch (op) {
        case Op::Mul:
        case Op::Div:
        case Op::Mod:
            return 9;
        case Op::Add:
        case Op::Sub:
            return 8;
        case Op::Shl:
        case Op::Shr:
            return 7;
        case Op::BitAnd:
            return 6;
        case Op::BitXor:
            return 5;
        case Op::BitOr:
            return 4;
        default:
            return 3;  // comparisons
    }
}
constexpr int kAndPrec = 2;
constexpr int kOrPrec = 1;

}  // namespace

Node* Parser::program() {
    Node* block = p_.make(NK::Block, 0);
    skip();
    base_ = i_;
    while (!eof()) {
        stmt_at_ = i_;
        block->kids.push_back(statement_pos());
        // Statements are separated by `;`: `1 2` is no program.
        skip();
        if (!eof() && peek() != ';') fail(i_, "; or end_of_statement");
        skip_separators();
    }
    return block;
}

// statement: an expression with binary operators and the ternary, or a
// keyword statement (if, for, return, break, continue).
Node* Parser::statement() {
    DepthGuard g(*this);
    skip();
    size_t at = i_;
    if (at_keyword("if")) return if_statement();
    if (at_keyword("for")) return for_statement();
    if (at_keyword("return")) return return_statement();
    if (at_keyword("break")) {
        if (!loops_)
            raise(SYNTAX_ERR, "illegal `break` statement; no surrounding `for..in` statement");
        i_ += 5;
        return p_.make(NK::Break, at);
    }
    if (at_keyword("continue")) {
        if (!loops_)
            raise(SYNTAX_ERR, "illegal `continue` statement; no surrounding `for..in` statement");
        i_ += 8;
        return p_.make(NK::Continue, at);
    }
    return ternary(binary(unary(), 0));
}

Node* Parser::statement_pos() {
    Node* n = statement();
    if (n->kind == NK::Return) n->stmt = true;
    return n;
}

Node* Parser::ternary(Node* cond) {
    skip();
    if (peek() != '?') return cond;
    Node* n = p_.make(NK::Ternary, static_cast<uint32_t>(i_));
    ++i_;
    n->kids.push_back(cond);
    n->kids.push_back(statement());
    // Nothing but the `:` can follow the first branch.
    skip();
    if (peek() != ':') fail(i_, ":");
    ++i_;
    n->kids.push_back(statement());
    return ends_here(n);
}

// Reads a binary operator without consuming it; 0 when none follows.
size_t Parser::peek_operator(Op& op, bool& is_and, bool& is_or) {
    skip();
    is_and = is_or = false;
    char c = peek(), d = peek(1);
    op = Op::None;
    switch (c) {
        case '*':
            op = Op::Mul;
            break;
        case '/':
            op = Op::Div;
            break;
        case '%':
            op = Op::Mod;
            break;
        case '+':
            op = Op::Add;
            break;
        case '-':
            op = Op::Sub;
            break;
        case '&':
            if (d == '&') {
                is_and = true;
                return 2;
            }
            op = Op::BitAnd;
            break;
        case '^':
            op = Op::BitXor;
            break;
        case '|':
            if (d == '|') {
                is_or = true;
                return 2;
            }
            op = Op::BitOr;
            break;
        case '<':
            if (d == '=' || d == '<') {
                op = d == '=' ? Op::Le : Op::Shl;
                return 2;
            }
            op = Op::Lt;
            break;
        case '>':
            if (d == '=' || d == '>') {
                op = d == '=' ? Op::Ge : Op::Shr;
                return 2;
            }
            op = Op::Gt;
            break;
        case '=':
            if (d == '=') {
                op = Op::Eq;
                return 2;
            }
            return 0;
        case '!':
            if (d == '=') {
                op = Op::Ne;
                return 2;
            }
            return 0;
        default:
            return 0;
    }
    if (d == '=') return 0;  // a compound assignment, not an operator
    return 1;
}

// Precedence climbing over ThingsDB's operator groups (all left-assoc).
Node* Parser::binary(Node* left, int min_prec) {
    for (;;) {
        Op op;
        bool is_and, is_or;
        size_t len = peek_operator(op, is_and, is_or);
        if (!len) return left;
        int prec = is_and ? kAndPrec : is_or ? kOrPrec : precedence(op);
        if (prec <= min_prec) return left;
        size_t at = i_;
        i_ += len;
        Node* right = operand();
        for (;;) {
            Op op2;
            bool a2, o2;
            size_t len2 = peek_operator(op2, a2, o2);
            if (!len2) break;
            int p2 = a2 ? kAndPrec : o2 ? kOrPrec : precedence(op2);
            if (p2 <= prec) break;
            right = binary(right, prec);
        }
        Node* n = p_.make(is_and  ? NK::And
                          : is_or ? NK::Or
                                  : NK::Binary,
                          static_cast<uint32_t>(at));
        n->op = op;
        n->kids = {left, right};
        left = n;
    }
}

// The right operand of a binary operator: in ThingsDB's grammar each
// operand is a statement, so `x && return y` returns y when x is true.
Node* Parser::operand() {
    skip();
    if (at_keyword("return")) return return_statement();
    return unary();
}

// Prefix operators `~`, `!`, `-`, `+` apply to a whole postfix expression.
// As in ThingsDB's grammar, a run of `~` comes first: `~!x` and `~-x` are
// expressions, `!~x` and `-~x` are syntax errors.
Node* Parser::unary() {
    DepthGuard g(*this);
    skip();
    size_t at = i_;
    char c = peek();
    if (c == '~') {
        int tildes = 0;
        while (peek() == '~') {
            ++tildes;
            ++i_;
            skip();
        }
        Node* n = p_.make(NK::Inv, static_cast<uint32_t>(at));
        n->slot = tildes;
        n->kids.push_back(prefixed());
        return n;
    }
    if (c == '!' && peek(1) != '=') {
        ++i_;
        Node* n = p_.make(NK::Not, static_cast<uint32_t>(at));
        n->kids.push_back(prefixed());
        return n;
    }
    if ((c == '-' || c == '+') && !std::isdigit(static_cast<unsigned char>(peek(1))) &&
        !(peek(1) == '.' && std::isdigit(static_cast<unsigned char>(peek(2)))) &&
        !starts_inf_nan(i_ + 1)) {
        ++i_;
        Node* n = p_.make(c == '-' ? NK::Neg : NK::Pos, static_cast<uint32_t>(at));
        n->kids.push_back(prefixed());
        return n;
    }
    if (c == '|') return closure();
    return postfix(primary());
}

// The operand of a prefix operator: in ThingsDB's grammar a prefix operator
// takes an expression, and a closure is none (`!||nil` is a syntax error at
// the `|`; `!(||nil)` is fine), nor is a `~` after another prefix.
Node* Parser::prefixed() {
    skip();
    if (peek() == '|' || peek() == '~') fail(i_);
    return unary();
}

Node* Parser::closure() {
    size_t at = i_;
    ++i_;  // '|'
    Node* n = p_.make(NK::Closure, static_cast<uint32_t>(at));
    skip();
    if (peek() != '|') {
        for (;;) {
            n->names.push_back(intern(name()));
            if (!accept(',')) break;
            skip();
            if (peek() == '|') break;
        }
    }
    expect('|');
    // A closure's body runs wherever it is called, not in the loop around
    // its definition: `break` in it has no loop to leave.
    int loops = loops_;
    loops_ = 0;
    n->kids.push_back(statement_pos());
    loops_ = loops;
    n->end = static_cast<uint32_t>(i_);
    return n;
}

Node* Parser::if_statement() {
    Node* n = p_.make(NK::If, static_cast<uint32_t>(i_));
    i_ += 2;
    expect('(');
    n->kids.push_back(statement());
    expect(')');
    n->kids.push_back(statement_pos());
    size_t save = i_;
    skip_separators_once_for_else();
    if (at_keyword("else")) {
        i_ += 4;
        n->kids.push_back(statement_pos());
    } else {
        i_ = save;
    }
    return n;
}

// `if (a) x; else y;` is allowed in ThingsDB: one `;` may precede else.
void Parser::skip_separators_once_for_else() {
    skip();
    if (peek() == ';') {
        size_t save = i_;
        ++i_;
        skip();
        if (!at_keyword("else")) i_ = save;
    }
}

Node* Parser::for_statement() {
    Node* n = p_.make(NK::For, static_cast<uint32_t>(i_));
    i_ += 3;
    expect('(');
    for (;;) {
        n->names.push_back(intern(name()));
        if (!accept(',')) break;
    }
    skip();
    if (!at_keyword("in")) fail(i_);
    i_ += 2;
    n->kids.push_back(statement());
    expect(')');
    ++loops_;
    n->kids.push_back(statement_pos());
    --loops_;
    return n;
}

Node* Parser::return_statement() {
    Node* n = p_.make(NK::Return, static_cast<uint32_t>(i_));
    i_ += 6;
    skip();
    if (eof() || peek() == ';' || peek() == '}') return n;
    // The call form `return(value, deep)`, or `return (expr) ...`. Nothing is
    // parsed twice: a second parse at every nesting level of `return (` took
    // time and memory exponential in the depth.
    Node* first = nullptr;
    if (peek() == '(') {
        size_t save = i_;
        ++i_;
        skip();
        if (accept(')')) return n;  // `return()`
        Node* inner = statement();
        skip();
        if (peek() == ')') {
            ++i_;  // what `(expr)` as a primary is, with what follows it
            if (inner->parens < 255) ++inner->parens;
            first = ternary(binary(postfix(inner), 0));
        } else {
            size_t after_first = i_;
            std::vector<Node*> args{inner};
            while (accept(',')) args.push_back(statement());
            skip();
            if (peek() != ')') fail(after_first);  // as `(expr` without its `)`
            ++i_;
            if (args.size() > 3) fail(save);
            n->kids = args;
            return n;
        }
    }
    for (;;) {
        n->kids.push_back(first ? first : statement());
        first = nullptr;
        if (n->kids.size() == 3 || !accept(',')) break;
    }
    return n;
}

Node* Parser::primary() {
    skip();
    size_t at = i_;
    char c = peek();
    if (eof()) fail(at);
    if (c == '.' && !std::isdigit(static_cast<unsigned char>(peek(1)))) {
        return p_.make(NK::Root, static_cast<uint32_t>(at));  // the chain follows
    }
    if (c == '(') {
        ++i_;
        Node* inner = statement();
        expect(')');
        if (inner->parens < 255) ++inner->parens;
        return inner;
    }
    if (c == '[') return list_literal();
    if (c == '{') return brace();
    if (c == '&' && peek(1) == '{') {  // &{...}: an anonymous type, as ano({...}) (wrap.cpp)
        ++i_;
        Node* n = p_.make(NK::Call, static_cast<uint32_t>(at));
        n->name = intern("ano");
        n->kids.push_back(thing_literal(NK::ThingLit));
        return n;
    }
    if (c == '\'' || c == '"') return ends_here(string_literal());
    if (c == '`') return ends_here(template_literal());
    if (c == '/') return ends_here(regex_literal());
    if (c == '#' && std::isdigit(static_cast<unsigned char>(peek(1)))) {
        ++i_;
        Node* n = p_.make(NK::ThingById, static_cast<uint32_t>(at));
        n->lit = Value::integer(parse_int_digits(at, 10, i_));
        return ends_here(n);
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' ||
        (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))))
        return ends_here(number());
    if (is_name_start(c)) return name_expression();
    fail(at);
}

Node* Parser::list_literal() {
    Node* n = p_.make(NK::ListLit, static_cast<uint32_t>(i_));
    ++i_;
    skip();
    if (accept(']')) return n;
    for (;;) {
        n->kids.push_back(statement());
        if (!accept(',')) break;
        skip();
        if (peek() == ']') break;
    }
    expect(']');
    return n;
}

// `{` opens a thing (`{}`, `{name: ...}`) or a block of statements.
Node* Parser::brace() {
    size_t at = i_;
    size_t save = i_;
    ++i_;
    skip();
    if (peek() == '}') {
        ++i_;
        return p_.make(NK::ThingLit, static_cast<uint32_t>(at));
    }
    if (is_name_start(peek())) {
        size_t b = i_;
        while (!eof() && is_name_char(peek())) ++i_;
        skip();
        if (peek() == ':') {
            i_ = save;
            return thing_literal(NK::ThingLit);
        }
        i_ = b;
    }
    Node* n = p_.make(NK::Block, static_cast<uint32_t>(at));
    for (;;) {
        n->kids.push_back(statement_pos());
        skip();
        if (peek() != ';' && peek() != '}') fail(i_, "; or }");
        skip_separators();
        if (peek() == '}') break;
        if (eof()) fail(i_);
    }
    ++i_;
    return n;
}

Node* Parser::thing_literal(NK kind) {
    Node* n = p_.make(kind, static_cast<uint32_t>(i_));
    ++i_;  // '{'
    skip();
    if (accept('}')) return n;
    for (;;) {
        skip();
        size_t at = i_;
        // Where a key may come a `}` may too (names are not listed).
        if (!is_name_start(peek()) && (kind == NK::Instance || !n->kids.empty())) fail(i_, "}");
        std::string key = name();
        int id = intern(key);
        expect(':');
        skip();
        if (peek() == ',' || peek() == '}') {
            Node* v = p_.make(NK::Var, static_cast<uint32_t>(at));  // `{a:}` shorthand
            v->name = id;
            n->kids.push_back(v);
        } else {
            n->kids.push_back(statement());
        }
        n->names.push_back(id);
        if (!accept(',')) break;
        skip();
        if (peek() == '}') break;
    }
    expect('}');
    return n;
}

bool Parser::assign_op(Op& op) {
    skip();
    char c = peek(), d = peek(1);
    if (c == '=' && d != '=') {
        op = Op::None;
        i_ += 1;
        return true;
    }
    if (d != '=') return false;
    switch (c) {
        case '+':
            op = Op::Add;
            break;
        case '-':
            op = Op::Sub;
            break;
        case '*':
            op = Op::Mul;
            break;
        case '/':
            op = Op::Div;
            break;
        case '%':
            op = Op::Mod;
            break;
        case '&':
            op = Op::BitAnd;
            break;
        case '^':
            op = Op::BitXor;
            break;
        case '|':
            op = Op::BitOr;
            break;
        default:
            return false;
    }
    i_ += 2;
    return true;
}

void Parser::arguments(Node* n) {
    expect('(');
    skip();
    if (accept(')')) return;
    for (;;) {
        n->kids.push_back(statement());
        if (!accept(',')) break;
        skip();
        if (peek() == ')') break;
    }
    expect(')');
}

Node* Parser::name_expression() {
    size_t at = i_;
    std::string nm = name();
    if (nm == "inf" || nm == "nan") {
        Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
        n->lit = Value::number(nm == "inf" ? INFINITY : NAN);
        return ends_here(n);
    }
    if (nm == "nil" || nm == "true" || nm == "false") {
        Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
        n->lit = nm == "nil" ? Value::nil() : Value::boolean(nm == "true");
        return ends_here(n);
    }
    int id = intern(nm);
    skip();
    char c = peek();
    if (c == '(') {
        Node* n = p_.make(NK::Call, static_cast<uint32_t>(at));
        n->name = id;
        arguments(n);
        return n;
    }
    if (c == '{') {
        // Type{...} or Enum{MEMBER} / Enum{|| closure}; names starting
        // with a capital are not required, so decide by the content.
        size_t save = i_;
        ++i_;
        skip();
        if (peek() == '|') {
            Node* n = p_.make(NK::EnumMember, static_cast<uint32_t>(at));
            n->name = id;
            n->kids.push_back(closure());
            expect('}');
            return n;
        }
        if (is_name_start(peek())) {
            size_t b = i_;
            std::string member = name();
            skip();
            if (peek() == '}') {
                ++i_;
                Node* n = p_.make(NK::EnumMember, static_cast<uint32_t>(at));
                n->name = id;
                n->names.push_back(intern(member));
                return n;
            }
            i_ = b;
        }
        i_ = save;
        Node* n = thing_literal(NK::Instance);
        n->name = id;
        return n;
    }
    Op op;
    size_t save = i_;
    if (assign_op(op)) {
        Node* n = p_.make(NK::Assign, static_cast<uint32_t>(at));
        n->name = id;
        n->op = op;
        n->kids.push_back(statement());
        return n;
    }
    i_ = save;
    Node* n = p_.make(NK::Var, static_cast<uint32_t>(at));
    n->name = id;
    return n;
}

// Chains and indexes after a primary: .name, .name(...), .name = v,
// [i], [a:b:c], [i] = v, and `..` for optional chaining.
Node* Parser::postfix(Node* obj) {
    // Each link's length runs to the end of the chain (the formatter's).
    std::vector<Node*> links;
    auto done = [&]() {
        for (Node* l : links) l->end = token_end();
        return obj;
    };
    for (;;) {
        size_t save = i_;
        skip();
        char c = peek();
        if (c == '.') {
            bool optional = peek(1) == '.';
            size_t at = i_;
            i_ += optional ? 2 : 1;
            skip();
            if (!is_name_start(peek())) {
                if (obj->kind == NK::Root && optional) fail(i_);
                i_ = save;
                if (obj->kind == NK::Root) ++i_;  // a lone `.`: the root itself
                return done();
            }
            std::string nm = name();
            int id = intern(nm);
            skip();
            Node* n;
            Op op;
            size_t before_assign = i_;
            if (peek() == '(') {
                n = p_.make(NK::Method, static_cast<uint32_t>(at));
                n->kids.push_back(obj);
                arguments(n);
            } else if (assign_op(op)) {
                n = p_.make(NK::PropAssign, static_cast<uint32_t>(at));
                n->op = op;
                n->kids = {obj, statement()};
            } else {
                i_ = before_assign;
                n = p_.make(NK::Prop, static_cast<uint32_t>(at));
                n->kids.push_back(obj);
            }
            n->name = id;
            n->optional = optional;
            obj = n;
            links.push_back(n);
            continue;
        }
        if (c == '[') {
            obj = index(obj);
            continue;
        }
        i_ = save;
        return done();
    }
}

Node* Parser::index(Node* obj) {
    size_t at = i_;
    ++i_;
    Node* parts[3] = {nullptr, nullptr, nullptr};
    int count = 0;
    for (;;) {
        skip();
        if (peek() != ':' && peek() != ']') parts[count] = statement();
        ++count;
        skip();
        if (peek() == ':' && count < 3) {
            ++i_;
            continue;
        }
        break;
    }
    expect(']');
    // `x[]` is the whole of x, as `x[:]`.
    bool slice = count > 1 || !parts[0];
    Op op;
    size_t save = i_;
    if (assign_op(op)) {
        Node* n = p_.make(slice ? NK::SliceAssign : NK::IndexAssign, static_cast<uint32_t>(at));
        n->op = op;
        if (slice) n->lit = Value::integer(count - 1);
        if (slice)
            n->kids = {obj, parts[0], parts[1], parts[2], statement()};
        else
            n->kids = {obj, parts[0], statement()};
        return n;
    }
    i_ = save;
    Node* n = p_.make(slice ? NK::Slice : NK::Index, static_cast<uint32_t>(at));
    if (slice) n->lit = Value::integer(count - 1);
    if (slice)
        n->kids = {obj, parts[0], parts[1], parts[2]};
    else
        n->kids = {obj, parts[0]};
    return n;
}

std::shared_ptr<Program> parse(std::string_view code, int max_depth) {
    StackBase stack_base;  // procedures and stored closures parse outside a query
    auto prog = std::make_shared<Program>();
    prog->source.assign(code);
    Parser p(*prog, max_depth);
    prog->root = p.program();
    prog->nse = analyse_nse_first(prog->root);
    prog->side_effects = !prog->nse && analyse_side_effects(prog->root);
    for (auto& n : prog->nodes)  // variables are found by slot, not by name
        if (n->kind == NK::Var || n->kind == NK::Assign || n->kind == NK::Call)
            n->slot = var_slot(n->name);
    return prog;
}

}  // namespace tdb
