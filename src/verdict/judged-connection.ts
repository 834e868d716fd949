import { formatEndpoint } from '../decode/address-text.js';
import type { FlowInfo } from '../flow/flow.js';
import type { Judgement } from './judge.js';
import { secondsBetween } from './time-format.js';
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
 */
export class JudgedConnection implements ConnectionSummary {
  readonly stream: number;
  readonly ipVersion: number;
  readonly a0: number;
  readonly a1: number;
  readonly a2: number;
  readonly a3: number;
  readonly b0: number;
  readonly b1: number;
  readonly b2: number;
  readonly b3: number;
  readonly aPort: number;
  readonly bPort: number;
  readonly firstFrame: number;
  readonly lastFrame: number;
  readonly packets: number;
  private clientText: string | null = null;
  private serverText: string | null = null;

  constructor(
    readonly file: string,
    flow: FlowInfo,
    readonly clientDir: number,
    readonly roleInferred: boolean,
    readonly judgement: Judgement,
    readonly horizon: { seconds: number; nanos: number },
    readonly precision: number,
    readonly startSeconds: number,
    readonly startNanos: number,
    readonly endSeconds: number,
    readonly endNanos: number,
  ) {
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
    return Math.max(0, secondsBetween(since.seconds, since.nanos, this.horizon.seconds, this.horizon.nanos, this.precision));
  }
}
