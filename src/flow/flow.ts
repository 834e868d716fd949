/**
 * A connection's identity as the flow stage hands it to the next stage when the connection ends:
 * the stream number tshark would give it, its endpoints (A is the source of its first frame) and its
 * frame range. Addresses are four int32 words each (see TcpSegment).
 */
export interface FlowInfo {
  stream: number;
  ipVersion: number;
  a0: number;
  a1: number;
  a2: number;
  a3: number;
  aPort: number;
  b0: number;
  b1: number;
  b2: number;
  b3: number;
  bPort: number;
  /** First and last frame of the flow's own segments (ICMP errors quoting it not included). */
  firstFrame: number;
  lastFrame: number;
  packets: number;
}

/** How a flow left the table. */
export type FlowEndReason = 'finished' | 'evicted' | 'capture-end' | 'port-reused';

export function newFlowInfo(): FlowInfo {
  return { stream: 0, ipVersion: 0, a0: 0, a1: 0, a2: 0, a3: 0, aPort: 0, b0: 0, b1: 0, b2: 0, b3: 0, bPort: 0, firstFrame: 0, lastFrame: 0, packets: 0 };
}
