import { ACK, FIN, RST, type TcpSegment } from '../decode/segment.js';
import { MAX_EVENTS } from '../track/connection-store.js';
import { isoTime } from '../time/time-text.js';
import type { ConnectionRecord, Side } from './types.js';

/**
 * Adds to a judged connection's record a packet of its stream that arrived after the verdict: the
 * record then spans the stream as tshark shows it (`tcp.stream eq N`), while the verdict, its evidence
 * and its times stay those reached before. `precision`: the record's sub-second digits.
 */
export function addLatePacket(record: ConnectionRecord, from: Side, seg: TcpSegment, precision: number): void {
  const time = isoTime(seg.seconds, seg.nanos, precision);
  const late = (record.late ??= { firstFrame: seg.frame, packets: 0, fins: 0, resets: 0 });
  late.packets++;
  record.packets++;
  record.packetsSent[from]++;
  if (seg.frame > record.lastFrame) record.lastFrame = seg.frame;
  // Timestamps of merged captures may go backwards; the record's end is the latest one.
  if (time > record.end) record.end = time;
  if ((seg.flags & FIN) !== 0) {
    late.fins++;
    if (record.fins.length < MAX_EVENTS) {
      // After the verdict nothing ACKs it that the record would show; a side that had sent a FIN repeats it.
      record.fins.push({ frame: seg.frame, from, time, ackFrame: null, retransmission: record.fins.some((f) => f.from === from) });
    }
  }
  if ((seg.flags & RST) !== 0) {
    late.resets++;
    if (record.resets.length < MAX_EVENTS) {
      const hasAck = (seg.flags & ACK) !== 0;
      record.resets.push({
        frame: seg.frame,
        from,
        time,
        // The socket is gone by now, so most late RSTs come from the kernel's no-socket reply (RFC 9293
        // 3.10.7.1): no ACK, or window 0 without options. The tracker's sequence check is not available.
        shape: !hasAck || (seg.window <= 0 && seg.optionsLength === 0) ? 'passive' : 'active',
        seq: seg.seq >>> 0,
        ack: hasAck ? seg.ack >>> 0 : null,
        window: seg.window < 0 ? null : seg.window,
        ttl: seg.ttl,
        ipId: seg.ipId < 0 ? null : seg.ipId,
      });
    }
  }
}

/** The sentence the explanation gains when packets arrived after the verdict. */
export function lateSentence(record: ConnectionRecord): string {
  const late = record.late;
  if (late === null) return '';
  const parts: string[] = [];
  if (late.resets > 0) parts.push(`${count(late.resets)} RST${late.resets === 1 ? '' : 's'}`);
  if (late.fins > 0) parts.push(`${count(late.fins)} FIN${late.fins === 1 ? '' : 's'}`);
  const among = parts.length === 0 ? '' : ` (${parts.join(', ')})`;
  const span = late.firstFrame === record.lastFrame ? `frame ${late.firstFrame}` : `frames ${late.firstFrame}-${record.lastFrame}`;
  return (
    ` ${count(late.packets)} more packet${late.packets === 1 ? '' : 's'}${among} of this stream arrived after the verdict ` +
    `(${span}): listed here, not part of it.`
  );
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
