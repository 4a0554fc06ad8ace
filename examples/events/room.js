// Joins rooms of the thingsdb extension with node-postgres (npm "pg") and prints their events.
//
//   node room.js ROOM_ID... [--scope @:stuff] [--count N]
//
// Connection from the PG* environment variables (PGHOST, PGPORT, PGUSER,
// PGDATABASE, ...). Prints what tdb_join returns (each room's id, or null for
// a room that does not exist), then one JSON line per room event as it arrives
// ({"room": "join" | "emit" | "leave" | "delete", "scope": .., "id": .., ...}).
// As the watch example: join in its own (autocommit) statement, accept
// notifications only on the session's private channel (any role can NOTIFY any
// other channel), and read events too large for a notification with tdb_event().
'use strict';

const { Client } = require('pg');

function parseArgs(argv) {
  const opts = { ids: [], scope: null, count: -1 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--scope') opts.scope = argv[++i];
    else if (argv[i] === '--count') opts.count = Number(argv[++i]);
    else opts.ids.push(argv[i]);
  }
  if (opts.ids.length === 0) {
    console.error('usage: node room.js ROOM_ID... [--scope SCOPE] [--count N]');
    process.exit(3);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const client = new Client();
  await client.connect();
  let channel = null;   // this session's private channel
  let seen = 0;
  let joined;   // released once the channel is known
  let queue = new Promise((resolve) => { joined = resolve; });

  const done = async () => {
    await client.end();
    process.exit(0);
  };

  client.on('notification', (msg) => {
    queue = queue.then(async () => {
      if (msg.channel !== channel) return;   // a forgery, or nothing of ours
      if (opts.count >= 0 && seen >= opts.count) return;
      let event = JSON.parse(msg.payload);
      if (!('room' in event)) return;   // a watch event
      if (event.ref) {
        // Too large for a notification: item n of the room's stored events.
        const r = await client.query('SELECT tdb_event($1, $2) -> $3::int AS e',
          [event.change, event.id, event.n]);
        if (r.rows[0].e === null) return;   // pruned
        event = r.rows[0].e;
      }
      console.log(JSON.stringify(event));
      seen += 1;
      if (opts.count >= 0 && seen >= opts.count) await done();
    });
  });

  const r = await client.query('SELECT tdb_join($1::bigint[], $2) AS j', [opts.ids, opts.scope]);
  console.log(JSON.stringify({ joined: r.rows[0].j }));
  const c = await client.query(
    "SELECT c FROM pg_listening_channels() c WHERE c LIKE 'tdbw\\_%'");
  channel = c.rows[0].c;
  joined();
  if (opts.count === 0) await done();
  process.on('SIGINT', done);
  process.on('SIGTERM', done);
}

main().catch((err) => {
  // ThingsDB errors: SQLSTATE TDxxx, the error's name in the detail.
  if (err.code && err.code.startsWith('TD')) console.error(`${err.detail}: ${err.message}`);
  else console.error(err.message);
  process.exit(1);
});
