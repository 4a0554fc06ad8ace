-- The comparison functions of test/bench: the same work in PL/pgSQL, PL/Lua
-- and plain SQL as the ThingsDB code in bench.py. Run in a fresh database
-- that has the extensions thingsdb and pllua.

-- (a) call overhead: a * b
CREATE FUNCTION pl_mul(a int, b int) RETURNS int LANGUAGE plpgsql AS
$$ BEGIN RETURN a * b; END $$;
CREATE FUNCTION sql_mul(a int, b int) RETURNS int LANGUAGE sql AS
$$ SELECT a * b $$;
CREATE FUNCTION lua_mul(a int, b int) RETURNS int LANGUAGE pllua AS
$$ return a * b $$;

-- (b) interpreter
-- sum of 0..999999 (ThingsDB: nested range().reduce(), 1,000,000 closure calls)
CREATE FUNCTION pl_sum() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE s bigint := 0;
BEGIN
    FOR i IN 0..999999 LOOP s := s + i; END LOOP;
    RETURN s;
END $$;
-- Lua with a function call per element, as reduce() makes one
CREATE FUNCTION lua_sum() RETURNS bigint LANGUAGE pllua AS $$
    local function reduce(n0, n1, f, acc)
        for i = n0, n1 do acc = f(acc, i) end
        return acc
    end
    local s = 0
    for j = 0, 9 do
        s = s + reduce(j * 100000, j * 100000 + 99999, function(a, b) return a + b end, 0)
    end
    return s
$$;
-- the plain loop, for reference
CREATE FUNCTION lua_sum_loop() RETURNS bigint LANGUAGE pllua AS $$
    local s = 0
    for i = 0, 999999 do s = s + i end
    return s
$$;

-- a for loop with local arithmetic, 1,000,000 iterations
CREATE FUNCTION pl_loop() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE s bigint := 0; x bigint;
BEGIN
    FOR j IN 0..9 LOOP
        FOR i IN 0..99999 LOOP
            x := i * 3 % 7;
            s := s + x;
        END LOOP;
    END LOOP;
    RETURN s;
END $$;
CREATE FUNCTION lua_loop() RETURNS bigint LANGUAGE pllua AS $$
    local s = 0
    for j = 0, 9 do
        for i = 0, 99999 do
            local x = i * 3 % 7
            s = s + x
        end
    end
    return s
$$;

-- a string of 100,000 parts joined with ','
CREATE FUNCTION pl_str() RETURNS int LANGUAGE plpgsql AS $$
DECLARE parts text[] := '{}';
BEGIN
    FOR i IN 0..99999 LOOP parts := array_append(parts, i::text); END LOOP;
    RETURN length(array_to_string(parts, ','));
END $$;
CREATE FUNCTION lua_str() RETURNS int LANGUAGE pllua AS $$
    local parts = {}
    for i = 0, 99999 do parts[#parts + 1] = tostring(i) end
    return #table.concat(parts, ',')
$$;

-- 100,000 ints made and sorted
CREATE FUNCTION pl_sort() RETURNS int LANGUAGE plpgsql AS $$
DECLARE a int[] := '{}'; r int[];
BEGIN
    FOR i IN 0..99999 LOOP a := array_append(a, (i * 7919) % 100003); END LOOP;
    SELECT array_agg(x ORDER BY x) INTO r FROM unnest(a) AS x;
    RETURN r[50001];
END $$;
CREATE FUNCTION lua_sort() RETURNS int LANGUAGE pllua AS $$
    local a = {}
    for i = 0, 99999 do a[#a + 1] = (i * 7919) % 100003 end
    table.sort(a)
    return a[50001]
$$;

-- (c) data: the rows plain SQL would use, shaped like thingsdb.things (one
-- index on (collection, id), as thingsdb.things has)
CREATE TABLE bench_rows (
    id bigint NOT NULL,
    collection bigint NOT NULL,
    props jsonb NOT NULL,
    PRIMARY KEY (collection, id)
);
