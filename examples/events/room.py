"""Joins rooms of the thingsdb extension with psycopg 3 and prints their events.

    python3 room.py ROOM_ID... [--scope @:stuff] [--count N]

Connection from the PG* environment variables (PGHOST, PGPORT, PGUSER,
PGDATABASE, ...). Prints what tdb_join returns (each room's id, or null for a
room that does not exist), then one JSON line per room event as it arrives
({"room": "join" | "emit" | "leave" | "delete", "scope": .., "id": .., ...}).
As the watch example: join in an autocommit statement, accept notifications
only on the session's private channel (any role can NOTIFY any other channel),
and read events too large for a notification with tdb_event().
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

    early = []   # notifications that arrive while a statement runs (the join events)
    try:
        conn = psycopg.connect("", autocommit=True)   # PG* environment variables
        conn.add_notify_handler(early.append)
        joined = conn.execute("SELECT tdb_join(%s, %s)", (args.ids, args.scope)).fetchone()[0]
        print(json.dumps({"joined": joined}), flush=True)
        # The session's private channel: its own LISTEN, which no other role can see.
        channel = conn.execute("SELECT c FROM pg_listening_channels() c"
                               " WHERE c LIKE 'tdbw\\_%'").fetchone()[0]
        conn.remove_notify_handler(early.append)
    except psycopg.Error as e:
        # ThingsDB errors: SQLSTATE TDxxx, the error's name in the detail.
        if e.sqlstate and e.sqlstate.startswith("TD"):
            sys.exit("%s: %s" % (e.diag.message_detail, e.diag.message_primary))
        sys.exit(str(e))

    seen = 0
    reader = None   # notifies() owns `conn` while it waits
    def arriving():
        yield from early
        yield from conn.notifies()   # blocks; yields each notification

    try:
        for n in arriving():
            if n.channel != channel:
                continue   # not sent by the extension to this session: a forgery
            event = json.loads(n.payload)
            if "room" not in event:
                continue   # a watch event (this example joins rooms only)
            if event.get("ref"):
                # Too large for a notification: item n of the room's stored events.
                reader = reader or psycopg.connect("", autocommit=True)
                event = reader.execute("SELECT tdb_event(%s, %s) -> %s",
                                       (event["change"], event["id"], event["n"])).fetchone()[0]
                if event is None:
                    continue   # pruned
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
