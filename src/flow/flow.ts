/**
 * One TCP connection as the flow stage knows it: the two endpoints, the stream number tshark would give
 * it, and what the table needs for its lifecycle. `state` carries the next stage's per-connection
 * record, created by the factory the pipeline gives the table.
 */
import type { StreamBases } from './stream-rules.js';

export class Flow<T> implements StreamBases {
  /** Wireshark `tcp.stream` index. */
  stream = 0;
  ipVersion = 0;
  /** Endpoint A is the source of the flow's first frame (as tshark's conversation `a`). */
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
  aPort = 0;
  b0 = 0;
  b1 = 0;
  b2 = 0;
  b3 = 0;
  bPort = 0;
  hash = 0;

  /** First and last frame of the flow's own segments (ICMP errors quoting it not included). */
  firstFrame = 0;
  lastFrame = 0;
  /** Capture time of the last segment, seconds as a double (ordering and idle times only). */
  lastSeen = 0;
  packets = 0;

  /** tshark's base sequence per endpoint (see stream-rules.ts), which decides port reuse. */
  base0Set = false;
  base0 = 0;
  base1Set = false;
  base1 = 0;

  /** Intrusive links for the table's idle-ordered lists; the list id says which one. */
  prev: Flow<T> | null = null;
  next: Flow<T> | null = null;
  list = 0;
  /** Index in the table's slot array. */
  slot = -1;

  constructor(public state: T) {}
}

/** How a flow left the table. */
export type FlowEndReason = 'finished' | 'evicted' | 'capture-end' | 'port-reused';
