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
Datum jsonb_array(const std::string* const* v, int n, MemoryContext tmp);

// The decoder of the bytes of a stored jsonb (StoredThing::decoder). It calls no PostgreSQL
// code; damaged bytes raise value_err.
const PropsDecoder* jsonb_decoder();

// The bytes of an array container as stored, when src is a list the decoder kept as stored
// (int-aligned relative to their start); false for any other source.
bool jsonb_list_bytes(const ListSource& src, std::string_view& out);

}  // namespace tdb::pg
