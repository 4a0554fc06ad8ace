// Collection::flush: every write's props bytes stay valid and whole until the storage has
// written them (they share a few large buffers, text or an encoder's stream), and the
// reference counts of many changes add up per id (one sorted vector, no map).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"
#include "props_text.h"

namespace {

std::string run(MemStorage& st, const std::string& code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    return tdb::run_query(st, req);
}

// Writes through an encoder (the text one of props_text.h): the stream is the JSON text.
class EncoderStorage : public MemStorage {
public:
    props_text::TextEncoder enc;
    tdb::PropsEncoder* props_encoder() override { return &enc; }
};

// Every write as the storage got it, checked against its thing's expected text before any
// other write of the same flush could overwrite a shared buffer.
template <class Base>
class Recording : public Base {
public:
    std::vector<std::pair<uint64_t, std::string>> got;
    std::vector<uint64_t> write_things(uint64_t coll,
                                       const std::vector<tdb::ThingWrite>& ws) override {
        for (const tdb::ThingWrite& w : ws) got.emplace_back(w.id, std::string(w.props));
        return Base::write_things(coll, ws);
    }
};

// n things whose props are of many sizes: from a few bytes to a string of `big` characters
// every 500th (past one buffer), so the writes cross from buffer to buffer.
std::string make_code(int n, int big) {
    return ".items = range(" + std::to_string(n) + ").map(|i| {n: i, s: range(i % 500 == 250 ? " +
           std::to_string(big) + " : i % 61).map(|_| 'x').join('')}); nil";
}

std::string check_code(int n, int big) {
    return ".items.len() == " + std::to_string(n) +
           " && .items.every(|t, i| t.n == i && t.s.len() == (i % 500 == 250 ? " +
           std::to_string(big) + " : i % 61))";
}

template <class St>
void check_bytes(int n, int big) {
    Recording<St> st;
    run(st, make_code(n, big));
    ASSERT_EQ(st.got.size(), static_cast<size_t>(n) + 1);  // and the root
    for (auto& [id, text] : st.got) {
        const auto& row = st.things.at(id).thing;
        EXPECT_EQ(row.props_json, text) << id;
        if (id == 1) continue;
        // {"n":I,"s":"xxx..."}: the length of s as made
        size_t at = text.find("\"s\":\"");
        ASSERT_NE(at, std::string::npos) << text.substr(0, 80);
        size_t len = text.size() - (at + 5) - 2;  // less the closing quote and brace
        size_t i = std::stoul(text.substr(5, text.find(',') - 5));
        EXPECT_EQ(len, i % 500 == 250 ? static_cast<size_t>(big) : i % 61) << id;
    }
    EXPECT_EQ(run(st, check_code(n, big)), "true");
}

}  // namespace

TEST(FlushWrites, TextPropsOfManySizesStayWhole) { check_bytes<MemStorage>(3000, 40000); }

TEST(FlushWrites, EncoderStreamsOfManySizesStayWhole) {
    check_bytes<EncoderStorage>(3000, 40000);
    // Big ones just under, at and over the size that keeps its own buffer, in a row.
    for (int big : {16383, 16384, 16385, 90000}) check_bytes<EncoderStorage>(1001, big);
}

TEST(FlushWrites, OneSmallWrite) {
    Recording<EncoderStorage> st;
    run(st, ".a = 1; nil");
    ASSERT_EQ(st.got.size(), 1u);
    EXPECT_EQ(st.got[0].second, "{\"a\":1}");
}

TEST(FlushWrites, CountsOfManyReferencesAddUp) {
    fresh_storage();
    MemStorage& st = storage();
    // One stored thing referenced by many new things and lists, twice by some.
    qk(".a = {}; .l = range(2500).map(|i| i % 2 ? {a: .a} : {a: .a, b: .a}); nil");
    uint64_t a = std::stoull(qk(".a.id()"));
    EXPECT_EQ(st.things.at(a).refs, 1 + 1250 * 2 + 1250);
    // Old references go as new ones come in the same flush.
    qk(".l = .l.filter(|t, i| i < 10); .m = [.a, .a, .a]; nil");
    EXPECT_EQ(st.things.at(a).refs, 1 + 5 * 2 + 5 + 3);
    EXPECT_EQ(qk(".l.len()"), "10");
    // A new thing held only by new things that end unreferenced is never written, however
    // long the chain; one held by a kept thing is.
    size_t rows = st.things.size();
    qk("c = {}; range(3000).each(|_| c = {c:}); .keep = {c: {}}; nil");
    EXPECT_EQ(st.things.size(), rows + 2);
    // A new thing in a list three times counts three.
    qk("t = {}; .p = [t, t, t]; nil");
    uint64_t t = std::stoull(qk(".p[0].id()"));
    EXPECT_EQ(st.things.at(t).refs, 3);
    // Ids in the order the things were made.
    EXPECT_EQ(qk(".q = range(2000).map(|_| {}); range(1, 2000).every(|i| .q[i].id() > "
                 ".q[i - 1].id())"),
              "true");
}
