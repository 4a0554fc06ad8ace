// datetime(), timeval(), now(), the datetime/timeval methods and the time
// zone functions, with ThingsDB's argument checks and messages
// (fndatetime.h, fnmove.h, fnreplace.h, fnto.h, fnformat.h, fnextract.h,
// fnweek.h, fnweekday.h, fnyday.h, fnzone.h, fnsettimezone.h,
// fntimezonesinfo.h, fnistimezone.h, fnnow.h).
#include <cinttypes>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "core/model/datetime.h"
#include "core/api/error.h"
#include "core/fn/builtins.h"
#include "core/fn/fn.h"
#include "core/lang/query.h"
#include "core/api/storage.h"
#include "core/model/thing.h"
#include "core/model/value.h"

namespace tdb {

namespace {

// A datetime from a local time given with arguments 1..7 (year, month, day
// [, hour [, minute [, second]]] [, tz]).
Value from_parts(Query& q, Args& a, const char* fname, bool timeval) {
    struct tm tm;
    std::memset(&tm, 0, sizeof tm);
    static const char* names[] = {"year", "month", "day", "hour", "minute", "second"};
    static const int lo[] = {1, 1, 1, 0, 0, 0};
    static const int hi[] = {9999, 12, 31, 23, 59, 59};
    int* fields[] = {&tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec};
    Value tzinfo;
    int i = 0;
    for (; i < a.size() && i < 7; ++i) {
        Value v = a.eval(i);
        if (i < 3) {
            if (!v.is(VT::Int))
                raisef(TYPE_ERR,
                       "function `%s` expects argument %d to be of type `int` (when called with "
                       "three or more "
                       "arguments) but got type `%s` instead",
                       fname, i + 1, type_name(v));
        } else if (i < 6) {
            if (v.is(VT::Str)) {
                tzinfo = v;
                break;
            }
            if (!v.is(VT::Int))
                raisef(TYPE_ERR,
                       "function `%s` expects argument %d to be of type `int` or type `str` (when "
                       "called with "
                       "three or more arguments) but got type `%s` instead",
                       fname, i + 1, type_name(v));
        } else {
            if (!v.is(VT::Str))
                raisef(TYPE_ERR,
                       "function `%s` expects argument 7 to be of type `str` (when called with "
                       "three or more "
                       "arguments) but got type `%s` instead",
                       fname, type_name(v));
            tzinfo = v;
            break;
        }
        int64_t n = v.as_int();
        if (n < lo[i] || n > hi[i])
            raisef(VALUE_ERR, "%s %" PRId64 " is out of range [%d..%d]", names[i], n, lo[i], hi[i]);
        int val = static_cast<int>(n);
        if (i == 0) val -= 1900;
        if (i == 1) val -= 1;
        *fields[i] = val;
    }
    if (tzinfo.is_nil()) return dt_from_tm(tm, query_tz(q), 0, timeval);
    if (i + 1 < a.size())
        raisef(TYPE_ERR,
               "function `%s` expects the last, and only the last argument to be of type `str` "
               "(when called "
               "with three or more arguments)",
               fname);
    const TimeZone* tz;
    int offset_min;
    dt_parse_zone(tzinfo.as_str(), tz, offset_min);
    return dt_from_tm(tm, tz, tz ? 0 : offset_min * 60L, timeval);
}

Value do_datetime(Query& q, Args& a, const char* fname, bool timeval) {
    a.at_most(7);
    const TimeZone* tz = query_tz(q);
    switch (a.size()) {
        case 0:
            return make_datetime(static_cast<int64_t>(std::floor(q.storage().now())), 0, tz,
                                 timeval);
        case 1: {
            Value v = a.eval(0);
            switch (v.type()) {
                case VT::Int:
                    return make_datetime(v.as_int(), 0, tz, timeval);
                case VT::Float: {
                    double d = v.as_float();
                    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
                        raise(OVERFLOW_ERR, "date/time overflow");
                    return make_datetime(static_cast<int64_t>(d), 0, tz, timeval);
                }
                case VT::Datetime:
                case VT::Timeval: {
                    if (v.is(timeval ? VT::Timeval : VT::Datetime)) return v;
                    const DatetimeObj* d = v.datetime();
                    return make_datetime(d->ts, d->offset, d->tz, timeval);
                }
                case VT::Str:
                    return dt_from_iso(v.as_str(), tz, timeval);
                default:
                    raisef(TYPE_ERR, "cannot convert type `%s` to `%s`", type_name(v), fname);
            }
        }
        case 2: {
            Value s = a.eval(0);
            if (!s.is(VT::Str))
                raisef(TYPE_ERR,
                       "function `%s` expects argument 1 to be of type `str` (when called with two "
                       "arguments) but got type `%s` instead",
                       fname, type_name(s));
            Value f = a.eval(1);
            if (!f.is(VT::Str))
                raisef(TYPE_ERR,
                       "function `%s` expects argument 2 to be of type `str` (when called with two "
                       "arguments) "
                       "but got type `%s` instead",
                       fname, type_name(f));
            return dt_from_fmt(s.as_str(), f.as_str(), tz, timeval);
        }
        default:
            return from_parts(q, a, fname, timeval);
    }
}

}  // namespace

Value fn_datetime(Query& q, Value*, Args& a) { return do_datetime(q, a, "datetime", false); }
Value fn_timeval(Query& q, Value*, Args& a) { return do_datetime(q, a, "timeval", true); }

Value fn_now(Query& q, Value*, Args& a) {
    a.exactly(0);
    return Value::number(q.storage().now());
}

namespace {

// ---- methods ----------------------------------------------------------------

struct tm localize(const Value& self) {
    struct tm tm;
    if (!dt_localize(*self.datetime(), tm)) raise(VALUE_ERR, "failed to localize time");
    return tm;
}

}  // namespace

Value m_datetime_move(Query&, Value* self, Args& a) {
    a.exactly(2);
    std::string unit = a.str_arg(0);
    // The unit is checked before the number is evaluated (as ThingsDB).
    check_move_unit(unit);
    int64_t n = a.int_arg(1);
    return dt_move(*self, unit, n);
}

static void replace_value(const Args& a, struct tm& tm, const std::string& key, const Value& val) {
    static const char* names[] = {"year", "month", "day", "hour", "minute", "second"};
    static const int lo[] = {1, 1, 1, 0, 0, 0};
    static const int hi[] = {9999, 12, 31, 23, 59, 59};
    int* fields[] = {&tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec};
    for (int i = 0; i < 6; ++i) {
        if (key != names[i]) continue;
        if (!val.is(VT::Int))
            a.fail(TYPE_ERR, "%s must be of type `int` but got type `%s` instead", names[i],
                   type_name(val));
        int64_t n = val.as_int();
        if (n < lo[i] || n > hi[i])
            a.fail(VALUE_ERR, "%s %" PRId64 " is out of range [%d..%d]", names[i], n, lo[i], hi[i]);
        int v = static_cast<int>(n);
        if (i == 0) v -= 1900;
        if (i == 1) v -= 1;
        *fields[i] = v;
        return;
    }
}

Value m_datetime_replace(Query&, Value* self, Args& a) {
    a.exactly(1);
    const DatetimeObj* dt = self->datetime();
    struct tm tm = localize(*self);
    Value t = a.thing_arg(0);
    for (Prop& p : t.thing()->props()) replace_value(a, tm, p.key, p.val);
    return dt_from_tm(tm, dt->tz, dt->tz ? 0 : tm.tm_gmtoff, self->is(VT::Timeval), true);
}

Value m_datetime_to(Query&, Value* self, Args& a) {
    a.exactly(1);
    std::string s = a.str_arg(0);
    const TimeZone* tz;
    int offset;
    dt_parse_zone(s, tz, offset);
    return make_datetime(self->datetime()->ts, offset, tz, self->is(VT::Timeval));
}

Value m_datetime_format(Query&, Value* self, Args& a) {
    a.exactly(1);
    std::string f = a.str_arg(0);
    return Value::str(dt_format(*self->datetime(), f));
}

Value m_datetime_extract(Query&, Value* self, Args& a) {
    a.at_most(1);
    struct tm tm = localize(*self);
    std::pair<const char*, int64_t> parts[] = {
        {"year", tm.tm_year + 1900L}, {"month", tm.tm_mon + 1}, {"day", tm.tm_mday},
        {"hour", tm.tm_hour},         {"minute", tm.tm_min},    {"second", tm.tm_sec},
        {"gmt_offset", tm.tm_gmtoff},
    };
    if (a.size() == 1) {
        std::string key = a.str_arg(0);
        for (auto& p : parts)
            if (key == p.first) return Value::integer(p.second);
        raise(VALUE_ERR,
              "function `extract` is expecting argument 1 to be `year`, `month`, `day`, `hour`, "
              "`minute`, "
              "`second` or `gmt_offset`");
    }
    Value out = new_thing();
    for (auto& p : parts) out.thing()->props_.push_back(Prop{p.first, Value::integer(p.second)});
    return out;
}

static int local_field(const Value& self, int which) {
    struct tm tm;
    if (!dt_localize(*self.datetime(), tm)) raise(OVERFLOW_ERR, "date/time overflow");
    switch (which) {
        case 0:
            return tm.tm_yday < tm.tm_wday ? 0 : (tm.tm_yday - tm.tm_wday) / 7 + 1;
        case 1:
            return tm.tm_wday;
        default:
            return tm.tm_yday;
    }
}

Value m_datetime_week(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(local_field(*self, 0));
}

Value m_datetime_weekday(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(local_field(*self, 1));
}

Value m_datetime_yday(Query&, Value* self, Args& a) {
    a.exactly(0);
    return Value::integer(local_field(*self, 2));
}

Value m_datetime_zone(Query&, Value* self, Args& a) {
    a.exactly(0);
    const TimeZone* tz = self->datetime()->tz;
    return tz ? Value::str(tz->name) : Value::nil();
}

// ---- time zones ---------------------------------------------------------------

Value fn_time_zones_info(Query&, Value*, Args& a) {
    a.exactly(0);
    std::vector<Value> out;
    for (const TimeZone* tz : tz_all()) out.push_back(Value::str(tz->name));
    return make_list(std::move(out));
}

Value fn_is_time_zone(Query&, Value*, Args& a) {
    a.exactly(1);
    Value v = a.eval(0);
    return Value::boolean(v.is(VT::Str) && tz_find(v.as_str()) != nullptr);
}

// A collection by name or id, as fn/collections.cpp (ti_collections_get_by_val).
static CollectionRow collection_by_val(Storage& st, const Value& v) {
    CollectionRow row;
    if (v.is(VT::Str)) {
        if (!st.find_collection(v.as_str(), row))
            raisef(LOOKUP_ERR, "collection `%s` not found", v.as_str().c_str());
        return row;
    }
    if (v.is(VT::Int)) {
        uint64_t id = static_cast<uint64_t>(v.as_int());
        if (!st.find_collection_by_id(id, row))
            raisef(LOOKUP_ERR, "`collection:%" PRIu64 "` not found", id);
        return row;
    }
    raisef(TYPE_ERR, "expecting type `str` or `int` as collection but got type `%s` instead",
           type_name(v));
}

Value fn_set_time_zone(Query& q, Value*, Args& a) {
    a.exactly(2);
    CollectionRow row = collection_by_val(q.storage(), a.eval(0));
    Value s = a.eval(1);
    if (!s.is(VT::Str)) a.bad_type(1, "str", s);
    const TimeZone* tz = tz_find(s.as_str());
    if (!tz) raise(VALUE_ERR, "unknown time zone");
    q.storage().set_collection_time_zone(row.id, tz->name);
    return Value::nil();
}

}  // namespace tdb
