// Text helpers of the tdb client; see cli_text.h.
#include "cli/cli_text.h"

#include <vector>

namespace tdb::cli {

namespace {

bool name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The end (one past the closing slash) of a regex literal that starts at i,
// or npos. ThingsDB's lexer takes a regex only where an operand starts, and
// its pattern cannot hold a line break; `\/` is a slash of the pattern.
size_t regex_end(std::string_view code, size_t i, char prev) {
    if (name_char(prev) || prev == ')' || prev == ']' || prev == '}' || prev == '\'' ||
        prev == '"' || prev == '`')
        return std::string_view::npos;  // after an operand: division
    for (size_t j = i + 1; j < code.size() && code[j] != '\n'; ++j) {
        if (code[j] == '\\' && j + 1 < code.size() && code[j + 1] != '\n') {
            ++j;
            continue;
        }
        if (code[j] == '/') return j + 1;
    }
    return std::string_view::npos;
}

}  // namespace

bool input_complete(std::string_view code) {
    std::vector<char> open;  // expected closers
    size_t i = 0, n = code.size();
    char prev = '\0';  // the last character outside white space and comments
    while (i < n) {
        char c = code[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
            continue;
        }
        if (c == '\'' || c == '"' || c == '`') {
            // A quote inside is written twice: 'it''s'.
            size_t j = i + 1;
            for (;;) {
                if (j >= n) return false;  // open string
                if (code[j] == c) {
                    if (j + 1 < n && code[j + 1] == c) {
                        j += 2;
                        continue;
                    }
                    break;
                }
                ++j;
            }
            i = j + 1;
            prev = c;
            continue;
        }
        if (c == '/' && i + 1 < n && code[i + 1] == '/') {
            while (i < n && code[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < n && code[i + 1] == '*') {
            size_t end = code.find("*/", i + 2);
            if (end == std::string_view::npos) return false;  // open comment
            i = end + 2;
            continue;
        }
        if (c == '/') {
            size_t end = regex_end(code, i, prev);
            if (end != std::string_view::npos) {
                i = end;
                while (i < n && name_char(code[i])) ++i;  // flags
                prev = 'r';
                continue;
            }
        }
        prev = c;
        if (c == '(')
            open.push_back(')');
        else if (c == '[')
            open.push_back(']');
        else if (c == '{')
            open.push_back('}');
        else if (c == ')' || c == ']' || c == '}') {
            if (open.empty() || open.back() != c) return true;  // let the server say it
            open.pop_back();
        }
        ++i;
    }
    return open.empty();
}

std::string pretty_json(std::string_view json, int indent) {
    std::string out;
    out.reserve(json.size() * 2);
    int level = 0;
    auto newline = [&] {
        if (indent <= 0) return;
        out += '\n';
        out.append(static_cast<size_t>(level * indent), ' ');
    };
    auto next_significant = [&](size_t from) -> char {
        while (from < json.size() && (json[from] == ' ' || json[from] == '\n' ||
                                      json[from] == '\t' || json[from] == '\r'))
            ++from;
        return from < json.size() ? json[from] : '\0';
    };
    for (size_t i = 0; i < json.size(); ++i) {
        char c = json[i];
        switch (c) {
            case '"': {
                size_t j = i + 1;
                while (j < json.size() && json[j] != '"') j += json[j] == '\\' ? 2 : 1;
                out.append(json.substr(i, j + 1 - i));
                i = j;
                break;
            }
            case '{':
            case '[': {
                char close = c == '{' ? '}' : ']';
                out += c;
                if (next_significant(i + 1) == close) {
                    out += close;
                    while (json[i] != close) ++i;
                } else {
                    ++level;
                    newline();
                }
                break;
            }
            case '}':
            case ']':
                --level;
                newline();
                out += c;
                break;
            case ',':
                out += ',';
                if (indent > 0) newline();
                break;
            case ':':
                out += indent > 0 ? ": " : ":";
                break;
            case ' ':
            case '\n':
            case '\t':
            case '\r':
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool scope_prefix(std::string_view entry, std::string& scope, std::string& code) {
    std::string_view t = trim(entry);
    size_t sp = 0;
    while (sp < t.size() && t[sp] != ' ' && t[sp] != '\t' && t[sp] != '\n' && t[sp] != '\r') ++sp;
    if (sp == t.size()) return false;
    std::string s = scope_line(t.substr(0, sp));
    if (s.empty()) return false;
    scope = s;
    code = std::string(trim(t.substr(sp)));
    return !code.empty();
}

std::string history_escape(std::string_view entry) {
    std::string out;
    out.reserve(entry.size());
    for (char c : entry) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

std::string history_unescape(std::string_view line) {
    std::string out;
    out.reserve(line.size());
    for (size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == 'n' || line[i + 1] == '\\')) {
            out += line[i + 1] == 'n' ? '\n' : '\\';
            ++i;
        } else {
            out += line[i];
        }
    }
    return out;
}

bool ends_with_continue(std::string& line) {
    size_t end = line.size();
    while (end > 0 && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
        --end;
    if (end == 0 || line[end - 1] != '\\') return false;
    line.resize(end - 1);
    return true;
}

std::string_view word_before(std::string_view line, size_t end, char* before) {
    size_t start = end;
    while (start > 0 && name_char(line[start - 1])) --start;
    *before = start > 0 ? line[start - 1] : '\0';
    return line.substr(start, end - start);
}

std::string scope_line(std::string_view line) {
    line = trim(line);
    if (!line.empty() && line.back() == ';') line = trim(line.substr(0, line.size() - 1));
    if (line.size() < 2 || line[0] != '@') return "";
    for (char c : line.substr(1)) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == ':' || c == '-';
        if (!ok) return "";
    }
    return std::string(line);
}

}  // namespace tdb::cli
