-- thingsdb 0.3.0 -> 0.4.0 (ALTER EXTENSION thingsdb UPDATE): the same objects as
-- a fresh install of 0.4.0, with the data kept.

\echo Use "ALTER EXTENSION thingsdb UPDATE" to load this file. \quit
