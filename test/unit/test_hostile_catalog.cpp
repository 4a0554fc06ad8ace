// Types and enums changed from inside their own change: code in an argument
// or a closure of a catalog-changing function changes the catalog. Each ends
// in a clean error or a consistent catalog, and a failed change (caught or
// not) leaves the catalog and its instances as they were.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

// Runs code on the current node; "" when it raised (what it raised in err).
std::string run(const std::string& code, tdb::Error* err = nullptr) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    try {
        return tdb::run_query(storage(), req);
    } catch (const tdb::Error& e) {
        if (err) *err = e;
        return "";
    }
}

const char* const kTypeLocked = "cannot change type `A` while the type is in use";
const char* const kEnumLocked = "cannot change enum `E` while the enumerator is being used";

void expect_error(const std::string& code, int kind, const std::string& msg, bool keep = false) {
    tdb::Error e = qerr(code, "@:stuff", keep);
    EXPECT_EQ(e.code(), kind) << code << "\n  " << e.msg();
    EXPECT_EQ(e.msg(), msg) << code;
}

// ---- 1. the catalog changed from inside its own arguments or closures -------

TEST(HostileCatalog, ChangedFromItsOwnArguments) {
    expect_error("new_type('A'); mod_type('A', 'hid', {del_type('A'); true})", tdb::OPERATION_ERR,
                 kTypeLocked);
    expect_error("new_type('A'); set_type('A', {g: {del_type('A'); 'int'}})", tdb::OPERATION_ERR,
                 kTypeLocked);
    expect_error("new_type('A'); rename_type('A', {del_type('A'); 'B'})", tdb::LOOKUP_ERR,
                 "type `A` not found");
    expect_error("set_enum('E', {X: 1}); mod_enum('E', 'add', 'Z', {del_enum('E'); 3})",
                 tdb::OPERATION_ERR, kEnumLocked);
    // From a migration closure the error is the instance's answer (as ThingsDB).
    expect_error(
        "new_type('A'); set_type('A', {n: 'int'}); x = A{}; "
        "mod_type('A', 'mod', 'n', 'str', |a| {mod_type('A', 'del', 'n'); 's'})",
        tdb::OPERATION_ERR,
        std::string("field `n` on type `A` is modified but at least one error has occurred "
                    "using the given callback: ") +
            kTypeLocked);
    // Other shapes of the same rule.
    expect_error("set_type('A', {n: 'int'}); mod_type('A', 'add', 'z', 'int', {del_type('A'); 1})",
                 tdb::OPERATION_ERR, kTypeLocked);
    expect_error(
        "set_type('A', {n: 'int'}); mod_type('A', 'ren', 'n', {rename_type('A', 'X'); "
        "'m'})",
        tdb::OPERATION_ERR, kTypeLocked);
    expect_error(
        "set_type('A', {n: 'int'}); mod_type('A', 'del', {mod_type('A', 'del', 'n'); "
        "'n'})",
        tdb::OPERATION_ERR, kTypeLocked);
    expect_error("set_type('A', {n: 'int'}); .a = A{}; mod_type('A', 'all', |a| del_type('A'))",
                 tdb::OPERATION_ERR, kTypeLocked);
    // A locked Type still makes instances (ThingsDB's ti_type_use guards
    // to_type and to_thing only): made by an 'add' closure they have the
    // new field, made by a 'mod' closure their value must fit afterwards.
    for (const char* make : {"A{}", "A()", "new('A')", "[{}].map_type('A')[0]", "a.dup()"}) {
        EXPECT_EQ(q(std::string("set_type('A', {n: 'int'}); .x = A{}; mod_type('A', 'add', 'z', "
                                "'int', |a| {.b = ") +
                    make + "; 1}); [.x.z, .b.z]"),
                  "[1,0]")
            << make;
        EXPECT_EQ(q(std::string("set_type('A', {n: 'int'}); .x = A{}; try(mod_type('A', 'mod', "
                                "'n', 'str', |a| {.b = ") +
                    make + "; 's'})); [.x.n, .b.n]"),
                  "[\"s\",\"\"]")
            << make;
    }
    const char* locked = "cannot use type `A` while the type is locked";
    for (const char* conv : {"{}.to_type('A')", "y.to_thing()"}) {
        expect_error(std::string("set_type('A', {n: 'int'}); x = A{}; y = A{}; mod_type('A', "
                                 "'add', 'z', 'int', |a| {") +
                         conv + "; 1})",
                     tdb::OPERATION_ERR,
                     std::string("field `z` is added to type `A` but at least one error has "
                                 "occurred using the given callback; ") +
                         locked);
        expect_error(std::string("set_type('A', {n: 'int'}); x = A{}; y = A{}; mod_type('A', "
                                 "'mod', 'n', 'int', |a| {") +
                         conv + "; 1})",
                     tdb::OPERATION_ERR,
                     std::string("field `n` on type `A` is modified but at least one error has "
                                 "occurred using the given callback: ") +
                         locked);
    }
    expect_error("set_type('A', {n: 'int'}); x = A{}; mod_type('A', 'all', |a| a.to_thing())",
                 tdb::OPERATION_ERR, locked);
    expect_error(
        "set_enum('E', {X: 1, Y: 2}); mod_enum('E', 'ren', 'X', {mod_enum('E', 'del', "
        "'X'); 'Z'})",
        tdb::OPERATION_ERR, kEnumLocked);
    expect_error(
        "set_enum('E', {X: 1, Y: 2}); mod_enum('E', 'mod', 'X', {rename_enum('E', 'F'); "
        "5})",
        tdb::OPERATION_ERR, kEnumLocked);
    expect_error("set_enum('E', {X: 1, Y: 2}); mod_enum('E', 'del', {del_enum('E'); 'X'})",
                 tdb::OPERATION_ERR, kEnumLocked);
    // Made twice: the name is checked again after the arguments ran.
    expect_error("new_type('A', {new_type('A'); false})", tdb::LOOKUP_ERR,
                 "type `A` already exists");
    expect_error("set_type('A', {n: {set_type('A', {m: 'str'}); 'int'}})", tdb::LOOKUP_ERR,
                 "type `A` already exists");
    expect_error("set_enum('E', {X: {set_enum('E', {Y: 1}); 1}})", tdb::LOOKUP_ERR,
                 "enum `E` already exists");
    expect_error("set_enum('E', {X: 1}); rename_enum('E', {del_enum('E'); 'F'})", tdb::LOOKUP_ERR,
                 "enum `E` not found");
    // The lock goes with the change, caught or not.
    EXPECT_EQ(q("set_type('A', {n: 'int'}); try(mod_type('A', 'hid', {del_type('A'); true})); "
                "del_type('A'); has_type('A')"),
              "false");
    EXPECT_EQ(q("set_enum('E', {X: 1}); try(mod_enum('E', 'add', 'Z', {del_enum('E'); 3})); "
                "del_enum('E'); has_enum('E')"),
              "false");
    // A change of another type from inside a change is fine.
    EXPECT_EQ(q("set_type('A', {n: 'int'}); new_type('B'); x = A{}; "
                "mod_type('A', 'add', 'z', 'int', |a| {del_type('B'); 4}); [x.z, has_type('B')]"),
              "[4,false]");
}

// While a migration closure runs, the field already has its new definition:
// the types it names cannot be deleted and follow a rename.
TEST(HostileCatalog, NamedDefinitionsGoneAfterTheCode) {
    expect_error(
        "set_type('A', {n: 'int'}); new_type('B'); x = A{}; "
        "mod_type('A', 'add', 'z', 'B?', |a| {del_type('B'); nil})",
        tdb::OPERATION_ERR,
        "field `z` is added to type `A` but at least one error has occurred using the given "
        "callback; type `B` is used by at least one other type");
    expect_error(
        "set_type('A', {n: 'str'}); new_type('B'); x = A{}; "
        "mod_type('A', 'mod', 'n', 'B?', |a| {del_type('B'); nil})",
        tdb::OPERATION_ERR,
        "field `n` on type `A` is modified but at least one error has occurred using the given "
        "callback: type `B` is used by at least one other type");
    expect_error(
        "set_enum('E', {X: 1}); set_type('A', {n: 'int'}); x = A{}; "
        "mod_type('A', 'mod', 'n', 'E', |a| {del_enum('E'); E{X}})",
        tdb::OPERATION_ERR,
        "field `n` on type `A` is modified but at least one error has occurred using the given "
        "callback: enum `E` is used by at least one type");
    EXPECT_EQ(q("set_type('A', {n: 'str'}); new_type('B'); x = A{}; "
                "mod_type('A', 'mod', 'n', 'B?', |a| {rename_type('B', 'B2'); B2{}}); "
                "[type_info('A').fields, type(x.n)]"),
              "[[[\"n\",\"B2?\"]],\"B2\"]");
}

// Instances a query makes by to_type or dup are changed with their Type in
// that query, stored or not.
TEST(HostileCatalog, InstancesMadeInTheQueryFollowTheirType) {
    fresh_storage();
    EXPECT_EQ(qk("set_type('A', {n: 'int'}); .a = A{n: 1}; nil"), "null");
    EXPECT_EQ(qk(".t = {}; .t.to_type('A'); u = {}; u.to_type('A'); .d = .a.dup(); e = .a.dup(); "
                 "mod_type('A', 'add', 'z', 'int', 7); [.t.z, u.z, .d.z, e.z]"),
              "[7,7,7,7]");
    EXPECT_EQ(qk("[.t.z, .d.z, type_count('A')]"), "[7,7,3]");
    EXPECT_EQ(qk(".t2 = {}; .t2.to_type('A'); .d2 = .a.dup(); del_type('A'); "
                 "[type(.t2), type(.d2)]"),
              "[\"thing\",\"thing\"]");
    EXPECT_EQ(qk("[type(.t2), type(.d2), type(.a)]"), "[\"thing\",\"thing\",\"thing\"]");
    // made by the closure: with the field at the value it had then
    EXPECT_EQ(q("set_type('A', {n: 'int'}); .x = A{n: 3}; "
                "mod_type('A', 'add', 'w', 'int', |a| {.e = a.dup(); a.n}); [.x.w, .e.w, .e.n]"),
              "[3,0,3]");
}

// ---- 2. del_type with stored instances ------------------------------------------

TEST(HostileCatalog, DelTypeWithStoredInstances) {
    fresh_storage();
    EXPECT_EQ(qk("new_type('A'); .a = A{}; nil"), "null");
    EXPECT_EQ(qk("del_type('A')"), "null");
    EXPECT_EQ(qk("[type(.a), has_type('A')]"), "[\"thing\",false]");
    EXPECT_EQ(qk(".a.x = 1; .a"), "{\"#\":2,\"x\":1}");

    fresh_storage();
    EXPECT_EQ(qk("set_type('A', {n: 'int', s: 'str'}); .a = A{n: 5}; .l = [A{}, A{n: 2}]; nil"),
              "null");
    EXPECT_EQ(qk("del_type('A'); .a.n"), "5");
    EXPECT_EQ(qk("[type(.a), .l.map(|x| type(x)), .l[1].n]"),
              "[\"thing\",[\"thing\",\"thing\"],2]");
    EXPECT_EQ(qk("new_type('A'); type_count('A')"), "0");

    fresh_storage();
    EXPECT_EQ(qk("set_type('Root', {name: 'str'}); .to_type('Root'); nil"), "null");
    EXPECT_EQ(qk("del_type('Root'); .x = 123; nil"), "null");
    EXPECT_EQ(qk("[type(.), .x, .name]"), "[\"thing\",123,\"\"]");
}

// ---- 3. a caught error leaves the Type as it was ---------------------------------
// (an error of a migration closure is not such an error: it is the answer of
// one instance and the change completes, see test_types_migrate.cpp)

TEST(HostileCatalog, FailedChangeLeavesTheTypeAsItWas) {
    fresh_storage();
    EXPECT_EQ(qk("new_type('A'); set_type('A', {n: 'int'}); .a = A{}; .b = A{n: 2}; nil"), "null");
    const char* same = "[type_info('A').fields, .a, .b]";
    const std::string before = qk(same);
    EXPECT_EQ(before, "[[[\"n\",\"int\"]],{\"#\":2,\"n\":0},{\"#\":3,\"n\":2}]");
    const char* failing[] = {
        "mod_type('A', 'mod', 'n', 'str')",
        "mod_type('A', 'mod', 'n', 'str', {raise('boom')})",
        "mod_type('A', 'del', 'n', {raise('boom')})",
        "mod_type('A', 'ren', 'n', {raise('boom')})",
        "mod_type('A', 'add', 'z', 'int', {raise('boom')})",
    };
    for (const char* f : failing) {
        // Caught, then another change of the type is committed.
        EXPECT_EQ(qk(std::string("try(") + f + "); mod_type('A', 'hid', false); " + same), before)
            << f;
        EXPECT_EQ(qk(same), before) << f;
    }
    EXPECT_EQ(qk("mod_type('A', 'mod', 'n', 'str', |x| 'q'); [.a.n, .b.n]"), "[\"q\",\"q\"]");
    EXPECT_EQ(qk("[.a.n, .b.n]"), "[\"q\",\"q\"]");
}

// ---- 4. del_enum with members in use ------------------------------------------------

TEST(HostileCatalog, DelEnumWithMembersInUse) {
    fresh_storage();
    EXPECT_EQ(qk("set_enum('E', {X: 1, Y: 2}); .m = E{Y}; nil"), "null");
    expect_error("del_enum('E')", tdb::OPERATION_ERR, "enum member `E{Y}` is still in use", true);
    EXPECT_EQ(qk("[has_enum('E'), .m.name()]"), "[true,\"Y\"]");
    expect_error("x = E{X}; del_enum('E')", tdb::OPERATION_ERR,
                 "enum member `E{X}` is still in use", true);
    EXPECT_EQ(qk(".del('m'); nil"), "null");
    EXPECT_EQ(qk("del_enum('E'); has_enum('E')"), "false");
    EXPECT_EQ(qk("set_enum('F', {Z: 7}); .k = [F{Z}]; nil"), "null");
    expect_error("del_enum('F')", tdb::OPERATION_ERR, "enum member `F{Z}` is still in use", true);
}

// ---- the matrix -------------------------------------------------------------------------

// Every stored instance has exactly its type's fields; every Type and enum
// answers type_info/enum_info; the root renders.
const char* const kConsistent =
    "ok = types_info().every(|t| type_all(t.name).every(|i| {"
    "  f = t.fields.map(|f| f[0]); k = i.keys();"
    "  k.len() == f.len() && k.every(|x| f.has(x)) && type(i) == t.name"
    "})); "
    "enums_info().map(|e| enum_info(e.name)); "
    "types_info().map(|t| type_info(t.name)); "
    "return([ok, .], 3);";

const char* const kSetup =
    "set_enum('E', {X: 1, Y: 2}); set_enum('F', {K: 1}); "
    "set_type('C', {k: 'int'}); set_type('B', {a: 'int'}); new_type('S'); "
    "set_type('A', {n: 'int', e: 'E?', c: 'C?', m: |this, x| x}); "
    "new_type('Q'); set_type('P', {q: 'Q?'}); set_type('Q', {p: 'P?'}); "
    ".a = A{n: 1}; .a2 = A{}; .b = B{}; .p = P{}; nil";

struct Outer {
    const char* code;   // @ marks the evaluated argument: it becomes {INNER; V}
    const char* value;  // V
    const char* type;   // the type $T names in the inner code
    const char* enum_;  // the enum $E names
};

const Outer kOuter[] = {
    {"mod_type(@, 'hid', true)", "'A'", "A", "E"},
    {"mod_type('A', @, true)", "'hid'", "A", "E"},
    {"mod_type('A', 'hid', @)", "true", "A", "E"},
    {"mod_type('A', 'wpo', @)", "false", "A", "E"},
    {"mod_type('A', 'idx', @)", "true", "A", "E"},
    {"mod_type('A', 'add', @, 'int')", "'z'", "A", "E"},
    {"mod_type('A', 'add', 'z', @)", "'int'", "A", "E"},
    {"mod_type('A', 'add', 'z', 'C?', @)", "nil", "A", "E"},
    {"mod_type('A', 'add', 'z', 'E?', |x| @)", "E{X}", "A", "E"},
    {"mod_type('A', 'add', 'z', @)", "|this| 1", "A", "E"},
    {"mod_type('A', 'del', @)", "'n'", "A", "E"},
    {"mod_type('A', 'del', @)", "'m'", "A", "E"},
    {"mod_type('A', 'ren', @, 'n2')", "'n'", "A", "E"},
    {"mod_type('A', 'ren', 'n', @)", "'n2'", "A", "E"},
    {"mod_type('A', 'mod', @, 'any')", "'n'", "A", "E"},
    {"mod_type('A', 'mod', 'n', @)", "'any'", "A", "E"},
    {"mod_type('A', 'mod', 'n', 'int', @)", "|x| 5", "A", "E"},
    {"mod_type('A', 'mod', 'n', 'str', |x| @)", "'s'", "A", "E"},
    {"mod_type('A', 'mod', 'c', 'C?', |x| @)", "C{}", "A", "E"},
    {"mod_type('A', 'mod', 'm', @)", "|this| 2", "A", "E"},
    {"mod_type('A', 'all', @)", "|x| nil", "A", "E"},
    {"mod_type('A', 'all', |x| @)", "nil", "A", "E"},
    {"mod_type('P', 'rel', @, 'p')", "'q'", "P", "E"},
    {"mod_type('P', 'rel', 'q', @)", "'p'", "P", "E"},
    {"rename_type(@, 'A3')", "'A'", "A", "E"},
    {"rename_type('A', @)", "'A3'", "A", "E"},
    {"del_type(@)", "'A'", "A", "E"},
    {"new_type(@)", "'N'", "N", "E"},
    {"new_type('N', @)", "false", "N", "E"},
    {"new_type('N', false, @)", "true", "N", "E"},
    {"set_type(@, {x: 'int'})", "'S'", "S", "E"},
    {"set_type('S', @)", "{x: 'int'}", "S", "E"},
    {"set_type('S', {x: @})", "'int'", "S", "E"},
    {"set_type('S', {x: 'int'}, @)", "false", "S", "E"},
    {"set_type('N', @)", "{x: 'int'}", "N", "E"},
    {"set_type('A', {x: @})", "'int'", "A", "E"},
    {".a.m(@)", "1", "A", "E"},
    {"A{n: @}", "1", "A", "E"},
    {"set_enum(@, {K: 1})", "'G'", "A", "G"},
    {"set_enum('G', @)", "{K: 1}", "A", "G"},
    {"set_enum('G', {K: @})", "1", "A", "G"},
    {"mod_enum(@, 'add', 'Z', 3)", "'E'", "A", "E"},
    {"mod_enum('E', @, 'Z', 3)", "'add'", "A", "E"},
    {"mod_enum('E', 'add', @, 3)", "'Z'", "A", "E"},
    {"mod_enum('E', 'add', 'Z', @)", "3", "A", "E"},
    {"mod_enum('E', 'add', 'Z', @)", "|this| 3", "A", "E"},
    {"mod_enum('E', 'del', @)", "'Y'", "A", "E"},
    {"mod_enum('E', 'ren', @, 'Y2')", "'Y'", "A", "E"},
    {"mod_enum('E', 'ren', 'Y', @)", "'Y2'", "A", "E"},
    {"mod_enum('E', 'mod', @, 5)", "'Y'", "A", "E"},
    {"mod_enum('E', 'mod', 'Y', @)", "5", "A", "E"},
    {"mod_enum('E', 'def', @)", "'Y'", "A", "E"},
    {"rename_enum(@, 'E3')", "'E'", "A", "E"},
    {"rename_enum('E', @)", "'E3'", "A", "E"},
    {"del_enum(@)", "'F'", "A", "F"},
    {"E{|| @}", "2", "A", "E"},
    {"enum('E', @)", "2", "A", "E"},
};

const char* const kInner[] = {
    "del_type('$T')",
    "rename_type('$T', 'R')",
    "new_type('$T')",
    "set_type('$T', {w: 'int'})",
    "mod_type('$T', 'add', 'w', 'int')",
    "mod_type('$T', 'add', 'w', 'int', |x| 2)",
    "mod_type('$T', 'add', 'w', |this| 2)",
    "mod_type('$T', 'del', 'n')",
    "mod_type('$T', 'del', 'm')",
    "mod_type('$T', 'ren', 'n', 'n4')",
    "mod_type('$T', 'mod', 'n', 'any')",
    "mod_type('$T', 'mod', 'n', 'str', |x| 'v')",
    "mod_type('$T', 'hid', true)",
    "mod_type('$T', 'wpo', true)",
    "mod_type('$T', 'idx', true)",
    "mod_type('$T', 'all', |x| nil)",
    "mod_type('$T', 'rel', 'q', 'p')",
    "$T{}",
    "{n: 3}.to_type('$T')",
    "{.tt = {}; .tt.to_type('$T')}",
    ".dd = .a.dup()",
    "new('$T')",
    ".a.to_thing()",
    "del_type('C')",
    "rename_type('C', 'C9')",
    "mod_type('C', 'add', 'k2', 'int')",
    "del_type('B')",
    "del_enum('$E')",
    "rename_enum('$E', 'R')",
    "set_enum('$E', {Q: 1})",
    "mod_enum('$E', 'add', 'W', 9)",
    "mod_enum('$E', 'del', 'Y')",
    "mod_enum('$E', 'del', 'X')",
    "mod_enum('$E', 'ren', 'Y', 'Y7')",
    "mod_enum('$E', 'mod', 'Y', 8)",
    "mod_enum('$E', 'def', 'Y')",
    "del_enum('F')",
};

std::string subst(std::string s, const std::string& from, const std::string& to) {
    for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
        s.replace(at, from.size(), to);
    return s;
}

// Every catalog-changing function x every argument it evaluates x every
// other catalog change made from there (plain and caught): a clean error or
// a consistent result, in the query and in the next one (the rows stored).
TEST(HostileCatalog, Matrix) {
    int n = 0;
    for (const Outer& o : kOuter) {
        for (const char* inner0 : kInner) {
            std::string inner = subst(subst(inner0, "$T", o.type), "$E", o.enum_);
            for (int caught = 0; caught < 2; ++caught) {
                std::string block =
                    "{" + (caught ? "try(" + inner + ")" : inner) + "; " + o.value + "}";
                std::string call = subst(o.code, "@", block);
                std::string code = "try(" + call + "); " + kConsistent;
                SCOPED_TRACE(call);
                fresh_storage();
                tdb::Error err(0, "");
                ASSERT_NE(run(kSetup, &err), "") << err.msg();
                std::string in_query = run(code, &err);
                ASSERT_NE(in_query, "") << err.msg();
                EXPECT_EQ(in_query.rfind("[true,", 0), 0u) << in_query;
                std::string next = run(kConsistent, &err);
                ASSERT_NE(next, "") << err.msg();
                EXPECT_EQ(next, in_query);
                // Uncaught: an error or a result, never a crash.
                fresh_storage();
                run(kSetup);
                run(call);
                ++n;
            }
        }
    }
    EXPECT_GT(n, 3000);
}

}  // namespace
