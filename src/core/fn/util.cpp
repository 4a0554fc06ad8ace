// Functions of ThingsDB's library that belong to no type: random values
// (rand, randint, randstr), base64, is_email/is_url/is_tel, refs, root, deep,
// change_id, log, timeit, wse, nse, and the argument checks of export/import.
#include <sys/random.h>

#include <cinttypes>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/model/poll.h"
#include "core/lang/ops.h"
#include "core/schema/procedures.h"
#include "core/schema/types.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

// --- random ------------------------------------------------------------------

namespace {

void random_bytes(void* buf, size_t n) {
    auto* p = static_cast<unsigned char*>(buf);
    while (n) {
        ssize_t got = getrandom(p, n, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            raise(-1, "internal error: no random data");
        }
        p += got;
        n -= static_cast<size_t>(got);
    }
}

uint64_t random_u64() {
    uint64_t r;
    random_bytes(&r, sizeof r);
    return r;
}

}  // namespace

// A uniform number below n (n > 0), without modulo bias.
uint64_t random_below(uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t r = random_u64();
        if (r < limit) return r % n;
    }
}

Value fn_rand(Query&, Value*, Args& a) {
    a.exactly(0);
    // 53 random bits: a float in [0, 1).
    return Value::number(static_cast<double>(random_u64() >> 11) * 0x1.0p-53);
}

Value fn_randint(Query&, Value*, Args& a) {
    a.exactly(2);
    int64_t lo = a.int_arg(0);
    int64_t hi = a.int_arg(1);
    if (hi <= lo) raise(VALUE_ERR, "function `randint` does not accept an empty range");
    if (hi > 0 && lo < INT64_MIN + hi) raise(OVERFLOW_ERR, "integer overflow");
    uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);  // fits: checked above
    return Value::integer(static_cast<int64_t>(static_cast<uint64_t>(lo) + random_below(span)));
}

constexpr size_t kRandstrMax = 1024;
constexpr char kCharset[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

Value fn_randstr(Query&, Value*, Args& a) {
    a.between(1, 2);
    int64_t n = a.int_arg(0);
    if (n < 0 || n > static_cast<int64_t>(kRandstrMax))
        raisef(VALUE_ERR, "function `randstr` requires a length between 0 and %zu", kRandstrMax);
    std::string charset = kCharset;
    if (a.size() == 2) {
        charset = a.str_arg(1);
        if (charset.empty())
            raise(VALUE_ERR,
                  "function `randstr` requires a character set with at least one valid ASCII "
                  "character");
        for (unsigned char c : charset)
            if (c >= 0x80)
                raise(VALUE_ERR,
                      "function `randstr` requires a character set with ASCII characters only");
    }
    std::string out(static_cast<size_t>(n), '\0');
    for (char& c : out) c = charset[random_below(charset.size())];
    return Value::str(std::move(out));
}

// --- base64 ------------------------------------------------------------------

// `want` names the accepted types as ThingsDB's message for the function does.
static Value raw_arg(Args& a, int i, const char* want) {
    Value v = a.eval(i);
    if (!v.is(VT::Str) && !v.is(VT::Bytes))
        raisef(TYPE_ERR,
               "function `%s` expects argument %d to be of type %s but got type `%s` instead",
               a.name(), i + 1, want, type_name(v));
    return v;
}

Value fn_base64_encode(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::str(base64_encode(raw_arg(a, 0, "`str`, `bytes` or `mpdata`").as_str()));
}

// Lenient as ThingsDB: characters outside the alphabet (white space, line
// breaks) are skipped, decoding stops at the padding.
Value fn_base64_decode(Query&, Value*, Args& a) {
    a.exactly(1);
    Value arg =
        raw_arg(a, 0, "`str` or type `bytes`");  // keeps the string alive (a temporary would not)
    const std::string& in = arg.as_str();
    static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    uint32_t acc = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        const char* p = c ? std::strchr(kB64, c) : nullptr;
        if (!p) continue;
        acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return Value::bytes(std::move(out));
}

// --- is_email, is_url, is_tel ---------------------------------------------------

namespace {

const RegexObj* pattern(const char* src) {
    // Compiled once per backend; kept for its lifetime (held by a static,
    // so LeakSanitizer sees it reachable).
    static std::vector<Value> kept;
    kept.push_back(make_regex(src, ""));
    return kept.back().regex();
}

const RegexObj* re_email() {
    static const RegexObj* re = pattern(
        "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
        "(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$");
    return re;
}

const RegexObj* re_url() {
    static const RegexObj* re = pattern(
        "^(?:(?:https?|ftp)://)(?:\\S+(?::\\S*)?@)?(?:[A-Za-z0-9\\x{00a1}-\\x{ffff}]"
        "(?:[A-Za-z0-9\\x{00a1}-\\x{ffff}-]{0,62}[A-Za-z0-9\\x{00a1}-\\x{ffff}])?"
        "(?:\\.[A-Za-z0-9\\x{00a1}-\\x{ffff}](?:[A-Za-z0-9\\x{00a1}-\\x{ffff}-]{0,62}"
        "[A-Za-z0-9\\x{00a1}-\\x{ffff}])?)*)(?::\\d{2,5})?(?:[/?#]\\S*)?$");
    return re;
}

const RegexObj* re_tel() {
    static const RegexObj* re = pattern("^\\+?(?:[0-9][ .-]?|\\([0-9]{1,4}\\)[ .-]?){6,15}[0-9]$");
    return re;
}

template <const RegexObj* (*Re)()>
Value matches(Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    return Value::boolean(v.is(VT::Str) && regex_test(Re(), v.as_str()));
}

}  // namespace

Value fn_is_email(Query&, Value*, Args& a) { return matches<re_email>(a); }
Value fn_is_url(Query&, Value*, Args& a) { return matches<re_url>(a); }
Value fn_is_tel(Query&, Value*, Args& a) { return matches<re_tel>(a); }

// --- introspection ---------------------------------------------------------------

// refs(v): how many references the value has in memory (ThingsDB answers the
// same for its own reference counts: a debugging aid).
// refs(v): ThingsDB's reference count of the value, its own reference as the
// query's value included: a literal is held by the code as ThingsDB's query
// cache holds it, a thing by its parent, each variable holds one more. nil
// and the booleans are ThingsDB's singletons: the variables that hold one
// count (ints and floats are no objects here and count 1).
Value fn_refs(Query& q, Value*, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    if (v.is_obj()) {
        int64_t n = static_cast<int64_t>(v.object()->refs);
        if (q.collection()) n -= q.collection()->engine_refs(v);
        // The catalog's list of instances made in the query is no holder
        // in ThingsDB either.
        if (Catalog* cat = v.is(VT::Thing) ? Catalog::current() : nullptr)
            for (const Ref<Thing>& t : cat->made) poll_tick(), n -= t.get() == v.object();
        return Value::integer(n);
    }
    int64_t n = 1;
    if (v.is_nil() || v.is(VT::Bool)) {
        for (const Query::Var& b : q.vars) {
            poll_tick();
            if (b.val.type() == v.type() && (v.is_nil() || b.val.as_bool() == v.as_bool())) ++n;
        }
    }
    return Value::integer(n);
}

Value fn_root(Query& q, Value*, Args& a) {
    a.exactly(0);
    Collection* c = q.collection();
    return c ? c->root() : Value::nil();
}

Value fn_deep(Query& q, Value*, Args& a) {
    a.exactly(0);
    return Value::integer(q.deep());
}

// change_id(): as ThingsDB, nil for a query that makes no change; for a
// change, the id of the PostgreSQL transaction it is part of (every query of
// the transaction is one change). The watch events' numbers are given at
// commit, in commit order, so no query knows its event number yet.
Value fn_change_id(Query& q, Value*, Args& a) {
    a.exactly(0);
    if (!q.is_change()) return Value::nil();
    return Value::integer(q.storage().transaction_id());
}

// The text log() writes: str() of the value.
static std::string log_text(const Value& v) {
    switch (v.type()) {
        case VT::Str:
            return v.as_str();
        case VT::Bytes:
            return v.as_str();
        case VT::Error:
            return v.error()->msg;
        case VT::List:
        case VT::Set:
        case VT::Thing:
        case VT::Future:
            raisef(TYPE_ERR, "cannot convert type `%s` to `str`", type_name(v));
        default:
            return to_display(v);
    }
}

Value fn_log(Query& q, Value*, Args& a) {
    a.exactly(1);
    q.storage().log(log_text(a.eval(0)));
    return Value::nil();
}

Value fn_timeit(Query& q, Value*, Args& a) {
    a.exactly(1);
    timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    Value data = a.eval(0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double secs = static_cast<double>(end.tv_sec - start.tv_sec) +
                  static_cast<double>(end.tv_nsec - start.tv_nsec) / 1e9;
    Value t = new_thing();
    t.thing()->props().push_back(Prop{"data", q.assignable(std::move(data), nullptr, false)});
    t.thing()->props().push_back(Prop{"time", Value::number(secs)});
    return t;
}

// Types that exist in ThingsDB but never here (rooms, tasks, modules,
// msgpack data): their tests answer false.
Value fn_is_unsupported(Query&, Value*, Args& a) {
    a.exactly(1);
    a.eval(0);
    return Value::boolean(false);
}

// --- side effects -----------------------------------------------------------------

// wse() makes the query a change before its argument runs, so stored
// closures with side effects may be called inside it.
Value fn_wse(Query& q, Value*, Args& a) {
    a.at_most(1);
    q.set_change(true);
    return a.size() ? a.eval(0) : Value::nil();
}

// nse(): a query that is a change (decided from its code before it runs,
// or forced by wse()) cannot declare itself free of side effects.
Value fn_nse(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (q.is_change())
        raise(OPERATION_ERR, "function `nse` failed; at least one side-effect is enforced");
    return a.size() ? a.eval(0) : Value::nil();
}

// --- export / import -----------------------------------------------------------------

// ThingsDB's export() writes the collection's types, enums and procedures
// as code; import() restores an export. Here PostgreSQL's own backups
// (pg_dump of schema thingsdb) take that role: the arguments are checked as
// ThingsDB does, then the function refuses.
Value fn_export(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (q.is_change())
        raise(OPERATION_ERR, "function `export` must not be used with a change or future");
    if (a.size() == 1) {
        Value opts = a.thing_arg(0);
        for (const Prop& p : opts.thing()->props()) {
            if (p.key != "dump") raisef(VALUE_ERR, "invalid export option `%s`", p.key.c_str());
            if (!p.val.is(VT::Bool))
                raisef(TYPE_ERR, "dump must be of type `bool` but got type `%s` instead",
                       type_name(p.val));
        }
    }
    raise(OPERATION_ERR,
          "function `export` is not supported; back up schema `thingsdb` with pg_dump instead");
}

Value fn_import(Query&, Value*, Args& a) {
    a.between(1, 2);
    Value data = a.eval(0);
    if (!data.is(VT::Bytes)) a.bad_type(0, "bytes", data);
    if (a.size() == 2) {
        Value opts = a.thing_arg(1);
        for (const Prop& p : opts.thing()->props()) {
            if (p.key != "import_tasks")
                raisef(VALUE_ERR, "invalid import option `%s`", p.key.c_str());
            if (!p.val.is(VT::Bool))
                raisef(TYPE_ERR, "import_tasks must be of type `bool` but got type `%s` instead",
                       type_name(p.val));
        }
    }
    raise(OPERATION_ERR,
          "function `import` is not supported; restore schema `thingsdb` with pg_restore instead");
}

// The restrictions 'email', 'url' and 'tel' (model/restrict.cpp): an empty string
// or one the pattern of is_email/is_url/is_tel matches.
bool restriction_pattern_ok(char which, const std::string& s) {
    if (s.empty()) return true;
    const RegexObj* re = which == 'e' ? re_email() : which == 'u' ? re_url() : re_tel();
    return regex_test(re, s);
}

}  // namespace tdb
