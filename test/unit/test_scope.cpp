// Scope names as ThingsDB reads them, and set_default_deep().
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;
using tdb::Scope;

namespace {

Scope ok(const std::string& s) { return tdb::parse_scope(s); }

const std::string kScopesDoc = "; see https://docs.thingsdb.io/v1/overview/scopes";

// The message of a scope error without its link to the scopes page, which
// every one of them ends with.
std::string bad(const std::string& s) {
    try {
        tdb::parse_scope(s);
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), tdb::VALUE_ERR) << s;
        std::string m = e.msg();
        size_t n = kScopesDoc.size();
        if (m.size() < n || m.compare(m.size() - n, n, kScopesDoc) != 0) {
            ADD_FAILURE() << "no link to the scopes page: " << m;
            return m;
        }
        return m.substr(0, m.size() - n);
    }
    ADD_FAILURE() << "no error for " << s;
    return "";
}

}  // namespace

TEST(Scope, Names) {
    for (const char* s : {"@thingsdb", "@t", "@thin", "/thingsdb", "/t"})
        EXPECT_EQ(ok(s).kind, Scope::THINGSDB) << s;
    // as in ThingsDB, "//thingsdb" is the collection named `thingsdb`
    EXPECT_EQ(ok("//thingsdb").kind, Scope::COLLECTION);
    EXPECT_EQ(ok("//thingsdb").name, "thingsdb");
    for (const char* s : {"@node", "@n", "@node:3", "@n:0", "/node/1"})
        EXPECT_EQ(ok(s).kind, Scope::NODE) << s;
    for (const char* s : {"@collection:stuff", "@c:stuff", "@coll:stuff", "@:stuff", "//stuff",
                          "/collection/stuff", "/c/stuff"}) {
        Scope sc = ok(s);
        EXPECT_EQ(sc.kind, Scope::COLLECTION) << s;
        EXPECT_EQ(sc.name, "stuff") << s;
    }
    Scope sc = ok("@:42");
    EXPECT_EQ(sc.kind, Scope::COLLECTION);
    EXPECT_EQ(sc.name, "");
    EXPECT_EQ(sc.id, 42u);
}

TEST(Scope, Errors) {
    EXPECT_EQ(bad(""), "invalid scope; scopes must not be empty");
    EXPECT_EQ(bad("stuff"),
              "invalid scope; scopes must start with a `@` or `/` but got `stuff` instead");
    EXPECT_EQ(
        bad("@"),
        "invalid scope; expecting a scope name like `@thingsdb`, `@node:...` or `@collection:...`");
    EXPECT_EQ(
        bad("/"),
        "invalid scope; expecting a scope name like `/thingsdb`, `/node/...` or `/collection/...`");
    EXPECT_EQ(
        bad("@thingsdbx"),
        "invalid scope; expecting a scope name like `@thingsdb`, `@node:...` or `@collection:...` "
        "but got `@thingsdbx` instead");
    EXPECT_EQ(
        bad("@x:stuff"),
        "invalid scope; expecting a scope name like `@thingsdb`, `@node:...` or `@collection:...` "
        "but got `@x:stuff` instead");
    EXPECT_EQ(bad("@collection"),
              "invalid scope; the collection scope requires to specify a collection");
    EXPECT_EQ(bad("@collection:"),
              "invalid scope; the collection scope requires to specify a collection");
    EXPECT_EQ(bad("@:my-stuff"), "invalid scope; the specified collection name is invalid");
    // Digits first but not only digits: no id, and no valid name either.
    EXPECT_EQ(bad("@:12ab"), "invalid scope; the specified collection name is invalid");
    EXPECT_EQ(bad("/collection/7x"), "invalid scope; the specified collection name is invalid");
    EXPECT_EQ(bad("@:99999999999999999999"),
              "invalid scope; the specified collection name is invalid");
    EXPECT_EQ(bad("@node:64"),
              "invalid scope; a node id must be an integer value between 0 and 64");
    EXPECT_EQ(bad("@node:x"), "invalid scope; a node id must be an integer value between 0 and 64");
    EXPECT_EQ(
        bad("@:"),
        "invalid scope; expecting a scope name like `@thingsdb`, `@node:...` or `@collection:...` "
        "but got `@:` instead");
}

TEST(Scope, QueryByCollectionId) {
    fresh_storage();
    uint64_t id = storage().colls.begin()->first;
    EXPECT_EQ(q("1 + 1", "@:" + std::to_string(id), true), "2");
    Error e = qerr("1", "@:999999", true);
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "`collection:999999` not found");
    e = qerr("1", "@:nope", true);
    EXPECT_EQ(e.msg(), "collection `nope` not found");
}

TEST(Scope, SetDefaultDeep) {
    fresh_storage();
    qk(".a = {b: {c: {}}}; nil");
    EXPECT_EQ(qk(".a.b.len()"), "1");
    EXPECT_EQ(qk("set_default_deep('@:stuff', 2)", "@thingsdb"), "null");
    EXPECT_EQ(qk("collection_info('stuff').default_deep", "@thingsdb"), "2");
    EXPECT_EQ(qk("deep()"), "2");
    EXPECT_EQ(qk("set_default_deep('stuff', 0)", "@thingsdb"), "null");
    EXPECT_EQ(qk("deep()"), "0");
    EXPECT_EQ(qk("return 1, 1"), "1");
    uint64_t id = storage().colls.begin()->first;
    EXPECT_EQ(qk("set_default_deep(" + std::to_string(id) + ", 3)", "@thingsdb"), "null");
    EXPECT_EQ(qk("deep()"), "3");
    auto err = [](const std::string& code) { return qerr(code, "@thingsdb", true); };
    Error e = err("set_default_deep('@:stuff')");
    EXPECT_EQ(e.msg(),
              "function `set_default_deep` takes 2 arguments but 1 was given; see "
              "https://docs.thingsdb.io/v1/thingsdb-api/set_default_deep");
    e = err("set_default_deep('@:stuff', 128)");
    EXPECT_EQ(e.code(), tdb::VALUE_ERR);
    EXPECT_EQ(e.msg(), "expecting a `deep` value between 0 and 127 but got 128 instead");
    e = err("set_default_deep('@:stuff', '1')");
    EXPECT_EQ(e.msg(), "expecting `deep` to be of type `int` but got type `str` instead");
    e = err("set_default_deep('@:nope', 1)");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "collection `nope` not found");
    e = err("set_default_deep(nil, 1)");
    EXPECT_EQ(e.msg(), "expecting a scope to be of type `str` but got type `nil` instead");
    e = err("set_default_deep('@x', 1)");
    EXPECT_EQ(e.code(), tdb::VALUE_ERR);
    e = qerr("set_default_deep('@:stuff', 1)", "@:stuff", true);
    EXPECT_EQ(e.msg(),
              "function `set_default_deep` is undefined in the `@collection` scope; "
              "you might want to query the `@thingsdb` scope?");
}
