import { formatEndpoint } from '../decode/address-text.js';
import type { FlowInfo } from '../flow/flow.js';
import type { Case } from './case.js';
import { newJudgement, type Judgement } from './judge.js';
import { secondsBetween } from '../time/time-text.js';
import type { Side, Verdict } from './types.js';

/** What scope and listing filters (and report aggregation) see of every connection. */
export interface ConnectionSummary {
  readonly file: string;
  readonly stream: number;
  readonly verdict: Verdict;
  readonly endpoint: Side | null;
  /** `ip:port` of each side, formatted on first use. */
  readonly client: string;
  readonly server: string;
  readonly stuckSeconds: number | null;
}

/**
 * A connection's verdict, cheap enough to make for every connection: numbers copied out of the flow,
 * the judgement, and text formatted only when asked for. The full record (times, evidence lists,
 * ladder, explanation) is built only for connections that will be shown.
 *
 * The analysis reuses one JudgedConnection (and its Judgement) for connection after connection, so
 * nothing is allocated per connection that is not shown: a handler that receives one may read it
 * during the call only, and must copy what it keeps.
 */
export class JudgedConnection implements ConnectionSummary {
  file = '';
  stream = 0;
  ipVersion = 0;
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  aPort = 0;
  bPort = 0;
  firstFrame = 0;
  lastFrame = 0;
  packets = 0;
  clientDir = 0;
  roleInferred = false;
  readonly judgement: Judgement = newJudgement();
  /** The Case judge() fills for this object's connections (reused, and dropped with this object). */
  readonly case = {} as Case;
  /** Which sides went through TIME_WAIT: 1 the client, 2 the server (who closed first holds it). */
  timeWaitSides = 0;
  /** Capture time up to which the connection was observed (close-wait stuck time runs to it). */
  horizonSeconds = 0;
  horizonNanos = 0;
  precision = 6;
  startSeconds = 0;
  startNanos = 0;
  endSeconds = 0;
  endNanos = 0;
  private clientText: string | null = null;
  private serverText: string | null = null;

  /** Points this object at another connection (its judgement is filled separately, with judge()). */
  assign(file: string, flow: FlowInfo, clientDir: number, roleInferred: boolean, horizonSeconds: number, horizonNanos: number, precision: number): this {
    this.file = file;
    this.stream = flow.stream;
    this.ipVersion = flow.ipVersion;
    this.a0 = flow.a0;
    this.a1 = flow.a1;
    this.a2 = flow.a2;
    this.a3 = flow.a3;
    this.b0 = flow.b0;
    this.b1 = flow.b1;
    this.b2 = flow.b2;
    this.b3 = flow.b3;
    this.aPort = flow.aPort;
    this.bPort = flow.bPort;
    this.firstFrame = flow.firstFrame;
    this.lastFrame = flow.lastFrame;
    this.packets = flow.packets;
    this.clientDir = clientDir;
    this.roleInferred = roleInferred;
    this.horizonSeconds = horizonSeconds;
    this.horizonNanos = horizonNanos;
    this.precision = precision;
    this.clientText = null;
    this.serverText = null;
    return this;
  }

  /** The connection's first and last packet times. */
  setSpan(startSeconds: number, startNanos: number, endSeconds: number, endNanos: number): void {
    this.startSeconds = startSeconds;
    this.startNanos = startNanos;
    this.endSeconds = endSeconds;
    this.endNanos = endNanos;
  }

  get verdict(): Verdict {
    return this.judgement.verdict;
  }

  get endpoint(): Side | null {
    return this.judgement.endpoint < 0 ? null : this.sideOf(this.judgement.endpoint);
  }

  sideOf(dir: number): Side {
    return dir === this.clientDir ? 'client' : 'server';
  }

  /** `ip:port` of a flow direction (0 = A, 1 = B). */
  addressOf(dir: number): string {
    return dir === 0
      ? formatEndpoint(this.ipVersion, this.a0, this.a1, this.a2, this.a3, this.aPort)
      : formatEndpoint(this.ipVersion, this.b0, this.b1, this.b2, this.b3, this.bPort);
  }

  get client(): string {
    this.clientText ??= this.addressOf(this.clientDir);
    return this.clientText;
  }

  get server(): string {
    this.serverText ??= this.addressOf(this.clientDir ^ 1);
    return this.serverText;
  }

  /** late-fin-reset, slow-close: how long the endpoint took to send its FIN, at the capture's precision. */
  get delaySeconds(): number | null {
    const delay = this.judgement.delaySeconds;
    return delay === null ? null : secondsBetween(0, 0, 0, Math.round(delay * 1e9), this.precision);
  }

  /** close-wait: seconds from the ACK of the peer's FIN to the end of the observation. */
  get stuckSeconds(): number | null {
    const since = this.judgement.since;
    if (since === null || this.judgement.stuckSeconds === null) return null;
    return Math.max(0, secondsBetween(since.seconds, since.nanos, this.horizonSeconds, this.horizonNanos, this.precision));
  }
}
