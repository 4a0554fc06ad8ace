// libFuzzer target over the storage path: an input is several queries
// (separated by NUL bytes) run one after the other on the same in-memory
// node, after a prelude that stores a Type, enums (one whose value is a
// thing) and a procedure in the collection `stuff`. Stored state carries over
// from query to query, and every thing a query reads comes from its stored
// form: written through the event encoder (PropsEncoder, as the PostgreSQL
// side writes jsonb) into a tape of its own, and read back through the event
// decoder (PropsDecoder into PropsBuilder) in even queries and as JSON text
// (decode_props) in odd ones. A ThingsDB error is a fine outcome; a crash, a
// sanitizer report, another exception or a tape that does not read back is
// a finding. Build and run: test/fuzz/RESULTS.md (`make fuzz`,
// `test/fuzz/run.sh SECONDS storage`).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "../unit/harness.h"
#include "core/api/codec.h"
#include "core/lang/query.h"

namespace {

// The tape: one tag byte per event; keys and strings with a 4-byte length,
// integers as 8 bytes, numbers as 8 bytes and their text.
enum Tag : char {
    kObject = '{',
    kEndObject = '}',
    kArray = '[',
    kEndArray = ']',
    kKey = 'k',
    kNull = 'n',
    kTrue = 't',
    kFalse = 'f',
    kInt = 'i',
    kNumber = 'd',
    kString = 's',
};

void put_raw(std::string& out, const void* p, size_t n) {
    out.append(static_cast<const char*>(p), n);
}

void put_bytes(std::string& out, std::string_view s) {
    uint32_t n = static_cast<uint32_t>(s.size());
    put_raw(out, &n, sizeof n);
    out.append(s.data(), s.size());
}

class TapeEncoder final : public tdb::PropsEncoder {
public:
    void begin_object() override { out->push_back(kObject); }
    void key(std::string_view k) override {
        out->push_back(kKey);
        put_bytes(*out, k);
    }
    void end_object() override { out->push_back(kEndObject); }
    void begin_array() override { out->push_back(kArray); }
    void end_array() override { out->push_back(kEndArray); }
    void null() override { out->push_back(kNull); }
    void boolean(bool b) override { out->push_back(b ? kTrue : kFalse); }
    void integer(int64_t i) override {
        out->push_back(kInt);
        put_raw(*out, &i, sizeof i);
    }
    void number(double d, std::string_view text) override {
        out->push_back(kNumber);
        put_raw(*out, &d, sizeof d);
        put_bytes(*out, text);
    }
    void string(std::string_view s) override {
        out->push_back(kString);
        put_bytes(*out, s);
    }
};

// Reads a tape; a tape the encoder wrote never runs short (a finding if it does).
struct TapeReader {
    std::string_view b;
    size_t i = 0;
    bool done() const { return i >= b.size(); }
    char tag() { return need(1), b[i++]; }
    char peek() const { return i < b.size() ? b[i] : '\0'; }
    void need(size_t n) const {
        if (b.size() - i < n) throw std::logic_error("the tape runs short");
    }
    template <class T>
    T raw() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, b.data() + i, sizeof v);
        i += sizeof v;
        return v;
    }
    std::string_view bytes() {
        uint32_t n = raw<uint32_t>();
        need(n);
        std::string_view s = b.substr(i, n);
        i += n;
        return s;
    }
    // {"#": id} at the current position (after its '{'): consumed when it is one.
    bool reference(uint64_t& id) {
        size_t save = i;
        if (peek() == kKey) {
            ++i;
            std::string_view k = bytes();
            if (k == "#" && peek() == kInt) {
                ++i;
                int64_t v = raw<int64_t>();
                if (peek() == kEndObject && v > 0) {
                    ++i;
                    id = static_cast<uint64_t>(v);
                    return true;
                }
            }
        }
        i = save;
        return false;
    }
};

// Replays a tape into the builder in one loop (no recursion over nesting),
// with the {"#": id} shortcut as the jsonb walker takes it.
class TapeDecoder final : public tdb::PropsDecoder {
public:
    void decode(std::string_view bin, tdb::PropsBuilder& pb) const override {
        TapeReader t{bin};
        while (!t.done()) {
            uint64_t id;
            switch (t.tag()) {
                case kObject:
                    if (t.reference(id))
                        pb.reference(id);
                    else
                        pb.begin_object();
                    break;
                case kEndObject:
                    pb.end_object();
                    break;
                case kArray:
                    pb.begin_array();
                    break;
                case kEndArray:
                    pb.end_array();
                    break;
                case kKey:
                    pb.key(t.bytes());
                    break;
                case kNull:
                    pb.null();
                    break;
                case kTrue:
                    pb.boolean(true);
                    break;
                case kFalse:
                    pb.boolean(false);
                    break;
                case kInt:
                    pb.integer(t.raw<int64_t>());
                    break;
                case kNumber:
                    pb.number(t.raw<double>());
                    t.bytes();
                    break;
                case kString:
                    pb.string(t.bytes());
                    break;
                default:
                    throw std::logic_error("an unknown tag on the tape");
            }
        }
    }
};

// The JSON text of a tape, as the text writer of codec.h writes it (no
// spaces, numbers by their text); the text path reads it.
std::string tape_text(std::string_view tape) {
    std::string out;
    std::vector<bool> has_item;  // per open container: an item was written
    bool after_key = false;
    auto item = [&]() {
        if (after_key) {
            after_key = false;
        } else if (!has_item.empty()) {
            if (has_item.back()) out.push_back(',');
            has_item.back() = true;
        }
    };
    TapeReader t{tape};
    while (!t.done()) {
        char c = t.tag();
        switch (c) {
            case kObject:
            case kArray:
                item();
                out.push_back(c);
                has_item.push_back(false);
                break;
            case kEndObject:
            case kEndArray:
                if (has_item.empty()) throw std::logic_error("the tape closes more than it opens");
                out.push_back(c);
                has_item.pop_back();
                break;
            case kKey:
                item();
                tdb::json_escape(out, t.bytes());
                out.push_back(':');
                after_key = true;
                break;
            case kNull:
                item(), out += "null";
                break;
            case kTrue:
                item(), out += "true";
                break;
            case kFalse:
                item(), out += "false";
                break;
            case kInt:
                item(), out += std::to_string(t.raw<int64_t>());
                break;
            case kNumber: {
                item();
                t.raw<double>();
                std::string_view text = t.bytes();
                out.append(text.data(), text.size());
                break;
            }
            case kString:
                item(), tdb::json_escape(out, t.bytes());
                break;
            default:
                throw std::logic_error("an unknown tag on the tape");
        }
    }
    if (!has_item.empty()) throw std::logic_error("the tape leaves a container open");
    return out;
}

// MemStorage with its rows written as tapes; each row also keeps the tape's
// JSON text (what the text path and the harness's searches read).
class TapeStorage final : public MemStorage {
public:
    TapeEncoder enc;
    TapeDecoder dec;
    std::map<uint64_t, std::string> tapes;
    bool read_tapes = true;

    tdb::PropsEncoder* props_encoder() override { return &enc; }
    std::vector<uint64_t> write_things(uint64_t coll,
                                       const std::vector<tdb::ThingWrite>& ws) override {
        std::vector<tdb::ThingWrite> copy(ws);
        std::deque<std::string> texts;  // the copies' props: never moved
        for (tdb::ThingWrite& w : copy) {
            if (!w.props_changed && !w.is_new) continue;
            texts.push_back(tape_text(w.props));
            tapes[w.id] = std::string(w.props);
            w.props = texts.back();
        }
        return MemStorage::write_things(coll, copy);
    }
    bool load_thing(uint64_t coll, uint64_t id, tdb::StoredThing& out) override {
        if (!MemStorage::load_thing(coll, id, out)) return false;
        auto it = tapes.find(id);
        if (read_tapes && it != tapes.end()) {
            out.props_bin = it->second;
            out.decoder = &dec;
        }
        return true;
    }
};

// Small limits: an input may build big values, runs up to 8 queries, and
// libFuzzer runs millions (strings of 64 KB: copying 1 MB strings in every
// loop step made inputs of the seed corpus take over 10 s).
void set_fuzz_limits() {
    tdb::Limits& l = tdb::configured_limits();
    l.max_str = 1 << 16;
    l.max_list = 10000;
    l.max_things = 20000;
    l.max_range = 10000;
}

// What each input starts from: stored definitions and instances of each.
const char* const kPrelude =
    "new_type('T'); set_type('T', {n: 'int', s: 'str', r: 'T?', l: '[T]', o: '{T}'});"
    "set_enum('E', {X: 1, Y: 2}); set_enum('F', {A: {n: 1}, B: {n: 2}});"
    ".t = T{n: 1, s: 'a'}; .t.r = .t; .t.l.push(T{}); .e = E{X}; .f = F{A};"
    ".l = [.t, .f, {x: .e}]; new_procedure('p', |x| x); nil";

void run(TapeStorage& st, std::string_view code) {
    tdb::QueryRequest req;
    req.scope = "@:stuff";
    req.code = code;
    st.interrupts_after = 1000;  // a cancel after 1,000 polls: loops end
    try {
        tdb::run_query(st, req);
    } catch (const tdb::Error&) {
    } catch (const std::runtime_error& e) {
        // The harness's cancel (statement timeout) is the only other exception.
        if (std::string_view(e.what()).find("canceling statement") == std::string_view::npos) throw;
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static bool init = (tdb::init_core(), set_fuzz_limits(), true);
    (void)init;
    static TapeStorage* st = nullptr;
    delete st;  // a fresh node per input; the last one lives to the exit
    st = new TapeStorage();
    run(*st, kPrelude);
    std::string_view in(reinterpret_cast<const char*>(data), size);
    for (int n = 0; n < 8 && !in.empty(); ++n) {
        size_t end = in.find('\0');
        st->read_tapes = n % 2 == 0;
        run(*st, in.substr(0, end));
        in = end == std::string_view::npos ? std::string_view() : in.substr(end + 1);
    }
    return 0;
}
