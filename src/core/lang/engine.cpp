// run_query: scope resolution, variables from JSON, the run and its result.
#include "core/api/engine.h"

#include "core/api/access.h"
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/lang/ast.h"
#include "core/lang/names.h"
#include "core/lang/query.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

// ThingsDB ends every scope error with a link to its page about scopes.
#define SCOPES_DOC "; see https://docs.thingsdb.io/v1/overview/scopes"

// A collection id or node id: digits only; -1 otherwise (scope__read_id).
int64_t scope_read_id(std::string_view s) {
    if (s.empty() || s.size() > 18) return -1;
    int64_t id = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return -1;
        id = id * 10 + (c - '0');
    }
    return id;
}

Scope scope_collection(std::string_view s) {
    Scope sc;
    sc.kind = Scope::COLLECTION;
    // Digits only name a collection by id; anything else must be a name
    // (`1a` is neither: an invalid name).
    if (s[0] >= '0' && s[0] <= '9') {
        int64_t id = scope_read_id(s);
        if (id >= 0) {
            sc.id = static_cast<uint64_t>(id);
            return sc;
        }
    }
    if (!valid_name(s))
        raise(VALUE_ERR, "invalid scope; the specified collection name is invalid" SCOPES_DOC);
    sc.name = std::string(s);
    return sc;
}

[[noreturn]] void invalid_scope(std::string_view s) {
    if (s.empty()) raise(VALUE_ERR, "invalid scope; scopes must not be empty" SCOPES_DOC);
    for (unsigned char c : s)
        if (c >= 0x80)
            raise(VALUE_ERR,
                  "invalid scope; scopes must only contain valid ASCII characters" SCOPES_DOC);
    char first = s[0];
    char sep = first == '@' ? ':' : first == '/' ? '/' : '\0';
    if (!sep)
        raisef(
            VALUE_ERR,
            "invalid scope; scopes must start with a `@` or `/` but got `%.*s` instead" SCOPES_DOC,
            static_cast<int>(s.size()), s.data());
    if (s.size() == 1)
        raisef(VALUE_ERR,
               "invalid scope; expecting a scope name like `%cthingsdb`, `%cnode%c...` or "
               "`%ccollection%c...`" SCOPES_DOC,
               first, first, sep, first, sep);
    raisef(VALUE_ERR,
           "invalid scope; expecting a scope name like `%cthingsdb`, `%cnode%c...` or "
           "`%ccollection%c...` "
           "but got `%.*s` instead" SCOPES_DOC,
           first, first, sep, first, sep, static_cast<int>(s.size()), s.data());
}

// True when s[1..i) is a non-empty prefix of word.
bool prefix_of(std::string_view s, size_t i, std::string_view word) {
    return i - 1 <= word.size() && s.substr(1, i - 1) == word.substr(0, i - 1);
}

}  // namespace

Scope parse_scope(std::string_view s) {
    if (s.size() < 2) invalid_scope(s);
    char sep;
    switch (s[0]) {
        case '@':
            sep = ':';
            break;
        case '/':
            sep = '/';
            break;
        default:
            invalid_scope(s);
    }
    size_t n = s.size();
    switch (s[1]) {
        case 't': {
            if (!prefix_of(s, n, "thingsdb")) invalid_scope(s);
            Scope sc;
            sc.kind = Scope::THINGSDB;
            return sc;
        }
        case 'n': {
            size_t i = 2;
            while (i < n && s[i] != sep) ++i;
            if (!prefix_of(s, i, "node")) invalid_scope(s);
            Scope sc;
            sc.kind = Scope::NODE;
            if (++i >= n) return sc;
            int64_t id = scope_read_id(s.substr(i));
            if (id < 0 || id >= 0x40)
                raise(VALUE_ERR,
                      "invalid scope; a node id must be an integer value between 0 and "
                      "64" SCOPES_DOC);
            return sc;
        }
        case 'c': {
            size_t i = 2;
            while (i < n && s[i] != sep) ++i;
            if (!prefix_of(s, i, "collection")) invalid_scope(s);
            if (++i >= n)
                raise(VALUE_ERR,
                      "invalid scope; the collection scope requires to specify a "
                      "collection" SCOPES_DOC);
            return scope_collection(s.substr(i));
        }
        case ':':
        case '/':
            if (n < 3 || s[1] != sep) invalid_scope(s);
            return scope_collection(s.substr(2));
    }
    invalid_scope(s);
}

std::string run_query(Storage& st, const QueryRequest& req) {
    init_core();
    Scope scope = parse_scope(req.scope);
    if (scope.kind == Scope::NODE)
        raise(LOOKUP_ERR, "the `@node` scope is not available; a node is the PostgreSQL server");
    // Code that cannot change anything does not wait for a mod_type to end
    // (Storage::set_reader): it is parsed before the collection is opened, and
    // so locked. A syntax error is raised by q.run, after the access check.
    std::shared_ptr<Program> prog;
    {
        // The query's string quota applies to the literals, as in Query::run.
        struct StrQuota {
            size_t prev = max_str_size;
            ~StrQuota() { max_str_size = prev; }
        } quota;
        max_str_size = configured_limits().max_str;
        try {
            prog = parse(req.code, configured_limits().max_parse_depth);
        } catch (const Error&) {
            prog = nullptr;
        }
    }
    bool reader_code = prog && !prog->side_effects;
    // Code that may change data is a writer from the start, before it opens anything: a
    // storage that ran it as a reader without the means to undo a write (Storage::set_reader)
    // runs it again as a writer. A read-only request stays a reader as its storage set it.
    if (reader_code)
        st.set_reader(true);
    else if (req.read_only.empty())
        st.set_reader(false);
    Query q(st, scope);
    q.reader_by_code = reader_code;
    if (req.scope_out) *req.scope_out = q.scope_label();
    // QUERY before anything else (as ThingsDB); CHANGE once the code turns
    // out to be a change (Query::set_change).
    q.identity = req.identity;
    q.read_only = std::string(req.read_only);
    check_access(q, AUTH_QUERY);
    if (!req.vars_json.empty()) {
        Value vars = json_input_value(q, req.vars_json, true);
        if (!vars.is(VT::Thing)) raise(TYPE_ERR, "expecting `vars` to be a JSON object");
        for (Prop& p : vars.thing()->props()) {
            Value v = p.val;
            if (v.is(VT::List)) v.list()->tuple = false;
            q.bind(p.key, std::move(v));
        }
    }
    Value result = prog ? q.run(std::move(prog)) : q.run(req.code);
    std::string out = q.to_json(result, q.deep());
    if (req.jobs_out)
        for (Query::Job& j : q.jobs) req.jobs_out->emplace_back(j.thing_id, std::move(j.json));
    return out;
}

}  // namespace tdb
