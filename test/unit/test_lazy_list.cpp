// A stored list kept by its source (model/lazy_list.h) must behave as the same list
// decoded whole: every method, indexing, assignment, in-use marks, events and reference
// counts; and reading one item decodes one item. The storage here keeps each top-level
// list of a row as the JSON texts of its items (TextList), as the PostgreSQL side keeps a
// jsonb array, and writes a kept list back as those texts.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "core/api/codec.h"
#include "core/model/lazy_list.h"
#include "core/model/thing.h"
#include "props_text.h"

namespace {

using tdb::PropsBuilder;

using props_text::skip;
using props_text::str;
using props_text::value;
using props_text::ws;

// The items of a stored list as JSON texts.
class TextList final : public tdb::ListSource {
public:
    std::vector<std::string> items_;
    size_t size() const override { return items_.size(); }
    void items(size_t from, size_t to, PropsBuilder& b) const override {
        for (size_t k = from; k < to; ++k) {
            size_t i = 0;
            value(items_[k], i, b);
        }
    }
};

// Whether each builder the decoder was given had a row to keep lists for (has_row).
std::vector<bool> rows_seen;

// Top-level lists with at least one item are kept as TextLists when the builder has a row
// (as the storage's decoder does: a walk for references keeps nothing).
class LazyDecoder final : public tdb::PropsDecoder {
public:
    void decode(std::string_view s, PropsBuilder& b) const override {
        rows_seen.push_back(b.has_row());
        size_t i = 0;
        ws(s, i);
        ++i;  // {
        b.begin_object();
        ws(s, i);
        if (s[i] == '}') {
            b.end_object();
            return;
        }
        for (;;) {
            ws(s, i);
            b.key(str(s, i));
            ws(s, i);
            ++i;  // :
            ws(s, i);
            size_t e = skip(s, i);
            auto list = std::make_shared<TextList>();
            if (s[i] == '[') {
                size_t k = i + 1;
                ws(s, k);
                while (s[k] != ']') {
                    size_t end = skip(s, k);
                    list->items_.emplace_back(s.substr(k, end - k));
                    k = end;
                    ws(s, k);
                    if (s[k] == ',') ++k;
                    ws(s, k);
                }
            }
            if (!list->items_.empty() && b.has_row()) {
                b.lazy_list(list);
                i = e;
            } else {
                value(s, i, b);
            }
            ws(s, i);
            if (s[i++] != ',') break;
        }
        b.end_object();
    }
};

const LazyDecoder lazy_decoder;

// JSON text from encoder events; a kept TextList is written as its texts.
class TextEncoder final : public props_text::TextEncoder {
public:
    int copied = 0;
    bool copy_list(const tdb::ListSource& src) override {
        const auto* t = dynamic_cast<const TextList*>(&src);
        if (!t) return false;
        ++copied;
        open('[');
        for (const std::string& item : t->items_) scalar(item);
        close(']');
        return true;
    }
};

class LazyStorage : public MemStorage {
public:
    TextEncoder enc;
    tdb::PropsEncoder* props_encoder() override { return &enc; }
    bool load_thing(uint64_t coll, uint64_t id, tdb::StoredThing& out) override {
        if (!MemStorage::load_thing(coll, id, out)) return false;
        out.props_bin = std::move(out.props_json);
        out.props_json.clear();
        out.decoder = &lazy_decoder;
        return true;
    }
    std::vector<uint64_t> write_things(uint64_t coll,
                                       const std::vector<tdb::ThingWrite>& ws) override {
        std::vector<tdb::ThingWrite> copy(ws);
        for (tdb::ThingWrite& w : copy)
            if (w.props_changed) w.props_json = std::move(w.props_bin);
        return MemStorage::write_things(coll, copy);
    }
};

std::string run(MemStorage& st, const std::string& code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    try {
        return tdb::run_query(st, req);
    } catch (const tdb::Error& e) {
        return "error " + std::to_string(e.code()) + ": " + e.what();
    }
}

// What a collection holds: its things by count and every reference count.
std::string state(MemStorage& st) {
    std::string out;
    for (auto& [id, r] : st.things) out += std::to_string(r.refs) + " ";
    return out;
}

const char* kSetup =
    ".arr = range(40).map(|i| {n: i % 7, i: i}); .nums = range(40).map(|i| (i * 13) % 17);"
    ".strs = range(35).map(|i| str(i)); .mixed = [1, 'a', nil, [1, 2], {n: 5}, 2.5, true];"
    ".o = {}; nil";

// One list use per case: the result, the stored list after it and the reference counts
// must be those of the decoded list.
const char* kCases[] = {
    ".arr.len()",
    ".arr[17].i",
    ".arr[-1].i",
    ".arr[40]",
    ".arr[-41]",
    ".arr['x']",
    ".nums[3]",
    ".mixed[3]",
    "is_tuple(.mixed[3])",
    ".mixed[4].n",
    ".arr[2] == .arr[2]",
    ".arr[5] = {n: 99}; .arr[5].n",
    ".nums[5] += 100; .nums[5]",
    ".nums[1] = .nums[2]; .nums",
    ".arr[3] = .arr[4]; [.arr[3] == .arr[4], .arr.len()]",
    ".arr[0] = nil; .arr.filter(|t| is_nil(t)).len()",
    "x = .arr; .arr = []; x.len()",
    "x = .arr; .del('arr'); [x[7].i, x.len()]",
    ".o.l = .arr; .o.l[9].i",
    ".arr.push({n: 100}); .arr.len()",
    ".arr.pop().i",
    ".arr.shift().i",
    ".arr.unshift({n: 1}); .arr[0].n",
    ".arr.insert(3, {n: 3})",
    ".arr.splice(2, 5, {n: 8}).map(|t| t.i)",
    ".arr.remove(|t| t.n == 3).map(|t| t.i)",
    ".arr.clear(); .arr.len()",
    ".arr.extend([{n: 1}, {n: 2}]); .arr.len()",
    ".nums.extend_unique([1, 99, 2]); .nums",
    ".nums.sort(); .nums",
    ".nums.sort(|a, b| b <=> a)",
    ".nums.reverse(); .nums",
    ".nums.fill(3); .nums",
    ".nums.unique()",
    ".nums.is_unique()",
    ".nums.sum()",
    ".nums.max()",
    ".nums.min()",
    ".nums.count(3)",
    ".nums.has(16)",
    ".nums.index_of(16)",
    ".nums.first()",
    ".nums.last()",
    ".strs.join('-')",
    ".arr.map(|t| t.i)",
    ".arr.map_id().len()",
    ".arr.filter(|t| t.n == 2).map(|t| t.i)",
    ".arr.find(|t| t.i == 20).n",
    ".arr.find_index(|t| t.i == 20)",
    ".arr.every(|t| t.n < 7)",
    ".arr.some(|t| t.n == 6)",
    ".arr.reduce(|a, t| a + t.i, 0)",
    "r = 0; .arr.each(|t| r += t.i); r",
    "r = 0; for (t in .arr) { r += t.i; }; r",
    ".arr.each(|t| .arr.push({}))",
    ".arr.map(|t| .arr = [])",
    "for (t in .arr) { .arr[0] = nil; }",
    "for (t in .arr) { .del('arr'); }",
    ".arr.copy().len()",
    ".arr.dup().len()",
    ".mixed.flat()",
    ".arr.choice().n < 7",
    ".arr[1:4].map(|t| t.i)",
    ".arr[::-5].map(|t| t.i)",
    ".arr[2:4] = [{n: 1}]; .arr.len()",
    ".arr == .arr.copy()",
    ".nums == .nums",
    ".arr.len(); .x = 1; .arr[7].i",
    ".arr.push({n: 1}); .arr.len(); .arr = .arr.filter(|t| t.n == 1); .arr.len()",
    "[.arr[3], .arr.len()]; .arr[3] = {n: -1}; .arr.map(|t| t.n).sum()",
    ".mixed.push(.arr[0]); .mixed.len()",
    "set(.arr).len()",
    "thing(.arr[6].id()).i",
    ".arr[6].n = 'six'; .arr[6].n",
    ".arr.sort(|a, b| a.i <=> b.i).len()",
};

}  // namespace

TEST(LazyList, EveryUseGivesWhatTheDecodedListGives) {
    for (const char* c : kCases) {
        MemStorage plain;
        LazyStorage lazy;
        run(plain, kSetup);
        run(lazy, kSetup);
        std::string want = run(plain, c);
        std::string got = run(lazy, c);
        EXPECT_EQ(got, want) << c;
        // What was stored reads back the same, and the counts are the same.
        const char* after = "[.arr.map(|t| t.i), .arr.map(|t| t.n), .nums, .strs, .mixed]";
        EXPECT_EQ(run(lazy, after), run(plain, after)) << c;
        EXPECT_EQ(state(lazy), state(plain)) << c;
        // A second query of the same list (kept or rewritten) once more.
        EXPECT_EQ(run(lazy, c), run(plain, c)) << c << " (again)";
        EXPECT_EQ(state(lazy), state(plain)) << c << " (again)";
    }
}

TEST(LazyList, ReadingOneItemDecodesOneItem) {
    LazyStorage lazy;
    run(lazy, ".arr = range(1000).map(|i| {n: i}); nil");
    size_t before = tdb::lazy_items_decoded();
    EXPECT_EQ(run(lazy, ".arr[500].n"), "500");
    EXPECT_EQ(tdb::lazy_items_decoded() - before, 1u);
    EXPECT_EQ(run(lazy, "[.arr.len(), .arr[-1].n, .arr[-1].n]"), "[1000,999,999]");
    EXPECT_EQ(tdb::lazy_items_decoded() - before, 2u);
    // Assigning one item and writing the thing back decodes none of the others...
    EXPECT_EQ(run(lazy, ".arr[10] = {n: -10}; .other = 1; .arr[10].n"), "-10");
    EXPECT_EQ(run(lazy, ".other = 2; .arr[11].n"), "11");
    // ...and neither does a change of another property with the list kept as stored.
    size_t mid = tdb::lazy_items_decoded();
    EXPECT_EQ(run(lazy, ".other = 3; .arr.len()"), "1000");
    EXPECT_EQ(tdb::lazy_items_decoded(), mid);
    EXPECT_GT(lazy.enc.copied, 0);
}

TEST(LazyList, KeptListsCountTheirReferencesOnce) {
    LazyStorage lazy;
    MemStorage plain;
    for (MemStorage* st : {static_cast<MemStorage*>(&lazy), &plain}) {
        run(*st, ".keep = {v: 1}; .arr = range(50).map(|i| {n: i}); .arr.push(.keep); nil");
        run(*st, ".x = 1; nil");  // the list is written back as stored
        run(*st, ".arr[50] = nil; nil");
        run(*st, ".y = .arr[3]; .arr = .arr[:10]; nil");
    }
    EXPECT_EQ(state(lazy), state(plain));
    EXPECT_EQ(run(lazy, "[.keep.v, .y.n, .arr.len()]"), "[1,3,10]");
    EXPECT_EQ(run(lazy, ".arr = []; .del('y'); nil"), "null");
    run(plain, ".arr = []; .del('y'); nil");
    EXPECT_EQ(state(lazy), state(plain));
}

TEST(LazyList, OnlyAThingsRowKeepsItsLists) {
    LazyStorage lazy;
    run(lazy, ".arr = range(40).map(|i| {n: i}); nil");
    rows_seen.clear();
    EXPECT_EQ(run(lazy, ".arr[3].n"), "3");
    ASSERT_FALSE(rows_seen.empty());
    EXPECT_TRUE(rows_seen.front());  // the root, read for the query: its list is kept
    // The references of stored bytes (a dropped row): no row, every list walked.
    rows_seen.clear();
    std::vector<uint64_t> refs;
    PropsBuilder::bin_refs(lazy_decoder, "{\"a\": [{\"#\": 7}, 1, {\"#\": 8}], \"b\": {\"#\": 9}}",
                           refs);
    EXPECT_EQ(rows_seen, std::vector<bool>{false});
    EXPECT_EQ(refs, (std::vector<uint64_t>{7, 8, 9}));
}

namespace {

// Loops over stored lists longer than one run of items (ItemCursor::kItemRun): shared things,
// things of two types and plain ones, things changed before the loop or by it, containers
// taken out of the loop's things, nested loops, a list in no order of ids.
const char* kRunSetup =
    "set_type('T', {n: 'int'}); .s = {n: -1};"
    ".arr = range(2600).map(|i| { if (i % 500 == 7) return .s; if (i % 3 == 0) return T{n: i};"
    " return {n: i, sub: [i]}; });"
    ".rev = range(1100).map(|i| {n: i}); .rev = .rev.sort(|a, b| b.n - a.n); nil";

const char* kRunCases[] = {
    ".arr.map(|t| t.n).reduce(|a, b| a + b)",
    ".arr.reduce(|a, t| a + t.n, 0)",
    ".arr[1500].n = 5; .arr.map(|t| t.n).sum()",
    "x = .arr[2100]; x.n = 77; .arr.filter(|t| t.n == 77).len()",
    ".arr.map(|t| { t.n += 1; t.n; }).sum()",
    ".arr.map(|t| t).filter(|t| t == .s).len()",
    "r = .arr.find(|t| t.n == 1501); r.n = -5; .arr.map(|t| t.n).min()",
    ".arr.find_index(|t| t.n == 2501)",
    ".arr.count(|t| is_list(t.get('sub')))",
    "[.arr.some(|t| t.n == 2599), .arr.every(|t| t.n > -2)]",
    ".q = 1; x = .arr.reduce(|a, t| { if (t.n == 100) return t.sub; return a; }, nil); "
    "x.push(5); .arr[100].sub",
    ".q = 1; x = []; .arr.each(|t| { if (t.n % 700 == 1) x.push(t); }); x.each(|t| t.n = 0); nil",
    "a = .arr.map(|t| t.n).sum(); .arr[5].n = 1000; b = .arr.map(|t| t.n).sum(); b - a",
    ".arr.map(|t| .arr[2599 - ((t.n + 1) % 2600)].n).sum()",
    "r = 0; .arr.each(|t| { r += t.n; if (t.n == 2000) .arr[2500].n = 0; }); r",
    ".rev.map(|t| t.n)[:3]",
    ".rev.filter(|t| t.n % 250 == 0).map(|t| t.n)",
    ".arr.map(|t| type(t)).filter(|n| n == 'T').len()",
    ".arr.map(|t| t.n).len(); .arr.map(|t| t.id() == .arr[3].id()).filter(|b| b).len()",
};

// A storage that reads things in batches and records, at each read, how many things the
// backend holds.
class RunStorage final : public LazyStorage {
public:
    size_t reads = 0, most_alive = 0;
    void load_things(uint64_t coll, const std::vector<uint64_t>& ids,
                     std::vector<tdb::StoredThing>& out) override {
        ++reads;
        most_alive = std::max(most_alive, tdb::live_thing_count());
        LazyStorage::load_things(coll, ids, out);
    }
};

}  // namespace

TEST(LazyList, LoopsOverLongListsGiveWhatTheDecodedListGives) {
    for (const char* c : kRunCases) {
        MemStorage plain;
        LazyStorage lazy;
        ASSERT_EQ(run(plain, kRunSetup), "null");
        ASSERT_EQ(run(lazy, kRunSetup), "null");
        std::string got = run(lazy, c);
        if (getenv("SHOW_RUNS")) printf("%s\n  -> %.200s\n", c, got.c_str());
        EXPECT_EQ(got, run(plain, c)) << c;
        const char* after = "[.arr.map(|t| t.n), .arr.map(|t| t.get('sub')), .s.n, .rev.len()]";
        EXPECT_EQ(run(lazy, after), run(plain, after)) << c;
        EXPECT_EQ(state(lazy), state(plain)) << c;
    }
}

TEST(LazyList, ALoopHoldsOneRunOfStoredThingsAtATime) {
    RunStorage lazy;
    run(lazy, ".arr = range(6000).map(|i| {n: i}); nil");
    lazy.reads = lazy.most_alive = 0;
    EXPECT_EQ(run(lazy, ".arr.map(|t| t.n).reduce(|a, b| a + b)"), "17997000");
    // One read per run of items, and the things of earlier runs are gone by the next read.
    EXPECT_LE(lazy.reads, 6000 / tdb::ItemCursor::kItemRun + 1);
    EXPECT_LE(lazy.most_alive, 2 * tdb::ItemCursor::kItemRun + 10);
    lazy.reads = lazy.most_alive = 0;
    EXPECT_EQ(run(lazy, "n = 0; .arr.each(|t| n += t.n); .arr.filter(|t| t.n < 3).len() + n"),
              "17997003");
    EXPECT_LE(lazy.most_alive, 2 * tdb::ItemCursor::kItemRun + 10);
    // Things the query holds stay: the same objects, changed or not.
    EXPECT_EQ(run(lazy, "k = .arr.filter(|t| t.n % 2 == 0); k.len() + k[0].n"), "3000");
    EXPECT_GE(lazy.most_alive, 3000u);
}

TEST(LazyList, ALoopReadsAThingDeletedMeanwhileAsEmpty) {
    MemStorage plain;
    LazyStorage lazy;
    for (MemStorage* st : {&plain, static_cast<MemStorage*>(&lazy)}) {
        run(*st, ".arr = range(2000).map(|i| {n: i}); nil");
        // Another transaction deleted one of them (its row is gone, the reference stays).
        uint64_t id = std::stoull(run(*st, ".arr[1500].id()"));
        st->things.erase(id);
    }
    const char* cases[] = {".arr.map(|t| t.get('n', -1)).sum()", ".arr.map(|t| t.n).sum()",
                           ".arr.filter(|t| !t.has('n')).len()"};
    for (const char* c : cases) {
        std::string got = run(lazy, c);
        if (getenv("SHOW_RUNS")) printf("%s\n  -> %.200s\n", c, got.c_str());
        EXPECT_EQ(got, run(plain, c)) << c;
    }
}
