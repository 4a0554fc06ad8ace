// The bytes of a flush's writes, one buffer for the things and the chunk rows it writes.
#pragma once
#include "core/api/pure.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tdb {

// The bytes of a flush's writes (ThingWrite::props), one after another in chunks that are
// never moved once made, so that every view stays valid: no allocation per thing (a create
// of a million things writes a million small props). A large one keeps its own string.
class WriteBytes {
public:
    // A view of bytes' copy (or of bytes themselves, taken over and left empty).
    std::string_view add(std::string& bytes) {
        if (bytes.size() >= kOwn) {
            chunks_.push_back(std::move(bytes));
            bytes = std::string();
            return chunks_.back();
        }
        if (open_ == SIZE_MAX || chunks_[open_].size() + bytes.size() > chunks_[open_].capacity()) {
            // Doubling from a page: a query that writes one thing takes no more.
            size_t cap = open_ == SIZE_MAX ? 4096 : std::min(chunks_[open_].capacity() * 2, kMax);
            chunks_.emplace_back();
            // At least a page: never the string's inner buffer.
            chunks_.back().reserve(std::max(cap, bytes.size()));
            open_ = chunks_.size() - 1;
        }
        std::string& c = chunks_[open_];
        size_t at = c.size();
        c += bytes;  // within the capacity: the chunk's bytes stay where they are
        return std::string_view(c.data() + at, bytes.size());
    }

private:
    static constexpr size_t kMax = 256 * 1024, kOwn = 16 * 1024;
    std::vector<std::string> chunks_;  // moving a chunk's string keeps its heap buffer
    size_t open_ = SIZE_MAX;           // the chunk being filled
};

}  // namespace tdb
