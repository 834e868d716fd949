#!/usr/bin/env node
// sockets-manifest.mjs install RUN WORKDIR
//   Checks a fresh make-sockets.sh run (WORKDIR holds capture.pcap, the ss
//   snapshots, ss-start/ss-end times, sysctl read-backs and the client's
//   result) against the run's design; exits 1 (the run is retried) if it does
//   not match. Otherwise installs captures/sockets/<run>.pcap[.gz] (gzip when
//   > 1 MB), <run>.<role>.ss-tan.txt / .ss-tano.txt, and the run's entry of
//   captures/sockets/manifest.json.
// sockets-manifest.mjs check
//   Re-reads the installed files and checks that the manifest still describes
//   them (sha256, frames, parsed ss output).
//
// tshark is used to list the capture's segments (4-tuples, last packet times,
// and what happened on the wire when a TIME_WAIT 4-tuple was reused).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseSs, stateCounts } from './ss-parse.mjs';
import {
  CAPTURE_FILTER, CLIENT_ADDRESS, RUNS, SERVER_ADDRESS, TIME_WAIT_SECONDS, runByName, sysctlsFor,
} from './sockets-runs.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..', '..');
const OUT = join(REPO, 'captures', 'sockets');
const MANIFEST = join(OUT, 'manifest.json');
const GZIP_ABOVE = 1024 * 1024;
const ROLES = [
  { role: 'client', address: CLIENT_ADDRESS },
  { role: 'server', address: SERVER_ADDRESS },
];
/** How far every socket must stay from a timer boundary (seconds, at the capture's last frame). */
const MIN_MARGIN_SECONDS = 2;
/** Largest allowed time from the last captured frame to the start of the ss snapshot. */
const MAX_GAP_SECONDS = 2;

// ---------------------------------------------------------------- capture file
/** Frames and first/last frame times of a classic pcap (any byte order, µs or ns). */
export function pcapTimes(buf) {
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  const magicLE = buf.readUInt32LE(0);
  const le = magicLE === 0xa1b2c3d4 || magicLE === 0xa1b23c4d;
  const magic = le ? magicLE : buf.readUInt32BE(0);
  if (magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) throw new Error('not a classic pcap');
  const nano = magic === 0xa1b23c4d;
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const fracDigits = nano ? 9 : 6;
  const text = (sec, frac) => `${sec}.${String(frac).padStart(fracDigits, '0')}`;
  let frames = 0;
  let first = null;
  let last = null;
  for (let off = 24; off + 16 <= buf.length;) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    if (off + 16 + incl > buf.length) throw new Error(`truncated record at byte ${off}`);
    frames++;
    const t = text(sec, frac);
    if (first === null) first = t;
    last = t;
    off += 16 + incl;
  }
  return { frames, firstFrame: first, lastFrame: last, timestampPrecision: nano ? 'nanoseconds' : 'microseconds', linkType: u32(20) & 0x0fffffff };
}

/** Every TCP segment of the capture as tshark decodes it. */
function segments(path) {
  const fields = ['frame.number', 'frame.time_epoch', 'ip.src', 'tcp.srcport', 'ip.dst', 'tcp.dstport', 'tcp.flags',
    'tcp.seq_raw', 'tcp.ack_raw', 'tcp.len', 'tcp.options.timestamp.tsval', 'tcp.stream'];
  const r = spawnSync('tshark', ['-n', '-r', path, '-Y', 'tcp', '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', maxBuffer: 1 << 30, timeout: 300_000 });
  if (r.status !== 0) throw new Error(`tshark failed on ${path}: ${r.stderr}`);
  const out = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    const c = line.split('\t');
    const flags = Number.parseInt(c[6], 16);
    out.push({
      frame: Number(c[0]), time: Number(c[1]), timeText: c[1],
      src: `${c[2]}:${c[3]}`, dst: `${c[4]}:${c[5]}`,
      syn: (flags & 0x02) !== 0, ack: (flags & 0x10) !== 0, fin: (flags & 0x01) !== 0, rst: (flags & 0x04) !== 0,
      seq: Number(c[7]), ackNo: Number(c[8]), len: Number(c[9]),
      tsval: c[10] === '' ? null : Number(c[10].split(',')[0]), stream: Number(c[11]),
    });
  }
  return out;
}

const tupleKey = (a, b) => (a < b ? `${a} ${b}` : `${b} ${a}`);
const i32 = (x) => (x | 0);

// ---------------------------------------------------------------- TIME_WAIT reuse on the wire
/**
 * For a reconnect run: per client port, the incarnations of the 4-tuple (a client SYN with a new
 * sequence number starts one) and, for each reuse, what the server (holding the previous
 * incarnation in TIME_WAIT) answered and why that was acceptable or not.
 */
function reuses(segs, run) {
  const server = `${SERVER_ADDRESS}:${run.serverPort}`;
  const found = [];
  for (const p of run.plan) {
    const client = `${CLIENT_ADDRESS}:${p.port}`;
    const tuple = segs.filter((s) => (s.src === client && s.dst === server) || (s.src === server && s.dst === client));
    const incarnations = [];
    for (const s of tuple) {
      if (s.src === client && s.syn && !s.ack && (incarnations.length === 0 || incarnations.at(-1).synSeq !== s.seq)) {
        incarnations.push({ synSeq: s.seq, segs: [] });
      }
      if (incarnations.length > 0) incarnations.at(-1).segs.push(s);
    }
    for (let k = 1; k < incarnations.length; k++) {
      const prev = incarnations[k - 1].segs;
      const cur = incarnations[k].segs;
      const clientFin = prev.filter((s) => s.src === client && s.fin).at(-1);
      const serverFin = prev.filter((s) => s.src === server && s.fin).at(-1);
      const lastClientTs = prev.filter((s) => s.src === client && s.tsval !== null).at(-1);
      const syn = cur[0];
      const reply = cur.find((s) => s.src === server);
      const entry = {
        port: p.port,
        incarnation: k + 1,
        synFrame: syn.frame,
        synTime: syn.timeText,
        // the server entered TIME_WAIT when the client's FIN arrived
        secondsAfterTimeWaitStart: clientFin ? Math.round((syn.time - clientFin.time) * 1e6) / 1e6 : null,
        synSeqMinusOldRcvNxt: clientFin ? i32(syn.seq - (clientFin.seq + clientFin.len + 1)) : null,
        synTsvalMinusOldTsRecent: syn.tsval !== null && lastClientTs ? i32(syn.tsval - lastClientTs.tsval) : null,
        serverReply: null,
        serverReplyFrame: null,
        outcome: null,
      };
      if (reply === undefined) {
        entry.outcome = 'unanswered';
      } else if (reply.syn && reply.ack) {
        entry.serverReply = 'SYN/ACK';
        entry.serverReplyFrame = reply.frame;
        entry.outcome = 'accepted';
        // tcp_timewait_state_process(): the new ISN is the TIME_WAIT socket's snd_nxt + 65535 + 2
        entry.serverIsnFromTimeWait = serverFin ? reply.seq === ((serverFin.seq + serverFin.len + 1 + 65537) >>> 0) : null;
      } else if (reply.rst) {
        entry.serverReply = 'RST';
        entry.serverReplyFrame = reply.frame;
        entry.outcome = 'rst';
      } else if (reply.ack) {
        entry.serverReply = 'ACK';
        entry.serverReplyFrame = reply.frame;
        entry.serverReplyAcksOldRcvNxt = clientFin ? reply.ackNo === ((clientFin.seq + clientFin.len + 1) >>> 0) : null;
        const after = cur.filter((s) => s.frame > reply.frame);
        const clientRst = after.find((s) => s.src === client && s.rst);
        const resyn = after.find((s) => s.src === client && s.syn && !s.ack && s.seq === syn.seq);
        const synack = resyn ? after.find((s) => s.frame > resyn.frame && s.src === server && s.syn && s.ack) : undefined;
        entry.clientRstFrame = clientRst ? clientRst.frame : null;
        entry.clientRstSeqIsOldRcvNxt = clientRst ? clientRst.seq === reply.ackNo : null;
        entry.retransmittedSynFrame = resyn ? resyn.frame : null;
        entry.retransmittedSynDelaySeconds = resyn ? Math.round((resyn.time - syn.time) * 1e6) / 1e6 : null;
        entry.acceptedSynAckFrame = synack ? synack.frame : null;
        entry.serverIsnFromTimeWait = synack && serverFin ? synack.seq === ((serverFin.seq + serverFin.len + 1 + 65537) >>> 0) : null;
        entry.outcome = clientRst && synack ? 'ack-then-client-rst-then-accepted' : 'ack';
      } else {
        entry.outcome = 'other';
      }
      entry.streams = [...new Set(cur.map((s) => s.stream))];
      found.push(entry);
    }
  }
  return found;
}

/** What each reconnect reuse was designed to produce (see sockets-runs.mjs). */
function expectedOutcome(run, port) {
  const p = run.plan.find((x) => x.port === port);
  if (run.name === 'reconnect-tw-nots' && p.bytes > 0) return 'ack-then-client-rst-then-accepted';
  return 'accepted';
}

// ---------------------------------------------------------------- install
function readSysctls(text) {
  const out = {};
  for (const line of text.split('\n')) {
    const m = /^(\S+) = (.*)$/.exec(line);
    if (m) out[m[1]] = m[2].replace(/\t/g, ' ');
  }
  return out;
}

const socketLine = (s) => ({
  state: s.state, ssState: s.ssState, local: s.local, peer: s.peer,
  timer: s.timer === null ? null : { name: s.timer.name, remainingSeconds: s.timer.remainingSeconds, text: s.timer.text },
  ...(s.listen ? { listen: true } : {}),
});

function install(name, dir) {
  const run = runByName(name);
  const problems = [];
  const capPath = join(dir, 'capture.pcap');
  const raw = readFileSync(capPath);
  const times = pcapTimes(raw);
  const segs = segments(capPath);
  const result = JSON.parse(readFileSync(join(dir, 'client-result.json'), 'utf8'));
  const ssStart = readFileSync(join(dir, 'ss-start.txt'), 'utf8').trim();
  const ssEnd = readFileSync(join(dir, 'ss-end.txt'), 'utf8').trim();
  const gap = Number(ssStart) - Number(times.lastFrame);
  if (!(gap >= 0 && gap < MAX_GAP_SECONDS)) problems.push(`gap last frame -> ss ${gap.toFixed(3)} s (want 0 <= gap < ${MAX_GAP_SECONDS})`);

  // last packet of every 4-tuple seen
  const lastOfTuple = new Map();
  for (const s of segs) lastOfTuple.set(tupleKey(s.src, s.dst), s.time);
  const lastFrame = Number(times.lastFrame);

  const namespaces = [];
  for (const { role, address } of ROLES) {
    const tan = readFileSync(join(dir, `${role}.ss-tan.txt`), 'utf8');
    const tano = readFileSync(join(dir, `${role}.ss-tano.txt`), 'utf8');
    const a = parseSs(tan);
    const b = parseSs(tano);
    const key = (s) => `${s.state} ${s.local} ${s.peer}`;
    const ka = a.map(key).sort().join('\n');
    const kb = b.map(key).sort().join('\n');
    if (ka !== kb) problems.push(`${role}: ss -tan and ss -tano list different sockets`);
    const sysctls = readSysctls(readFileSync(join(dir, `${role}.sysctl.txt`), 'utf8'));
    for (const [k, v] of Object.entries(sysctlsFor(run, role))) {
      if ((sysctls[k] ?? '').replace(/\s+/g, ' ') !== v) problems.push(`${role}: sysctl ${k} is "${sysctls[k]}", want "${v}"`);
    }
    const finTimeout = Number(sysctls['net.ipv4.tcp_fin_timeout']);
    const sockets = b;
    // margins: how far each socket is from its timer boundary at the capture's last frame
    let minTimerRemaining = null;
    for (const s of sockets) {
      if (s.listen) continue;
      const last = lastOfTuple.get(tupleKey(s.local, s.peer));
      if (last === undefined) { problems.push(`${role}: ss shows ${s.ssState} ${s.local} ${s.peer}, which the capture never saw`); continue; }
      if (s.local.split(':')[0] !== address) problems.push(`${role}: socket ${s.local} is not on ${address}`);
      if (s.timer !== null && s.timer.name === 'timewait') {
        const length = s.state === 'TIME_WAIT' ? TIME_WAIT_SECONDS : finTimeout;
        const remaining = length - (lastFrame - last);
        minTimerRemaining = minTimerRemaining === null ? remaining : Math.min(minTimerRemaining, remaining);
        // ss's own count-down (at ss time, whole seconds rounded down) must agree with the model
        if (Math.abs(s.timer.remainingSeconds - (remaining - gap)) > 1.5) {
          problems.push(`${role}: ${s.local} ${s.peer} ss timer ${s.timer.remainingSeconds} s, model ${(remaining - gap).toFixed(3)} s`);
        }
      }
    }
    if (minTimerRemaining !== null && minTimerRemaining < MIN_MARGIN_SECONDS + gap) problems.push(`${role}: a timer is ${minTimerRemaining.toFixed(3)} s from expiry at the last frame`);
    namespaces.push({
      role,
      addresses: [address],
      interface: role === 'client' ? 'c0' : 's0',
      sysctls,
      ssTan: `${name}.${role}.ss-tan.txt`,
      ssTano: `${name}.${role}.ss-tano.txt`,
      listening: a.filter((s) => s.listen).map((s) => s.local),
      states: stateCounts(a),
      minTimerRemainingAtLastFrame: minTimerRemaining === null ? null : Math.round(minTimerRemaining * 1e3) / 1e3,
      goneSockets: 0, // set below: 4-tuples of the capture this namespace no longer has a socket for
      sockets: sockets.map(socketLine),
    });
  }

  const client = namespaces[0];
  const server = namespaces[1];
  const count = (ns, state) => ns.states[state] ?? 0;
  const nonListen = (ns) => Object.values(ns.states).reduce((x, y) => x + y, 0);

  // ---- design checks
  const expectFailures = run.name === 'tw-pressure';
  if (!expectFailures && result.failed !== 0) problems.push(`${result.failed} connection(s) failed: ${JSON.stringify(result.failures)}`);
  const design = {};
  let reuseList;
  switch (run.name) {
    case 'tw-server-first':
      design.server = { TIME_WAIT: run.connections }; design.client = {};
      break;
    case 'tw-client-first':
      design.client = { TIME_WAIT: run.connections }; design.server = {};
      break;
    case 'closewait-leak':
      design.client = { FIN_WAIT_2: run.connections }; design.server = { CLOSE_WAIT: run.connections };
      break;
    case 'finwait2-timeout': {
      design.client = { FIN_WAIT_2: 1 }; design.server = { CLOSE_WAIT: run.connections + 1 };
      const half = client.sockets.find((s) => s.state === 'FIN_WAIT_2');
      if (!half || half.local !== `${CLIENT_ADDRESS}:${result.shutdownClient}`) problems.push(`the FIN-WAIT-2 left is not the shutdown() client (${result.shutdownClient})`);
      if (half && half.timer !== null) problems.push('the shutdown() FIN-WAIT-2 has a timer');
      break;
    }
    case 'reconnect-tw':
    case 'reconnect-tw-nots': {
      design.server = { TIME_WAIT: run.plan.length }; design.client = {};
      reuseList = reuses(segs, run);
      const want = run.plan.reduce((n, p) => n + p.incarnations - 1, 0);
      if (reuseList.length !== want) problems.push(`${reuseList.length} reuses on the wire, want ${want}`);
      for (const r of reuseList) {
        const e = expectedOutcome(run, r.port);
        if (r.outcome !== e) problems.push(`port ${r.port} incarnation ${r.incarnation}: ${r.outcome}, designed ${e}`);
        if (r.outcome === 'accepted' && r.serverIsnFromTimeWait !== true) problems.push(`port ${r.port} incarnation ${r.incarnation}: accepted, but not with the TIME_WAIT ISN`);
      }
      break;
    }
    case 'tw-pressure': {
      const ports = run.client['net.ipv4.ip_local_port_range'].split(' ').map(Number);
      const size = ports[1] - ports[0] + 1;
      design.client = { TIME_WAIT: size }; design.server = {};
      if (result.made !== size) problems.push(`${result.made} connections made, want ${size} (the port range)`);
      if ((result.failures.EADDRNOTAVAIL ?? 0) === 0 || Object.keys(result.failures).some((k) => k !== 'EADDRNOTAVAIL')) problems.push(`failures ${JSON.stringify(result.failures)}, want only EADDRNOTAVAIL`);
      break;
    }
    default: problems.push(`no design checks for ${run.name}`);
  }
  for (const [role, ns] of [['client', client], ['server', server]]) {
    const want = design[role];
    const got = Object.fromEntries(Object.entries(ns.states));
    if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${role}: ss states ${JSON.stringify(got)}, designed ${JSON.stringify(want)}`);
  }

  // connections the capture saw (a client SYN with a new sequence number starts one)
  const synSeqs = new Map();
  for (const s of segs) if (s.syn && !s.ack) { const k = tupleKey(s.src, s.dst); if (!synSeqs.has(k)) synSeqs.set(k, new Set()); synSeqs.get(k).add(s.seq); }
  const connectionsSeen = [...synSeqs.values()].reduce((n, set) => n + set.size, 0);
  if (connectionsSeen !== result.made) problems.push(`${connectionsSeen} connections on the wire, ${result.made} made by the client`);
  const retransmittedSyns = segs.filter((s) => s.syn && !s.ack).length - connectionsSeen;
  const expectedResyns = (reuseList ?? []).filter((r) => r.retransmittedSynFrame).length;
  if (retransmittedSyns !== expectedResyns) problems.push(`${retransmittedSyns} retransmitted SYNs (designed ${expectedResyns})`);

  // sockets the capture saw that a namespace's ss no longer shows (closed or expired)
  const goneFrom = (ns) => {
    const shown = new Set(ns.sockets.filter((s) => !s.listen).map((s) => tupleKey(s.local, s.peer)));
    return [...lastOfTuple.entries()].filter(([k]) => !shown.has(k));
  };
  for (const ns of namespaces) ns.goneSockets = goneFrom(ns).length;
  // for the finwait2 run: how far past tcp_fin_timeout the orphans' last packets are
  const gone = goneFrom(client);
  let minExpiredOverdue = null;
  if (run.name === 'finwait2-timeout') {
    const fin = Number(client.sysctls['net.ipv4.tcp_fin_timeout']);
    for (const [, last] of gone) {
      const overdue = lastFrame - last - fin;
      minExpiredOverdue = minExpiredOverdue === null ? overdue : Math.min(minExpiredOverdue, overdue);
    }
    if (gone.length !== run.connections) problems.push(`${gone.length} client sockets gone, want ${run.connections}`);
    if (minExpiredOverdue === null || minExpiredOverdue < MIN_MARGIN_SECONDS) problems.push(`orphaned FIN_WAIT_2 only ${minExpiredOverdue} s past tcp_fin_timeout at the last frame`);
  }

  if (problems.length) {
    console.error(`install ${name}: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    return false;
  }

  // ---- install files
  const big = raw.length > GZIP_ABOVE;
  const file = big ? `${name}.pcap.gz` : `${name}.pcap`;
  for (const f of [`${name}.pcap`, `${name}.pcap.gz`]) if (existsSync(join(OUT, f))) rmSync(join(OUT, f));
  const stored = big ? gzipSync(raw, { level: 9 }) : raw;
  writeFileSync(join(OUT, file), stored);
  for (const { role } of ROLES) {
    copyFileSync(join(dir, `${role}.ss-tan.txt`), join(OUT, `${name}.${role}.ss-tan.txt`));
    copyFileSync(join(dir, `${role}.ss-tano.txt`), join(OUT, `${name}.${role}.ss-tano.txt`));
  }
  const round = (x) => Math.round(x * 1e6) / 1e6;
  const entry = {
    name,
    description: run.description,
    file,
    compressed: big,
    bytes: stored.length,
    uncompressedBytes: raw.length,
    sha256: createHash('sha256').update(stored).digest('hex'),
    format: 'pcap',
    linkType: times.linkType,
    timestampPrecision: times.timestampPrecision,
    frames: times.frames,
    tcpSegments: segs.length,
    captureFilter: CAPTURE_FILTER,
    capturePoint: 'tcpdump -n -U -i c0 in the client namespace',
    server: `${SERVER_ADDRESS}:${run.serverPort}`,
    times: {
      firstFrame: times.firstFrame,
      lastFrame: times.lastFrame,
      ssStart,
      ssEnd,
      gapSeconds: round(gap),
      captureSeconds: round(lastFrame - Number(times.firstFrame)),
    },
    connections: {
      attempted: result.attempted,
      made: result.made,
      failed: result.failed,
      failures: result.failures,
      seenOnTheWire: connectionsSeen,
      ...(result.firstFailureAttempt !== undefined ? { firstFailureAttempt: result.firstFailureAttempt, clientSeconds: result.seconds } : {}),
      ...(result.shutdownClient !== undefined ? { shutdownClientPort: result.shutdownClient } : {}),
      ...(result.connections !== undefined ? { byClient: result.connections } : {}),
    },
    margins: {
      minTimerRemainingAtLastFrame: Math.min(...namespaces.map((n) => n.minTimerRemainingAtLastFrame ?? Infinity)) === Infinity
        ? null : Math.min(...namespaces.map((n) => n.minTimerRemainingAtLastFrame ?? Infinity)),
      ...(minExpiredOverdue !== null ? { minSecondsPastFinTimeoutOfExpiredOrphans: Math.round(minExpiredOverdue * 1e3) / 1e3 } : {}),
    },
    ...(run.name === 'finwait2-timeout' ? { analyzeOptions: { tcpFinTimeoutSeconds: Number(client.sysctls['net.ipv4.tcp_fin_timeout']) } } : {}),
    namespaces,
    ...(reuseList ? { reuses: reuseList } : {}),
  };

  const manifest = existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : { runs: [] };
  const version = (cmd, args) => { const r = spawnSync(cmd, args, { encoding: 'utf8' }); return `${r.stdout}${r.stderr}`.split('\n')[0].trim(); };
  const runs = manifest.runs.filter((r) => r.name !== name);
  runs.push({ ...entry, kernel: version('uname', ['-r']), generated: new Date().toISOString() });
  const order = new Map(RUNS.map((r, i) => [r.name, i]));
  runs.sort((x, y) => (order.get(x.name) ?? 99) - (order.get(y.name) ?? 99));
  const out = {
    generator: 'scripts/captures/make-sockets.sh',
    ss: version('ss', ['-V']),
    tcpdump: version('tcpdump', ['--version']),
    tshark: version('tshark', ['--version']),
    node: process.version,
    runs,
  };
  writeFileSync(MANIFEST, pretty(out) + '\n');
  console.error(`install ${name}: ${file} (${stored.length} bytes, ${times.frames} frames), gap ${gap.toFixed(3)} s, client ${JSON.stringify(client.states)}, server ${JSON.stringify(server.states)}`);
  return true;
}

// ---------------------------------------------------------------- check
function check() {
  const manifest = JSON.parse(readFileSync(MANIFEST, 'utf8'));
  let bad = 0;
  for (const r of manifest.runs) {
    const buf = readFileSync(join(OUT, r.file));
    const sha = createHash('sha256').update(buf).digest('hex');
    if (sha !== r.sha256) { console.error(`${r.file}: sha256 differs`); bad++; }
    if (pcapTimes(buf).frames !== r.frames) { console.error(`${r.file}: frame count differs`); bad++; }
    for (const ns of r.namespaces) {
      const c = stateCounts(parseSs(readFileSync(join(OUT, ns.ssTan), 'utf8')));
      if (JSON.stringify(c) !== JSON.stringify(ns.states)) { console.error(`${ns.ssTan}: states differ`); bad++; }
    }
  }
  console.error(bad ? `${bad} problem(s)` : `manifest matches all ${manifest.runs.length} runs`);
  return bad === 0;
}

// ---------------------------------------------------------------- output
/** JSON with indent 1, each socket / reuse on one line. */
function pretty(v, path = [], ind = '') {
  const inner = `${ind} `;
  const parent = path[path.length - 2];
  if (parent === 'sockets' || parent === 'reuses' || parent === 'byClient') return JSON.stringify(v).replace(/":/g, '": ').replace(/,"/g, ', "');
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every((x) => x === null || typeof x !== 'object')) return JSON.stringify(v).replace(/,/g, ', ');
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
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [cmd, a1, a2] = process.argv.slice(2);
  if (cmd === 'install' && a1 && a2) process.exit(install(a1, a2) ? 0 : 1);
  else if (cmd === 'check') process.exit(check() ? 0 : 1);
  else { console.error('usage: sockets-manifest.mjs install RUN WORKDIR | check'); process.exit(2); }
}
