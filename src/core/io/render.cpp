// Query results as ThingsDB JSON (Query::to_json): things to `deep` levels,
// each with its id under "#"; the result form of the value walk (walk.h).
#include <cmath>

#include "core/api/codec.h"
#include "core/io/json_text.h"
#include "core/io/walk.h"
#include "core/lang/ops.h"
#include "core/lang/query.h"
#include "core/model/datetime.h"
#include "core/model/regex.h"
#include "core/model/task.h"
#include "core/model/wrap.h"

namespace tdb {

namespace {

struct ResultForm {
    JsonText out;
    Query& q;
    int deep;  // levels of things still shown with their properties

    // JSON has no inf or nan: they are strings.
    void number(double d) {
        if (std::isnan(d) || std::isinf(d))
            out.valid_str(float_repr(d));
        else
            out.number(d);
    }
    void bytes(std::string_view s) { out.valid_str(base64_encode(s)); }

    // {"#": id, key: value, ...}; below `deep` levels, and for a thing inside
    // itself, only {"#": id} ({} for a thing without an id).
    void thing(Thing* t) {
        out.begin_object();
        if (t->id) {
            out.tag("#");
            out.uinteger(t->id);
        }
        if (deep <= 0 || t->in_use) {
            out.end_object();
            return;
        }
        struct Level {  // restored also when a property raises
            ResultForm& f;
            Thing* t;
            Level(ResultForm& f, Thing* t) : f(f), t(t) {
                ++t->in_use;  // a thing inside itself shows as {"#": id}
                --f.deep;
            }
            ~Level() {
                --t->in_use;
                ++f.deep;
            }
        } level(*this, t);
        for (Prop& p : t->props()) {
            out.key(p.key);
            walk(*this, p.val);
        }
        out.end_object();
    }
    void set(const SetObj* s) {
        out.begin_array();
        for (auto& t : s->items) poll_tick(), thing(t.get());
        out.end_array();
    }
    void closure(const ClosureObj& c) { out.str(c.source); }
    void regex(const RegexObj& r) { out.str("/" + r.pattern + "/" + r.flags); }
    // A client sees an error value as its message (the code stays readable
    // through `.code()`); only the stored form keeps both.
    void error(const ErrorObj& e) { out.str(e.msg); }
    // A datetime as its ISO text (to_display), a timeval as its seconds.
    void datetime(const Value& v) {
        if (v.is(VT::Timeval))
            out.integer(v.datetime()->ts);
        else
            out.str(to_display(v));
    }
    void member(const Value& v) { walk(*this, v.member()->val); }
    void future(const Value& v) { walk(*this, future_value(v)); }             // fn/util.cpp
    void wrap(const Value& v) { render_wrap(q, out.value_text(), v, deep); }  // wrap.cpp
    void ano(const Value& v) { out.str(to_display(v)); }
    void room(const RoomObj& r) { out.str(room_client_text(r)); }
    void task(const Value& v) { out.str(task_result_text(v)); }  // fn/tasks.cpp
};

}  // namespace

std::string Query::to_json(const Value& v, int deep) {
    std::string text;
    ResultForm f{JsonText(text), *this, deep};
    walk(f, v);
    return text;
}

}  // namespace tdb
