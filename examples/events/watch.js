// Watches things of the thingsdb extension with node-postgres (npm "pg").
//
//   node watch.js THING_ID... [--scope @:stuff] [--count N]
//
// Connection from the PG* environment variables (PGHOST, PGPORT, PGUSER,
// PGDATABASE, ...). Prints one JSON line per event: first the init event of
// each thing ({"#": id, "init": {...}}), then every update event as it
// arrives. Follows the subscribe recipe of docs/events.md: watch in its own
// (autocommit) statement, accept notifications only on the channel the init
// event names (any role can NOTIFY any other channel), drop events not newer
// than the last one applied, and read events too large for a notification
// with tdb_event().
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
    console.error('usage: node watch.js THING_ID... [--scope SCOPE] [--count N]');
    process.exit(3);
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const client = new Client();
  await client.connect();
  const last = new Map();   // thing id -> last applied change id
  let channel = null;   // this session's channel: the same in every init event
  let seen = 0;
  // Held until every watch returned its init event (and so the channel is known).
  let watched;
  let queue = new Promise((resolve) => { watched = resolve; });

  const done = async () => {
    await client.end();
    process.exit(0);
  };

  // Notifications may arrive while a tdb_event() query runs: handle them
  // one after the other, in arrival order.
  client.on('notification', (msg) => {
    queue = queue.then(async () => {
      // Not sent by the extension to this session: a forgery (or nothing of ours).
      if (msg.channel !== channel) return;
      if (opts.count >= 0 && seen >= opts.count) return;
      let event = JSON.parse(msg.payload);
      if (event.ref) {
        // Too large for a notification: the stored event.
        const r = await client.query('SELECT tdb_event($1, $2) AS e', [event.event, event['#']]);
        if (r.rows[0].e === null) return;   // pruned: watch again to resync
        event = r.rows[0].e;
      }
      const id = String(event['#']);
      if (last.has(id) && event.event <= last.get(id)) return;   // a duplicate
      last.set(id, event.event);
      console.log(JSON.stringify(event));
      seen += 1;
      if (opts.count >= 0 && seen >= opts.count) await done();
    });
  });

  for (const id of opts.ids) {
    const r = await client.query('SELECT tdb_watch($1, $2) AS init', [id, opts.scope]);
    const init = r.rows[0].init;
    channel = init.channel;
    last.set(String(id), init.event);
    console.log(JSON.stringify({ '#': Number(id), init }));
  }
  watched();
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
