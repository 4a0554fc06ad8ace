// Task values (ThingsDB's vtask): a closure scheduled to run at a time as
// its owner. The row in storage is the truth; a TaskObj is this query's view
// of it, one object per task id and query, so every value of a task sees
// the changes the query makes to it.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <vector>

#include "core/model/value.h"

namespace tdb {

struct TaskObj : Obj {
    uint64_t id = 0;  // 0: an empty task ("task:nil"), e.g. one deleted meanwhile
    uint64_t scope_id = 0;
    int64_t run_at = 0;  // seconds since the epoch; 0: not scheduled
    uint64_t owner_id = 0;
    std::string owner;  // the owner's user name
    Value closure;
    std::vector<Value> args;  // without the task itself (the closure's first argument)
    Value err;                // nil, or the error of the last run
    bool again = false;       // again_at/again_in during this run: scheduled again
    bool loaded = false;      // the row was read (a task from a stored property is not yet)
};

// str() of a task ("task:123", "task:nil") and what a result shows of it
// ("<task:123 owner:admin run_at:2024-01-01T00:00:00Z status:nil>").
std::string task_display(const Value& v);
// The empty task ("task:nil"): the default of a `task` field.
Value empty_task();
// A task of the running query's collection read back from the stored form {"!k": id}; the
// empty task when it is gone (fn/tasks.cpp; codec.cpp).
Value stored_task(uint64_t id);
std::string task_result_text(const Value& v);

}  // namespace tdb
