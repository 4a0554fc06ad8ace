// datetime and timeval values: seconds since the epoch with a time zone (an
// IANA name from the system's tz database) or a fixed UTC offset, as
// ThingsDB's ti_datetime_t. A timeval is the same value rendered as an int.
#pragma once

#include "core/api/pure.h"

#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/value.h"

namespace tdb {

// A time zone of the system's tz database (/usr/share/zoneinfo). Zones live
// for the whole process; `index` is its place in time_zones_info().
struct TimeZone {
    std::string name;
    size_t index = 0;
};

const TimeZone* tz_utc();
// nullptr when the name is no known time zone (names are case-sensitive).
const TimeZone* tz_find(std::string_view name);
// Every known zone: "UTC" first, then the zones and links of tzdata.zi sorted.
const std::vector<const TimeZone*>& tz_all();
// Gives the process back the TZ it had before a datetime selected a zone
// (the end of every outermost query calls it).
void dt_restore_process_zone();

struct DatetimeObj : Obj {
    DatetimeObj(int64_t ts, int offset, const TimeZone* tz)
        : ts(ts), offset(static_cast<int16_t>(offset)), tz(tz) {}
    int64_t ts;          // seconds since the epoch (UTC)
    int16_t offset;      // minutes east of UTC; used when tz is nullptr
    const TimeZone* tz;  // nullptr: a fixed offset
};

// A datetime (or, with timeval = true, a timeval) value.
Value make_datetime(int64_t ts, int offset, const TimeZone* tz, bool timeval = false);
inline bool is_datetime_like(const Value& v) { return v.is(VT::Datetime) || v.is(VT::Timeval); }

// The broken-down local time of a datetime (tm_gmtoff set); false on failure.
bool dt_localize(const DatetimeObj& dt, struct tm& tm);
// "2013-02-06T13:00:00Z" in UTC, else "2013-02-06T13:00:00+0100" (strftime
// %z, as ThingsDB).
std::string dt_to_iso(const DatetimeObj& dt);
// strftime with a template; value_err as ThingsDB.
std::string dt_format(const DatetimeObj& dt, const std::string& fmt);

// Parsing, as ThingsDB's ti_datetime_from_str / ti_datetime_from_fmt. `tz`
// is the zone of times without offset (the collection's zone). Raise value_err.
Value dt_from_iso(const std::string& s, const TimeZone* tz, bool timeval);
Value dt_from_fmt(const std::string& s, const std::string& fmt, const TimeZone* tz, bool timeval);

// A local time (tm_year.. tm_sec) in a zone, or in a fixed offset given in
// seconds (tz nullptr). Raises "day %d is out of range for month". keep_dst:
// tm_isdst as given, else as the zone has it at that time.
Value dt_from_tm(struct tm tm, const TimeZone* tz, long offset_sec, bool timeval,
                 bool keep_dst = false);

// Moves a datetime by n units ("years", "months", "weeks", "days", "hours",
// "minutes", "seconds"); month ends are clamped as ThingsDB does.
Value dt_move(const Value& dt, const std::string& unit, int64_t n);
// The units of move() and again_in(): value_err with ThingsDB's message for another.
void check_move_unit(const std::string& unit);

// A time zone name or "+hh[mm]"/"-hh[mm]": sets tz or offset; raises value_err.
void dt_parse_zone(const std::string& s, const TimeZone*& tz, int& offset_min);

// The collection's zone for a query (UTC in @thingsdb, or when unknown).
class Query;
const TimeZone* query_tz(Query& q);

}  // namespace tdb
