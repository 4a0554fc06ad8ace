// Stored properties read from the bytes of their jsonb: a walk of jsonb's binary form and of
// numeric's on-disk form into the core's PropsBuilder, with no JSON text and no call into
// PostgreSQL; every offset is checked against the bytes given.
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/api/storage.h"

#include "pg/storage/jsonb.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace tdb::pg {

namespace {

// Properties are handed to the core as the bytes of their jsonb (a plain
// copy) and walked into its values by this decoder: no JSON text in between,
// and no call into PostgreSQL. It reads jsonb's binary form (utils/jsonb.h:
// a container is a header with the count and kind, then one JEntry per key
// and value, an object's keys first, then the data; numerics and containers
// start int-aligned) and numeric's on-disk form (utils/adt/numeric.c), and
// checks every offset against the bytes it was given: damaged bytes are an
// error, never a read outside them. Numbers keep the meaning the text had:
// an integer when the numeric has no fraction digits (display scale 0) and
// fits an int64, else a float (strtod of the numeric's exact decimal text).
class JsonbDecoder final : public PropsDecoder {
public:
    void decode(std::string_view bin, PropsBuilder& b) const override;
};

const JsonbDecoder decoder;

[[noreturn]] void bad_props() { raise(VALUE_ERR, "invalid stored properties"); }

uint32_t load_u32(const char* p) {
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

uint16_t load_u16(const char* p) {
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

// What decode_numeric gives when the caller wants only an integer.
struct RefSink {
    bool is_int = false;
    int64_t value = 0;
    void integer(int64_t v) {
        is_int = true;
        value = v;
    }
    void number(double) { is_int = false; }
};

// A numeric of `len` bytes at p (a varlena, usually with a 4-byte header).
template <class Sink>
void decode_numeric(const char* p, size_t len, Sink& b) {
    size_t hdr = 0, size = 0;
    if (len >= 1 && VARATT_IS_1B(p) && !VARATT_IS_1B_E(p)) {
        hdr = VARHDRSZ_SHORT;
        size = VARSIZE_1B(p);
    } else if (len >= VARHDRSZ && VARATT_IS_4B_U(p)) {
        hdr = VARHDRSZ;
        uint32_t word = load_u32(p);
        size = VARSIZE(&word);
    } else {
        bad_props();
    }
    if (size < hdr + 2 || size > len) bad_props();
    const char* d = p + hdr;
    uint16_t head = load_u16(d);
    int weight, dscale;
    bool neg;
    const char* digits;
    if ((head & 0xC000) == 0x8000) {  // short form
        neg = (head & 0x2000) != 0;
        dscale = (head & 0x1F80) >> 7;
        weight =
            (head & 0x0040) ? static_cast<int>(head | ~0x003F) : static_cast<int>(head & 0x003F);
        digits = d + 2;
    } else if ((head & 0xC000) == 0xC000) {  // NaN, infinities: not in JSON
        bad_props();
    } else {  // long form: sign and display scale, then the weight
        if (size < hdr + 4) bad_props();
        neg = (head & 0xC000) == 0x4000;
        dscale = head & 0x3FFF;
        weight = static_cast<int16_t>(load_u16(d + 2));
        digits = d + 4;
    }
    size_t ndigits = static_cast<size_t>(p + size - digits) / 2;
    auto digit = [&](long i) -> int {
        if (i < 0 || static_cast<size_t>(i) >= ndigits) return 0;
        int v = static_cast<int16_t>(load_u16(digits + 2 * i));
        if (v < 0 || v > 9999) bad_props();
        return v;
    };
    if (dscale == 0 && weight <= 3) {
        // An integer of at most 16 digits (ids, counters: the most frequent
        // case): base-10000 digits 0..weight, past the stored ones zeros.
        int64_t v = 0;
        for (int i = 0; i <= weight; ++i) v = v * 10000 + digit(i);
        b.integer(neg ? -v : v);
        return;
    }
    if (dscale == 0 && weight == 4) {
        unsigned __int128 v = 0;
        for (int i = 0; i <= weight; ++i) v = v * 10000 + static_cast<unsigned>(digit(i));
        unsigned __int128 limit = neg ? (static_cast<unsigned __int128>(INT64_MAX) + 1) : INT64_MAX;
        if (v <= limit) {
            b.integer(neg ? static_cast<int64_t>(-static_cast<__int128>(v))
                          : static_cast<int64_t>(v));
            return;
        }
    }
    // The exact decimal text, then strtod (as of numeric_out's text).
    std::string t;
    t.reserve(8 + 4 * (ndigits + static_cast<size_t>(weight < 0 ? -weight : weight)));
    if (neg) t.push_back('-');
    char buf[8];
    if (weight < 0) {
        t.push_back('0');
    } else {
        for (int i = 0; i <= weight; ++i) {
            snprintf(buf, sizeof buf, i == 0 ? "%d" : "%04d", digit(i));
            t += buf;
        }
    }
    long last = static_cast<long>(ndigits) - 1;
    if (last > weight) {
        t.push_back('.');
        for (long i = weight + 1; i <= last; ++i) {
            snprintf(buf, sizeof buf, "%04d", digit(i));
            t += buf;
        }
    }
    b.number(strtod(t.c_str(), nullptr));
}

void JsonbDecoder::decode(std::string_view bin, PropsBuilder& b) const {
    // One level of the walk: a container and the next entry to visit.
    struct Level {
        const char* children;  // the JEntries
        const char* data;      // where the data begins
        uint32_t count;        // keys (objects) or elements (arrays)
        bool object;
        uint32_t next = 0;     // the next key or element
        uint32_t key_off = 0;  // running offsets: keys, then values
        uint32_t val_off = 0;
    };
    const char* begin = bin.data();
    const char* end = begin + bin.size();
    // The stack is kept from one thing to the next (no allocation per
    // thing); a decode nested in another one gets its own.
    static std::vector<Level> shared;
    static bool busy = false;
    std::vector<Level> local;
    std::vector<Level>& stack = busy ? local : shared;
    struct Busy {
        bool was;
        std::vector<Level>& st;
        ~Busy() {
            busy = was;
            st.clear();
        }
    } guard{busy, stack};
    busy = true;
    stack.clear();

    // Offset and length of entry `je` when the previous entries end at off.
    auto entry = [](uint32_t je, uint32_t& off, uint32_t& start, uint32_t& len) {
        start = off;
        uint32_t f = je & JENTRY_OFFLENMASK;
        if (je & JENTRY_HAS_OFF) {
            if (f < off) bad_props();
            len = f - off;
            off = f;
        } else {
            len = f;
            off += f;
        }
    };
    auto open = [&](const char* p, size_t avail) {
        if (avail < 4 || static_cast<uintptr_t>(p - begin) % 4 != 0) bad_props();
        uint32_t header = load_u32(p);
        uint32_t count = header & JB_CMASK;
        bool object = (header & JB_FOBJECT) != 0;
        if (!object && !(header & JB_FARRAY)) bad_props();
        uint64_t entries = object ? 2ull * count : count;
        if ((avail - 4) / 4 < entries) bad_props();
        Level l;
        l.children = p + 4;
        l.data = l.children + 4 * entries;
        l.count = count;
        l.object = object;
        if (object) {
            // The values' offsets start where the keys' data ends.
            uint32_t off = 0, start, len;
            for (uint32_t i = 0; i < count; ++i)
                entry(load_u32(l.children + 4 * i), off, start, len);
            l.val_off = off;
        }
        if (static_cast<size_t>(end - l.data) < l.val_off) bad_props();
        if (object && count == 1 && !stack.empty()) {
            // A reference {"#": id}, the most frequent nested object (a
            // list of things is a list of them): straight to the builder.
            uint32_t kje = load_u32(l.children), vje = load_u32(l.children + 4);
            uint32_t klen = kje & JENTRY_OFFLENMASK;  // the first entry's length or end: the same
            if ((kje & JENTRY_TYPEMASK) == JENTRY_ISSTRING && klen == 1 && l.val_off == 1 &&
                static_cast<size_t>(end - l.data) >= 1 && l.data[0] == '#' &&
                (vje & JENTRY_TYPEMASK) == JENTRY_ISNUMERIC) {
                uint32_t voff = 1, start, len;
                entry(vje, voff, start, len);
                if (static_cast<size_t>(end - l.data) < static_cast<size_t>(start) + len)
                    bad_props();
                uint32_t pad = INTALIGN(start) - start;
                if (pad > len) bad_props();
                RefSink sink;
                decode_numeric(l.data + start + pad, len - pad, sink);
                if (sink.is_int && sink.value >= 0) {
                    b.reference(static_cast<uint64_t>(sink.value));
                    return;
                }
            }
        }
        if (object)
            b.begin_object(count);
        else
            b.begin_array(count);
        stack.push_back(l);
    };
    // The value of JEntry je at [start, start + len) of level l's data.
    auto value = [&](const Level& l, uint32_t je, uint32_t start, uint32_t len) {
        if (static_cast<size_t>(end - l.data) < static_cast<size_t>(start) + len) bad_props();
        const char* p = l.data + start;
        switch (je & JENTRY_TYPEMASK) {
            case JENTRY_ISSTRING:
                b.string(std::string_view(p, len));
                break;
            case JENTRY_ISNULL:
                b.null();
                break;
            case JENTRY_ISBOOL_FALSE:
                b.boolean(false);
                break;
            case JENTRY_ISBOOL_TRUE:
                b.boolean(true);
                break;
            case JENTRY_ISNUMERIC:
            case JENTRY_ISCONTAINER: {
                uint32_t pad = INTALIGN(start) - start;  // the data starts int-aligned
                if (pad > len) bad_props();
                if ((je & JENTRY_TYPEMASK) == JENTRY_ISNUMERIC)
                    decode_numeric(p + pad, len - pad, b);
                else
                    open(p + pad, len - pad);
                break;
            }
            default:
                bad_props();
        }
    };

    if (bin.size() < VARHDRSZ) bad_props();
    {
        uint32_t word = load_u32(begin);
        if (!VARATT_IS_4B_U(&word) || VARSIZE(&word) != bin.size()) bad_props();
    }
    open(begin + VARHDRSZ, bin.size() - VARHDRSZ);
    if (!stack.back().object) bad_props();  // properties are an object
    while (!stack.empty()) {
        Level& l = stack.back();
        if (l.next == l.count) {
            bool object = l.object;
            stack.pop_back();
            if (object)
                b.end_object();
            else
                b.end_array();
            continue;
        }
        uint32_t i = l.next++;
        uint32_t start, len;
        if (l.object) {
            uint32_t kje = load_u32(l.children + 4 * i);
            entry(kje, l.key_off, start, len);
            if ((kje & JENTRY_TYPEMASK) != JENTRY_ISSTRING ||
                static_cast<size_t>(end - l.data) < static_cast<size_t>(start) + len)
                bad_props();
            b.key(std::string_view(l.data + start, len));
            uint32_t vje = load_u32(l.children + 4 * (l.count + i));
            entry(vje, l.val_off, start, len);
            value(l, vje, start, len);  // may push a level: `l` is not used after
        } else {
            uint32_t je = load_u32(l.children + 4 * i);
            entry(je, l.key_off, start, len);
            value(l, je, start, len);
        }
    }
}

}  // namespace

const PropsDecoder* jsonb_decoder() { return &decoder; }

}  // namespace tdb::pg
