// JSON reading and writing for values, results and stored properties.
#include "core/api/codec.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/model/datetime.h"
#include "core/api/error.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/regex.h"
#include "core/model/thing.h"

namespace tdb {

Value (*stored_member_hook)(uint32_t enum_id, uint32_t mid) = nullptr;

bool valid_utf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) { ++i; continue; }
        size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 ? 2 : 0;
        if (len == 0 || c > 0xf4 || i + len > n) return false;
        unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
        if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
            (c == 0xf4 && c1 > 0x8f))
            return false;
        for (size_t k = 1; k < len; ++k)
            if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
        i += len;
    }
    return true;
}

void json_escape(std::string& out, std::string_view s) {
    // A str cut inside a character (by byte offsets) must not reach
    // PostgreSQL: its jsonb would hold invalid UTF-8 (and pg_dump would
    // write a file that cannot be restored).
    if (!valid_utf8(s)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
    out.push_back('"');
    for (unsigned char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
    }
    out.push_back('"');
}

static const char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += kB64[v & 63];
    }
    if (i + 1 == in.size()) {
        uint32_t v = uint8_t(in[i]) << 16;
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
        out += kB64[v >> 18];
        out += kB64[(v >> 12) & 63];
        out += kB64[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

bool base64_decode(std::string_view in, std::string& out) {
    uint32_t acc = 0;
    int bits = 0;
    out.clear();
    for (char c : in) {
        if (c == '=') break;
        const char* p = std::strchr(kB64, c);
        if (!p || !c) return false;
        acc = (acc << 6) | static_cast<uint32_t>(p - kB64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    return true;
}

namespace {

// ---- JSON reader ---------------------------------------------------------

// One property of the top level of stored properties (the JSON reader and
// PropsBuilder).
void stored_top_prop(Thing* t, std::string&& key, Value&& v) {
    // The restriction of a restricted thing (`!` is a reserved key).
    if (key == "!" && v.is(VT::Str)) {
        if (restriction_decode_hook) t->restriction = restriction_decode_hook(v.as_str());
        return;
    }
    t->props_.push_back({std::move(key), std::move(v)});
}

class Reader {
public:
    enum Mode { LOAD, STORED };
    Reader(std::string_view s, Mode m, Collection* c, std::vector<uint64_t>* refs)
        : s_(s), mode_(m), coll_(c), refs_(refs) {}

    Value document() {
        Value v = value(0);
        ws();
        if (i_ != s_.size()) bad();
        return v;
    }
    // The top-level object of stored properties, key by key.
    void props(Thing* t) {
        ws();
        expect('{');
        ws();
        if (peek() == '}') { ++i_; return; }
        for (;;) {
            ws();
            std::string key = string();
            ws();
            expect(':');
            Value v = value(1);
            stored_top_prop(t, std::move(key), std::move(v));
            ws();
            if (peek() == ',') { ++i_; continue; }
            expect('}');
            return;
        }
    }

    // PropsBuilder's objects: what object() makes of its
    // properties in the stored form (a reference, a tagged value or a thing).
    Value stored_object(Props&& props) {
        if (props.size() == 1) {
            const std::string& k = props[0].key;
            if (k == "#" && props[0].val.is(VT::Int)) {
                uint64_t id = static_cast<uint64_t>(props[0].val.as_int());
                if (refs_) refs_->push_back(id);
                return coll_ ? coll_->thing_ref(id) : Value::nil();
            }
            if (k.size() == 2 && k[0] == '!') return tagged(k[1], props[0].val);
        }
        Thing* t = new Thing();
        Value out = make_thing(t);
        t->props_ = std::move(props);
        return out;
    }

private:
    std::string_view s_;
    size_t i_ = 0;
    Mode mode_;
    Collection* coll_;
    std::vector<uint64_t>* refs_;

    [[noreturn]] void bad() const {
        raisef(VALUE_ERR, "invalid JSON at position %zu", i_);
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void ws() {
        while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r')) ++i_;
    }
    void expect(char c) {
        if (peek() != c) bad();
        ++i_;
    }
    bool word(const char* w) {
        size_t n = std::strlen(w);
        if (s_.compare(i_, n, w) != 0) return false;
        i_ += n;
        return true;
    }

    static void utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80) out.push_back(static_cast<char>(cp));
        else if (cp < 0x800) {
            out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else if (cp < 0x10000) {
            out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        } else {
            out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
            out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
        }
    }
    uint32_t hex4() {
        if (i_ + 4 > s_.size()) bad();
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            char c = s_[i_++];
            v <<= 4;
            if (c >= '0' && c <= '9') v |= c - '0';
            else if (c >= 'a' && c <= 'f') v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F') v |= c - 'A' + 10;
            else bad();
        }
        return v;
    }

    std::string string() {
        expect('"');
        std::string out;
        for (;;) {
            if (i_ >= s_.size()) bad();
            char c = s_[i_++];
            if (c == '"') return out;
            if (c != '\\') { out.push_back(c); continue; }
            if (i_ >= s_.size()) bad();
            char e = s_[i_++];
            switch (e) {
                case '"': out.push_back('"'); break;
                case '\\': out.push_back('\\'); break;
                case '/': out.push_back('/'); break;
                case 'b': out.push_back('\b'); break;
                case 'f': out.push_back('\f'); break;
                case 'n': out.push_back('\n'); break;
                case 'r': out.push_back('\r'); break;
                case 't': out.push_back('\t'); break;
                case 'u': {
                    uint32_t cp = hex4();
                    if (cp >= 0xd800 && cp < 0xdc00 && s_.compare(i_, 2, "\\u") == 0) {
                        i_ += 2;
                        uint32_t lo = hex4();
                        cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    }
                    utf8(out, cp);
                    break;
                }
                default: bad();
            }
        }
    }

    Value number() {
        size_t b = i_;
        if (peek() == '-') ++i_;
        bool is_float = false;
        while (i_ < s_.size()) {
            char c = s_[i_];
            if (c >= '0' && c <= '9') { ++i_; continue; }
            if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') { is_float = true; ++i_; continue; }
            break;
        }
        std::string t(s_.substr(b, i_ - b));
        if (t.empty() || t == "-") bad();
        if (!is_float) {
            errno = 0;
            char* end;
            long long v = std::strtoll(t.c_str(), &end, 10);
            if (errno == ERANGE) return Value::number(std::strtod(t.c_str(), nullptr));
            return Value::integer(v);
        }
        return Value::number(std::strtod(t.c_str(), nullptr));
    }

    Value value(int depth) {
        if (depth > 1000) raise(VALUE_ERR, "JSON nested too deep");
        ws();
        char c = peek();
        if (c == '"') return Value::str(string());
        if (c == '{') {
            if (mode_ == STORED) {
                uint64_t id;
                if (reference(id)) {
                    if (refs_) refs_->push_back(id);
                    return coll_ ? coll_->thing_ref(id) : Value::nil();
                }
            }
            return object(depth);
        }
        if (c == '[') {
            ++i_;
            auto* l = new ListObj();
            Value out = Value::obj(VT::List, l);
            ws();
            if (peek() == ']') { ++i_; return out; }
            for (;;) {
                Value item = value(depth + 1);
                // Nested lists are tuples in ThingsDB.
                if (item.is(VT::List)) item.list()->tuple = true;
                l->items.push_back(std::move(item));
                ws();
                if (peek() == ',') { ++i_; continue; }
                expect(']');
                return out;
            }
        }
        if (word("true")) return Value::boolean(true);
        if (word("false")) return Value::boolean(false);
        if (word("null")) return Value::nil();
        return number();
    }

    // A stored reference {"#": id}, the most frequent object of the stored
    // form (a list of things holds one per item): read without building a
    // key and a value. Leaves the position unchanged when it is not one.
    bool reference(uint64_t& id) {
        size_t j = i_ + 1;
        auto skip = [&] {
            while (j < s_.size() && (s_[j] == ' ' || s_[j] == '\n' || s_[j] == '\t' || s_[j] == '\r')) ++j;
        };
        skip();
        if (s_.compare(j, 3, "\"#\"") != 0) return false;
        j += 3;
        skip();
        if (j >= s_.size() || s_[j] != ':') return false;
        ++j;
        skip();
        size_t b = j;
        uint64_t v = 0;
        while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9' && j - b < 19) v = v * 10 + static_cast<uint64_t>(s_[j++] - '0');
        if (j == b || j - b >= 19) return false;   // none, or long enough to need the general path
        skip();
        if (j >= s_.size() || s_[j] != '}') return false;
        i_ = j + 1;
        id = v;
        return true;
    }

    Value object(int depth) {
        ++i_;
        Props props;
        ws();
        if (peek() == '}') {
            ++i_;
        } else {
            for (;;) {
                ws();
                std::string key = string();
                ws();
                expect(':');
                props.push_back({std::move(key), value(depth + 1)});
                ws();
                if (peek() == ',') { ++i_; continue; }
                expect('}');
                break;
            }
        }
        if (mode_ == STORED) return stored_object(std::move(props));
        Thing* t = new Thing();
        Value out = make_thing(t);
        t->props_ = std::move(props);
        return out;
    }

    // The tagged objects of the stored form: {"!b": base64} bytes, {"!f":
    // "inf"} floats JSON cannot hold, {"!s": [ids]} sets, {"!c": source}
    // closures, {"!r": "/pat/flags"} regexes, {"!e": [code, msg]} errors,
    // {"!d": [ts, offset, zone]} datetimes and {"!t": [...]} timevals.
    Value tagged(char tag, const Value& v) {
        switch (tag) {
            case 'b': {
                std::string out;
                if (!v.is(VT::Str) || !base64_decode(v.as_str(), out)) bad();
                return Value::bytes(std::move(out));
            }
            case 'f':
                if (!v.is(VT::Str)) bad();
                return Value::number(v.as_str() == "nan" ? NAN : v.as_str() == "-inf" ? -INFINITY : INFINITY);
            case 's': {
                if (!v.is(VT::List)) bad();
                auto* s = new SetObj();
                Value out = Value::obj(VT::Set, s);
                for (const Value& idv : v.list()->items) {
                    if (!idv.is(VT::Int)) bad();
                    uint64_t id = static_cast<uint64_t>(idv.as_int());
                    if (refs_) refs_->push_back(id);
                    Value t = coll_ ? coll_->thing_ref(id) : Value::nil();
                    if (t.is(VT::Thing)) s->add(t.thing());
                }
                return out;
            }
            case 'c':
                if (!v.is(VT::Str)) bad();
                return closure_from_source(v.as_str());
            case 'r': {
                if (!v.is(VT::Str)) bad();
                const std::string& r = v.as_str();
                size_t e = r.rfind('/');
                if (r.size() < 2 || r[0] != '/' || e == 0) bad();
                return make_regex(r.substr(1, e - 1), r.substr(e + 1));
            }
            case 'm': {   // {"!m": [enum_id, member id]}: an enum member
                if (!v.is(VT::List) || v.list()->items.size() != 2) bad();
                auto& it = v.list()->items;
                if (!it[0].is(VT::Int) || !it[1].is(VT::Int)) bad();
                if (!stored_member_hook) return Value::nil();
                return stored_member_hook(static_cast<uint32_t>(it[0].as_int()),
                                          static_cast<uint32_t>(it[1].as_int()));
            }
            case 'e': {
                if (!v.is(VT::List) || v.list()->items.size() != 2) bad();
                auto& it = v.list()->items;
                if (!it[0].is(VT::Int) || !it[1].is(VT::Str)) bad();
                return make_error(static_cast<int>(it[0].as_int()), it[1].as_str());
            }
            case 'd':   // {"!d": [ts, offset minutes, zone or null]}; "!t" a timeval
            case 't': {
                if (!v.is(VT::List) || v.list()->items.size() != 3) bad();
                auto& it = v.list()->items;
                if (!it[0].is(VT::Int) || !it[1].is(VT::Int) || !(it[2].is(VT::Str) || it[2].is_nil())) bad();
                const TimeZone* tz = it[2].is(VT::Str) ? tz_find(it[2].as_str()) : nullptr;
                if (it[2].is(VT::Str) && !tz) tz = tz_utc();
                return make_datetime(it[0].as_int(), static_cast<int>(it[1].as_int()), tz, tag == 't');
            }
            default:
                bad();
        }
    }
};

// ---- writers -------------------------------------------------------------

void stored_value(std::string& out, const Value& v, std::vector<uint64_t>* refs) {
    switch (v.type()) {
        case VT::Nil: out += "null"; break;
        case VT::Bool: out += v.as_bool() ? "true" : "false"; break;
        case VT::Int: out += std::to_string(v.as_int()); break;
        case VT::Float: {
            double d = v.as_float();
            if (std::isnan(d) || std::isinf(d)) {
                out += "{\"!f\":";
                json_escape(out, float_repr(d));
                out += "}";
            } else {
                out += float_repr(d);
            }
            break;
        }
        case VT::Str: json_escape(out, v.as_str()); break;
        case VT::Bytes:
            out += "{\"!b\":";
            json_escape(out, base64_encode(v.as_str()));
            out += "}";
            break;
        case VT::List: {
            // The reader refuses JSON nested deeper than 1000 levels: never
            // write what could not be read back.
            static thread_local int nesting = 0;
            NestingGuard guard(nesting);
            out.push_back('[');
            bool first = true;
            for (const Value& item : v.list()->items) {
                if (!first) out.push_back(',');
                first = false;
                stored_value(out, item, refs);
            }
            out.push_back(']');
            break;
        }
        case VT::Thing:
            out += "{\"#\":" + std::to_string(v.thing()->id) + "}";
            if (refs) refs->push_back(v.thing()->id);
            break;
        case VT::Set: {
            out += "{\"!s\":[";
            bool first = true;
            for (auto& t : v.set()->items) {
                if (!first) out.push_back(',');
                first = false;
                out += std::to_string(t->id);
                if (refs) refs->push_back(t->id);
            }
            out += "]}";
            break;
        }
        case VT::Closure:
            out += "{\"!c\":";
            json_escape(out, v.closure()->source);
            out += "}";
            break;
        case VT::Regex:
            out += "{\"!r\":";
            json_escape(out, "/" + v.regex()->pattern + "/" + v.regex()->flags);
            out += "}";
            break;
        case VT::EnumMember:
            out += "{\"!m\":[" + std::to_string(v.member()->enum_id) + "," +
                   std::to_string(v.member()->mid) + "]}";
            break;
        case VT::Error:
            out += "{\"!e\":[" + std::to_string(v.error()->code) + ",";
            json_escape(out, v.error()->msg);
            out += "]}";
            break;
        case VT::Datetime:
        case VT::Timeval: {
            const DatetimeObj* d = v.datetime();
            out += v.is(VT::Timeval) ? "{\"!t\":[" : "{\"!d\":[";
            out += std::to_string(d->ts) + "," + std::to_string(d->offset) + ",";
            if (d->tz) json_escape(out, d->tz->name);
            else out += "null";
            out += "]}";
            break;
        }
        default:
            raisef(TYPE_ERR, "cannot store type `%s`", type_name(v));
    }
}

}  // namespace

Value json_load_value(Query&, std::string_view text) {
    Reader r(text, Reader::LOAD, nullptr, nullptr);
    return r.document();
}

uint64_t (*restriction_decode_hook)(const std::string& stored) = nullptr;
std::string (*restriction_encode_hook)(uint64_t restriction) = nullptr;

std::string encode_props(const Thing* t, std::vector<uint64_t>* refs) {
    std::string out;
    out.push_back('{');
    bool first = true;
    if (t->restriction && t->type_id == kNoType && restriction_encode_hook) {
        std::string r = restriction_encode_hook(t->restriction);
        if (!r.empty()) {
            out += "\"!\":";
            json_escape(out, r);
            first = false;
        }
    }
    for (const Prop& p : t->props_) {
        if (!first) out.push_back(',');
        first = false;
        json_escape(out, p.key);
        out.push_back(':');
        stored_value(out, p.val, refs);
    }
    out.push_back('}');
    return out;
}

// ---- the stored form as events -----------------------------------

namespace {

void checked_string(PropsEncoder& e, std::string_view s) {
    if (!valid_utf8(s)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
    e.string(s);
}

void tagged_begin(PropsEncoder& e, const char* tag) {
    e.begin_object();
    e.key(tag);
}

void stored_events(PropsEncoder& e, const Value& v, std::vector<uint64_t>* refs) {
    switch (v.type()) {
        case VT::Nil: e.null(); break;
        case VT::Bool: e.boolean(v.as_bool()); break;
        case VT::Int: e.integer(v.as_int()); break;
        case VT::Float: {
            double d = v.as_float();
            std::string text = float_repr(d);
            if (std::isnan(d) || std::isinf(d)) {
                tagged_begin(e, "!f");
                checked_string(e, text);
                e.end_object();
            } else {
                e.number(d, text);
            }
            break;
        }
        case VT::Str: checked_string(e, v.as_str()); break;
        case VT::Bytes: {
            std::string b64 = base64_encode(v.as_str());
            tagged_begin(e, "!b");
            e.string(b64);
            e.end_object();
            break;
        }
        case VT::List: {
            static thread_local int nesting = 0;
            NestingGuard guard(nesting);
            e.begin_array();
            for (const Value& item : v.list()->items) stored_events(e, item, refs);
            e.end_array();
            break;
        }
        case VT::Thing:
            tagged_begin(e, "#");
            e.integer(static_cast<int64_t>(v.thing()->id));
            e.end_object();
            if (refs) refs->push_back(v.thing()->id);
            break;
        case VT::Set:
            tagged_begin(e, "!s");
            e.begin_array();
            for (auto& t : v.set()->items) {
                e.integer(static_cast<int64_t>(t->id));
                if (refs) refs->push_back(t->id);
            }
            e.end_array();
            e.end_object();
            break;
        case VT::Closure: {
            const std::string& src = v.closure()->source;
            if (!valid_utf8(src)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
            tagged_begin(e, "!c");
            e.string(src);
            e.end_object();
            break;
        }
        case VT::Regex: {
            std::string r = "/" + v.regex()->pattern + "/" + v.regex()->flags;
            if (!valid_utf8(r)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
            tagged_begin(e, "!r");
            e.string(r);
            e.end_object();
            break;
        }
        case VT::EnumMember:
            tagged_begin(e, "!m");
            e.begin_array();
            e.integer(static_cast<int64_t>(v.member()->enum_id));
            e.integer(static_cast<int64_t>(v.member()->mid));
            e.end_array();
            e.end_object();
            break;
        case VT::Error: {
            const std::string& msg = v.error()->msg;
            if (!valid_utf8(msg)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
            tagged_begin(e, "!e");
            e.begin_array();
            e.integer(static_cast<int64_t>(v.error()->code));
            e.string(msg);
            e.end_array();
            e.end_object();
            break;
        }
        case VT::Datetime:
        case VT::Timeval: {
            const DatetimeObj* d = v.datetime();
            if (d->tz && !valid_utf8(d->tz->name))
                raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
            tagged_begin(e, v.is(VT::Timeval) ? "!t" : "!d");
            e.begin_array();
            e.integer(static_cast<int64_t>(d->ts));
            e.integer(static_cast<int64_t>(d->offset));
            if (d->tz) e.string(d->tz->name);
            else e.null();
            e.end_array();
            e.end_object();
            break;
        }
        default:
            raisef(TYPE_ERR, "cannot store type `%s`", type_name(v));
    }
}

}  // namespace

void encode_props(const Thing* t, std::vector<uint64_t>* refs, PropsEncoder& enc) {
    enc.begin_object();
    if (t->restriction && t->type_id == kNoType && restriction_encode_hook) {
        std::string r = restriction_encode_hook(t->restriction);
        if (!r.empty()) {
            if (!valid_utf8(r)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
            enc.key("!");
            enc.string(r);
        }
    }
    for (const Prop& p : t->props_) {
        if (!valid_utf8(p.key)) raise(VALUE_ERR, "string is not valid UTF-8; use bytes for binary data");
        enc.key(p.key);
        stored_events(enc, p.val, refs);
    }
    enc.end_object();
}

void decode_props(Collection& c, Thing* t, std::string_view json, std::vector<uint64_t>* refs) {
    Reader r(json, Reader::STORED, &c, refs);
    r.props(t);
}

// ---- PropsBuilder -------------------------------------------------

struct PropsBuilder::Frame {
    bool array;
    Props props;   // an object's properties so far
    std::string key;           // an object's pending key
    Value list;                // an array's ListObj
};

namespace {
// The frame stack of a finished builder, kept for the next one (a query
// decodes one builder per thing it loads): no allocation per thing.
std::vector<PropsBuilder::Frame>* spare_stack = nullptr;
}  // namespace

PropsBuilder::PropsBuilder(Collection& c, Thing* t, std::vector<uint64_t>* refs)
    : coll_(c), thing_(t), refs_(refs) {
    if (spare_stack) {
        stack_ = spare_stack;
        spare_stack = nullptr;
    } else {
        stack_ = new std::vector<Frame>();
    }
}

PropsBuilder::~PropsBuilder() {
    if (spare_stack || stack_->size() > 64) {
        delete stack_;
        return;
    }
    for (Frame& f : *stack_) {   // nothing of this thing stays in the frames
        f.props.clear();
        f.list = Value();
    }
    spare_stack = stack_;
}

PropsBuilder::Frame& PropsBuilder::push(bool array) {
    if (depth_ == stack_->size()) stack_->emplace_back();
    Frame& f = (*stack_)[depth_++];
    f.array = array;
    f.props.clear();
    f.key.clear();
    return f;
}

void PropsBuilder::put(Value v) {
    if (depth_ == 0) raise(VALUE_ERR, "invalid stored properties");
    Frame& f = (*stack_)[depth_ - 1];
    if (f.array) {
        // Nested lists are tuples in ThingsDB.
        if (v.is(VT::List)) v.list()->tuple = true;
        f.list.list()->items.push_back(std::move(v));
    } else if (depth_ == 1) {
        stored_top_prop(thing_, std::move(f.key), std::move(v));
    } else {
        f.props.push_back({std::move(f.key), std::move(v)});
    }
}

void PropsBuilder::begin_object(size_t size_hint) {
    Frame& f = push(false);
    if (size_hint == 0) return;
    if (depth_ == 1) thing_->props_.reserve(thing_->props_.size() + size_hint);
    else f.props.reserve(size_hint);
}

void PropsBuilder::key(std::string_view k) {
    if (depth_ == 0 || (*stack_)[depth_ - 1].array) raise(VALUE_ERR, "invalid stored properties");
    (*stack_)[depth_ - 1].key.assign(k);
}

void PropsBuilder::end_object() {
    if (depth_ == 0 || (*stack_)[depth_ - 1].array) raise(VALUE_ERR, "invalid stored properties");
    Frame& f = (*stack_)[--depth_];
    if (depth_ == 0) return;   // the properties themselves
    // A reference {"#": id}, the most frequent object: straight to the stub.
    if (f.props.size() == 1 && f.props[0].key == "#" && f.props[0].val.is(VT::Int)) {
        reference(static_cast<uint64_t>(f.props[0].val.as_int()));
        return;
    }
    Props props = std::move(f.props);
    Reader r(std::string_view(), Reader::STORED, &coll_, refs_);
    put(r.stored_object(std::move(props)));
}

void PropsBuilder::reference(uint64_t id) {
    if (depth_ == 0) raise(VALUE_ERR, "invalid stored properties");
    if (refs_) refs_->push_back(id);
    put(coll_.thing_ref(id));
}

void PropsBuilder::begin_array(size_t size_hint) {
    if (depth_ == 0) raise(VALUE_ERR, "invalid stored properties");
    auto* l = new ListObj();
    push(true).list = Value::obj(VT::List, l);
    if (size_hint) l->items.reserve(size_hint);
}

void PropsBuilder::end_array() {
    if (depth_ == 0 || !(*stack_)[depth_ - 1].array) raise(VALUE_ERR, "invalid stored properties");
    Value l = std::move((*stack_)[--depth_].list);
    put(std::move(l));
}

void PropsBuilder::null() { put(Value::nil()); }
void PropsBuilder::boolean(bool b) { put(Value::boolean(b)); }
void PropsBuilder::integer(int64_t i) { put(Value::integer(i)); }
void PropsBuilder::number(double d) { put(Value::number(d)); }
void PropsBuilder::string(std::string_view s) { put(Value::str(std::string(s))); }

std::vector<uint64_t> refs_of(std::string_view json) {
    std::vector<uint64_t> refs;
    Thing tmp;
    Reader r(json, Reader::STORED, nullptr, &refs);
    r.props(&tmp);
    return refs;
}

}  // namespace tdb
