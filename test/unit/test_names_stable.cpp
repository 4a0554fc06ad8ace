// A name taken from the code (a property, a variable, a field of a thing or
// Type literal) stays valid while the code of its value runs, also when that
// code interns many new names: closures and Type methods parsed from text.
#include <gtest/gtest.h>

#include <string>

#include "harness.h"

namespace {

// A closure parsed from text with n parameters no code has used before.
std::string fresh_closure(const std::string& prefix, int n) {
    std::string params;
    for (int i = 0; i < n; ++i) params += (i ? "," : "") + prefix + std::to_string(i);
    return "closure('|" + params + "| 1')";
}

TEST(NamesStable, KeyHeldWhileTheValueInternsNames) {
    EXPECT_EQ(q(".k = " + fresh_closure("pa", 4000) + "; .keys();"), "[\"k\"]");
    EXPECT_EQ(q("v = " + fresh_closure("pb", 4000) + "; is_closure(v);"), "true");
    EXPECT_EQ(q("x = {kk: " + fresh_closure("pc", 4000) + "}; x.keys();"), "[\"kk\"]");
    EXPECT_EQ(q("set_type('T', {f: 'any'}); t = T{f: " + fresh_closure("pd", 4000) +
                "}; is_closure(t.f);"),
              "true");
    EXPECT_EQ(q(".x = {}; .x.long_property_name = " + fresh_closure("pe", 4000) + "; .x.keys();"),
              "[\"long_property_name\"]");
}

}  // namespace
