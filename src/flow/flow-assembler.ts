import { SegmentKind, type TcpSegment } from '../decode/segment.js';
import { Flow, type FlowEndReason } from './flow.js';
import { FlowList } from './flow-list.js';
import { FlowTable } from './flow-table.js';
import { RetiredTable } from './retired-table.js';
import { splitsStream, updateBases } from './stream-rules.js';

export interface FlowOptions {
  /** Most flows held at once; beyond it the longest-idle flow is ended early (SYN floods). */
  maxFlows: number;
  /**
   * Capture-time seconds a finished flow (both FINs ACKed, or a RST) stays for stragglers (a
   * retransmitted final ACK, RSTs answering data in flight) before it is judged.
   */
  graceSeconds: number;
  /** Judged flows remembered compactly so their late packets keep the stream number (count, seconds). */
  maxRetired: number;
  retiredSeconds: number;
}

export const DEFAULT_FLOW_OPTIONS: FlowOptions = { maxFlows: 1_000_000, graceSeconds: 10, maxRetired: 1_000_000, retiredSeconds: 3600 };

/** The next stage, as the flow stage sees it. */
export interface FlowHandlers<T> {
  /** Creates the per-connection state for a new flow. */
  create(): T;
  /** Replays a segment (direction 0 = A->B) into the flow's state. */
  track(state: T, direction: number, seg: TcpSegment): void;
  /** True once the connection is over: both FINs ACKed, or reset. */
  finished(state: T): boolean;
  /** Called once per flow when it leaves the table (its state is final). */
  end(flow: Flow<T>, reason: FlowEndReason): void;
}

const LIST_OPEN = 1;
const LIST_FINISHED = 2;

/**
 * TCP segments -> connections. Finds each segment's flow without building a key, starts a new flow (and
 * a new tshark `tcp.stream` number) where Wireshark would, feeds the segment to the next stage, and ends
 * flows: finished ones after a grace period in capture time, the longest-idle one when the cap is reached,
 * and all of them at capture end.
 */
export class FlowAssembler<T> {
  private readonly table = new FlowTable<T>();
  private readonly open = new FlowList<T>(LIST_OPEN);
  private readonly finished = new FlowList<T>(LIST_FINISHED);
  private readonly retired: RetiredTable;
  private nextStream = 0;
  /** Latest capture time seen (timestamps may go backwards in merged captures). */
  private now = -Infinity;
  /** Flows ended early because the table was full. */
  evicted = 0;
  /** Packets of already-judged flows that arrived after the grace period (not part of any verdict). */
  stragglers = 0;

  constructor(
    private readonly handlers: FlowHandlers<T>,
    private readonly options: FlowOptions = DEFAULT_FLOW_OPTIONS,
  ) {
    this.retired = new RetiredTable(options.maxRetired, options.retiredSeconds);
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
    if (time > this.now) {
      this.now = time;
      this.expire();
    }
    const hash = FlowTable.hashOf(seg);
    let flow = this.table.find(seg, hash);
    let direction = this.table.direction;
    if (flow === null) {
      const r = this.retired.size > 0 ? this.retired.find(seg, hash) : -1;
      if (r >= 0) {
        const old = this.retired.get(r);
        const retiredDirection = this.retired.direction;
        if (!splitsStream(old, retiredDirection, seg)) {
          // A late packet of a connection already judged: same stream, not part of its verdict.
          updateBases(old, retiredDirection, seg, setsBase(seg));
          this.retired.setBases(r, old);
          if (seg.kind !== SegmentKind.Quoted) this.stragglers++;
          this.retired.touch(r, this.now);
          return;
        }
        this.retired.remove(r);
      }
      flow = this.create(seg, hash);
      direction = 0;
    } else if (splitsStream(flow, direction, seg)) {
      // Port reuse: every later packet of this 4-tuple belongs to the new stream, whose A is this source.
      const old = flow;
      this.unlist(old);
      flow = new Flow<T>(this.handlers.create());
      this.table.replace(old, flow);
      if (direction === 1) swapEndpoints(flow);
      this.start(flow, seg);
      direction = 0;
      this.handlers.end(old, 'port-reused');
    }
    updateBases(flow, direction, seg, setsBase(seg));
    if (seg.kind === SegmentKind.HeaderOnly) {
      this.note(flow, seg, time);
      return;
    }
    if (seg.kind === SegmentKind.Normal) this.note(flow, seg, time);
    this.handlers.track(flow.state, direction, seg);
    if (flow.list === LIST_OPEN && this.handlers.finished(flow.state)) {
      this.open.remove(flow);
      this.finished.append(flow);
    }
  }

  /** Ends every flow still held (capture end), in stream order so output is deterministic. */
  finish(): void {
    const all: Flow<T>[] = [];
    for (let f = this.finished.head; f !== null; f = f.next) all.push(f);
    for (let f = this.open.head; f !== null; f = f.next) all.push(f);
    all.sort((x, y) => x.stream - y.stream);
    for (const flow of all) {
      this.unlist(flow);
      this.table.remove(flow);
      this.handlers.end(flow, 'capture-end');
    }
  }

  private create(seg: TcpSegment, hash: number): Flow<T> {
    if (this.table.size >= this.options.maxFlows) this.evictOne();
    const flow = new Flow<T>(this.handlers.create());
    this.table.insert(flow, seg, hash);
    this.start(flow, seg);
    return flow;
  }

  private start(flow: Flow<T>, seg: TcpSegment): void {
    flow.stream = this.nextStream++;
    flow.firstFrame = seg.frame;
    flow.lastSeen = seg.seconds + seg.nanos * 1e-9;
    this.open.append(flow);
  }

  /** Packet count, frame range and recency of a flow's own segments. */
  private note(flow: Flow<T>, seg: TcpSegment, time: number): void {
    if (flow.packets === 0) flow.firstFrame = seg.frame;
    flow.packets++;
    flow.lastFrame = seg.frame;
    flow.lastSeen = time;
    if (flow.list === LIST_OPEN) this.open.touch(flow);
    else this.finished.touch(flow);
  }

  /** Judges finished flows whose last packet is older than the grace period; forgets old retired ones. */
  private expire(): void {
    const limit = this.now - this.options.graceSeconds;
    for (let f = this.finished.head; f !== null && f.lastSeen < limit; f = this.finished.head) {
      this.finished.remove(f);
      this.table.remove(f);
      this.handlers.end(f, 'finished');
      this.retired.retire(f, this.now, false);
    }
    if (this.retired.size > 0) this.retired.expire(this.now);
  }

  private evictOne(): void {
    // A finished flow is done anyway: end it first; only then cut an open one short (and count it).
    let victim = this.finished.head;
    let reason: FlowEndReason = 'finished';
    if (victim === null) {
      victim = this.open.head;
      reason = 'evicted';
      this.evicted++;
    }
    if (victim === null) return;
    this.unlist(victim);
    this.table.remove(victim);
    this.handlers.end(victim, reason);
    this.retired.retire(victim, this.now, reason === 'evicted');
  }

  private unlist(flow: Flow<T>): void {
    if (flow.list === LIST_OPEN) this.open.remove(flow);
    else if (flow.list === LIST_FINISHED) this.finished.remove(flow);
  }
}

/** Only segments tshark analyses set base sequence numbers (not quotes, broken headers or unreassembled fragments). */
function setsBase(seg: TcpSegment): boolean {
  return seg.kind === SegmentKind.Normal && !seg.unreassembled;
}

function swapEndpoints<T>(flow: Flow<T>): void {
  let t = flow.a0;
  flow.a0 = flow.b0;
  flow.b0 = t;
  t = flow.a1;
  flow.a1 = flow.b1;
  flow.b1 = t;
  t = flow.a2;
  flow.a2 = flow.b2;
  flow.b2 = t;
  t = flow.a3;
  flow.a3 = flow.b3;
  flow.b3 = t;
  t = flow.aPort;
  flow.aPort = flow.bPort;
  flow.bPort = t;
}
