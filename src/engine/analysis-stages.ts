import type { Frame } from '../capture/frame.js';
import { SegmentDecoder } from '../decode/decoder.js';
import { newSegment } from '../decode/segment.js';
import { DEFAULT_FLOW_OPTIONS, FlowAssembler } from '../flow/flow-assembler.js';
import type { FlowEndReason, FlowInfo } from '../flow/flow.js';
import { emptyQuality, type CaptureQuality } from './capture-facts.js';
import { DEFAULT_HELD_RECORDS, LateRecords } from './late-records.js';
import { DEFAULT_SOCKET_SETTINGS, SocketTableBuilder, type CaptureSockets, type SocketSettings } from '../sockets/socket-table.js';
import { ConnectionStore } from '../track/connection-store.js';
import { ConnectionView } from '../track/connection-view.js';
import { replaySegment } from '../track/tracker.js';
import { DEFAULT_THRESHOLDS, type Thresholds } from '../verdict/judge.js';
import { JudgedConnection } from '../verdict/judged-connection.js';
import { buildRecord, judgeConnection, type RecordContext } from '../verdict/record.js';
import type { ConnectionRecord } from '../verdict/types.js';

export interface StageSettings {
  thresholds?: Thresholds;
  /** Most connections tracked at once (default DEFAULT_MAX_CONNECTIONS, 200,000). */
  maxConnections?: number;
  /** Capture-time seconds a finished connection waits for stragglers (default 5). */
  closeGraceSeconds?: number;
  /** The socket table's timers, listing and TIME_WAIT pressure threshold. */
  sockets?: SocketSettings;
  /**
   * Records held for packets that arrive after their verdict (default DEFAULT_HELD_RECORDS; 0 hands
   * each record on at once, as a live view wants).
   */
  heldRecords?: number;
  /**
   * Replay Zeek's endpoint model for each record's `history` and `connState` (default true). It costs
   * about a seventh of the analysis; reports that never show them (table, markdown, HTML) turn it off.
   */
  zeekHistory?: boolean;
}

/**
 * Receives each connection as soon as it is judged, with a function that builds its full record (text,
 * evidence, ladder): records are costly, so they are made only for connections that will be shown. The
 * record must be built during the call: the connection's state is then reused. Returns true to have the
 * record delivered (to the stages' record handler) once packets after the verdict can no longer reach
 * it; a record built during the call is amended in place by such packets until then.
 */
export type JudgedHandler = (connection: JudgedConnection, record: () => ConnectionRecord, flow: FlowInfo) => boolean;

/**
 * Visits the connections still open, each judged as if the capture ended at its latest packet; the
 * connection object is reused and `record` works during the visit only (see JudgedHandler).
 */
export type OpenConnectionsPeek = (visit: (connection: JudgedConnection, record: () => ConnectionRecord) => void) => void;

/**
 * The stages after reading, wired once for every way of feeding frames (a file, stdin, the merge of a
 * rotated set): frames -> segments (decoder) -> connections (flow table) -> per-endpoint state (tracker)
 * -> verdicts. Frames go in one at a time; judged connections come out through the handler.
 */
export class AnalysisStages {
  readonly decoder = new SegmentDecoder();
  readonly flows: FlowAssembler;
  /** Connections judged (streams numbered only for an ICMP quote are not connections). */
  connections = 0;
  /** Kind of the last frame's observation, or -1 when it held none (see SegmentKind). */
  lastKind = -1;
  /** What the capture missed, counted as connections are judged (drop counters come from the reader). */
  readonly quality: CaptureQuality = emptyQuality();
  private readonly seg = newSegment();
  private readonly store: ConnectionStore;
  /** What `ss -tan` would show at the capture's end, built as connections are judged. */
  private readonly sockets: SocketTableBuilder;
  /** Per flow entry: the stream of the earlier connection on its 4-tuple it took over, or -1. */
  private reusedOf = new Int32Array(0);
  private readonly view = new ConnectionView();
  /** Reused for every connection (handlers read it during their call only). */
  private readonly judged = new JudgedConnection();
  private readonly horizon = { seconds: 0, nanos: 0 };
  private endReason: FlowEndReason = 'finished';
  /** The record of the connection being judged, made once (one function for all of them: no closure per connection). */
  private readonly makeRecord = (): ConnectionRecord => (this.built ??= buildRecord(this.judged, this.view, this.endReason));
  private built: ConnectionRecord | null = null;
  /** Records waiting for late packets of their stream. */
  private readonly lateRecords: LateRecords;
  private readonly context: RecordContext;
  private nowSeconds = -Infinity;
  private nowNanos = 0;

  /**
   * `onRecord` receives the records `onJudged` asked for, complete; `onAmended` sees a record that got
   * late packets just before it is delivered or let go.
   */
  constructor(
    file: string,
    settings: StageSettings,
    private readonly onJudged: JudgedHandler,
    onRecord: (record: ConnectionRecord) => void = () => undefined,
    onAmended?: (record: ConnectionRecord) => void,
  ) {
    this.lateRecords = new LateRecords(settings.heldRecords ?? DEFAULT_HELD_RECORDS, onRecord, onAmended);
    const store = (this.store = new ConnectionStore(settings.zeekHistory ?? true));
    this.context = { file, precision: 6, thresholds: settings.thresholds ?? DEFAULT_THRESHOLDS, capture: store };
    this.sockets = new SocketTableBuilder(settings.sockets ?? DEFAULT_SOCKET_SETTINGS);
    this.flows = new FlowAssembler(
      {
        grow: (capacity) => {
          store.grow(capacity);
          if (capacity > this.reusedOf.length) {
            const reusedOf = new Int32Array(capacity);
            reusedOf.set(this.reusedOf);
            this.reusedOf = reusedOf;
          }
        },
        open: (entry, reusedStream) => {
          store.open(entry);
          this.reusedOf[entry] = reusedStream;
        },
        track: (entry, direction, seg) => replaySegment(store, entry, direction, seg),
        end: (entry, flow, reason) => this.judge(entry, flow, reason),
        late: (stream, direction, seg) => this.lateRecords.late(stream, direction, seg),
        forget: (stream) => this.lateRecords.forget(stream),
      },
      {
        ...DEFAULT_FLOW_OPTIONS,
        maxFlows: settings.maxConnections ?? DEFAULT_FLOW_OPTIONS.maxFlows,
        graceSeconds: settings.closeGraceSeconds ?? DEFAULT_FLOW_OPTIONS.graceSeconds,
        // The socket table's SYN_SENT timer (--syn-retries): one notion of when a connect() has failed.
        synGiveUpSeconds: settings.sockets?.timers.synRetrySeconds ?? DEFAULT_FLOW_OPTIONS.synGiveUpSeconds,
      },
    );
  }

  /** Sub-second digits of the timestamps seen (reported times keep the capture's precision). */
  get precision(): number {
    return this.context.precision;
  }

  /** tcp.stream of the last frame, or -1 when it held no TCP segment (what --extract selects frames by). */
  get lastStream(): number {
    return this.lastKind < 0 ? -1 : this.flows.lastStream;
  }

  /** See OpenConnectionsPeek. Nothing is changed: the connections go on as if never looked at. */
  peekOpen(visit: (connection: JudgedConnection, record: () => ConnectionRecord) => void): void {
    const peeked = new JudgedConnection();
    const view = new ConnectionView();
    const horizon = { seconds: this.nowSeconds, nanos: this.nowNanos };
    this.flows.forEachOpen((entry, flow) => {
      if (flow.packets === 0) return;
      const conn = view.bind(this.store, entry);
      const judged = judgeConnection(flow, conn, horizon, this.context, peeked);
      visit(judged, () => buildRecord(judged, view, 'capture-end'));
    });
  }

  frame(frame: Frame): void {
    if (frame.precision > this.context.precision) this.context.precision = frame.precision;
    const seg = this.seg;
    if (!this.decoder.decode(frame, seg)) {
      this.lastKind = -1;
      return;
    }
    this.lastKind = seg.kind;
    if (seg.headerCut) this.quality.cutHeaders++;
    if (this.nowSeconds === -Infinity) this.sockets.start(seg.seconds + seg.nanos * 1e-9);
    if (seg.seconds > this.nowSeconds || (seg.seconds === this.nowSeconds && seg.nanos > this.nowNanos)) {
      this.nowSeconds = seg.seconds;
      this.nowNanos = seg.nanos;
    }
    this.flows.segment(seg);
  }

  /**
   * The input has ended: connections still open are judged as of `end` (the capture's last packet, when
   * later than any segment) with the final precision.
   */
  finish(end: { seconds: number; nanos: number } | null, precision: number): void {
    this.context.precision = Math.max(this.context.precision, precision);
    if (end !== null && (end.seconds > this.nowSeconds || (end.seconds === this.nowSeconds && end.nanos > this.nowNanos))) {
      this.nowSeconds = end.seconds;
      this.nowNanos = end.nanos;
    }
    // Records held for late packets go first: they were judged before the ones still open.
    this.lateRecords.flush();
    this.flows.finish();
  }

  /** The socket table at the capture's end (call after finish()). */
  socketTable(): CaptureSockets {
    return this.sockets.finish(this.nowSeconds === -Infinity ? null : this.nowSeconds + this.nowNanos * 1e-9);
  }

  private noteQuality(conn: ConnectionView): void {
    const q = this.quality;
    const [a, b] = conn.ends;
    q.ackedUnseen += a.ackedUnseen + b.ackedUnseen;
    q.previousSegmentsLost += a.gaps + b.gaps;
    q.duplicateFrames += a.duplicates + b.duplicates;
    if ((a.packets === 0 || b.packets === 0) && (a.sentAck || b.sentAck)) q.oneDirection++;
    if (!a.synSeen && !b.synSeen) q.startedBeforeCapture++;
  }

  private judge(entry: number, flow: FlowInfo, reason: FlowEndReason): void {
    // A stream tshark numbered only because an ICMP error quoted it is not a connection.
    if (flow.packets === 0) {
      this.store.release(entry);
      return;
    }
    this.connections++;
    const conn = this.view.bind(this.store, entry);
    this.horizon.seconds = this.nowSeconds;
    this.horizon.nanos = this.nowNanos;
    const judged = judgeConnection(flow, conn, this.horizon, this.context, this.judged);
    this.sockets.add(conn, judged, this.nowSeconds + this.nowNanos * 1e-9, this.reusedOf[entry]);
    this.noteQuality(conn);
    this.endReason = reason;
    this.built = null;
    const deliver = this.onJudged(judged, this.makeRecord, flow);
    const record = deliver ? this.makeRecord() : this.built;
    // A finished or evicted flow is retired by the flow stage, which may route it more packets.
    this.lateRecords.offer(judged.stream, record, judged.clientDir, judged.precision, deliver, reason === 'finished' || reason === 'evicted');
    this.built = null;
    // The record is made during the call or never: the evidence blocks can go back now.
    this.store.release(entry);
  }
}

