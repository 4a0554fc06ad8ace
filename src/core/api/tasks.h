// Running tasks from outside the language: the worker of src/pg picks a due
// task (its row locked) and runs it here, as the task's owner.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/api/storage.h"

namespace tdb {

struct Identity;  // access.h

struct TaskRunRequest {
    uint64_t scope_id = 0;  // 0: @thingsdb
    uint64_t task_id = 0;
    const Identity* identity = nullptr;  // the owner's
    // Receives the watch-event jobs of a successful run (as QueryRequest).
    std::vector<std::pair<uint64_t, std::string>>* jobs_out = nullptr;
    std::string* scope_out = nullptr;  // "@thingsdb" or "@:name"
};

// Runs the task's closure with the task and its arguments. Afterwards a
// task that did not call again_at/again_in is deleted; one that did is kept
// with its new start time. An error of the run is thrown (tdb::Error): the
// caller rolls the run back and records it with record_task_error. Returns
// false when the task is gone or not scheduled (nothing ran).
bool run_task(Storage& st, const TaskRunRequest& req);

// Keeps the error of a failed run in the task (`task.err()`) and takes it off
// the schedule, as ThingsDB keeps a failed task that was not rescheduled.
void record_task_error(Storage& st, uint64_t scope_id, uint64_t task_id, int code,
                       const std::string& msg);

}  // namespace tdb
