// The cache of parsed programs (parse_cache.h): a hash map of texts to entries of a list in
// the order of use, so a hit is one lookup and the least recently used is at the back.
#include "core/lang/parse_cache.h"

#include <iterator>
#include <list>
#include <string>
#include <unordered_map>

#include "core/model/value.h"

namespace tdb {

namespace {

struct Entry {
    std::string code;
    int max_depth;
    size_t max_str;
    std::shared_ptr<Program> prog;
    size_t weight;  // the text and the nodes: about the memory the entry keeps
};

struct Cache {
    std::list<Entry> order;  // most recently used first
    std::unordered_map<std::string_view, std::list<Entry>::iterator> by_code;  // into order
    size_t bytes = 0;
    size_t max_entries = 256;
    size_t max_bytes = 8 * 1024 * 1024;

    void drop(std::list<Entry>::iterator it) {
        by_code.erase(std::string_view(it->code));
        bytes -= it->weight;
        order.erase(it);
    }
    void drop_last() { drop(std::prev(order.end())); }
    void fit() {
        while (!order.empty() && (order.size() > max_entries || bytes > max_bytes)) drop_last();
    }
};

Cache& cache() {
    static Cache c;
    return c;
}

}  // namespace

std::shared_ptr<Program> parse_cached(std::string_view code, int max_depth) {
    Cache& c = cache();
    auto it = c.by_code.find(code);
    if (it != c.by_code.end()) {
        Entry& e = *it->second;
        // Another bound may refuse what the cached parse accepted: parsed again, and kept
        // under the bounds of now.
        if (e.max_depth == max_depth && e.max_str == max_str_size) {
            c.order.splice(c.order.begin(), c.order, it->second);
            return e.prog;
        }
        c.drop(it->second);
    }
    std::shared_ptr<Program> prog = parse(code, max_depth);  // raises: nothing kept
    size_t weight = code.size() + prog->nodes.size() * sizeof(Node);
    if (c.max_entries == 0 || weight > c.max_bytes / 8) return prog;
    c.order.push_front(Entry{std::string(code), max_depth, max_str_size, prog, weight});
    try {
        c.by_code.emplace(std::string_view(c.order.front().code), c.order.begin());
    } catch (...) {
        c.order.pop_front();
        throw;
    }
    c.bytes += weight;
    c.fit();
    return prog;
}

void parse_cache_bounds(size_t entries, size_t bytes) {
    Cache& c = cache();
    c.max_entries = entries;
    c.max_bytes = bytes;
    c.fit();
}

size_t parse_cache_size() { return cache().order.size(); }

void parse_cache_clear() {
    Cache& c = cache();
    c.by_code.clear();
    c.order.clear();
    c.bytes = 0;
}

}  // namespace tdb
