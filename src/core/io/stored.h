// What the JSON reader (codec.cpp) and PropsBuilder (props_builder.cpp) share
// when they read stored properties: both must give a thing the same values.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

class Collection;

// One property of the top level: the restriction under the reserved key "!"
// (restrict.h), else a property of t.
void stored_top_prop(Thing* t, std::string&& key, Value&& v);
// An object of the stored form from its properties: a reference {"#": id}
// (through coll; nil without one), a tagged value ({"!b": ...}, see
// codec_write.cpp) or a new thing. Referenced ids are added to refs.
Value stored_object(Props&& props, Collection* coll, std::vector<uint64_t>* refs);

}  // namespace tdb
