// datetime and timeval: construction, parsing, methods, time zones,
// operators, conversions, rendering and the stored form.
#include <gtest/gtest.h>

#include "harness.h"

using tdb::Error;

namespace {

const std::string kTimeZoneOrOffset =
    "expecting a time zone or offset; example time zone: `Europe/Amsterdam`; example offset: `+01`";
const std::string kBadOffset =
    "invalid offset; expecting format `+/-hh[mm]`, for example +0100 or -05";

}  // namespace

TEST(Datetime, Construct) {
    EXPECT_EQ(q("datetime(0)"), "\"1970-01-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime()"), "\"2023-11-14T22:13:20Z\"");  // MemStorage's now
    EXPECT_EQ(q("timeval()"), "1700000000");
    EXPECT_EQ(q("timeval(0)"), "0");
    EXPECT_EQ(q("datetime(1.9)"), "\"1970-01-01T00:00:01Z\"");
    EXPECT_EQ(q("datetime(-86400)"), "\"1969-12-31T00:00:00Z\"");
    EXPECT_EQ(q("type(datetime())"), "\"datetime\"");
    EXPECT_EQ(q("type(timeval())"), "\"timeval\"");
    EXPECT_EQ(q("type(datetime(timeval(5)))"), "\"datetime\"");
    EXPECT_EQ(q("type(timeval(datetime(5)))"), "\"timeval\"");
    EXPECT_EQ(q("int(timeval(datetime(5)))"), "5");
    EXPECT_EQ(q("datetime(2013, 2, 6)"), "\"2013-02-06T00:00:00Z\"");
    EXPECT_EQ(q("datetime(2013, 2, 6, 13)"), "\"2013-02-06T13:00:00Z\"");
    EXPECT_EQ(q("datetime(2013, 2, 6, 13, 14, 15)"), "\"2013-02-06T13:14:15Z\"");
    EXPECT_EQ(q("datetime(2013, 2, 6, 13, 'Europe/Amsterdam')"), "\"2013-02-06T13:00:00+0100\"");
    EXPECT_EQ(q("datetime(2020, 7, 1, 12, 0, 0, 'Europe/Amsterdam')"),
              "\"2020-07-01T12:00:00+0200\"");
    EXPECT_EQ(q("datetime(2020, 7, 1, 12, 0, 0, '+0530')"), "\"2020-07-01T12:00:00+0530\"");
    EXPECT_EQ(q("int(datetime(2020, 7, 1, 12, 0, 0, '-05'))"), "1593622800");
    EXPECT_EQ(q("timeval(2013, 2, 6)"), "1360108800");
    EXPECT_EQ(q("is_datetime(datetime())"), "true");
    EXPECT_EQ(q("is_datetime(timeval())"), "false");
    EXPECT_EQ(q("is_timeval(timeval())"), "true");
}

TEST(Datetime, ConstructErrors) {
    expect_err("datetime(1, 2, 3, 4, 5, 6, 7, 8)", tdb::NUM_ARGUMENTS_ERR,
               "function `datetime` takes at most 7 arguments but 8 were given");
    expect_err("timeval(1, 2, 3, 4, 5, 6, 7, 8)", tdb::NUM_ARGUMENTS_ERR,
               "function `timeval` takes at most 7 arguments but 8 were given");
    expect_err("datetime(nil)", tdb::TYPE_ERR, "cannot convert type `nil` to `datetime`");
    expect_err("timeval([])", tdb::TYPE_ERR, "cannot convert type `list` to `timeval`");
    expect_err("datetime(float('1e300'))", tdb::OVERFLOW_ERR, "date/time overflow");
    expect_err("datetime(1, '%Y')", tdb::TYPE_ERR,
               "function `datetime` expects argument 1 to be of type `str` (when called with two "
               "arguments) "
               "but got type `int` instead");
    expect_err("datetime('2013', 1)", tdb::TYPE_ERR,
               "function `datetime` expects argument 2 to be of type `str` (when called with two "
               "arguments) "
               "but got type `int` instead");
    expect_err("datetime('2013', 2, 6)", tdb::TYPE_ERR,
               "function `datetime` expects argument 1 to be of type `int` (when called with three "
               "or more "
               "arguments) but got type `str` instead");
    expect_err("datetime(2013, nil, 6)", tdb::TYPE_ERR,
               "function `datetime` expects argument 2 to be of type `int` (when called with three "
               "or more "
               "arguments) but got type `nil` instead");
    expect_err("datetime(2013, 2, 6.0)", tdb::TYPE_ERR,
               "function `datetime` expects argument 3 to be of type `int` (when called with three "
               "or more "
               "arguments) but got type `float` instead");
    expect_err("datetime(2013, 2, 6, 1.0)", tdb::TYPE_ERR,
               "function `datetime` expects argument 4 to be of type `int` or type `str` (when "
               "called with "
               "three or more arguments) but got type `float` instead");
    expect_err("datetime(2013, 2, 6, 1, nil)", tdb::TYPE_ERR,
               "function `datetime` expects argument 5 to be of type `int` or type `str` (when "
               "called with "
               "three or more arguments) but got type `nil` instead");
    expect_err("datetime(2013, 2, 6, 1, 2, true)", tdb::TYPE_ERR,
               "function `datetime` expects argument 6 to be of type `int` or type `str` (when "
               "called with "
               "three or more arguments) but got type `bool` instead");
    expect_err("datetime(2013, 2, 6, 1, 2, 3, 4)", tdb::TYPE_ERR,
               "function `datetime` expects argument 7 to be of type `str` (when called with three "
               "or more "
               "arguments) but got type `int` instead");
    expect_err("datetime(2013, 2, 6, 'UTC', 2)", tdb::TYPE_ERR,
               "function `datetime` expects the last, and only the last argument to be of type "
               "`str` (when "
               "called with three or more arguments)");
    expect_err("datetime(0, 1, 1)", tdb::VALUE_ERR, "year 0 is out of range [1..9999]");
    expect_err("datetime(10000, 1, 1)", tdb::VALUE_ERR, "year 10000 is out of range [1..9999]");
    expect_err("datetime(2000, 13, 1)", tdb::VALUE_ERR, "month 13 is out of range [1..12]");
    expect_err("datetime(2000, 1, 0)", tdb::VALUE_ERR, "day 0 is out of range [1..31]");
    expect_err("datetime(2000, 1, 1, 24)", tdb::VALUE_ERR, "hour 24 is out of range [0..23]");
    expect_err("datetime(2000, 1, 1, 0, 60)", tdb::VALUE_ERR, "minute 60 is out of range [0..59]");
    expect_err("datetime(2000, 1, 1, 0, 0, -1)", tdb::VALUE_ERR,
               "second -1 is out of range [0..59]");
    expect_err("datetime(2001, 2, 29)", tdb::VALUE_ERR, "day 29 is out of range for month");
    expect_err("datetime(2001, 4, 31, 'Europe/Amsterdam')", tdb::VALUE_ERR,
               "day 31 is out of range for month");
    expect_err("datetime(2001, 1, 1, '')", tdb::VALUE_ERR, kTimeZoneOrOffset);
    expect_err("datetime(2001, 1, 1, 'Mars/Olympus')", tdb::VALUE_ERR, "unknown time zone");
    expect_err("datetime(2001, 1, 1, '+01000')", tdb::VALUE_ERR, kBadOffset);
    expect_err("datetime(2001, 1, 1, '+13')", tdb::VALUE_ERR, kBadOffset);
    expect_err("datetime(2001, 1, 1, '+1x')", tdb::VALUE_ERR, kBadOffset);
}

TEST(Datetime, ParseIso) {
    EXPECT_EQ(q("datetime('2013')"), "\"2013-01-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2013-02')"), "\"2013-02-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2013-02-06')"), "\"2013-02-06T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2013-02-06T13')"), "\"2013-02-06T13:00:00Z\"");
    EXPECT_EQ(q("datetime('2013-02-06 13')"), "\"2013-02-06T13:00:00Z\"");
    EXPECT_EQ(q("datetime('2013-02-06T13:14')"), "\"2013-02-06T13:14:00Z\"");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15')"), "\"2013-02-06T13:14:15Z\"");
    EXPECT_EQ(q("datetime('2013-02-06 13:14:15')"), "\"2013-02-06T13:14:15Z\"");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15Z')"), "\"2013-02-06T13:14:15Z\"");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15+01')"), "\"2013-02-06T13:14:15+0100\"");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15+0130')"), "\"2013-02-06T13:14:15+0130\"");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15-05:00')"), "\"2013-02-06T13:14:15-0500\"");
    EXPECT_EQ(q("int(datetime('2013-02-06T13:14:15+01'))"), "1360152855");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15+01').zone()"), "null");
    EXPECT_EQ(q("datetime('2013-02-06T13:14:15Z').zone()"), "\"UTC\"");
    EXPECT_EQ(q("timeval('1970-01-02')"), "86400");
    expect_err("datetime('')", tdb::VALUE_ERR, "invalid date/time string");
    expect_err("datetime('yesterday')", tdb::VALUE_ERR, "invalid date/time string");
    expect_err("datetime('2013-13-06')", tdb::VALUE_ERR,
               "invalid date/time string (does not match format `%Y-%m-%d`)");
    expect_err("datetime('2013-02-06X13:14:15')", tdb::VALUE_ERR,
               "invalid date/time string (does not match format `%Y-%m-%d %H:%M:%S`)");
    expect_err("datetime('2013-02-06T13:14:15+13')", tdb::VALUE_ERR, kBadOffset);
}

TEST(Datetime, ParseFormat) {
    EXPECT_EQ(q("datetime('06/02/2013 13:14', '%d/%m/%Y %H:%M')"), "\"2013-02-06T13:14:00Z\"");
    EXPECT_EQ(q("datetime('2013-02-06 13:14 +0200', '%Y-%m-%d %H:%M %z')"),
              "\"2013-02-06T13:14:00+0200\"");
    EXPECT_EQ(q("datetime('2013-02-06 13:14Z', '%Y-%m-%d %H:%MZ').zone()"), "\"UTC\"");
    expect_err("datetime('2013', 'x')", tdb::VALUE_ERR, "invalid date/time format (wrong size)");
    expect_err("datetime('2013', '%Y-%m')", tdb::VALUE_ERR,
               "invalid date/time string (does not match format `%Y-%m`)");
    expect_err("datetime('" + std::string(130, '1') + "', '%Y')", tdb::VALUE_ERR,
               "invalid date/time string (too large)");
    // NUL bytes: the format ends at its first one (here it is left empty,
    // which matches the empty string); a string with text after a NUL does
    // not match.
    using namespace std::string_literals;
    EXPECT_EQ(q("datetime('', '\0\0GEREN')"s), "\"1900-01-01T00:00:00Z\"");
    expect_err("datetime('2013\0x', '%Y')"s, tdb::VALUE_ERR,
               "invalid date/time string (does not match format `%Y`)");
}

TEST(Datetime, Move) {
    // A day the month does not have runs on into the next month (mktime).
    EXPECT_EQ(q("datetime('2020-01-31').move('months', 1)"), "\"2020-03-02T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2021-01-31').move('months', 1)"), "\"2021-03-03T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2021-03-31').move('months', -1)"), "\"2021-03-03T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2021-05-31').move('months', -1)"), "\"2021-05-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2021-08-31').move('months', 1)"), "\"2021-10-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2021-01-15').move('months', -13)"), "\"2019-12-15T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2021-01-15').move('months', 25)"), "\"2023-02-15T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2024-02-29').move('years', 1)"), "\"2025-03-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2024-02-29').move('years', -3)"), "\"2021-03-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime('2024-02-29').move('years', 4)"), "\"2028-02-29T00:00:00Z\"");
    EXPECT_EQ(q("datetime(0).move('weeks', 1)"), "\"1970-01-08T00:00:00Z\"");
    EXPECT_EQ(q("datetime(0).move('days', 1)"), "\"1970-01-02T00:00:00Z\"");
    EXPECT_EQ(q("datetime(0).move('days', -1)"), "\"1969-12-31T00:00:00Z\"");
    EXPECT_EQ(q("datetime(0).move('hours', 2)"), "\"1970-01-01T02:00:00Z\"");
    EXPECT_EQ(q("datetime(0).move('minutes', 3)"), "\"1970-01-01T00:03:00Z\"");
    EXPECT_EQ(q("datetime(0).move('seconds', 4)"), "\"1970-01-01T00:00:04Z\"");
    EXPECT_EQ(q("timeval(0).move('days', 1)"), "86400");
    // In a zone, months keep the local wall time across DST; hours are exact.
    EXPECT_EQ(q("datetime(2020, 3, 1, 12, 'Europe/Amsterdam').move('months', 1)"),
              "\"2020-04-01T12:00:00+0200\"");
    EXPECT_EQ(q("datetime(2020, 3, 29, 1, 30, 0, 'Europe/Amsterdam').move('hours', 1)"),
              "\"2020-03-29T03:30:00+0200\"");
    EXPECT_EQ(q("datetime(2020, 1, 31, 10, 0, 0, '+0100').move('months', 1)"),
              "\"2020-03-02T10:00:00+0100\"");
    // Days and weeks keep the wall time across DST too (ThingsDB moves the
    // calendar day); hours, minutes and seconds are exact.
    EXPECT_EQ(q("datetime(2021, 3, 20, 9, 'Europe/Amsterdam').move('weeks', 2)"),
              "\"2021-04-03T09:00:00+0200\"");
    EXPECT_EQ(q("datetime(2021, 11, 5, 9, 'Europe/Amsterdam').move('days', -10)"),
              "\"2021-10-26T09:00:00+0200\"");
    EXPECT_EQ(q("datetime(2021, 3, 27, 9, 'Europe/Amsterdam').move('hours', 24)"),
              "\"2021-03-28T10:00:00+0200\"");
    expect_err("datetime().move('days')", tdb::NUM_ARGUMENTS_ERR,
               "function `move` takes 2 arguments but 1 was given");
    expect_err("datetime().move(1, 1)", tdb::TYPE_ERR,
               "function `move` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err(
        "datetime().move('day', 1)", tdb::VALUE_ERR,
        "invalid unit, expecting one of `years`, `months`, `weeks`, `days`, `hours`, `minutes` or "
        "`seconds`");
    expect_err(
        "datetime().move('days', 1.5)", tdb::TYPE_ERR,
        "function `move` expects argument 2 to be of type `int` but got type `float` instead");
    expect_err("datetime().move('days', 9999999999)", tdb::OVERFLOW_ERR, "integer overflow");
    expect_err("datetime().move('years', 9223372036854775807)", tdb::OVERFLOW_ERR,
               "integer overflow");
}

TEST(Datetime, Replace) {
    EXPECT_EQ(q("datetime(2021, 1, 15).replace({month: 2, day: 3, hour: 4, minute: 5, second: 6})"),
              "\"2021-02-03T04:05:06Z\"");
    EXPECT_EQ(q("datetime(2021, 1, 15).replace({year: 1999, other: 'ignored'})"),
              "\"1999-01-15T00:00:00Z\"");
    EXPECT_EQ(q("timeval(0).replace({year: 1971})"), "31536000");
    // The wall time is read with the DST flag of the original (ThingsDB's
    // mktime keeps tm_isdst): winter time moved into summer shows an hour on.
    EXPECT_EQ(q("datetime(2021, 1, 15, 'Europe/Amsterdam').replace({month: 7})"),
              "\"2021-07-15T01:00:00+0200\"");
    EXPECT_EQ(q("datetime(2021, 7, 15, 12, 'Europe/Amsterdam').replace({month: 12})"),
              "\"2021-12-15T11:00:00+0100\"");
    EXPECT_EQ(q("datetime(2021, 7, 15, 12, 'Europe/Amsterdam').replace({day: 1})"),
              "\"2021-07-01T12:00:00+0200\"");
    EXPECT_EQ(q("datetime(2021, 1, 15, '-03').replace({hour: 7})"), "\"2021-01-15T07:00:00-0300\"");
    expect_err("datetime().replace()", tdb::NUM_ARGUMENTS_ERR,
               "function `replace` takes 1 argument but 0 were given");
    expect_err(
        "datetime().replace(1)", tdb::TYPE_ERR,
        "function `replace` expects argument 1 to be of type `thing` but got type `int` instead");
    expect_err("datetime().replace({year: '2000'})", tdb::TYPE_ERR,
               "year must be of type `int` but got type `str` instead");
    expect_err("datetime().replace({month: 0})", tdb::VALUE_ERR, "month 0 is out of range [1..12]");
    expect_err("datetime().replace({day: 32})", tdb::VALUE_ERR, "day 32 is out of range [1..31]");
    expect_err("datetime().replace({hour: nil})", tdb::TYPE_ERR,
               "hour must be of type `int` but got type `nil` instead");
    expect_err("datetime().replace({minute: 60})", tdb::VALUE_ERR,
               "minute 60 is out of range [0..59]");
    expect_err("datetime().replace({second: 60})", tdb::VALUE_ERR,
               "second 60 is out of range [0..59]");
    expect_err("datetime(2021, 1, 31).replace({month: 2})", tdb::VALUE_ERR,
               "day 31 is out of range for month");
}

TEST(Datetime, ToAndZone) {
    EXPECT_EQ(q("datetime(0).to('Europe/Amsterdam')"), "\"1970-01-01T01:00:00+0100\"");
    EXPECT_EQ(q("datetime(0).to('Europe/Amsterdam').zone()"), "\"Europe/Amsterdam\"");
    EXPECT_EQ(q("datetime(0).to('-0530')"), "\"1969-12-31T18:30:00-0530\"");
    EXPECT_EQ(q("datetime(0).to('+05').zone()"), "null");
    EXPECT_EQ(q("datetime(0).to('UTC')"), "\"1970-01-01T00:00:00Z\"");
    EXPECT_EQ(q("datetime(0).to('Europe/London')"), "\"1970-01-01T01:00:00+0100\"");
    EXPECT_EQ(q("timeval(0).to('+05')"), "0");
    EXPECT_EQ(q("datetime(0).to('Asia/Tokyo') == datetime(0)"), "true");
    EXPECT_EQ(q("datetime(0).zone()"), "\"UTC\"");
    expect_err("datetime().to()", tdb::NUM_ARGUMENTS_ERR,
               "function `to` takes 1 argument but 0 were given");
    expect_err("datetime().to(1)", tdb::TYPE_ERR,
               "function `to` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("datetime().to('')", tdb::VALUE_ERR, kTimeZoneOrOffset);
    expect_err("datetime().to('europe/amsterdam')", tdb::VALUE_ERR, "unknown time zone");
    expect_err("datetime().to('+01:00')", tdb::VALUE_ERR, kBadOffset);
    expect_err("datetime().zone(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `zone` takes 0 arguments but 1 was given");
}

TEST(Datetime, FormatExtract) {
    EXPECT_EQ(q("datetime(0).format('%A %d %B %Y')"), "\"Thursday 01 January 1970\"");
    EXPECT_EQ(q("datetime(0).to('Europe/Amsterdam').format('%H:%M %Z')"), "\"01:00 CET\"");
    EXPECT_EQ(q("datetime(0).extract()"),
              "{\"year\":1970,\"month\":1,\"day\":1,\"hour\":0,\"minute\":0,\"second\":0,\"gmt_"
              "offset\":0}");
    EXPECT_EQ(q("datetime(2020, 7, 1, 12, 'Europe/Amsterdam').extract('gmt_offset')"), "7200");
    EXPECT_EQ(q("datetime(2020, 7, 1, 12, 'Europe/Amsterdam').extract('hour')"), "12");
    EXPECT_EQ(q("datetime(2020, 7, 1).extract('year')"), "2020");
    expect_err("datetime().format()", tdb::NUM_ARGUMENTS_ERR,
               "function `format` takes 1 argument but 0 were given");
    expect_err(
        "datetime().format(nil)", tdb::TYPE_ERR,
        "function `format` expects argument 1 to be of type `str` but got type `nil` instead");
    expect_err("datetime().format('%')", tdb::VALUE_ERR,
               "date/time format is restricted to a length between 2 and 80 characters");
    expect_err("datetime().format('%c%c%c%c%c%c')", tdb::VALUE_ERR, "invalid date/time template");
    expect_err("datetime().extract(1, 2)", tdb::NUM_ARGUMENTS_ERR,
               "function `extract` takes at most 1 argument but 2 were given");
    expect_err(
        "datetime().extract(1)", tdb::TYPE_ERR,
        "function `extract` expects argument 1 to be of type `str` but got type `int` instead");
    expect_err("datetime().extract('days')", tdb::VALUE_ERR,
               "function `extract` is expecting argument 1 to be `year`, `month`, `day`, `hour`, "
               "`minute`, "
               "`second` or `gmt_offset`");
}

TEST(Datetime, WeekWeekdayYday) {
    EXPECT_EQ(q("datetime(0).week()"), "0");           // a Thursday before the first Sunday
    EXPECT_EQ(q("datetime(2023, 1, 1).week()"), "1");  // a Sunday
    EXPECT_EQ(q("datetime(2023, 12, 31).week()"), "53");
    EXPECT_EQ(q("datetime(0).weekday()"), "4");
    EXPECT_EQ(q("datetime(2023, 1, 1).weekday()"), "0");
    EXPECT_EQ(q("datetime(2020, 3, 1).yday()"), "60");
    EXPECT_EQ(q("datetime(2020, 1, 1).yday()"), "0");
    expect_err("datetime().week(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `week` takes 0 arguments but 1 was given");
    expect_err("datetime().weekday(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `weekday` takes 0 arguments but 1 was given");
    expect_err("datetime().yday(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `yday` takes 0 arguments but 1 was given");
}

TEST(Datetime, OperatorsAndConversions) {
    EXPECT_EQ(q("datetime(0) < datetime(1)"), "true");
    EXPECT_EQ(q("datetime(1) <= timeval(1)"), "true");
    EXPECT_EQ(q("datetime(2) > datetime(1)"), "true");
    EXPECT_EQ(q("datetime(5) == timeval(5)"), "true");
    EXPECT_EQ(q("datetime(0).to('+01') == datetime(0)"), "true");
    EXPECT_EQ(q("datetime(0) != datetime(1)"), "true");
    EXPECT_EQ(q("datetime(0) == 0"), "false");
    EXPECT_EQ(q("[datetime(3), datetime(1), datetime(2)].sort().map(|d| int(d))"), "[1,2,3]");
    EXPECT_EQ(q("int(datetime(77))"), "77");
    EXPECT_EQ(q("float(timeval(77))"), "77.0");
    EXPECT_EQ(q("str(timeval(0))"), "\"1970-01-01T00:00:00Z\"");
    EXPECT_EQ(q("str(datetime(0).to('+0100'))"), "\"1970-01-01T01:00:00+0100\"");
    EXPECT_EQ(q("bool(datetime(0))"), "true");
    EXPECT_EQ(q("json_dump([datetime(0), timeval(1)])"), "\"[\\\"1970-01-01T00:00:00Z\\\",1]\"");
    expect_err("datetime(0) + 1", tdb::TYPE_ERR, "`+` not supported between `datetime` and `int`");
    expect_err("timeval(0) - timeval(1)", tdb::TYPE_ERR,
               "`-` not supported between `timeval` and `timeval`");
    expect_err("datetime(0) < 1", tdb::TYPE_ERR, "`<` not supported between `datetime` and `int`");
}

TEST(Datetime, NowAndTimeZones) {
    EXPECT_EQ(q("now()"), "1700000000.0");
    expect_err("now(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `now` takes 0 arguments but 1 was given");
    EXPECT_EQ(q("is_time_zone('Europe/Amsterdam')"), "true");
    EXPECT_EQ(q("is_time_zone('UTC')"), "true");
    EXPECT_EQ(q("is_time_zone('Nowhere/City')"), "false");
    EXPECT_EQ(q("is_time_zone(1)"), "false");
    expect_err("is_time_zone()", tdb::NUM_ARGUMENTS_ERR,
               "function `is_time_zone` takes 1 argument but 0 were given");
    EXPECT_EQ(q("time_zones_info()[0]", "@thingsdb"), "\"UTC\"");
    EXPECT_EQ(q("time_zones_info().len() > 400", "@thingsdb"), "true");
    EXPECT_EQ(q("time_zones_info().every(|z| is_time_zone(z))", "@thingsdb"), "true");
    expect_err("time_zones_info(1)", tdb::NUM_ARGUMENTS_ERR,
               "function `time_zones_info` takes 0 arguments but 1 was given", "@thingsdb");
}

TEST(Datetime, CollectionTimeZone) {
    fresh_storage();
    EXPECT_EQ(qk("collection_info('stuff').time_zone", "@thingsdb"), "\"UTC\"");
    EXPECT_EQ(qk("set_time_zone('stuff', 'Europe/Amsterdam')", "@thingsdb"), "null");
    EXPECT_EQ(qk("collection_info('stuff').time_zone", "@thingsdb"), "\"Europe/Amsterdam\"");
    // Times without an offset are in the collection's zone.
    EXPECT_EQ(qk("datetime(2020, 1, 1)"), "\"2020-01-01T00:00:00+0100\"");
    EXPECT_EQ(qk("datetime('2020-07-01 12:00')"), "\"2020-07-01T12:00:00+0200\"");
    EXPECT_EQ(qk("datetime(0)"), "\"1970-01-01T01:00:00+0100\"");
    EXPECT_EQ(qk("datetime('2020-07-01T12:00:00Z')"), "\"2020-07-01T12:00:00Z\"");
    EXPECT_EQ(qk("datetime(0).zone()"), "\"Europe/Amsterdam\"");
    EXPECT_EQ(qk("datetime(0)", "@thingsdb"), "\"1970-01-01T00:00:00Z\"");
    expect_err("set_time_zone('stuff')", tdb::NUM_ARGUMENTS_ERR,
               "function `set_time_zone` takes 2 arguments but 1 was given", "@thingsdb");
    expect_err("set_time_zone('nope', 'UTC')", tdb::LOOKUP_ERR, "collection `nope` not found",
               "@thingsdb");
    expect_err("set_time_zone(nil, 'UTC')", tdb::TYPE_ERR,
               "expecting type `str` or `int` as collection but got type `nil` instead",
               "@thingsdb");
    expect_err("set_time_zone('stuff', 1)", tdb::TYPE_ERR,
               "function `set_time_zone` expects argument 2 to be of type `str` but got type `int` "
               "instead",
               "@thingsdb");
    expect_err("set_time_zone('stuff', 'Moon/Base')", tdb::VALUE_ERR, "unknown time zone",
               "@thingsdb");
}

TEST(Datetime, StoredForm) {
    fresh_storage();
    EXPECT_EQ(qk(".d = datetime(2020, 1, 1, 'Europe/Amsterdam'); .t = timeval(5); .x = "
                 "datetime(0).to('+0130');"
                 " .l = [datetime(1)]; nil"),
              "null");
    // Each query reads the things back from storage: the tagged form decodes.
    EXPECT_EQ(
        qk("[.d, .t, .x, .l, .d.zone(), .x.zone(), type(.t), type(.l[0])]"),
        "[\"2020-01-01T00:00:00+0100\",5,\"1970-01-01T01:30:00+0130\",[\"1970-01-01T00:00:01Z\"],"
        "\"Europe/Amsterdam\",null,\"timeval\",\"datetime\"]");
    EXPECT_EQ(qk(".d.move('months', 6)"), "\"2020-07-01T00:00:00+0200\"");
    bool found = false;
    for (auto& [id, row] : storage().things)
        if (row.thing.props_json.find("{\"!d\":[1577833200,60,\"Europe/Amsterdam\"]}") !=
                std::string::npos &&
            row.thing.props_json.find("{\"!t\":[5,0,\"UTC\"]}") != std::string::npos &&
            row.thing.props_json.find("{\"!d\":[0,90,null]}") != std::string::npos)
            found = true;
    EXPECT_TRUE(found);
}
