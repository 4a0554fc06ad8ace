// JSON in and out: the text primitives (UTF-8 check, escaping, base64),
// json_load, and the stored form of properties (plain JSON where JSON can say
// it, tagged objects elsewhere). Query results are Query::to_json (query.h).
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/value.h"

namespace tdb {

class Query;
class Collection;
struct Thing;

// True when s is well-formed UTF-8 (no overlongs, surrogates or code points
// above U+10FFFF), as PostgreSQL's text and jsonb require.
bool valid_utf8(std::string_view s);
void json_escape(std::string& out, std::string_view s);
std::string base64_encode(std::string_view in);
bool base64_decode(std::string_view in, std::string& out);

// json_load(): objects become new things, arrays lists; a reserved one-character key (` ` to
// `/`) is a value_err, as for an assignment.
Value json_load_value(Query& q, std::string_view text);
// The JSON of a catalog row (a Type's or an enum's definition): objects are things with any
// keys, for the catalog's own reader to interpret.
Value json_catalog_value(std::string_view text);
// A client's JSON (tdb_query's vars, tdb_call's params, tdb_run's json and jsonb arguments),
// decoded as ThingsDB decodes a client's arguments: {"#": id} is an existing thing of the
// query's collection, {"$": [..]} a set, {"/": ..} a closure, {"*": ..} a regex, {"!": ..} an
// error; any other object a new thing whose keys are its properties (a reserved one-character
// key is a value_err). Never the stored form's rules (decode_props): client JSON can name no
// restriction, tagged value or unchecked id. envelope: a top-level object is a new thing of
// named values whatever its keys (tdb_query's vars, tdb_call's params by name).
Value json_input_value(Query& q, std::string_view text, bool envelope = false);

// The stored form of a thing's properties, and the ids of the things they
// reference (for reference counting).
std::string encode_props(const Thing* t, std::vector<uint64_t>* refs);
// Reads stored properties into t (references resolve through the collection).
void decode_props(Collection& c, Thing* t, std::string_view json, std::vector<uint64_t>* refs);
// Resolves a stored enum member {"!m": [enum_id, mid]} (schema/types.cpp).
// These hooks are installed by init_core() (core/init.cpp).
extern Value (*stored_member_hook)(uint32_t enum_id, uint32_t mid);
// The restriction of a thing (thing.restrict(), model/restrict.cpp): stored
// as the first property under the reserved key "!"; old rows have none.
extern uint64_t (*restriction_decode_hook)(const std::string& stored);
extern std::string (*restriction_encode_hook)(uint64_t restriction);

// The items of a stored list, read where they are stored: one at a time by
// index, without decoding the others. A storage's decoder hands a list of a
// thing's top level to PropsBuilder::lazy_list as one of these; the core reads
// items through it until a use needs them all (model/lazy_list.h). The
// source stays valid (keeps its bytes) as long as it lives.
class PropsBuilder;
class PropsDecoder;  // storage.h
class ListSource {
public:
    virtual ~ListSource() = default;
    virtual size_t size() const = 0;
    // Walks items [from, to) (to <= size()) into b in order, each as one
    // value: the events of an array element (a scalar, or a container from
    // its begin to its end), as begin_array's items would come.
    virtual void items(size_t from, size_t to, PropsBuilder& b) const = 0;
};

struct StoredThing;

// Stored properties from a binary form. A storage that keeps them
// as binary JSON (PostgreSQL's jsonb) walks it and calls these in document
// order, instead of producing JSON text for decode_props; the thing gets the
// same properties as decode_props would give it for the equivalent text
// (references, sets and the other tagged objects included). The walk must
// start with begin_object (the properties) and end with its end_object.
class PropsBuilder {
public:
    PropsBuilder(Collection& c, Thing* t, std::vector<uint64_t>* refs);
    ~PropsBuilder();
    // The row being decoded: lets the decoder keep a list's bytes in a
    // ListSource (row_bytes()); without it every list is decoded at once.
    void set_row(const StoredThing* row) { row_ = row; }
    // Bytes that hold row's bin() at offset *off, kept alive by the pointer;
    // nullptr when no row is set.
    std::shared_ptr<const std::string> row_bytes(size_t* off);
    // A list of the thing's top level, its items left in `src` (as the value
    // of the current key, where begin_array would start it).
    void lazy_list(std::shared_ptr<const ListSource> src);
    bool at_top() const { return depth_ == 1; }
    // Whether a row is set (lists of the top level may be kept by a source).
    bool has_row() const { return row_ != nullptr; }
    // The collection the values are read for (nullptr: references are nil).
    Collection* collection() const { return coll_; }
    // A value already built, as the next item (a source whose items are values).
    void value(Value v) { put(std::move(v)); }

    // One item of a stored list / all of them, as values of collection c
    // (nullptr: its references are nil). With refs, the ids referenced.
    static Value list_item(Collection* c, const ListSource& src, size_t i);
    static void list_items(Collection* c, const ListSource& src, std::vector<Value>& out,
                           std::vector<uint64_t>* refs);
    // Items [from, to) of src as values of collection c, into out (replacing what it held).
    static void list_range(Collection* c, const ListSource& src, size_t from, size_t to,
                           std::vector<Value>& out);
    // Only the ids the items of src reference, appended to refs (no value kept per item).
    static void list_refs(const ListSource& src, std::vector<uint64_t>& refs);
    // The ids the stored properties in `bin` reference (refs_of(StoredThing)).
    static void bin_refs(const PropsDecoder& d, std::string_view bin, std::vector<uint64_t>& out);
    PropsBuilder(const PropsBuilder&) = delete;
    PropsBuilder& operator=(const PropsBuilder&) = delete;

    // size_hint: the number of keys when the decoder knows it (0: unknown).
    void begin_object(size_t size_hint = 0);
    void key(std::string_view k);
    void end_object();
    // A reference {"#": id} in one call (what begin_object, key("#"),
    // integer(id), end_object give), for decoders that recognise it.
    void reference(uint64_t id);
    void begin_array(size_t size_hint = 0);
    void end_array();
    void null();
    void boolean(bool b);
    void integer(int64_t i);
    void number(double d);
    void string(std::string_view s);

    struct Frame;

private:
    PropsBuilder(Collection* c, std::vector<uint64_t>* refs);
    void put(Value v);
    Frame& push(bool array);
    bool in_chunk_dir() const;
    void chunk_dir(const Value& dir);
    Collection* coll_;
    const StoredThing* row_ = nullptr;
    std::shared_ptr<const std::string> row_copy_;
    Thing* thing_;
    std::vector<uint64_t>* refs_;
    std::vector<Frame>* stack_;  // frames are kept and reused: depth_ in use
    size_t depth_ = 0;
    // list_refs: the items of the outer list are counted, not kept.
    bool count_only_ = false;
    size_t counted_ = 0;
};

// Stored properties to a binary form. encode_props(t, refs, enc)
// walks the same structure encode_props(t, refs) writes as JSON text and
// calls enc in document order: the properties object, the restriction key
// "!" first when there is one, references as {"#": id}, the tagged objects
// ("!b", "!s", "!f", ...) as objects of one key. Strings are raw (unescaped,
// checked as valid UTF-8 as the text writer checks them); a number comes
// with its text exactly as the text writer formats it. The same errors as
// the text writer are raised, before any event of the failing value.
class PropsEncoder {
public:
    virtual ~PropsEncoder() = default;
    virtual void begin_object() = 0;
    virtual void key(std::string_view k) = 0;
    virtual void end_object() = 0;
    virtual void begin_array() = 0;
    virtual void end_array() = 0;
    virtual void null() = 0;
    virtual void boolean(bool b) = 0;
    virtual void integer(int64_t i) = 0;
    virtual void number(double d, std::string_view text) = 0;
    virtual void string(std::string_view s) = 0;
    // The whole of a list still kept by its source, as stored (instead of
    // begin_array, its items and end_array); false when this encoder cannot
    // copy that source's form, and the items are walked instead.
    virtual bool copy_list(const ListSource& src) {
        (void)src;
        return false;
    }
    // Where the encoder puts its bytes (set by the caller per thing).
    std::string* out = nullptr;
};
// kept: where a list of the top level still held by its source is copied as
// stored (PropsEncoder::copy_list), its source is added here and the ids it
// references are not added to refs.
// plan: lists of t cut into chunks for this write (chunked_list.h), written as their
// directories, the chunk ids added to refs.
struct ChunkPlan;
void encode_props(const Thing* t, std::vector<uint64_t>* refs, PropsEncoder& enc,
                  std::vector<std::shared_ptr<const ListSource>>* kept = nullptr,
                  const ChunkPlan* plan = nullptr);

// Only the ids a stored properties text references.
std::vector<uint64_t> refs_of(std::string_view json);
// Only the ids a stored thing's properties reference, from its text or, with a decoder,
// its binary form (no stub, no JSON text).
std::vector<uint64_t> refs_of(const StoredThing& st);
// The same for properties `props` in the form of `decoder` (nullptr: JSON text), the ids
// appended to out.
void refs_of(const PropsDecoder* decoder, std::string_view props, std::vector<uint64_t>& out);

}  // namespace tdb
