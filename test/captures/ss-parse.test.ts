import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { normaliseAddress, parseSs, stateCounts, timerSeconds } from '../../scripts/captures/ss-parse.mjs';
import { loadSocketsManifest, SOCKETS_DIR } from '../support/sockets-manifest.js';

describe('timerSeconds (iproute2 print_ms_timer formats)', () => {
  it.each([
    ['59sec', 59],
    ['1min', 60],
    ['1min5sec', 65],
    ['12min', 720],
    ['5.123ms', 5.123],
    ['1min5.123ms', 65.123],
    ['200ms', 0.2],
    ['', 0],
  ])('"%s" is %d s', (text, seconds) => {
    expect(timerSeconds(text)).toBe(seconds);
  });

  it.each(['59', '1.5sec', 'sec', '-1sec', '1h'])('rejects "%s"', (text) => {
    expect(() => timerSeconds(text)).toThrow(/not an ss timer expiry/);
  });
});

describe('normaliseAddress', () => {
  it.each([
    ['192.0.2.1:41000', '192.0.2.1:41000', null],
    ['[::ffff:192.0.2.1]:80', '192.0.2.1:80', null],
    ['[2001:db8::1]:443', '[2001:db8::1]:443', null],
    ['0.0.0.0:*', '0.0.0.0:*', null],
    ['*:*', '*:*', null],
    ['[::]:*', '[::]:*', null],
    ['192.0.2.2%c0:7001', '192.0.2.2:7001', 'c0'],
    ['[fe80::1%s0]:22', '[fe80::1]:22', 's0'],
  ])('%s', (text, address, iface) => {
    expect(normaliseAddress(text)).toEqual({ address, iface });
  });

  it('rejects text without a port', () => {
    expect(() => normaliseAddress('192.0.2.1')).toThrow(/port/);
  });
});

describe('parseSs', () => {
  const sample = [
    'State      Recv-Q Send-Q Local Address:Port  Peer Address:PortProcess                  ',
    'LISTEN     0      4096       192.0.2.2:7001      0.0.0.0:*                             ',
    'ESTAB      0      36         192.0.2.2:7001    192.0.2.1:41000 timer:(on,200ms,0)      ',
    'TIME-WAIT  0      0          192.0.2.2:7001    192.0.2.1:41002 timer:(timewait,59sec,0)',
    'FIN-WAIT-2 0      0          192.0.2.1:41004    192.0.2.2:7001',
    '\t timer:(timewait,1min,0)',
    'SYN-RECV   0      0          192.0.2.2:7001    192.0.2.1:41006 timer:(on,1.500ms,2)',
    'CLOSE-WAIT 1      0      [::ffff:192.0.2.2]:7001 [::ffff:192.0.2.1]:41008',
    'UNCONN     0      0          192.0.2.1:41010    192.0.2.2:7001',
    '',
  ].join('\n');

  it('maps states to closetrace names, flags LISTEN, reads queues, addresses and timers (continuation lines too)', () => {
    const got = parseSs(sample).map((s) => ({ state: s.state, listen: s.listen, recvQ: s.recvQ, sendQ: s.sendQ, local: s.local, peer: s.peer, timer: s.timer }));
    expect(got).toEqual([
      { state: 'LISTEN', listen: true, recvQ: 0, sendQ: 4096, local: '192.0.2.2:7001', peer: '0.0.0.0:*', timer: null },
      { state: 'ESTABLISHED', listen: false, recvQ: 0, sendQ: 36, local: '192.0.2.2:7001', peer: '192.0.2.1:41000', timer: { name: 'on', remainingSeconds: 0.2, retransmits: 0, text: 'timer:(on,200ms,0)' } },
      { state: 'TIME_WAIT', listen: false, recvQ: 0, sendQ: 0, local: '192.0.2.2:7001', peer: '192.0.2.1:41002', timer: { name: 'timewait', remainingSeconds: 59, retransmits: 0, text: 'timer:(timewait,59sec,0)' } },
      { state: 'FIN_WAIT_2', listen: false, recvQ: 0, sendQ: 0, local: '192.0.2.1:41004', peer: '192.0.2.2:7001', timer: { name: 'timewait', remainingSeconds: 60, retransmits: 0, text: 'timer:(timewait,1min,0)' } },
      { state: 'SYN_RECEIVED', listen: false, recvQ: 0, sendQ: 0, local: '192.0.2.2:7001', peer: '192.0.2.1:41006', timer: { name: 'on', remainingSeconds: 1.5, retransmits: 2, text: 'timer:(on,1.500ms,2)' } },
      { state: 'CLOSE_WAIT', listen: false, recvQ: 1, sendQ: 0, local: '192.0.2.2:7001', peer: '192.0.2.1:41008', timer: null },
      { state: 'CLOSED', listen: false, recvQ: 0, sendQ: 0, local: '192.0.2.1:41010', peer: '192.0.2.2:7001', timer: null },
    ]);
  });

  it('counts states without LISTEN', () => {
    expect(stateCounts(parseSs(sample))).toEqual({ CLOSED: 1, CLOSE_WAIT: 1, ESTABLISHED: 1, FIN_WAIT_2: 1, SYN_RECEIVED: 1, TIME_WAIT: 1 });
  });

  it('maps every ss state word', () => {
    const words = ['ESTAB', 'SYN-SENT', 'SYN-RECV', 'FIN-WAIT-1', 'FIN-WAIT-2', 'TIME-WAIT', 'CLOSE-WAIT', 'LAST-ACK', 'CLOSING'];
    const text = words.map((w, i) => `${w} 0 0 192.0.2.1:${41000 + i} 192.0.2.2:7001`).join('\n');
    expect(parseSs(text).map((s) => s.state)).toEqual([
      'ESTABLISHED', 'SYN_SENT', 'SYN_RECEIVED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'TIME_WAIT', 'CLOSE_WAIT', 'LAST_ACK', 'CLOSING',
    ]);
  });

  it('names the line of anything it does not understand instead of dropping a socket', () => {
    expect(() => parseSs('State Recv-Q Send-Q\nWEIRD 0 0 192.0.2.1:1 192.0.2.2:2')).toThrow(/line 2: unknown state "WEIRD"/);
    expect(() => parseSs('ESTAB 0 0 192.0.2.1:1 192.0.2.2:2 bogus')).toThrow(/line 1: unexpected field "bogus"/);
    expect(() => parseSs('ESTAB 0 x 192.0.2.1:1 192.0.2.2:2')).toThrow(/line 1: queues/);
    expect(() => parseSs('ESTAB 0 0 192.0.2.1:1')).toThrow(/line 1: expected/);
    expect(() => parseSs('  timer:(on,1sec,0)')).toThrow(/line 1: continuation/);
  });
});

// The raw ss output saved beside the captures of captures/sockets/ (scripts/captures/make-sockets.sh).
const manifest = loadSocketsManifest();
const namespaces = manifest.runs.flatMap((run) => run.namespaces.map((ns) => [`${run.name} ${ns.role}`, run, ns] as const));

describe.each(namespaces)('saved ss output: %s', (_label, run, ns) => {
  const tan = readFileSync(join(SOCKETS_DIR, ns.ssTan), 'utf8');
  const tano = readFileSync(join(SOCKETS_DIR, ns.ssTano), 'utf8');

  it('parses every line of ss -tan and ss -tano, and both list the same sockets', () => {
    const key = (s: { state: string; local: string; peer: string }): string => `${s.state} ${s.local} ${s.peer}`;
    const a = parseSs(tan);
    const b = parseSs(tano);
    expect(a.map(key).sort()).toEqual(b.map(key).sort());
    // one socket per non-empty line after the header: nothing was dropped
    expect(a).toHaveLength(tan.split('\n').filter((l) => l.trim() !== '').length - 1);
    expect(a.every((s) => s.timer === null)).toBe(true);
  });

  it('state counts equal a plain count of the lines per state word, and the manifest', () => {
    const words = tan.split('\n').slice(1).filter((l) => l.trim() !== '').map((l) => l.split(/\s+/)[0]);
    const byWord: Record<string, number> = {};
    for (const w of words) if (w !== 'LISTEN') byWord[w] = (byWord[w] ?? 0) + 1;
    const counts = stateCounts(parseSs(tan));
    const spelled = { 'TIME-WAIT': 'TIME_WAIT', 'CLOSE-WAIT': 'CLOSE_WAIT', 'FIN-WAIT-2': 'FIN_WAIT_2' } as Record<string, string>;
    expect(counts).toEqual(Object.fromEntries(Object.entries(byWord).map(([w, n]) => [spelled[w] ?? w, n]).sort()));
    expect(counts).toEqual(ns.states);
  });

  it('matches the socket lines of the manifest (state, local, peer, timer)', () => {
    expect(parseSs(tano).map((s) => ({ state: s.state, local: s.local, peer: s.peer, timer: s.timer && { name: s.timer.name, remainingSeconds: s.timer.remainingSeconds, text: s.timer.text } })))
      .toEqual(ns.sockets.map((s) => ({ state: s.state, local: s.local, peer: s.peer, timer: s.timer })));
  });

  it('every socket is on the namespace address; LISTEN only on the server; timewait timers within 0-60 s', () => {
    const sockets = parseSs(tano);
    for (const s of sockets) expect(ns.addresses).toContain(s.local.slice(0, s.local.lastIndexOf(':')));
    expect(sockets.some((s) => s.listen)).toBe(ns.role === 'server');
    for (const s of sockets.filter((x) => x.timer !== null)) {
      expect(s.timer?.name).toBe('timewait');
      expect(s.timer?.remainingSeconds).toBeGreaterThan(0);
      expect(s.timer?.remainingSeconds).toBeLessThanOrEqual(60);
    }
    // TIME-WAIT always has its timer; a FIN-WAIT-2 has one only when orphaned (tw mini-socket)
    expect(sockets.filter((s) => s.state === 'TIME_WAIT').every((s) => s.timer !== null)).toBe(true);
    const shutdownOnly = run.connections.shutdownClientPort;
    for (const s of sockets.filter((x) => x.state === 'FIN_WAIT_2')) {
      expect(s.timer === null, s.local).toBe(shutdownOnly !== undefined && s.local === `192.0.2.1:${shutdownOnly}`);
    }
  });
});
