// PropsBuilder (codec.h): stored properties handed over in a binary form
// and walked into values must give the same things as the JSON text path.
// The storage here hands the rows' JSON to a decoder that walks it and
// calls the builder, as the PostgreSQL side walks jsonb.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <cstdlib>
#include <string>

#include "harness.h"
#include "core/api/codec.h"
#include "props_text.h"
#include "core/model/thing.h"

namespace {

// Walks JSON text into a PropsBuilder.
class TextWalker final : public tdb::PropsDecoder {
public:
    void decode(std::string_view bin, tdb::PropsBuilder& b) const override {
        size_t i = 0;
        props_text::value(bin, i, b);
    }
};

const TextWalker walker;

// Reads every row through the builder.
class BinaryStorage : public MemStorage {
public:
    int decoded = 0;
    bool load_thing(uint64_t coll, uint64_t id, tdb::StoredThing& out) override {
        if (!MemStorage::load_thing(coll, id, out)) return false;
        out.props_bin = std::move(out.props_json);
        out.props_json.clear();
        out.decoder = &walker;
        ++decoded;
        return true;
    }
};

std::string run(MemStorage& st, const std::string& code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    return tdb::run_query(st, req);
}

const char* kWrite =
    ".a = 1; .b = [1, [2, 3], []]; .c = {x: 'y', n: -9223372036854775807};"
    ".d = set([.c]); .e = bytes('bin'); .f = inf; .g = -1.5; .h = nil; .i = true;"
    ".j = |x| x * 2; .k = /ab+/i; .l = [{}, {z: [nil, false]}]; .m = 'quote \" and \\\\';"
    ".n = datetime(2020, 1, 2); .o = value_err('boom'); .p = .c; nil";

const char* kRead =
    "[.a, .b, .c, .d, .e, .f, .g, .h, .i, .j(21), .k.test('xABBy'), .l, .m, .n, .o, "
    ".p == .c, type(.b[1]), .d.has(.c), type(.e), type(.o), type(.j), .c.n]";

}  // namespace

TEST(PropsBuilder, GivesWhatTheJsonTextGives) {
    MemStorage text;
    BinaryStorage bin;
    run(text, kWrite);
    run(bin, kWrite);
    std::string want = run(text, kRead);
    std::string got = run(bin, kRead);
    EXPECT_GT(bin.decoded, 0);
    EXPECT_EQ(got, want);
    EXPECT_NE(got.find("-9223372036854775807"), std::string::npos);
}

TEST(PropsBuilder, ReferencesCountAsTheTextOnes) {
    BinaryStorage bin;
    run(bin, ".shared = {v: 1}; .list = [.shared, .shared]; nil");
    // Dropping the list releases two of the three references only.
    run(bin, ".del('list'); nil");
    EXPECT_EQ(run(bin, ".shared.v"), "1");
    run(bin, ".del('shared'); nil");
    EXPECT_EQ(run(bin, "thing(.id()).len()"), "0");
}

TEST(PropsBuilder, RejectsAWalkOutOfOrder) {
    BinaryStorage bin;
    run(bin, ".x = 1; nil");
    MemStorage st;
    tdb::CollectionRow row;
    ASSERT_TRUE(st.find_collection("stuff", row));
    tdb::Collection c(st, row);
    tdb::Thing t;
    tdb::PropsBuilder b(c, &t, nullptr);
    EXPECT_THROW(b.integer(1), tdb::Error);   // a value outside any object
    EXPECT_THROW(b.end_array(), tdb::Error);  // nothing open
}
