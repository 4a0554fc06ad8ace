// Relations made on instances that exist already: both sides follow each
// other, a set may relate to itself, and a state that cannot become mutual
// is refused with ThingsDB's messages.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

std::string msg(const std::string& code) { return qerr(code).msg(); }

// Team.members '{Person}' <-> Person.teams '{Team}', Node.links '{Node}' to itself.
const std::string kSets =
    "new_type('Person'); set_type('Team', {members: '{Person}'});"
    "set_type('Person', {teams: '{Team}'}); set_type('Node', {links: '{Node}'});";

TEST(TypesRel, SetToSetLive) {
    std::string rel = kSets + "mod_type('Person', 'rel', 'teams', 'members');";
    EXPECT_EQ(q(rel + ".t = Team{}; .p = Person{}; .q = Person{}; .t.members.add(.p, .q);"
                      "[.p.teams.has(.t), .q.teams.has(.t), .t.members.len()];"),
              "[true,true,2]");
    EXPECT_EQ(q(rel + ".t = Team{}; .u = Team{}; .p = Person{}; .p.teams = set(.t, .u);"
                      ".p.teams.remove(.t); [.t.members.len(), .u.members.has(.p)];"),
              "[0,true]");
    // a set relating to itself: n in m.links makes m in n.links
    std::string self = kSets + "mod_type('Node', 'rel', 'links', 'links');";
    EXPECT_EQ(q(self + ".m = Node{}; .n = Node{}; .o = Node{}; .m.links.add(.n, .o, .m);"
                       "[.n.links.has(.m), .o.links.has(.m), .m.links.len(), .n.links.len()];"),
              "[true,true,3,1]");
    EXPECT_EQ(q(self + ".m = Node{}; .n = Node{}; .m.links.add(.n, .m); .m.links.remove(.n);"
                       "[.n.links.len(), .m.links.has(.m)];"),
              "[0,true]");
}

TEST(TypesRel, SetToSetExisting) {
    fresh_storage();
    qk(kSets +
       ".t1 = Team{}; .t2 = Team{}; .p1 = Person{}; .p2 = Person{}; .p3 = Person{};"
       ".t1.members.add(.p1); .p2.teams.add(.t1, .t2); .t2.members.add(.p3);"
       ".n1 = Node{}; .n2 = Node{}; .n3 = Node{}; .n1.links.add(.n2); .n3.links.add(.n3, .n1);"
       "nil;");
    EXPECT_EQ(qk("mod_type('Team', 'rel', 'members', 'teams'); mod_type('Node', 'rel', 'links', "
                 "'links'); nil;"),
              "null");
    // the union of both sides, seen from both sides
    EXPECT_EQ(qk("[.t1.members.len(), .t1.members.has(.p2), .t2.members.len(), .p1.teams.has(.t1),"
                 " .p3.teams.has(.t2), .p2.teams.len()];"),
              "[2,true,2,true,true,2]");
    EXPECT_EQ(qk("[.n2.links.has(.n1), .n1.links.has(.n3), .n1.links.len(), .n3.links.len()];"),
              "[true,true,2,2]");
}

TEST(TypesRel, OneToManyExisting) {
    fresh_storage();
    qk("new_type('Shelf'); set_type('Book', {shelf: 'Shelf?'}); set_type('Shelf', {books: "
       "'{Book}'}); .s1 = Shelf{}; .s2 = Shelf{}; .b1 = Book{}; .b2 = Book{}; .b3 = Book{};"
       ".b1.shelf = .s1; .s1.books.add(.b2, .b1); .s2.books.add(.b3); nil;");
    // made from the single side, the set side is followed too: b2 and b3
    // learn their shelf
    EXPECT_EQ(qk("mod_type('Book', 'rel', 'shelf', 'books');"
                 "[.b1.shelf == .s1, .b2.shelf == .s1, .b3.shelf == .s2, .s1.books.len()];"),
              "[true,true,true,2]");
}

TEST(TypesRel, OneToOneExisting) {
    fresh_storage();
    qk("new_type('Left'); set_type('Right', {left: 'Left?'}); set_type('Left', {right: "
       "'Right?'}); .l = Left{}; .r = Right{}; .r.left = .l; nil;");
    // the side that was set on Right's instances is followed as well
    EXPECT_EQ(qk("mod_type('Left', 'rel', 'right', 'left'); .l.right == .r;"), "true");
}

TEST(TypesRel, StateErrors) {
    // one to one: x.f -> y while y.g -> a third
    fresh_storage();
    qk("new_type('Left'); set_type('Right', {left: 'Left?'}); set_type('Left', {right: 'Right?'});"
       ".l1 = Left{}; .l2 = Left{}; .r = Right{}; .l1.right = .r; .r.left = .l2; nil;");
    tdb::Error e = qerr("mod_type('Left', 'rel', 'right', 'left');", "@:stuff", true);
    EXPECT_EQ(e.code(), -61);
    std::string m = e.msg();
    EXPECT_EQ(m.rfind("failed to create relation; property `right` on `#", 0), 0u) << m;
    EXPECT_NE(m.find("while property `left` on `#"), std::string::npos) << m;
    // nothing changed: the relation is not there and may be made once the state agrees
    EXPECT_EQ(qk(".r.left = .l1; mod_type('Left', 'rel', 'right', 'left'); .l1.right == .r;"),
              "true");

    // a type to itself through two properties
    fresh_storage();
    qk("set_type('Pair', {p: 'Pair?', q: 'Pair?'}); .x = Pair{}; .y = Pair{}; .x.q = .x;"
       ".x.p = .y; .y.q = .y; nil;");
    m = qerr("mod_type('Pair', 'rel', 'p', 'q');", "@:stuff", true).msg();
    EXPECT_EQ(m.rfind("failed to create relation; property `", 0), 0u) << m;

    // one to many: a member of a set pointing elsewhere, or in two sets
    fresh_storage();
    qk("new_type('Shelf'); set_type('Book', {shelf: 'Shelf?'}); set_type('Shelf', {books: "
       "'{Book}'}); .s1 = Shelf{}; .s2 = Shelf{}; .b = Book{}; .s1.books.add(.b); .b.shelf = .s2;"
       "nil;");
    m = qerr("mod_type('Book', 'rel', 'shelf', 'books');", "@:stuff", true).msg();
    EXPECT_EQ(m.rfind("failed to create relation; thing `#", 0), 0u) << m;
    EXPECT_NE(m.find("belongs to a set `books` on `#"), std::string::npos) << m;
    EXPECT_NE(m.find("but is referring to `#"), std::string::npos) << m;
    qk(".b.shelf = nil; .s2.books.add(.b); nil;");
    m = qerr("mod_type('Shelf', 'rel', 'books', 'shelf');", "@:stuff", true).msg();
    EXPECT_NE(m.find("belongs to at least two different sets; (property `books` on type `Shelf`)"),
              std::string::npos)
        << m;
}

}  // namespace
