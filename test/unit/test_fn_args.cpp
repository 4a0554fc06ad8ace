// Argument checks of the function library, table driven: each row is code,
// the scope it runs in, and the error kind and exact message ThingsDB gives.
// test/tools/fn_coverage.py finds the functions whose argument errors no test
// checks; the rows below close those gaps (other test files hold the rest).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"

namespace {

const char* const C = "@:stuff";
const char* const T = "@thingsdb";

struct Row {
    const char* code;
    const char* scope;
    int kind;
    const char* msg;
};

void run_rows(const std::vector<Row>& rows) {
    for (const Row& r : rows) {
        SCOPED_TRACE(r.code);
        expect_err(r.code, r.kind, r.msg, r.scope);
    }
}

constexpr int NARGS = tdb::NUM_ARGUMENTS_ERR;
constexpr int TYPE = tdb::TYPE_ERR;

}  // namespace

TEST(FnArgs, ErrorConstructors) {
    run_rows({
        {"assert_err('a', 'b')", C, NARGS,
         "function `assert_err` takes at most 1 argument but 2 were given"},
        {"assert_err(1)", C, TYPE,
         "function `assert_err` expects argument 1 to be of type `str` but got type `int` instead"},
        {"auth_err('a', 'b')", C, NARGS,
         "function `auth_err` takes at most 1 argument but 2 were given"},
        {"auth_err(1)", C, TYPE,
         "function `auth_err` expects argument 1 to be of type `str` but got type `int` instead"},
        {"bad_data_err('a', 'b')", C, NARGS,
         "function `bad_data_err` takes at most 1 argument but 2 were given"},
        {"bad_data_err(nil)", C, TYPE,
         "function `bad_data_err` expects argument 1 to be of type `str` but got type `nil` "
         "instead"},
        {"cancelled_err('a', 'b')", C, NARGS,
         "function `cancelled_err` takes at most 1 argument but 2 were given"},
        {"cancelled_err(1)", C, TYPE,
         "function `cancelled_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"forbidden_err('a', 'b')", C, NARGS,
         "function `forbidden_err` takes at most 1 argument but 2 were given"},
        {"forbidden_err(1)", C, TYPE,
         "function `forbidden_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"lookup_err('a', 'b')", C, NARGS,
         "function `lookup_err` takes at most 1 argument but 2 were given"},
        {"lookup_err([])", C, TYPE,
         "function `lookup_err` expects argument 1 to be of type `str` but got type `list` "
         "instead"},
        {"max_quota_err('a', 'b')", C, NARGS,
         "function `max_quota_err` takes at most 1 argument but 2 were given"},
        {"max_quota_err(1)", C, TYPE,
         "function `max_quota_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"node_err('a', 'b')", C, NARGS,
         "function `node_err` takes at most 1 argument but 2 were given"},
        {"node_err(1)", C, TYPE,
         "function `node_err` expects argument 1 to be of type `str` but got type `int` instead"},
        {"num_arguments_err('a', 'b')", C, NARGS,
         "function `num_arguments_err` takes at most 1 argument but 2 were given"},
        {"num_arguments_err(1)", C, TYPE,
         "function `num_arguments_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"operation_err('a', 'b')", C, NARGS,
         "function `operation_err` takes at most 1 argument but 2 were given"},
        {"operation_err(1)", C, TYPE,
         "function `operation_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"overflow_err('a', 'b')", C, NARGS,
         "function `overflow_err` takes at most 1 argument but 2 were given"},
        {"overflow_err(1)", C, TYPE,
         "function `overflow_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"syntax_err('a', 'b')", C, NARGS,
         "function `syntax_err` takes at most 1 argument but 2 were given"},
        {"syntax_err(1)", C, TYPE,
         "function `syntax_err` expects argument 1 to be of type `str` but got type `int` instead"},
        {"type_err('a', 'b')", C, NARGS,
         "function `type_err` takes at most 1 argument but 2 were given"},
        {"type_err(1)", C, TYPE,
         "function `type_err` expects argument 1 to be of type `str` but got type `int` instead"},
        {"value_err('a', 'b')", C, NARGS,
         "function `value_err` takes at most 1 argument but 2 were given"},
        {"value_err(1.5)", C, TYPE,
         "function `value_err` expects argument 1 to be of type `str` but got type `float` "
         "instead"},
        {"zero_div_err('a', 'b')", C, NARGS,
         "function `zero_div_err` takes at most 1 argument but 2 were given"},
        {"zero_div_err(1)", C, TYPE,
         "function `zero_div_err` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
    });
}

TEST(FnArgs, Math) {
    run_rows({
        {"abs()", C, NARGS, "function `abs` takes 1 argument but 0 were given"},
        {"abs(1, 2)", C, NARGS, "function `abs` takes 1 argument but 2 were given"},
        {"ceil()", C, NARGS, "function `ceil` takes 1 argument but 0 were given"},
        {"floor(1, 2)", C, NARGS, "function `floor` takes 1 argument but 2 were given"},
        {"sqrt()", C, NARGS, "function `sqrt` takes 1 argument but 0 were given"},
        {"exp(1, 2)", C, NARGS, "function `exp` takes 1 argument but 2 were given"},
        {"exp('x')", C, TYPE,
         "function `exp` expects argument 1 to be of type `int` or `float` but got type `str` "
         "instead"},
        {"log10()", C, NARGS, "function `log10` takes 1 argument but 0 were given"},
        {"log2(1, 2)", C, NARGS, "function `log2` takes 1 argument but 2 were given"},
        {"loge()", C, NARGS, "function `loge` takes 1 argument but 0 were given"},
        {"sin()", C, NARGS, "function `sin` takes 1 argument but 0 were given"},
        {"sin(nil)", C, TYPE,
         "function `sin` expects argument 1 to be of type `int` or `float` but got type `nil` "
         "instead"},
        {"cos(1, 2)", C, NARGS, "function `cos` takes 1 argument but 2 were given"},
        {"cos('1')", C, TYPE,
         "function `cos` expects argument 1 to be of type `int` or `float` but got type `str` "
         "instead"},
        {"tan()", C, NARGS, "function `tan` takes 1 argument but 0 were given"},
        {"tan([])", C, TYPE,
         "function `tan` expects argument 1 to be of type `int` or `float` but got type `list` "
         "instead"},
    });
}

TEST(FnArgs, Predicates) {
    // Every is_* function takes one value of any type (too few: the rows below).
    for (const char* fn :
         {"is_array",   "is_ascii",  "is_bool",   "is_bytes", "is_closure", "is_datetime",
          "is_email",   "is_enum",   "is_err",    "is_float", "is_future",  "is_inf",
          "is_list",    "is_module", "is_mpdata", "is_nan",   "is_nil",     "is_raw",
          "is_regex",   "is_room",   "is_set",    "is_task",  "is_tel",     "is_thing",
          "is_timeval", "is_tuple",  "is_url",    "is_utf8"}) {
        std::string f = fn;
        expect_err(f + "(1, 2)", NARGS, "function `" + f + "` takes 1 argument but 2 were given");
    }
    // Written out so the coverage script sees each name.
    run_rows({
        {"is_array()", C, NARGS, "function `is_array` takes 1 argument but 0 were given"},
        {"is_ascii()", C, NARGS, "function `is_ascii` takes 1 argument but 0 were given"},
        {"is_bool()", C, NARGS, "function `is_bool` takes 1 argument but 0 were given"},
        {"is_bytes()", C, NARGS, "function `is_bytes` takes 1 argument but 0 were given"},
        {"is_closure()", C, NARGS, "function `is_closure` takes 1 argument but 0 were given"},
        {"is_datetime()", C, NARGS, "function `is_datetime` takes 1 argument but 0 were given"},
        {"is_email()", C, NARGS, "function `is_email` takes 1 argument but 0 were given"},
        {"is_enum()", C, NARGS, "function `is_enum` takes 1 argument but 0 were given"},
        {"is_err()", C, NARGS, "function `is_err` takes 1 argument but 0 were given"},
        {"is_float()", C, NARGS, "function `is_float` takes 1 argument but 0 were given"},
        {"is_future()", C, NARGS, "function `is_future` takes 1 argument but 0 were given"},
        {"is_inf()", C, NARGS, "function `is_inf` takes 1 argument but 0 were given"},
        {"is_list()", C, NARGS, "function `is_list` takes 1 argument but 0 were given"},
        {"is_module()", C, NARGS, "function `is_module` takes 1 argument but 0 were given"},
        {"is_mpdata()", C, NARGS, "function `is_mpdata` takes 1 argument but 0 were given"},
        {"is_nan()", C, NARGS, "function `is_nan` takes 1 argument but 0 were given"},
        {"is_nil()", C, NARGS, "function `is_nil` takes 1 argument but 0 were given"},
        {"is_raw()", C, NARGS, "function `is_raw` takes 1 argument but 0 were given"},
        {"is_regex()", C, NARGS, "function `is_regex` takes 1 argument but 0 were given"},
        {"is_room()", C, NARGS, "function `is_room` takes 1 argument but 0 were given"},
        {"is_set()", C, NARGS, "function `is_set` takes 1 argument but 0 were given"},
        {"is_task()", C, NARGS, "function `is_task` takes 1 argument but 0 were given"},
        {"is_tel()", C, NARGS, "function `is_tel` takes 1 argument but 0 were given"},
        {"is_thing()", C, NARGS, "function `is_thing` takes 1 argument but 0 were given"},
        {"is_timeval()", C, NARGS, "function `is_timeval` takes 1 argument but 0 were given"},
        {"is_tuple()", C, NARGS, "function `is_tuple` takes 1 argument but 0 were given"},
        {"is_url()", C, NARGS, "function `is_url` takes 1 argument but 0 were given"},
        {"is_utf8()", C, NARGS, "function `is_utf8` takes 1 argument but 0 were given"},
    });
    // is_inf takes numbers only; is_nan says true for any other type.
    expect_err(
        "is_inf('a')", TYPE,
        "function `is_inf` expects argument 1 to be of type `float` but got type `str` instead");
    expect_err(
        "is_inf(nil)", TYPE,
        "function `is_inf` expects argument 1 to be of type `float` but got type `nil` instead");
    EXPECT_EQ(q("[is_nan('a'), is_nan(nil), is_nan(1)]"), "[true,true,false]");
    // Modules, mpdata, rooms and tasks do not exist here: never true.
    EXPECT_EQ(q("[is_module(nil), is_module({}), is_mpdata(''), is_mpdata(bytes(''))]"),
              "[false,false,false,false]");
    EXPECT_EQ(q("[is_room({}), is_room(1), is_task(nil), is_task(||nil)]"),
              "[false,false,false,false]");
}

TEST(FnArgs, Conversions) {
    run_rows({
        {"bytes('a', 'b')", C, NARGS, "function `bytes` takes at most 1 argument but 2 were given"},
        {"float(1, 2)", C, NARGS, "function `float` takes at most 1 argument but 2 were given"},
        {"list([], [])", C, NARGS, "function `list` takes at most 1 argument but 2 were given"},
        {"json_load()", C, NARGS, "function `json_load` takes 1 argument but 0 were given"},
        {"json_load('1', '2')", C, NARGS, "function `json_load` takes 1 argument but 2 were given"},
        {"timeit()", C, NARGS, "function `timeit` takes 1 argument but 0 were given"},
        {"timeit(1, 2)", C, NARGS, "function `timeit` takes 1 argument but 2 were given"},
    });
}

TEST(FnArgs, TypeAssert) {
    EXPECT_EQ(q("type_assert(1, 'int')"), "null");
    EXPECT_EQ(q("type_assert('a', ['int', 'str'])"), "null");
    EXPECT_EQ(q("type_assert(nil, ['nil'])"), "null");
    run_rows({
        {"type_assert(1)", C, NARGS,
         "function `type_assert` requires at least 2 arguments but 1 was given"},
        {"type_assert(1, 'int', 'm', 1)", C, NARGS,
         "function `type_assert` takes at most 3 arguments but 4 were given"},
        {"type_assert(1, 2)", C, TYPE,
         "function `type_assert` expects argument 2 to be of type `str`, type `list` or type "
         "`tuple` but got type `int` instead"},
        {"type_assert(1, ['str', 2])", C, TYPE,
         "function `type_assert` expects argument 2 to be a list or tuple of type `str` but got "
         "type `int` instead"},
        {"type_assert(1, 'str')", C, TYPE, "invalid type `int`"},
        {"type_assert(1.5, ['str', 'int'])", C, TYPE, "invalid type `float`"},
        {"type_assert(1, 'str', 'need a str')", C, TYPE, "need a str"},
        {"type_assert(1, 'str', 1)", C, TYPE,
         "function `type_assert` expects argument 3 to be of type `str` but got type `int` "
         "instead"},
        // The type name is compared: an instance is of its Type, not `thing`.
        {"set_type('Q', {}); type_assert(Q{}, 'thing')", C, TYPE, "invalid type `Q`"},
    });
    EXPECT_EQ(q("set_type('Q', {}); type_assert(Q{}, 'Q')"), "null");
}

TEST(FnArgs, TypesAndEnums) {
    run_rows({
        {"new_type()", C, NARGS,
         "function `new_type` requires at least 1 argument but 0 were given"},
        {"new_type('A', false, false, 1)", C, NARGS,
         "function `new_type` takes at most 3 arguments but 4 were given"},
        {"new_type(1)", C, TYPE,
         "function `new_type` expects argument 1 to be of type `str` but got type `int` instead"},
        {"set_type('A')", C, NARGS,
         "function `set_type` requires at least 2 arguments but 1 was given"},
        {"set_type('A', {}, false, true, 1)", C, NARGS,
         "function `set_type` takes at most 4 arguments but 5 were given"},
        {"del_type()", C, NARGS, "function `del_type` takes 1 argument but 0 were given"},
        {"del_type(1)", C, TYPE,
         "function `del_type` expects argument 1 to be of type `str` but got type `int` instead"},
        {"has_type()", C, NARGS, "function `has_type` takes 1 argument but 0 were given"},
        {"has_type(1)", C, TYPE,
         "function `has_type` expects argument 1 to be of type `str` but got type `int` instead"},
        {"rename_type('A')", C, NARGS, "function `rename_type` takes 2 arguments but 1 was given"},
        {"rename_type(1, 'B')", C, TYPE,
         "function `rename_type` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"type_info()", C, NARGS, "function `type_info` takes 1 argument but 0 were given"},
        {"types_info(1)", C, NARGS, "function `types_info` takes 0 arguments but 1 was given"},
        {"type_all()", C, NARGS, "function `type_all` takes 1 argument but 0 were given"},
        {"type_all(1)", C, TYPE,
         "function `type_all` expects argument 1 to be of type `str` but got type `int` instead"},
        {"type_count()", C, NARGS, "function `type_count` takes 1 argument but 0 were given"},
        {"type_count(1)", C, TYPE,
         "function `type_count` expects argument 1 to be of type `str` but got type `int` instead"},
        {"set_type('A', {}); mod_type('A', 'del')", C, NARGS,
         "function `mod_type` requires at least 3 arguments but 2 were given"},
        {"set_enum('E')", C, NARGS, "function `set_enum` takes 2 arguments but 1 was given"},
        {"del_enum()", C, NARGS, "function `del_enum` takes 1 argument but 0 were given"},
        {"del_enum(1)", C, TYPE,
         "function `del_enum` expects argument 1 to be of type `str` but got type `int` instead"},
        {"has_enum()", C, NARGS, "function `has_enum` takes 1 argument but 0 were given"},
        {"has_enum(1)", C, TYPE,
         "function `has_enum` expects argument 1 to be of type `str` but got type `int` instead"},
        {"enum_info()", C, NARGS, "function `enum_info` takes 1 argument but 0 were given"},
        {"enum_map()", C, NARGS, "function `enum_map` takes 1 argument but 0 were given"},
        {"enum_info(1)", C, TYPE,
         "function `enum_info` expects argument 1 to be of type `str` but got type `int` instead"},
        {"enum_map(1)", C, TYPE,
         "function `enum_map` expects argument 1 to be of type `str` but got type `int` instead"},
        {"mod_enum(1, 'del', 'A')", C, TYPE,
         "function `mod_enum` expects argument 1 to be of type `str` but got type `int` instead"},
        {"type_info(1)", C, TYPE,
         "function `type_info` expects argument 1 to be of type `str` but got type `int` instead"},
        {"enums_info(1)", C, NARGS, "function `enums_info` takes 0 arguments but 1 was given"},
        {"rename_enum('E')", C, NARGS, "function `rename_enum` takes 2 arguments but 1 was given"},
        {"rename_enum(1, 'F')", C, TYPE,
         "function `rename_enum` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"set_enum('E', {A: 1}); mod_enum('E', 'del')", C, NARGS,
         "function `mod_enum` requires at least 3 arguments but 2 were given"},
        {"set_enum('E', {A: 1}); E{A}.name(1)", C, NARGS,
         "function `name` takes 0 arguments but 1 was given"},
        {"set_enum('E', {A: 1}); E{A}.value(1)", C, NARGS,
         "function `value` takes 0 arguments but 1 was given"},
        {"set_type('W', {}); {}.wrap('W').unwrap(1)", C, NARGS,
         "function `unwrap` takes 0 arguments but 1 was given"},
        {"{}.wrap()", C, NARGS,
         "using `wrap` on a non-typed `thing` requires 1 argument but 0 were given"},
        {"{}.wrap('W', 1)", C, NARGS, "function `wrap` takes at most 1 argument but 2 were given"},
        {"{}.to_type()", C, NARGS, "function `to_type` takes 1 argument but 0 were given"},
        {"{}.to_type(1)", C, TYPE,
         "function `to_type` expects argument 1 to be of type `str` but got type `int` instead"},
        {"set_type('W', {}); W{}.to_thing(1)", C, NARGS,
         "function `to_thing` takes 0 arguments but 1 was given"},
        // Where the method does not exist, ThingsDB's fallback lookup answers.
        {"{}.to_thing()", C, tdb::LOOKUP_ERR, "thing `#0` has no property or method `to_thing`"},
        {"set_type('W', {}); W{}.to_type('W')", C, tdb::LOOKUP_ERR,
         "type `W` has no property or method `to_type`"},
    });
    EXPECT_EQ(q("[enums_info(), set_enum('E', {A: 1}), enums_info().map(|e| e.name)]"),
              "[[],null,[\"E\"]]");
    EXPECT_EQ(q("set_enum('E', {A: 1}); rename_enum('E', 'F'); [has_enum('E'), "
                "enum_info('F').name, F{A}.value()]"),
              "[false,\"F\",1]");
}

TEST(FnArgs, Procedures) {
    run_rows({
        {"del_procedure()", C, NARGS, "function `del_procedure` takes 1 argument but 0 were given"},
        {"has_procedure(1)", C, TYPE,
         "function `has_procedure` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"mod_procedure('p')", C, NARGS,
         "function `mod_procedure` takes 2 arguments but 1 was given"},
        {"mod_procedure(1, ||nil)", C, TYPE,
         "function `mod_procedure` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"new_procedure('p', ||nil); mod_procedure('p', 1)", C, TYPE,
         "function `mod_procedure` expects argument 2 to be of type `closure` but got type `int` "
         "instead"},
        {"procedure_doc()", C, NARGS, "function `procedure_doc` takes 1 argument but 0 were given"},
        {"procedure_doc(1)", C, TYPE,
         "function `procedure_doc` expects argument 1 to be of type `str` but got type `int` "
         "instead"},
        {"procedure_info()", C, NARGS,
         "function `procedure_info` takes 1 argument but 0 were given"},
        {"procedures_info(1)", C, NARGS,
         "function `procedures_info` takes 0 arguments but 1 was given"},
        {"rename_procedure('p')", C, NARGS,
         "function `rename_procedure` takes 2 arguments but 1 was given"},
        {"{}.load(1)", C, NARGS, "function `load` takes 0 arguments but 1 was given"},
    });
}

TEST(FnArgs, ThingsdbScope) {
    run_rows({
        {"del_expired(1)", T, NARGS, "function `del_expired` takes 0 arguments but 1 was given"},
        {"del_token()", T, NARGS, "function `del_token` takes 1 argument but 0 were given"},
        {"has_token()", T, NARGS, "function `has_token` takes 1 argument but 0 were given"},
        {"has_token(1)", T, TYPE,
         "function `has_token` expects argument 1 to be of type `str` but got type `int` instead"},
        {"has_user()", T, NARGS, "function `has_user` takes 1 argument but 0 were given"},
        {"has_user(1)", T, TYPE,
         "function `has_user` expects argument 1 to be of type `str` but got type `int` instead"},
        {"del_user()", T, NARGS, "function `del_user` takes 1 argument but 0 were given"},
        {"rename_user('a')", T, NARGS, "function `rename_user` takes 2 arguments but 1 was given"},
        {"revoke('@:stuff', 'admin')", T, NARGS,
         "function `revoke` takes 3 arguments but 2 were given"},
        {"users_info(1)", T, NARGS, "function `users_info` takes 0 arguments but 1 was given"},
        {"user_info('a', 'b')", T, NARGS,
         "function `user_info` takes at most 1 argument but 2 were given"},
        {"user_info(1)", T, TYPE,
         "function `user_info` expects argument 1 to be of type `str` but got type `int` instead"},
        {"revoke('@:stuff', 1, QUERY)", T, TYPE,
         "function `revoke` expects argument 2 to be of type `str` but got type `int` instead"},
    });
}

TEST(FnArgs, Methods) {
    run_rows({
        {"{}.dup(1, 2)", C, NARGS, "function `dup` takes at most 1 argument but 2 were given"},
        {"{}.emit()", C, NARGS, "function `emit` requires at least 1 argument but 0 were given"},
        {"[].every()", C, NARGS, "function `every` takes 1 argument but 0 were given"},
        {"[1].each(1)", C, TYPE,
         "function `each` expects argument 1 to be of type `closure` but got type `int` instead"},
        {"{}.each(1)", C, TYPE,
         "function `each` expects argument 1 to be of type `closure` but got type `int` instead"},
        {"[1].every(1)", C, TYPE,
         "function `every` expects argument 1 to be of type `closure` but got type `int` instead"},
        {"[].some()", C, NARGS, "function `some` takes 1 argument but 0 were given"},
        {"[1].some(1)", C, TYPE,
         "function `some` expects argument 1 to be of type `closure` but got type `int` instead"},
        {"[1].find(1)", C, TYPE,
         "function `find` expects argument 1 to be of type `closure` but got type `int` instead"},
        {"[].find_index()", C, NARGS, "function `find_index` takes 1 argument but 0 were given"},
        {"[1].find_index(1)", C, TYPE,
         "function `find_index` expects argument 1 to be of type `closure` but got type `int` "
         "instead"},
        {"[].filter()", C, NARGS, "function `filter` takes 1 argument but 0 were given"},
        {"[].map()", C, NARGS, "function `map` takes 1 argument but 0 were given"},
        {"[].extend_unique()", C, NARGS,
         "function `extend_unique` takes 1 argument but 0 were given"},
        {"[].fill()", C, NARGS, "function `fill` takes 1 argument but 0 were given"},
        {"[].last(1, 2)", C, NARGS, "function `last` takes at most 1 argument but 2 were given"},
        {"[].sum(1, 2)", C, NARGS, "function `sum` takes at most 1 argument but 2 were given"},
        {"[].is_unique(1)", C, NARGS, "function `is_unique` takes 0 arguments but 1 was given"},
        {"''.starts_with()", C, NARGS, "function `starts_with` takes 1 argument but 0 were given"},
        {"''.ends_with(1)", C, TYPE,
         "function `ends_with` expects argument 1 to be of type `str` but got type `int` instead"},
        {"future(nil).then()", C, NARGS, "function `then` takes 1 argument but 0 were given"},
        {"future(nil).then(1)", C, TYPE,
         "function `then` expects argument 1 to be of type `closure` but got type `int` instead"},
        {"future(nil).else(1)", C, TYPE,
         "function `else` expects argument 1 to be of type `closure` but got type `int` instead"},
    });
}

namespace {

// The text of a str result: q() gives it as a JSON string.
std::string unquote(const std::string& json) {
    std::string out;
    for (size_t i = 1; i + 1 < json.size(); ++i) {
        if (json[i] == '\\') {
            ++i;
            out.push_back(json[i] == 'n' ? '\n' : json[i]);
        } else {
            out.push_back(json[i]);
        }
    }
    return out;
}

}  // namespace

TEST(FnArgs, JsonDump) {
    // The value as a query result renders it: ids and the query's deep.
    EXPECT_EQ(q(".a = {b: {c: {d: 1}}}; nil"), "null");
    std::string plain = qk(".a");
    EXPECT_NE(plain.find("\"#\":"), std::string::npos);
    EXPECT_EQ(unquote(qk("json_dump(.a)")), plain);
    EXPECT_EQ(unquote(qk("json_dump(.a, {deep: 3})")), qk("return .a, 3;"));
    EXPECT_EQ(unquote(qk("json_dump(.a, {deep: 0})")), qk("return .a, 0;"));
    EXPECT_EQ(unquote(q("json_dump([1, 'a', nil, 1.5])")), "[1,\"a\",null,1.5]");
    // beautify: yajl's layout.
    EXPECT_EQ(unquote(q("json_dump({a: [1, {}], b: 'x'}, {beautify: true})")),
              "{\n    \"a\": [\n        1,\n        {\n\n        }\n    ],\n    \"b\": \"x\"\n}\n");
    EXPECT_EQ(unquote(q("json_dump('a', {beautify: true})")), "\"a\"\n");
    EXPECT_EQ(unquote(q("json_dump([], {beautify: true, deep: 1})")), "[\n\n]\n");
    EXPECT_EQ(unquote(q("json_dump(['a,b:c'], {beautify: false})")), "[\"a,b:c\"]");
    run_rows({
        {"json_dump()", C, NARGS,
         "function `json_dump` requires at least 1 argument but 0 were given"},
        {"json_dump(1, {}, 2)", C, NARGS,
         "function `json_dump` takes at most 2 arguments but 3 were given"},
        {"json_dump(1, 2)", C, TYPE,
         "function `json_dump` expects argument 2 to be of type `thing` but got type `int` "
         "instead"},
        {"json_dump(1, {indent: 2})", C, tdb::LOOKUP_ERR,
         "invalid option `indent` for function `json_dump`"},
        {"json_dump(1, {deep: '1'})", C, TYPE,
         "expecting `deep` to be of type `int` but got type `str` instead"},
        {"json_dump(1, {deep: 128})", C, tdb::VALUE_ERR,
         "expecting a `deep` value between 0 and 127 but got 128 instead"},
    });
}

TEST(FnArgs, CopyDupListSet) {
    // deep 0 (the default): a new list or set holding the same things.
    EXPECT_EQ(q("a = [1]; b = a.copy(); b.push(2); [a, b]"), "[[1],[1,2]]");
    EXPECT_EQ(q("a = [{x: 1}]; b = a.copy(); b[0].x = 2; a[0].x"), "2");
    EXPECT_EQ(q("a = [{x: 1}]; b = a.copy(1); b[0].x = 2; a[0].x"), "1");
    EXPECT_EQ(q("a = [{x: {y: 1}}]; b = a.dup(1); b[0].x.y = 2; a[0].x.y"), "2");
    EXPECT_EQ(q("a = [{x: {y: 1}}]; b = a.dup(2); b[0].x.y = 2; a[0].x.y"), "1");
    EXPECT_EQ(q("[type([[1, 2]][0]), type([[1, 2]][0].copy())]"), "[\"tuple\",\"list\"]");
    EXPECT_EQ(q("s = set({a: 1}); c = s.copy(); c.add({}); [s.len(), c.len(), c.has(s.one())]"),
              "[1,2,true]");
    EXPECT_EQ(q("s = set({a: 1}); c = s.copy(1); c.one().a = 2; s.one().a"), "1");
    // dup keeps the Type of a copied instance, copy does not.
    EXPECT_EQ(q("set_type('T', {a: 'int'}); [type([T{}].dup(1)[0]), type([T{}].copy(1)[0])]"),
              "[\"T\",\"thing\"]");
    EXPECT_EQ(
        q("set_type('T', {a: 'int'}); [type(set(T{}).dup(1).one()), type(set(T{}).copy(1).one())]"),
        "[\"T\",\"thing\"]");
    run_rows({
        {"[].copy(1, 2)", C, NARGS, "function `copy` takes at most 1 argument but 2 were given"},
        {"[].copy('a')", C, TYPE,
         "expecting `deep` to be of type `int` but got type `str` instead"},
        {"set().dup(1, 2)", C, NARGS, "function `dup` takes at most 1 argument but 2 were given"},
        {"set().dup(200)", C, tdb::VALUE_ERR,
         "expecting a `deep` value between 0 and 127 but got 200 instead"},
    });
}
