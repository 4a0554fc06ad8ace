// PropsEncoder (codec.h): the events of encode_props(t, refs, enc), written
// out as JSON text, must give byte for byte the text encode_props(t, refs)
// writes, so that a storage building its binary form from the events (the
// PostgreSQL side builds jsonb) stores what it would store from the text.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness.h"
#include "core/api/codec.h"
#include "props_text.h"

namespace {

using props_text::TextEncoder;

// Writes through the encoder and keeps the resulting text as the row's
// props_json, so that rows compare with those of the text writer.
class EventStorage : public MemStorage {
public:
    TextEncoder enc;
    int written = 0;
    tdb::PropsEncoder* props_encoder() override { return &enc; }
    std::vector<uint64_t> write_things(uint64_t coll,
                                       const std::vector<tdb::ThingWrite>& ws) override {
        for (const tdb::ThingWrite& w : ws) written += w.props_changed;
        return MemStorage::write_things(coll, ws);
    }
};

std::string run(MemStorage& st, const std::string& code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    return tdb::run_query(st, req);
}

std::string rows(const MemStorage& st) {
    std::string s;
    for (const auto& [id, r] : st.things)
        s += std::to_string(id) + ":" + r.thing.props_json + ":" + std::to_string(r.refs) + "\n";
    return s;
}

const char* kWrites[] = {
    ".a = 1.5; .b = 1.0e+300; .c = -0.0; .d = 2147483647; .e = -2147483648;"
    ".f = 9223372036854775807; .g = -9223372036854775807 - 1; .h = 0; .i = 0.1;"
    ".j = 1.5e-7; .k = -1.25e-300; .l = 1.7976931348623157e+308; .m = inf; .n = -inf; .o = nan; "
    "nil",
    ".s = 'h\u00e9 \u2603 \U0001F600 \" \\\\ /\n\t\r\x01 end'; .empty = ''; .t = true; .u = false; "
    ".v = nil; nil",
    ".nested = [[1, [2.5, [], [[]]]], {}, [{x: [nil]}]]; .set = set(); .z = {}; .set2 = set([.z, "
    "{}]);"
    ".zz = [.z, .z]; nil",
    ".cl = |x, y| x + y; .re = /a.b\\/c/i; .err = value_err('boom \"q\"'); .by = bytes('ab\\x00');"
    ".dt = datetime(2020, 1, 2, 3, 4, 5, 'Europe/Amsterdam'); .tv = timeval(5); .dt2 = "
    "datetime('2020-01-01T00:00:00+01:00'); nil",
    ".r = {a: 1}; .r.restrict('int'); .r.b = 2; nil",
    ".z.more = 'changed'; .nested.push([3.25]); .set.add(.z); .del('zz'); nil",
};

}  // namespace

TEST(PropsEncoder, EventsGiveTheTextWritersBytes) {
    MemStorage text;
    EventStorage events;
    for (const char* code : kWrites) {
        std::string want = run(text, code);
        std::string got = run(events, code);
        EXPECT_EQ(got, want) << code;
        EXPECT_EQ(rows(events), rows(text)) << code;
    }
    EXPECT_GT(events.written, 6);
    EXPECT_GT(events.enc.events, 100);
    // the values the text holds (numbers as the writer formats them)
    std::string all = rows(text);
    for (const char* part : {"\"a\":1.5", "9223372036854775807", "-9223372036854775808",
                             "{\"!f\":\"inf\"}", "{\"!s\":[", "{\"#\":", "{\"!c\":", "{\"!r\":",
                             "{\"!e\":[", "{\"!d\":[", "{\"!t\":[", "{\"!b\":", "{\"!\":\"int\""})
        EXPECT_NE(all.find(part), std::string::npos) << part;
    // and the same things read back
    std::string read =
        "[.a, .b, .c, .j, .s, .nested, .set.len(), .cl(1, 2), .err, .by, .dt, .r.restriction()]";
    EXPECT_EQ(run(events, read), run(text, read));
}

TEST(PropsEncoder, RaisesTheTextWritersErrors) {
    for (const char* code : {".s = 'é'[0]; nil", ".k = {}; .k['é'[0]] = 1; nil"}) {
        MemStorage text;
        EventStorage events;
        std::string want, got;
        try {
            run(text, code);
        } catch (const tdb::Error& e) {
            want = e.what();
        }
        try {
            run(events, code);
        } catch (const tdb::Error& e) {
            got = e.what();
        }
        EXPECT_EQ(got, want) << code;
        EXPECT_EQ(got, "string is not valid UTF-8; use bytes for binary data") << code;
        EXPECT_EQ(events.written, 0);
    }
}
