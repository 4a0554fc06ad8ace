// Parsed programs kept by their text: tdb_query parses the same texts again and again, and
// the parse is a good part of a short query.
#pragma once

#include "core/api/pure.h"

#include <cstddef>
#include <memory>
#include <string_view>

#include "core/lang/ast.h"

namespace tdb {

// parse(code, max_depth) under the current string quota (max_str_size), from the cache when
// the same text was parsed under the same bounds before. A parse depends on nothing but the
// text and those two bounds (the built-ins are fixed, variable slots are interned for good,
// and a Call node's lookup of its built-in holds for any scope), and a Program is not changed
// by a run, so a cached one is shared by every query that runs its text. A text that does not
// parse is not kept: the error is raised by a fresh parse every time.
std::shared_ptr<Program> parse_cached(std::string_view code, int max_depth);

// The cache's bounds: at most `entries` programs weighing at most `bytes` in all (a program
// weighs its text and its nodes); the least recently used go first. A program weighing more
// than an eighth of `bytes` is never kept.
void parse_cache_bounds(size_t entries, size_t bytes);
size_t parse_cache_size();  // programs kept
void parse_cache_clear();

}  // namespace tdb
