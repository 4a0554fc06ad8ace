-- datetime and timeval: values, parsing, methods, time zones and the stored form.

SELECT tdb_query('new_collection("dt") > 0', '@thingsdb');

-- Construction and rendering: a datetime renders as ISO 8601, a timeval as an int.
SELECT tdb_query('datetime(0)', '@:dt');
SELECT tdb_query('timeval(86400)', '@:dt');
SELECT tdb_query('datetime(2013, 2, 6, 13, "Europe/Amsterdam")', '@:dt');
SELECT tdb_query('datetime("2013-02-06T13:14:15+0130")', '@:dt');
SELECT tdb_query('datetime("06/02/2013", "%d/%m/%Y")', '@:dt');
SELECT tdb_query('[type(datetime()), type(timeval()), is_datetime(datetime()), is_timeval(timeval())]', '@:dt');
-- datetime() and now() are the transaction's time.
SELECT tdb_query('int(datetime()) == int(now())', '@:dt');

-- Methods.
SELECT tdb_query('datetime("2020-01-31").move("months", 1)', '@:dt');
SELECT tdb_query('datetime("2024-02-29").move("years", 1)', '@:dt');
SELECT tdb_query('datetime(0).move("days", -1)', '@:dt');
SELECT tdb_query('datetime(2021, 1, 15).replace({month: 7, hour: 8})', '@:dt');
SELECT tdb_query('datetime(0).to("Europe/Amsterdam")', '@:dt');
SELECT tdb_query('datetime(0).to("-0530").zone()', '@:dt');
SELECT tdb_query('datetime(0).format("%A %d %B %Y")', '@:dt');
SELECT tdb_query('datetime(2020, 7, 1, 12, "Europe/Amsterdam").extract()', '@:dt');
SELECT tdb_query('[datetime(0).week(), datetime(0).weekday(), datetime(2020, 3, 1).yday()]', '@:dt');

-- Operators and conversions.
SELECT tdb_query('[datetime(0) < datetime(1), datetime(5) == timeval(5), int(datetime(7)), str(timeval(0))]', '@:dt');
SELECT tdb_query('datetime(0) + 1', '@:dt');

-- Argument errors.
SELECT tdb_query('datetime(2001, 2, 29)', '@:dt');
SELECT tdb_query('datetime("yesterday")', '@:dt');
SELECT tdb_query('datetime().move("day", 1)', '@:dt');
SELECT tdb_query('datetime().to("Mars/Base")', '@:dt');
SELECT tdb_query('datetime(2013, 2, 6, 1.5)', '@:dt');

-- Time zones and the collection's zone.
SELECT tdb_query('[is_time_zone("Europe/Amsterdam"), is_time_zone("x"), time_zones_info()[0]]', '@thingsdb');
SELECT tdb_query('set_time_zone("dt", "Europe/Amsterdam")', '@thingsdb');
SELECT time_zone FROM thingsdb.collections WHERE name = 'dt';
SELECT tdb_query('datetime(2020, 7, 1, 12)', '@:dt');
SELECT tdb_query('set_time_zone("dt", "Nowhere")', '@thingsdb');

-- The stored form: a tagged object, read back by every later query.
SELECT tdb_query('.d = datetime(2020, 1, 1); .t = timeval(5); .x = datetime(0).to("+0130"); nil', '@:dt');
SELECT t.props->'d' AS d, t.props->'t' AS t, t.props->'x' AS x
FROM thingsdb.collections c JOIN thingsdb.things t ON t.id = c.id WHERE c.name = 'dt';
SELECT tdb_query('[.d, .t, .x, .d.zone(), type(.t), .d.move("months", 6)]', '@:dt');

SELECT tdb_query('del_collection("dt")', '@thingsdb');
