// Calls of procedures from SQL (tdb_run, tdb_call, tdb_procedure_info): the
// caller's rights on a scope are checked before the procedure is looked up,
// so a caller without them cannot learn which procedures exist.
#include <gtest/gtest.h>

#include "core/api/access.h"
#include "core/api/procedures.h"
#include "harness.h"

namespace {

tdb::Identity user(const std::string& name) {
    tdb::UserRow u;
    if (!storage().find_user(name, u)) u = storage().create_user(name);
    tdb::Identity who;
    who.name = name;
    who.user_id = u.id;
    return who;
}

enum class Via { RUN, CALL };

tdb::Error err(const tdb::Identity& who, Via via, const std::string& name, const std::string& scope,
               bool fallback) {
    tdb::ProcedureRequest req;
    req.scope = scope;
    req.name = name;
    req.identity = &who;
    req.fallback_thingsdb = fallback;
    try {
        std::string r = via == Via::RUN ? tdb::run_procedure(storage(), req, {})
                                        : tdb::call_procedure_json(storage(), req, "[]");
        ADD_FAILURE() << "expected an error, got " << r;
    } catch (const tdb::Error& e) {
        return e;
    }
    return tdb::Error(0, "");
}

const char* kNoRun = "user `eve` is missing the required privileges (`RUN`) on scope `@:stuff`";

}  // namespace

TEST(ProcedureRights, RightsBeforeLookup) {
    fresh_storage();
    qk("new_procedure('known', || 1);");
    tdb::Identity eve = user("eve");  // no rights anywhere
    for (Via via : {Via::RUN, Via::CALL}) {
        for (bool fallback : {false, true}) {
            // Missing and existing procedures give the same answer.
            for (const char* name : {"x", "known"}) {
                tdb::Error e = err(eve, via, name, "@:stuff", fallback);
                EXPECT_EQ(e.code(), tdb::FORBIDDEN_ERR) << name;
                EXPECT_EQ(e.msg(), kNoRun) << name;
            }
        }
    }
    // With RUN on @thingsdb only, a @thingsdb procedure found by the fallback runs
    // and a missing one answers for the scope asked.
    qk("new_procedure('top', || 2);", "@thingsdb");
    qk("grant('@thingsdb', 'eve', RUN);", "@thingsdb");
    eve = user("eve");  // an identity caches its rights: a new call's
    tdb::ProcedureRequest req;
    req.scope = "@:stuff";
    req.name = "top";
    req.identity = &eve;
    req.fallback_thingsdb = true;
    EXPECT_EQ(tdb::run_procedure(storage(), req, {}), "2");
    EXPECT_EQ(err(eve, Via::RUN, "x", "@:stuff", true).msg(), kNoRun);
    EXPECT_EQ(err(eve, Via::RUN, "known", "@:stuff", true).msg(), kNoRun);
}
