// JsonText: compact JSON text (no spaces) appended to a string, the output
// of the value writers (walk.h) for query results, watch-event mutations and
// the stored form of properties.
#pragma once

#include "core/api/pure.h"

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/api/codec.h"
#include "core/lang/ops.h"

namespace tdb {

// A writer says what comes next; JsonText places the commas: one before a
// key or a value unless it is the first of its object or array. The same
// calls drive the encoder output of the stored form (codec_write.cpp), so a
// writer is one template for both.
class JsonText {
public:
    explicit JsonText(std::string& out) : out_(out) {}

    void begin_object() { open('{'); }
    void end_object() { close('}'); }
    void begin_array() { open('['); }
    void end_array() { close(']'); }
    // A key from data: escaped; raises value_err when it is no valid UTF-8.
    void key(std::string_view k) {
        sep();
        json_escape(out_, k);
        out_.push_back(':');
        comma_ = false;
    }
    // A key the writer names itself ("#", "!b", "error_code"): plain ASCII
    // that needs no escaping.
    void tag(const char* k) {
        sep();
        out_.push_back('"');
        out_ += k;
        out_ += "\":";
        comma_ = false;
    }
    void null() { scalar("null"); }
    void boolean(bool b) { scalar(b ? "true" : "false"); }
    void integer(int64_t i) { digits(i); }
    void uinteger(uint64_t i) { digits(i); }
    // A finite float as float_repr writes it (JSON has no inf or nan).
    void number(double d) { scalar(float_repr(d)); }
    // A string from data: escaped; raises value_err when it is no valid UTF-8.
    void str(std::string_view s) {
        sep();
        json_escape(out_, s);
        comma_ = true;
    }
    // A string already checked (check() below) or known to be ASCII.
    void valid_str(std::string_view s) { str(s); }
    // The encoder output checks a string before the first event of its value;
    // the text raises the same error when it escapes the string.
    void check(std::string_view) {}
    // A complete JSON value made elsewhere.
    void raw(std::string_view json) { scalar(json); }
    // The string to append one complete JSON value to, for code that writes
    // it itself (render_wrap in wrap.cpp).
    std::string& value_text() {
        sep();
        comma_ = true;
        return out_;
    }

private:
    void sep() {
        if (comma_) out_.push_back(',');
    }
    void open(char c) {
        sep();
        out_.push_back(c);
        comma_ = false;
    }
    void close(char c) {
        out_.push_back(c);
        comma_ = true;
    }
    template <class I>
    void digits(I i) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, i);
        scalar(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
    }
    void scalar(std::string_view s) {
        sep();
        out_.append(s.data(), s.size());
        comma_ = true;
    }

    std::string& out_;
    bool comma_ = false;  // something precedes in the current object or array
};

}  // namespace tdb
