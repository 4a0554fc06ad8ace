// Stored properties read from the bytes of their jsonb: a walk of jsonb's binary form and of
// numeric's on-disk form into the core's PropsBuilder, with no JSON text; every offset is
// checked against the bytes given. A jsonb stored out of line is read by slices
// (toast_read.cpp), the only call into PostgreSQL.
#include "core/api/codec.h"
#include "core/api/error.h"
#include "core/api/storage.h"

#include "pg/storage/jsonb.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
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

// One level of a walk: a container and the next entry to visit.
struct Level {
    const char* children;  // the JEntries
    const char* data;      // where the data begins
    uint32_t count;        // keys (objects) or elements (arrays)
    bool object;
    uint32_t next = 0;     // the next key or element
    uint32_t key_off = 0;  // running offsets: keys, then values
    uint32_t val_off = 0;
};

// Offset and length of entry `je` when the previous entries end at off.
void entry(uint32_t je, uint32_t& off, uint32_t& start, uint32_t& len) {
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
}

// Lists of the top level with at least this many items are kept as stored (JsonbList) and
// read one item at a time; shorter ones are decoded with their thing.
constexpr uint32_t kLazyMinItems = 32;

// Where the bytes of a stored jsonb are: in memory (a row read whole, in `owner` from
// vstart), or out of line and uncompressed (its TOAST pointer), read by slices. A slice
// costs a probe of the TOAST index and whole chunks, so a short read takes the chunks around
// it and keeps them for the next reads nearby (the object's header, JEntries and keys, a
// list's header; a list's JEntries and an item's bytes).
struct JsonbBytes {
    std::shared_ptr<const std::string> owner;
    size_t vstart = 0;
    std::string toast;  // the pointer, when out of line
    size_t size = 0;    // of the jsonb, its 4-byte header included
    // The chunks last read: bytes [win_off, win_off + win.size()) of the jsonb.
    mutable std::string win;
    mutable size_t win_off = 0;
    // Bytes [off, off + len) of the jsonb (off from the start of its header): in owner, in
    // the chunks kept, or read into scratch. The pointer holds until the next read.
    const char* read(size_t off, size_t len, std::string& scratch) const {
        if (off > size || len > size - off || off < VARHDRSZ) bad_props();
        if (toast.empty()) return owner->data() + vstart + off;
        if (off >= win_off && off + len <= win_off + win.size()) return win.data() + off - win_off;
        size_t chunk = toast_chunk_size();
        size_t lo = VARHDRSZ + (off - VARHDRSZ) / chunk * chunk;
        size_t hi = VARHDRSZ + (off + len - VARHDRSZ + chunk - 1) / chunk * chunk;
        if (hi > size) hi = size;
        if (hi - lo <= 2 * chunk) {
            toast_read(toast, lo, hi - lo, win);
            win_off = lo;
            return win.data() + off - lo;
        }
        toast_read(toast, off, len, scratch);
        return scratch.data();
    }
    // A copy with no chunks kept (each reader keeps its own).
    JsonbBytes fresh() const {
        JsonbBytes b;
        b.owner = owner;
        b.vstart = vstart;
        b.toast = toast;
        b.size = size;
        return b;
    }
};

// A stored array of a thing's properties: its items are walked from the row's bytes when
// asked for, each found by its JEntry (jsonb keeps an end offset every JB_OFFSET_STRIDE
// entries, so finding one reads at most that many); out of line, only those JEntries and
// the items' bytes are read.
class JsonbList final : public ListSource {
public:
    // checked: the container's header was read and matches count (not read again).
    JsonbList(JsonbBytes bytes, size_t coff, size_t clen, uint32_t count, bool checked = false)
        : bytes_(std::move(bytes)), coff_(coff), clen_(clen), count_(count), checked_(checked) {}
    size_t size() const override { return count_; }
    void items(size_t from, size_t to, PropsBuilder& b) const override;
    // The container's bytes (int-aligned relative to the jsonb's start, as stored).
    std::string_view container(std::string& scratch) const {
        return std::string_view(bytes_.read(coff_, clen_, scratch), clen_);
    }

private:
    JsonbBytes bytes_;
    size_t coff_, clen_;  // the array container within the jsonb
    uint32_t count_;
    bool checked_;
};

// A walk of jsonb bytes [begin, end) into a builder.
class Walker {
public:
    Walker(const char* begin, const char* end, PropsBuilder& b, std::vector<Level>& stack)
        : begin_(begin), end_(end), b_(b), stack_(stack) {}

    // The container at p (avail bytes): its begin event and a level to walk, or one call
    // for a reference; an array of the top level may go to the builder as a JsonbList.
    void enter(const char* p, size_t avail);
    // The value of JEntry je at [start, start + len) of level l's data.
    void element(const Level& l, uint32_t je, uint32_t start, uint32_t len);
    // Walks the levels opened until none is left.
    void drain();
    // The level of the container at p, checked (no event).
    Level level(const char* p, size_t avail) const;
    // A run of values of a container whose JEntries the caller holds, the walker's bytes
    // being a slice of that container's data: value() walks one of them whole.
    void begin_slice(uint32_t count, bool object);
    void value(uint32_t je, uint32_t start, uint32_t len) {
        element(slice_, je, start, len);
        drain();
    }

    // Lists of the top level may be kept as stored (the row's bytes shared).
    bool lazy_top = false;
    // The elements walked are inside the props (a list's items, the values of the props'
    // own object): an object {"#": id} met with an empty stack is then a reference.
    bool nested = false;

private:
    const char* begin_;
    const char* end_;
    PropsBuilder& b_;
    std::vector<Level>& stack_;
    Level slice_{};
};

void Walker::begin_slice(uint32_t count, bool object) {
    nested = true;
    slice_ = Level{};
    slice_.children = nullptr;
    slice_.data = begin_;
    slice_.count = count;
    slice_.object = object;
}

Level Walker::level(const char* p, size_t avail) const {
    if (avail < 4 || static_cast<uintptr_t>(p - begin_) % 4 != 0) bad_props();
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
        for (uint32_t i = 0; i < count; ++i) entry(load_u32(l.children + 4 * i), off, start, len);
        l.val_off = off;
    }
    if (static_cast<size_t>(end_ - l.data) < l.val_off) bad_props();
    return l;
}

void Walker::enter(const char* p, size_t avail) {
    Level l = level(p, avail);
    if (l.object && l.count == 1 && (!stack_.empty() || nested)) {
        // A reference {"#": id}, the most frequent nested object (a
        // list of things is a list of them): straight to the builder.
        uint32_t kje = load_u32(l.children), vje = load_u32(l.children + 4);
        uint32_t klen = kje & JENTRY_OFFLENMASK;  // the first entry's length or end: the same
        if ((kje & JENTRY_TYPEMASK) == JENTRY_ISSTRING && klen == 1 && l.val_off == 1 &&
            static_cast<size_t>(end_ - l.data) >= 1 && l.data[0] == '#' &&
            (vje & JENTRY_TYPEMASK) == JENTRY_ISNUMERIC) {
            uint32_t voff = 1, start, len;
            entry(vje, voff, start, len);
            if (static_cast<size_t>(end_ - l.data) < static_cast<size_t>(start) + len) bad_props();
            uint32_t pad = INTALIGN(start) - start;
            if (pad > len) bad_props();
            RefSink sink;
            decode_numeric(l.data + start + pad, len - pad, sink);
            if (sink.is_int && sink.value >= 0) {
                b_.reference(static_cast<uint64_t>(sink.value));
                return;
            }
        }
    }
    if (!l.object && lazy_top && l.count >= kLazyMinItems && stack_.size() == 1 && b_.at_top()) {
        size_t off = 0;
        std::shared_ptr<const std::string> owner = b_.row_bytes(&off);
        if (owner) {
            // The entries were checked to fit; the data of each is checked when read.
            JsonbBytes bytes;
            bytes.owner = std::move(owner);
            bytes.vstart = off;
            bytes.size = static_cast<size_t>(end_ - begin_);
            b_.lazy_list(std::make_shared<JsonbList>(
                std::move(bytes), static_cast<size_t>(p - begin_), avail, l.count));
            return;
        }
    }
    if (l.object)
        b_.begin_object(l.count);
    else
        b_.begin_array(l.count);
    stack_.push_back(l);
}

void Walker::element(const Level& l, uint32_t je, uint32_t start, uint32_t len) {
    if (static_cast<size_t>(end_ - l.data) < static_cast<size_t>(start) + len) bad_props();
    const char* p = l.data + start;
    switch (je & JENTRY_TYPEMASK) {
        case JENTRY_ISSTRING:
            b_.string(std::string_view(p, len));
            break;
        case JENTRY_ISNULL:
            b_.null();
            break;
        case JENTRY_ISBOOL_FALSE:
            b_.boolean(false);
            break;
        case JENTRY_ISBOOL_TRUE:
            b_.boolean(true);
            break;
        case JENTRY_ISNUMERIC:
        case JENTRY_ISCONTAINER: {
            uint32_t pad = INTALIGN(start) - start;  // the data starts int-aligned
            if (pad > len) bad_props();
            if ((je & JENTRY_TYPEMASK) == JENTRY_ISNUMERIC)
                decode_numeric(p + pad, len - pad, b_);
            else
                enter(p + pad, len - pad);
            break;
        }
        default:
            bad_props();
    }
}

void Walker::drain() {
    while (!stack_.empty()) {
        Level& l = stack_.back();
        if (l.next == l.count) {
            bool object = l.object;
            stack_.pop_back();
            if (object)
                b_.end_object();
            else
                b_.end_array();
            continue;
        }
        uint32_t i = l.next++;
        uint32_t start, len;
        if (l.object) {
            uint32_t kje = load_u32(l.children + 4 * i);
            entry(kje, l.key_off, start, len);
            if ((kje & JENTRY_TYPEMASK) != JENTRY_ISSTRING ||
                static_cast<size_t>(end_ - l.data) < static_cast<size_t>(start) + len)
                bad_props();
            b_.key(std::string_view(l.data + start, len));
            uint32_t vje = load_u32(l.children + 4 * (l.count + i));
            entry(vje, l.val_off, start, len);
            element(l, vje, start, len);  // may push a level: `l` is not used after
        } else {
            uint32_t je = load_u32(l.children + 4 * i);
            entry(je, l.key_off, start, len);
            element(l, je, start, len);
        }
    }
}

void check_varlena(std::string_view bin) {
    if (bin.size() < VARHDRSZ) bad_props();
    uint32_t word = load_u32(bin.data());
    if (!VARATT_IS_4B_U(&word) || VARSIZE(&word) != bin.size()) bad_props();
}

void JsonbList::items(size_t from, size_t to, PropsBuilder& b) const {
    if (from >= to) return;
    if (to > count_ || clen_ < 4 + 4ull * count_) bad_props();
    std::string scratch;
    uint32_t header = checked_ ? JB_FARRAY | count_ : load_u32(bytes_.read(coff_, 4, scratch));
    if ((header & JB_FOBJECT) || !(header & JB_FARRAY) || (header & JB_CMASK) != count_)
        bad_props();
    // The JEntries from the last one before `from` that holds an end offset (every
    // JB_OFFSET_STRIDE-th does; damaged bytes may lack it: then from the first) to to - 1.
    size_t first = from == 0 ? 0 : (from - 1) & ~static_cast<size_t>(JB_OFFSET_STRIDE - 1);
    std::vector<uint32_t> je;
    uint32_t off = 0;
    for (;;) {
        je.resize(to - first);
        memcpy(je.data(), bytes_.read(coff_ + 4 + 4 * first, 4 * je.size(), scratch),
               4 * je.size());
        // Where item `from` starts: the lengths back to the last entry with an end offset.
        off = 0;
        bool found = false;
        for (size_t k = from; k-- > first;) {
            uint32_t e = je[k - first];
            off += e & JENTRY_OFFLENMASK;
            if (e & JENTRY_HAS_OFF) {
                found = true;
                break;
            }
        }
        if (found || first == 0) break;
        first = 0;
    }
    // The items' data: [s, e) of the container's data, read from an int-aligned start (the
    // offsets of a nested container's alignment are kept).
    uint32_t s = off, e = off, start, len;
    for (size_t i = from; i < to; ++i) entry(je[i - first], e, start, len);
    size_t data = coff_ + 4 + 4ull * count_;
    if (e > clen_ - (data - coff_)) bad_props();
    uint32_t base = s & ~3u;
    const char* p = bytes_.read(data + base, e - base, scratch);
    std::vector<Level> stack;
    Walker w(p, p + (e - base), b, stack);
    w.begin_slice(count_, false);
    for (size_t i = from; i < to; ++i) {
        uint32_t j = je[i - first];
        entry(j, off, start, len);
        w.value(j, start - base, len);
    }
}

void decode_bytes(std::string_view bin, PropsBuilder& b) {
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

    check_varlena(bin);
    Walker w(bin.data(), bin.data() + bin.size(), b, stack);
    w.lazy_top = true;
    w.enter(bin.data() + VARHDRSZ, bin.size() - VARHDRSZ);
    if (stack.empty() || !stack.back().object) bad_props();  // properties are an object
    w.drain();
}

// A jsonb stored out of line read by slices: the top-level object's header and JEntries, its
// keys, its values in runs between the lists of at least kLazyMinItems, which are kept as
// stored (JsonbList on the same pointer) and not read. Without a row to keep lists for (a
// walk for references) the jsonb is read whole.
void decode_sliced(std::string_view ptr, size_t size, PropsBuilder& b) {
    JsonbBytes src;
    src.toast.assign(ptr);
    src.size = size;
    std::string buf;
    if (!b.has_row()) {
        const char* p = src.read(VARHDRSZ, size - VARHDRSZ, buf);
        std::string whole(size, '\0');
        uint32_t word;
        SET_VARSIZE(&word, size);
        memcpy(whole.data(), &word, sizeof word);
        memcpy(whole.data() + VARHDRSZ, p, size - VARHDRSZ);
        decode_bytes(whole, b);
        return;
    }
    if (size < 2 * VARHDRSZ) bad_props();
    uint32_t header = load_u32(src.read(VARHDRSZ, 4, buf));
    if (!(header & JB_FOBJECT)) bad_props();
    uint32_t count = header & JB_CMASK;
    if ((size - 2 * VARHDRSZ) / 8 < count) bad_props();
    std::vector<uint32_t> je(2ull * count);
    if (count) memcpy(je.data(), src.read(2 * VARHDRSZ, 8ull * count, buf), 8ull * count);
    size_t data = 2 * VARHDRSZ + 8ull * count, dlen = size - data;
    // Offsets and lengths of the keys, then of the values.
    std::vector<uint32_t> at(2ull * count), lens(2ull * count);
    uint32_t off = 0;
    for (size_t i = 0; i < 2ull * count; ++i) {
        entry(je[i], off, at[i], lens[i]);
        if (i < count && (je[i] & JENTRY_TYPEMASK) != JENTRY_ISSTRING) bad_props();
    }
    if (off > dlen) bad_props();
    uint32_t keys_len = count ? at[count] : 0;
    std::string keys(src.read(data, keys_len, buf), keys_len);
    // The values kept as stored lists: their container's place and count (0: read).
    std::vector<uint32_t> kept(count, 0);
    for (uint32_t i = 0; i < count; ++i) {
        uint32_t v = je[count + i], start = at[count + i], len = lens[count + i];
        uint32_t pad = INTALIGN(start) - start;
        if ((v & JENTRY_TYPEMASK) != JENTRY_ISCONTAINER || pad > len ||
            len - pad < 4 + 4 * kLazyMinItems)
            continue;
        uint32_t h = load_u32(src.read(data + start + pad, 4, buf));
        uint32_t n = h & JB_CMASK;
        if (!(h & JB_FOBJECT) && (h & JB_FARRAY) && n >= kLazyMinItems && (len - pad - 4) / 4 >= n)
            kept[i] = n;
    }
    b.begin_object(count);
    std::vector<Level> stack;
    for (uint32_t i = 0; i < count;) {
        if (kept[i]) {
            b.key(std::string_view(keys).substr(at[i], lens[i]));
            uint32_t start = at[count + i], pad = INTALIGN(start) - start;
            b.lazy_list(std::make_shared<JsonbList>(src.fresh(), data + start + pad,
                                                    lens[count + i] - pad, kept[i], true));
            ++i;
            continue;
        }
        uint32_t j = i;
        while (j < count && !kept[j]) ++j;
        uint32_t s = at[count + i], e = at[count + j - 1] + lens[count + j - 1];
        uint32_t base = s & ~3u;
        const char* p = src.read(data + base, e - base, buf);
        Walker w(p, p + (e - base), b, stack);
        w.begin_slice(count, true);
        for (; i < j; ++i) {
            b.key(std::string_view(keys).substr(at[i], lens[i]));
            w.value(je[count + i], at[count + i] - base, lens[count + i]);
        }
    }
    b.end_object();
}

void JsonbDecoder::decode(std::string_view bin, PropsBuilder& b) const {
    size_t size = 0;
    if (toast_sliceable(bin, &size))
        decode_sliced(bin, size, b);
    else
        decode_bytes(bin, b);
}

}  // namespace

const PropsDecoder* jsonb_decoder() { return &decoder; }

bool jsonb_list_bytes(const ListSource& src, std::string_view& out, std::string& scratch) {
    const auto* j = dynamic_cast<const JsonbList*>(&src);
    if (!j) return false;
    out = j->container(scratch);
    return true;
}

}  // namespace tdb::pg
