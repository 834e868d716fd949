import { ACK, FIN, RST, SegmentKind, SYN, type TcpSegment } from '../decode/segment.js';
import { EntryQueue } from './entry-queue.js';
import { newFlowInfo, type FlowEndReason, type FlowInfo } from './flow.js';
import { FINISHED, FlowTable, FREE, OPEN, T } from './flow-table.js';
import { RetiredTable } from './retired-table.js';
import { numberedByTshark, splitsStream, updateBases, type StreamBases } from './stream-rules.js';

export interface FlowOptions {
  /** Most flows held at once; beyond it the longest-idle flow is judged early (SYN floods). */
  maxFlows: number;
  /**
   * Capture-time seconds a finished flow (both FINs ACKed, or a RST) stays for stragglers (a
   * retransmitted final ACK, RSTs answering data in flight) before it is judged.
   */
  graceSeconds: number;
  /** Judged flows remembered compactly so their late packets keep the stream number (count, seconds). */
  maxRetired: number;
  retiredSeconds: number;
  /**
   * Capture-time seconds after its latest SYN that a connection of unanswered SYNs is over: the client's
   * connect() has failed by then (Linux: tcp_syn_retries 6, 127 s). It is judged then, not at capture end.
   */
  synGiveUpSeconds: number;
}

/**
 * Connections tracked at once unless --max-connections says otherwise (the one definition; the CLI and
 * the library use it). Chosen from the peak RSS of the command line on floods (2026-12-06, shared
 * 2-core VM, Node 20): an open connection costs 1.0-1.25 KB (slope of peak RSS between caps of 10,000
 * and 250,000 over 1 M connections: 1.0-1.2 KB on a SYN flood, 1.1-1.2 KB on established connections
 * that never close; since their close fields left the record, 0.6 KB on the latter, 2026-12-07: caps of
 * 10,000 and 250,000 peak at 142 and 284 MB). At 200,000 a flood of 1 M open connections peaked at
 * 320 MB, of 1 M SYNs at 370 MB and of 2 M SYNs at 470 MB (table) / 500 MB (JSON), before that change:
 * every finding beyond the cap still adds about 100 bytes to the report. The former 1,000,000 took
 * 1.2-1.4 GB.
 */
export const DEFAULT_MAX_CONNECTIONS = 200_000;

/**
 * Retired flows are kept an hour (a RST storm or keepalives on a dead 4-tuple can go on for hours with
 * minutes between packets, and tshark keeps them in one stream), but at most 131,072 of them (10 MB;
 * over a minute of history at 2,000 new connections a second), oldest dropped first, so memory is
 * bounded however long the capture. A packet for a judged 4-tuple dropped from that history, without a
 * SYN, starts a stream of its own where tshark would still use the old one.
 */
export const DEFAULT_FLOW_OPTIONS: FlowOptions = { maxFlows: DEFAULT_MAX_CONNECTIONS, graceSeconds: 5, maxRetired: 131_072, retiredSeconds: 3600, synGiveUpSeconds: 127 };

/**
 * The next stage, as the flow stage sees it. Per-connection state is kept by the next stage under the
 * flow's entry number (entries are reused once a flow has been judged).
 */
export interface FlowHandlers {
  /** Make room for entries [0, capacity). */
  grow(capacity: number): void;
  /**
   * A new connection starts in `entry`; `reusedStream` is the stream of an earlier connection on the same
   * 4-tuple it takes over (a new SYN after a close), or -1.
   */
  open(entry: number, reusedStream: number): void;
  /**
   * Replays a segment (direction 0 = A->B) into the entry's state; answers true once the connection is
   * over (both FINs ACKed, or reset), false while it goes on (or again, after a reopening SYN).
   */
  track(entry: number, direction: number, seg: TcpSegment): boolean;
  /** The connection leaves the table; its state is final and must be read now (the entry is reused). */
  end(entry: number, flow: FlowInfo, reason: FlowEndReason): void;
  /**
   * A packet of a connection already judged ('finished' or 'evicted'): it belongs to that stream (as in
   * tshark) but not to the verdict. Direction as in track().
   */
  late?(stream: number, direction: number, seg: TcpSegment): void;
  /** No later packet will be routed to this judged stream (its memory of the 4-tuple is gone). */
  forget?(stream: number): void;
}

/** Capture seconds after a bare SYN before checking whether it is still unanswered (see newSyns). */
const SYN_CHECK_SECONDS = 1;
/** Capture time between expiry passes. */
const EXPIRY_STEP_SECONDS = 0.05;
/** Live entries sampled to find an old one when the table is full (approximate LRU, as in Redis). */
const EVICTION_SAMPLES = 64;

/**
 * TCP segments -> connections. Finds each segment's flow without building a key, starts a new flow (and
 * a new tshark `tcp.stream` number) where Wireshark would, hands the segment to the next stage, and ends
 * flows: finished ones after a grace period in capture time, an old idle one when the cap is reached,
 * and all of them at capture end. Nothing here allocates per packet.
 */
export class FlowAssembler {
  private readonly table: FlowTable;
  private readonly retired: RetiredTable;
  /** Flows that finished, oldest first; checked against their last activity before being judged. */
  private readonly finishedQueue = new EntryQueue();
  /**
   * Flows of bare SYNs, checked SYN_CHECK_SECONDS after they start (nearly all are answered by then, and
   * leave), then those still unanswered, by when the client gives up (FlowOptions.synGiveUpSeconds). Two
   * queues, each in order of due time: one would hold every connection's SYN for the whole give-up time.
   */
  private readonly newSyns = new EntryQueue();
  private readonly unansweredSyns = new EntryQueue();
  private readonly info: FlowInfo = newFlowInfo();
  private readonly bases: StreamBases = { base0Set: false, base0: 0, base1Set: false, base1: 0 };
  private nextStream = 0;
  private random = 0x2545f491;
  private nextExpiry = -Infinity;
  private retiredCheck = -Infinity;
  /** Latest capture time seen (timestamps may go backwards in merged captures). */
  private now = -Infinity;
  /** Flows judged early because the table was full. */
  evicted = 0;
  /** Packets of already-judged flows that arrived after the grace period (not part of any verdict). */
  stragglers = 0;
  /** tcp.stream of the last segment routed (what --extract selects frames by). */
  lastStream = -1;

  constructor(
    private readonly handlers: FlowHandlers,
    private readonly options: FlowOptions = DEFAULT_FLOW_OPTIONS,
  ) {
    this.table = new FlowTable((capacity) => handlers.grow(capacity));
    this.retired = new RetiredTable(options.maxRetired, options.retiredSeconds, (stream) => handlers.forget?.(stream));
  }

  /** Number of flows currently held (not counting retired ones). */
  get size(): number {
    return this.table.size;
  }

  /**
   * Routes one observation to its flow (created if needed, or a new stream where tshark starts one) and
   * hands it to the next stage. Quoted headers (ICMP errors) and broken headers take part in the
   * numbering exactly as in tshark, but only normal segments count as the flow's packets.
   */
  segment(seg: TcpSegment): void {
    const time = seg.seconds + seg.nanos * 1e-9;
    let synsDue = false;
    if (time > this.now) {
      const step = time - this.now;
      this.now = time;
      // Expiry in small steps of capture time, not per packet: grace periods are seconds long.
      if (time >= this.nextExpiry) {
        this.nextExpiry = time + EXPIRY_STEP_SECONDS;
        this.expire();
        // A step longer than the SYN give-up time is more likely a clock jump (merged captures, a bad
        // timestamp resolution) than silence: unanswered SYNs wait for the next expiry pass.
        synsDue = step < this.options.synGiveUpSeconds;
      }
    }
    this.route(seg);
    // After the packet, which may be the answer a SYN waited for.
    if (synsDue) {
      this.expireSyns(this.newSyns);
      this.expireSyns(this.unansweredSyns);
    }
  }

  private route(seg: TcpSegment): void {
    const table = this.table;
    const hash = FlowTable.hashOf(seg);
    let entry = table.find(seg, hash);
    let direction = table.direction;
    let reused = -1;
    if (entry < 0) {
      const r = this.retired.size > 0 ? this.retired.find(seg, hash) : -1;
      if (r >= 0) {
        const old = this.retired.get(r);
        const retiredDirection = this.retired.direction;
        if (!splitsStream(old, retiredDirection, seg)) {
          // A late packet of a connection already judged: same stream, not part of its verdict.
          updateBases(old, retiredDirection, seg, setsBase(seg));
          this.retired.setBases(r, old);
          if (seg.kind !== SegmentKind.Quoted) {
            this.stragglers++;
            this.handlers.late?.(old.stream, retiredDirection, seg);
          }
          this.retired.touch(r, this.now);
          this.lastStream = old.stream;
          return;
        }
        this.retired.remove(r);
        reused = old.stream;
      }
      if (table.size >= this.options.maxFlows) this.evictOne();
      entry = table.insert(seg, hash);
      this.start(entry, seg, reused);
      direction = 0;
    } else if ((seg.flags & (SYN | ACK)) === SYN && splitsStream(this.loadBases(entry), direction, seg)) {
      // Port reuse: the old connection is judged here, and every later packet of this 4-tuple belongs
      // to the new stream, whose A is this segment's source.
      reused = table.get(entry, T.Stream);
      this.end(entry, 'port-reused');
      table.setKey(entry, seg);
      table.set(entry, T.Generation, table.get(entry, T.Generation) + 1);
      this.start(entry, seg, reused);
      direction = 0;
    }
    if (table.ints[entry * T.Stride + T.SynOnly] !== 0 && seg.kind !== SegmentKind.Quoted && !(direction === 0 && isBareSyn(seg))) table.ints[entry * T.Stride + T.SynOnly] = 0;
    // A flow first seen through headers cut before the window gets tshark's number at its first whole one.
    if (table.ints[entry * T.Stride + T.Stream] < 0 && numberedByTshark(seg)) table.ints[entry * T.Stride + T.Stream] = this.nextStream++;
    this.lastStream = table.ints[entry * T.Stride + T.Stream];
    // Bases change only until both are set, or on a SYN/ACK (which may re-base its sender).
    if (table.ints[entry * T.Stride + T.BaseSet] !== 3 || (seg.flags & SYN) !== 0) {
      const bases = this.loadBases(entry);
      updateBases(bases, direction, seg, setsBase(seg));
      this.storeBases(entry, bases);
    }
    if (seg.kind === SegmentKind.HeaderOnly) {
      this.note(entry, seg);
      return;
    }
    if (seg.kind === SegmentKind.Normal) this.note(entry, seg);
    const over = this.handlers.track(entry, direction, seg);
    const status = table.get(entry, T.Status);
    if (status === OPEN && over) {
      table.set(entry, T.Status, FINISHED);
      this.finishedQueue.push(entry, table.get(entry, T.Generation), table.lastSeen[entry] + this.options.graceSeconds);
    } else if (status === FINISHED && !over) {
      // Reopened (a same-ISN SYN after a RST): live again; its queued expiry goes stale.
      table.set(entry, T.Status, OPEN);
    }
  }

  /** Visits every flow still held, with its description (read-only: for a live view of open connections). */
  forEachOpen(visit: (entry: number, flow: FlowInfo) => void): void {
    const table = this.table;
    for (let i = 0; i < table.capacity; i++) if (table.get(i, T.Status) !== FREE) visit(i, table.describe(i, this.info));
  }

  /** Ends every flow still held (capture end), in stream order so output is deterministic. */
  finish(): void {
    const table = this.table;
    const live: number[] = [];
    for (let i = 0; i < table.capacity; i++) if (table.get(i, T.Status) !== FREE) live.push(i);
    live.sort((x, y) => table.get(x, T.Stream) - table.get(y, T.Stream));
    for (const entry of live) {
      this.end(entry, 'capture-end');
      table.remove(entry);
    }
  }

  private start(entry: number, seg: TcpSegment, reusedStream: number): void {
    const table = this.table;
    const e = table.ints;
    const k = entry * T.Stride;
    e[k + T.Status] = OPEN;
    e[k + T.Stream] = numberedByTshark(seg) ? this.nextStream++ : -1;
    e[k + T.FirstFrame] = seg.frame;
    e[k + T.LastFrame] = seg.frame;
    e[k + T.Packets] = 0;
    e[k + T.BaseSet] = 0;
    table.lastSeen[entry] = seg.seconds + seg.nanos * 1e-9;
    e[k + T.SynOnly] = seg.kind !== SegmentKind.Quoted && isBareSyn(seg) ? 1 : 0;
    if (e[k + T.SynOnly] !== 0) this.newSyns.push(entry, e[k + T.Generation], table.lastSeen[entry] + SYN_CHECK_SECONDS);
    this.handlers.open(entry, reusedStream);
  }

  /** Packet count, frame range and recency of a flow's own segments. */
  private note(entry: number, seg: TcpSegment): void {
    const table = this.table;
    const e = table.ints;
    const k = entry * T.Stride;
    if (e[k + T.Packets]++ === 0) e[k + T.FirstFrame] = seg.frame;
    e[k + T.LastFrame] = seg.frame;
    table.lastSeen[entry] = seg.seconds + seg.nanos * 1e-9;
  }

  private loadBases(entry: number): StreamBases {
    const e = this.table.ints;
    const k = entry * T.Stride;
    const b = this.bases;
    const set = e[k + T.BaseSet];
    b.base0Set = (set & 1) !== 0;
    b.base0 = e[k + T.Base0];
    b.base1Set = (set & 2) !== 0;
    b.base1 = e[k + T.Base1];
    return b;
  }

  private storeBases(entry: number, b: StreamBases): void {
    const e = this.table.ints;
    const k = entry * T.Stride;
    e[k + T.BaseSet] = (b.base0Set ? 1 : 0) | (b.base1Set ? 2 : 0);
    e[k + T.Base0] = b.base0;
    e[k + T.Base1] = b.base1;
  }

  private end(entry: number, reason: FlowEndReason): void {
    this.handlers.end(entry, this.table.describe(entry, this.info), reason);
  }

  /**
   * Judges finished flows idle longer than the grace period. The queue is in order of when each becomes
   * due, so the common case is one comparison; a flow that saw packets since it was queued goes to the
   * back with its new due time.
   */
  private expire(): void {
    const table = this.table;
    const queue = this.finishedQueue;
    const grace = this.options.graceSeconds;
    while (queue.length > 0 && queue.peekDue() <= this.now) {
      const entry = queue.peekEntry();
      const generation = queue.peekGeneration();
      queue.shift();
      if (table.get(entry, T.Generation) !== generation || table.get(entry, T.Status) !== FINISHED) continue;
      const due = table.lastSeen[entry] + grace;
      if (due > this.now) {
        queue.push(entry, generation, due);
        continue;
      }
      this.end(entry, 'finished');
      this.retire(entry, false);
      table.remove(entry);
    }
    // The retired ring ages in whole seconds at most; checking it once a capture second is enough.
    if (this.retired.size > 0 && this.now >= this.retiredCheck) {
      this.retired.expire(this.now);
      this.retiredCheck = this.now + 1;
    }
  }

  /**
   * A connect() nobody answered has failed after the SYN retries: judged then, its memory freed (a
   * capture of hours with SYNs to a dead host would otherwise hold every one of them to the end). Flows
   * answered since they were queued are dropped from the queue; the others wait for their due time in
   * unansweredSyns.
   */
  private expireSyns(queue: EntryQueue): void {
    const table = this.table;
    while (queue.length > 0 && queue.peekDue() <= this.now) {
      const entry = queue.peekEntry();
      const generation = queue.peekGeneration();
      queue.shift();
      if (table.get(entry, T.Generation) !== generation || table.get(entry, T.Status) !== OPEN || table.get(entry, T.SynOnly) === 0) continue;
      const due = table.lastSeen[entry] + this.options.synGiveUpSeconds;
      if (due > this.now) {
        this.unansweredSyns.push(entry, generation, due);
        continue;
      }
      this.end(entry, 'finished');
      this.retire(entry, false);
      table.remove(entry);
    }
  }

  /** The table is full: judge a finished flow early, else the idlest of a sample of open ones. */
  private evictOne(): void {
    const table = this.table;
    const queue = this.finishedQueue;
    while (queue.length > 0) {
      const entry = queue.peekEntry();
      const generation = queue.peekGeneration();
      queue.shift();
      if (table.get(entry, T.Generation) === generation && table.get(entry, T.Status) === FINISHED) {
        this.end(entry, 'finished');
        this.retire(entry, false);
        table.remove(entry);
        return;
      }
    }
    let victim = -1;
    for (let n = 0; n < EVICTION_SAMPLES; n++) {
      // xorshift32: deterministic, so runs give the same report.
      let x = this.random;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.random = x;
      const i = (x >>> 0) % table.capacity;
      if (table.get(i, T.Status) === FREE) continue;
      if (victim < 0 || table.lastSeen[i] < table.lastSeen[victim]) victim = i;
    }
    if (victim < 0) for (let i = 0; i < table.capacity && victim < 0; i++) if (table.get(i, T.Status) !== FREE) victim = i;
    if (victim < 0) return;
    this.evicted++;
    this.end(victim, 'evicted');
    this.retire(victim, true);
    table.remove(victim);
  }

  /** A judged flow goes to the retired table, or, when that keeps none, is forgotten at once. */
  private retire(entry: number, evicted: boolean): void {
    if (!this.retired.retire(this.table, entry, this.now, evicted)) this.handlers.forget?.(this.table.get(entry, T.Stream));
  }
}

/** A SYN without ACK, FIN or RST: a connection attempt (or its retransmission). */
function isBareSyn(seg: TcpSegment): boolean {
  return (seg.flags & (SYN | ACK | FIN | RST)) === SYN;
}

/** Only segments tshark analyses set base sequence numbers (not quotes, broken headers or unreassembled fragments). */
function setsBase(seg: TcpSegment): boolean {
  return seg.kind === SegmentKind.Normal && !seg.unreassembled && numberedByTshark(seg);
}
