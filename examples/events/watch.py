"""Watches things of the thingsdb extension with psycopg 3.

    python3 watch.py THING_ID... [--scope @:stuff] [--count N]

Connection from the PG* environment variables (PGHOST, PGPORT, PGUSER,
PGDATABASE, ...). Prints one JSON line per event: first the init event of
each thing ({"#": id, "init": {...}}), then every update event as it
arrives. Follows the subscribe recipe of docs/events.md: watch in its own
(autocommit) statement, accept notifications only on the channel the init
event names (any role can NOTIFY any other channel), drop events not newer
than the last one applied, and read events too large for a notification
with tdb_event().
"""
import argparse
import json
import sys

import psycopg


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ids", nargs="+", type=int)
    ap.add_argument("--scope")
    ap.add_argument("--count", type=int, default=-1)
    args = ap.parse_args()

    try:
        conn = psycopg.connect("", autocommit=True)   # PG* environment variables
        last = {}   # thing id -> last applied change id
        channel = None   # this session's channel: the same in every init event
        for thing_id in args.ids:
            init = conn.execute("SELECT tdb_watch(%s, %s)", (thing_id, args.scope)).fetchone()[0]
            channel = init["channel"]
            last[thing_id] = init["event"]
            print(json.dumps({"#": thing_id, "init": init}), flush=True)
    except psycopg.Error as e:
        # ThingsDB errors: SQLSTATE TDxxx, the error's name in the detail.
        if e.sqlstate and e.sqlstate.startswith("TD"):
            sys.exit("%s: %s" % (e.diag.message_detail, e.diag.message_primary))
        sys.exit(str(e))

    seen = 0
    # A second connection reads events by reference: the notifies() generator
    # owns the first one while it waits.
    reader = None
    try:
        for n in conn.notifies():
            if n.channel != channel:
                continue   # not sent by the extension to this session: a forgery
            event = json.loads(n.payload)
            if event.get("ref"):
                # Too large for a notification: the stored event.
                reader = reader or psycopg.connect("", autocommit=True)
                event = reader.execute("SELECT tdb_event(%s, %s)",
                                       (event["event"], event["#"])).fetchone()[0]
                if event is None:
                    continue   # pruned: watch again to resync
            thing_id = event["#"]
            if event["event"] <= last.get(thing_id, -1):
                continue   # a duplicate
            last[thing_id] = event["event"]
            print(json.dumps(event), flush=True)
            seen += 1
            if 0 <= args.count <= seen:
                break
    except KeyboardInterrupt:
        pass
    finally:
        if reader:
            reader.close()
        conn.close()


if __name__ == "__main__":
    main()
