#!/usr/bin/env node
// tshark-truth.mjs CAPTURE [--compact]
//
// Prints, for one capture file, the "tshark truth" JSON: the same structure as
// the reference truth files in ../shared/corpus/truth/**.json (summary + per
// tcp.stream facts: endpoints, SYN, SYN/ACK, every FIN with whether and by
// which frame it was ACKed, every RST with seq/ack/TTL and whether it came
// after the sender's own FIN, a fin_state and a coarse label).
//
// Everything here is derived from tshark's dissection only (tshark 4.0 is the
// reference version), never from closetrace. See captures/README.md for the
// meaning of each field.
//
// Needs: tshark on PATH. Node 20, no dependencies.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const FIELDS = [
  'frame.number',
  'frame.time_epoch',
  'frame.protocols',
  'tcp.stream',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.flags',
  'tcp.seq_raw',
  'tcp.ack_raw',
  'tcp.len',
  'ip.src',
  'ip.dst',
  'ip.ttl',
  'ip.flags.mf',
  'ip.frag_offset',
  'ipv6.src',
  'ipv6.dst',
  'ipv6.hlim',
];

// A TCP header inside one of these is a copy (ICMP error quote, sFlow sample),
// not a segment of a connection.
const QUOTING = new Set(['icmp', 'icmpv6', 'sflow']);

const U32 = 0x1_0000_0000;
/** serial-number arithmetic: a >= b (mod 2^32) */
const seqGe = (a, b) => ((a - b + U32) % U32) < 0x8000_0000;

function tsharkVersion() {
  const r = spawnSync('tshark', ['--version'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error('tshark not found or not runnable');
  return r.stdout.split('\n')[0].trim();
}

function cleanStderr(s) {
  return s
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^Running as user "root"/.test(l))
    .map((l) => l.replace(/\r$/, ''));
}

function realIpLayers(protos) {
  let n = 0;
  for (const p of protos) {
    if (QUOTING.has(p)) break;
    if (p === 'ip' || p === 'ipv6') n++;
  }
  return n;
}

function split(v) {
  return v === '' ? [] : v.split(',');
}

function intOrNull(v) {
  return v === undefined || v === '' ? null : Number(v);
}

export function truthFor(path, { label: captureLabel } = {}) {
  const args = ['-n', '-r', path, '-T', 'fields', '-E', 'header=n', '-E', 'separator=/t',
    '-E', 'occurrence=a', '-E', 'aggregator=,', '-E', 'quote=n'];
  for (const f of FIELDS) args.push('-e', f);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 600_000 });
  if (r.error) throw r.error;

  const summary = {
    frames: 0,
    tcp_frames: 0,
    tcp_segments: 0,
    fin_segments: 0,
    rst_segments: 0,
    synfin_segments: 0,
    quoted_tcp_ignored: 0,
    unparsed_tcp_layers: 0,
    malformed_tcp_headers: 0,
    ipv4_fragments: 0,
    ipv6_fragments: 0,
    vlan_frames: 0,
    tcp_over_ipv6: 0,
    tcp_over_ipv4: 0,
    tunnelled_tcp: 0,
    multi_tcp_layer_frames: 0,
    tcp_stacks: {},
    tshark_rc: r.status,
    tshark_stderr: cleanStderr(r.stderr || ''),
    tcp_streams: 0,
    label_counts: {},
  };
  const segs = [];

  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const c = line.split('\t');
    const rec = Object.fromEntries(FIELDS.map((f, i) => [f, c[i] ?? '']));
    summary.frames++;
    const protos = rec['frame.protocols'].split(':');
    if (protos.includes('vlan')) summary.vlan_frames++;
    const mf = split(rec['ip.flags.mf']);
    const off = split(rec['ip.frag_offset']);
    if (mf.some((x) => x === '1' || x === 'True') || off.some((x) => Number(x) > 0)) summary.ipv4_fragments++;
    if (protos.includes('ipv6.fraghdr')) summary.ipv6_fragments++;

    // locate tcp layers, classify quoted ones
    const tcpIdx = [];
    let quoted = false;
    let nTcp = 0;
    let nIp = 0;
    let nIp6 = 0;
    const layers = [];
    for (let i = 0; i < protos.length; i++) {
      const p = protos[i];
      if (QUOTING.has(p)) quoted = true;
      if (p === 'ip') nIp++;
      if (p === 'ipv6') nIp6++;
      if (p === 'tcp') {
        layers.push({ pos: i, tcpOcc: nTcp, quoted, ipCount: nIp, ip6Count: nIp6 });
        nTcp++;
      }
    }
    if (layers.length === 0) continue;
    summary.tcp_frames++;
    const real = layers.filter((l) => !l.quoted);
    summary.quoted_tcp_ignored += layers.length - real.length;
    if (real.length === 0) continue;
    if (real.length > 1) summary.multi_tcp_layer_frames++;
    const L = real[0];
    const pick = (f, k) => split(rec[f])[k];
    const stream = pick('tcp.stream', L.tcpOcc);
    const flagsS = pick('tcp.flags', L.tcpOcc);
    if (stream === undefined || flagsS === undefined) {
      summary.unparsed_tcp_layers++;
      continue;
    }
    // network layer carrying this tcp: last ip/ipv6 before it
    let net = null;
    for (let i = L.pos - 1; i >= 0; i--) {
      if (protos[i] === 'ip' || protos[i] === 'ipv6') { net = protos[i]; break; }
    }
    let src;
    let dst;
    let ttl;
    const sport = pick('tcp.srcport', L.tcpOcc);
    const dport = pick('tcp.dstport', L.tcpOcc);
    if (net === 'ipv6') {
      const k = L.ip6Count - 1;
      src = `[${pick('ipv6.src', k)}]:${sport}`;
      dst = `[${pick('ipv6.dst', k)}]:${dport}`;
      ttl = intOrNull(pick('ipv6.hlim', k));
      summary.tcp_over_ipv6++;
    } else if (net === 'ip') {
      const k = L.ipCount - 1;
      src = `${pick('ip.src', k)}:${sport}`;
      dst = `${pick('ip.dst', k)}:${dport}`;
      ttl = intOrNull(pick('ip.ttl', k));
      summary.tcp_over_ipv4++;
    } else {
      summary.malformed_tcp_headers++;
      continue;
    }
    // tunnelled: the frame holds more than one IP layer that is not inside a
    // quoting protocol (VXLAN, GRE, GTP, Geneve, OpenFlow packet-in, ...)
    if (realIpLayers(protos) > 1) summary.tunnelled_tcp++;
    summary.tcp_segments++;
    const stack = protos.slice(0, L.pos + 1).join(':');
    summary.tcp_stacks[stack] = (summary.tcp_stacks[stack] || 0) + 1;
    const flags = parseInt(flagsS, 16);
    const f = { fin: !!(flags & 1), syn: !!(flags & 2), rst: !!(flags & 4), ack: !!(flags & 16) };
    if (f.fin) summary.fin_segments++;
    if (f.rst) summary.rst_segments++;
    if (f.syn && f.fin) summary.synfin_segments++;
    segs.push({
      frame: Number(rec['frame.number']),
      time: rec['frame.time_epoch'],
      stream: Number(stream),
      src,
      dst,
      ttl,
      f,
      seq: intOrNull(pick('tcp.seq_raw', L.tcpOcc)),
      ack: f.ack ? intOrNull(pick('tcp.ack_raw', L.tcpOcc)) : null,
      len: intOrNull(pick('tcp.len', L.tcpOcc)) ?? 0,
    });
  }

  // group by stream
  const byStream = new Map();
  for (const s of segs) {
    if (!byStream.has(s.stream)) byStream.set(s.stream, []);
    byStream.get(s.stream).push(s);
  }
  const streams = {};
  for (const id of [...byStream.keys()].sort((x, y) => x - y)) {
    const list = byStream.get(id);
    const a = list[0].src;
    const b = list[0].dst;
    const dirOf = (s) => (s.src === a ? 'a->b' : 'b->a');
    const st = {
      a,
      b,
      first_frame: list[0].frame,
      last_frame: list[list.length - 1].frame,
      packets: list.length,
      packets_a_to_b: 0,
      packets_b_to_a: 0,
      syn: [],
      synack: [],
      fins: [],
      rsts: [],
      ttls: { 'a->b': [], 'b->a': [] },
      fin_state: 'none',
      label: 'open',
    };
    for (let i = 0; i < list.length; i++) {
      const s = list[i];
      const dir = dirOf(s);
      if (dir === 'a->b') st.packets_a_to_b++;
      else st.packets_b_to_a++;
      if (s.ttl !== null && !st.ttls[dir].includes(s.ttl)) st.ttls[dir].push(s.ttl);
      if (s.f.syn && !s.f.ack) st.syn.push({ frame: s.frame, dir, time: s.time });
      if (s.f.syn && s.f.ack) st.synack.push({ frame: s.frame, dir, time: s.time });
      if (s.f.fin) {
        const want = (s.seq + s.len + 1) % U32;
        let by = null;
        for (let k = i + 1; k < list.length; k++) {
          const o = list[k];
          if (dirOf(o) !== dir && o.f.ack && o.ack !== null && seqGe(o.ack, want)) { by = o; break; }
        }
        st.fins.push({
          frame: s.frame, dir, time: s.time, seq_raw: s.seq, len: s.len, ttl: s.ttl,
          acked: by !== null, acked_by_frame: by ? by.frame : null, acked_by_rst: by ? by.f.rst : false,
        });
      }
      if (s.f.rst) {
        const ownFin = st.fins.some((x) => x.dir === dir && x.frame < s.frame);
        st.rsts.push({
          frame: s.frame, dir, time: s.time, seq_raw: s.seq, ack_raw: s.ack, ttl: s.ttl, len: s.len,
          after_own_fin: ownFin,
        });
      }
    }
    const finA = st.fins.filter((x) => x.dir === 'a->b');
    const finB = st.fins.filter((x) => x.dir === 'b->a');
    const ackedA = finA.some((x) => x.acked);
    const ackedB = finB.some((x) => x.acked);
    if (finA.length === 0 && finB.length === 0) st.fin_state = 'none';
    else if ((finA.length && !ackedA) || (finB.length && !ackedB)) st.fin_state = 'fin-unacked';
    else if (finA.length && finB.length) st.fin_state = 'orderly';
    else st.fin_state = 'half-closed';

    if (st.rsts.length) {
      const firstRst = st.rsts[0];
      const syn = st.syn[0];
      const synDir = syn ? syn.dir : null;
      const firstSynack = st.synack.find((x) => x.dir !== synDir);
      const refused = syn && firstRst.dir !== synDir && firstRst.frame > syn.frame
        && (!firstSynack || firstRst.frame < firstSynack.frame);
      if (refused) st.label = 'refused';
      else if (firstRst.after_own_fin) st.label = 'reset-after-fin';
      else st.label = firstRst.dir === 'a->b' ? 'reset-by-a' : 'reset-by-b';
    } else {
      st.label = { none: 'open', orderly: 'orderly', 'half-closed': 'half-closed', 'fin-unacked': 'fin-unacked' }[st.fin_state];
    }
    streams[String(id)] = st;
  }
  for (const st of Object.values(streams)) {
    st.ttls['a->b'].sort((x, y) => x - y);
    st.ttls['b->a'].sort((x, y) => x - y);
  }
  summary.tcp_streams = Object.keys(streams).length;
  const lc = {};
  for (const s of Object.values(streams)) lc[s.label] = (lc[s.label] || 0) + 1;
  summary.label_counts = Object.fromEntries(Object.entries(lc).sort(([x], [y]) => (x < y ? -1 : 1)));
  summary.tcp_stacks = Object.fromEntries(Object.entries(summary.tcp_stacks).sort(([, x], [, y]) => y - x));

  const bytes = readFileSync(path);
  return {
    capture: captureLabel ?? path,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    bytes: bytes.length,
    generator: 'scripts/captures/tshark-truth.mjs',
    tshark: tsharkVersion(),
    summary,
    streams,
  };
}

/** JSON on one line with Python's default separators (', ' and ': '). */
function pyDumps(v) {
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.entries(v).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`).join(', ')}}`;
  }
  return JSON.stringify(v);
}

/** Same layout as the shared truth files: indent 1, one line per stream. */
export function formatTruth(t) {
  const lines = ['{'];
  const keys = Object.keys(t);
  keys.forEach((k, i) => {
    const comma = i < keys.length - 1 ? ',' : '';
    if (k === 'streams') {
      const ids = Object.keys(t.streams);
      if (ids.length === 0) { lines.push(` "streams": {}${comma}`); return; }
      lines.push(' "streams": {');
      ids.forEach((id, j) => {
        const one = pyDumps(t.streams[id]);
        lines.push(`  ${JSON.stringify(id)}: ${one}${j < ids.length - 1 ? ',' : ''}`);
      });
      lines.push(` }${comma}`);
    } else {
      const v = JSON.stringify(t[k], null, 1).split('\n').join('\n ');
      lines.push(` ${JSON.stringify(k)}: ${v}${comma}`);
    }
  });
  lines.push('}');
  return lines.join('\n') + '\n';
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const path = args.find((x) => !x.startsWith('--'));
  if (!path) {
    console.error('usage: node scripts/captures/tshark-truth.mjs CAPTURE [--compact] [--name=LABEL]');
    process.exit(2);
  }
  const name = args.find((x) => x.startsWith('--name='));
  const t = truthFor(path, { label: name ? name.slice(7) : undefined });
  process.stdout.write(args.includes('--compact') ? JSON.stringify(t) + '\n' : formatTruth(t));
}
