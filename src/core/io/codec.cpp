// The JSON text side of the codec: the UTF-8 check and escaping (base64 is
// base64.cpp); the JSON reader (json_load(), and stored properties as text with their
// tagged objects, decode_props); the codec's hooks. Writing the stored form
// is codec_write.cpp, reading it from binary JSON props_builder.cpp.
#include "core/api/codec.h"

#include <cmath>
#include <cstdlib>
#include <cstring>

#include "core/api/error.h"
#include "core/io/stored.h"
#include "core/lang/query.h"
#include "core/model/datetime.h"
#include "core/model/regex.h"
#include "core/model/room.h"
#include "core/model/task.h"
#include "core/model/thing.h"
#include "core/model/wrap.h"

namespace tdb {

Value (*stored_member_hook)(uint32_t enum_id, uint32_t mid) = nullptr;

bool valid_utf8(std::string_view s) {
    size_t i = 0, n = s.size();
    while (i < n) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
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
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
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

void stored_top_prop(Thing* t, std::string&& key, Value&& v) {
    // The restriction of a restricted thing (`!` is a reserved key).
    if (key == "!" && v.is(VT::Str)) {
        if (restriction_decode_hook) t->restriction = restriction_decode_hook(v.as_str());
        return;
    }
    t->props_.push_back({std::move(key), std::move(v)});
}

namespace {

class Reader {
public:
    // LOAD: json_load() (objects are things); INPUT: a client's values (input_object); STORED:
    // stored properties (references and tagged objects).
    // CATALOG: the catalog rows' JSON (objects are things with any keys, read by their reader).
    enum Mode { LOAD, INPUT, STORED, CATALOG };
    Reader(std::string_view s, Mode m, Collection* c, std::vector<uint64_t>* refs)
        : s_(s), mode_(m), coll_(c), refs_(refs) {}

    Value document() {
        if (mode_ != LOAD) {
            Value v = value(0);
            ws();
            if (i_ != s_.size()) bad();
            return v;
        }
        // json_load() is ThingsDB's one yajl_parse() call, never completed:
        // text that ends inside a value, or a number at the very end, gives
        // nil; what follows the value is yajl's "trailing garbage".
        try {
            ws();
            bool number_first = peek() == '-' || (peek() >= '0' && peek() <= '9');
            Value v = value(0);
            if (number_first && i_ == s_.size()) return Value::nil();
            ws();
            if (i_ != s_.size()) bad(Bad::Garbage);
            return v;
        } catch (const Incomplete&) {
            return Value::nil();
        }
    }
    // The top-level object of stored properties, key by key.
    void props(Thing* t) {
        ws();
        expect('{');
        ws();
        if (peek() == '}') {
            ++i_;
            return;
        }
        for (;; poll_tick()) {
            ws();
            std::string key = string();
            ws();
            expect(':');
            Value v = value(1);
            stored_top_prop(t, std::move(key), std::move(v));
            ws();
            if (peek() == ',') {
                ++i_;
                continue;
            }
            expect('}');
            return;
        }
    }

    // PropsBuilder's objects: what object() makes of its
    // properties in the stored form (a reference, a tagged value or a thing).
    // INPUT: a top-level object is the envelope of named values (tdb_query's vars, tdb_call's
    // params by name), not a value: its keys are names, only its values are decoded as input.
    bool envelope_ = false;

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

    // What yajl reports, json_load()'s errors (the other modes name the
    // position): its lexer's errors first, then its parser's.
    // yajl's lexer errors (Char to Comment), then its parser's (Garbage on).
    enum class Bad {
        Char,
        Word,
        Escape,
        Hex,
        StrChar,
        Minus,
        Decimal,
        Exponent,
        Comment,
        Garbage,
        Token,
        Colon,
        MapSep,
        ArrSep,
        Key,
        Overflow
    };
    struct Incomplete {};  // the text ends inside a value (json_load: nil)
    [[noreturn]] void bad(Bad k = Bad::Char) const {
        if (mode_ != LOAD) raisef(VALUE_ERR, "invalid JSON at position %zu", i_);
        if (k >= Bad::Token && k != Bad::Overflow) k = lexed(k);
        static const char* const text[] = {
            "lexical error: invalid char in json text.",
            "lexical error: invalid string in json text.",
            "lexical error: inside a string, '\\' occurs before a character which it may not.",
            "lexical error: invalid (non-hex) character occurs after '\\u' inside string.",
            "lexical error: invalid character inside string.",
            "lexical error: malformed number, a digit is required after the minus sign.",
            "lexical error: malformed number, a digit is required after the decimal point.",
            "lexical error: malformed number, a digit is required after the exponent.",
            "lexical error: probable comment found in input text, comments are not enabled.",
            "parse error: trailing garbage",
            "parse error: unallowed token at this point in JSON text",
            "parse error: object key and value must be separated by a colon (':')",
            "parse error: after key and value, inside map, I expect ',' or '}'",
            "parse error: after array element, I expect ',' or ']'",
            "parse error: invalid object key (must be a string)",
            "parse error: integer overflow",
        };
        raisef(VALUE_ERR, "%s\n", text[static_cast<int>(k)]);
    }
    // A token the parser cannot take at i_: yajl's lexer reads it first, so
    // a token that does not lex is a lexical error, and the end of the text
    // waits for more (Incomplete).
    Bad lexed(Bad parse_kind) const {
        if (i_ >= s_.size()) throw Incomplete{};
        char c = s_[i_];
        if (std::strchr("{}[],:\"", c) || (c >= '0' && c <= '9')) return parse_kind;
        if (c == '/') return Bad::Comment;
        if (c == '-') {
            if (i_ + 1 >= s_.size()) throw Incomplete{};
            return s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9' ? parse_kind : Bad::Minus;
        }
        for (const char* w : {"true", "false", "null"}) {
            if (c != w[0]) continue;
            size_t n = std::strlen(w), k = 0;
            while (k < n && i_ + k < s_.size() && s_[i_ + k] == w[k]) ++k;
            if (k == n) return parse_kind;
            if (i_ + k >= s_.size()) throw Incomplete{};
            return Bad::Word;
        }
        return Bad::Char;
    }
    // The end of the text where more is needed.
    void more() const {
        if (mode_ == LOAD && i_ >= s_.size()) throw Incomplete{};
    }
    char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
    void ws() {
        while (i_ < s_.size() &&
               (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
            ++i_;
    }
    void expect(char c, Bad k = Bad::Char) {
        if (peek() != c) bad(k);
        ++i_;
    }
    bool word(const char* w) {
        size_t n = std::strlen(w);
        if (s_.compare(i_, n, w) != 0) return false;
        i_ += n;
        return true;
    }

    static void utf8(std::string& out, uint32_t cp) {
        if (cp < 0x80)
            out.push_back(static_cast<char>(cp));
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
        uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            more();
            if (i_ >= s_.size()) bad();
            char c = s_[i_++];
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= c - '0';
            else if (c >= 'a' && c <= 'f')
                v |= c - 'a' + 10;
            else if (c >= 'A' && c <= 'F')
                v |= c - 'A' + 10;
            else
                bad(Bad::Hex);
        }
        return v;
    }

    std::string string(Bad k = Bad::Char) {
        expect('"', k);
        std::string out;
        for (;;) {
            more();
            if (i_ >= s_.size()) bad();
            char c = s_[i_++];
            if (c == '"') return out;
            if (c != '\\') {
                if (mode_ == LOAD && static_cast<unsigned char>(c) < 0x20) {
                    --i_;
                    bad(Bad::StrChar);
                }
                out.push_back(c);
                continue;
            }
            more();
            if (i_ >= s_.size()) bad();
            char e = s_[i_++];
            switch (e) {
                case '"':
                    out.push_back('"');
                    break;
                case '\\':
                    out.push_back('\\');
                    break;
                case '/':
                    out.push_back('/');
                    break;
                case 'b':
                    out.push_back('\b');
                    break;
                case 'f':
                    out.push_back('\f');
                    break;
                case 'n':
                    out.push_back('\n');
                    break;
                case 'r':
                    out.push_back('\r');
                    break;
                case 't':
                    out.push_back('\t');
                    break;
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
                default:
                    bad(Bad::Escape);
            }
        }
    }

    // A number as JSON writes it: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; anything
    // else (`..`, `.5`, `1.`, `01`, `1e`) is invalid JSON, not a number.
    Value number() {
        size_t b = i_;
        auto digits = [&]() {
            size_t d = i_;
            while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
            return i_ - d;
        };
        if (peek() == '-') ++i_;
        if (peek() == '0') {
            ++i_;
        } else if (digits() == 0) {
            more();
            bad(Bad::Minus);
        }
        bool is_float = false;
        if (peek() == '.') {
            ++i_;
            is_float = true;
            if (digits() == 0) {
                more();
                bad(Bad::Decimal);
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            ++i_;
            is_float = true;
            if (peek() == '+' || peek() == '-') ++i_;
            if (digits() == 0) {
                more();
                bad(Bad::Exponent);
            }
        }
        std::string t(s_.substr(b, i_ - b));
        if (!is_float) {
            errno = 0;
            char* end;
            long long v = std::strtoll(t.c_str(), &end, 10);
            if (errno == ERANGE) {
                if (mode_ == LOAD) bad(Bad::Overflow);
                return Value::number(std::strtod(t.c_str(), nullptr));
            }
            return Value::integer(v);
        }
        return Value::number(std::strtod(t.c_str(), nullptr));
    }

    Value value(int depth) {
        if (depth > 1000) raise(VALUE_ERR, "JSON nested too deep");
        check_stack_depth();
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
            if (peek() == ']') {
                ++i_;
                return out;
            }
            for (;; poll_tick()) {
                Value item = value(depth + 1);
                // Nested lists are tuples in ThingsDB.
                if (item.is(VT::List)) item.list()->tuple = true;
                // What json_load and a client send is made by the query: the list limit.
                if (mode_ == LOAD || mode_ == INPUT) check_list_size(l->items().size() + 1);
                l->items().push_back(std::move(item));
                ws();
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                expect(']', Bad::ArrSep);
                return out;
            }
        }
        if (word("true")) return Value::boolean(true);
        if (word("false")) return Value::boolean(false);
        if (word("null")) return Value::nil();
        if (mode_ == LOAD && (c == '\0' || std::strchr("]},:", c))) bad(Bad::Token);
        if (mode_ == LOAD && c != '-' && !(c >= '0' && c <= '9')) bad(Bad::Token);
        return number();
    }

    // A stored reference {"#": id}, the most frequent object of the stored
    // form (a list of things holds one per item): read without building a
    // key and a value. Leaves the position unchanged when it is not one.
    bool reference(uint64_t& id) {
        size_t j = i_ + 1;
        auto skip = [&] {
            while (j < s_.size() &&
                   (s_[j] == ' ' || s_[j] == '\n' || s_[j] == '\t' || s_[j] == '\r'))
                ++j;
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
        while (j < s_.size() && s_[j] >= '0' && s_[j] <= '9' && j - b < 19)
            v = v * 10 + static_cast<uint64_t>(s_[j++] - '0');
        if (j == b || j - b >= 19) return false;  // none, or long enough to need the general path
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
            for (;; poll_tick()) {
                ws();
                std::string key = string(Bad::Key);
                ws();
                expect(':', Bad::Colon);
                props.push_back({std::move(key), value(depth + 1)});
                ws();
                if (peek() == ',') {
                    ++i_;
                    continue;
                }
                expect('}', Bad::MapSep);
                break;
            }
        }
        if (mode_ == STORED) return stored_object(std::move(props));
        if (mode_ == INPUT && !(depth == 0 && envelope_)) return input_object(std::move(props));
        if (mode_ == CATALOG) {
            Thing* t = new Thing();
            Value out = make_thing(t);
            t->props_ = std::move(props);
            return out;
        }
        return plain_thing(std::move(props));
    }

    // A new thing of a client's properties. One-character keys from ` ` to `/` are reserved
    // (`#` is the id, `!` holds the restriction of stored properties), as for an assignment.
    static Value plain_thing(Props&& props) {
        for (const Prop& p : props)
            if (p.key.size() == 1 && p.key[0] >= 0x20 && p.key[0] <= 0x2f)
                raisef(VALUE_ERR, "property `%c` is reserved", p.key[0]);
        Thing* t = new Thing();
        Value out = make_thing(t);
        t->props_ = std::move(props);
        return out;
    }

    static const Value* prop_of(const Props& props, const char* key) {
        for (const Prop& p : props)
            if (p.key == key) return &p.val;
        return nullptr;
    }

    // What ThingsDB makes of an object in a client's arguments, by its reserved key:
    // {"#": id} a thing of the collection that exists, {"$": [things]} a set, {"/": source} a
    // closure, {"*": "/pattern/flags"} a regex, {"!": .., "error_msg": .., "error_code": ..}
    // an error. Nothing of the stored form is read (no restriction, no tagged object, no id
    // that is not looked up). The other reserved keys (wraps, enum members, Type instances)
    // would build internal state from client data: refused, as any other reserved key.
    Value input_object(Props&& props) {
        const Value* v = nullptr;
        if ((v = prop_of(props, "#"))) {
            if (!coll_) raise(BAD_DATA_ERR, "cannot unpack a `thing` without a collection");
            if (!v->is(VT::Int) || v->as_int() < 0)
                raise(TYPE_ERR, "expecting an integer value as thing id");
            uint64_t id = static_cast<uint64_t>(v->as_int());
            if (props.size() != 1)
                raisef(BAD_DATA_ERR,
                       "cannot directly assign properties to `#%llu` by adding properties to the "
                       "data; change the thing to {\"#\": %llu}",
                       static_cast<unsigned long long>(id), static_cast<unsigned long long>(id));
            Value t = id ? coll_->thing_by_id(id) : Value::nil();
            if (!t.is(VT::Thing))
                raisef(LOOKUP_ERR,
                       "thing `#%llu` not found; if you want to create a new thing then remove "
                       "the id (`#`) and try again",
                       static_cast<unsigned long long>(id));
            return t;
        }
        if ((v = prop_of(props, "$"))) {
            if (props.size() != 1 || !v->is(VT::List))
                raise(BAD_DATA_ERR,
                      "sets must be written according the following syntax: {\"$\": [...]}");
            auto* set = new SetObj();
            Value out = Value::obj(VT::Set, set);
            for (const Value& item : v->list()->items()) {
                if (!item.is(VT::Thing)) raise(TYPE_ERR, "sets can only contain things");
                set->add(item.thing());
            }
            return out;
        }
        if ((v = prop_of(props, "/"))) {
            if (props.size() != 1 || !v->is(VT::Str))
                raise(BAD_DATA_ERR,
                      "closures must be written according the following syntax: "
                      "{\"/\": \"...\"}");
            return closure_from_source(v->as_str());
        }
        if ((v = prop_of(props, "*"))) {
            const std::string* r = v->is(VT::Str) ? &v->as_str() : nullptr;
            size_t e = r ? r->rfind('/') : 0;
            if (props.size() != 1 || !r || r->size() < 2 || (*r)[0] != '/' || e == 0)
                raise(BAD_DATA_ERR,
                      "regular expressions must be written according the following syntax: "
                      "{\"*\": \"...\"}");
            return make_regex(r->substr(1, e - 1), r->substr(e + 1));
        }
        if ((v = prop_of(props, "!"))) {
            const Value* msg = prop_of(props, "error_msg");
            const Value* code = prop_of(props, "error_code");
            if (props.size() != 3 || !v->is(VT::Str) || !msg || !msg->is(VT::Str) ||
                msg->as_str().size() > 1024 || !code || !code->is(VT::Int) ||
                code->as_int() < -127 || code->as_int() > -50)
                raise(BAD_DATA_ERR,
                      "errors must be written according the following syntax: "
                      "{\"!\": \"..err()\",\"error_msg\": \"..msg\",\"error_code\": code}");
            return make_error(static_cast<int>(code->as_int()), msg->as_str());
        }
        return plain_thing(std::move(props));
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
                return Value::number(v.as_str() == "nan"    ? NAN
                                     : v.as_str() == "-inf" ? -INFINITY
                                                            : INFINITY);
            case 's': {
                if (!v.is(VT::List)) bad();
                auto* s = new SetObj();
                Value out = Value::obj(VT::Set, s);
                for (const Value& idv : v.list()->items()) {
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
            case 'o': {  // {"!o": id}: a room (room.h)
                if (!v.is(VT::Int) || v.as_int() <= 0) bad();
                uint64_t id = static_cast<uint64_t>(v.as_int());
                if (refs_) refs_->push_back(id | kRoomRef);
                if (!coll_) return Value::nil();
                return coll_->room_ref(id);
            }
            case 'm': {  // {"!m": [enum_id, member id]}: an enum member
                if (!v.is(VT::List) || v.list()->items().size() != 2) bad();
                auto& it = v.list()->items();
                if (!it[0].is(VT::Int) || !it[1].is(VT::Int)) bad();
                if (!stored_member_hook) return Value::nil();
                return stored_member_hook(static_cast<uint32_t>(it[0].as_int()),
                                          static_cast<uint32_t>(it[1].as_int()));
            }
            case 'w': {  // {"!w": [type_id, {"#": id}]}: a thing wrapped in a Type
                if (!v.is(VT::List) || v.list()->items().size() != 2) bad();
                auto& it = v.list()->items();
                if (!it[0].is(VT::Int) || it[0].as_int() < 0) bad();
                if (!it[1].is(VT::Thing)) return Value::nil();  // no collection: refs only
                auto* w = new WrapObj();
                w->thing = Ref<Thing>(it[1].thing());
                w->type_id = static_cast<uint32_t>(it[0].as_int());
                w->label = "<thing>";  // the Type's name when asked (hook_type_name)
                return Value::obj(VT::Wrap, w);
            }
            case 'k':  // {"!k": id}: a task of the collection
                if (!v.is(VT::Int)) bad();
                return stored_task(static_cast<uint64_t>(v.as_int()));
            case 'e': {
                if (!v.is(VT::List) || v.list()->items().size() != 2) bad();
                auto& it = v.list()->items();
                if (!it[0].is(VT::Int) || !it[1].is(VT::Str)) bad();
                return make_error(static_cast<int>(it[0].as_int()), it[1].as_str());
            }
            case 'd':  // {"!d": [ts, offset minutes, zone or null]}; "!t" a timeval
            case 't': {
                if (!v.is(VT::List) || v.list()->items().size() != 3) bad();
                auto& it = v.list()->items();
                if (!it[0].is(VT::Int) || !it[1].is(VT::Int) ||
                    !(it[2].is(VT::Str) || it[2].is_nil()))
                    bad();
                const TimeZone* tz = it[2].is(VT::Str) ? tz_find(it[2].as_str()) : nullptr;
                if (it[2].is(VT::Str) && !tz) tz = tz_utc();
                return make_datetime(it[0].as_int(), static_cast<int>(it[1].as_int()), tz,
                                     tag == 't');
            }
            default:
                bad();
        }
    }
};

}  // namespace

Value json_load_value(Query&, std::string_view text) {
    Reader r(text, Reader::LOAD, nullptr, nullptr);
    return r.document();
}

Value json_catalog_value(std::string_view text) {
    Reader r(text, Reader::CATALOG, nullptr, nullptr);
    return r.document();
}

Value json_input_value(Query& q, std::string_view text, bool envelope) {
    Reader r(text, Reader::INPUT, q.collection(), nullptr);
    r.envelope_ = envelope;
    return r.document();
}

uint64_t (*restriction_decode_hook)(const std::string& stored) = nullptr;
std::string (*restriction_encode_hook)(uint64_t restriction) = nullptr;

void decode_props(Collection& c, Thing* t, std::string_view json, std::vector<uint64_t>* refs) {
    Reader r(json, Reader::STORED, &c, refs);
    r.props(t);
}

Value stored_object(Props&& props, Collection* coll, std::vector<uint64_t>* refs) {
    Reader r(std::string_view(), Reader::STORED, coll, refs);
    return r.stored_object(std::move(props));
}

std::vector<uint64_t> refs_of(std::string_view json) {
    std::vector<uint64_t> refs;
    // References are written as {"#": id}, {"!s": [ids]} (things) and {"!o": id}
    // (rooms) only (StoredForm): text holding none of these keys holds none, and is
    // not parsed (a drop of many plain things reads each one's props here).
    if (json.find("\"#\"") == std::string_view::npos &&
        json.find("\"!s\"") == std::string_view::npos &&
        json.find("\"!o\"") == std::string_view::npos)
        return refs;
    Thing tmp;
    Reader r(json, Reader::STORED, nullptr, &refs);
    r.props(&tmp);
    return refs;
}

}  // namespace tdb
