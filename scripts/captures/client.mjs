#!/usr/bin/env node
// client.mjs --targets ADDR[,ADDR2] [--only n,n,...]
// Runs the client half of every scenario (see scenarios.mjs) at once, each
// from its fixed client port (40000+n) to its server port (5000+n). With two
// targets, odd-numbered scenarios use the first and even-numbered ones the
// second (two paths / two interfaces). Prints DONE when every client half has
// reached its designed end state, then keeps its sockets until it is killed.
// Hard limit: 60 s.
import net from 'node:net';
import { SCENARIOS, serverPort, clientPort } from './scenarios.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const targets = opt('--targets', '127.0.0.1').split(',');
const only = opt('--only', '') ? new Set(opt('--only').split(',').map(Number)) : null;
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);
setTimeout(() => { log('hard timeout, exiting'); process.exit(3); }, 60_000).unref();

export const targetFor = (sc) => targets[targets.length === 1 ? 0 : (sc.n % 2 === 1 ? 0 : 1)];

const list = SCENARIOS.filter((s) => !only || only.has(s.n));
const keep = [];
await Promise.all(list.map(async (sc) => {
  const s = net.connect({
    host: targetFor(sc), port: serverPort(sc), localPort: clientPort(sc),
    allowHalfOpen: false, ...(sc.clientOpts || {}),
  });
  keep.push(s);
  s.on('error', (e) => log(`${sc.id} client socket: ${e.code || e.message}`));
  s.on('close', () => log(`${sc.id} client socket closed`));
  if (sc.clientPaused) s.pause(); else s.resume();
  try {
    if (!sc.noListener) {
      await new Promise((res, rej) => { s.once('connect', res); s.once('close', () => rej(new Error('closed before connect'))); });
    }
    await sc.client(s);
    log(`${sc.id} client done`);
  } catch (e) {
    log(`${sc.id} client FAILED ${e.message}`);
  }
}));
log('DONE');
process.on('SIGTERM', () => process.exit(0));
