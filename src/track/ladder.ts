import { FIN, RST, type TcpSegment } from '../decode/segment.js';
import { CLOSE, CLOSE_FIELD_INTS, CONN, LADDER_CLOSE, LADDER_CLOSE_INLINE, LADDER_HEAD, LADDER_RING, LadderField } from './connection-layout.js';
import type { ConnectionStore } from './connection-store.js';
import type { RecordCursor } from './record-cursor.js';

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

const I32 = CONN.i32;
const F64 = CONN.f64;
const DIR_BIT = 1 << 15;

/**
 * Keeps the packets a ladder diagram of the close needs, in fixed space: the first two (the SYN and
 * its answer, anchoring the diagram at time zero), a ring of the latest ones before the close began
 * (both in the connection's record), and the first dozen from the first FIN or RST on: the first
 * LADDER_CLOSE_INLINE after CLOSE's fields in the connection's close block, the others in one block of
 * the store's ladderOverflow lists. Recording writes six int32s.
 */
export function recordLadder(store: ConnectionStore, slot: number, r: RecordCursor, dir: number, seg: TcpSegment): void {
  const { I, D, i, d } = r;
  const firstSecond = D[d + F64.firstSecond];
  // Before any close the count is the template's -1: only a closing connection's block is read.
  let closeCount = I[i + I32.closeBlock] < 0 ? -1 : r.closed().CI[r.ci + CLOSE.i32.closeCount];
  if (closeCount < 0 && (seg.flags & (FIN | RST)) !== 0) closeCount = r.closing().CI[r.ci + CLOSE.i32.closeCount] = 0;
  if (closeCount >= 0) {
    if (closeCount >= LADDER_CLOSE) return;
    r.CI[r.ci + CLOSE.i32.closeCount] = closeCount + 1;
    if (closeCount < LADDER_CLOSE_INLINE) {
      write(r.CI, r.ci + CLOSE_FIELD_INTS + closeCount * LadderField.Count, dir, seg, firstSecond);
      return;
    }
    const n = closeCount - LADDER_CLOSE_INLINE;
    const overflow = (r.CI[r.ci + CLOSE.i32.closeOverflow] = store.ladderOverflow.append(n, r.CI[r.ci + CLOSE.i32.closeOverflow]));
    write(store.ladderOverflow.data(n + 1), overflow + n * LadderField.Count, dir, seg, firstSecond);
    return;
  }
  const count = I[i + I32.ladderCount]++;
  const index = count < LADDER_HEAD ? count : LADDER_HEAD + ((count - LADDER_HEAD) % LADDER_RING);
  write(I, i + I32.ladder + index * LadderField.Count, dir, seg, firstSecond);
}

function write(L: Int32Array, o: number, dir: number, seg: TcpSegment, firstSecond: number): void {
  L[o + LadderField.Frame] = seg.frame;
  L[o + LadderField.DirFlagsLength] = (dir === 0 ? 0 : DIR_BIT) | (seg.flags & 0xfff) | (Math.min(seg.payloadLength, 0xffff) << 16);
  L[o + LadderField.Seq] = seg.seq;
  L[o + LadderField.Ack] = seg.ack;
  L[o + LadderField.Seconds] = seg.seconds - firstSecond;
  L[o + LadderField.Nanos] = seg.nanos;
}

/** The recorded packets of a slot in frame order. */
export function ladderPackets(store: ConnectionStore, slot: number): LadderPacket[] {
  const { I, D, i, d } = store.ladderCursor.at(store, slot);
  const out: LadderPacket[] = [];
  const firstSecond = D[d + F64.firstSecond];
  const take = (data: Int32Array, o: number): void => {
    const dirFlagsLength = data[o + LadderField.DirFlagsLength];
    out.push({
      frame: data[o + LadderField.Frame],
      dir: (dirFlagsLength & DIR_BIT) !== 0 ? 1 : 0,
      seconds: firstSecond + data[o + LadderField.Seconds],
      nanos: data[o + LadderField.Nanos],
      flags: dirFlagsLength & 0xfff,
      seq: data[o + LadderField.Seq],
      ack: data[o + LadderField.Ack],
      length: dirFlagsLength >>> 16,
    });
  };
  const count = I[i + I32.ladderCount];
  const ring = i + I32.ladder;
  for (let n = 0; n < Math.min(count, LADDER_HEAD); n++) take(I, ring + n * LadderField.Count);
  for (let n = Math.max(LADDER_HEAD, count - LADDER_RING); n < count; n++) {
    take(I, ring + (LADDER_HEAD + ((n - LADDER_HEAD) % LADDER_RING)) * LadderField.Count);
  }
  const block = store.closeOf(slot);
  const C = store.close.i32(block);
  const c = store.close.base(block);
  const closeCount = C[c + CLOSE.i32.closeCount];
  for (let n = 0; n < Math.min(closeCount, LADDER_CLOSE_INLINE); n++) take(C, c + CLOSE_FIELD_INTS + n * LadderField.Count);
  const overflow = closeCount - LADDER_CLOSE_INLINE;
  const data = store.ladderOverflow.data(overflow);
  for (let n = 0; n < overflow; n++) take(data, C[c + CLOSE.i32.closeOverflow] + n * LadderField.Count);
  return out.sort((a, b) => a.frame - b.frame);
}
