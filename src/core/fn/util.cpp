// Functions of ThingsDB's library that are neither math nor a method of a
// collection value: base64, is_email/is_url/is_tel, random values (rand,
// randint, randstr, list.choice), refs, root, deep, change_id, log, timeit,
// future() with then/else, and the argument checks of export/import.
#include <sys/random.h>

#include <cinttypes>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/fn/fn.h"
#include "core/lang/ops.h"
#include "core/schema/procedures.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

// A future resolves at once here (there are no modules): it holds the value
// it resolved to, or the error its closure raised, and the arguments its
// `then` closure gets (the value first).
struct FutureObj : Obj {
    Value value;
    std::vector<Value> args;
    bool failed = false;
    Value error;
};

Value future_value(const Value& v) {
    auto* f = static_cast<FutureObj*>(v.object());
    return f->failed ? f->error : f->value;
}

namespace {

// --- random ------------------------------------------------------------------

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

// A uniform number below n (n > 0), without modulo bias.
uint64_t random_below(uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    for (;;) {
        uint64_t r = random_u64();
        if (r < limit) return r % n;
    }
}

Value f_rand(Query&, Value*, Args& a) {
    a.exactly(0);
    // 53 random bits: a float in [0, 1).
    return Value::number(static_cast<double>(random_u64() >> 11) * 0x1.0p-53);
}

Value f_randint(Query&, Value*, Args& a) {
    a.exactly(2);
    int64_t lo = a.int_arg(0);
    int64_t hi = a.int_arg(1);
    if (hi <= lo) raise(VALUE_ERR, "function `randint` does not accept an empty range");
    if (hi > 0 && lo < INT64_MIN + hi) raise(OVERFLOW_ERR, "integer overflow");
    uint64_t span = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);   // fits: checked above
    return Value::integer(static_cast<int64_t>(static_cast<uint64_t>(lo) + random_below(span)));
}

constexpr size_t kRandstrMax = 1024;
constexpr char kCharset[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";

Value f_randstr(Query&, Value*, Args& a) {
    a.between(1, 2);
    int64_t n = a.int_arg(0);
    if (n < 0 || n > static_cast<int64_t>(kRandstrMax))
        raisef(VALUE_ERR, "function `randstr` requires a length between 0 and %zu", kRandstrMax);
    std::string charset = kCharset;
    if (a.size() == 2) {
        charset = a.str_arg(1);
        if (charset.empty())
            raise(VALUE_ERR, "function `randstr` requires a character set with at least one valid ASCII character");
        for (unsigned char c : charset)
            if (c >= 0x80) raise(VALUE_ERR, "function `randstr` requires a character set with ASCII characters only");
    }
    std::string out(static_cast<size_t>(n), '\0');
    for (char& c : out) c = charset[random_below(charset.size())];
    return Value::str(std::move(out));
}

Value m_choice(Query&, Value* self, Args& a) {
    a.exactly(0);
    auto& items = self->list()->items;
    if (items.empty()) raise(LOOKUP_ERR, "choice from empty list");
    return items[random_below(items.size())];
}

// --- base64 ------------------------------------------------------------------

Value raw_arg(Args& a, int i) {
    Value v = a.eval(i);
    if (!v.is(VT::Str) && !v.is(VT::Bytes))
        raisef(TYPE_ERR,
               "function `%s` expects argument %d to be of type `str` or type `bytes` but got type `%s` instead",
               a.name(), i + 1, type_name(v));
    return v;
}

Value f_base64_encode(Query&, Value*, Args& a) {
    a.exactly(1);
    return Value::str(base64_encode(raw_arg(a, 0).as_str()));
}

// Lenient as ThingsDB: characters outside the alphabet (white space, line
// breaks) are skipped, decoding stops at the padding.
Value f_base64_decode(Query&, Value*, Args& a) {
    a.exactly(1);
    Value arg = raw_arg(a, 0);   // keeps the string alive (a temporary would not)
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
Value f_is_re(Query&, Value*, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    return Value::boolean(v.is(VT::Str) && regex_test(Re(), v.as_str()));
}

// --- introspection ---------------------------------------------------------------

// refs(v): how many references the value has in memory (ThingsDB answers the
// same for its own reference counts: a debugging aid).
Value f_refs(Query&, Value*, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    if (!v.is_obj()) return Value::integer(1);
    return Value::integer(static_cast<int64_t>(v.object()->refs) - 1);
}

Value f_root(Query& q, Value*, Args& a) {
    a.exactly(0);
    Collection* c = q.collection();
    return c ? c->root() : Value::nil();
}

Value f_deep(Query& q, Value*, Args& a) {
    a.exactly(0);
    return Value::integer(q.deep());
}

// change_id(): as ThingsDB, nil for a query that makes no change; for a
// change, the id of the PostgreSQL transaction it is part of (every query of
// the transaction is one change). The watch events' numbers are given at
// commit, in commit order, so no query knows its event number yet.
Value f_change_id(Query& q, Value*, Args& a) {
    a.exactly(0);
    if (!q.is_change()) return Value::nil();
    return Value::integer(q.storage().transaction_id());
}

// The text log() writes: str() of the value.
std::string log_text(const Value& v) {
    switch (v.type()) {
        case VT::Str: return v.as_str();
        case VT::Bytes: return v.as_str();
        case VT::Error: return v.error()->msg;
        case VT::List:
        case VT::Set:
        case VT::Thing:
        case VT::Closure:
        case VT::Future:
            raisef(TYPE_ERR, "cannot convert type `%s` to `str`", type_name(v));
        default: return to_display(v);
    }
}

Value f_log(Query& q, Value*, Args& a) {
    a.exactly(1);
    q.storage().log(log_text(a.eval(0)));
    return Value::nil();
}

Value f_timeit(Query& q, Value*, Args& a) {
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

// --- future ------------------------------------------------------------------------

Value make_future(FutureObj* f) { return Value::obj(VT::Future, f); }
FutureObj* F(Value* self) { return static_cast<FutureObj*>(self->object()); }

// Errors a future catches: ThingsDB's catchable codes.
bool catchable(const Error& e) { return e.code() >= -127 && e.code() <= -50; }

// future(nil, args...) resolves to nil; future(closure) calls the closure at
// once with the variables named as its parameters (ThingsDB hands their
// values to the future). A thing (a module request) is refused: there are
// no modules.
Value f_future(Query& q, Value*, Args& a) {
    a.at_least(1);
    Value first = a.eval(0);
    auto* f = new FutureObj();
    Value out = make_future(f);
    if (first.is_nil()) {
        f->args.push_back(Value::nil());
        for (int i = 1; i < a.size(); ++i) f->args.push_back(a.eval(i));
        return out;
    }
    if (first.is(VT::Thing)) {
        Value* m = first.thing()->get("module");
        if (!m) raise(LOOKUP_ERR, "missing `module` in future request");
        if (!m->is(VT::Str))
            raisef(TYPE_ERR, "expecting `module` to be of type `str` but got type `%s` instead", type_name(*m));
        raisef(LOOKUP_ERR, "module `%s` not found", m->as_str().c_str());
    }
    if (!first.is(VT::Closure))
        raisef(TYPE_ERR,
               "function `future` expects argument 1 to be of type `thing`, `closure` or `nil` "
               "but got type `%s` instead",
               type_name(first));
    std::vector<Value> vars;
    for (const std::string& p : first.closure()->params) {
        Value* v = q.find_var(intern(p));
        if (!v) raisef(LOOKUP_ERR, "variable `%s` is undefined", p.c_str());
        vars.push_back(*v);
    }
    try {
        f->value = q.call(first, vars.data(), static_cast<int>(vars.size()));
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        f->failed = true;
        f->error = make_error(e.code(), e.msg());
    }
    f->args.push_back(f->value);
    return out;
}

// then(closure): the closure gets the value and the future's arguments; the
// future resolves to what it returns. Skipped when the future failed.
Value m_then(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Value fn = a.closure_arg(0);
    FutureObj* f = F(&keep);
    if (f->failed) return keep;
    auto* r = new FutureObj();
    Value out = make_future(r);
    try {
        r->value = q.call(fn, f->args.data(), static_cast<int>(f->args.size()));
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        r->failed = true;
        r->error = make_error(e.code(), e.msg());
    }
    r->args.push_back(r->value);
    return out;
}

// else(closure): called with the error when the future failed.
Value m_else(Query& q, Value* self, Args& a) {
    a.exactly(1);
    Value keep = *self;
    Value fn = a.closure_arg(0);
    FutureObj* f = F(&keep);
    if (!f->failed) return keep;
    auto* r = new FutureObj();
    Value out = make_future(r);
    r->value = q.call(fn, {f->error});
    r->args.push_back(r->value);
    return out;
}

// --- closure ---------------------------------------------------------------------

// closure.call(args...): as ThingsDB's fn_call, a missing argument is nil and
// arguments past the closure's own are not evaluated.
Value m_call(Query& q, Value* self, Args& a) {
    Value keep = *self;
    int n = static_cast<int>(keep.closure()->params.size());
    std::vector<Value> args;
    for (int i = 0; i < n; ++i) args.push_back(i < a.size() ? a.eval(i) : Value::nil());
    return q.call(keep, args.data(), n);
}

// closure.doc(): the closure's doc string ("" without one).
Value m_doc(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::str(closure_doc(*self));
}

// closure(): `||nil`; closure(str) parses the text; a closure stays itself.
Value f_closure(Query&, Value*, Args& a) {
    a.at_most(1);
    if (a.size() == 0) return closure_from_source("||nil");
    Value v = a.eval(0);
    if (v.is(VT::Closure)) return v;
    if (!v.is(VT::Str)) raisef(TYPE_ERR, "cannot convert type `%s` to `closure`", type_name(v));
    return closure_from_source(v.as_str());
}

// alt_raise(expr, code, msg?): expr's value, or when expr raises a
// catchable error, that error again with another code (and message).
Value f_alt_raise(Query&, Value*, Args& a) {
    a.between(2, 3);
    std::string msg;
    try {
        return a.eval(0);
    } catch (const Error& e) {
        if (!catchable(e)) throw;
        msg = e.msg();
    }
    int64_t code = a.int_arg(1);
    if (code < -127 || code > -50)
        raisef(VALUE_ERR, "function `alt_raise` expects an error code between -127 and -50 but got %" PRId64 " instead",
               code);
    if (a.size() == 3) {
        msg = a.str_arg(2);
        if (msg.size() > 16383)
            raisef(VALUE_ERR, "error messages should not exceed 16383 characters, got %zu characters", msg.size());
    }
    raise(static_cast<int>(code), msg);
}

// Types that exist in ThingsDB but never here (rooms, tasks, modules,
// msgpack data): their tests answer false.
Value f_never(Query&, Value*, Args& a) {
    a.exactly(1);
    a.eval(0);
    return Value::boolean(false);
}

// --- export / import -----------------------------------------------------------------

// ThingsDB's export() writes the collection's types, enums and procedures
// as code; import() restores an export. Here PostgreSQL's own backups
// (pg_dump of schema thingsdb) take that role: the arguments are checked as
// ThingsDB does, then the function refuses.
Value f_export(Query& q, Value*, Args& a) {
    a.at_most(1);
    if (q.is_change()) raise(OPERATION_ERR, "function `export` must not be used with a change or future");
    if (a.size() == 1) {
        Value opts = a.thing_arg(0);
        for (const Prop& p : opts.thing()->props()) {
            if (p.key != "dump") raisef(VALUE_ERR, "invalid export option `%s`", p.key.c_str());
            if (!p.val.is(VT::Bool))
                raisef(TYPE_ERR, "dump must be of type `bool` but got type `%s` instead", type_name(p.val));
        }
    }
    raise(OPERATION_ERR, "function `export` is not supported; back up schema `thingsdb` with pg_dump instead");
}

Value f_import(Query&, Value*, Args& a) {
    a.between(1, 2);
    Value data = a.eval(0);
    if (!data.is(VT::Bytes)) a.bad_type(0, "bytes", data);
    if (a.size() == 2) {
        Value opts = a.thing_arg(1);
        for (const Prop& p : opts.thing()->props()) {
            if (p.key != "import_tasks") raisef(VALUE_ERR, "invalid import option `%s`", p.key.c_str());
            if (!p.val.is(VT::Bool))
                raisef(TYPE_ERR, "import_tasks must be of type `bool` but got type `%s` instead",
                       type_name(p.val));
        }
    }
    raise(OPERATION_ERR, "function `import` is not supported; restore schema `thingsdb` with pg_restore instead");
}

}  // namespace

// The restrictions 'email', 'url' and 'tel' (restrict.cpp): an empty string
// or one the pattern of is_email/is_url/is_tel matches.
bool restriction_pattern_ok(char which, const std::string& s) {
    if (s.empty()) return true;
    const RegexObj* re = which == 'e' ? re_email() : which == 'u' ? re_url() : re_tel();
    return regex_test(re, s);
}

void register_util_functions() {
    register_functions({
        {"rand", f_rand, FN_ANY_SCOPE},
        {"randint", f_randint, FN_ANY_SCOPE},
        {"randstr", f_randstr, FN_ANY_SCOPE},
        {"base64_encode", f_base64_encode, FN_ANY_SCOPE},
        {"base64_decode", f_base64_decode, FN_ANY_SCOPE},
        {"is_email", f_is_re<re_email>, FN_ANY_SCOPE},
        {"is_url", f_is_re<re_url>, FN_ANY_SCOPE},
        {"is_tel", f_is_re<re_tel>, FN_ANY_SCOPE},
        {"refs", f_refs, FN_ANY_SCOPE},
        {"root", f_root, FN_ANY_SCOPE},
        {"deep", f_deep, FN_ANY_SCOPE},
        {"change_id", f_change_id, FN_ANY_SCOPE},
        {"log", f_log, FN_ANY_SCOPE},
        {"timeit", f_timeit, FN_ANY_SCOPE},
        {"future", f_future, FN_ANY_SCOPE},
        {"closure", f_closure, FN_ANY_SCOPE},
        {"alt_raise", f_alt_raise, FN_ANY_SCOPE},
        {"is_mpdata", f_never, FN_ANY_SCOPE},
        {"is_room", f_never, FN_ANY_SCOPE},
        {"is_task", f_never, FN_ANY_SCOPE},
        {"is_module", f_never, FN_ANY_SCOPE},
        {"export", f_export, FN_COLLECTION},
        {"import", f_import, FN_COLLECTION | FN_CHANGE},
    });
    register_methods(VT::List, {{"choice", m_choice, FN_ANY_SCOPE}});
    register_methods(VT::Closure, {
        {"call", m_call, FN_ANY_SCOPE},
        {"doc", m_doc, FN_ANY_SCOPE},
    });
    register_methods(VT::Future, {
        {"then", m_then, FN_ANY_SCOPE},
        {"else", m_else, FN_ANY_SCOPE},
    });
}

}  // namespace tdb
