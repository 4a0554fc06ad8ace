// Watch events: the jobs (mutations) of a change in ThingsDB's mutation format.
//
// A query records one job per mutation of a stored thing, in the order
// applied (Query::jobs); src/pg turns a committed transaction's jobs into one
// update event per thing. This file renders the jobs and the init event of a
// watch; it knows nothing about PostgreSQL.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/api/engine.h"
#include "core/api/storage.h"
#include "core/model/value.h"

namespace tdb {

class Query;
struct Thing;
struct ListObj;

// A job whose id has this bit set is an event of a room (core/model/room.h): the room's id is
// the rest, the JSON the whole notification, {"room": "emit" | "delete", "scope": "@:name",
// "id": room_id, ...}. Room ids come from the thing ids, which never reach this bit.
constexpr uint64_t kRoomJob = 1ull << 63;

// Appends v in ThingsDB's mutation format: a stored thing new in this
// query is sent whole the first time ({"#": id, key: value, ...}), after that
// and for any other stored thing only {"#": id}; a Type instance sent whole is
// {".": type_id, "#": id, "": [field values]}; sets {"$": [things]}, closures
// {"/": compact_closure(source)}, regexes {"*": "/pattern/flags"}, errors
// {"!": [msg, code]}, bytes as base64 text. Everything else as a query result
// with deep 0 (io/events.cpp).
void mutation_value(Query& q, std::string& out, const Value& v);

// Whether changes of t become jobs: a stored thing that existed before this
// query (a thing created in it is sent whole wherever it is placed, and
// nobody can watch it before it is committed).
bool records_jobs(const Thing* t);

// The job objects.
std::string job_set(Query& q, const std::string& key, const Value& v);
std::string job_del(const std::string& key);
// l already changed: its items [index, index + nadd) are the new ones.
std::string job_splice(Query& q, const std::string& key, const ListObj* l, size_t index,
                       size_t ndel, size_t nadd);
std::string job_add(Query& q, const std::string& key, const std::vector<Thing*>& added);
std::string job_remove(const std::string& key, const std::vector<Thing*>& removed);
std::string job_event(Query& q, const std::string& event, const std::vector<Value>& args);

// The init event a watch returns: {"event": change_id, "thing": {...},
// "collection": name}, plus for a collection's root its "types", "enums" and
// "procedures" (the results of the built-ins types_info(), enums_info() and
// procedures_info() where they exist).
// Thing 0 is the @thingsdb scope: {"#": 0} and "collection": null.
// Raises lookup_err when the thing does not exist in the scope.
std::string watch_init(Storage& st, std::string_view scope, uint64_t thing_id, int64_t change_id);

}  // namespace tdb
