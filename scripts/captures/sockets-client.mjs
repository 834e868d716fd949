#!/usr/bin/env node
// sockets-client.mjs --run NAME --target ADDR --port PORT --result FILE
// The client half of a make-sockets.sh run (sockets-runs.mjs). Writes what it
// did (connections attempted / made / failed, per-connection details where the
// run needs them) as JSON to FILE, then prints DONE and keeps its sockets
// until it is killed (a shutdown() socket exists only while this process holds
// it). Hard limit 90 s.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { runByName } from './sockets-runs.mjs';

const RESPONSE_BYTES = 40; // sockets-server.mjs RESPONSE

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const run = runByName(opt('--run', ''));
const host = opt('--target', '192.0.2.2');
const port = Number(opt('--port', String(run.serverPort)));
const resultFile = opt('--result', '/dev/stdout');
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);
setTimeout(() => { log('hard timeout, exiting'); process.exit(3); }, 90_000).unref();

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const kept = [];
const failures = {};
const fail = (code) => { failures[code] = (failures[code] ?? 0) + 1; };

/**
 * One connection: connect (from localPort if given), send "REQ bytes action" and the body, wait for
 * the 40-byte response, then `then(socket)` decides how the client closes. Resolves with
 * { ok, localPort, code } once the socket is closed (or, for keepOpen, once `then` returned).
 */
function exchange({ action, bytes = 0, localPort, then, allowHalfOpen = false, keepOpen = false, endWithRequest = false }) {
  return new Promise((resolve) => {
    const s = net.connect({ host, port, localPort, allowHalfOpen });
    let got = 0;
    let done = false;
    let ok = false;
    let local = null;
    const finish = (code) => { if (!done) { done = true; resolve({ ok: ok && code === null, localPort: local, code, socket: s }); } };
    s.on('connect', () => {
      local = s.localPort;
      const line = `REQ ${bytes} ${action}\n`;
      if (endWithRequest) { s.end(line); return; }
      s.write(line);
      if (bytes > 0) s.write(Buffer.alloc(bytes));
    });
    s.on('data', (chunk) => {
      if (got >= RESPONSE_BYTES) return;
      got += chunk.length;
      if (got >= RESPONSE_BYTES) {
        ok = true;
        then(s);
        if (keepOpen) { kept.push(s); finish(null); }
      }
    });
    s.on('error', (e) => finish(e.code || e.message));
    s.on('close', () => finish(null));
  });
}

/** Starts `count` exchanges `intervalMs` apart (not waiting for each other), resolves when all closed. */
async function paced(count, intervalMs, make) {
  const all = [];
  for (let i = 0; i < count; i++) {
    all.push(make(i));
    if (i < count - 1) await sleep(intervalMs);
  }
  return Promise.all(all);
}

function summary(results) {
  const made = results.filter((r) => r.ok).length;
  for (const r of results) if (!r.ok) fail(r.code ?? 'no-response');
  return { attempted: results.length, made, failed: results.length - made };
}

const routines = {
  // server closes first: the client (allowHalfOpen false) answers the server's FIN with its own
  'tw-server-first': async () => summary(await paced(run.connections, run.intervalMs,
    () => exchange({ action: 'close-first', then: () => {} }))),

  'tw-client-first': async () => summary(await paced(run.connections, run.intervalMs,
    () => exchange({ action: 'close-after', then: (s) => s.end() }))),

  // destroy() = close(2) with nothing unread: FIN, and the socket is orphaned
  'closewait-leak': async () => summary(await paced(run.connections, run.intervalMs,
    () => exchange({ action: 'never', then: (s) => s.destroy() }))),

  'finwait2-timeout': async () => {
    const results = await paced(run.connections, run.intervalMs,
      () => exchange({ action: 'never', then: (s) => s.destroy() }));
    await sleep(run.intervalMs);
    // shutdown(SHUT_WR) only: end() on an allowHalfOpen socket, which Node keeps open (not orphaned)
    const half = await exchange({ action: `trickle ${run.tickMs}`, then: (s) => s.end(), keepOpen: true, allowHalfOpen: true });
    return { ...summary([...results, half]), shutdownClient: half.localPort };
  },

  'reconnect-tw': () => reconnect(),
  'reconnect-tw-nots': () => reconnect(),

  'tw-pressure': async () => {
    let attempted = 0;
    let made = 0;
    let failingSince = null;
    let firstFailureAttempt = null;
    const t0 = Date.now();
    while (attempted < run.maxAttempts) {
      attempted++;
      const r = await exchange({ action: 'close-after', then: () => {}, endWithRequest: true });
      if (r.ok) { made++; failingSince = null; continue; }
      fail(r.code ?? 'no-response');
      firstFailureAttempt ??= attempted;
      failingSince ??= Date.now();
      if (Date.now() - failingSince >= run.failForMs) break;
    }
    return {
      attempted, made, failed: attempted - made, firstFailureAttempt,
      seconds: (Date.now() - t0) / 1000,
    };
  },
};

/** reconnect-tw*: per plan entry, `incarnations` connections from the same bound port, server closes first. */
async function reconnect() {
  const connections = [];
  for (const p of run.plan) {
    for (let k = 0; k < p.incarnations; k++) {
      // the previous incarnation's LAST_ACK may still hold the 4-tuple for a few microseconds
      let r;
      let retries = 0;
      for (;;) {
        r = await exchange({ action: 'close-first', bytes: k === 0 ? p.bytes : 0, localPort: p.port, then: () => {} });
        if (r.ok || !['EADDRNOTAVAIL', 'EADDRINUSE'].includes(r.code) || retries >= 200) break;
        retries++;
        await sleep(2);
      }
      connections.push({ port: p.port, incarnation: k + 1, bytes: k === 0 ? p.bytes : 0, ok: r.ok, code: r.code, connectRetries: retries });
      if (k < p.incarnations - 1 && p.pauseMs > 0) await sleep(p.pauseMs);
    }
  }
  const made = connections.filter((c) => c.ok).length;
  for (const c of connections) if (!c.ok) fail(c.code ?? 'no-response');
  return { attempted: connections.length, made, failed: connections.length - made, connections };
}

const routine = routines[run.name];
if (!routine) { log(`no client routine for ${run.name} FAILED`); process.exit(1); }
const t0 = Date.now();
const result = await routine();
if (run.afterLastFinMs) await sleep(run.afterLastFinMs);
writeFileSync(resultFile, JSON.stringify({ run: run.name, ...result, failures, clientSeconds: (Date.now() - t0) / 1000 }, null, 1) + '\n');
if (result.failed > 0 && run.name !== 'tw-pressure') log(`${result.failed} connection(s) FAILED: ${JSON.stringify(failures)}`);
log('DONE');
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 1 << 30); // keep the kept sockets until killed
