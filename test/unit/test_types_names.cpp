// Names of Types and enums: renaming to a name in use (its own name too) or
// reserved, and Type{..} / Enum{..} outside a collection scope.
#include <gtest/gtest.h>

#include "harness.h"

namespace {

using tdb::LOOKUP_ERR;
using tdb::VALUE_ERR;

TEST(TypesNames, RenameToTakenName) {
    const std::string setup = "set_enum('Shade', {DARK: 0, LIGHT: 1}); new_type('Shape');";
    expect_err(setup + "rename_enum('Shade', 'Shade');", LOOKUP_ERR, "enum `Shade` already exists");
    expect_err(setup + "rename_type('Shape', 'Shape');", LOOKUP_ERR, "type `Shape` already exists");
    // a Type's name is checked before an enum's
    expect_err(setup + "rename_enum('Shade', 'Shape');", LOOKUP_ERR, "type `Shape` already exists");
    expect_err(setup + "rename_type('Shape', 'Shade');", LOOKUP_ERR, "enum `Shade` already exists");
    expect_err(setup + "rename_enum('Shade', 'float');", VALUE_ERR, "name `float` is reserved");
    expect_err(setup + "rename_type('Shape', 'thing');", VALUE_ERR, "name `thing` is reserved");
    // a free name works, and the new name is the one to use
    EXPECT_EQ(q(setup + "rename_enum('Shade', 'Tone'); [Tone{LIGHT}.value(), has_enum('Shade')];"),
              "[1,false]");
}

TEST(TypesNames, OutsideCollection) {
    // "@t" is short for "@thingsdb": the message names the kind of scope
    const std::string types =
        "no types exists in the `@thingsdb` scope; you might want to query a `@collection` scope?";
    const std::string enums =
        "no enumerators exists in the `@thingsdb` scope; you might want to query a `@collection` "
        "scope?";
    for (const char* scope : {"@thingsdb", "@t"}) {
        expect_err("Widget{};", LOOKUP_ERR, types, scope);
        expect_err("Widget{size: 2};", LOOKUP_ERR, types, scope);
        expect_err("Mood{HAPPY};", LOOKUP_ERR, enums, scope);
        expect_err("Mood{|| 'HAPPY'};", LOOKUP_ERR, enums, scope);
    }
    // in a collection an unknown name still says so
    expect_err("Widget{};", LOOKUP_ERR, "type `Widget` is undefined");
    expect_err("Mood{HAPPY};", LOOKUP_ERR, "enum `Mood` is undefined");
}

}  // namespace
