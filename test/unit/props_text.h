// Test helpers for the binary props interfaces of codec.h: JSON text walked into a
// PropsBuilder (as the PostgreSQL side walks jsonb), and PropsEncoder events written back
// as JSON text (as the text writer would write them). Valid JSON only: the text comes
// from the core's own writer.
#pragma once

#include <cctype>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/codec.h"

namespace props_text {

inline void ws(std::string_view s, size_t& i) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
}

// The JSON string at i (its opening quote), unescaped; i moves past the closing quote.
inline std::string str(std::string_view s, size_t& i) {
    std::string out;
    ++i;  // "
    while (s[i] != '"') {
        if (s[i] == '\\') {
            ++i;
            char e = s[i];
            out.push_back(e == 'n' ? '\n' : e == 't' ? '\t' : e);
        } else {
            out.push_back(s[i]);
        }
        ++i;
    }
    ++i;
    return out;
}

// The end of the JSON value starting at i.
inline size_t skip(std::string_view s, size_t i) {
    ws(s, i);
    if (s[i] == '"') {
        str(s, i);
        return i;
    }
    if (s[i] == '{' || s[i] == '[') {
        int depth = 0;
        for (; i < s.size(); ++i) {
            if (s[i] == '"') {
                str(s, i);
                --i;
            } else if (s[i] == '{' || s[i] == '[') {
                ++depth;
            } else if (s[i] == '}' || s[i] == ']') {
                if (--depth == 0) return i + 1;
            }
        }
        return i;
    }
    while (i < s.size() && !std::strchr(",]} \n", s[i])) ++i;
    return i;
}

// Walks the JSON value at i into b (a number is an integer unless it has a fraction or an
// exponent, as the JSON reader decides); i moves past it.
inline void value(std::string_view s, size_t& i, tdb::PropsBuilder& b) {
    ws(s, i);
    char c = s[i];
    if (c == '{' || c == '[') {
        bool obj = c == '{';
        ++i;
        obj ? b.begin_object() : b.begin_array();
        ws(s, i);
        if (s[i] == (obj ? '}' : ']')) {
            ++i;
        } else {
            for (;;) {
                ws(s, i);
                if (obj) {
                    b.key(str(s, i));
                    ws(s, i);
                    ++i;  // :
                }
                value(s, i, b);
                ws(s, i);
                if (s[i++] != ',') break;
            }
        }
        obj ? b.end_object() : b.end_array();
    } else if (c == '"') {
        b.string(str(s, i));
    } else if (s.compare(i, 4, "true") == 0) {
        i += 4;
        b.boolean(true);
    } else if (s.compare(i, 5, "false") == 0) {
        i += 5;
        b.boolean(false);
    } else if (s.compare(i, 4, "null") == 0) {
        i += 4;
        b.null();
    } else {
        size_t e = skip(s, i);
        std::string t(s.substr(i, e - i));
        i = e;
        if (t.find_first_of(".eE") != std::string::npos)
            b.number(std::strtod(t.c_str(), nullptr));
        else
            b.integer(std::strtoll(t.c_str(), nullptr, 10));
    }
}

// Writes the events as the JSON text writer would: strings escaped by json_escape,
// numbers by the text that comes with them, no spaces. events counts them.
class TextEncoder : public tdb::PropsEncoder {
public:
    int events = 0;
    void begin_object() override { open('{'); }
    void key(std::string_view k) override {
        comma();
        tdb::json_escape(*out, k);
        out->push_back(':');
        after_key_ = true;
    }
    void end_object() override { close('}'); }
    void begin_array() override { open('['); }
    void end_array() override { close(']'); }
    void null() override { scalar("null"); }
    void boolean(bool b) override { scalar(b ? "true" : "false"); }
    void integer(int64_t i) override { scalar(std::to_string(i)); }
    void number(double, std::string_view text) override { scalar(text); }
    void string(std::string_view s) override {
        comma();
        tdb::json_escape(*out, s);
    }

protected:
    void open(char c) {
        comma();
        out->push_back(c);
        has_item_.push_back(false);
    }
    void close(char c) {
        ++events;
        out->push_back(c);
        has_item_.pop_back();
    }
    void scalar(std::string_view s) {
        comma();
        out->append(s.data(), s.size());
    }

private:
    // Whether the current container already has an item (one per level).
    std::vector<bool> has_item_;
    bool after_key_ = false;

    void comma() {
        ++events;
        if (after_key_) {
            after_key_ = false;
        } else if (!has_item_.empty()) {
            if (has_item_.back()) out->push_back(',');
            has_item_.back() = true;
        }
    }
};

}  // namespace props_text
