// Properties written as jsonb: the core's encoder events (codec.h PropsEncoder) recorded as a
// byte stream while the query runs C++, and turned into jsonb inside pg_call with
// pushJsonbValue, without JSON text.
#include "pg/storage/jsonb.h"

#include <cstring>
#include <stdexcept>

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"
}

namespace tdb::pg {

// The jsonb is the one jsonb_in makes of the text the JSON writer would give: numbers become
// numerics as numeric_in makes them (integers through int64_to_numeric, which gives the same
// numeric; floats from the writer's own text), and the string checks of jsonb_in are repeated
// (no NUL, which jsonb_in refuses as \u0000; the length limit of a jsonb string).
// Stream: one tag byte each; 'k', 's' and 'd' are followed by a 4-byte length and the bytes
// ('d' also by a NUL), 'i' by 8 bytes; 'a' (an array container as stored, JsonbList) by a
// 4-byte length and its bytes.

namespace {

class JsonbStreamEncoder final : public PropsEncoder {
public:
    void begin_object() override { out->push_back('{'); }
    void key(std::string_view k) override { bytes('k', k); }
    void end_object() override { out->push_back('}'); }
    void begin_array() override { out->push_back('['); }
    void end_array() override { out->push_back(']'); }
    void null() override { out->push_back('n'); }
    void boolean(bool b) override { out->push_back(b ? 't' : 'f'); }
    void integer(int64_t i) override {
        out->push_back('i');
        out->append(reinterpret_cast<const char*>(&i), sizeof i);
    }
    void number(double, std::string_view text) override {
        bytes('d', text);
        out->push_back('\0');
    }
    void string(std::string_view s) override { bytes('s', s); }
    // A list kept as stored goes back as the bytes of its container: its items are
    // neither decoded nor encoded again.
    bool copy_list(const ListSource& src) override {
        std::string_view c;
        if (!jsonb_list_bytes(src, c, scratch_)) return false;
        bytes('a', c);
        scratch_.clear();  // a list read from out of line: not kept past its copy
        scratch_.shrink_to_fit();
        return true;
    }

private:
    std::string scratch_;
    void bytes(char tag, std::string_view s) {
        if (s.size() > 0xffffffffu) throw std::length_error("string too long to store");
        uint32_t n = static_cast<uint32_t>(s.size());
        out->push_back(tag);
        out->append(reinterpret_cast<const char*>(&n), sizeof n);
        out->append(s.data(), s.size());
    }
};

JsonbStreamEncoder stream_encoder;

// A string of the stream as jsonb_in would accept it (or its error).
void stream_string(JsonbValue& v, const char* p, uint32_t n) {
    if (memchr(p, '\0', n))
        ereport(ERROR, (errcode(ERRCODE_UNTRANSLATABLE_CHARACTER),
                        errmsg("unsupported Unicode escape sequence"),
                        errdetail("\\u0000 cannot be converted to text.")));
    if (n > JENTRY_OFFLENMASK)
        ereport(ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg("string too long to represent as jsonb string"),
                 errdetail(
                     "Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
                     JENTRY_OFFLENMASK)));
    v.type = jbvString;
    v.val.string.len = static_cast<int>(n);
    v.val.string.val = const_cast<char*>(p);
}

}  // namespace

PropsEncoder* jsonb_stream_encoder() { return &stream_encoder; }

Jsonb* stream_to_jsonb(const char* p, size_t len) {
    const char* end = p + len;
    JsonbParseState* st = nullptr;
    JsonbValue* res = nullptr;
    while (p < end) {
        char tag = *p++;
        JsonbValue v;
        uint32_t n = 0;
        if (tag == 'k' || tag == 's' || tag == 'd' || tag == 'a') {
            memcpy(&n, p, sizeof n);
            p += sizeof n;
        }
        switch (tag) {
            case '{':
                res = pushJsonbValue(&st, WJB_BEGIN_OBJECT, nullptr);
                continue;
            case '}':
                res = pushJsonbValue(&st, WJB_END_OBJECT, nullptr);
                continue;
            case '[':
                res = pushJsonbValue(&st, WJB_BEGIN_ARRAY, nullptr);
                continue;
            case ']':
                res = pushJsonbValue(&st, WJB_END_ARRAY, nullptr);
                continue;
            case 'k':
                stream_string(v, p, n);
                p += n;
                res = pushJsonbValue(&st, WJB_KEY, &v);
                continue;
            case 's':
                stream_string(v, p, n);
                p += n;
                break;
            case 'n':
                v.type = jbvNull;
                break;
            case 'a': {
                // An array container as stored: pushJsonbValue walks it in (an aligned copy,
                // as jsonb reads it in place).
                char* c = static_cast<char*>(palloc(n ? n : 1));
                memcpy(c, p, n);
                p += n;
                v.type = jbvBinary;
                v.val.binary.data = reinterpret_cast<JsonbContainer*>(c);
                v.val.binary.len = static_cast<int>(n);
                break;
            }
            case 't':
            case 'f':
                v.type = jbvBool;
                v.val.boolean = tag == 't';
                break;
            case 'i': {
                int64 i;
                memcpy(&i, p, sizeof i);
                p += sizeof i;
                v.type = jbvNumeric;
                v.val.numeric = int64_to_numeric(i);
                break;
            }
            case 'd':
                v.type = jbvNumeric;
                v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(p),
                                                                    ObjectIdGetDatum(InvalidOid),
                                                                    Int32GetDatum(-1)));
                p += n + 1;
                break;
            default:
                elog(ERROR, "thingsdb: bad stored properties stream");
        }
        res = pushJsonbValue(&st, st->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE, &v);
    }
    return JsonbValueToJsonb(res);
}

Datum jsonb_array(const std::string* const* v, int n, MemoryContext tmp) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    MemoryContext outer = CurrentMemoryContext;
    for (int i = 0; i < n; i++) {
        MemoryContextSwitchTo(tmp);
        Jsonb* jb = stream_to_jsonb(v[i]->data(), v[i]->size());
        MemoryContextSwitchTo(outer);
        Jsonb* copy = static_cast<Jsonb*>(palloc(VARSIZE(jb)));
        memcpy(copy, jb, VARSIZE(jb));
        d[i] = PointerGetDatum(copy);
        MemoryContextReset(tmp);
    }
    ArrayType* a = construct_array(d, n, JSONBOID, -1, false, TYPALIGN_INT);
    for (int i = 0; i < n; i++) pfree(DatumGetPointer(d[i]));
    pfree(d);
    return PointerGetDatum(a);
}

}  // namespace tdb::pg
