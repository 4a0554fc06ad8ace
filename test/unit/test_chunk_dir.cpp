// A list kept in chunks (model/chunk_dir.h) must hold exactly what the same list held whole
// after any sequence of splices, keep every chunk within its bounds, and make a change of
// one item read and write a bounded number of chunks whatever the list's length. The
// store here is a map of chunk key -> items that counts its reads and writes.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "core/model/chunk_dir.h"

namespace {

using tdb::ChunkDir;
using tdb::ChunkEdit;

struct MapStore {
    std::map<uint32_t, std::vector<int>> chunks;
    std::vector<int> read(uint32_t key) {
        auto it = chunks.find(key);
        EXPECT_NE(it, chunks.end()) << "read of a chunk not stored: " << key;
        return it == chunks.end() ? std::vector<int>{} : it->second;
    }
    void write(uint32_t key, std::vector<int> items) { chunks[key] = std::move(items); }
    void erase(uint32_t key) {
        EXPECT_EQ(chunks.erase(key), 1u) << "erase of a chunk not stored: " << key;
    }
};

// A chunked list of n items 0..n-1 as a whole write would store it.
void fill(ChunkDir& d, MapStore& s, size_t n) {
    d = ChunkDir::fresh(n);
    int v = 0;
    for (size_t k = 0; k < d.chunk_count(); ++k) {
        std::vector<int> items;
        for (uint32_t j = 0; j < d.chunk(k).count; ++j) items.push_back(v++);
        s.write(d.chunk(k).key, items);
    }
}

// The list the directory and the store hold together, checked for orphans and bounds.
std::vector<int> contents(const ChunkDir& d, const MapStore& s) {
    std::vector<int> out;
    EXPECT_TRUE(d.valid());
    EXPECT_EQ(s.chunks.size(), d.chunk_count()) << "a chunk left behind or missing";
    for (size_t k = 0; k < d.chunk_count(); ++k) {
        auto it = s.chunks.find(d.chunk(k).key);
        if (it == s.chunks.end()) {
            ADD_FAILURE() << "chunk " << d.chunk(k).key << " is not stored";
            continue;
        }
        EXPECT_EQ(it->second.size(), d.chunk(k).count);
        out.insert(out.end(), it->second.begin(), it->second.end());
    }
    EXPECT_EQ(out.size(), d.size());
    return out;
}

TEST(ChunkDir, CutIsEvenAndWithinBounds) {
    EXPECT_TRUE(ChunkDir::cut(0).empty());
    EXPECT_EQ(ChunkDir::cut(1), std::vector<uint32_t>{1});
    EXPECT_EQ(ChunkDir::cut(ChunkDir::kTarget), std::vector<uint32_t>{ChunkDir::kTarget});
    for (size_t n : {size_t(1025), size_t(4096), size_t(4097), size_t(100000), size_t(1000000)}) {
        std::vector<uint32_t> c = ChunkDir::cut(n);
        size_t total = 0;
        for (uint32_t x : c) {
            EXPECT_LE(x, ChunkDir::kTarget);
            EXPECT_GE(x, ChunkDir::kTarget / 2) << n;
            total += x;
        }
        EXPECT_EQ(total, n);
    }
}

TEST(ChunkDir, LocateWalksTheCounts) {
    ChunkDir d = ChunkDir::fresh(3000);  // 1000, 1000, 1000
    ASSERT_EQ(d.chunk_count(), 3u);
    EXPECT_EQ(d.locate(0).chunk, 0u);
    EXPECT_EQ(d.locate(999).off, 999u);
    EXPECT_EQ(d.locate(1000).chunk, 1u);
    EXPECT_EQ(d.locate(1000).off, 0u);
    EXPECT_EQ(d.locate(2999).chunk, 2u);
    EXPECT_EQ(d.first_index(2), 2000u);
}

TEST(ChunkDir, StoredFormRoundTripsAndRejectsWhatIsNeverWritten) {
    ChunkDir d = ChunkDir::fresh(5000);
    std::vector<int64_t> form = d.encode();
    ChunkDir back;
    ASSERT_TRUE(ChunkDir::decode(form, back, 1000000));
    EXPECT_EQ(back.encode(), form);
    EXPECT_EQ(back.size(), 5000u);
    // Each of these a hostile or damaged row could hold: refused, not trusted.
    std::vector<std::vector<int64_t>> bad = {
        {},                          // no next key
        {2, 0, 5, 1},                // a key without its count
        {2, 0, 5, 0, 5},             // a key twice
        {2, 0, 5, 2, 5},             // a key at next_key
        {2, 0, 0},                   // an empty chunk
        {2, 0, ChunkDir::kMax + 1},  // above the bound
        {2, -1, 5},                  // a negative key
        {-1},                        // a negative next key
        {int64_t(1) << 40, 0, 5},    // next key out of range
    };
    for (const auto& f : bad) {
        ChunkDir out;
        EXPECT_FALSE(ChunkDir::decode(f, out, 1000000)) << f.size();
    }
    ChunkDir out;
    EXPECT_FALSE(ChunkDir::decode(form, out, 4999)) << "more items than the limit";
}

// One item replaced, pushed, popped, inserted or removed reads and writes at most a few
// chunks at any length, and a replacement leaves the directory (the parent's row) alone.
TEST(ChunkDir, OneItemTouchesABoundedNumberOfChunks) {
    for (size_t n : {size_t(4096), size_t(100000), size_t(1000000)}) {
        ChunkDir d;
        MapStore s;
        fill(d, s, n);
        ChunkEdit e = tdb::chunk_splice(d, s, n / 2, 1, std::vector<int>{-1});
        EXPECT_EQ(e.read, 1u);
        EXPECT_EQ(e.written, 1u);
        EXPECT_EQ(e.erased, 0u);
        EXPECT_FALSE(e.dir_changed);
        for (int k = 0; k < 3000; ++k) {  // pushes: past a split
            e = tdb::chunk_splice(d, s, d.size(), 0, std::vector<int>{k});
            EXPECT_LE(e.read, 1u);
            EXPECT_LE(e.written, 3u);
        }
        for (int k = 0; k < 3000; ++k) {  // pops: past a merge
            std::vector<int> removed;
            e = tdb::chunk_splice(d, s, d.size() - 1, 1, std::vector<int>{}, &removed);
            ASSERT_EQ(removed.size(), 1u);
            EXPECT_EQ(removed[0], 2999 - k);
            EXPECT_LE(e.read, 2u);
            EXPECT_LE(e.written, 3u);
        }
        for (int k = 0; k < 2000; ++k) {  // inserts and removes in the middle
            e = tdb::chunk_splice(d, s, n / 3, 0, std::vector<int>{k});
            EXPECT_LE(e.read, 1u);
            EXPECT_LE(e.written, 3u);
            e = tdb::chunk_splice(d, s, n / 4, 1, std::vector<int>{});
            EXPECT_LE(e.read, 2u);
            EXPECT_LE(e.written, 3u);
        }
        EXPECT_EQ(d.size(), n);
        EXPECT_TRUE(d.valid());
    }
}

// A chunk that holds more or fewer items than its directory says (a row changed by hand,
// a damaged one) is refused before the splice writes anything.
TEST(ChunkDir, AChunkThatDisagreesWithItsDirectoryIsRefused) {
    for (int shape = 0; shape < 4; ++shape) {
        ChunkDir d;
        MapStore s;
        fill(d, s, 5000);  // 5 chunks of 1,000
        uint32_t bad = d.chunk(shape < 2 ? 2 : 3).key;
        if (shape % 2 == 0)
            s.chunks[bad].pop_back();
        else
            s.chunks[bad].push_back(-1);
        MapStore before = s;
        ChunkDir dir_before = d;
        // An item of the damaged chunk removed, or 900 of the last chunk, which leaves it too
        // few and reads the damaged one before it to merge.
        size_t i = shape < 2 ? 2500 : 4050, del = shape < 2 ? 1 : 900;
        try {
            tdb::chunk_splice(d, s, i, del, std::vector<int>{});
            ADD_FAILURE() << "no error, shape " << shape;
        } catch (const tdb::Error& e) {
            EXPECT_EQ(e.code(), tdb::BAD_DATA_ERR);
        }
        EXPECT_EQ(s.chunks, before.chunks);
        EXPECT_EQ(d.encode(), dir_before.encode());
    }
}

// Random splices of every shape (at either end, across chunks, emptying the list and
// filling it again) against the same list held whole.
TEST(ChunkDir, RandomSplicesMatchAWholeList) {
    for (unsigned seed : {1u, 2u, 3u, 4u}) {
        std::mt19937 rng(seed);
        ChunkDir d;
        MapStore s;
        size_t n0 = seed == 4 ? 0 : 9000;
        fill(d, s, n0);
        std::vector<int> model;
        for (size_t k = 0; k < n0; ++k) model.push_back(int(k));
        int next = 1000000;
        for (int step = 0; step < 400; ++step) {
            size_t size = model.size();
            size_t i = size ? rng() % (size + 1) : 0;
            size_t del = 0;
            switch (rng() % 4) {
                case 0:
                    del = 0;
                    break;
                case 1:
                    del = size - i ? 1 : 0;
                    break;
                case 2:
                    del = size - i ? rng() % (size - i + 1) % 3000 : 0;
                    break;
                default:
                    del = size - i;  // to the end
            }
            size_t nins = rng() % 5 == 0 ? rng() % 5000 : rng() % 3;
            std::vector<int> ins;
            for (size_t k = 0; k < nins; ++k) ins.push_back(next++);
            std::vector<int> want_removed(model.begin() + ptrdiff_t(i),
                                          model.begin() + ptrdiff_t(i + del));
            model.erase(model.begin() + ptrdiff_t(i), model.begin() + ptrdiff_t(i + del));
            model.insert(model.begin() + ptrdiff_t(i), ins.begin(), ins.end());
            std::vector<int> removed;
            tdb::chunk_splice(d, s, i, del, ins, &removed);
            ASSERT_EQ(removed, want_removed) << "seed " << seed << " step " << step;
            ASSERT_EQ(contents(d, s), model) << "seed " << seed << " step " << step;
        }
        // The stored form of what the splices left reads back the same.
        ChunkDir back;
        ASSERT_TRUE(ChunkDir::decode(d.encode(), back, model.size()));
        EXPECT_EQ(contents(back, s), model);
    }
}

}  // namespace
