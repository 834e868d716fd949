#!/usr/bin/env node
// server.mjs --host ADDR [--only n,n,...]
// Listens on every scenario's server port (5000+n) and runs the server half
// of each scenario (see scenarios.mjs). Prints READY once listening and DONE
// once every server-side timed action has happened; then keeps its sockets
// (CLOSE_WAIT leaks etc.) until it is killed. Hard limit: 60 s.
import net from 'node:net';
import { SCENARIOS, serverPort, blackholeSport } from './scenarios.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const host = opt('--host', '127.0.0.1');
const only = opt('--only', '') ? new Set(opt('--only').split(',').map(Number)) : null;
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);
setTimeout(() => { log('hard timeout, exiting'); process.exit(3); }, 60_000).unref();

const list = SCENARIOS.filter((s) => !only || only.has(s.n));
const pending = new Set();
let ready = false;
const maybeDone = () => { if (ready && pending.size === 0) { log('DONE'); pending.add('printed'); } };

await Promise.all(list.map((sc) => new Promise((resolve, reject) => {
  const port = serverPort(sc);
  if (sc.blackholeServerPort) blackholeSport(port);
  if (sc.noListener) { resolve(); return; }
  if (sc.serverAsync) pending.add(sc.id);
  const srv = net.createServer({ allowHalfOpen: false, ...(sc.serverOpts || {}) }, (s) => {
    s.on('error', (e) => log(`${sc.id} server socket: ${e.code || e.message}`));
    s.on('close', () => log(`${sc.id} server socket closed`));
    if (!(sc.serverOpts && sc.serverOpts.pauseOnConnect)) s.on('data', () => {});
    const ctx = { done: () => { if (pending.delete(sc.id)) { log(`${sc.id} server done`); maybeDone(); } } };
    try { sc.server(s, ctx); } catch (e) { log(`${sc.id} server threw ${e.stack}`); }
  });
  srv.on('error', reject);
  srv.listen({ port, host, ipv6Only: false, backlog: 8 }, resolve);
})));
ready = true;
log('READY');
maybeDone();
process.on('SIGTERM', () => process.exit(0));
