// Users, tokens, grant/revoke and the access checks of queries.
#include <gtest/gtest.h>

#include "core/api/access.h"
#include "harness.h"

namespace {

// Runs code as `who` on the current node.
std::string as(const tdb::Identity& who, const std::string& code,
               const std::string& scope = "@thingsdb") {
    tdb::QueryRequest req;
    req.scope = scope;
    req.code = code;
    req.identity = &who;
    return tdb::run_query(storage(), req);
}

tdb::Error as_err(const tdb::Identity& who, const std::string& code,
                  const std::string& scope = "@thingsdb") {
    try {
        std::string r = as(who, code, scope);
        ADD_FAILURE() << "expected an error, got " << r;
    } catch (const tdb::Error& e) {
        return e;
    }
    return tdb::Error(0, "");
}

// A registered user (created by the admin) as an identity.
tdb::Identity user(const std::string& name) {
    tdb::UserRow u;
    if (!storage().find_user(name, u)) u = storage().create_user(name);
    tdb::Identity who;
    who.name = name;
    who.user_id = u.id;
    return who;
}

tdb::Identity admin() {
    tdb::Identity who = user("admin");
    who.admin = true;
    return who;
}

#define EXPECT_ERR(expr, code_, msg_) \
    do {                              \
        tdb::Error e_ = (expr);       \
        EXPECT_EQ(e_.code(), code_);  \
        EXPECT_EQ(e_.msg(), msg_);    \
    } while (0)

}  // namespace

TEST(Users, Constants) {
    EXPECT_EQ(q("[QUERY, CHANGE, GRANT, JOIN, RUN, USER, FULL]"), "[1,2,4,8,16,27,31]");
    EXPECT_EQ(q("JOIN|QUERY|RUN", "@thingsdb"), "25");
    EXPECT_EQ(q("QUERY = 5; QUERY"), "5");  // a variable comes first
    EXPECT_EQ(qerr("NOPE").msg(), "variable `NOPE` is undefined");
}

TEST(Users, MaskNames) {
    EXPECT_EQ(tdb::mask_to_str(tdb::AUTH_FULL), "FULL");
    EXPECT_EQ(tdb::mask_to_str(tdb::AUTH_USER), "USER");
    EXPECT_EQ(tdb::mask_to_str(tdb::AUTH_QUERY | tdb::AUTH_JOIN | tdb::AUTH_RUN), "QUERY|JOIN|RUN");
    EXPECT_EQ(tdb::mask_to_str(tdb::AUTH_CHANGE | tdb::AUTH_GRANT), "CHANGE|GRANT");
    EXPECT_EQ(tdb::mask_to_str(0), "NO_ACCESS");
}

TEST(Users, NewUser) {
    fresh_storage();
    std::string id = qk("new_user('cato')", "@thingsdb");
    EXPECT_EQ(qk("has_user('cato')", "@thingsdb"), "true");
    EXPECT_EQ(qk("has_user('iris')", "@thingsdb"), "false");
    EXPECT_EQ(qk("user_info('cato').user_id", "@thingsdb"), id);
    EXPECT_ERR(qerr("new_user('cato')", "@thingsdb", true), tdb::LOOKUP_ERR,
               "user `cato` already exists");
    EXPECT_ERR(qerr("new_user('')", "@thingsdb", true), tdb::VALUE_ERR,
               "username must be between 1 and 128 characters");
    EXPECT_ERR(qerr("new_user('a b')", "@thingsdb", true), tdb::VALUE_ERR,
               "username should should only contain graphical characters");
    EXPECT_ERR(qerr("new_user(1)", "@thingsdb", true), tdb::TYPE_ERR,
               "function `new_user` expects argument 1 to be of type `str` but got type `int` "
               "instead; see https://docs.thingsdb.io/v1/thingsdb-api/new_user");
    EXPECT_ERR(qerr("new_user()", "@thingsdb", true), tdb::NUM_ARGUMENTS_ERR,
               "function `new_user` takes 1 argument but 0 were given; see "
               "https://docs.thingsdb.io/v1/thingsdb-api/new_user");
    EXPECT_ERR(
        qerr("new_user('x')", "@:stuff", true), tdb::LOOKUP_ERR,
        "function `new_user` is undefined in the `@collection` scope; you might want to query the "
        "`@thingsdb` scope?");
}

TEST(Users, RenameAndDelete) {
    fresh_storage();
    qk("new_user('cato'); new_user('iris');", "@thingsdb");
    EXPECT_ERR(qerr("rename_user('cato', 'iris')", "@thingsdb", true), tdb::LOOKUP_ERR,
               "user `iris` already exists");
    EXPECT_EQ(qk("rename_user('cato', 'kato')", "@thingsdb"), "null");
    EXPECT_EQ(qk("[has_user('cato'), has_user('kato')]", "@thingsdb"), "[false,true]");
    qk("grant('@:stuff', 'kato', QUERY); new_token('kato');", "@thingsdb");
    EXPECT_EQ(qk("del_user('kato')", "@thingsdb"), "null");
    EXPECT_ERR(qerr("del_user('kato')", "@thingsdb", true), tdb::LOOKUP_ERR,
               "user `kato` not found");
    EXPECT_TRUE(storage().access_.empty());
    EXPECT_TRUE(storage().tokens_.empty());

    tdb::Identity me = user("iris");
    storage().set_access(0, me.user_id, tdb::AUTH_FULL);
    EXPECT_ERR(as_err(me, "del_user('iris')"), tdb::OPERATION_ERR,
               "it is not possible to delete your own user account");
}

TEST(Users, UserInfo) {
    fresh_storage();
    qk("new_user('cato'); grant('@:stuff', 'cato', JOIN|QUERY|RUN); grant('@thingsdb', 'cato', "
       "GRANT);"
       "new_token('cato', nil, 'for tests');",
       "@thingsdb");
    std::string info = qk("user_info('cato')", "@thingsdb");
    EXPECT_EQ(info,
              "{\"user_id\":2,\"name\":\"cato\",\"created_at\":1700000000,\"has_password\":false,"
              "\"access\":[{\"scope\":\"@thingsdb\",\"privileges\":\"CHANGE|GRANT\"},"
              "{\"scope\":\"@collection:stuff\",\"privileges\":\"QUERY|JOIN|RUN\"}],"
              "\"tokens\":[{\"key\":\"tok1******************\",\"status\":\"OK\","
              "\"created_on\":\"2023-11-14T22:13:20Z\",\"expiration_time\":\"never\","
              "\"description\":\"for tests\"}]}");
    EXPECT_EQ(qk("users_info().len()", "@thingsdb"), "1");
    // Without an argument: the calling user, from any scope.
    tdb::Identity cato = user("cato");
    storage().set_access(1, cato.user_id, tdb::AUTH_QUERY);
    EXPECT_EQ(as(cato, "user_info().name", "@:stuff"), "\"cato\"");
    tdb::Identity iris = user("iris");
    storage().set_access(0, iris.user_id, tdb::AUTH_QUERY);
    EXPECT_EQ(as(iris, "user_info('iris').name"), "\"iris\"");
    EXPECT_ERR(as_err(iris, "user_info('cato')"), tdb::FORBIDDEN_ERR,
               "user `iris` is missing the required privileges (`GRANT`) on scope `@thingsdb`");
    EXPECT_ERR(as_err(iris, "users_info()"), tdb::FORBIDDEN_ERR,
               "user `iris` is missing the required privileges (`GRANT`) on scope `@thingsdb`");
}

TEST(Users, Tokens) {
    fresh_storage();
    qk("new_user('cato')", "@thingsdb");
    std::string key = qk("new_token('cato', 1700000000 + 3600)", "@thingsdb");
    EXPECT_EQ(key.size(), 24u);  // 22 characters and the quotes
    EXPECT_EQ(qk("has_token(" + key + ")", "@thingsdb"), "true");
    EXPECT_EQ(qk("user_info('cato').tokens[0].expiration_time", "@thingsdb"),
              "\"2023-11-14T23:13:20Z\"");
    EXPECT_ERR(qerr("new_token('cato', 1)", "@thingsdb", true), tdb::BAD_DATA_ERR,
               "cannot set an expiration time in the past");
    EXPECT_ERR(qerr("new_token('cato', 5000000000.0)", "@thingsdb", true), tdb::BAD_DATA_ERR,
               "expiration time is too far in the future");
    EXPECT_ERR(
        qerr("new_token('cato', 'x')", "@thingsdb", true), tdb::TYPE_ERR,
        "function `new_token` expects argument 2 to be of type `datetime`, `timeval`, `int`, "
        "`float` or `nil` but got type `str` instead; see "
        "https://docs.thingsdb.io/v1/thingsdb-api/new_token");
    EXPECT_ERR(qerr("new_token('nobody')", "@thingsdb", true), tdb::LOOKUP_ERR,
               "user `nobody` not found");
    EXPECT_ERR(qerr("new_token()", "@thingsdb", true), tdb::NUM_ARGUMENTS_ERR,
               "function `new_token` requires at least 1 argument but 0 were given; see "
               "https://docs.thingsdb.io/v1/thingsdb-api/new_token");
    EXPECT_ERR(qerr("del_token('short')", "@thingsdb", true), tdb::VALUE_ERR,
               "function `del_token` expects argument 1 to be token string; see "
               "https://docs.thingsdb.io/v1/thingsdb-api/del_token");
    EXPECT_ERR(qerr("del_token('abcdefghijklmnopqrstuv')", "@thingsdb", true), tdb::LOOKUP_ERR,
               "token `abcdefghijklmnopqrstuv` not found");
    EXPECT_EQ(qk("del_token(" + key + "); has_token(" + key + ")", "@thingsdb"), "false");

    // The limit per user.
    qk("range(127).each(|| new_token('cato'))", "@thingsdb");
    EXPECT_EQ(storage().tokens(2).size(), 127u);
    qk("new_token('cato')", "@thingsdb");
    EXPECT_ERR(qerr("new_token('cato')", "@thingsdb", true), tdb::MAX_QUOTA_ERR,
               "user `cato` has reached the maximum of 128 tokens");

    // Expired tokens: shown as such, removed by del_expired.
    storage().tokens_.clear();
    storage().create_token(2, 1600000000, "");
    storage().create_token(2, 0, "");
    EXPECT_EQ(qk("user_info('cato').tokens.map(|t| t.status)", "@thingsdb"),
              "[\"EXPIRED\",\"OK\"]");
    qk("del_expired()", "@thingsdb");
    EXPECT_EQ(storage().tokens(2).size(), 1u);
}

TEST(Users, OwnTokens) {
    fresh_storage();
    tdb::Identity cato = user("cato");
    tdb::Identity iris = user("iris");
    storage().set_access(0, cato.user_id, tdb::AUTH_QUERY | tdb::AUTH_CHANGE);
    std::string mine = as(cato, "new_token('cato')");
    std::string theirs = q("new_token('iris')", "@thingsdb", true);
    EXPECT_ERR(as_err(cato, "new_token('iris')"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`GRANT`) on scope `@thingsdb`");
    EXPECT_ERR(as_err(cato, "del_token(" + theirs + ")"), tdb::LOOKUP_ERR,
               "token `" + theirs.substr(1, 22) + "` not found");
    EXPECT_EQ(as(cato, "del_token(" + mine + ")"), "null");
    (void)iris;
}

TEST(Users, GrantRevoke) {
    fresh_storage();
    qk("new_user('cato')", "@thingsdb");
    qk("grant('@:stuff', 'cato', GRANT)", "@thingsdb");
    EXPECT_EQ(storage().access_mask(1, 2),
              tdb::AUTH_CHANGE | tdb::AUTH_GRANT);  // GRANT implies CHANGE
    qk("grant(1, 'cato', QUERY)", "@thingsdb");
    EXPECT_EQ(storage().access_mask(1, 2), tdb::AUTH_QUERY | tdb::AUTH_CHANGE | tdb::AUTH_GRANT);
    qk("revoke('@:stuff', 'cato', CHANGE)", "@thingsdb");  // no GRANT without CHANGE
    EXPECT_EQ(storage().access_mask(1, 2), tdb::AUTH_QUERY);
    qk("revoke('@collection:stuff', 'cato', FULL)", "@thingsdb");
    EXPECT_TRUE(storage().access_.empty());
    qk("grant('@node', 'cato', JOIN)", "@thingsdb");
    EXPECT_EQ(qk("user_info('cato').access", "@thingsdb"),
              "[{\"scope\":\"@node\",\"privileges\":\"JOIN\"}]");

    EXPECT_ERR(qerr("grant('@:nope', 'cato', QUERY)", "@thingsdb", true), tdb::LOOKUP_ERR,
               "collection `nope` not found");
    EXPECT_ERR(qerr("grant(999, 'cato', QUERY)", "@thingsdb", true), tdb::LOOKUP_ERR,
               "`collection:999` not found");
    EXPECT_ERR(qerr("grant('@:stuff', 'nobody', QUERY)", "@thingsdb", true), tdb::LOOKUP_ERR,
               "user `nobody` not found");
    EXPECT_ERR(qerr("grant('@:stuff', 'cato', 'QUERY')", "@thingsdb", true), tdb::TYPE_ERR,
               "function `grant` expects argument 3 to be of type `int` but got type `str` "
               "instead; see https://docs.thingsdb.io/v1/thingsdb-api/grant");
    EXPECT_ERR(qerr("grant('@:stuff', 'cato')", "@thingsdb", true), tdb::NUM_ARGUMENTS_ERR,
               "function `grant` takes 3 arguments but 2 were given; see "
               "https://docs.thingsdb.io/v1/thingsdb-api/grant");

    // GRANT on @thingsdb does not give GRANT on a collection.
    tdb::Identity iris = user("iris");
    storage().set_access(0, iris.user_id, tdb::AUTH_FULL);
    EXPECT_ERR(as_err(iris, "grant('@:stuff', 'cato', QUERY)"), tdb::FORBIDDEN_ERR,
               "user `iris` is missing the required privileges (`GRANT`) on scope `@:stuff`");
    EXPECT_ERR(as_err(iris, "revoke('@thingsdb', 'iris', QUERY)"), tdb::OPERATION_ERR,
               "it is not possible to revoke your own `GRANT` privileges");
    EXPECT_ERR(as_err(iris, "revoke('@thingsdb', 'iris', GRANT)"), tdb::OPERATION_ERR,
               "it is not possible to revoke your own `GRANT` privileges");
    EXPECT_EQ(as(iris, "revoke('@thingsdb', 'iris', JOIN)"), "null");
    EXPECT_EQ(storage().access_mask(0, iris.user_id),
              tdb::AUTH_QUERY | tdb::AUTH_CHANGE | tdb::AUTH_GRANT | tdb::AUTH_RUN);
}

TEST(Users, QueryAccess) {
    fresh_storage();
    tdb::Identity cato = user("cato");
    EXPECT_ERR(as_err(cato, ".x", "@:stuff"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`QUERY`) on scope `@:stuff`");
    storage().set_access(1, cato.user_id, tdb::AUTH_QUERY);
    cato.cache.clear();  // rights are cached for one call
    EXPECT_EQ(as(cato, ".get('x')", "@:stuff"), "null");
    EXPECT_EQ(as(cato, "x = 1; x + 1", "@:stuff"), "2");  // variables are no change
    EXPECT_ERR(as_err(cato, ".x = 1", "@:stuff"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`CHANGE`) on scope `@:stuff`");
    EXPECT_ERR(as_err(cato, "wse()", "@:stuff"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`CHANGE`) on scope `@:stuff`");
    EXPECT_ERR(as_err(cato, "1"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`QUERY`) on scope `@thingsdb`");
    // The check comes before parsing.
    EXPECT_ERR(as_err(cato, "1 +"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`QUERY`) on scope `@thingsdb`");
    storage().set_access(1, cato.user_id, tdb::AUTH_QUERY | tdb::AUTH_CHANGE);
    cato.cache.clear();
    EXPECT_EQ(as(cato, ".x = 1", "@:stuff"), "1");

    // An unregistered role has no rights; an admin has all.
    tdb::Identity nobody;
    nobody.name = "nobody";
    EXPECT_ERR(as_err(nobody, "1", "@:stuff"), tdb::FORBIDDEN_ERR,
               "user `nobody` is missing the required privileges (`QUERY`) on scope `@:stuff`");
    tdb::Identity root = admin();
    EXPECT_EQ(as(root, "new_collection('other')"), "4");
}

TEST(Users, NewCollectionGivesFull) {
    fresh_storage();
    tdb::Identity cato = user("cato");
    storage().set_access(0, cato.user_id, tdb::AUTH_QUERY | tdb::AUTH_CHANGE);
    std::string id = as(cato, "new_collection('mine')");
    EXPECT_EQ(storage().access_mask(std::stoull(id), cato.user_id), tdb::AUTH_FULL);
    EXPECT_EQ(as(cato, ".x = 1", "@:mine"), "1");
    EXPECT_ERR(as_err(cato, ".x = 1", "@:stuff"), tdb::FORBIDDEN_ERR,
               "user `cato` is missing the required privileges (`QUERY`) on scope `@:stuff`");
}

TEST(Users, ScopeAndRunChecks) {
    fresh_storage();
    tdb::Identity cato = user("cato");
    storage().set_access(1, cato.user_id, tdb::AUTH_JOIN | tdb::AUTH_RUN);
    tdb::check_scope_access(storage(), &cato, "@:stuff", tdb::AUTH_JOIN);
    EXPECT_THROW(tdb::check_scope_access(storage(), &cato, "@:stuff", tdb::AUTH_QUERY), tdb::Error);
    EXPECT_THROW(tdb::check_scope_access(storage(), &cato, "@:nope", tdb::AUTH_JOIN), tdb::Error);
    EXPECT_THROW(tdb::check_scope_access(storage(), &cato, "@thingsdb", tdb::AUTH_JOIN),
                 tdb::Error);
}

// A user or collection found before the later arguments ran is found again
// afterwards: those arguments may have deleted it (the writes would name a
// row that is gone: a foreign key error in PostgreSQL).
TEST(Users, DeletedByTheirOwnArguments) {
    const std::string mk = "new_user('u'); new_collection('c'); ";
    struct Case {
        std::string code, msg;
    } cases[] = {
        {"grant('@:stuff', 'u', {del_user('u'); QUERY})", "user `u` not found"},
        {"revoke('@:stuff', 'u', {del_user('u'); QUERY})", "user `u` not found"},
        {"grant('@:stuff', 'u', try({del_user('u'); QUERY}))", "user `u` not found"},
        {"grant('@:c', 'u', {del_collection('c'); CHANGE})", "`collection:"},
        {"grant('@:c', {del_collection('c'); 'u'}, QUERY)", "`collection:"},
        {"rename_user('u', {del_user('u'); 'v'})", "user `u` not found"},
        {"new_token('u', nil, {del_user('u'); 'd'})", "user `u` not found"},
        {"new_token('u', {del_user('u'); nil})", "user `u` not found"},
    };
    for (const Case& c : cases) {
        tdb::Error e = qerr(mk + c.code, "@thingsdb");
        EXPECT_EQ(e.code(), tdb::LOOKUP_ERR) << c.code;
        EXPECT_NE(e.msg().find(c.msg), std::string::npos) << c.code << ": " << e.msg();
    }
    // Renamed, not deleted: the same user, under its new name.
    q(mk + "grant('@:stuff', 'u', {rename_user('u', 'w'); QUERY}); nil", "@thingsdb");
    EXPECT_EQ(qk("user_info('w').access.len() > 0", "@thingsdb"), "true");
}
