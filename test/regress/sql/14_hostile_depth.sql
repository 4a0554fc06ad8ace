-- Deep code and deep values end in a ThingsDB error or a result, never in a
-- crash of the backend (which would restart every session); containers
-- changed while they are rendered or sliced give operation_err or a result
-- clamped to what the list holds by then.
\set VERBOSITY terse
-- Operator chains are evaluated by a loop: results.
SELECT tdb_query_ro('1' || repeat('+1', 100000));
SELECT tdb_query_ro('1' || repeat(' && 1', 200000));
SELECT tdb_query_ro('0' || repeat(' || 0', 200000));
SELECT tdb_query_ro('1' || repeat(' * 1', 100000));
-- Postfix chains: operation_err "maximum recursion depth exceeded".
SELECT tdb_query_ro('.' || repeat('a.', 200000) || 'a');
SELECT tdb_query_ro('.' || repeat('a..', 200000) || 'a');
SELECT tdb_query_ro('x = [1]; x' || repeat('[0]', 200000));
SELECT tdb_query_ro('x = ''a''; x' || repeat('.upper()', 200000));
-- Nested grammar: syntax_err at the parse depth.
SELECT tdb_query_ro(repeat('[', 100000) || '1');
SELECT tdb_query_ro(repeat('!', 100000) || '1');
SELECT tdb_query_ro(repeat('|x|', 100000) || '1');
-- Deep lists: copied, rendered, compared and stored with a clean error.
SELECT tdb_query_ro('l = []; for (i in range(100000)) l = [l]; l.copy(1); 1');
SELECT tdb_query_ro('l = []; for (i in range(100000)) l = [l]; l.dup(1); 1');
SELECT tdb_query_ro('l = []; for (i in range(100000)) l = [l]; json_dump(l)');
SELECT tdb_query_ro('l = []; for (i in range(100000)) l = [l]; l');
SELECT tdb_query_ro('l = []; for (i in range(100000)) l = [l]; m = []; for (i in range(100000)) m = [m]; l == m');
SELECT tdb_query('l = []; for (i in range(100000)) l = [l]; .deep_l = l; 1');
-- A wrap's method that extends the list being rendered: operation_err
-- inside the result, the list unchanged.
SELECT tdb_query_ro($$v = [{}.wrap(&{m: |this| {v.extend(range(1000)); 1}}), 'a','b','c','d','e','f','g']; json_dump(v)$$);
SELECT tdb_query_ro($$v = [{}.wrap(&{m: |this| {v.extend(range(1000)); 1}}), 'a']; [v, v.len()]$$);
-- Slice and index assignment while the list changes.
SELECT tdb_query_ro('l = [1,2,3]; l[0:3] = {l.clear(); [9]}; l');
SELECT tdb_query_ro('l = [1,2,3]; l[{l.push(4); 0}:{l.clear(); 1}] = [1,2]; l');
SELECT tdb_query_ro('l = [1,2,3]; l[2] = {l.clear(); 9}; l');
-- The backend is still there.
SELECT tdb_query_ro('"alive"');
