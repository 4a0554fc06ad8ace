// Properties written as jsonb: the core's encoder events (codec.h PropsEncoder) recorded as a
// byte stream while the query runs C++, and turned into jsonb inside pg_call with
// pushJsonbValue, without JSON text.
#include "pg/storage/jsonb.h"

#include <cstring>
#include <stdexcept>

extern "C" {
#include "catalog/pg_type.h"
#include "miscadmin.h"
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

namespace {

// The stream written as jsonb's binary form directly, byte for byte what convertToJsonb makes of
// the JsonbValue tree pushJsonbValue would build (no tree: a list of 100,000 things was ~350
// bytes of tree per item): containers int-aligned, their JEntries reserved ahead and filled as
// the children are written, every JB_OFFSET_STRIDE'th one an end offset; an object's keys
// sorted by length then bytes (a repeated key keeps its last value), keys before values;
// numerics int-aligned, as their own 4-byte-header varlena.
class JsonbWriter {
public:
    explicit JsonbWriter(const char* end) : end_(end) { initStringInfo(&buf_); }
    StringInfo buf() { return &buf_; }
    // Writes the value at p (advanced past it); returns its JEntry.
    uint32 value(const char*& p, int level);

private:
    StringInfoData buf_;
    const char* end_;

    [[noreturn]] static void bad() { elog(ERROR, "thingsdb: bad stored properties stream"); }
    uint32_t length(const char*& p) const {
        if (end_ - p < 4) bad();
        uint32_t n;
        memcpy(&n, p, sizeof n);
        p += sizeof n;
        if (static_cast<size_t>(end_ - p) < n) bad();
        return n;
    }
    // One value of the stream skipped, nested containers included; p ends past it.
    void skip(const char*& p) const;
    int pad() {
        int padlen = INTALIGN(buf_.len) - buf_.len;
        if (padlen > 0) appendBinaryStringInfo(&buf_, "\0\0\0", padlen);
        return padlen;
    }
    uint32 numeric(Numeric n) {
        int padlen = pad();
        int numlen = static_cast<int>(VARSIZE_ANY(n));
        appendBinaryStringInfo(&buf_, reinterpret_cast<const char*>(n), numlen);
        pfree(n);
        return JENTRY_ISNUMERIC | static_cast<uint32>(padlen + numlen);
    }
    static void check_total(size_t total, bool object) {
        if (total > JENTRY_OFFLENMASK)
            ereport(
                ERROR,
                (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
                 errmsg(object ? "total size of jsonb object elements exceeds the maximum of %u "
                                 "bytes"
                               : "total size of jsonb array elements exceeds the maximum of %u "
                                 "bytes",
                        JENTRY_OFFLENMASK)));
    }
    // The JEntry of child i of a container whose children so far take `total` bytes.
    static uint32 entry(uint32 meta, int i, uint32& total, bool object) {
        check_total(static_cast<size_t>(total) + JBE_OFFLENFLD(meta), object);
        total += JBE_OFFLENFLD(meta);
        if (i % JB_OFFSET_STRIDE == 0) meta = (meta & JENTRY_TYPEMASK) | total | JENTRY_HAS_OFF;
        return meta;
    }
    // The container begun at base (before its padding) is complete: its JEntry.
    uint32 finish(int base, bool object) {
        check_total(static_cast<size_t>(buf_.len - base), object);
        return JENTRY_ISCONTAINER | static_cast<uint32>(buf_.len - base);
    }
    uint32 array(const char*& p, int level);
    uint32 object(const char*& p, int level);
};

// A string of the stream as jsonb_in would accept it (or its error).
void check_string(const char* p, uint32_t n) {
    JsonbValue v;
    stream_string(v, p, n);
}

void JsonbWriter::skip(const char*& p) const {
    int nest = 0;
    do {
        if (p >= end_) bad();
        switch (*p++) {
            case '{':
            case '[':
                ++nest;
                break;
            case '}':
            case ']':
                if (--nest < 0) bad();
                break;
            case 'k':
            case 's':
            case 'a':
                p += length(p);
                break;
            case 'd':
                p += length(p);
                if (p >= end_) bad();
                ++p;
                break;
            case 'i':
                if (end_ - p < 8) bad();
                p += 8;
                break;
            case 'n':
            case 't':
            case 'f':
                break;
            default:
                bad();
        }
    } while (nest > 0);
}

uint32 JsonbWriter::value(const char*& p, int level) {
    if (p >= end_) bad();
    switch (*p++) {
        case '{':
            return object(p, level);
        case '[':
            return array(p, level);
        case 's': {
            uint32_t n = length(p);
            check_string(p, n);
            appendBinaryStringInfo(&buf_, p, static_cast<int>(n));
            p += n;
            return JENTRY_ISSTRING | n;
        }
        case 'n':
            return JENTRY_ISNULL;
        case 't':
            return JENTRY_ISBOOL_TRUE;
        case 'f':
            return JENTRY_ISBOOL_FALSE;
        case 'i': {
            if (end_ - p < 8) bad();
            int64 i;
            memcpy(&i, p, sizeof i);
            p += sizeof i;
            return numeric(int64_to_numeric(i));
        }
        case 'd': {
            uint32_t n = length(p);
            if (p + n >= end_ || p[n] != '\0') bad();
            Numeric num = DatumGetNumeric(DirectFunctionCall3(
                numeric_in, CStringGetDatum(p), ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
            p += n + 1;
            return numeric(num);
        }
        case 'a': {
            // An array container as stored: its bytes are what converting its items gives
            // (offsets are relative to the container, alignment to its int-aligned start).
            uint32_t n = length(p);
            int base = buf_.len;
            pad();
            appendBinaryStringInfo(&buf_, p, static_cast<int>(n));
            p += n;
            return finish(base, false);
        }
        default:
            bad();
    }
}

uint32 JsonbWriter::array(const char*& p, int level) {
    check_stack_depth();
    int base = buf_.len;
    pad();
    uint32 count = 0;
    for (const char* q = p; (q < end_ ? *q : ']') != ']'; ++count) {
        if ((count & 1023) == 0) CHECK_FOR_INTERRUPTS();
        skip(q);
    }
    if (count > JB_CMASK) bad();
    uint32 header = count | JB_FARRAY;
    appendBinaryStringInfo(&buf_, reinterpret_cast<const char*>(&header), sizeof header);
    int at = buf_.len;
    enlargeStringInfo(&buf_, static_cast<int>(sizeof(JEntry) * count));
    buf_.len += static_cast<int>(sizeof(JEntry) * count);
    uint32 total = 0;
    for (uint32 i = 0; i < count; ++i) {
        if ((i & 1023) == 0) CHECK_FOR_INTERRUPTS();
        uint32 meta = entry(value(p, level + 1), static_cast<int>(i), total, false);
        memcpy(buf_.data + at + sizeof(JEntry) * i, &meta, sizeof meta);
    }
    if (p >= end_ || *p != ']') bad();
    ++p;
    return finish(base, false);
}

struct StreamPair {
    const char* key;
    uint32_t len;
    uint32_t order;
    const char* val;
};

int pair_cmp(const void* a, const void* b) {
    auto* x = static_cast<const StreamPair*>(a);
    auto* y = static_cast<const StreamPair*>(b);
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    int c = memcmp(x->key, y->key, x->len);
    if (c) return c;
    return x->order < y->order ? -1 : 1;
}

uint32 JsonbWriter::object(const char*& p, int level) {
    check_stack_depth();
    int base = buf_.len;
    pad();
    uint32 count = 0;
    for (const char* q = p; q < end_ && *q == 'k'; ++count) {
        ++q;
        q += length(q);
        skip(q);
    }
    StreamPair* pairs = static_cast<StreamPair*>(palloc(sizeof(StreamPair) * (count ? count : 1)));
    for (uint32 i = 0; i < count; ++i) {
        if ((i & 1023) == 0) CHECK_FOR_INTERRUPTS();
        ++p;  // 'k'
        uint32_t n = length(p);
        check_string(p, n);
        pairs[i] = {p, n, i, p + n};
        p += n;
        skip(p);
    }
    if (p >= end_ || *p != '}') bad();
    ++p;
    const char* after = p;
    // Sorted as jsonb orders keys; of a repeated key the last value stays (uniqueifyJsonbObject).
    uint32 n = count;
    if (count > 1) {
        qsort(pairs, count, sizeof(StreamPair), pair_cmp);
        n = 0;
        for (uint32 i = 0; i < count; ++i) {
            bool last_of_key = i + 1 == count || pairs[i + 1].len != pairs[i].len ||
                               memcmp(pairs[i + 1].key, pairs[i].key, pairs[i].len) != 0;
            if (last_of_key) pairs[n++] = pairs[i];
        }
    }
    if (n > JB_CMASK) bad();
    uint32 header = n | JB_FOBJECT;
    appendBinaryStringInfo(&buf_, reinterpret_cast<const char*>(&header), sizeof header);
    int at = buf_.len;
    enlargeStringInfo(&buf_, static_cast<int>(sizeof(JEntry) * 2 * n));
    buf_.len += static_cast<int>(sizeof(JEntry) * 2 * n);
    uint32 total = 0;
    for (uint32 i = 0; i < n; ++i) {
        appendBinaryStringInfo(&buf_, pairs[i].key, static_cast<int>(pairs[i].len));
        uint32 meta = entry(JENTRY_ISSTRING | pairs[i].len, static_cast<int>(i), total, true);
        memcpy(buf_.data + at + sizeof(JEntry) * i, &meta, sizeof meta);
    }
    for (uint32 i = 0; i < n; ++i) {
        if ((i & 1023) == 0) CHECK_FOR_INTERRUPTS();
        const char* v = pairs[i].val;
        uint32 meta = entry(value(v, level + 1), static_cast<int>(i + n), total, true);
        memcpy(buf_.data + at + sizeof(JEntry) * (i + n), &meta, sizeof meta);
    }
    pfree(pairs);
    p = after;
    return finish(base, true);
}

}  // namespace

Jsonb* stream_to_jsonb(const char* p, size_t len) {
    const char* end = p + len;
    JsonbWriter w(end);
    StringInfo buf = w.buf();
    appendStringInfoSpaces(buf, VARHDRSZ);
    if (len > 0 && *p != '{' && *p != '[') {
        // A scalar alone: a one-item array flagged as scalar, as jsonb stores it.
        uint32 header = 1 | JB_FARRAY | JB_FSCALAR;
        appendBinaryStringInfo(buf, reinterpret_cast<const char*>(&header), sizeof header);
        int at = buf->len;
        appendStringInfoSpaces(buf, sizeof(JEntry));
        uint32 total = 0;
        uint32 meta = w.value(p, 1);
        total += JBE_OFFLENFLD(meta);
        meta = (meta & JENTRY_TYPEMASK) | total | JENTRY_HAS_OFF;
        memcpy(buf->data + at, &meta, sizeof meta);
    } else {
        (void)w.value(p, 0);
    }
    if (p != end) elog(ERROR, "thingsdb: bad stored properties stream");
    Jsonb* res = reinterpret_cast<Jsonb*>(buf->data);
    SET_VARSIZE(res, buf->len);
    return res;
}

namespace {
template <class At>
Datum jsonb_array_of(At at, int n, MemoryContext tmp) {
    Datum* d = static_cast<Datum*>(palloc(sizeof(Datum) * (n ? n : 1)));
    MemoryContext outer = CurrentMemoryContext;
    for (int i = 0; i < n; i++) {
        MemoryContextSwitchTo(tmp);
        const char* p;
        size_t len;
        at(i, p, len);
        Jsonb* jb = stream_to_jsonb(p, len);
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
}  // namespace

Datum jsonb_array(const std::string_view* const* v, int n, MemoryContext tmp) {
    return jsonb_array_of(
        [v](int i, const char*& p, size_t& len) {
            p = v[i]->data();
            len = v[i]->size();
        },
        n, tmp);
}

Datum jsonb_array(const std::string_view* v, int n, MemoryContext tmp) {
    return jsonb_array_of(
        [v](int i, const char*& p, size_t& len) {
            p = v[i].data();
            len = v[i].size();
        },
        n, tmp);
}

}  // namespace tdb::pg
