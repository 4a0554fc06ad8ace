// Methods of str, and of bytes (len). ThingsDB works on bytes: len() counts bytes, lower/upper
// and trim only touch ASCII (C locale), splitting without a separator
// splits on runs of ASCII whitespace.
#include <algorithm>
#include <cctype>
#include <climits>
#include <cstring>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/poll.h"
#include "core/model/regex.h"
#include "core/model/value.h"

namespace tdb {
namespace {

const std::string& S(Value* self) { return self->as_str(); }

bool space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// The first `needle` in s at or after pos, or npos. std::string::find compares
// at every candidate start (a needle of n `a`s and a `b` in a subject of `a`s
// takes n steps per start); glibc's memmem is linear in both lengths.
size_t find_in(std::string_view s, std::string_view needle, size_t pos) {
    if (pos > s.size()) return std::string_view::npos;
    if (needle.empty()) return pos;
    const void* hit = memmem(s.data() + pos, s.size() - pos, needle.data(), needle.size());
    return hit ? static_cast<size_t>(static_cast<const char*>(hit) - s.data())
               : std::string_view::npos;
}

}  // namespace

Value m_str_len(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(static_cast<int64_t>(S(self).size()));
}

Value m_str_contains(Query&, Value* self, Args& a) {
    a.exactly(1);
    return Value::boolean(find_in(S(self), a.str_arg(0), 0) != std::string::npos);
}

Value m_str_starts_with(Query&, Value* self, Args& a) {
    a.exactly(1);
    return Value::boolean(S(self).starts_with(a.str_arg(0)));
}

Value m_str_ends_with(Query&, Value* self, Args& a) {
    a.exactly(1);
    return Value::boolean(S(self).ends_with(a.str_arg(0)));
}

Value m_str_lower(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::string s = S(self);
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Value::str(std::move(s));
}

Value m_str_upper(Query&, Value* self, Args& a) {
    a.exactly(0);
    std::string s = S(self);
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Value::str(std::move(s));
}

static Value trim_impl(Value* self, Args& a, bool left, bool right) {
    a.exactly(0);
    std::string_view s = S(self);
    size_t b = 0, e = s.size();
    if (left)
        while (b < e && space(s[b])) ++b;
    if (right)
        while (e > b && space(s[e - 1])) --e;
    return Value::str(s.substr(b, e - b));
}
Value m_str_trim(Query&, Value* self, Args& a) { return trim_impl(self, a, true, true); }
Value m_str_trim_left(Query&, Value* self, Args& a) { return trim_impl(self, a, true, false); }
Value m_str_trim_right(Query&, Value* self, Args& a) { return trim_impl(self, a, false, true); }

// --- replace --------------------------------------------------------------

namespace {

// The replacement of one occurrence: a fixed string, or what a closure
// returns for it (ThingsDB's replace callback must return a str).
struct Replacer {
    Query& q;
    Args& a;
    const Value* with;  // a str or a closure
    std::string_view text(const Value& got, std::string& keep) {
        if (!got.is(VT::Str))
            a.fail(TYPE_ERR,
                   "replace callback is expecting a return value of type `str` but got type `%s` "
                   "instead",
                   type_name(got));
        keep = got.as_str();
        return keep;
    }
    // An occurrence of a plain string: the closure gets its start, its end
    // and the subject.
    std::string_view at(int64_t p, int64_t e, const Value& subject, std::string& keep) {
        if (with->is(VT::Str)) return with->as_str();
        return text(q.call(*with, {Value::integer(p), Value::integer(e), subject}), keep);
    }
};

// Replaces at most n occurrences of old, scanning from the start.
std::string replace_front(Query& q, const Value& subject, std::string_view old, Replacer& r,
                          size_t n) {
    std::string_view s = subject.as_str();
    std::string out, keep;
    size_t pos = 0;
    while (n) {
        q.poll();
        size_t hit = find_in(s, old, pos);
        if (hit == std::string_view::npos) break;
        out.append(s.substr(pos, hit - pos));
        int64_t p = static_cast<int64_t>(hit);
        out.append(r.at(p, p + static_cast<int64_t>(old.size()), subject, keep));
        pos = hit + old.size();
        --n;
    }
    out.append(s.substr(pos));
    return out;
}

// Replaces at most n occurrences of old, scanning from the end (a negative
// count in ThingsDB): the forward search of the reversed needle in the
// reversed subject finds the same occurrences, in linear time. A closure is
// called from the last occurrence back, and (as ThingsDB) gets the end of
// the occurrence as its start and that plus the length as its end.
std::string replace_back(Query& q, const Value& subject, std::string_view old, Replacer& r,
                         size_t n) {
    std::string_view s = subject.as_str();
    std::string rs(s.rbegin(), s.rend()), rold(old.rbegin(), old.rend());
    std::vector<size_t> hits;
    std::vector<std::string> withs;
    size_t from = 0;
    while (n) {
        q.poll();
        size_t hit = find_in(rs, rold, from);
        if (hit == std::string_view::npos) break;
        size_t at = s.size() - hit - old.size();
        hits.push_back(at);
        std::string keep;
        int64_t p = static_cast<int64_t>(at + old.size());
        withs.emplace_back(r.at(p, p + static_cast<int64_t>(old.size()), subject, keep));
        from = hit + old.size();
        --n;
    }
    std::string out;
    size_t pos = 0;
    for (size_t k = hits.size(); k-- > 0;) {
        q.poll();
        out.append(s.substr(pos, hits[k] - pos)).append(withs[k]);
        pos = hits[k] + old.size();
    }
    out.append(s.substr(pos));
    return out;
}

// Replaces at most n matches of a regex from the start. A closure gets the
// match's groups, then the match, its start, its end and the subject. An
// empty match ends the replacing (ThingsDB searches again from where it
// ended, which finds it again).
std::string replace_regex(Query& q, const Value& subject, const Value& re, Replacer& r, size_t n) {
    std::string_view s = subject.as_str();
    RegexScan scan(re.regex(), s);
    std::string out, keep;
    size_t pos = 0;
    while (n--) {
        q.poll();
        size_t end = 0;
        auto m = scan.next(pos, &end);
        if (m.empty()) break;
        size_t start = end - m[0].text.size();
        out.append(s.substr(pos, start - pos));
        if (r.with->is(VT::Str)) {
            out.append(r.with->as_str());
        } else {
            std::vector<Value> args;
            for (size_t g = 1; g < m.size(); ++g) args.push_back(Value::str(m[g].text));
            args.push_back(Value::str(m[0].text));
            args.push_back(Value::integer(static_cast<int64_t>(start)));
            args.push_back(Value::integer(static_cast<int64_t>(end)));
            args.push_back(subject);
            out.append(r.text(q.call(*r.with, args.data(), static_cast<int>(args.size())), keep));
        }
        pos = end;
        if (start == end) break;
    }
    out.append(s.substr(pos));
    return out;
}

}  // namespace

// replace(old, new, count?): old a str or regex, new a str or a closure;
// count < 0 replaces from the end (not with a regex), 0 nothing.
Value m_str_replace(Query& q, Value* self, Args& a) {
    a.between(2, 3);
    Value subject = *self;
    const std::string& s = subject.as_str();
    Value old = a.eval(0);
    if (!old.is(VT::Str) && !old.is(VT::Regex)) a.bad_type(0, "str` or `regex", old);
    Value with = a.eval(1);
    if (!with.is(VT::Str) && !with.is(VT::Closure)) a.bad_type(1, "str` or `closure", with);
    int64_t n = LLONG_MAX;
    if (a.size() == 3) {
        Value c = a.eval(2);
        // ThingsDB reports the count as "argument 2" (sic).
        if (!c.is(VT::Int)) a.bad_type(1, "int", c);
        n = c.as_int();
        if (n == LLONG_MIN) raise(OVERFLOW_ERR, "integer overflow");
        if (n == 0) return subject;
    }
    Replacer r{q, a, &with};
    if (old.is(VT::Regex)) {
        if (n < 0)
            a.fail(VALUE_ERR,
                   "function `replace` does not support backward (negative) replacements when "
                   "used with a regular expression");
        return Value::str(replace_regex(q, subject, old, r, static_cast<size_t>(n)));
    }
    const std::string& o = old.as_str();
    if (o.empty()) raise(VALUE_ERR, "replace an empty string");
    if (o.size() > s.size()) return subject;
    return Value::str(n > 0 ? replace_front(q, subject, o, r, static_cast<size_t>(n))
                            : replace_back(q, subject, o, r, static_cast<size_t>(-n)));
}

// --- split ----------------------------------------------------------------

namespace {

// Length of the separator at pos (0: none): the separator itself, or a run
// of whitespace when sep is empty.
size_t sep_at(std::string_view s, size_t pos, std::string_view sep) {
    if (!sep.empty()) return s.compare(pos, sep.size(), sep) == 0 ? sep.size() : 0;
    size_t n = 0;
    while (pos + n < s.size() && space(s[pos + n])) ++n;
    return n;
}

// Length of the separator ending at pos (exclusive), scanning backwards.
size_t sep_before(std::string_view s, size_t pos, std::string_view sep) {
    if (!sep.empty())
        return pos >= sep.size() && s.compare(pos - sep.size(), sep.size(), sep) == 0 ? sep.size()
                                                                                      : 0;
    size_t n = 0;
    while (n < pos && space(s[pos - 1 - n])) ++n;
    return n;
}

// At most `num` splits from the left (as ThingsDB: never more splits than
// the string has separator-sized pieces).
std::vector<Value> split_left(std::string_view s, std::string_view sep, size_t num) {
    size_t w = sep.empty() ? 1 : sep.size();
    num = std::min(num, s.size() / w);
    std::vector<Value> out;
    size_t start = 0, pos = 0;
    if (!sep.empty()) {  // a search per piece, linear (find_in)
        while (num) {
            poll_tick();
            size_t hit = find_in(s, sep, pos);
            if (hit == std::string_view::npos) break;
            out.push_back(Value::str(s.substr(start, hit - start)));
            --num;
            pos = start = hit + sep.size();
        }
        num = 0;
    }
    while (num && pos + w <= s.size()) {
        poll_tick();
        size_t k = sep_at(s, pos, sep);
        if (k) {
            out.push_back(Value::str(s.substr(start, pos - start)));
            --num;
            pos += k;
            start = pos;
            continue;
        }
        ++pos;
    }
    out.push_back(Value::str(s.substr(start)));
    return out;
}

std::vector<Value> split_right(std::string_view s, std::string_view sep, size_t num) {
    size_t w = sep.empty() ? 1 : sep.size();
    num = std::min(num, s.size() / w);
    std::vector<Value> out;
    size_t until = s.size(), pos = s.size();
    if (!sep.empty()) {  // the forward search of the reversed texts, linear
        std::string rs(s.rbegin(), s.rend()), rsep(sep.rbegin(), sep.rend());
        size_t from = 0;
        while (num) {
            poll_tick();
            size_t hit = find_in(rs, rsep, from);
            if (hit == std::string_view::npos) break;
            pos = s.size() - hit - sep.size();  // where the separator starts in s
            out.push_back(Value::str(s.substr(pos + sep.size(), until - pos - sep.size())));
            --num;
            until = pos;
            from = hit + sep.size();
        }
        num = 0;
    }
    while (num && pos >= w) {
        poll_tick();
        size_t k = sep_before(s, pos, sep);
        if (k) {
            out.push_back(Value::str(s.substr(pos, until - pos)));
            --num;
            pos -= k;
            until = pos;
            continue;
        }
        --pos;
    }
    out.push_back(Value::str(s.substr(0, until)));
    std::reverse(out.begin(), out.end());
    return out;
}

std::vector<Value> split_n(std::string_view s, std::string_view sep, int64_t n) {
    if (n == LLONG_MIN) raise(OVERFLOW_ERR, "integer overflow");
    return n >= 0 ? split_left(s, sep, static_cast<size_t>(n))
                  : split_right(s, sep, static_cast<size_t>(-n));
}

// Splits on every match of a regex (at most n times); the capture groups
// of each match go into the result too, as in ThingsDB.
std::vector<Value> split_regex(Query& q, const std::string& s, const RegexObj* re, size_t n) {
    std::vector<Value> out;
    size_t pos = 0;
    RegexScan scan(re, s);  // checks for interrupts before every search
    while (n--) {
        q.poll();
        size_t end = 0;
        auto m = scan.next(pos, &end);
        if (m.empty()) break;
        size_t start = end - m[0].text.size();
        out.push_back(Value::str(s.substr(pos, start - pos)));
        for (size_t g = 1; g < m.size(); ++g) out.push_back(Value::str(m[g].text));
        if (pos == end) break;
        pos = end;
    }
    out.push_back(Value::str(s.substr(pos)));
    return out;
}

}  // namespace

// split(), split(limit), split(sep), split(sep, limit). A negative limit
// splits from the right.
Value m_str_split(Query& q, Value* self, Args& a) {
    a.at_most(2);
    const std::string& s = S(self);
    if (a.size() == 0) return make_list(split_left(s, "", SIZE_MAX));
    Value first = a.eval(0);
    if (first.is(VT::Int)) {
        if (a.size() == 2)
            raise(NUM_ARGUMENTS_ERR,
                  "function `split` takes at most 1 argument when the first argument "
                  "is of type `int`");
        return make_list(split_n(s, "", first.as_int()));
    }
    if (first.is(VT::Regex)) {
        size_t n = SIZE_MAX;
        if (a.size() == 2) {
            int64_t i = a.int_arg(1);
            if (i < 0)
                raise(VALUE_ERR,
                      "function `split` does not support backward (negative) splits "
                      "when used with a regular expression");
            n = static_cast<size_t>(i);
        }
        return make_list(split_regex(q, s, first.regex(), n));
    }
    if (!first.is(VT::Str))
        raisef(TYPE_ERR,
               "function `split` expects argument 1 to be of type `str` or type `int` "
               "but got type `%s` instead",
               type_name(first));
    const std::string& sep = first.as_str();
    if (sep.empty()) raise(VALUE_ERR, "empty separator");
    if (a.size() == 2) return make_list(split_n(s, sep, a.int_arg(1)));
    return make_list(split_left(s, sep, SIZE_MAX));
}

// test(regex): whether the regex matches somewhere in the string.
Value m_str_test(Query&, Value* self, Args& a) {
    a.exactly(1);
    Value re = a.eval(0);
    if (!re.is(VT::Regex)) a.bad_type(0, "regex", re);
    return Value::boolean(regex_test(re.regex(), S(self)));
}

// --- bytes ------------------------------------------------------------------

Value m_bytes_len(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(static_cast<int64_t>(self->as_str().size()));
}

}  // namespace tdb
