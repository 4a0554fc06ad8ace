// The parser's literals: numbers (ints in bases 10, 16, 8 and 2, floats,
// inf and nan), strings, template strings, regexes; and fail(), the message of
// a syntax error. ThingsDB's rules are kept exactly (see each literal).
#include <cmath>
#include <cstdlib>

#include "core/lang/parser.h"
#include "core/lang/query.h"
#include "core/model/regex.h"

namespace tdb {

void Parser::fail(size_t at, const char* expecting) const {
    size_t line = 1, pos = 0;
    for (size_t k = at < base_ ? at : base_; k < at && k < s_.size(); ++k) {
        if (s_[k] == '\n') {
            ++line;
            pos = 0;
        } else {
            ++pos;
        }
    }
    std::string m = fmt("error at line %zu, position %zu", line, pos);
    if (at < s_.size() && std::isgraph(static_cast<unsigned char>(s_[at]))) {
        size_t n = 0;
        if (is_name_start(s_[at])) {
            while (at + n < s_.size() && is_name_char(s_[at + n])) ++n;
        } else {
            while (at + n < s_.size() && std::isdigit(static_cast<unsigned char>(s_[at + n]))) ++n;
        }
        if (n > 20)
            m += ", unexpected `" + s_.substr(at, 20) + "...`";
        else if (n > 1)
            m += ", unexpected `" + s_.substr(at, n) + "`";
        else
            m += fmt(", unexpected character `%c`", s_[at]);
    }
    // At the start of a statement of the program: the keyword statements,
    // or the end (the other starts are patterns, which ThingsDB does not list).
    if (!expecting && at == stmt_at_) expecting = "if, return, for or end_of_statement";
    if (expecting) m += fmt(", expecting: %s", expecting);
    // The position for the client counts characters (UTF-8 lead bytes), from 1.
    size_t chars = 1;
    for (size_t k = 0; k < at && k < s_.size(); ++k)
        if ((static_cast<unsigned char>(s_[k]) & 0xC0) != 0x80) ++chars;
    Error e(SYNTAX_ERR, std::move(m));
    e.locate(s_, chars);
    throw e;
}

Node* Parser::number() {
    size_t at = i_;
    size_t k = i_;
    bool neg = false;
    if (s_[k] == '-' || s_[k] == '+') {
        neg = s_[k] == '-';
        ++k;
    }
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
        if (b == 'x' || b == 'X')
            base = 16;
        else if (b == 'o')
            base = 8;
        else if (b == 'b')
            base = 2;
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
        if (v < (INT64_MIN + dv) / base) {
            overflow = true;
            break;
        }
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

int64_t Parser::parse_int_digits(size_t at, int base, size_t& k) {
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

Node* Parser::string_literal() {
    size_t at = i_;
    char q = peek();
    std::string out;
    for (;;) {
        ++i_;  // opening quote
        size_t e = s_.find(q, i_);
        if (e == std::string::npos) fail(at);
        out.append(s_, i_, e - i_);
        i_ = e + 1;
        if (peek() == q)
            out.push_back(q);  // doubled quote: an escaped quote
        else
            break;
    }
    Node* n = p_.make(NK::Lit, static_cast<uint32_t>(at));
    n->lit = Value::str(std::move(out));
    return n;
}

Node* Parser::template_literal() {
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
            if (peek(1) == '`') {
                text.push_back('`');
                i_ += 2;
                continue;
            }
            ++i_;
            break;
        }
        if (c == '{') {
            if (peek(1) == '{') {
                text.push_back('{');
                i_ += 2;
                continue;
            }
            ++i_;
            flush();
            n->kids.push_back(statement());
            expect('}');
            continue;
        }
        if (c == '}') {
            if (peek(1) == '}') {
                text.push_back('}');
                i_ += 2;
                continue;
            }
            fail(i_);
        }
        text.push_back(c);
        ++i_;
    }
    flush();
    return n;
}

Node* Parser::regex_literal() {
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

}  // namespace tdb
