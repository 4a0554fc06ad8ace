// Containers changed while something iterates them: every walk that may run
// user code (rendering through wraps, the methods that call closures) marks
// the list, set or thing in use, so the code gets ThingsDB's operation_err
// instead of leaving an iterator into freed memory; and list indexes and
// slice bounds are computed after every sub-expression ran.
#include <gtest/gtest.h>

#include <string>

#include "core/api/error.h"
#include "harness.h"

using tdb::Error;

namespace {

// a method that fails shows its error message as the property's value
const std::string kInUse = "\"cannot change type `list` while the value is in use\"";

// A wrap whose method extends the variable `v` (a change of a variable's
// list is no side effect: it runs in read-only queries too).
const std::string kExtender = "{}.wrap(&{m: |this| {v.extend(range(1000)); 1}})";

}  // namespace

TEST(HostileInUse, RenderingARootListThatAMethodExtends) {
    std::string r = q("v = [" + kExtender + ", 'a', 'b', 'c', 'd', 'e', 'f', 'g']; json_dump(v)");
    EXPECT_NE(r.find("cannot change type `list` while the value is in use"), std::string::npos)
        << r;
    // The query result is rendered by the same walk.
    r = q("v = [" + kExtender + ", 'a', 'b', 'c', 'd', 'e', 'f', 'g']; v");
    EXPECT_EQ(r, "[{\"m\":" + kInUse + "},\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\"]");
    // Once the walk is over the list can change again.
    EXPECT_EQ(q("v = [" + kExtender + ", 'a']; json_dump(v); v.extend(range(3)); v.len()"), "5");
}

TEST(HostileInUse, RenderingAWrapInsideAThingOfTheList) {
    std::string r = q("v = [{w: " + kExtender + "}, 1]; return(v, 3)");
    EXPECT_EQ(r, "[{\"w\":{\"m\":" + kInUse + "}},1]");
    r = q("v = [1, {w: " + kExtender + "}]; json_dump(v, {deep: 3})");
    EXPECT_NE(r.find("cannot change type `list` while the value is in use"), std::string::npos)
        << r;
}

TEST(HostileInUse, RenderingASetThatAMethodAddsTo) {
    const std::string code =
        "a = {}; s = set(a); a.w = {}.wrap(&{m: |this| {s.add({}, {}, {}, {}); 1}}); ";
    const std::string err = "\"cannot change type `set` while the value is in use\"";
    EXPECT_EQ(q(code + "return(s, 3)"), "[{\"w\":{\"m\":" + err + "}}]");
    std::string r = q(code + "json_dump(s, {deep: 3})");
    EXPECT_NE(r.find("cannot change type `set` while the value is in use"), std::string::npos) << r;
    // Afterwards the set can change again.
    EXPECT_EQ(q(code + "json_dump(s, {deep: 3}); s.add({}); s.len()"), "2");
}

TEST(HostileInUse, MethodsThatCallClosuresLockTheirReceiver) {
    const char* calls[] = {"map(|x| {v.push(1); x})",
                           "filter(|x| {v.push(1); x})",
                           "each(|x| {v.push(1); x})",
                           "find(|x| {v.push(1); false})",
                           "find_index(|x| {v.push(1); false})",
                           "some(|x| {v.push(1); false})",
                           "every(|x| {v.push(1); true})",
                           "reduce(|a, x| {v.push(1); a})",
                           "count(|x| {v.push(1); true})"};
    for (const char* c : calls) {
        Error e = qerr(std::string("v = [1, 2, 3]; v.") + c);
        EXPECT_EQ(e.msg(), "cannot change type `list` while the value is in use") << c;
    }
    Error e = qerr("t = {a: 1, b: 2}; t.map(|k, v| {t.c = 1; v})");
    EXPECT_EQ(e.msg(), "cannot change type `thing` while the value is in use");
    e = qerr("s = set({}, {}); s.map(|x| {s.add({}); x})");
    EXPECT_EQ(e.msg(), "cannot change type `set` while the value is in use");
    // sort() iterates a copy: a change of the list does not reach it.
    EXPECT_EQ(q("v = [3, 1, 2]; [v.sort(|a, b| {v.push(0); a - b}), v.len() > 3]"),
              "[[1,2,3],true]");
}

TEST(HostileInUse, SliceAssignmentBoundsComeAfterTheValue) {
    EXPECT_EQ(q("l = [1, 2, 3]; l[0:3] = {l.clear(); [9]}; l"), "[9]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[1:3] = {l.pop(); l.pop(); [9]}; l"), "[1,9]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[{l.push(4); 0}:{l.clear(); 1}] = [1, 2]; l"), "[1,2]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[-1:] = {l.push(4, 5); [9]}; l"), "[1,2,3,4,9]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[{l.clear(); 0}:] = [7]; l"), "[7]");
}

TEST(HostileInUse, SliceReadBoundsComeAfterTheParts) {
    EXPECT_EQ(q("l = [1, 2, 3]; l[0:{l.clear(); 3}]"), "[]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[{l.pop(); 0}:]"), "[1,2]");
    EXPECT_EQ(q("l = [1, 2, 3]; l[::{l.clear(); -1}]"), "[]");
}

TEST(HostileInUse, IndexAssignmentCountsAfterTheValue) {
    EXPECT_EQ(q("l = [1, 2, 3]; l[-1] = {l.push(4); 9}; l"), "[1,2,3,9]");
    Error e = qerr("l = [1, 2, 3]; l[2] = {l.clear(); 9}; l");
    EXPECT_EQ(e.code(), tdb::LOOKUP_ERR);
    EXPECT_EQ(e.msg(), "index out of range");
    EXPECT_EQ(q("l = [1, 2, 3]; l[0] += {l.unshift(0); 10}; l"), "[10,1,2,3]");
}

// While a method iterates or extends a list or set, the property that holds it can be
// neither replaced nor removed, however the property is reached (assignment, set(),
// del(), clear(), a compound assignment), as in ThingsDB; afterwards it can.
TEST(HostileInUse, PropertyOfALockedListOrSet) {
    const std::string msg_list = "while the `list` is in use";
    const std::string msg_set = "while the `set` is in use";
    struct Case {
        std::string code, what;
    } cases[] = {
        {".arr = [1]; .arr.push({.arr = [2]; 3});", msg_list},
        {".arr = [1]; .arr.unshift({.set('arr', nil); 3});", msg_list},
        {".arr = [1]; .arr.extend([{.del('arr'); 3}]);", msg_list},
        {".arr = [1, 2]; .arr.map(|x| .clear());", msg_list},
        {".arr = [1, 2]; .arr.each(|x| .arr += [x]);", msg_list},
        {".s = set({}, {}); .s.each(|x| .s = set());", msg_set},
        {"t = {arr: [1, 2]}; t.arr.filter(|x| t.del('arr'));", msg_list},
    };
    for (const Case& c : cases) {
        Error e = qerr(c.code);
        EXPECT_EQ(e.code(), tdb::OPERATION_ERR) << c.code;
        EXPECT_NE(e.msg().find("cannot change or remove property `"), std::string::npos) << c.code;
        EXPECT_NE(e.msg().find(c.what), std::string::npos) << c.code << ": " << e.msg();
    }
    EXPECT_EQ(q(".arr = [1]; .arr.push(2); .arr = [3]; .del('arr'); .arr = [4]; .arr.len();"), "1");
    EXPECT_EQ(q("l = [1]; l.push({l = [2]; 3}); l;"), "[2]");
}
