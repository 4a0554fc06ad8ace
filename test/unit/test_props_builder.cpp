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
#include "core/model/thing.h"

namespace {

// Walks JSON text into a PropsBuilder (numbers: an integer unless they
// have a fraction or an exponent, as the JSON reader decides).
class TextWalker final : public tdb::PropsDecoder {
public:
    void decode(std::string_view bin, tdb::PropsBuilder& b) const override {
        size_t i = 0;
        value(bin, i, b);
    }

private:
    static void ws(std::string_view s, size_t& i) {
        while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    }
    static std::string str(std::string_view s, size_t& i) {
        std::string out;
        ++i;  // "
        while (s[i] != '"') {
            if (s[i] == '\\') {
                ++i;
                char e = s[i];
                out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
            } else {
                out.push_back(s[i]);
            }
            ++i;
        }
        ++i;
        return out;
    }
    static void value(std::string_view s, size_t& i, tdb::PropsBuilder& b) {
        ws(s, i);
        char c = s[i];
        if (c == '{') {
            ++i;
            b.begin_object();
            ws(s, i);
            if (s[i] == '}') {
                ++i;
            } else {
                for (;;) {
                    ws(s, i);
                    b.key(str(s, i));
                    ws(s, i);
                    ++i;  // :
                    value(s, i, b);
                    ws(s, i);
                    if (s[i++] == '}') break;
                }
            }
            b.end_object();
        } else if (c == '[') {
            ++i;
            b.begin_array();
            ws(s, i);
            if (s[i] == ']') {
                ++i;
            } else {
                for (;;) {
                    value(s, i, b);
                    ws(s, i);
                    if (s[i++] == ']') break;
                }
            }
            b.end_array();
        } else if (c == '"') {
            b.string(str(s, i));
        } else if (s.compare(i, 4, "true") == 0) {
            i += 4;
            b.boolean(true);
        } else if (s.compare(i, 5, "false") == 0) {
            i += 5;
            b.boolean(false);
        } else if (s.compare(i, 4, "null") == 0) {
            i += 4;
            b.null();
        } else {
            size_t e = i;
            bool is_float = false;
            while (e < s.size() &&
                   (std::isdigit(static_cast<unsigned char>(s[e])) || std::strchr("+-.eE", s[e]))) {
                if (std::strchr(".eE", s[e])) is_float = true;
                ++e;
            }
            std::string t(s.substr(i, e - i));
            i = e;
            if (is_float)
                b.number(std::strtod(t.c_str(), nullptr));
            else
                b.integer(std::strtoll(t.c_str(), nullptr, 10));
        }
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
