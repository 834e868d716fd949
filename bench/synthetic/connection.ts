/**
 * One synthetic connection while it plays: both endpoints' addresses and sequence state, and the script
 * of packets still to send. Plain numeric fields (no per-packet objects) keep the emitter allocation-free.
 */
import type { BenchCloseKind } from './close-kinds.js';

/** One endpoint of a connection: addresses and what it has sent so far. */
export class Side {
  isn = 0;
  next = 0;
  finSeq = -1;
  ttl = 64;
  ipId = 0;
  window = 502;
  tsBase = 0;
  echo = 0;
  macHi = 0;
  macLo = 0;
  port = 0;
  /** IPv4 address in a3, IPv6 in a0..a3 (most significant first). */
  a0 = 0;
  a1 = 0;
  a2 = 0;
  a3 = 0;
}

export class Connection {
  readonly c = new Side();
  readonly s = new Side();
  id = 0;
  kind: BenchCloseKind = 'openAtEnd';
  v6 = false;
  timestamps = true;
  vlanTags = 0;
  tci0 = 0;
  tci1 = 0;
  flowLabel = 0;
  clientIndex = 0;
  serverIndex = 0;
  /** Ones'-complement sum of both addresses (the same in both directions). */
  addressSum = 0;
  /** Steps (STEP ints each) from a pooled array that may be longer. */
  script: Int32Array = new Int32Array(0);
  steps = 0;
  step = 0;
  /** Time of the next step, microseconds since capture start. */
  time = 0;
}

export function addressSum(s: Side): number {
  return (s.a0 >>> 16) + (s.a0 & 0xffff) + (s.a1 >>> 16) + (s.a1 & 0xffff) + (s.a2 >>> 16) + (s.a2 & 0xffff) + (s.a3 >>> 16) + (s.a3 & 0xffff);
}

