// Text helpers of the tdb client (no libpq, no terminal): when a line of
// input completes a query, pretty-printing JSON, scope lines. Unit-tested in
// test/unit/test_cli.cpp.
#pragma once

#include <string>
#include <string_view>

namespace tdb::cli {

// True when the code has no open bracket, brace or parenthesis, no open
// string ('...', "..." or `...` with doubled quotes as escapes) and no open
// /* comment */: the prompt runs it. `//` comments run to the end of the line.
// Unbalanced closers count as complete (the server reports the syntax error).
bool input_complete(std::string_view code);

// Indents JSON text (as PostgreSQL prints jsonb) with `indent` spaces per
// level; empty objects and arrays stay {} and []. indent 0: the text without
// insignificant white space.
std::string pretty_json(std::string_view json, int indent = 4);

// A line that only switches the scope: "@:stuff", "@thingsdb", "@t",
// "@collection:x", "@node" (surrounding white space and a trailing ';'
// allowed). Returns the scope, or "" when the line is something else.
std::string scope_line(std::string_view line);

// Trims white space at both ends.
std::string_view trim(std::string_view s);

}  // namespace tdb::cli
