// Calling a Type as ThingsDB does: T() a new instance, T(id) the stored
// instance, T(thing) a new instance from the thing's values (as new(T, thing):
// missing fields at their default, other properties left out), T(instance of
// T) that instance; a wrap-only Type refuses every form.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

TEST(TypesCall, FromAThing) {
    const char* mk = "set_type('P', {name: 'str', age: 'int'}); ";
    EXPECT_EQ(q(std::string(mk) +
                "p = P({name: 'Iris', x: 1}); [type(p), p.name, p.age, is_err(try(p.x))]"),
              "[\"P\",\"Iris\",0,true]");
    EXPECT_EQ(q(std::string(mk) + ".t = {name: 'Cato'}; .p = P(.t); [.p.name, type(.t)]"),
              "[\"Cato\",\"thing\"]");
    // an instance of the Type is returned as it is
    EXPECT_EQ(q(std::string(mk) + ".p = P{name: 'Tess'}; P(.p) == .p"), "true");
    expect_err(std::string(mk) + "P({name: 5});", tdb::TYPE_ERR,
               "mismatch in type `P`; type `int` is invalid for property `name` with definition "
               "`str`");
    expect_err(std::string(mk) + "new_type('Q'); P(Q{});", tdb::TYPE_ERR,
               "cannot create an instance of type `P` from type `Q`");
    expect_err(std::string(mk) + "P('x');", tdb::TYPE_ERR, "cannot convert type `str` to `P`");
}

TEST(TypesCall, WrapOnlyRefusesEveryForm) {
    const char* mk = "set_type('_W', {name: 'str'}, true); ";
    for (const char* call : {"_W()", "_W({})", "_W(1)", "_W(1, 2)"})
        expect_err(std::string(mk) + call + ";", tdb::TYPE_ERR,
                   "type `_W` has wrap-only mode enabled");
}

}  // namespace
