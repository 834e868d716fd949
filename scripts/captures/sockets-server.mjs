#!/usr/bin/env node
// sockets-server.mjs --host ADDR --port PORT
// The server half of the make-sockets.sh runs. Every client starts with a
// request line "REQ <bytes> <action> [<tickMs>]\n" followed by <bytes> bytes
// of body; once the whole request is in, the server answers with RESPONSE and
// then does <action>:
//   close-first  end() with the response: the server closes first
//   close-after  close (end()) only when the client's FIN arrives
//   never        never close (the socket stays in CLOSE_WAIT after the client's FIN)
//   trickle      never close, and write "tick\n" every <tickMs> ms until killed
// Prints READY once listening; keeps every socket until it is killed (the
// CLOSE_WAIT sockets exist only while this process holds them). Hard limit 90 s.
import net from 'node:net';

export const RESPONSE = 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok'; // 40 bytes

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const host = opt('--host', '192.0.2.2');
const port = Number(opt('--port', '7001'));
const log = (m) => console.log(`${new Date().toISOString()} ${m}`);
setTimeout(() => { log('hard timeout, exiting'); process.exit(3); }, 90_000).unref();

const kept = new Set();
let accepted = 0;
const actions = {};

const server = net.createServer({ allowHalfOpen: true }, (s) => {
  accepted++;
  kept.add(s);
  const peer = `${s.remoteAddress}:${s.remotePort}`;
  let head = '';
  let need = -1; // body bytes still expected once the request line is in
  let action = null;
  let tickMs = 0;
  let answered = false;
  let peerEnded = false;
  s.on('error', (e) => log(`${peer} server socket: ${e.code || e.message}`));
  s.on('close', () => kept.delete(s));
  const answer = () => {
    answered = true;
    actions[action] = (actions[action] ?? 0) + 1;
    switch (action) {
      case 'close-first': s.end(RESPONSE); break;
      case 'close-after': s.write(RESPONSE); if (peerEnded) s.end(); break;
      case 'never': s.write(RESPONSE); break;
      case 'trickle': {
        s.write(RESPONSE);
        const t = setInterval(() => { if (!s.destroyed) s.write('tick\n'); }, tickMs);
        s.once('close', () => clearInterval(t));
        break;
      }
      default: log(`${peer} unknown action "${action}" FAILED`); s.destroy();
    }
  };
  s.on('data', (chunk) => {
    if (answered) return;
    if (need < 0) {
      head += chunk.toString('latin1');
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      const m = /^REQ (\d+) ([a-z-]+)(?: (\d+))?$/.exec(head.slice(0, nl));
      if (m === null) { log(`${peer} bad request line FAILED`); s.destroy(); return; }
      need = Number(m[1]) - (head.length - nl - 1);
      action = m[2];
      tickMs = Number(m[3] ?? 0);
    } else {
      need -= chunk.length;
    }
    if (need <= 0) answer();
  });
  s.on('end', () => {
    peerEnded = true;
    if (answered && action === 'close-after') s.end();
  });
});
server.on('error', (e) => { log(`listen FAILED ${e.code || e.message}`); process.exit(1); });
server.listen({ host, port, backlog: 4096 }, () => log('READY'));

process.on('SIGUSR1', () => log(`STATS ${JSON.stringify({ accepted, open: kept.size, actions })}`));
process.on('SIGTERM', () => process.exit(0));
