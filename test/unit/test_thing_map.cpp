// ThingMap, a collection's identity map, and the pools of property vectors.
// ThingMap: every id finds its own thing after
// inserts, replacements and erases in any order (erase shifts slots back, so
// a lookup must still reach an id stored past an erased one), and the map
// holds each thing alive until the thing leaves it.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "core/model/thing.h"

namespace {

using tdb::Ref;
using tdb::Thing;
using tdb::ThingMap;

TEST(ThingMap, FindsWhatWasPutAndNothingElse) {
    ThingMap m;
    EXPECT_EQ(m.find(1), nullptr);
    m.erase(1);  // erasing from an empty map is nothing
    std::vector<Ref<Thing>> keep;
    for (uint64_t id = 1; id <= 1000; ++id) {
        keep.emplace_back(new Thing());
        m.put(id, keep.back().get());
    }
    EXPECT_EQ(m.size(), 1000u);
    for (uint64_t id = 1; id <= 1000; ++id) EXPECT_EQ(m.find(id), keep[id - 1].get()) << id;
    EXPECT_EQ(m.find(1001), nullptr);
    EXPECT_EQ(m.find(0x7fffffffffffffffull), nullptr);
}

TEST(ThingMap, RandomPutsAndErasesAgreeWithStdMap) {
    std::mt19937_64 rng(42);
    ThingMap m;
    std::map<uint64_t, Ref<Thing>> ref;
    for (int step = 0; step < 20000; ++step) {
        // Ids in a small range, so probes collide and erases shift often.
        uint64_t id = 1 + rng() % 700;
        if (rng() % 3 == 0) {
            m.erase(id);
            ref.erase(id);
        } else {
            Ref<Thing> t(new Thing());
            m.put(id, t.get());  // replaces the thing of an id already there
            ref[id] = t;
        }
        if (step % 1000 == 0) {
            ASSERT_EQ(m.size(), ref.size());
            for (uint64_t k = 1; k <= 700; ++k) {
                auto it = ref.find(k);
                ASSERT_EQ(m.find(k), it == ref.end() ? nullptr : it->second.get())
                    << "step " << step << " id " << k;
            }
        }
    }
    size_t seen = 0;
    m.each([&](Thing* t) {
        ++seen;
        EXPECT_NE(t, nullptr);
    });
    EXPECT_EQ(seen, ref.size());
}

TEST(ThingMap, HoldsThingsUntilTheyLeave) {
    size_t before = tdb::live_thing_count();
    {
        ThingMap m;
        m.put(7, new Thing());  // only the map holds it
        m.put(8, new Thing());
        EXPECT_EQ(tdb::live_thing_count(), before + 2);
        m.erase(7);
        EXPECT_EQ(tdb::live_thing_count(), before + 1);
        m.put(8, new Thing());  // the replaced thing goes
        EXPECT_EQ(tdb::live_thing_count(), before + 1);
        m.clear();
        EXPECT_EQ(tdb::live_thing_count(), before);
        EXPECT_EQ(m.find(8), nullptr);
        m.put(9, new Thing());  // usable after clear
        EXPECT_NE(m.find(9), nullptr);
    }
    EXPECT_EQ(tdb::live_thing_count(), before);  // and the destructor frees the rest
}

// The home slot of an id must not depend on its pattern: ids made in runs,
// runs of other collections interleaved, strides of powers of two, ids past
// 2^32 and ids that differ only in their high bits all probe about as little
// as random ids would (linear probing at most 70% full: a mean near 2).
// With a hash that keeps the low bits of the id, each of these piles up
// into clusters thousands of slots long.
struct IdPattern {
    const char* name;
    uint64_t (*id)(uint64_t i);
};

const IdPattern kPatterns[] = {
    {"consecutive", [](uint64_t i) -> uint64_t { return i + 1; }},
    // Runs of 1000 ids, each run 2^20 apart: the runs meet in slot space.
    {"runs 2^20 apart",
     [](uint64_t i) -> uint64_t { return (i / 1000 + 1) * (1ull << 20) + i % 1000; }},
    // Two sequences interleaved, as two collections taking ids in turn.
    {"interleaved runs",
     [](uint64_t i) -> uint64_t {
         return (i % 2 ? (1ull << 24) : 1) + (i / 2 / 64) * 128 + (i / 2) % 64;
     }},
    {"stride 2^10", [](uint64_t i) -> uint64_t { return (i + 1) << 10; }},
    {"stride 2^16", [](uint64_t i) -> uint64_t { return (i + 1) << 16; }},
    {"stride 2^20", [](uint64_t i) -> uint64_t { return (i + 1) << 20; }},
    {"stride 2^32", [](uint64_t i) -> uint64_t { return (i + 1) << 32; }},
    {"past 2^32", [](uint64_t i) -> uint64_t { return (1ull << 32) + 3 * i + 1; }},
    {"only high bits differ", [](uint64_t i) -> uint64_t { return ((i + 1) << 44) | 5; }},
    {"top 16 bits only", [](uint64_t i) -> uint64_t { return ((i + 1) << 48) | 9; }},
};

void expect_short_probes(const ThingMap& m, const char* what) {
    ThingMap::ProbeStats ps = m.probe_stats();
    EXPECT_LE(ps.load, 0.7) << what;
    EXPECT_LE(ps.mean, 3.0) << what;
    EXPECT_LE(ps.max, 80u) << what;
}

TEST(ThingMap, AdversarialIdPatternsProbeLittle) {
    Ref<Thing> one(new Thing());
    for (const IdPattern& p : kPatterns) {
        for (uint64_t n : {3000ull, 40000ull}) {
            ThingMap m;
            for (uint64_t i = 0; i < n; ++i) m.put(p.id(i), one.get());
            ASSERT_EQ(m.size(), n) << p.name;
            expect_short_probes(m, p.name);
            // Erasing every other id shifts slots back; what is left still
            // probes little and is still found.
            for (uint64_t i = 0; i < n; i += 2) m.erase(p.id(i));
            expect_short_probes(m, p.name);
            for (uint64_t i = 0; i < n; ++i)
                ASSERT_EQ(m.find(p.id(i)), i % 2 ? one.get() : nullptr) << p.name << " " << i;
        }
    }
    // All patterns in one map, as one query reading things of every origin.
    ThingMap all;
    for (const IdPattern& p : kPatterns)
        for (uint64_t i = 0; i < 10000; ++i) all.put(p.id(i) ^ (1ull << 62), one.get());
    expect_short_probes(all, "mixed");
}

// reserve() makes room ahead (a list of new things attached at once): what the map held is
// still found, the puts up to the reserved count never grow the table again, and a reserve
// below the size changes nothing.
TEST(ThingMap, ReserveKeepsContentsAndRoom) {
    std::vector<Ref<Thing>> keep;
    ThingMap m;
    m.reserve(0);  // on an empty map: a table of its least size, nothing found
    EXPECT_EQ(m.find(1), nullptr);
    for (uint64_t id = 1; id <= 50; ++id) {
        keep.emplace_back(new Thing());
        m.put(id * 977, keep.back().get());
    }
    m.reserve(30);  // below the size
    for (uint64_t id = 1; id <= 50; ++id) ASSERT_EQ(m.find(id * 977), keep[id - 1].get());
    m.reserve(50 + 20000);
    auto slots = [&m] {
        auto ps = m.probe_stats();
        return static_cast<size_t>(static_cast<double>(m.size()) / ps.load + 0.5);
    };
    size_t cap = slots();
    EXPECT_GE(cap * 7, (50 + 20000) * 10u);
    for (uint64_t i = 0; i < 20000; ++i) {
        keep.emplace_back(new Thing());
        m.put((1ull << 40) + i, keep.back().get());
    }
    EXPECT_EQ(slots(), cap);
    expect_short_probes(m, "reserved");
    for (uint64_t id = 1; id <= 50; ++id) ASSERT_EQ(m.find(id * 977), keep[id - 1].get());
    for (uint64_t i = 0; i < 20000; ++i)
        ASSERT_EQ(m.find((1ull << 40) + i), keep[50 + i].get()) << i;
    m.reserve(10);
    EXPECT_EQ(slots(), cap);
    m.put(5, keep[0].get());  // and it grows on as before past the room reserved
    EXPECT_EQ(m.size(), 20051u);
}

// Property vectors come from pools of fixed-size blocks: vectors of every
// small size (and a large one), grown, shrunk and freed in any order, never
// share storage and keep their contents.
TEST(PropsPool, VectorsKeepTheirOwnContents) {
    std::mt19937_64 rng(7);
    std::vector<tdb::Props> all;
    auto fill = [](tdb::Props& v, size_t n, int64_t tag) {
        v.clear();
        for (size_t i = 0; i < n; ++i)
            v.push_back({"k" + std::to_string(i),
                         tdb::Value::integer(tag * 1000 + static_cast<int64_t>(i))});
    };
    auto check = [](const tdb::Props& v, int64_t tag) {
        for (size_t i = 0; i < v.size(); ++i) {
            ASSERT_EQ(v[i].key, "k" + std::to_string(i));
            ASSERT_EQ(v[i].val.as_int(), tag * 1000 + static_cast<int64_t>(i));
        }
    };
    for (int64_t tag = 0; tag < 2000; ++tag) {
        all.emplace_back();
        fill(all.back(), rng() % 7 == 0 ? 40 : rng() % 6, tag);  // 40 props: past the pools
    }
    for (int round = 0; round < 3; ++round) {
        for (size_t i = 0; i < all.size(); ++i) check(all[i], static_cast<int64_t>(i));
        for (size_t i = 0; i < all.size(); i += 2 + round) {
            tdb::Props().swap(all[i]);                         // freed
            fill(all[i], rng() % 9, static_cast<int64_t>(i));  // and made again, another size
        }
    }
    for (size_t i = 0; i < all.size(); ++i) check(all[i], static_cast<int64_t>(i));
}

}  // namespace
