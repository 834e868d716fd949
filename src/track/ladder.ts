import { FIN, RST, type TcpSegment } from '../decode/segment.js';
import { LADDER_CLOSE, LADDER_FIELDS, LADDER_HEAD, LADDER_RING, type ConnectionStore } from './connection-store.js';
import { C, CD, CHUNK_SLOTS, floatBase, intBase } from './layout.js';

/** One packet of a connection's ladder diagram, as recorded (directions are flow directions). */
export interface LadderPacket {
  frame: number;
  dir: number;
  seconds: number;
  nanos: number;
  flags: number;
  seq: number;
  ack: number;
  length: number;
}

const ENTRIES = LADDER_HEAD + LADDER_RING;

/** Offset of a slot's ladder head and ring within its chunk (ConnectionStore.laddersOf(slot)). */
export function ladderBase(slot: number): number {
  return (slot & (CHUNK_SLOTS - 1)) * ENTRIES * LADDER_FIELDS;
}

/**
 * Keeps the packets a ladder diagram of the close needs, in fixed space: the first two (the SYN and
 * its answer, anchoring the diagram at time zero), a ring of the latest ones before the close began,
 * and the first dozen from the first FIN or RST on, in the slot's close list (reused across
 * connections). Recording writes a few int32s; seconds are kept relative to the connection's first
 * packet so they fit.
 */
export function recordLadder(store: ConnectionStore, slot: number, dir: number, seg: TcpSegment): void {
  const I = store.intsOf(slot);
  const c = intBase(slot);
  const firstSeconds = store.floatsOf(slot)[floatBase(slot) + CD.FirstSeconds];
  let closeCount = I[c + C.CloseCount];
  if (closeCount < 0 && (seg.flags & (FIN | RST)) !== 0) closeCount = I[c + C.CloseCount] = 0;
  if (closeCount >= 0) {
    if (closeCount >= LADDER_CLOSE) return;
    I[c + C.CloseCount] = closeCount + 1;
    const block = store.closeBlock(slot);
    write(store.closePool.data, block + closeCount * LADDER_FIELDS, dir, seg, firstSeconds);
    return;
  }
  const count = I[c + C.LadderCount]++;
  const index = count < LADDER_HEAD ? count : LADDER_HEAD + ((count - LADDER_HEAD) % LADDER_RING);
  write(store.laddersOf(slot), ladderBase(slot) + index * LADDER_FIELDS, dir, seg, firstSeconds);
}

function write(L: Int32Array, o: number, dir: number, seg: TcpSegment, firstSeconds: number): void {
  L[o] = seg.frame;
  L[o + 1] = (dir << 12) | seg.flags;
  L[o + 2] = seg.seconds - firstSeconds;
  L[o + 3] = seg.nanos;
  L[o + 4] = seg.seq;
  L[o + 5] = seg.ack;
  L[o + 6] = seg.payloadLength;
}

/** The recorded packets of a slot in frame order. */
export function ladderPackets(store: ConnectionStore, slot: number): LadderPacket[] {
  const out: LadderPacket[] = [];
  const firstSeconds = store.floatsOf(slot)[floatBase(slot) + CD.FirstSeconds];
  const take = (data: ArrayLike<number>, o: number): void => {
    const dirFlags = data[o + 1];
    out.push({
      frame: data[o],
      dir: dirFlags >> 12,
      seconds: firstSeconds + data[o + 2],
      nanos: data[o + 3],
      flags: dirFlags & 0xfff,
      seq: data[o + 4],
      ack: data[o + 5],
      length: data[o + 6],
    });
  };
  const count = store.intsOf(slot)[intBase(slot) + C.LadderCount];
  const L = store.laddersOf(slot);
  const base = ladderBase(slot);
  for (let n = 0; n < Math.min(count, LADDER_HEAD); n++) take(L, base + n * LADDER_FIELDS);
  for (let n = Math.max(LADDER_HEAD, count - LADDER_RING); n < count; n++) {
    take(L, base + (LADDER_HEAD + ((n - LADDER_HEAD) % LADDER_RING)) * LADDER_FIELDS);
  }
  const closeCount = store.intsOf(slot)[intBase(slot) + C.CloseCount];
  if (closeCount > 0) {
    const block = store.intsOf(slot)[intBase(slot) + C.CloseBlock];
    for (let n = 0; n < closeCount; n++) take(store.closePool.data, block + n * LADDER_FIELDS);
  }
  return out.sort((a, b) => a.frame - b.frame);
}
