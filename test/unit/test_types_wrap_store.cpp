// A wrap through a Type is stored as ThingsDB keeps it: the Type by id and
// the wrapped thing by reference, the thing stored with it. It reads back as
// the same wrap, its type() follows a rename of the Type. A wrap through an
// anonymous type is not stored.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

const char* const kTypes =
    "set_type('P', {name: 'str', age: 'int'}); set_type('_P', {name: 'str'}, true, true); ";

TEST(TypesWrapStore, ReadsBackAsTheSameWrap) {
    fresh_storage();
    EXPECT_EQ(qk(std::string(kTypes) + ".p = P{name: 'Iris', age: 9}; .w = .p.wrap('_P'); nil"),
              "null");
    EXPECT_EQ(qk("[.w, type(.w), .w.unwrap() == .p, .w.unwrap().age]"),
              "[{\"name\":\"Iris\"},\"<_P>\",true,9]");
    // the Type is kept by id: a rename shows, as in ThingsDB
    EXPECT_EQ(qk("rename_type('_P', '_Q'); nil"), "null");
    EXPECT_EQ(qk("[type(.w), .w.copy()]"), "[\"<_Q>\",{\"name\":\"Iris\"}]");
}

TEST(TypesWrapStore, WrappedThingsAreStoredWithTheWrap) {
    fresh_storage();
    // things without an id get one, in lists too
    EXPECT_EQ(qk(std::string(kTypes) +
                 ".l = [P{name: 'a'}, {name: 'b', x: 1}].map_wrap('_P'); .l.map(|w| type(w))"),
              "[\"<_P>\",\"<_P>\"]");
    EXPECT_EQ(qk("[.l, .l.map(|w| is_int(w.unwrap().id())), .l[1].unwrap().x]"),
              "[[{\"name\":\"a\"},{\"name\":\"b\"}],[true,true],1]");
    // the wrapped thing changes under the stored wrap
    EXPECT_EQ(qk(".l[0].unwrap().name = 'c'; nil"), "null");
    EXPECT_EQ(qk(".l[0]"), "{\"name\":\"c\"}");
}

TEST(TypesWrapStore, AnonymousWrapIsNotStored) {
    expect_err(".a = {x: 1}.wrap(&{x: 'int'});", tdb::TYPE_ERR, "cannot store type `<anonymous>`");
}

}  // namespace
