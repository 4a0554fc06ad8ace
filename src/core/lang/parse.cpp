// A recursive-descent parser for ThingsDB code, working directly on bytes:
// regex literals, templates and comments depend on where they appear, so a
// separate token stream would need the parser's context anyway.
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/lang/ast.h"
#include "core/api/error.h"
#include "core/lang/query.h"
#include "core/model/regex.h"

namespace tdb {

const char* op_text(Op op) {
    switch (op) {
        case Op::Mul: return "*";
        case Op::Div: return "/";
        case Op::Mod: return "%";
        case Op::Add: return "+";
        case Op::Sub: return "-";
        case Op::BitAnd: return "&";
        case Op::BitXor: return "^";
        case Op::BitOr: return "|";
        case Op::Lt: return "<";
        case Op::Gt: return ">";
        case Op::Eq: return "==";
        case Op::Ne: return "!=";
        case Op::Le: return "<=";
        case Op::Ge: return ">=";
        case Op::None: break;
    }
    return "";
}

namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Binding strength of binary operators: higher binds tighter (ThingsDB's
// opr0 `* / %` .. opr7 `||`; the ternary is handled below them all).
int precedence(Op op) {
    switch (op) {
        case Op::Mul: case Op::Div: case Op::Mod: return 8;
        case Op::Add: case Op::Sub: return 7;
        case Op::BitAnd: return 6;
        case Op::BitXor: return 5;
        case Op::BitOr: return 4;
        default: return 3;  // comparisons
    }
}
constexpr int kAndPrec = 2;
constexpr int kOrPrec = 1;

class Parser {
public:
    Parser(Program& p, int max_depth) : p_(p), s_(p.source), max_depth_(max_depth) {}

    Node* program() {
        Node* block = p_.make(NK::Block, 0);
        skip();
        while (!eof()) {
            block->kids.push_back(statement());
            skip_separators();
        }
        return block;
    }

private:
    Program& p_;
    const std::string& s_;
    size_t i_ = 0;
    int depth_ = 0;
    int max_depth_;

    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& p) : p(p) {
            if (++p.depth_ > p.max_depth_)
                raisef(SYNTAX_ERR,
                       "no parse result, a possible reason might be that the maximum recursion "
                       "depth of %d has been reached",
                       p.max_depth_);
        }
        ~DepthGuard() { --p.depth_; }
    };

    bool eof() const { return i_ >= s_.size(); }
    char peek(size_t off = 0) const { return i_ + off < s_.size() ? s_[i_ + off] : '\0'; }

    // Whitespace and comments may appear between any two tokens.
    void skip() {
        for (;;) {
            while (!eof() && std::isspace(static_cast<unsigned char>(peek()))) ++i_;
            if (peek() == '/' && peek(1) == '/') {
                while (!eof() && peek() != '\n') ++i_;
            } else if (peek() == '/' && peek(1) == '*') {
                size_t e = s_.find("*/", i_ + 2);
                if (e == std::string::npos) fail(i_);
                i_ = e + 2;
            } else {
                return;
            }
        }
    }
    void skip_separators() {
        for (;;) {
            skip();
            if (peek() == ';') ++i_;
            else return;
        }
    }

    [[noreturn]] void fail(size_t at) const {
        size_t line = 0, pos = 0;
        for (size_t k = 0; k < at && k < s_.size(); ++k) {
            if (s_[k] == '\n') { ++line; pos = 0; } else { ++pos; }
        }
        std::string m = fmt("error at line %zu, position %zu", line, pos);
        if (at < s_.size() && std::isgraph(static_cast<unsigned char>(s_[at]))) {
            size_t n = 0;
            if (is_name_start(s_[at])) {
                while (at + n < s_.size() && is_name_char(s_[at + n])) ++n;
            } else {
                while (at + n < s_.size() && std::isdigit(static_cast<unsigned char>(s_[at + n]))) ++n;
            }
            if (n > 20) m += ", unexpected `" + s_.substr(at, 20) + "...`";
            else if (n > 1) m += ", unexpected `" + s_.substr(at, n) + "`";
            else m += fmt(", unexpected character `%c`", s_[at]);
        }
        raise(SYNTAX_ERR, m);
    }

    void expect(char c) {
        skip();
        if (peek() != c) fail(i_);
        ++i_;
    }
    bool accept(char c) {
        skip();
        if (peek() != c) return false;
        ++i_;
        return true;
    }

    bool at_keyword(const char* kw) const {
        size_t n = std::strlen(kw);
        return s_.compare(i_, n, kw) == 0 && !is_name_char(i_ + n < s_.size() ? s_[i_ + n] : '\0');
    }

    std::string name() {
        skip();
        if (!is_name_start(peek())) fail(i_);
        size_t b = i_;
        while (!eof() && is_name_char(peek())) ++i_;
        if (i_ - b > 255) fail(b);
        return s_.substr(b, i_ - b);
    }

    // statement: an expression with binary operators and the ternary, or a
    // keyword statement (if, for, return, break, continue).
    Node* statement() {
        DepthGuard g(*this);
        skip();
        size_t at = i_;
        if (at_keyword("if")) return if_statement();
        if (at_keyword("for")) return for_statement();
        if (at_keyword("return")) return return_statement();
        if (at_keyword("break")) { i_ += 5; return p_.make(NK::Break, at); }
        if (at_keyword("continue")) { i_ += 8; return p_.make(NK::Continue, at); }
        return ternary(binary(unary(), 0));
    }

    Node* ternary(Node* cond) {
        skip();
        if (peek() != '?') return cond;
        Node* n = p_.make(NK::Ternary, static_cast<uint32_t>(i_));
        ++i_;
        n->kids.push_back(cond);
        n->kids.push_back(statement());
        expect(':');
        n->kids.push_back(statement());
        return n;
    }

    // Reads a binary operator without consuming it; 0 when none follows.
    size_t peek_operator(Op& op, bool& is_and, bool& is_or) {
        skip();
        is_and = is_or = false;
        char c = peek(), d = peek(1);
        op = Op::None;
        switch (c) {
            case '*': op = Op::Mul; break;
            case '/': op = Op::Div; break;
            case '%': op = Op::Mod; break;
            case '+': op = Op::Add; break;
            case '-': op = Op::Sub; break;
            case '&': if (d == '&') { is_and = true; return 2; } op = Op::BitAnd; break;
            case '^': op = Op::BitXor; break;
            case '|': if (d == '|') { is_or = true; return 2; } op = Op::BitOr; break;
            case '<': if (d == '=') { op = Op::Le; return 2; } op = Op::Lt; break;
            case '>': if (d == '=') { op = Op::Ge; return 2; } op = Op::Gt; break;
            case '=': if (d == '=') { op = Op::Eq; return 2; } return 0;
            case '!': if (d == '=') { op = Op::Ne; return 2; } return 0;
            default: return 0;
        }
        if (d == '=') return 0;   // a compound assignment, not an operator
        return 1;
    }

    // Precedence climbing over ThingsDB's operator groups (all left-assoc).
    Node* binary(Node* left, int min_prec) {
        for (;;) {
            Op op;
            bool is_and, is_or;
            size_t len = peek_operator(op, is_and, is_or);
            if (!len) return left;
            int prec = is_and ? kAndPrec : is_or ? kOrPrec : precedence(op);
            if (prec <= min_prec) return left;
            size_t at = i_;
            i_ += len;
            Node* right = unary();
            for (;;) {
                Op op2;
                bool a2, o2;
                size_t len2 = peek_operator(op2, a2, o2);
                if (!len2) break;
                int p2 = a2 ? kAndPrec : o2 ? kOrPrec : precedence(op2);
                if (p2 <= prec) break;
                right = binary(right, prec);
            }
            Node* n = p_.make(is_and ? NK::And : is_or ? NK::Or : NK::Binary, static_cast<uint32_t>(at));
            n->op = op;
            n->kids = {left, right};
            left = n;
        }
    }

    // Prefix operators `!`, `-`, `+` apply to a whole postfix expression.
    Node* unary() {
        DepthGuard g(*this);
        skip();
        size_t at = i_;
        char c = peek();
        if (c == '!' && peek(1) != '=') {
            ++i_;
            Node* n = p_.make(NK::Not, static_cast<uint32_t>(at));
            n->kids.push_back(unary());
            return n;
        }
        if ((c == '-' || c == '+') && !std::isdigit(static_cast<unsigned char>(peek(1))) &&
            !(peek(1) == '.' && std::isdigit(static_cast<unsigned char>(peek(2)))) &&
            !starts_inf_nan(i_ + 1)) {
            ++i_;
            Node* n = p_.make(c == '-' ? NK::Neg : NK::Pos, static_cast<uint32_t>(at));
            n->kids.push_back(unary());
            return n;
        }
        if (c == '|') return closure();
        return postfix(primary());
    }

    bool starts_inf_nan(size_t k) const {
        for (const char* w : {"inf", "nan"}) {
            if (s_.compare(k, 3, w) == 0 && !is_name_char(k + 3 < s_.size() ? s_[k + 3] : '\0'))
                return true;
        }
        return false;
    }

    Node* closure() {
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
        n->kids.push_back(statement());
        n->end = static_cast<uint32_t>(i_);
        return n;
    }

    Node* if_statement() {
        Node* n = p_.make(NK::If, static_cast<uint32_t>(i_));
        i_ += 2;
        expect('(');
        n->kids.push_back(statement());
        expect(')');
        n->kids.push_back(statement());
        size_t save = i_;
        skip_separators_once_for_else();
        if (at_keyword("else")) {
            i_ += 4;
            n->kids.push_back(statement());
        } else {
            i_ = save;
        }
        return n;
    }
    // `if (a) x; else y;` is allowed in ThingsDB: one `;` may precede else.
    void skip_separators_once_for_else() {
        skip();
        if (peek() == ';') {
            size_t save = i_;
            ++i_;
            skip();
            if (!at_keyword("else")) i_ = save;
        }
    }

    Node* for_statement() {
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
        n->kids.push_back(statement());
        return n;
    }

    Node* return_statement() {
        Node* n = p_.make(NK::Return, static_cast<uint32_t>(i_));
        i_ += 6;
        skip();
        if (eof() || peek() == ';' || peek() == '}') return n;
        // The older call form `return(value, deep)`.
        if (peek() == '(') {
            size_t save = i_;
            ++i_;
            std::vector<Node*> args;
            skip();
            if (peek() != ')') {
                for (;;) {
                    args.push_back(statement());
                    if (!accept(',')) break;
                }
            }
            skip();
            if (peek() == ')' && args.size() != 1) {
                ++i_;
                if (args.size() > 3) fail(save);
                n->kids = args;
                return n;
            }
            i_ = save;   // `return (expr) ...`: an ordinary expression
        }
        for (;;) {
            n->kids.push_back(statement());
            if (n->kids.size() == 3 || !accept(',')) break;
        }
        return n;
    }

    Node* primary() {
        skip();
        size_t at = i_;
        char c = peek();
        if (eof()) fail(at);
        if (c == '.' && !std::isdigit(static_cast<unsigned char>(peek(1)))) {
            return p_.make(NK::Root, static_cast<uint32_t>(at));   // the chain follows
        }
        if (c == '(') {
            ++i_;
            Node* inner = statement();
            expect(')');
            return inner;
        }
        if (c == '[') return list_literal();
        if (c == '{') return brace();
        if (c == '&' && peek(1) == '{') {   // &{...}: an anonymous type, as ano({...}) (wrap.cpp)
            ++i_;
            Node* n = p_.make(NK::Call, static_cast<uint32_t>(at));
            n->name = intern("ano");
            n->kids.push_back(thing_literal(NK::ThingLit));
            return n;
        }
        if (c == '\'' || c == '"') return string_literal();
        if (c == '`') return template_literal();
        if (c == '/') return regex_literal();
        if (c == '#' && std::isdigit(static_cast<unsigned char>(peek(1)))) {
            ++i_;
            Node* n = p_.make(NK::ThingById, static_cast<uint32_t>(at));
            n->lit = Value::integer(parse_int_digits(at, 10, i_));
            return n;
        }
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+' ||
            (c == '.' && std::isdigit(static_cast<unsigned char>(peek(1)))))
            return number();
        if (is_name_start(c)) return name_expression();
        fail(at);
    }

    Node* number() {
        size_t at = i_;
        size_t k = i_;
        bool neg = false;
        if (s_[k] == '-' || s_[k] == '+') { neg = s_[k] == '-'; ++k; }
        if (starts_inf_nan(k)) {
            Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
            double d = s_[k] == 'i' ? INFINITY : NAN;
            n->lit = Value::number(neg ? -d : d);
            i_ = k + 3;
            return n;
        }
        // Float: [0-9]*\.[0-9]+(e[+-]?[0-9]+)?
        size_t d = k;
        while (d < s_.size() && std::isdigit(static_cast<unsigned char>(s_[d]))) ++d;
        if (d < s_.size() && s_[d] == '.' && d + 1 < s_.size() &&
            std::isdigit(static_cast<unsigned char>(s_[d + 1]))) {
            size_t e = d + 1;
            while (e < s_.size() && std::isdigit(static_cast<unsigned char>(s_[e]))) ++e;
            // The exponent needs its sign (ThingsDB's `e[+-][0-9]+`).
            if (e + 2 < s_.size() && s_[e] == 'e' && (s_[e + 1] == '+' || s_[e + 1] == '-') &&
                std::isdigit(static_cast<unsigned char>(s_[e + 2]))) {
                size_t f = e + 2;
                while (f < s_.size() && std::isdigit(static_cast<unsigned char>(s_[f]))) ++f;
                e = f;
            }
            // Like ThingsDB's number regexes, the whole literal fails when a
            // name character or a dot follows it: the error is at its start.
            if (e < s_.size() && (is_name_char(s_[e]) || s_[e] == '.')) fail(at);
            Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
            n->lit = Value::number(std::strtod(s_.substr(at, e - at).c_str(), nullptr));
            i_ = e;
            return n;
        }
        int base = 10;
        if (s_[k] == '0' && k + 1 < s_.size()) {
            char b = s_[k + 1];
            if (b == 'x' || b == 'X') base = 16;
            else if (b == 'o') base = 8;
            else if (b == 'b') base = 2;
            if (base != 10) k += 2;
        }
        size_t e = k;
        auto digit_ok = [&](char ch) {
            if (base == 16) return std::isxdigit(static_cast<unsigned char>(ch)) != 0;
            if (base == 8) return ch >= '0' && ch <= '7';
            if (base == 2) return ch == '0' || ch == '1';
            return std::isdigit(static_cast<unsigned char>(ch)) != 0;
        };
        while (e < s_.size() && digit_ok(s_[e])) ++e;
        if (e == k || (e < s_.size() && (is_name_char(s_[e]) || s_[e] == '.'))) fail(at);
        Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
        // Accumulate negatively so INT64_MIN is representable.
        int64_t v = 0;
        bool overflow = false;
        for (size_t q = k; q < e; ++q) {
            int dv = std::isdigit(static_cast<unsigned char>(s_[q]))
                         ? s_[q] - '0'
                         : (std::tolower(static_cast<unsigned char>(s_[q])) - 'a' + 10);
            if (v < (INT64_MIN + dv) / base) { overflow = true; break; }
            v = v * base - dv;
        }
        if (!overflow && !neg && v == INT64_MIN) overflow = true;
        if (overflow) {
            // ThingsDB raises this when the literal is evaluated; the parse
            // cannot produce a value, so the program fails as a whole.
            raise(OVERFLOW_ERR, "integer overflow");
        }
        n->lit = Value::integer(neg ? v : -v);
        i_ = e;
        return n;
    }

    int64_t parse_int_digits(size_t at, int base, size_t& k) {
        int64_t v = 0;
        size_t b = k;
        while (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
            int dv = s_[k] - '0';
            if (v > (INT64_MAX - dv) / base) fail(at);
            v = v * base + dv;
            ++k;
        }
        if (k == b) fail(at);
        return v;
    }

    Node* string_literal() {
        size_t at = i_;
        char q = peek();
        std::string out;
        for (;;) {
            ++i_;   // opening quote
            size_t e = s_.find(q, i_);
            if (e == std::string::npos) fail(at);
            out.append(s_, i_, e - i_);
            i_ = e + 1;
            if (peek() == q) out.push_back(q);   // doubled quote: an escaped quote
            else break;
        }
        Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
        n->lit = Value::str(std::move(out));
        return n;
    }

    Node* template_literal() {
        size_t at = i_;
        ++i_;
        Node* n = p_.make(NK::Template, static_cast<uint32_t>(at));
        std::string text;
        auto flush = [&] {
            if (text.empty()) return;
            Node* t = p_.make(NK::Lit, static_cast<uint32_t>(i_));
            t->lit = Value::str(std::move(text));
            n->kids.push_back(t);
            text.clear();
        };
        for (;;) {
            if (eof()) fail(at);
            char c = peek();
            if (c == '`') {
                if (peek(1) == '`') { text.push_back('`'); i_ += 2; continue; }
                ++i_;
                break;
            }
            if (c == '{') {
                if (peek(1) == '{') { text.push_back('{'); i_ += 2; continue; }
                ++i_;
                flush();
                n->kids.push_back(statement());
                expect('}');
                continue;
            }
            if (c == '}') {
                if (peek(1) == '}') { text.push_back('}'); i_ += 2; continue; }
                fail(i_);
            }
            text.push_back(c);
            ++i_;
        }
        flush();
        return n;
    }

    Node* regex_literal() {
        size_t at = i_;
        size_t k = i_ + 1;
        std::string pat;
        while (k < s_.size() && s_[k] != '/') {
            if (s_[k] == '\\' && k + 1 < s_.size()) {
                if (s_[k + 1] != '/') pat.push_back('\\');
                pat.push_back(s_[k + 1]);
                k += 2;
                continue;
            }
            pat.push_back(s_[k++]);
        }
        if (k >= s_.size() || pat.empty()) fail(at);
        ++k;
        size_t f = k;
        while (k < s_.size() && std::islower(static_cast<unsigned char>(s_[k]))) ++k;
        Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
        n->lit = make_regex(pat, s_.substr(f, k - f));
        i_ = k;
        return n;
    }

    Node* list_literal() {
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
    Node* brace() {
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
            n->kids.push_back(statement());
            skip_separators();
            if (peek() == '}') break;
            if (eof()) fail(i_);
        }
        ++i_;
        return n;
    }

    Node* thing_literal(NK kind) {
        Node* n = p_.make(kind, static_cast<uint32_t>(i_));
        ++i_;  // '{'
        skip();
        if (accept('}')) return n;
        for (;;) {
            size_t at = i_;
            std::string key = name();
            int id = intern(key);
            expect(':');
            skip();
            if (peek() == ',' || peek() == '}') {
                Node* v = p_.make(NK::Var, static_cast<uint32_t>(at));   // `{a:}` shorthand
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

    bool assign_op(Op& op) {
        skip();
        char c = peek(), d = peek(1);
        if (c == '=' && d != '=') { op = Op::None; i_ += 1; return true; }
        if (d != '=') return false;
        switch (c) {
            case '+': op = Op::Add; break;
            case '-': op = Op::Sub; break;
            case '*': op = Op::Mul; break;
            case '/': op = Op::Div; break;
            case '%': op = Op::Mod; break;
            case '&': op = Op::BitAnd; break;
            case '^': op = Op::BitXor; break;
            case '|': op = Op::BitOr; break;
            default: return false;
        }
        i_ += 2;
        return true;
    }

    void arguments(Node* n) {
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

    Node* name_expression() {
        size_t at = i_;
        std::string nm = name();
        if (nm == "inf" || nm == "nan") {
            Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
            n->lit = Value::number(nm == "inf" ? INFINITY : NAN);
            return n;
        }
        if (nm == "nil" || nm == "true" || nm == "false") {
            Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
            n->lit = nm == "nil" ? Value::nil() : Value::boolean(nm == "true");
            return n;
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
    Node* postfix(Node* obj) {
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
                    if (obj->kind == NK::Root) ++i_;   // a lone `.`: the root itself
                    return obj;
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
                continue;
            }
            if (c == '[') {
                obj = index(obj);
                continue;
            }
            i_ = save;
            return obj;
        }
    }

    Node* index(Node* obj) {
        size_t at = i_;
        ++i_;
        Node* parts[3] = {nullptr, nullptr, nullptr};
        int count = 0;
        for (;;) {
            skip();
            if (peek() != ':' && peek() != ']') parts[count] = statement();
            ++count;
            skip();
            if (peek() == ':' && count < 3) { ++i_; continue; }
            break;
        }
        expect(']');
        bool slice = count > 1;
        if (!slice && !parts[0]) fail(at + 1);
        Op op;
        size_t save = i_;
        if (assign_op(op)) {
            Node* n = p_.make(slice ? NK::SliceAssign : NK::IndexAssign, static_cast<uint32_t>(at));
            n->op = op;
            if (slice) n->kids = {obj, parts[0], parts[1], parts[2], statement()};
            else n->kids = {obj, parts[0], statement()};
            return n;
        }
        i_ = save;
        Node* n = p_.make(slice ? NK::Slice : NK::Index, static_cast<uint32_t>(at));
        if (slice) n->kids = {obj, parts[0], parts[1], parts[2]};
        else n->kids = {obj, parts[0]};
        return n;
    }
};

}  // namespace

std::string compact_closure(std::string_view src) {
    // ThingsDB writes a stored closure as its tokens without the space
    // between them; a space stays only where two names or numbers would
    // otherwise run together (`return x`).
    std::string out;
    out.reserve(src.size());
    bool pending_space = false;
    size_t i = 0;
    auto emit = [&](char c) {
        if (pending_space && !out.empty() && is_name_char(out.back()) && is_name_char(c)) out.push_back(' ');
        pending_space = false;
        out.push_back(c);
    };
    auto copy_quoted = [&](char q) {
        emit(src[i++]);
        while (i < src.size()) {
            char c = src[i++];
            out.push_back(c);
            if (c == q) {
                if (i < src.size() && src[i] == q && q != '/') { out.push_back(src[i++]); continue; }
                break;
            }
            if (q == '/' && c == '\\' && i < src.size()) out.push_back(src[i++]);
        }
    };
    while (i < src.size()) {
        char c = src[i];
        if (std::isspace(static_cast<unsigned char>(c))) { pending_space = true; ++i; continue; }
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
        if (c == '\'' || c == '"' || c == '`') { copy_quoted(c); continue; }
        // A slash where an operand starts opens a regex literal.
        if (c == '/') {
            char prev = out.empty() ? '(' : out.back();
            if (!(is_name_char(prev) || prev == ')' || prev == ']' || prev == '}' || prev == '\'' ||
                  prev == '"' || prev == '`')) {
                copy_quoted('/');
                while (i < src.size() && std::islower(static_cast<unsigned char>(src[i]))) out.push_back(src[i++]);
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
    static const char* const names[] = {"add", "extend", "extend_unique", "fill", "pop",
                                        "push", "shift", "splice", "unshift"};
    for (const char* n : names)
        if (name == n) return true;
    return false;
}

bool analyse_side_effects(const Node* n) {
    if (!n) return false;
    switch (n->kind) {
        case NK::PropAssign:
        case NK::IndexAssign:
        case NK::SliceAssign:
            return true;
        case NK::Call: {
            // As a function (not a method): `set(..)` makes a set, no change.
            const FnDef* d = find_function(interned(n->name));
            if (d && (d->flags & FN_CHANGE)) return true;
            break;
        }
        case NK::Method:
            // A list or set method called right on a variable changes the
            // variable's own copy (assignment copies a stored list or set),
            // not the collection: ThingsDB binds push, pop, ... that way.
            if (name_may_change(interned(n->name)) && !(n->kids[0]->kind == NK::Var && changes_only_var(interned(n->name))))
                return true;
            break;
        default:
            break;
    }
    for (const Node* k : n->kids)
        if (analyse_side_effects(k)) return true;
    return false;
}

std::shared_ptr<Program> parse(std::string_view code, int max_depth) {
    auto prog = std::make_shared<Program>();
    prog->source.assign(code);
    Parser p(*prog, max_depth);
    prog->root = p.program();
    prog->side_effects = analyse_side_effects(prog->root);
    for (auto& n : prog->nodes)   // variables are found by slot, not by name
        if (n->kind == NK::Var || n->kind == NK::Assign || n->kind == NK::Call) n->slot = var_slot(n->name);
    return prog;
}

}  // namespace tdb
