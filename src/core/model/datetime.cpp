// datetime and timeval: time zones, localizing, parsing, formatting, moving.
//
// Time zones come from the system's tz database through the C library: the
// zone is selected with TZ=":Name" and tzset() only when it differs from the
// one selected last (one PostgreSQL backend is one thread, and PostgreSQL's
// own time code does not use the C library's zone). Every call that reads
// the C library's zone (mktime, localtime_r, strftime, strptime) selects
// one first, UTC for datetimes without a zone, so no result depends on what
// ran before; the process's own TZ comes back when the outermost query ends
// (or at once, outside a query), so nothing carries to the next query.
#include "core/model/datetime.h"

#include <cctype>
#include <climits>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <memory>
#include <sstream>
#include <unordered_map>

#include "core/api/engine.h"
#include "core/api/error.h"
#include "core/lang/query.h"
#include "core/model/thing.h"

namespace tdb {

namespace {

const char* kZoneDir = "/usr/share/zoneinfo";

struct Zones {
    std::vector<std::unique_ptr<TimeZone>> owned;
    std::vector<const TimeZone*> all;
    std::unordered_map<std::string, const TimeZone*> by_name;

    void add(const std::string& name) {
        if (name.empty() || by_name.count(name)) return;
        auto z = std::make_unique<TimeZone>();
        z->name = name;
        by_name[name] = z.get();
        owned.push_back(std::move(z));
    }

    Zones() {
        std::vector<std::string> names;
        std::ifstream zi(std::string(kZoneDir) + "/tzdata.zi");
        std::string line;
        while (std::getline(zi, line)) {
            // "Z Europe/Amsterdam ..." (a zone) and "L Target Link/Name" (a link)
            std::istringstream ls(line);
            std::string kind, a, b;
            ls >> kind >> a;
            if (kind == "Z")
                names.push_back(a);
            else if (kind == "L" && (ls >> b))
                names.push_back(b);
        }
        if (names.empty()) {
            // No tzdata.zi: every TZif file under the zone directory.
            std::error_code ec;
            for (auto it = std::filesystem::recursive_directory_iterator(kZoneDir, ec);
                 !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
                std::string rel = std::filesystem::relative(it->path(), kZoneDir, ec).string();
                if (rel.rfind("posix", 0) == 0 || rel.rfind("right", 0) == 0) {
                    if (it->is_directory()) it.disable_recursion_pending();
                    continue;
                }
                if (!it->is_regular_file()) continue;
                std::ifstream f(it->path(), std::ios::binary);
                char magic[4] = {};
                f.read(magic, 4);
                if (std::memcmp(magic, "TZif", 4) == 0) names.push_back(rel);
            }
        }
        std::sort(names.begin(), names.end());
        add("UTC");
        for (const std::string& n : names) add(n);
        for (size_t i = 0; i < owned.size(); ++i) {
            owned[i]->index = i;
            all.push_back(owned[i].get());
        }
    }
};

Zones& zones() {
    static Zones z;
    return z;
}

std::string g_cur_tz;   // the zone TZ was set to; empty: the process's own
bool g_had_tz = false;  // the process's TZ before the first selection
std::string g_orig_tz;

bool is_utc(const TimeZone* tz) { return tz && tz->index == 0; }

// tz nullptr (a fixed offset) selects UTC: the C library then adds nothing.
void select_zone(const TimeZone* tz) {
    const std::string& name = tz ? tz->name : zones().all.front()->name;
    if (g_cur_tz == name) return;
    if (g_cur_tz.empty()) {
        const char* env = getenv("TZ");
        g_had_tz = env != nullptr;
        g_orig_tz = env ? env : "";
    }
    std::string env = ":" + name;
    setenv("TZ", env.c_str(), 1);
    tzset();
    g_cur_tz = name;
}

// Outside a query nothing would restore the zone later: restore it when the
// call is done.
struct RestoreOutsideQuery {
    RestoreOutsideQuery() = default;
    RestoreOutsideQuery(const RestoreOutsideQuery&) = delete;
    RestoreOutsideQuery& operator=(const RestoreOutsideQuery&) = delete;
    ~RestoreOutsideQuery() {
        if (!query_running()) dt_restore_process_zone();
    }
};

// mktime in a zone: DST resolved by the zone (tm_isdst = -1), or, with
// keep_dst, the tm_isdst given (ThingsDB's replace() keeps the one of the
// original time: a wall time on the other side of a DST change is read in
// the original's offset).
int64_t mktime_in(struct tm& tm, const TimeZone* tz, bool keep_dst = false) {
    if (is_utc(tz)) {
        tm.tm_isdst = 0;
        int64_t ts = timegm(&tm);
        tm.tm_gmtoff = 0;
        return ts;
    }
    RestoreOutsideQuery restore;
    select_zone(tz);
    if (!keep_dst) tm.tm_isdst = -1;
    return mktime(&tm);
}

// ThingsDB's datetime__offset_in_sec: "+hh" or "+hhmm" (hh <= 12); here also
// "+hh:mm". Raises value_err.
long offset_in_sec(const char* s) {
    auto invalid = [] {
        raise(VALUE_ERR, "invalid offset; expecting format `+/-hh[mm]`, for example +0100 or -05");
    };
    int sign;
    if (*s == '-')
        sign = -1;
    else if (*s == '+')
        sign = 1;
    else
        invalid();
    ++s;
    if (!isdigit(static_cast<unsigned char>(s[0])) || !isdigit(static_cast<unsigned char>(s[1])))
        invalid();
    long hours = (s[0] - '0') * 10 + (s[1] - '0');
    if (hours > 12) invalid();
    s += 2;
    long minutes = 0;
    if (*s == ':' && isdigit(static_cast<unsigned char>(s[1]))) ++s;
    if (isdigit(static_cast<unsigned char>(*s))) {
        if (!isdigit(static_cast<unsigned char>(s[1]))) invalid();
        minutes = (s[0] - '0') * 10 + (s[1] - '0');
        if (minutes > 59 || (minutes && hours == 12)) invalid();
        s += 2;
    }
    if (*s) invalid();
    return (hours * 3600 + minutes * 60) * sign;
}

Value from_strn(const std::string& s, const char* fmt, const TimeZone* tz, bool timeval) {
    if (s.size() >= 120) raise(VALUE_ERR, "invalid date/time string (too large)");
    struct tm tm;
    std::memset(&tm, 0, sizeof tm);
    tm.tm_mday = 1;
    // strptime reads C strings: it matches when it stops at the end of s
    // (not at a NUL inside it). A format ends at its first NUL, so it may be
    // empty.
    const char* c;
    {
        RestoreOutsideQuery restore;
        select_zone(is_utc(tz) ? nullptr : tz);  // %s reads the zone
        c = strptime(s.c_str(), fmt, &tm);
    }
    if (c != s.c_str() + s.size())
        raisef(VALUE_ERR, "invalid date/time string (does not match format `%s`)", fmt);
    size_t n = std::strlen(fmt);
    switch (n ? fmt[n - 1] : '\0') {
        case 'Z': {
            tm.tm_isdst = 0;
            int64_t ts = timegm(&tm);
            return make_datetime(ts, 0, tz_utc(), timeval);
        }
        case 'z': {
            tm.tm_isdst = 0;
            int64_t ts = timegm(&tm);
            size_t p = s.find_last_of("+-");
            if (p == std::string::npos)
                raisef(VALUE_ERR, "invalid date/time string (does not match format `%s`)", fmt);
            long off = offset_in_sec(s.c_str() + p);
            return make_datetime(ts - off, static_cast<int>(off / 60), nullptr, timeval);
        }
        default: {
            int64_t ts = mktime_in(tm, tz);
            return make_datetime(ts, static_cast<int>(tm.tm_gmtoff / 60), tz, timeval);
        }
    }
}

}  // namespace

const TimeZone* tz_utc() { return zones().all.front(); }

void dt_restore_process_zone() {
    if (g_cur_tz.empty()) return;
    if (g_had_tz)
        setenv("TZ", g_orig_tz.c_str(), 1);
    else
        unsetenv("TZ");
    tzset();
    g_cur_tz.clear();
}

const TimeZone* tz_find(std::string_view name) {
    auto& m = zones().by_name;
    auto it = m.find(std::string(name));
    return it == m.end() ? nullptr : it->second;
}

const std::vector<const TimeZone*>& tz_all() { return zones().all; }

Value make_datetime(int64_t ts, int offset, const TimeZone* tz, bool timeval) {
    return Value::obj(timeval ? VT::Timeval : VT::Datetime, new DatetimeObj(ts, offset, tz));
}

bool dt_localize(const DatetimeObj& dt, struct tm& tm) {
    std::memset(&tm, 0, sizeof tm);
    if (dt.tz && !is_utc(dt.tz)) {
        RestoreOutsideQuery restore;
        select_zone(dt.tz);
        time_t t = static_cast<time_t>(dt.ts);
        return localtime_r(&t, &tm) == &tm;
    }
    long off = dt.tz ? 0 : static_cast<long>(dt.offset) * 60;
    int64_t ts = dt.ts;
    if ((off > 0 && ts > INT64_MAX - off) || (off < 0 && ts < INT64_MIN - off)) return false;
    time_t t = static_cast<time_t>(ts + off);
    if (gmtime_r(&t, &tm) != &tm) return false;
    tm.tm_gmtoff = off;
    return true;
}

static std::string write_tm(const DatetimeObj& dt, const char* fmt) {
    struct tm tm;
    if (!dt_localize(dt, tm)) raise(VALUE_ERR, "failed to localize time");
    char buf[120];
    RestoreOutsideQuery restore;
    select_zone(dt.tz && !is_utc(dt.tz) ? dt.tz : nullptr);  // %s reads the zone
    size_t n = strftime(buf, sizeof buf, fmt, &tm);
    if (n == 0) raise(VALUE_ERR, "invalid date/time template");
    return std::string(buf, n);
}

std::string dt_to_iso(const DatetimeObj& dt) {
    bool zone = (dt.tz && !is_utc(dt.tz)) || (!dt.tz && dt.offset);
    return write_tm(dt, zone ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%dT%H:%M:%SZ");
}

std::string dt_format(const DatetimeObj& dt, const std::string& fmt) {
    if (fmt.size() < 2 || fmt.size() >= 80)
        raise(VALUE_ERR, "date/time format is restricted to a length between 2 and 80 characters");
    return write_tm(dt, fmt.c_str());
}

Value dt_from_iso(const std::string& s, const TimeZone* tz, bool timeval) {
    bool t = s.size() > 10 && s[10] == 'T';
    switch (s.size()) {
        case 4:
            return from_strn(s, "%Y", tz, timeval);
        case 7:
            return from_strn(s, "%Y-%m", tz, timeval);
        case 10:
            return from_strn(s, "%Y-%m-%d", tz, timeval);
        case 13:
            return from_strn(s, t ? "%Y-%m-%dT%H" : "%Y-%m-%d %H", tz, timeval);
        case 16:
            return from_strn(s, t ? "%Y-%m-%dT%H:%M" : "%Y-%m-%d %H:%M", tz, timeval);
        case 19:
            return from_strn(s, t ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d %H:%M:%S", tz, timeval);
        case 20:
            return from_strn(s, t ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%SZ", tz, timeval);
        case 22:  // +hh
        case 24:  // +hhmm
        case 25:  // +hh:mm (not in ThingsDB, which has no colon form)
            return from_strn(s, t ? "%Y-%m-%dT%H:%M:%S%z" : "%Y-%m-%d %H:%M:%S%z", tz, timeval);
    }
    raise(VALUE_ERR, "invalid date/time string");
}

Value dt_from_fmt(const std::string& s, const std::string& fmt, const TimeZone* tz, bool timeval) {
    if (fmt.size() < 2 || fmt.size() >= 80)
        raise(VALUE_ERR, "invalid date/time format (wrong size)");
    return from_strn(s, fmt.c_str(), tz, timeval);
}

Value dt_from_tm(struct tm tm, const TimeZone* tz, long offset_sec, bool timeval, bool keep_dst) {
    int mday = tm.tm_mday;
    int64_t ts;
    int offset;
    if (tz) {
        ts = mktime_in(tm, tz, keep_dst);
        offset = static_cast<int>(tm.tm_gmtoff / 60);
    } else {
        tm.tm_isdst = 0;
        ts = static_cast<int64_t>(timegm(&tm)) - offset_sec;
        offset = static_cast<int>(offset_sec / 60);
    }
    if (tm.tm_mday != mday) raisef(VALUE_ERR, "day %d is out of range for month", mday);
    return make_datetime(ts, offset, tz, timeval);
}

void dt_parse_zone(const std::string& s, const TimeZone*& tz, int& offset_min) {
    if (s.empty())
        raise(VALUE_ERR,
              "expecting a time zone or offset; example time zone: `Europe/Amsterdam`; example "
              "offset: `+01`");
    if (s[0] == '+' || s[0] == '-') {
        if (s.size() >= 6 || s.find('\0') != std::string::npos)
            raise(VALUE_ERR,
                  "invalid offset; expecting format `+/-hh[mm]`, for example +0100 or -05");
        long off = offset_in_sec(s.c_str());
        tz = nullptr;
        offset_min = static_cast<int>(off / 60);
        return;
    }
    const TimeZone* z = tz_find(s);
    if (!z) raise(VALUE_ERR, "unknown time zone");
    tz = z;
    offset_min = 0;
}

void check_move_unit(const std::string& unit) {
    static const char* units[] = {"years", "months",  "weeks",  "days",
                                  "hours", "minutes", "seconds"};
    for (const char* u : units)
        if (unit == u) return;
    raise(VALUE_ERR,
          "invalid unit, expecting one of `years`, `months`, `weeks`, `days`, `hours`, "
          "`minutes` or `seconds`");
}

Value dt_move(const Value& v, const std::string& unit, int64_t num) {
    enum { YEARS, MONTHS, WEEKS, DAYS, HOURS, MINUTES, SECONDS } u;
    if (unit == "years")
        u = YEARS;
    else if (unit == "months")
        u = MONTHS;
    else if (unit == "weeks")
        u = WEEKS;
    else if (unit == "days")
        u = DAYS;
    else if (unit == "hours")
        u = HOURS;
    else if (unit == "minutes")
        u = MINUTES;
    else if (unit == "seconds")
        u = SECONDS;
    else
        raise(VALUE_ERR,
              "invalid unit, expecting one of `years`, `months`, `weeks`, `days`, `hours`, "
              "`minutes` or `seconds`");
    const DatetimeObj& dt = *v.datetime();
    bool timeval = v.is(VT::Timeval);
    if (u <= MONTHS) {
        struct tm tm;
        if (!dt_localize(dt, tm)) raise(VALUE_ERR, "failed to localize time");
        if (u == MONTHS) {
            if ((num > 0 && tm.tm_mon > INT_MAX - num) || (num < 0 && tm.tm_mon < INT_MIN - num))
                raise(OVERFLOW_ERR, "integer overflow");
            int64_t mon = tm.tm_mon + num;
            num = mon / 12;
            mon %= 12;
            if (mon < 0) {
                mon += 12;
                num -= 1;
            }
            tm.tm_mon = static_cast<int>(mon);
        }
        if ((num > 0 && tm.tm_year > INT_MAX - num) || (num < 0 && tm.tm_year < INT_MIN - num))
            raise(OVERFLOW_ERR, "integer overflow");
        tm.tm_year += static_cast<int>(num);
        // A day past the end of the month runs on into the next one (Jan 31
        // plus a month is Mar 2 or 3), as ThingsDB's mktime() normalises it.
        int64_t ts;
        if (dt.tz) {
            ts = mktime_in(tm, dt.tz);
        } else {
            tm.tm_isdst = 0;
            ts = static_cast<int64_t>(timegm(&tm)) - static_cast<int64_t>(dt.offset) * 60;
        }
        return make_datetime(ts, dt.offset, dt.tz, timeval);
    }
    if (num < INT_MIN || num > INT_MAX) raise(OVERFLOW_ERR, "integer overflow");
    if ((u == WEEKS || u == DAYS) && dt.tz && !is_utc(dt.tz)) {
        // Days and weeks move the calendar day in the zone and keep the wall
        // time, also across a DST change.
        struct tm tm;
        if (!dt_localize(dt, tm)) raise(VALUE_ERR, "failed to localize time");
        int64_t days = u == WEEKS ? num * 7 : num;
        if ((days > 0 && tm.tm_mday > INT_MAX - days) || (days < 0 && tm.tm_mday < INT_MIN - days))
            raise(OVERFLOW_ERR, "integer overflow");
        tm.tm_mday += static_cast<int>(days);
        return make_datetime(mktime_in(tm, dt.tz), dt.offset, dt.tz, timeval);
    }
    switch (u) {
        case WEEKS:
            num *= 7;
            [[fallthrough]];
        case DAYS:
            num *= 24;
            [[fallthrough]];
        case HOURS:
            num *= 60;
            [[fallthrough]];
        case MINUTES:
            num *= 60;
            [[fallthrough]];
        default:
            break;
    }
    int64_t ts;
    if (__builtin_add_overflow(dt.ts, num, &ts)) raise(OVERFLOW_ERR, "integer overflow");
    return make_datetime(ts, dt.offset, dt.tz, timeval);
}

const TimeZone* query_tz(Query& q) {
    Collection* c = q.collection();
    if (!c) return tz_utc();
    const TimeZone* tz = tz_find(c->row().time_zone);
    return tz ? tz : tz_utc();
}

}  // namespace tdb
