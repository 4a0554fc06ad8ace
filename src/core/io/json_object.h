// JSON objects and arrays written entry by entry, in the order given: the
// catalog's rows and the jobs of Types and enums (json_text.h streams a value
// walk instead). Watchers and tests compare those bytes, so the writer adds
// no spaces and keeps the order of the calls.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <string_view>

#include "core/api/codec.h"

namespace tdb {

// {"key":value,...}
class JsonObject {
public:
    JsonObject& num(std::string_view key, int64_t v) { return raw(key, std::to_string(v)); }
    JsonObject& str(std::string_view key, std::string_view v) {
        json_escape(next(key), v);
        return *this;
    }
    JsonObject& boolean(std::string_view key, bool v) { return raw(key, v ? "true" : "false"); }
    // v is JSON text already (a nested object or array, a rendered value).
    JsonObject& raw(std::string_view key, std::string_view json) {
        next(key) += json;
        return *this;
    }
    std::string text() const { return out_ + "}"; }

private:
    std::string& next(std::string_view key) {
        if (out_.size() > 1) out_.push_back(',');
        json_escape(out_, key);
        out_.push_back(':');
        return out_;
    }
    std::string out_ = "{";
};

// [value,...]
class JsonArray {
public:
    JsonArray& num(int64_t v) { return raw(std::to_string(v)); }
    JsonArray& str(std::string_view v) {
        json_escape(next(), v);
        return *this;
    }
    // v is JSON text already.
    JsonArray& raw(std::string_view json) {
        next() += json;
        return *this;
    }
    std::string text() const { return out_ + "]"; }

private:
    std::string& next() {
        if (out_.size() > 1) out_.push_back(',');
        return out_;
    }
    std::string out_ = "[";
};

}  // namespace tdb
