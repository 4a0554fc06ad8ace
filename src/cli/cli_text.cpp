// Text helpers of the tdb client; see cli_text.h.
#include "cli/cli_text.h"

#include <vector>

namespace tdb::cli {

bool input_complete(std::string_view code) {
    std::vector<char> open;  // expected closers
    size_t i = 0, n = code.size();
    while (i < n) {
        char c = code[i];
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
