// Properties of things as jsonb without JSON text in between: the encoder that turns the
// core's encoder events into jsonb (jsonb_write.cpp) and the decoder that walks a stored
// jsonb's bytes into the core's values (jsonb_read.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/api/codec.h"
#include "core/api/storage.h"

extern "C" {
#include "postgres.h"

#include "utils/jsonb.h"
}

namespace tdb::pg {

// The encoder PgStorage::props_encoder hands out: records the events as a compact byte
// stream (a thing's props_bin) while the query still runs C++.
PropsEncoder* jsonb_stream_encoder();

// The jsonb of one stream, allocated in the current memory context. Inside pg_call.
Jsonb* stream_to_jsonb(const char* p, size_t len);

// An array of the jsonb of each stream; every jsonb is built in `tmp` (reset after each) and
// copied. Inside pg_call.
Datum jsonb_array(const std::string_view* const* v, int n, MemoryContext tmp);
Datum jsonb_array(const std::string_view* v, int n, MemoryContext tmp);

// The decoder of the bytes of a stored jsonb (StoredThing::decoder); damaged bytes raise
// value_err. The bytes may instead be the TOAST pointer of a jsonb stored out of line and
// uncompressed (toast_sliceable): then the parts it needs are read by slices (toast_read),
// and a big list of the top level is kept as its pointer, each item read when asked for.
const PropsDecoder* jsonb_decoder();

// The bytes of an array container as stored, when src is a list the decoder kept as stored
// (int-aligned relative to their start); false for any other source. A list kept out of
// line is read whole into scratch.
bool jsonb_list_bytes(const ListSource& src, std::string_view& out, std::string& scratch);

// Whether ptr is the TOAST pointer (1-byte header and varatt_external, as in a heap tuple)
// of a value stored out of line and uncompressed; *size: the value's size with its 4-byte
// header.
bool toast_sliceable(std::string_view ptr, size_t* size);
// Bytes [off, off + len) of that value, offsets counted from the start of its 4-byte header
// (VARHDRSZ <= off), into out. Outside pg_call: makes its own. value_err when the value is
// shorter or ptr is not such a pointer.
void toast_read(std::string_view ptr, size_t off, size_t len, std::string& out);
// The bytes of one TOAST chunk (a slice reads whole chunks).
size_t toast_chunk_size();
// Defines thingsdb.toast_slices_read (_PG_init).
void toast_read_init();

}  // namespace tdb::pg
