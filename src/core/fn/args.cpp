// Args: evaluating the arguments of a built-in and checking their number
// and types, with ThingsDB's messages.
#include <cstdarg>
#include <string>

#include "core/fn/fn.h"
#include "core/lang/query.h"

namespace tdb {

namespace {

const char* plural(int n) { return n == 1 ? "" : "s"; }
const char* was(int n) { return n == 1 ? "was" : "were"; }

}  // namespace

Value Args::eval(int i) const { return q_.eval(nodes_[i]); }

namespace {

// The receiver's part of a method's page (a tuple's methods are the list's,
// a timeval's the datetime's: ThingsDB's functions and pages are shared).
const char* receiver_page(VT t) {
    switch (t) {
        case VT::Timeval:
            return "datetime";
        case VT::Wrap:
            return "wtype";
        case VT::Ano:
            return "thing";
        default:
            return kind_name(t);
    }
}

bool ends_with(std::string_view s, std::string_view end) {
    return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
}

}  // namespace

std::string fn_doc_url(std::string_view name, bool method, VT receiver) {
    std::string url = "https://docs.thingsdb.io/v1/";
    if (method) {
        url += "data-types/";
        url += receiver_page(receiver);
        url += '/';
    } else if (name == "run" || name.find("procedure") != std::string_view::npos) {
        url += "procedures-api/";
    } else if (ends_with(name, "_err") && name != "is_err") {
        url += "errors/";
    } else {
        const FnDef* d = find_function(name);
        bool thingsdb =
            name == "user_info" || (d && (d->flags & FN_THINGSDB) && !(d->flags & FN_COLLECTION));
        url += thingsdb ? "thingsdb-api/" : "collection-api/";
    }
    url += name;
    return url;
}

std::string Args::doc() const {
    if (page_) return std::string("; see https://docs.thingsdb.io/v1/") + page_;
    return "; see " + fn_doc_url(name_, method_, receiver_);
}

Args Args::renamed(const char* name, const char* page) const {
    Args r(q_, name, nodes_, n_);
    r.page_ = page;
    return r;
}

void Args::fail(int code, const char* f, ...) const {
    va_list ap;
    va_start(ap, f);
    char buf[512];
    int len = vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    std::string msg;
    if (len >= static_cast<int>(sizeof buf)) {
        msg.resize(static_cast<size_t>(len) + 1);
        va_start(ap, f);
        vsnprintf(msg.data(), msg.size(), f, ap);
        va_end(ap);
        msg.resize(static_cast<size_t>(len));
    } else {
        msg.assign(buf, len > 0 ? static_cast<size_t>(len) : 0);
    }
    raise(code, msg + doc());
}

void raise_user(int code, std::string msg) { throw UserError(code, std::move(msg)); }

bool documented_error(const Error& e, const Args& a, std::string& msg) {
    if (dynamic_cast<const UserError*>(&e)) return false;
    const std::string& m = e.msg();
    std::string head = std::string("function `") + a.name() + "` ";
    if (m.compare(0, head.size(), head) != 0) return false;
    if (m.find("; see https://docs.thingsdb.io/") != std::string::npos) return false;
    msg = m + a.doc();
    return true;
}

void Args::exactly(int n) const {
    if (n_ != n)
        raisef(NUM_ARGUMENTS_ERR, "function `%s` takes %d argument%s but %d %s given", name_, n,
               plural(n), n_, was(n_));
}

void Args::at_least(int n) const {
    if (n_ < n)
        raisef(NUM_ARGUMENTS_ERR, "function `%s` requires at least %d argument%s but %d %s given",
               name_, n, plural(n), n_, was(n_));
}

void Args::at_most(int n) const {
    if (n_ > n)
        raisef(NUM_ARGUMENTS_ERR, "function `%s` takes at most %d argument%s but %d %s given",
               name_, n, plural(n), n_, was(n_));
}

void Args::between(int lo, int hi) const {
    at_least(lo);
    at_most(hi);
}

void Args::bad_type(int i, const char* want, const Value& got) const {
    raisef(TYPE_ERR,
           "function `%s` expects argument %d to be of type `%s` but got type `%s` instead", name_,
           i + 1, want, type_name(got));
}

int64_t Args::int_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Int)) bad_type(i, "int", v);
    return v.as_int();
}

double Args::number_arg(int i) const {
    Value v = eval(i);
    if (v.is(VT::Int)) return static_cast<double>(v.as_int());
    if (v.is(VT::Float)) return v.as_float();
    raisef(TYPE_ERR,
           "function `%s` expects argument %d to be of type `int` or `float` but got type `%s` "
           "instead",
           name_, i + 1, type_name(v));
}

std::string Args::str_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Str)) bad_type(i, "str", v);
    return v.as_str();
}

Value Args::closure_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Closure)) bad_type(i, "closure", v);
    return v;
}

Value Args::thing_arg(int i) const {
    Value v = eval(i);
    if (!v.is(VT::Thing)) bad_type(i, "thing", v);
    return v;
}

}  // namespace tdb
