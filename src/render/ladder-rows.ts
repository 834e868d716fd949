/**
 * What a ladder diagram shows, row by row, independent of how it is drawn (text or SVG): the packets of
 * `record.ladder`, markers where packets of the connection were left out, and for a close-wait the
 * silence until the capture ended -- the part of the story that has no packet.
 */
import { epochSeconds, humanDuration } from '../time/time-text.js';
import type { ConnectionRecord, LadderStep, Side } from '../verdict/types.js';

export type LadderRow =
  | { kind: 'packet'; step: LadderStep; evidence: boolean; fin: boolean; rst: boolean; label: string }
  /** Packets of the connection not in the ladder; `count` is null when they may be spread over several gaps. */
  | { kind: 'gap'; count: number | null }
  /** Not a packet: the capture ended (offset in seconds since the first packet, when known). */
  | { kind: 'end'; offset: number | null; text: string };

export interface Ladder {
  rows: LadderRow[];
  /** Packets of the connection in the diagram, and in all. */
  shown: number;
  total: number;
}

/** `[F.] seq 19 ack 1 len 0`: tcpdump's wording, shortened. */
function packetLabel(step: LadderStep): string {
  return `[${step.flags}] seq ${step.seq}${step.ack === null ? '' : ` ack ${step.ack}`} len ${step.length}`;
}

/**
 * The ladder of a record. The tracker keeps only some packets of a long connection (those before the
 * close and the close itself). Where packets are missing is read from the packets themselves, not from
 * how the tracker samples: a first packet later than the connection's start, a sequence number past
 * what its sender was seen sending, or an ACK of data the other side was not seen sending.
 */
export function ladderOf(record: ConnectionRecord): Ladder {
  const steps = record.ladder;
  const evidence = new Set(record.evidence);
  const hidden = Math.max(0, record.packets - steps.length);
  const gapBefore = hidden > 0 ? missingBefore(steps) : [];
  const count = gapBefore.length === 1 ? hidden : null;
  const rows: LadderRow[] = [];
  steps.forEach((step, i) => {
    if (gapBefore.includes(i)) rows.push({ kind: 'gap', count });
    rows.push({ kind: 'packet', step, evidence: evidence.has(step.frame), fin: step.flags.includes('F'), rst: step.flags.includes('R'), label: packetLabel(step) });
  });
  const end = endRow(record);
  if (end !== null) rows.push(end);
  return { rows, shown: steps.length, total: Math.max(record.packets, steps.length) };
}

/** Indices of steps that packets missing from the ladder must have come before. */
function missingBefore(steps: readonly LadderStep[]): number[] {
  const out: number[] = [];
  // The next sequence number each side would send, as far as the ladder shows (null until seen).
  const next: Record<Side, number | null> = { client: null, server: null };
  steps.forEach((step, i) => {
    const other: Side = step.from === 'client' ? 'server' : 'client';
    const own = next[step.from];
    const peer = next[other];
    const late = i === 0 && step.offset > 0;
    const skippedOwn = own !== null && after(step.seq, own);
    const ackedUnseen = peer !== null && step.ack !== null && after(step.ack, peer);
    if (late || skippedOwn || ackedUnseen) out.push(i);
    const end = (step.seq + step.length + (step.flags.includes('S') ? 1 : 0) + (step.flags.includes('F') ? 1 : 0)) >>> 0;
    if (own === null || after(end, own)) next[step.from] = end;
    // An ACK proves the other side sent up to it, even when those packets are not in the ladder.
    if (step.ack !== null && (peer === null || after(step.ack, peer))) next[other] = step.ack;
  });
  return out;
}

/** `a` is later than `b` in 32-bit sequence space. */
function after(a: number, b: number): boolean {
  const d = (a - b) >>> 0;
  return d !== 0 && d < 0x80000000;
}

/** The part after the last packet that matters for the verdict: nothing came while the capture ran on. */
function endRow(record: ConnectionRecord): LadderRow | null {
  if (record.verdict === 'close-wait' && record.endpoint !== null) {
    const since = epochSeconds(record.since ?? '') - epochSeconds(record.start);
    const offset = Number.isFinite(since) && record.stuckSeconds !== null ? since + record.stuckSeconds : null;
    const stuck = record.stuckSeconds === null ? '' : ` after ${humanDuration(record.stuckSeconds)}`;
    return { kind: 'end', offset, text: `capture ends${stuck}: ${record.endpoint} never sent its FIN (CLOSE_WAIT)` };
  }
  if (record.verdict === 'fin-unacked' && record.endpoint !== null) {
    return { kind: 'end', offset: null, text: `capture ends: the ${record.endpoint}'s FIN was never ACKed` };
  }
  return null;
}

/** `17 of 23 packets shown`, or '' when the diagram has them all. */
export function shownText(ladder: Ladder): string {
  return ladder.shown < ladder.total ? `${ladder.shown} of the connection's ${ladder.total} packets shown` : '';
}
