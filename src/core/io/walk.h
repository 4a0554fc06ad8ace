// walk(): the one walk over a value shared by every writer of values: query
// results (render.cpp), watch-event mutations (events.cpp) and the stored
// form of properties (codec_write.cpp, as JSON text or as encoder events).
#pragma once

#include "core/api/pure.h"

#include "core/api/error.h"
#include "core/model/poll.h"
#include "core/model/room.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

// A writer ("form") is a struct with a member `out` (JsonText, json_text.h,
// or the encoder output in codec_write.cpp) and one member per kind of value
// that the forms write differently:
//
//   number(double)               bytes(std::string_view)
//   thing(Thing*)                set(const SetObj*)
//   closure(const ClosureObj&)   regex(const RegexObj&)   error(const ErrorObj&)
//   datetime(const Value&)       (a datetime or a timeval)
//   member(const Value&)         wrap(const Value&)
//   future(const Value&)         ano(const Value&)
//   room(const RoomObj&)
//   task(const Value&)
//
// nil, bool, int, str and lists are the same in every form and written here;
// forms recurse with walk(*this, v). A new kind of value goes into this
// switch (-Wswitch points here), and every form then fails to compile until
// it says how it writes that kind. The calls are static (a template), since
// the result renderer and the stored-form writers are on hot paths.
template <class Form>
void walk(Form& f, const Value& v) {
    check_stack_depth();  // things and wraps recurse through the forms
    poll_tick();          // every value of a list, a set or a thing passes here
    // One line per kind: the switch reads as a table.
    // clang-format off
    switch (v.type()) {
        case VT::Nil: f.out.null(); return;
        case VT::Bool: f.out.boolean(v.as_bool()); return;
        case VT::Int: f.out.integer(v.as_int()); return;
        case VT::Float: f.number(v.as_float()); return;
        case VT::Str: f.out.str(v.as_str()); return;
        case VT::Bytes: f.bytes(v.as_str()); return;
        case VT::List: {
            // Nested deeper than kMaxNesting is an error, not a stack
            // overflow; the JSON reader refuses the same depth, so nothing is
            // stored that could not be read back. One counter per form.
            static thread_local int nesting = 0;
            NestingGuard guard(nesting);
            InUseMark<ListObj> in_use(v.list());  // a form may run methods (wraps)
            f.out.begin_array();
            for (const Value& item : v.list()->items()) walk(f, item);
            f.out.end_array();
            return;
        }
        case VT::Thing: f.thing(v.thing()); return;
        case VT::Set: { InUseMark<SetObj> in_use(v.set()); f.set(v.set()); return; }
        case VT::Closure: f.closure(*v.closure()); return;
        case VT::Regex: f.regex(*v.regex()); return;
        case VT::Error: f.error(*v.error()); return;
        case VT::Datetime:
        case VT::Timeval: f.datetime(v); return;
        case VT::EnumMember: f.member(v); return;
        case VT::Wrap: f.wrap(v); return;
        case VT::Future: f.future(v); return;
        case VT::Ano: f.ano(v); return;
        case VT::Room: f.room(*v.room()); return;
        case VT::Task: f.task(v); return;
    }
    // clang-format on
}

}  // namespace tdb
