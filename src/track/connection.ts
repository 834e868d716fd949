import { EndpointTrack } from './endpoint.js';
import type { FinEvent, IcmpEvent, RstEvent } from './evidence.js';
import { LadderRecorder } from './ladder.js';
import { ZeekHistory } from './zeek-history.js';

/**
 * The tracker's per-connection record: both endpoints' close state plus the FIN/RST evidence. Indexes
 * into `ends` are flow directions (0 = endpoint A, the source of the first frame; 1 = B).
 */
export class TrackedConnection {
  readonly ends: [EndpointTrack, EndpointTrack] = [new EndpointTrack(), new EndpointTrack()];
  firstSeconds = 0;
  firstNanos = 0;
  lastSeconds = 0;
  lastNanos = 0;
  firstTime = 0;
  lastTime = 0;
  packets = 0;
  /** Direction of the first SYN without ACK, of the first SYN/ACK (-1: none seen). */
  synFrom = -1;
  synAckFrom = -1;
  readonly fins: FinEvent[] = [];
  finSegments = 0;
  readonly resets: RstEvent[] = [];
  rstSegments = 0;
  readonly icmp: IcmpEvent[] = [];
  /** The second FIN did not acknowledge the first: the FINs crossed in flight (simultaneous close). */
  finsCrossed = false;
  readonly zeek = new ZeekHistory();
  readonly ladder = new LadderRecorder();

  /** Over: reset, or both FINs sent and ACKed (nothing but stray retransmissions can follow). */
  isFinished(): boolean {
    return this.rstSegments > 0 || (this.ends[0].finAcked && this.ends[1].finAcked);
  }
}
