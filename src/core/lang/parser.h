// The parser's class, shared by its two files: parse.cpp (statements and
// expressions) and parse_literals.cpp (numbers, strings, templates, regexes,
// and the syntax-error message). It works directly on the source bytes:
// regex literals, templates and comments depend on where they appear, so a
// separate token stream would need the parser's context anyway.
#pragma once

#include "core/api/pure.h"

#include <cctype>
#include <cstring>
#include <string>

#include "core/api/error.h"
#include "core/lang/ast.h"

namespace tdb {

inline bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
inline bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

class Parser {
public:
    Parser(Program& p, int max_depth) : p_(p), s_(p.source), max_depth_(max_depth) {}

    Node* program();  // the whole source: a Block of statements

private:
    Program& p_;
    const std::string& s_;
    size_t i_ = 0;
    size_t base_ = 0;  // where the first statement starts: errors count from there
    int depth_ = 0;
    int loops_ = 0;  // `for` bodies around the current statement (closures reset it)
    // Where the current statement of the program starts: a syntax error there
    // lists what ThingsDB's grammar takes at the start of a statement.
    size_t stmt_at_ = static_cast<size_t>(-1);
    int max_depth_;

    // Bounds the nesting of rules: code nested deeper than the setting, or
    // deeper than the stack guard allows (error.h), is a syntax_err, not a
    // stack overflow.
    struct DepthGuard {
        Parser& p;
        explicit DepthGuard(Parser& p) : p(p) {
            if (++p.depth_ > p.max_depth_ || stack_exhausted())
                raisef(SYNTAX_ERR,
                       "no parse result, a possible reason might be that the maximum recursion "
                       "depth of %d has been reached",
                       p.max_depth_);
        }
        ~DepthGuard() { --p.depth_; }
    };

    // ---- reading the source (inline: every rule uses them) ----
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
            if (peek() == ';')
                ++i_;
            else
                return;
        }
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

    // The end of the last token read: i_ without the white space after it.
    uint32_t token_end() const {
        size_t k = i_;
        while (k > 0 && std::isspace(static_cast<unsigned char>(s_[k - 1]))) --k;
        return static_cast<uint32_t>(k);
    }
    Node* ends_here(Node* n) {
        n->end = token_end();
        return n;
    }

    bool starts_inf_nan(size_t k) const {
        for (const char* w : {"inf", "nan"}) {
            if (s_.compare(k, 3, w) == 0 && !is_name_char(k + 3 < s_.size() ? s_[k + 3] : '\0'))
                return true;
        }
        return false;
    }

    // Raises syntax_err naming the line (from 1) and position of `at`,
    // counted from where the first statement starts, and what was expected
    // there when the rule knows it (parse_literals.cpp).
    [[noreturn]] void fail(size_t at, const char* expecting = nullptr) const;

    // ---- statements and expressions (parse.cpp) ----
    // A statement where one ends (see Node::stmt).
    Node* statement_pos();
    Node* statement();
    Node* prefixed();
    Node* ternary(Node* cond);
    size_t peek_operator(Op& op, bool& is_and, bool& is_or);
    Node* binary(Node* left, int min_prec);
    Node* unary();
    Node* closure();
    Node* operand();
    Node* if_statement();
    void skip_separators_once_for_else();
    Node* for_statement();
    Node* return_statement();
    Node* primary();
    Node* list_literal();
    Node* brace();
    Node* thing_literal(NK kind);
    bool assign_op(Op& op);
    void arguments(Node* n);
    Node* name_expression();
    Node* postfix(Node* obj);
    Node* index(Node* obj);

    // ---- literals (parse_literals.cpp) ----
    Node* number();
    int64_t parse_int_digits(size_t at, int base, size_t& k);
    Node* string_literal();
    Node* template_literal();
    Node* regex_literal();
};

}  // namespace tdb
