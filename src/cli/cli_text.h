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
// A regex literal (/.../flags where an operand starts, on one line) is skipped
// whole, so quotes and brackets inside it count for nothing. Unbalanced closers
// count as complete (the server reports the syntax error).
bool input_complete(std::string_view code);

// The continue key: a line that ends with a backslash (white space after it
// allowed) continues the entry even when it is complete; the backslash is
// removed from the line. Returns whether the line had it.
bool ends_with_continue(std::string& line);

// "@SCOPE CODE": code run once in another scope. True (and scope and code
// set) when the entry starts with a scope, white space and some code.
bool scope_prefix(std::string_view entry, std::string& scope, std::string& code);

// One history entry per line of the history file: a line break of a
// multi-line entry is written as `\n` and a backslash as `\\`.
std::string history_escape(std::string_view entry);
std::string history_unescape(std::string_view line);

// The name being typed that ends at `end` of the line (letters, digits, _);
// *before is the character before it ('\0' at the start): '.' for a method or
// property, '@' or ':' inside a scope.
std::string_view word_before(std::string_view line, size_t end, char* before);

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
