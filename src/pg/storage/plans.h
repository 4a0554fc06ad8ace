// Every SPI statement of the extension in one table (plans.cpp), each prepared on first use
// and kept for the backend, with the helpers that build their arguments and read their
// results. Everything here may ereport: call it inside pg_call.
#pragma once

extern "C" {
#include "postgres.h"

#include "executor/spi.h"
}

#include <cstdint>
#include <string>
#include <string_view>

namespace tdb::pg {

enum class Plan {
    // things and collections (things.cpp, trigger_fallback.cpp)
    INSERT_THINGS,
    UPDATE_THINGS,
    UPDATE_REFS,
    DELETE_THINGS,
    COUNT_THINGS,
    LIST_COLLECTIONS,
    COLLECTION_BY_NAME,
    COLLECTION_BY_ID,
    INSERT_COLLECTION,
    INSERT_ROOT,
    DELETE_COLLECTION,
    RENAME_COLLECTION,
    SET_COLLECTION_TZ,
    SET_COLLECTION_DEEP,
    KEY_SHARE_COLLECTION,
    KEY_SHARE_COLLECTION_NOWAIT,
    // procedures (procedures.cpp)
    PROC_FIND,
    PROC_LIST,
    PROC_INSERT,
    PROC_UPDATE,
    PROC_RENAME,
    PROC_DELETE,
    // Types and enums (types.cpp)
    LOAD_TYPES,
    SAVE_TYPE,
    DELETE_TYPE,
    LOAD_ENUMS,
    SAVE_ENUM,
    DELETE_ENUM,
    TYPE_THINGS,
    MEMBER_USED,
    // users, tokens and access (users.cpp)
    USERS,
    USER_BY_NAME,
    USER_BY_ID,
    INSERT_USER,
    KEY_SHARE_USER,
    DELETE_USER,
    RENAME_USER,
    TOKENS,
    INSERT_TOKEN,
    TOKEN_BY_HASH,
    DELETE_TOKEN,
    DELETE_EXPIRED,
    ACCESS_MASK,
    SET_ACCESS,
    DELETE_ACCESS,
    USER_ACCESS,
    // tasks (tasks.cpp)
    TASK_LIST,
    TASK_FIND,
    TASK_INSERT,
    TASK_UPDATE,
    TASK_DELETE,
    TASK_DUE,
    // watch events (notify.cpp); these run with a snapshot of their own
    EVENTS_LAST_ID,
    EVENTS_INSERT,
    EVENTS_PRUNE,
    EVENTS_RAISE_HORIZON,
    // rooms (rooms.cpp)
    ROOM_BY_ID,
    ROOM_BY_NAME,
    ROOM_SET_NAME,
    ROOMS_INSERT,
    ROOMS_REFS,
    ROOMS_DELETE,
    COUNT
};

// Before any SPI statement of a call: connects SPI for the innermost call that has not yet
// (SpiScope, entry.h) and searches only pg_catalog (CallContext::search_path). Outside a call
// nothing: the caller connected. Defined in entry.cpp.
void enter_spi();

// The running call's snapshot (PgStorage::current_snapshot); nullptr outside a call.
Snapshot query_snapshot();

// Runs the plan with the call's snapshot, the command id moved before the statement, so the
// call sees its own writes (SPI_execute_snapshot, read_only false); the plans of the watch
// events, and any plan outside a call, run with a new snapshot as SPI_execute_plan takes one.
// nulls may be nullptr (no argument is null). Returns SPI_processed.
uint64 exec_plan(Plan plan, Datum* values, const char* nulls = nullptr);

// Column `col` (1-based) of result row `row` of the last statement; 0 for NULL (and
// *isnull set when given).
int64 get_int8(uint64 row, int col, bool* isnull = nullptr);
int32 get_int4(uint64 row, int col, bool* isnull = nullptr);
// palloc'd text of a column, or NULL.
char* get_text(uint64 row, int col);
// The text of a column into dst (empty for NULL).
void assign_text(std::string& dst, uint64 row, int col);

// Arguments, palloc'd in the current memory context.
Datum text_datum(std::string_view s);
Datum int8_array(const int64* v, int n);
Datum type_array(const uint32_t* v, int n);  // kNoType (storage.h) becomes NULL

}  // namespace tdb::pg
