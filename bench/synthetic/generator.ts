/**
 * The generator proper: starts connections (kind, endpoints, script), keeps a few thousand of them live in
 * a time-ordered heap, and writes each packet by patching a prebuilt header template in the output buffer.
 */
import { foldChecksum, onesSum, PcapWriter, LINKTYPE, type FileSink } from '../../tools/craft/index.js';
import { BENCH_CLOSE_KINDS, CLOSE_KIND_WEIGHTS, emptyKindCounts, type BenchCloseKind } from './close-kinds.js';
import { addressSum, Connection } from './connection.js';
import { ConnectionHeap } from './connection-heap.js';
import { buildTemplates, LAYOUT, synMss, templateKey, type HeaderTemplate } from './packet-templates.js';
import { Prng } from './prng.js';
import { CLIENT, OP, ScriptBuilder, SERVER, STEP, type ConnectionShape } from './scripts.js';

export const DEFAULT_PACKETS = 2_000_000;

export interface GenerateOptions {
  /** Output file (its directory is created). */
  path: string;
  /** Exact number of packets to write; default 2,000,000 unless `bytes` is given. */
  packets?: number;
  /** Approximate file size to reach instead (stops starting connections once planned bytes reach it). */
  bytes?: number;
  /** Default 1. */
  seed?: number;
  /** Capture snaplen; longer packets are cut (caplen < origlen). Default 262144 (nothing cut). */
  snaplen?: number;
  /** Nanosecond pcap (magic a1b23c4d) instead of microseconds. */
  nanos?: boolean;
  /** Connections alive at once; default scales with the size, up to 3000. */
  concurrency?: number;
}

export interface BenchCaptureSummary {
  seed: number;
  packets: number;
  /** File size in bytes. */
  bytes: number;
  /** TCP connections (what tshark numbers as tcp.stream). */
  connections: number;
  /** Connections per close kind; they add up to `connections`. */
  closes: Record<BenchCloseKind, number>;
  /** Per kind, which side closed or reset first (both 0 for synUnanswered/openAtEnd). */
  closedBy: Record<BenchCloseKind, { client: number; server: number }>;
  /** Connections already open when the capture starts: no handshake in the capture. */
  midstream: number;
  connectionsWithKeepalive: number;
  keepaliveProbes: number;
  /** FIN segments sent a second time (one per connection that has any). */
  finRetransmissions: number;
  /** Connections that reuse the 4-tuple of an earlier, fully closed connection. */
  portReuses: number;
  ipv6Connections: number;
  vlanTaggedConnections: number;
  /** Most connections with packets still to send at one time. */
  peakConcurrency: number;
  firstTimestamp: { seconds: number; nanos: number };
  lastTimestamp: { seconds: number; nanos: number };
}

/** 2024-03-01T00:00:00Z: capture start. */
const EPOCH_SECONDS = 1_709_251_200;
const PORT_BASE = 32768;
const PORT_COUNT = 28232; // Linux's default ephemeral range 32768-60999
const SERVICE_PORTS = [443, 443, 443, 80, 80, 8080, 5432, 6379, 3306, 22, 25, 9092];
const SERVERS = 64;
const SYN_WINDOW = [64240, 65160];
const NO_SCRIPT = new Int32Array(0);
const KIND_WEIGHTS = BENCH_CLOSE_KINDS.map((k) => CLOSE_KIND_WEIGHTS[k]);
const KIND_WEIGHT_TOTAL = KIND_WEIGHTS.reduce((x, y) => x + y, 0);

export class Generator {
  private readonly rng: Prng;
  private readonly scripts: ScriptBuilder;
  private readonly templates: HeaderTemplate[];
  private readonly heap = new ConnectionHeap();
  private readonly writer: PcapWriter;
  private readonly pattern: Buffer;
  /** patternSums[w]: sum of the pattern's first w big-endian 16-bit words. */
  private readonly patternSums: Float64Array;
  private readonly summary: BenchCaptureSummary;

  private readonly targetPackets: number;
  private readonly targetBytes: number;
  private readonly concurrency: number;
  private readonly clients: number;
  private readonly nextPortStep: Uint16Array;
  private readonly reusable: Connection[] = [];
  private plannedPackets = 0;
  private plannedBytes = 24;
  private stopped = false;
  private lastUs = -1;
  private readonly snaplen: number;

  constructor(
    private readonly sink: FileSink,
    options: GenerateOptions,
  ) {
    const seed = options.seed ?? 1;
    this.rng = new Prng(seed);
    this.scripts = new ScriptBuilder(this.rng);
    this.templates = buildTemplates();
    this.snaplen = options.snaplen ?? 262144;
    this.writer = new PcapWriter(sink, {
      linkType: LINKTYPE.ETHERNET,
      snaplen: this.snaplen,
      precision: options.nanos ? 'nano' : 'micro',
    });
    this.targetPackets = options.packets ?? (options.bytes === undefined ? DEFAULT_PACKETS : Number.POSITIVE_INFINITY);
    this.targetBytes = options.bytes ?? Number.POSITIVE_INFINITY;
    const estimatedConnections = Math.min(this.targetPackets / 10, this.targetBytes / 1200);
    this.concurrency = options.concurrency ?? Math.max(8, Math.min(3000, Math.round(estimatedConnections / 60)));
    this.clients = Math.max(256, Math.min(1 << 20, Math.ceil(estimatedConnections / 40)));
    this.nextPortStep = new Uint16Array(this.clients);
    // Payload bytes: printable filler, copied from a random even offset for each segment.
    this.pattern = Buffer.alloc(1 << 16);
    for (let i = 0; i < this.pattern.length; i++) this.pattern[i] = 0x20 + (this.rng.u32() % 95);
    this.patternSums = new Float64Array(this.pattern.length / 2 + 1);
    for (let w = 0; w < this.pattern.length / 2; w++) {
      this.patternSums[w + 1] = this.patternSums[w] + ((this.pattern[2 * w] << 8) | this.pattern[2 * w + 1]);
    }
    const closedBy = Object.fromEntries(BENCH_CLOSE_KINDS.map((k) => [k, { client: 0, server: 0 }])) as BenchCaptureSummary['closedBy'];
    this.summary = {
      seed,
      packets: 0,
      bytes: 0,
      connections: 0,
      closes: emptyKindCounts(),
      closedBy,
      midstream: 0,
      connectionsWithKeepalive: 0,
      keepaliveProbes: 0,
      finRetransmissions: 0,
      portReuses: 0,
      ipv6Connections: 0,
      vlanTaggedConnections: 0,
      peakConcurrency: 0,
      firstTimestamp: { seconds: 0, nanos: 0 },
      lastTimestamp: { seconds: 0, nanos: 0 },
    };
  }

  run(): BenchCaptureSummary {
    // Connections alive when the capture starts: many are mid-stream (no handshake seen).
    for (let i = 0; i < this.concurrency && !this.stopped; i++) this.spawn(this.rng.int(2_000_000), true);
    const heap = this.heap;
    while (heap.size > 0) {
      const conn = heap.top();
      const s = conn.script;
      const i = conn.step * STEP;
      this.emit(conn, s[i], s[i + 1], s[i + 2]);
      conn.step++;
      if (conn.step < conn.steps) {
        conn.time += s[i + 3 + STEP];
        heap.siftTop();
      } else {
        heap.popTop();
        this.scripts.recycle(conn.script);
        conn.script = NO_SCRIPT;
        this.finished(conn);
        if (!this.stopped) this.spawn(conn.time + Math.round(this.rng.exp(2000)), false);
      }
    }
    this.sink.close();
    this.summary.packets = this.writer.packets;
    this.summary.bytes = this.sink.bytesWritten;
    this.summary.lastTimestamp = this.timestampOf(this.lastUs);
    return this.summary;
  }

  private timestampOf(us: number): { seconds: number; nanos: number } {
    return { seconds: EPOCH_SECONDS + Math.floor(us / 1e6), nanos: (us % 1e6) * 1000 };
  }

  private finished(conn: Connection): void {
    if (conn.kind === 'orderlyClientFirst' || conn.kind === 'orderlyServerFirst') {
      // Remember fully closed 4-tuples so a few later connections reuse them, as busy clients do.
      if (this.reusable.length < 256) this.reusable.push(conn);
      else this.reusable[this.rng.int(256)] = conn;
    }
  }

  private pickKind(midstream: boolean): BenchCloseKind {
    for (;;) {
      const kind = BENCH_CLOSE_KINDS[this.rng.pick(KIND_WEIGHTS, KIND_WEIGHT_TOTAL)];
      if (!midstream || (kind !== 'refused' && kind !== 'synUnanswered')) return kind;
    }
  }

  private rtt(): number {
    const x = this.rng.float();
    if (x < 0.4) return 150 + this.rng.int(650);
    if (x < 0.8) return 5000 + this.rng.int(35_000);
    return 50_000 + this.rng.int(130_000);
  }

  private setClient(conn: Connection, client: number): void {
    const c = conn.c;
    conn.clientIndex = client;
    // About one client in eight speaks IPv6; one in seven sits on a tagged VLAN, one in fifty behind QinQ.
    conn.v6 = client % 8 === 3;
    conn.vlanTags = client % 50 === 1 ? 2 : client % 7 === 0 ? 1 : 0;
    conn.tci0 = 100 + (client % 40);
    conn.tci1 = 1000 + (client % 97);
    if (conn.v6) {
      c.a0 = 0x20010db8;
      c.a1 = 0x000c0000;
      c.a2 = 0;
      c.a3 = client;
    } else {
      c.a0 = 0;
      c.a1 = 0;
      c.a2 = 0;
      c.a3 = (((10 << 24) | (16 << 16)) + client) >>> 0;
    }
    // Frames from clients come through the site router, whose MAC depends on the client's subnet.
    c.macHi = 0x0200;
    c.macLo = (0x5e000000 | (client >>> 8)) >>> 0;
  }

  private setServer(conn: Connection, server: number, port: number): void {
    const s = conn.s;
    conn.serverIndex = server;
    s.port = port;
    if (conn.v6) {
      s.a0 = 0x20010db8;
      s.a1 = 0x00050000;
      s.a2 = 0;
      s.a3 = server + 1;
    } else {
      s.a0 = 0;
      s.a1 = 0;
      s.a2 = 0;
      s.a3 = ((192 << 24) | (168 << 16) | (100 << 8) | (server + 1)) >>> 0;
    }
    s.macHi = 0x0200;
    s.macLo = (0x53000000 | server) >>> 0;
  }

  private spawn(startUs: number, initial: boolean): void {
    const rng = this.rng;
    const conn = new Connection();
    conn.id = this.summary.connections;
    const midstream = initial && rng.chance(0.4);
    conn.kind = this.pickKind(midstream);

    const reuse = !initial && this.reusable.length > 0 && conn.kind !== 'synUnanswered' && rng.chance(0.01);
    if (reuse) {
      const old = this.reusable.splice(rng.int(this.reusable.length), 1)[0];
      this.setClient(conn, old.clientIndex);
      this.setServer(conn, old.serverIndex, old.s.port);
      conn.c.port = old.c.port;
    } else {
      const client = rng.int(this.clients);
      this.setClient(conn, client);
      this.setServer(conn, rng.int(SERVERS), SERVICE_PORTS[rng.int(SERVICE_PORTS.length)]);
      // Each client walks its ephemeral range with a stride coprime to its size: no 4-tuple repeats
      // unless chosen above.
      const k = this.nextPortStep[client]++;
      conn.c.port = PORT_BASE + ((client * 7919 + k * 4099) % PORT_COUNT);
    }
    conn.timestamps = rng.chance(0.85);
    conn.flowLabel = rng.u32() & 0xfffff;
    conn.addressSum = addressSum(conn.c) + addressSum(conn.s);

    const kind = conn.kind;
    const closing = kind !== 'refused' && kind !== 'synUnanswered' && kind !== 'halfClose';
    const shape: ConnectionShape = {
      kind,
      midstream,
      rttUs: this.rtt(),
      mss: synMss(conn.v6) - (conn.timestamps ? 12 : 0),
      keepalive: closing && rng.chance(0.04),
      finRetransmit: (kind === 'orderlyClientFirst' || kind === 'orderlyServerFirst') && rng.chance(0.1),
    };
    let facts = this.scripts.build(shape);
    let packets = this.scripts.length;
    if (this.plannedPackets + packets > this.targetPackets) {
      // The last connection takes exactly the packets left, so the file has the requested count.
      packets = this.targetPackets - this.plannedPackets;
      this.stopped = true;
      if (packets <= 0) return;
      conn.kind = packets < 4 ? 'synUnanswered' : 'openAtEnd';
      facts = this.scripts.buildFiller({ ...shape, kind: conn.kind, midstream: false }, packets);
      shape.midstream = false;
    }
    conn.script = this.scripts.take();
    conn.steps = packets;
    this.plannedPackets += packets;
    this.plannedBytes += this.scriptBytes(conn);
    if (this.plannedBytes >= this.targetBytes || this.plannedPackets >= this.targetPackets) this.stopped = true;

    this.initSides(conn, startUs, shape.midstream);
    conn.time = startUs + conn.script[3];

    const sum = this.summary;
    sum.connections++;
    sum.closes[conn.kind]++;
    if (facts.initiator === CLIENT) sum.closedBy[conn.kind].client++;
    if (facts.initiator === SERVER) sum.closedBy[conn.kind].server++;
    if (shape.midstream) sum.midstream++;
    if (facts.keepaliveProbes > 0) sum.connectionsWithKeepalive++;
    sum.keepaliveProbes += facts.keepaliveProbes;
    sum.finRetransmissions += facts.finRetransmissions;
    if (reuse) sum.portReuses++;
    if (conn.v6) sum.ipv6Connections++;
    if (conn.vlanTags > 0) sum.vlanTaggedConnections++;
    this.heap.push(conn);
    if (this.heap.size > sum.peakConcurrency) sum.peakConcurrency = this.heap.size;
  }

  private initSides(conn: Connection, startUs: number, midstream: boolean): void {
    const rng = this.rng;
    const c = conn.c;
    const s = conn.s;
    for (const side of [c, s]) {
      side.isn = rng.u32();
      // Mid-stream connections have sent an unknown amount already; otherwise the SYN takes the ISN.
      side.next = midstream ? (side.isn + 1 + rng.int(1 << 20)) >>> 0 : side.isn;
      side.ipId = rng.int(0x10000);
      side.tsBase = rng.u32();
    }
    // Captured near the servers: client packets arrive after some hops, from Linux (64) or Windows (128).
    c.ttl = (rng.chance(0.3) ? 128 : 64) - rng.range(3, 20);
    s.ttl = 64;
    c.window = 400 + rng.int(1600);
    s.window = 200 + rng.int(800);
    if (midstream) {
      const ms = Math.floor(startUs / 1000);
      c.echo = (s.tsBase + ms - 5) >>> 0;
      s.echo = (c.tsBase + ms - 5) >>> 0;
    }
  }

  private scriptBytes(conn: Connection): number {
    const s = conn.script;
    let bytes = 0;
    for (let i = 0; i < conn.steps * STEP; i += STEP) {
      const length = this.templates[templateKey(conn.v6, conn.vlanTags, this.layoutFor(conn, s[i]))].headerLength + s[i + 2];
      bytes += 16 + Math.min(length, this.snaplen);
    }
    return bytes;
  }

  private layoutFor(conn: Connection, op: number): number {
    if (op === OP.SYN || op === OP.SYN_ACK) return conn.timestamps ? LAYOUT.SYN_TS : LAYOUT.SYN;
    if (op === OP.RST || op === OP.REFUSE || !conn.timestamps) return LAYOUT.NONE;
    return LAYOUT.TS;
  }

  private emit(conn: Connection, op: number, dir: number, len: number): void {
    const me = dir === CLIENT ? conn.c : conn.s;
    const peer = dir === CLIENT ? conn.s : conn.c;
    let flags = 0x10;
    let seq = me.next;
    let ack = peer.next;
    let window = me.window;
    switch (op) {
      case OP.SYN:
        flags = 0x02;
        seq = me.isn;
        ack = 0;
        window = SYN_WINDOW[dir];
        break;
      case OP.SYN_ACK:
        flags = 0x12;
        seq = me.isn;
        window = SYN_WINDOW[dir];
        break;
      case OP.DATA:
        flags = 0x18;
        break;
      case OP.FIN:
      case OP.FIN_STALE:
        flags = len > 0 ? 0x19 : 0x11;
        if (me.finSeq >= 0) seq = (me.finSeq - len) >>> 0;
        if (op === OP.FIN_STALE) ack = (peer.next - 1) >>> 0;
        break;
      case OP.RST_ACK:
        flags = 0x14;
        break;
      case OP.RST:
        flags = 0x04;
        ack = 0;
        window = 0;
        break;
      case OP.REFUSE:
        flags = 0x14;
        seq = 0;
        window = 0;
        break;
      case OP.KEEPALIVE:
        seq = (me.next - 1) >>> 0;
        break;
    }

    // Time: strictly increasing across the capture.
    let us = conn.time;
    if (us <= this.lastUs) us = this.lastUs + 1;
    if (this.lastUs < 0) this.summary.firstTimestamp = this.timestampOf(us);
    this.lastUs = us;

    const tpl = this.templates[templateKey(conn.v6, conn.vlanTags, this.layoutFor(conn, op))];
    const length = tpl.headerLength + len;
    const at = this.writer.beginRecord(EPOCH_SECONDS + Math.floor(us / 1e6), (us % 1e6) * 1000, length, length);
    const buf = this.sink.buffer;
    const v = this.sink.view;
    buf.set(tpl.bytes, at);

    // Ethernet: to and from the router/server MACs, VLAN ids.
    const dst = peer;
    v.setUint16(at, dst.macHi);
    v.setUint32(at + 2, dst.macLo);
    v.setUint16(at + 6, me.macHi);
    v.setUint32(at + 8, me.macLo);
    if (conn.vlanTags === 1) v.setUint16(at + 14, conn.tci0);
    else if (conn.vlanTags === 2) {
      v.setUint16(at + 14, conn.tci1);
      v.setUint16(at + 18, conn.tci0);
    }

    const ip = at + tpl.ipOffset;
    const tcp = at + tpl.tcpOffset;
    const segmentLength = tpl.tcpHeaderLength + len;
    if (conn.v6) {
      v.setUint32(ip, (0x60000000 | conn.flowLabel) >>> 0);
      v.setUint16(ip + 4, segmentLength);
      buf[ip + 7] = me.ttl;
      v.setUint32(ip + 8, me.a0);
      v.setUint32(ip + 12, me.a1);
      v.setUint32(ip + 16, me.a2);
      v.setUint32(ip + 20, me.a3);
      v.setUint32(ip + 24, dst.a0);
      v.setUint32(ip + 28, dst.a1);
      v.setUint32(ip + 32, dst.a2);
      v.setUint32(ip + 36, dst.a3);
    } else {
      v.setUint16(ip + 2, 20 + segmentLength);
      v.setUint16(ip + 4, me.ipId);
      buf[ip + 8] = me.ttl;
      v.setUint16(ip + 10, 0);
      v.setUint32(ip + 12, me.a3);
      v.setUint32(ip + 16, dst.a3);
      v.setUint16(ip + 10, foldChecksum(onesSum(buf, ip, ip + 20)));
    }
    me.ipId = (me.ipId + 1) & 0xffff;

    v.setUint16(tcp, me.port);
    v.setUint16(tcp + 2, dst.port);
    v.setUint32(tcp + 4, seq);
    v.setUint32(tcp + 8, ack);
    buf[tcp + 13] = flags;
    v.setUint16(tcp + 14, window);
    v.setUint16(tcp + 16, 0);
    if (tpl.tsOffset >= 0) {
      const tsVal = (me.tsBase + Math.floor(us / 1000)) >>> 0;
      v.setUint32(tcp + tpl.tsOffset, tsVal);
      v.setUint32(tcp + tpl.tsOffset + 4, flags === 0x02 ? 0 : me.echo);
      peer.echo = tsVal;
    }
    let sum = conn.addressSum + 6 + segmentLength + onesSum(buf, tcp, tcp + tpl.tcpHeaderLength);
    if (len > 0) {
      // Payload from an even offset of the pattern, whose running word sums give its checksum share
      // without reading it again (the TCP header is a whole number of words, so alignment matches).
      const from = this.rng.int(this.pattern.length - len) & ~1;
      this.pattern.copy(buf, tcp + tpl.tcpHeaderLength, from, from + len);
      const words = len >> 1;
      sum += this.patternSums[(from >> 1) + words] - this.patternSums[from >> 1];
      if (len & 1) sum += this.pattern[from + len - 1] << 8;
    }
    v.setUint16(tcp + 16, foldChecksum(sum));
    this.writer.endRecord();

    // Sequence space used: SYN and FIN count one, data its length; retransmissions and probes nothing.
    if (op === OP.SYN || op === OP.SYN_ACK) {
      me.next = (me.isn + 1) >>> 0;
    } else if (op === OP.DATA) {
      me.next = (me.next + len) >>> 0;
    } else if ((op === OP.FIN || op === OP.FIN_STALE) && me.finSeq < 0) {
      me.finSeq = (me.next + len) >>> 0;
      me.next = (me.finSeq + 1) >>> 0;
    }
  }
}

