// thing.emit(event, args...): an `event` job on a stored thing for its watchers.
#include <string>
#include <vector>

#include "core/api/events.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

// As ThingsDB's do__f_emit: the event name must be a str; a thing that is not
// stored has no watchers, so nothing is recorded; the result is nil.
Value m_emit(Query& q, Value* self, Args& a) {
    a.at_least(1);
    std::string event = a.str_arg(0);
    std::vector<Value> args;
    args.reserve(static_cast<size_t>(a.size() - 1));
    for (int i = 1; i < a.size(); ++i) args.push_back(a.eval(i));
    Thing* t = self->thing();
    if (records_jobs(t)) q.add_job(t->id, job_event(q, event, args));
    return Value::nil();
}

}  // namespace

void register_event_methods() {
    register_methods(VT::Thing, {
        {"emit", m_emit, FN_COLLECTION | FN_CHANGE},
    });
}

}  // namespace tdb
