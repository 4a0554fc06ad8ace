// The directory of a chunked list (chunk_dir.h): lookups, the cut of a whole list, the
// stored form and its checks.
#include "core/model/chunk_dir.h"

#include <unordered_set>

namespace tdb {

ChunkDir::Pos ChunkDir::locate(size_t i) const {
    Pos p;
    for (size_t k = 0; k < chunks_.size(); ++k) {
        if (i < chunks_[k].count) {
            p.chunk = k;
            p.off = i;
            return p;
        }
        i -= chunks_[k].count;
    }
    // i == size(): one past the last item.
    p.chunk = chunks_.empty() ? 0 : chunks_.size() - 1;
    p.off = chunks_.empty() ? 0 : chunks_.back().count + i;
    return p;
}

size_t ChunkDir::first_index(size_t pos) const {
    size_t at = 0;
    for (size_t k = 0; k < pos && k < chunks_.size(); ++k) at += chunks_[k].count;
    return at;
}

std::vector<uint32_t> ChunkDir::cut(size_t n, uint32_t target) {
    std::vector<uint32_t> out;
    if (n == 0) return out;
    size_t parts = (n + target - 1) / target;
    size_t base = n / parts, extra = n % parts;
    out.reserve(parts);
    for (size_t k = 0; k < parts; ++k) out.push_back(uint32_t(base + (k < extra ? 1 : 0)));
    return out;
}

ChunkDir ChunkDir::fresh(size_t n) {
    ChunkDir d;
    for (uint32_t c : cut(n)) {
        ChunkRef r;
        r.key = d.new_key();
        r.count = c;
        d.chunks_.push_back(r);
        d.total_ += c;
    }
    return d;
}

std::vector<int64_t> ChunkDir::encode() const {
    std::vector<int64_t> out;
    out.reserve(1 + 2 * chunks_.size());
    out.push_back(next_key_);
    for (const ChunkRef& r : chunks_) {
        out.push_back(r.key);
        out.push_back(r.count);
    }
    return out;
}

bool ChunkDir::decode(const std::vector<int64_t>& form, ChunkDir& out, size_t max_items) {
    if (form.empty() || form.size() % 2 != 1) return false;
    if (form[0] < 0 || form[0] > int64_t(UINT32_MAX)) return false;
    ChunkDir d;
    d.next_key_ = uint32_t(form[0]);
    std::unordered_set<uint32_t> seen;
    for (size_t k = 1; k < form.size(); k += 2) {
        poll_tick();
        int64_t key = form[k], count = form[k + 1];
        if (key < 0 || key >= form[0] || count < 1 || count > int64_t(kMax)) return false;
        if (!seen.insert(uint32_t(key)).second) return false;
        d.total_ += size_t(count);
        if (d.total_ > max_items) return false;
        d.chunks_.push_back(ChunkRef{uint32_t(key), uint32_t(count)});
    }
    out = std::move(d);
    return true;
}

bool ChunkDir::valid() const {
    size_t total = 0;
    std::unordered_set<uint32_t> seen;
    for (const ChunkRef& r : chunks_) {
        if (r.count < 1 || r.count > kMax || r.key >= next_key_) return false;
        if (chunks_.size() > 1 && r.count < kMin) return false;
        if (!seen.insert(r.key).second) return false;
        total += r.count;
    }
    return total == total_;
}

void ChunkDir::replace(size_t a, size_t b, const std::vector<ChunkRef>& with) {
    for (size_t k = a; k < b; ++k) total_ -= chunks_[k].count;
    for (const ChunkRef& r : with) total_ += r.count;
    chunks_.erase(chunks_.begin() + ptrdiff_t(a), chunks_.begin() + ptrdiff_t(b));
    chunks_.insert(chunks_.begin() + ptrdiff_t(a), with.begin(), with.end());
}

}  // namespace tdb
