#!/usr/bin/env node
// make-manifest.mjs runs            print the run table for make.sh
// make-manifest.mjs check FILE RUN  check a fresh capture against the design
// make-manifest.mjs report FILE RUN print every RST/FIN of FILE with its shape
// make-manifest.mjs write           write captures/manifest.json
//
// Expected verdicts come from scenarios.mjs (what the socket programs were
// designed to do). tshark is only used to find each connection's tcp.stream
// index and to produce the "tshark" block (tshark-truth.mjs), and to check
// that the designed wire shape really happened.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, serverPort, clientPort } from './scenarios.mjs';
import { truthFor } from './tshark-truth.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const OUT = join(REPO, 'captures');

// ---------------------------------------------------------------- run table
// targets[i] is the server address the client connects to; clients[i] is the
// client's address on that path (as it appears on the wire). With two targets,
// odd-numbered scenarios use index 0 and even-numbered ones index 1.
// `scenarios` lists the scenario numbers the run holds (one connection each).
const range = (a, b) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const CLASSIC = range(1, 27);
export const RUNS = [
  {
    name: 'lo-ipv4', topology: 'lo', capture: 'tcpdump-lo', file: 'lo-ipv4.pcap', bind: '127.0.0.1', scenarios: CLASSIC,
    targets: ['127.0.0.1'], clients: ['127.0.0.1'],
    description: 'all 27 scenarios over 127.0.0.1 on the loopback of one network namespace; tcpdump -i lo -w (classic pcap, microseconds, LINKTYPE_ETHERNET)',
  },
  {
    name: 'veth-ipv4-any', topology: 'veth4', capture: 'tcpdump-any', file: 'veth-ipv4-any-sll2.pcap', bind: '192.0.2.2', scenarios: CLASSIC,
    targets: ['192.0.2.2'], clients: ['192.0.2.1'],
    description: 'all 27 scenarios over IPv4 between two network namespaces joined by a veth pair (client 192.0.2.1, server 192.0.2.2); tcpdump -i any in the client namespace (classic pcap, microseconds, LINKTYPE_LINUX_SLL2)',
  },
  {
    name: 'veth-ipv6-nsec', topology: 'veth6', capture: 'tcpdump-c0-nano', file: 'veth-ipv6-nsec.pcap', bind: '2001:db8::2', scenarios: CLASSIC,
    targets: ['2001:db8::2'], clients: ['2001:db8::1'],
    description: 'all 27 scenarios over IPv6 between two network namespaces joined by a veth pair (client 2001:db8::1, server 2001:db8::2); tcpdump -i c0 --time-stamp-precision=nano (classic pcap, nanoseconds, LINKTYPE_ETHERNET)',
  },
  {
    name: 'two-paths', topology: 'twopath', capture: 'dumpcap-2if', file: 'two-paths.pcapng', bind: '::', scenarios: CLASSIC,
    targets: ['192.0.2.2', '2001:db8:2::2'], clients: ['192.0.2.1', '2001:db8:2::1'],
    description: 'all 27 scenarios between two network namespaces joined by two veth pairs: odd-numbered scenarios over IPv4 on p1c (192.0.2.1 -> 192.0.2.2, interface 0), even-numbered over IPv6 on p2c (2001:db8:2::1 -> 2001:db8:2::2, interface 1); dumpcap -i p1c -i p2c (pcapng, two interface blocks, LINKTYPE_ETHERNET)',
  },
  {
    name: 'close-semantics', topology: 'veth4', capture: 'tcpdump-c0', file: 'close-semantics.pcap', bind: '192.0.2.2', scenarios: range(28, 31),
    targets: ['192.0.2.2'], clients: ['192.0.2.1'],
    // No tail loss probe: in the keep-alive races the late side's data and FIN wait ~50 ms for the RST
    // (scenarios.mjs, sendPad); a TLP (2 x SRTT, a few ms on veth) would retransmit the FIN meanwhile.
    // RTO (>= 200 ms) is left as it is.
    sysctls: { 'net.ipv4.tcp_early_retrans': 0 },
    description: 'scenarios 28-31 (long half-closes, keep-alive races) over IPv4 between two network namespaces joined by a veth pair (client 192.0.2.1, server 192.0.2.2); tcpdump -i c0 (classic pcap, microseconds, LINKTYPE_ETHERNET)',
  },
];

/** The scenarios (from scenarios.mjs) a run holds, in table order. */
export function scenariosOf(run) {
  const list = SCENARIOS.filter((sc) => run.scenarios.includes(sc.n));
  if (list.length !== run.scenarios.length) throw new Error(`run ${run.name}: unknown scenario number in ${run.scenarios}`);
  return list;
}

// gzip copies made by make.sh (gzip -n -9)
const GZIP_COPIES = [
  { file: 'lo-ipv4.pcap.gz', of: 'lo-ipv4', description: 'gzip -n copy of lo-ipv4.pcap (.gz suffix)' },
  { file: 'veth-ipv6-nsec-gzipped', of: 'veth-ipv6-nsec', description: 'gzip -n copy of veth-ipv6-nsec.pcap with no suffix at all (detect the format by magic)' },
  { file: 'two-paths-gzipped.pcapng', of: 'two-paths', description: 'gzip -n copy of two-paths.pcapng under a misleading .pcapng suffix (the bytes are gzip)' },
];

const fmtAddr = (ip, port) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);

function pathIndex(run, sc) {
  return run.targets.length === 1 ? 0 : (sc.n % 2 === 1 ? 0 : 1);
}

export function endpointsOf(run, sc) {
  const k = pathIndex(run, sc);
  return { client: fmtAddr(run.clients[k], clientPort(sc)), server: fmtAddr(run.targets[k], serverPort(sc)) };
}

// ---------------------------------------------------------------- file header
export function headerInfo(path) {
  let buf = readFileSync(path);
  let compressed = false;
  if (buf[0] === 0x1f && buf[1] === 0x8b) { buf = gunzipSync(buf); compressed = true; }
  const m = buf.readUInt32LE(0);
  if (m === 0xa1b2c3d4 || m === 0xa1b23c4d || m === 0xd4c3b2a1 || m === 0x4d3cb2a1) {
    const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
    const nsec = m === 0xa1b23c4d || m === 0x4d3cb2a1;
    const lt = (le ? buf.readUInt32LE(20) : buf.readUInt32BE(20)) & 0x0fffffff;
    return { format: 'pcap', compressed, linkTypes: [lt], timestampPrecision: nsec ? 'nanoseconds' : 'microseconds' };
  }
  if (m === 0x0a0d0d0a) {
    const le = buf.readUInt32LE(8) === 0x1a2b3c4d;
    const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
    const linkTypes = [];
    const res = [];
    for (let off = 0; off + 12 <= buf.length;) {
      const type = u32(off);
      const len = u32(off + 4);
      if (len < 12) break;
      if (type === 1) {
        linkTypes.push(u16(off + 8));
        let tsresol = 6;
        for (let o = off + 16; o + 4 <= off + len - 4;) {
          const code = u16(o); const olen = u16(o + 2);
          if (code === 0) break;
          if (code === 9) tsresol = buf[o + 4];
          o += 4 + Math.ceil(olen / 4) * 4;
        }
        res.push(tsresol);
      }
      off += len;
    }
    const p = (r) => (r === 9 ? 'nanoseconds' : r === 6 ? 'microseconds' : `10^-${r}`);
    const uniq = [...new Set(res.map(p))];
    return { format: 'pcapng', compressed, linkTypes, timestampPrecision: uniq.length === 1 ? uniq[0] : uniq.join('/') };
  }
  throw new Error(`${path}: unknown capture format`);
}

// ---------------------------------------------------------------- checks
/** Every TCP segment: frame -> ack (null when the ACK flag is clear), and per stream {frame, srcport, len}. */
function frameFacts(path) {
  const r = spawnSync('tshark', ['-n', '-r', path, '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.ack_raw', '-e', 'tcp.flags.ack',
    '-e', 'tcp.stream', '-e', 'tcp.srcport', '-e', 'tcp.len'],
  { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  const acks = new Map();
  const streams = new Map();
  for (const l of r.stdout.split('\n')) {
    const [f, a, fl, st, sport, len] = l.split('\t');
    if (!f) continue;
    acks.set(Number(f), (fl === '1' || fl === 'True') && a !== '' ? Number(a) : null);
    if (st === '' || st === undefined) continue;
    if (!streams.has(st)) streams.set(st, []);
    streams.get(st).push({ frame: Number(f), sport: Number(sport), len: Number(len) });
  }
  return { acks, streams };
}

export function connectionsFor(path, run, truth) {
  const { acks, streams } = frameFacts(path);
  const problems = [];
  const conns = [];
  const used = new Set();
  for (const sc of scenariosOf(run)) {
    const { client, server } = endpointsOf(run, sc);
    const entry = Object.entries(truth.streams).find(([, s]) => (s.a === client && s.b === server) || (s.a === server && s.b === client));
    if (!entry) { problems.push(`${sc.id}: no tcp stream ${client} <-> ${server}`); continue; }
    const [id, st] = entry;
    used.add(id);
    const cdir = st.a === client ? 'a->b' : 'b->a';
    const sdir = cdir === 'a->b' ? 'b->a' : 'a->b';
    const segments = (streams.get(id) ?? []).map((g) => ({ frame: g.frame, len: g.len, dir: g.sport === clientPort(sc) ? cdir : sdir }));
    const w = { ...st, cdir, sdir, segments, segAck: (f) => acks.get(f) ?? null };
    let ok = false;
    // every connection but 'unanswered' was designed with exactly one SYN on the wire
    if (sc.expect.verdict !== 'unanswered' && st.syn.length !== 1) problems.push(`${sc.id}: ${st.syn.length} SYNs (retransmitted?)`);
    try { ok = !!sc.check(w); } catch (e) { problems.push(`${sc.id}: check threw ${e.message}`); }
    if (!ok) problems.push(`${sc.id}: stream ${id} does not have the designed shape: ${JSON.stringify({ syn: st.syn.length, synack: st.synack.length, fins: st.fins, rsts: st.rsts })}`);
    conns.push({
      stream: Number(id), client, server, ...sc.expect,
      scenario: `${sc.id} (scripts/captures/scenarios.mjs #${sc.n}): ${sc.description}`,
    });
  }
  for (const id of Object.keys(truth.streams)) if (!used.has(id)) problems.push(`unexpected tcp stream ${id}: ${truth.streams[id].a} <-> ${truth.streams[id].b}`);
  conns.sort((x, y) => x.stream - y.stream);
  return { conns, problems };
}

// ---------------------------------------------------------------- report
function report(path, run) {
  const r = spawnSync('tshark', ['-n', '-r', path, '-Y', 'tcp.flags.reset==1 || tcp.flags.fin==1', '-T', 'fields',
    '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.flags.str', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw',
    '-e', 'tcp.len', '-e', 'tcp.window_size_value', '-e', 'tcp.hdr_len', '-e', 'ip.ttl', '-e', 'ipv6.hlim', '-e', 'ip.id', '-e', 'ip.flags.df',
    '-e', 'ipv6.flow', '-e', 'tcp.options'], { encoding: 'utf8', timeout: 120_000 });
  const byPort = new Map(SCENARIOS.map((s) => [serverPort(s), s.id]));
  for (const l of r.stdout.trim().split('\n')) {
    const c = l.split('\t');
    const sc = byPort.get(Number(c[1])) || byPort.get(Number(c[2]));
    const from = byPort.has(Number(c[1])) ? 'server' : 'client';
    console.log([sc, from, ...c].join('\t'));
  }
}

// ---------------------------------------------------------------- output
/** JSON with indent 1, except that each tcp stream and each connection is
 * written on one line (like the shared truth files), with ', ' and ': '. */
function oneLine(v) {
  if (Array.isArray(v)) return `[${v.map(oneLine).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${oneLine(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}
function pretty(v, path = [], ind = '') {
  const inner = `${ind} `;
  const grand = path[path.length - 2];
  if (grand === 'streams' || grand === 'connections') return oneLine(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => x === null || typeof x !== 'object')) return oneLine(v);
    return `[\n${v.map((x, i) => inner + pretty(x, [...path, i], inner)).join(',\n')}\n${ind}]`;
  }
  if (v !== null && typeof v === 'object') {
    const e = Object.entries(v);
    if (e.length === 0) return '{}';
    return `{\n${e.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, [...path, k], inner)}`).join(',\n')}\n${ind}}`;
  }
  return JSON.stringify(v);
}

// ---------------------------------------------------------------- main
const [cmd, a1, a2] = process.argv.slice(2);
const runByName = (n) => { const r = RUNS.find((x) => x.name === n); if (!r) throw new Error(`unknown run ${n}`); return r; };

if (cmd === 'runs') {
  for (const r of RUNS) {
    const sysctls = Object.entries(r.sysctls ?? {}).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log([r.name, r.topology, r.capture, r.file, r.bind, r.targets.join(','), r.scenarios.join(','), sysctls].join('|'));
  }
} else if (cmd === 'check') {
  const run = runByName(a2);
  const truth = truthFor(a1);
  const { problems } = connectionsFor(a1, run, truth);
  if (truth.summary.tshark_rc !== 0) problems.push(`tshark exit ${truth.summary.tshark_rc}`);
  if (problems.length) {
    console.error(`check ${run.name}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.error(`check ${run.name}: all ${run.scenarios.length} connections have the designed shape`);
} else if (cmd === 'report') {
  report(a1, runByName(a2));
} else if (cmd === 'write') {
  const tv = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0].trim();
  const kernel = spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim();
  const captures = [];
  const all = [
    ...RUNS.map((r) => ({ file: r.file, run: r, description: r.description })),
    ...GZIP_COPIES.map((g) => ({ file: g.file, run: runByName(g.of), description: g.description })),
  ];
  let failed = false;
  for (const c of all) {
    const path = join(OUT, c.file);
    if (!existsSync(path)) { console.error(`missing ${path}`); failed = true; continue; }
    const truth = truthFor(path, { label: c.file });
    const { conns, problems } = connectionsFor(path, c.run, truth);
    if (problems.length) { console.error(`${c.file}:\n  ${problems.join('\n  ')}`); failed = true; }
    const h = headerInfo(path);
    captures.push({
      file: c.file,
      description: c.description,
      run: c.run.name,
      format: h.format,
      compressed: h.compressed,
      linkTypes: h.linkTypes,
      timestampPrecision: h.timestampPrecision,
      bytes: truth.bytes,
      sha256: truth.sha256,
      frames: truth.summary.frames,
      tcpSegments: truth.summary.tcp_segments,
      tshark: { summary: truth.summary, streams: truth.streams },
      connections: conns,
    });
  }
  const manifest = {
    generator: 'scripts/captures/make.sh',
    kernel,
    tshark: tv,
    generated: new Date().toISOString(),
    captures,
  };
  writeFileSync(join(OUT, 'manifest.json'), pretty(manifest) + '\n');
  if (failed) process.exit(1);
} else {
  console.error('usage: make-manifest.mjs runs | check FILE RUN | report FILE RUN | write');
  process.exit(2);
}
